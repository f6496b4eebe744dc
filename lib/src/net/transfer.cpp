#include "transfer.hpp"

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cerrno>
#include <cstring>
#include <system_error>

#include "uvauth/log.hpp"
#include "uvauth/version.hpp"

namespace uvauth::net::detail {
namespace {

constexpr std::size_t error_body_cap = 64 * 1024;

std::string trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
  return std::string(s);
}

std::filesystem::path part_path_for(const std::filesystem::path& destination) {
  static std::atomic<unsigned> counter{0};
  return destination.string() + ".uvauth-" + std::to_string(::getpid()) + "-" + std::to_string(++counter) + ".part";
}

}  // namespace

Result<std::unique_ptr<Transfer>> Transfer::create(const Request& request, const ClientOptions& options) {
  if (request.url.scheme() != "http" && request.url.scheme() != "https") {
    return Error(ErrorKind::usage, "cannot fetch " + request.url.redacted() + ": only http and https URLs are fetched");
  }
  std::unique_ptr<Transfer> transfer(new Transfer(request, options));
  if (!transfer->easy_) return Error(ErrorKind::io, "out of memory creating a transfer");
  return transfer;
}

Transfer::Transfer(const Request& request, const ClientOptions& options)
    : request_(request), options_(options), easy_(curl_easy_init()) {
  if (!easy_) return;
  CURL* h = easy_;
  const std::string target = request.url.request_target();  // never userinfo, never fragment
  curl_easy_setopt(h, CURLOPT_URL, target.c_str());
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);  // the client follows redirects itself
  curl_easy_setopt(h, CURLOPT_NETRC, static_cast<long>(CURL_NETRC_IGNORED));
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_USERAGENT, uvauth::user_agent);
  curl_easy_setopt(h, CURLOPT_ERRORBUFFER, error_buffer_);
  curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  // An idle timeout rather than a total one: large wheels may take long, a
  // stalled server may not.
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, static_cast<long>(options.idle_timeout.count()));
  curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(h, CURLOPT_HTTP_VERSION,
                   options.http2 ? static_cast<long>(CURL_HTTP_VERSION_2TLS) : static_cast<long>(CURL_HTTP_VERSION_1_1));
  curl_easy_setopt(h, CURLOPT_PIPEWAIT, 1L);
  if (request.method == Method::head) curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  if (request.range) {
    curl_easy_setopt(h, CURLOPT_RANGE, request.range->c_str());
  } else {
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // gzip/br/zstd pages, decoded by libcurl
  }

  if (request.authorization) {
    const Authorization& auth = *request.authorization;
    if (auth.scheme == Authorization::Scheme::bearer) {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BEARER));
      curl_easy_setopt(h, CURLOPT_XOAUTH2_BEARER, auth.secret.reveal().c_str());
    } else {
      curl_easy_setopt(h, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
      curl_easy_setopt(h, CURLOPT_USERNAME, auth.username.c_str());
      curl_easy_setopt(h, CURLOPT_PASSWORD, auth.secret.reveal().c_str());
    }
  }
  for (const auto& [name, value] : request.headers) {
    header_list_ = curl_slist_append(header_list_, (name + ": " + value).c_str());
  }
  for (const auto& [name, value] : request.secret_headers) {
    header_list_ = curl_slist_append(header_list_, (name + ": " + value.reveal()).c_str());
  }
  if (header_list_) curl_easy_setopt(h, CURLOPT_HTTPHEADER, header_list_);

  apply_tls_options(h, request.url, options);

  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &Transfer::header_callback);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, this);
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &Transfer::write_callback);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, this);
  curl_easy_setopt(h, CURLOPT_PRIVATE, this);
}

Transfer::~Transfer() {
  discard();
  if (easy_) curl_easy_cleanup(easy_);
  curl_slist_free_all(header_list_);
}

size_t Transfer::header_callback(char* data, size_t size, size_t count, void* self) {
  return static_cast<Transfer*>(self)->on_header(std::string_view(data, size * count));
}

size_t Transfer::write_callback(char* data, size_t size, size_t count, void* self) {
  return static_cast<Transfer*>(self)->on_body(std::string_view(data, size * count));
}

