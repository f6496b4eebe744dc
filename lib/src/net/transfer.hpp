// One attempt of one hop: a libcurl easy handle, its callbacks, and what they
// collected. Internal to the net layer.
#pragma once

#include <curl/curl.h>

#include <cstdio>
#include <filesystem>
#include <string>

#include "uvauth/error.hpp"
#include "uvauth/net/client.hpp"
#include "uvauth/net/http.hpp"
#include "uvauth/sha256.hpp"

namespace uvauth::net::detail {

class Transfer {
 public:
  // Configures an easy handle for `request`; `request` must outlive the transfer.
  static Result<std::unique_ptr<Transfer>> create(const Request& request, const ClientOptions& options);
  ~Transfer();
  Transfer(const Transfer&) = delete;
  Transfer& operator=(const Transfer&) = delete;

  [[nodiscard]] CURL* handle() const { return easy_; }

  // After libcurl reports the transfer done with `code`:
  [[nodiscard]] bool is_transient(CURLcode code) const;
  [[nodiscard]] Error error_for(CURLcode code) const;
  [[nodiscard]] long status() const { return status_; }
  [[nodiscard]] long new_connections() const;
  // The response as received. For a 2xx with an output file, the file is
  // still beside its destination until commit().
  Response take_response();
  // Moves a completed output file into place.
  Status commit();
  // Forgets the body (removes a partial output file).
  void discard();

 private:
  Transfer(const Request& request, const ClientOptions& options);
  static size_t header_callback(char* data, size_t size, size_t count, void* self);
  static size_t write_callback(char* data, size_t size, size_t count, void* self);
  size_t on_header(std::string_view line);
  size_t on_body(std::string_view chunk);
  void decide_destination();

  const Request& request_;
  const ClientOptions& options_;
  CURL* easy_ = nullptr;
  curl_slist* header_list_ = nullptr;
  char error_buffer_[CURL_ERROR_SIZE] = {};

  long status_ = 0;
  Headers response_headers_;
  bool destination_decided_ = false;
  bool body_to_caller_ = false;  // 2xx: file or callback or memory; else capped memory
  std::string memory_body_;
  Sha256 hasher_;
  std::uint64_t body_size_ = 0;
  std::FILE* file_ = nullptr;
  std::filesystem::path part_path_;
  std::string abort_reason_;  // set when a callback stops the transfer
  ErrorKind abort_kind_ = ErrorKind::io;
};

// TLS settings of one handle for one URL.
void apply_tls_options(CURL* easy, const Url& url, const ClientOptions& options);
[[nodiscard]] bool is_insecure_host(const Url& url, const std::vector<std::string>& insecure_hosts);
// The error for a failed TLS handshake or verification with `url`.
[[nodiscard]] Error tls_error(CURLcode code, const Url& url, std::string_view detail, const ClientOptions& options);
[[nodiscard]] bool is_tls_error(CURLcode code);

}  // namespace uvauth::net::detail
