// Credentials, the policy that says when to look for them, and the realm
// they belong to.
#pragma once

#include <compare>
#include <optional>
#include <string>
#include <string_view>

#include "uvauth/error.hpp"
#include "uvauth/net/http.hpp"
#include "uvauth/secret.hpp"
#include "uvauth/url.hpp"

namespace uvauth::auth {

// uv's `authenticate` setting of an index.
enum class AuthPolicy {
  automatic,  // "auto": unauthenticated first; look up on 401/403/404 and retry once
  always,     // look up before the first request; never send an unauthenticated one
  never,      // attach nothing, look up nothing
};
[[nodiscard]] std::string_view to_string(AuthPolicy policy);
[[nodiscard]] std::optional<AuthPolicy> parse_policy(std::string_view text);

struct Credentials {
  enum class Scheme { basic, bearer };
  Scheme scheme = Scheme::basic;
  std::optional<std::string> username;  // basic only
  std::optional<Secret> password;       // basic password, or the bearer token

  static Credentials basic(std::optional<std::string> username, std::optional<Secret> password);
  static Credentials bearer(Secret token);
  // Userinfo of a URL, percent-decoded; nullopt without userinfo. Invalid
  // UTF-8 is an error naming the (redacted) URL.
  static Result<std::optional<Credentials>> from_url(const Url& url);

  // Complete: a password (possibly empty, as uv allows) or a token.
  [[nodiscard]] bool is_authenticated() const { return password.has_value(); }
  [[nodiscard]] net::Authorization to_authorization() const;
  static Credentials from_authorization(const net::Authorization& authorization);
  // "basic credentials for user 'x'": safe to print.
  [[nodiscard]] std::string describe() const;

  friend bool operator==(const Credentials&, const Credentials&) = default;
};

// Scheme, host and effective port: where credentials may be reused.
struct Realm {
  std::string scheme;
  std::string host;
  int port = 0;

  static Realm of(const Url& url) { return Realm{url.scheme(), url.host(), url.port()}; }
  [[nodiscard]] std::string to_string() const { return scheme + "://" + host + ":" + std::to_string(port); }
  friend auto operator<=>(const Realm&, const Realm&) = default;
};

// True when `prefix` covers `path` in whole segments: "/api" covers "/api"
// and "/api/x", never "/apiary".
[[nodiscard]] bool is_path_prefix(std::string_view prefix, std::string_view path);

}  // namespace uvauth::auth