size_t Transfer::on_header(std::string_view line) {
  if (line.rfind("HTTP/", 0) == 0) {
    // A new response begins (after a 100 Continue, say): forget the old headers.
    response_headers_.clear();
    return line.size();
  }
  const auto colon = line.find(':');
  if (colon != std::string_view::npos) {
    std::string name = trim(line.substr(0, colon));
    std::transform(name.begin(), name.end(), name.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    response_headers_.emplace_back(std::move(name), trim(line.substr(colon + 1)));
  }
  return line.size();
}

void Transfer::decide_destination() {
  destination_decided_ = true;
  curl_easy_getinfo(easy_, CURLINFO_RESPONSE_CODE, &status_);
  body_to_caller_ = status_ >= 200 && status_ < 300;
  if (body_to_caller_ && request_.output_file) {
    part_path_ = part_path_for(*request_.output_file);
    file_ = std::fopen(part_path_.c_str(), "wb");
    if (!file_) {
      abort_reason_ = "cannot write " + part_path_.string() + ": " + std::strerror(errno);
      part_path_.clear();
    }
  }
}

size_t Transfer::on_body(std::string_view chunk) {
  if (!destination_decided_) decide_destination();
  if (!abort_reason_.empty()) return 0;
  if (request_.hash_body) hasher_.update(chunk);
  body_size_ += chunk.size();
  if (!body_to_caller_) {
    if (memory_body_.size() < error_body_cap) {
      memory_body_.append(chunk.substr(0, error_body_cap - memory_body_.size()));
    }
    return chunk.size();
  }
  if (request_.max_body_size && body_size_ > *request_.max_body_size) {
    abort_reason_ = "the body is larger than the " + std::to_string(*request_.max_body_size) + " bytes expected";
    abort_kind_ = ErrorKind::integrity;
    return 0;
  }
  if (file_) {
    if (std::fwrite(chunk.data(), 1, chunk.size(), file_) != chunk.size()) {
      abort_reason_ = "cannot write " + part_path_.string() + ": " + std::strerror(errno);
      return 0;
    }
  } else if (request_.on_data) {
    if (!request_.on_data(chunk)) {
      abort_reason_ = "the receiver stopped the download";
      return 0;
    }
  } else {
    if (memory_body_.size() + chunk.size() > request_.max_memory_body) {
      abort_reason_ = "the response is larger than " + std::to_string(request_.max_memory_body) + " bytes";
      return 0;
    }
    memory_body_.append(chunk);
  }
  if (request_.on_progress) {
    curl_off_t length = -1;
    if (curl_easy_getinfo(easy_, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &length) != CURLE_OK || length < 0) length = 0;
    request_.on_progress(body_size_, static_cast<std::uint64_t>(length));
  }
  return chunk.size();
}

long Transfer::new_connections() const {
  long count = 0;
  curl_easy_getinfo(easy_, CURLINFO_NUM_CONNECTS, &count);
  return count;
}

bool Transfer::is_transient(CURLcode code) const {
  if (!abort_reason_.empty()) return false;
  switch (code) {
    case CURLE_COULDNT_CONNECT:
    case CURLE_COULDNT_RESOLVE_HOST:
    case CURLE_SEND_ERROR:
    case CURLE_RECV_ERROR:
    case CURLE_GOT_NOTHING:
    case CURLE_PARTIAL_FILE:
    case CURLE_HTTP2:
    case CURLE_HTTP2_STREAM:
    case CURLE_HTTP3:
      return true;
    default:
      return false;
  }
}

Error Transfer::error_for(CURLcode code) const {
  const Url& url = request_.url;
  const std::string detail = redact_userinfo_in_text(error_buffer_[0] ? error_buffer_ : curl_easy_strerror(code));
  if (!abort_reason_.empty()) {
    return Error(abort_kind_, "download of " + url.redacted() + " stopped: " + abort_reason_);
  }
  if (is_tls_error(code)) return tls_error(code, url, detail, options_);
  const std::string where = url.host() + ":" + std::to_string(url.port());
  switch (code) {
    case CURLE_COULDNT_RESOLVE_HOST:
      return Error(ErrorKind::network, "could not resolve host " + url.host() + " for " + url.redacted())
          .with_hint("check the host name, your DNS and any proxy settings (https_proxy, no_proxy)");
    case CURLE_COULDNT_CONNECT:
      return Error(ErrorKind::network, "could not connect to " + where + " for " + url.redacted() + ": " + detail)
          .with_hint("is the server running and reachable from this machine?");
    case CURLE_OPERATION_TIMEDOUT:
      return Error(ErrorKind::timeout, "request to " + url.redacted() + " timed out: " + detail)
          .with_hint("the idle timeout is " + std::to_string(options_.idle_timeout.count()) +
                     " s; raise it with UV_HTTP_TIMEOUT=<seconds> on slow networks");
    default:
      return Error(ErrorKind::network, "request to " + url.redacted() + " failed: " + detail);
  }
}

Response Transfer::take_response() {
  if (!destination_decided_) decide_destination();  // empty bodies never reach on_body
  Response response;
  response.status = status_;
  response.url = request_.url;
  response.headers = std::move(response_headers_);
  response.body = std::move(memory_body_);
  response.body_size = body_size_;
  if (request_.hash_body) response.sha256 = hasher_.hex_digest();
  long version = 0;
  curl_easy_getinfo(easy_, CURLINFO_HTTP_VERSION, &version);
  response.http_version = version == CURL_HTTP_VERSION_2_0 ? "2" : version == CURL_HTTP_VERSION_3 ? "3" : "1.1";
  return response;
}

Status Transfer::commit() {
  if (!request_.output_file || !body_to_caller_) return {};
  if (!file_) {  // an empty body: still an (empty) file
    part_path_ = part_path_for(*request_.output_file);
    file_ = std::fopen(part_path_.c_str(), "wb");
    if (!file_) return Error(ErrorKind::io, "cannot write " + part_path_.string() + ": " + std::strerror(errno));
  }
  const bool flushed = std::fflush(file_) == 0;
  std::fclose(file_);
  file_ = nullptr;
  std::error_code ec;
  if (flushed) std::filesystem::rename(part_path_, *request_.output_file, ec);
  if (!flushed || ec) {
    std::filesystem::remove(part_path_, ec);
    part_path_.clear();
    return Error(ErrorKind::io, "cannot write " + request_.output_file->string() + ": " +
                                    (flushed ? ec.message() : std::string(std::strerror(errno))));
  }
  part_path_.clear();
  return {};
}

void Transfer::discard() {
  if (file_) {
    std::fclose(file_);
    file_ = nullptr;
  }
  if (!part_path_.empty()) {
    std::error_code ec;
    std::filesystem::remove(part_path_, ec);
    part_path_.clear();
  }
}

}  // namespace uvauth::net::detail
