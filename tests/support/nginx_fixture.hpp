// The integration tests' view of the nginx fixture (tests/fixtures/nginx_fixture.py):
// its ports, users and data, and its access log, which tests read to prove
// which requests were sent.
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "uvauth/net/client.hpp"

namespace uvauth::testing {

struct LogEntry {
  int port = 0;
  std::string method, uri, status, user, auth, range, if_none_match, connection, protocol, user_agent, cookie;
  int connection_request = 0;
};

class NginxFixture {
 public:
  // Loads $UVAUTH_TEST_FIXTURE; skips nothing: a missing fixture fails the test.
  static const NginxFixture& get();

  int http_port = 0, redirect_port = 0, tls_port = 0;
  std::string ca_file, access_log, data_dir;
  std::map<std::string, std::string> users, sha256;
  std::map<std::string, std::string> wheel_sha256;  // filename -> sha256 of the fixture index's wheels

  [[nodiscard]] std::string http(const std::string& path) const;      // http://127.0.0.1:P/path
  [[nodiscard]] std::string http_localhost(const std::string& path) const;  // http://localhost:P/path
  [[nodiscard]] std::string redirector(const std::string& path) const;
  [[nodiscard]] std::string https(const std::string& path) const;
  [[nodiscard]] std::string password(const std::string& user) const { return users.at(user); }

  // Entries whose URI contains `needle`, waiting up to `wait` for at least
  // `at_least` of them (nginx writes its log just after the response).
  [[nodiscard]] std::vector<LogEntry> requests(const std::string& needle, std::size_t at_least = 1,
                                               std::chrono::milliseconds wait = std::chrono::milliseconds(2000)) const;
};

// A query string unique to the running test ("t=Suite.Name.<pid>"), to tell
// its requests apart in the shared access log.
std::string test_tag();

// A path segment unique in this process and run ("<prefix><pid>n<k>"), for a
// test's own prefix (/tagged/<tag>/...) in the shared access log.
std::string unique_path_tag(const std::string& prefix);

// Shorthands the integration tests share.
inline const NginxFixture& fx() { return NginxFixture::get(); }
// The fixture's public HTML index.
inline std::string primary() { return fx().http("/public/index-html/simple/"); }
inline std::string alice() { return fx().password("alice"); }
// A client that trusts the fixture's CA and does not retry.
inline net::ClientOptions client_options() {
  net::ClientOptions options;
  options.ca_file = fx().ca_file;
  options.retries = 0;
  return options;
}

}  // namespace uvauth::testing
