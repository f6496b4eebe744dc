#include "uvauth/auth/credentials.hpp"

#include "uvauth/text.hpp"

namespace uvauth::auth {

std::string_view to_string(AuthPolicy policy) {
  switch (policy) {
    case AuthPolicy::automatic: return "auto";
    case AuthPolicy::always: return "always";
    case AuthPolicy::never: return "never";
  }
  return "auto";
}

std::optional<AuthPolicy> parse_policy(std::string_view text) {
  if (text == "auto") return AuthPolicy::automatic;
  if (text == "always") return AuthPolicy::always;
  if (text == "never") return AuthPolicy::never;
  return std::nullopt;
}

Credentials Credentials::basic(std::optional<std::string> username, std::optional<Secret> password) {
  Credentials c;
  c.scheme = Scheme::basic;
  c.username = std::move(username);
  c.password = std::move(password);
  return c;
}

Credentials Credentials::bearer(Secret token) {
  Credentials c;
  c.scheme = Scheme::bearer;
  c.password = std::move(token);
  return c;
}

Result<std::optional<Credentials>> Credentials::from_url(const Url& url) {
  if (!url.has_userinfo()) return std::optional<Credentials>();
  if (!is_valid_utf8(url.username()) || !is_valid_utf8(url.password().reveal())) {
    return Error(ErrorKind::auth, "the credentials in " + url.redacted() + " are not valid UTF-8 once percent-decoded")
        .with_hint("percent-encode the user name and password as UTF-8");
  }
  std::optional<std::string> username;
  if (url.has_username()) username = url.username();
  std::optional<Secret> password;
  if (url.has_password()) password = url.password();
  return std::optional<Credentials>(basic(std::move(username), std::move(password)));
}

net::Authorization Credentials::to_authorization() const {
  net::Authorization a;
  a.scheme = scheme == Scheme::bearer ? net::Authorization::Scheme::bearer : net::Authorization::Scheme::basic;
  a.username = username.value_or("");
  a.secret = password.value_or(Secret());
  return a;
}

Credentials Credentials::from_authorization(const net::Authorization& authorization) {
  if (authorization.scheme == net::Authorization::Scheme::bearer) return bearer(authorization.secret);
  return basic(authorization.username, authorization.secret);
}

std::string Credentials::describe() const {
  if (scheme == Scheme::bearer) return "a bearer token";
  std::string out = password ? "basic credentials" : "a user name without password";
  if (username) out += " for user '" + *username + "'";
  return out;
}

bool is_path_prefix(std::string_view prefix, std::string_view path) {
  if (prefix == path) return true;
  if (path.substr(0, prefix.size()) != prefix) return false;
  return (!prefix.empty() && prefix.back() == '/') || path[prefix.size()] == '/';
}

}  // namespace uvauth::auth
