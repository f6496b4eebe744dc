// An absolute URL (http, https or file), parsed with libcurl's URL API.
// Userinfo is kept apart from the rest: printing a Url shows the password as
// "****", and the text handed to the network never carries userinfo.
#pragma once

#include <ostream>
#include <string>
#include <string_view>

#include "uvauth/error.hpp"
#include "uvauth/secret.hpp"

namespace uvauth {

class Url {
 public:
  // Parses an absolute URL. Errors name the (redacted) input and the problem.
  static Result<Url> parse(std::string_view text);

  // Resolves a reference (absolute, or relative as in a Location header or a
  // link on a page) against this URL.
  [[nodiscard]] Result<Url> join(std::string_view reference) const;

  [[nodiscard]] const std::string& scheme() const { return scheme_; }
  [[nodiscard]] const std::string& host() const { return host_; }  // lower case; IPv6 in brackets
  [[nodiscard]] int port() const { return port_; }                 // effective port (default filled in)
  [[nodiscard]] bool has_explicit_port() const { return explicit_port_; }
  [[nodiscard]] const std::string& path() const { return path_; }  // as written, percent-encoded, starts with '/'
  [[nodiscard]] const std::string& query() const { return query_; }        // without '?'
  [[nodiscard]] const std::string& fragment() const { return fragment_; }  // without '#'

  // Userinfo, percent-decoded.
  [[nodiscard]] const std::string& username() const { return username_; }
  [[nodiscard]] const Secret& password() const { return password_; }
  [[nodiscard]] bool has_username() const { return !username_.empty(); }
  [[nodiscard]] bool has_password() const { return has_password_; }
  [[nodiscard]] bool has_userinfo() const { return has_username() || has_password(); }

  // scheme://host[:port]/path?query — no userinfo, no fragment. What goes on the wire.
  [[nodiscard]] std::string request_target() const;
  // Like request_target() but with the fragment.
  [[nodiscard]] std::string without_userinfo() const;
  // The URL as the user wrote it, password replaced by "****". Safe to print.
  [[nodiscard]] std::string redacted() const;
  // "host" or, when the URL names a port, "host:port".
  [[nodiscard]] std::string host_port() const;
  // "scheme://host:port" with the effective port.
  [[nodiscard]] std::string origin() const;
  [[nodiscard]] bool same_origin(const Url& other) const;
  // What makes two index URLs the same index: scheme and host in lower case,
  // the effective port, the path without trailing slashes ("simple" and
  // "simple/" are one index); no userinfo, query or fragment.
  [[nodiscard]] std::string identity() const;

  [[nodiscard]] Url with_userinfo_removed() const;
  [[nodiscard]] Url with_fragment_removed() const;
  [[nodiscard]] Url with_path(std::string path) const;

  friend bool operator==(const Url& a, const Url& b);
  friend std::ostream& operator<<(std::ostream& os, const Url& url) { return os << url.redacted(); }

 private:
  // Builds a Url from a parsed libcurl URL handle (CURLU*).
  static Result<Url> from_curl_handle(void* handle, std::string_view original);
  [[nodiscard]] std::string authority(bool redact) const;  // host[:port], with redacted userinfo if asked

  std::string scheme_;
  std::string host_;
  int port_ = 0;
  bool explicit_port_ = false;
  std::string path_ = "/";
  std::string query_;
  bool has_query_ = false;
  std::string fragment_;
  bool has_fragment_ = false;
  std::string username_;          // decoded
  std::string username_encoded_;  // as written
  Secret password_;               // decoded
  bool has_password_ = false;
};

// Replaces the password of any "scheme://user:password@" inside free text
// with "****". A last line of defence for messages that quote servers or libraries.
std::string redact_userinfo_in_text(std::string_view text);

}  // namespace uvauth
