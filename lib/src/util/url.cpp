#include "uvauth/url.hpp"

#include "uvauth/text.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <memory>

namespace uvauth {
namespace {

struct CurlUrlDeleter {
  void operator()(CURLU* h) const { curl_url_cleanup(h); }
};
using CurlUrl = std::unique_ptr<CURLU, CurlUrlDeleter>;

// Reads one part of a parsed URL; empty when absent.
std::string get_part(CURLU* h, CURLUPart part, unsigned flags, bool* present = nullptr) {
  char* out = nullptr;
  const CURLUcode rc = curl_url_get(h, part, &out, flags);
  if (present) *present = (rc == CURLUE_OK);
  std::string value;
  if (rc == CURLUE_OK && out) value = out;
  curl_free(out);
  return value;
}

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

std::string describe(CURLUcode rc) {
  switch (rc) {
    case CURLUE_BAD_SCHEME: return "unsupported or missing scheme";
    case CURLUE_MALFORMED_INPUT: return "malformed URL";
    case CURLUE_BAD_PORT_NUMBER: return "bad port number";
    case CURLUE_NO_HOST: return "missing host";
    case CURLUE_BAD_HOSTNAME: return "bad host name";
    case CURLUE_BAD_IPV6: return "bad IPv6 address";
    case CURLUE_BAD_LOGIN: return "bad user name or password";
    case CURLUE_BAD_USER: return "bad user name";
    case CURLUE_BAD_PASSWORD: return "bad password";
    default: return curl_url_strerror(rc);
  }
}

// Parse errors quote the input, never with its password.
std::string quote_text(std::string_view text) { return "'" + redact_userinfo_in_text(text) + "'"; }

Result<void> check_characters(std::string_view text) {
  for (unsigned char c : text) {
    if (c <= 0x20 || c == 0x7f) {
      return Error(ErrorKind::parse, "invalid URL " + quote_text(text) + ": contains white space or a control character");
    }
  }
  return {};
}

}  // namespace

Result<Url> Url::parse(std::string_view text) {
  if (text.empty()) return Error(ErrorKind::parse, "invalid URL '': empty");
  UVAUTH_TRY(check_characters(text));
  // "127.0.0.1:8080/simple" or "pypi.corp/simple": no scheme, said in words.
  const auto colon = text.find("://");
  const auto slash = text.find('/');
  if (colon == std::string_view::npos || (slash != std::string_view::npos && slash < colon) ||
      text.substr(0, colon).find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+-.") !=
          std::string_view::npos ||
      colon == 0) {
    if (text.rfind("file:", 0) != 0) {
      // Without a scheme, userinfo is not recognised by the redactor: cut it here.
      std::string shown(text);
      const auto at = shown.find('@');
      const auto first_slash = shown.find('/');
      if (at != std::string::npos && (first_slash == std::string::npos || at < first_slash)) shown = "****@" + shown.substr(at + 1);
      shown = escape_nonprintable(shown);
      return Error(ErrorKind::parse, "invalid URL '" + shown + "': it has no scheme; write https://" + shown +
                                         " (or http:// for a plain-HTTP server)");
    }
  }
  CurlUrl h(curl_url());
  if (!h) return Error(ErrorKind::io, "out of memory parsing a URL");
  const std::string owned(text);
  const CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, owned.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) return Error(ErrorKind::parse, "invalid URL " + quote_text(text) + ": " + describe(rc));
  return from_curl_handle(h.get(), text);
}

