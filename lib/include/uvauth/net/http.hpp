// Plain values that describe one HTTP exchange: what to ask, what came back.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uvauth/secret.hpp"
#include "uvauth/url.hpp"

namespace uvauth::net {

enum class Method { get, head };
[[nodiscard]] std::string_view to_string(Method method);

// Credentials attached to a request. The net layer sends exactly these and
// nothing else: never userinfo from the URL, never netrc (that is the auth
// layer's decision).
struct Authorization {
  enum class Scheme { basic, bearer };
  Scheme scheme = Scheme::basic;
  std::string username;  // basic only
  Secret secret;         // password (basic) or token (bearer)
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Case-insensitive look-up of the first header called `name`.
[[nodiscard]] std::optional<std::string_view> find_header(const Headers& headers, std::string_view name);
// An HTTP date (IMF-fixdate, RFC 850 or asctime form, as RFC 9110 5.6.7
// accepts) in seconds since the epoch; none when unreadable.
[[nodiscard]] std::optional<std::int64_t> parse_http_date(std::string_view text);
void remove_header(Headers& headers, std::string_view name);

struct Request {
  Method method = Method::get;
  Url url;
  Headers headers;                             // extra request headers
  std::optional<Authorization> authorization;  // set by the auth layer
  // Headers whose values are secrets (a credential helper's): sent as they
  // are, shown as **** in every log, dropped on a redirect to another origin.
  std::vector<std::pair<std::string, Secret>> secret_headers;
  std::optional<std::string> range;            // "0-1023", "-65536" (suffix), "1024-"

  // Where a successful (2xx) body goes: a file (written beside it and renamed
  // into place only when complete), a callback, or else memory. Bodies of
  // other statuses are kept in memory, capped, for error messages.
  std::optional<std::filesystem::path> output_file;
  std::function<bool(std::string_view chunk)> on_data;  // return false to abort
  std::function<void()> on_restart;                     // the body starts again (retry)
  // Bytes of the successful body received so far, as they arrive, and its
  // Content-Length (0 when not given), for progress displays; called from
  // the client's transfer thread.
  std::function<void(std::uint64_t received, std::uint64_t expected)> on_progress;
  std::uint64_t max_memory_body = std::uint64_t{512} << 20;
  // The most a successful body may be, decoded (a lock's or page's `size`):
  // a larger one stops the transfer as an integrity error, whatever its
  // destination. A gzip bomb never reaches the disk whole.
  std::optional<std::uint64_t> max_body_size;
  // Whether Response::sha256 is wanted (files checked against a hash); an
  // index page is not, and is not hashed.
  bool hash_body = true;

  // Free for the layers above (e.g. which index linked this URL); the net
  // layer carries it through redirects and retries untouched.
  std::string tag;
};

struct Response {
  long status = 0;
  Url url;  // the final URL, after redirects
  Headers headers;
  std::string body;  // in memory unless an output file or callback took it
  std::uint64_t body_size = 0;
  std::string sha256;  // hex digest of the body as received (empty unless Request::hash_body)
  int redirects = 0;
  unsigned retries = 0;  // transient failures retried before this response
  std::string http_version;  // "1.1", "2"
  // Set by the auth layer on a final 401/403: which user from which source
  // was refused ("user 'alice' from netrc file ~/.netrc"); never a secret.
  std::string rejected;
  bool sent_credentials = false;  // the request that got this answer carried credentials or helper headers
  std::string authority;          // "index 'corp'" (or "index URL") the URL belongs to, when it does
  std::string credentials_hint;   // where credentials for it go, in commands that work as written

  [[nodiscard]] bool ok() const { return status >= 200 && status < 300; }
  [[nodiscard]] std::optional<std::string_view> header(std::string_view name) const {
    return find_header(headers, name);
  }
};

// "Not Found" for 404 and so on; empty when unknown.
[[nodiscard]] std::string_view reason_phrase(long status);

// An error for a response whose status the caller cannot use:
// "HTTP 404 Not Found for https://host/path".
[[nodiscard]] Error status_error(const Response& response);

}  // namespace uvauth::net
