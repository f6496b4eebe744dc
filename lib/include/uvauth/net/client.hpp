// The one HTTP client every request of the product goes through.
//
// Many transfers run at once on libcurl's multi interface (one event-loop
// thread per Client), reusing connections and multiplexing HTTP/2. The client
// follows redirects itself, hop by hop, retries transient failures with
// backoff, and lets a Middleware (the auth layer) see and change every
// attempt of every hop.
#pragma once

#include <any>
#include <chrono>
#include <cstddef>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <vector>

#include "uvauth/config/locations.hpp"
#include "uvauth/error.hpp"
#include "uvauth/net/http.hpp"

namespace uvauth::net {

// Loads libcurl (opened on first use: lazy_library.hpp) and initialises it,
// once per process; every Client calls it.
void load_curl();
// A command that will certainly go to the network starts load_curl() early
// on a thread of its own (once; later calls do nothing), so the 20-odd shared
// objects are mapped while the configuration is read. While they are, no
// other thread can be created (creating one takes the dynamic loader's lock,
// which loading holds for 10-15 ms): a thread wanted at once (the interpreter
// query) is created first. finish_loading_curl() waits for it (so does the
// process's exit).
void start_loading_curl();
void finish_loading_curl();

struct ClientOptions {
  std::size_t max_concurrent = 50;                       // UV_CONCURRENT_DOWNLOADS
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::seconds idle_timeout{30};                 // no byte for this long: UV_HTTP_TIMEOUT
  unsigned retries = 3;                                  // UV_HTTP_RETRIES
  std::chrono::milliseconds retry_base_delay{250};
  std::chrono::milliseconds retry_max_delay{10'000};
  int max_redirects = 10;
  std::string ca_file;                      // SSL_CERT_FILE
  std::string ca_dir;                       // SSL_CERT_DIR
  std::string client_certificate;           // SSL_CLIENT_CERT (PEM with certificate and key)
  std::vector<std::string> insecure_hosts;  // "host" or "host:port": no TLS verification
  bool http2 = true;

  // From the network settings the configuration pass read.
  static ClientOptions from(const config::NetworkSettings& settings);
};

// Where a request stands: which hop of its redirect chain, which attempt.
struct Exchange {
  std::uint64_t id = 0;
  Url original_url;
  int hop = 0;          // 0 for the first URL, +1 per redirect followed
  int resend = 0;       // times the middleware asked to send this hop again
  std::any state;       // the middleware's own, kept across hops and attempts
};

// The auth layer's view of the client. Called on the client's thread, one
// call at a time; must not call the client synchronously.
class Middleware {
 public:
  virtual ~Middleware() = default;
  // Before every attempt of every hop. May attach credentials. An error
  // ends the request with that error and nothing is sent.
  virtual Status before_send(Request& request, Exchange& exchange) = 0;
  // After a response that is not a redirect being followed. Return true to
  // send `request` again (after changing it, e.g. adding credentials).
  virtual bool should_resend(Request& request, const Response& response, Exchange& exchange) = 0;
  // After a successful response (2xx, or a 304 to a revalidation), e.g. to
  // remember working credentials.
  virtual void on_success(const Request& request, const Response& response, Exchange& exchange) = 0;
  // Before a first attempt: true holds the request back (it is asked again
  // when another exchange ends), e.g. while one request finds out whether its
  // index wants credentials, so that the others need not each get a 401.
  virtual bool hold(Request& /*request*/, Exchange& /*exchange*/) { return false; }
  // When an exchange ends, however it ends.
  virtual void on_complete(Exchange& /*exchange*/) {}
  // The final response of an exchange, before the caller sees it.
  virtual void on_final_response(const Request& /*request*/, Response& /*response*/, Exchange& /*exchange*/) {}
};

class Client {
 public:
  explicit Client(ClientOptions options = {});
  ~Client();
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;

  void set_middleware(std::shared_ptr<Middleware> middleware);
  [[nodiscard]] const ClientOptions& options() const;

  using Callback = std::function<void(Result<Response>)>;
  // Starts a request; `done` runs on the client's thread when it ends.
  void start(Request request, Callback done);
  std::future<Result<Response>> submit(Request request);
  // Blocking conveniences. Not to be called from a callback.
  Result<Response> fetch(Request request);
  std::vector<Result<Response>> fetch_all(std::vector<Request> requests);

  // Counters since construction, for tests and -v summaries.
  struct Stats {
    std::uint64_t requests = 0;     // exchanges started
    std::uint64_t attempts = 0;     // transfers sent on the wire
    std::uint64_t retries = 0;      // transient-failure retries
    std::uint64_t redirects = 0;    // hops followed
    std::uint64_t connections = 0;  // new connections opened
  };
  [[nodiscard]] Stats stats() const;

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace uvauth::net