Result<Url> Url::join(std::string_view reference) const {
  UVAUTH_TRY(check_characters(reference));
  // Resolve against the base without its userinfo: a relative link or
  // Location never inherits credentials; the auth layer decides about those.
  CurlUrl h(curl_url());
  if (!h) return Error(ErrorKind::io, "out of memory parsing a URL");
  const std::string base = without_userinfo();
  if (curl_url_set(h.get(), CURLUPART_URL, base.c_str(), CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK) {
    return Error(ErrorKind::parse, "invalid URL " + quote_text(base));
  }
  const std::string ref(reference);
  const CURLUcode rc = curl_url_set(h.get(), CURLUPART_URL, ref.c_str(), CURLU_NON_SUPPORT_SCHEME);
  if (rc != CURLUE_OK) {
    return Error(ErrorKind::parse,
                 "invalid URL reference " + quote_text(reference) + " relative to " + redacted() + ": " + describe(rc));
  }
  return from_curl_handle(h.get(), reference);
}

Result<Url> Url::from_curl_handle(void* handle, std::string_view original) {
  auto* h = static_cast<CURLU*>(handle);
  Url url;
  url.scheme_ = lower(get_part(h, CURLUPART_SCHEME, 0));
  if (url.scheme_ != "http" && url.scheme_ != "https" && url.scheme_ != "file") {
    return Error(ErrorKind::parse,
                 "invalid URL " + quote_text(original) + ": unsupported scheme '" + url.scheme_ + "' (use http, https or file)");
  }
  url.host_ = lower(get_part(h, CURLUPART_HOST, 0));
  if (url.host_.empty() && url.scheme_ != "file") {
    return Error(ErrorKind::parse, "invalid URL " + quote_text(original) + ": missing host");
  }
  const std::string explicit_port = get_part(h, CURLUPART_PORT, 0, &url.explicit_port_);
  const std::string port = url.explicit_port_ ? explicit_port : get_part(h, CURLUPART_PORT, CURLU_DEFAULT_PORT);
  url.port_ = port.empty() ? 0 : std::stoi(port);
  url.path_ = get_part(h, CURLUPART_PATH, 0);
  if (url.path_.empty()) url.path_ = "/";
  url.query_ = get_part(h, CURLUPART_QUERY, 0, &url.has_query_);
  url.fragment_ = get_part(h, CURLUPART_FRAGMENT, 0, &url.has_fragment_);
  url.username_encoded_ = get_part(h, CURLUPART_USER, 0);
  url.username_ = get_part(h, CURLUPART_USER, CURLU_URLDECODE);
  url.password_ = Secret(get_part(h, CURLUPART_PASSWORD, CURLU_URLDECODE, &url.has_password_));
  return url;
}

std::string Url::authority(bool redact) const {
  std::string out;
  if (redact && has_userinfo()) {
    // A lone user name is often a token (https://TOKEN@host): hide it too.
    out += has_password_ ? username_encoded_ + ":****@" : "****@";
  }
  out += host_;
  if (explicit_port_) out += ":" + std::to_string(port_);
  return out;
}

std::string Url::request_target() const {
  std::string out = scheme_ + "://" + host_;
  if (explicit_port_) out += ":" + std::to_string(port_);
  out += path_;
  if (has_query_) out += "?" + query_;
  return out;
}

std::string Url::without_userinfo() const {
  std::string out = request_target();
  if (has_fragment_) out += "#" + fragment_;
  return out;
}

std::string Url::redacted() const {
  std::string out = scheme_ + "://" + authority(true) + path_;
  if (has_query_) out += "?" + query_;
  if (has_fragment_) out += "#" + fragment_;
  return out;
}

std::string Url::origin() const { return scheme_ + "://" + host_ + ":" + std::to_string(port_); }

bool Url::same_origin(const Url& other) const {
  return scheme_ == other.scheme_ && host_ == other.host_ && port_ == other.port_;
}

Url Url::with_userinfo_removed() const {
  Url copy = *this;
  copy.username_.clear();
  copy.username_encoded_.clear();
  copy.password_ = Secret();
  copy.has_password_ = false;
  return copy;
}

Url Url::with_fragment_removed() const {
  Url copy = *this;
  copy.fragment_.clear();
  copy.has_fragment_ = false;
  return copy;
}

Url Url::with_path(std::string path) const {
  Url copy = *this;
  copy.path_ = path.empty() || path.front() != '/' ? "/" + path : std::move(path);
  copy.query_.clear();
  copy.has_query_ = false;
  copy.fragment_.clear();
  copy.has_fragment_ = false;
  return copy;
}

bool operator==(const Url& a, const Url& b) {
  return a.redacted() == b.redacted() && a.password_ == b.password_;
}

std::string redact_userinfo_in_text(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  std::size_t i = 0;
  while (i < text.size()) {
    const std::size_t sep = text.find("://", i);
    if (sep == std::string_view::npos) break;
    const std::size_t start = sep + 3;
    out.append(text.substr(i, start - i));
    // The authority ends at the first '/', '?', '#', white space or quote.
    std::size_t end = start;
    while (end < text.size() && std::string_view("/?#\"'<> \t\r\n").find(text[end]) == std::string_view::npos) ++end;
    const std::string_view authority = text.substr(start, end - start);
    const std::size_t at = authority.rfind('@');
    if (at != std::string_view::npos) {
      const std::string_view userinfo = authority.substr(0, at);
      const std::size_t colon = userinfo.find(':');
      out += colon == std::string_view::npos ? std::string("****") : std::string(userinfo.substr(0, colon)) + ":****";
      out.append(authority.substr(at));
    } else {
      out.append(authority);
    }
    i = end;
  }
  out.append(text.substr(i));
  return out;
}

std::string Url::identity() const {
  std::string path = path_;
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  if (path == "/") path.clear();
  return to_lower_ascii(scheme_) + "://" + host_ + ":" + std::to_string(port_) + path;
}

std::string Url::host_port() const { return explicit_port_ ? host_ + ":" + std::to_string(port_) : host_; }

}  // namespace uvauth
