#include "uvauth/net/http.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>

namespace uvauth::net {
namespace {
bool iequals(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](unsigned char x, unsigned char y) {
           return std::tolower(x) == std::tolower(y);
         });
}
}  // namespace

std::string_view to_string(Method method) { return method == Method::head ? "HEAD" : "GET"; }

std::optional<std::int64_t> parse_http_date(std::string_view text) {
  if (text.empty() || text.size() > 64) return std::nullopt;
  const std::string copy(text);
  const time_t t = curl_getdate(copy.c_str(), nullptr);
  if (t == static_cast<time_t>(-1)) return std::nullopt;
  return static_cast<std::int64_t>(t);
}

std::optional<std::string_view> find_header(const Headers& headers, std::string_view name) {
  for (const auto& [key, value] : headers) {
    if (iequals(key, name)) return std::string_view(value);
  }
  return std::nullopt;
}

void remove_header(Headers& headers, std::string_view name) {
  std::erase_if(headers, [&](const auto& header) { return iequals(header.first, name); });
}

std::string_view reason_phrase(long status) {
  switch (status) {
    case 200: return "OK";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 407: return "Proxy Authentication Required";
    case 408: return "Request Timeout";
    case 410: return "Gone";
    case 416: return "Range Not Satisfiable";
    case 429: return "Too Many Requests";
    case 500: return "Internal Server Error";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    default: return "";
  }
}

Error status_error(const Response& response) {
  std::string message = "HTTP " + std::to_string(response.status);
  if (auto phrase = reason_phrase(response.status); !phrase.empty()) message += " " + std::string(phrase);
  message += " for " + response.url.redacted();
  if (!response.rejected.empty()) {
    message += ": " + response.rejected + " was rejected" + (response.authority.empty() ? "" : " by " + response.authority);
  } else if (response.status == 401 && !response.authority.empty()) {
    message += ": " + response.authority + " wants credentials and none were found";
  }
  if (response.retries > 0) message += " (after " + std::to_string(response.retries) + " retr" + (response.retries == 1 ? "y" : "ies") + ")";
  Error error(response.status == 401 || response.status == 403 ? ErrorKind::auth : ErrorKind::http, message);
  if (response.status == 403 && !response.rejected.empty()) {
    error.with_hint("the credentials were refused or lack permission for this path");
  }
  if (response.status == 401 || response.status == 403) {
    error.with_hint(!response.credentials_hint.empty()
                        ? response.credentials_hint
                        : "the server wants credentials: put them in netrc, in UV_INDEX_<NAME>_USERNAME/_PASSWORD, or store them with `uvauth auth login`");
  }
  return error;
}

}  // namespace uvauth::net
