// Index pages kept between runs: the body with its validators (ETag,
// Last-Modified) and freshness, as uv reckons it (freshness_seconds). Keyed by the URL
// without credentials; written atomically, so concurrent runs never see a
// half entry.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/net/http.hpp"
#include "uvauth/url.hpp"

namespace uvauth::cache {

struct CachedResponse {
  std::string url;  // without userinfo
  std::string content_type;
  std::string etag;
  std::string last_modified;
  std::int64_t fresh_until = 0;  // seconds since the epoch; 0 = must revalidate
  std::string body;

  [[nodiscard]] bool fresh(std::chrono::system_clock::time_point now) const;
};

class HttpCache {
 public:
  explicit HttpCache(const CacheDir& dir) : dir_(dir.bucket(Bucket::simple_pages)) {}

  [[nodiscard]] bool enabled() const { return dir_.has_value(); }
  [[nodiscard]] std::optional<CachedResponse> load(const Url& url) const;
  // Remembers a 200 response (unless it says no-store).
  void store(const Url& url, const net::Response& response) const;
  // A 304 answer: keep the body, take the new freshness.
  void refresh(const Url& url, CachedResponse entry, const net::Response& not_modified) const;
  // Adds If-None-Match / If-Modified-Since for a cached entry.
  static void add_validators(net::Request& request, const CachedResponse& entry);

 private:
  [[nodiscard]] std::filesystem::path path_for(const Url& url) const;
  std::optional<std::filesystem::path> dir_;
};

// Immutable things kept by their own sha256 (wheel METADATA): a hit is
// checked against the key, so a damaged entry is a miss, never a wrong answer.
class ContentCache {
 public:
  ContentCache(const CacheDir& dir, Bucket bucket) : dir_(dir.bucket(bucket)) {}
  [[nodiscard]] std::optional<std::string> load(const std::string& sha256) const;
  void store(const std::string& sha256, std::string_view content) const;

 private:
  std::optional<std::filesystem::path> dir_;
};

// How long a response stays fresh from now, as uv's cache reckons it
// (RFC 9111 4.2.1 with uv's heuristic): Cache-Control `no-cache`: 0;
// `max-age`; else `Expires` less `Date` (an unreadable Expires: 0); else,
// with a `Last-Modified`, 10 minutes (PyPI's max-age, which uv assumes
// rather than RFC's 10% of the age); else 0. Less the `Age` header.
[[nodiscard]] std::int64_t freshness_seconds(const net::Response& response);

}  // namespace uvauth::cache
