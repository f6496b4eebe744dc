#include "uvauth/cache/http_cache.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>

#include "uvauth/fs.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::cache {
namespace {

constexpr std::filesystem::perms fs_default_perms() {
  return std::filesystem::perms::owner_read | std::filesystem::perms::owner_write;
}

std::int64_t now_seconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

// Entry file: one JSON header line, then the body bytes.
std::string serialize(const CachedResponse& e) {
  nlohmann::json header{{"url", e.url}, {"content_type", e.content_type}, {"etag", e.etag},
                        {"last_modified", e.last_modified}, {"fresh_until", e.fresh_until}, {"size", e.body.size()}};
  return header.dump() + "\n" + e.body;
}

}  // namespace

bool CachedResponse::fresh(std::chrono::system_clock::time_point now) const {
  return fresh_until > std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
}


namespace {

std::optional<std::int64_t> directive_seconds(std::string_view lower, std::string_view name) {
  std::size_t at = 0;
  while ((at = lower.find(name, at)) != std::string_view::npos) {
    // A whole directive: at the start or after a comma/space (so `s-maxage` is not `max-age`).
    const bool starts = at == 0 || lower[at - 1] == ',' || lower[at - 1] == ' ' || lower[at - 1] == '\t';
    const std::size_t value = at + name.size();
    at = value;
    if (!starts || value >= lower.size() || lower[value] != '=') continue;
    std::int64_t seconds = 0;
    std::size_t i = value + 1;
    if (i < lower.size() && lower[i] == '"') ++i;
    const std::size_t digits = i;
    for (; i < lower.size() && std::isdigit(static_cast<unsigned char>(lower[i])); ++i) {
      seconds = std::min<std::int64_t>(seconds * 10 + (lower[i] - '0'), 365LL * 24 * 3600);
    }
    if (i == digits) return std::int64_t{0};  // `max-age=` with no number: stale
    return seconds;
  }
  return std::nullopt;
}

bool has_directive(std::string_view lower, std::string_view name) {
  std::size_t at = 0;
  while ((at = lower.find(name, at)) != std::string_view::npos) {
    const bool starts = at == 0 || lower[at - 1] == ',' || lower[at - 1] == ' ' || lower[at - 1] == '\t';
    const std::size_t end = at + name.size();
    const bool ends = end == lower.size() || lower[end] == ',' || lower[end] == ' ' || lower[end] == '=' || lower[end] == '\t';
    if (starts && ends) return true;
    at = end;
  }
  return false;
}

}  // namespace

std::int64_t freshness_seconds(const net::Response& response) {
  const std::string cache_control = to_lower_ascii(response.header("cache-control").value_or(""));
  if (has_directive(cache_control, "no-cache") || has_directive(cache_control, "no-store")) return 0;
  std::int64_t age = 0;
  if (auto header = response.header("age")) {
    for (char c : *header) {
      if (!std::isdigit(static_cast<unsigned char>(c))) break;
      age = std::min<std::int64_t>(age * 10 + (c - '0'), 365LL * 24 * 3600);
    }
  }
  std::int64_t lifetime = 0;
  if (auto max_age = directive_seconds(cache_control, "max-age")) {
    lifetime = *max_age;
  } else if (auto expires = response.header("expires")) {
    const auto until = net::parse_http_date(*expires);
    const auto date = net::parse_http_date(response.header("date").value_or(""));
    lifetime = until ? *until - date.value_or(now_seconds()) : 0;
  } else if (response.header("last-modified")) {
    lifetime = 600;
  }
  return std::clamp<std::int64_t>(lifetime - age, 0, 365LL * 24 * 3600);  // a far Expires is a year
}

std::filesystem::path HttpCache::path_for(const Url& url) const {
  return *dir_ / (Sha256::hex_of(url.with_userinfo_removed().without_userinfo()) + ".entry");
}

std::optional<CachedResponse> HttpCache::load(const Url& url) const {
  if (!dir_) return std::nullopt;
  auto text = read_file(path_for(url));
  if (!text) return std::nullopt;
  const auto newline = text->find('\n');
  if (newline == std::string::npos) return std::nullopt;
  const auto header = nlohmann::json::parse(text->substr(0, newline), nullptr, false);
  if (header.is_discarded() || !header.is_object()) return std::nullopt;  // a damaged entry is a miss
  CachedResponse entry;
  try {  // a damaged entry is a miss, whatever is wrong with it
    entry.url = header.value("url", "");
    if (entry.url != url.with_userinfo_removed().without_userinfo()) return std::nullopt;
    entry.content_type = header.value("content_type", "");
    entry.etag = header.value("etag", "");
    entry.last_modified = header.value("last_modified", "");
    entry.fresh_until = header.value("fresh_until", std::int64_t{0});
    // Entries are written without fsync: one cut short by a crash is a miss.
    // (Entries from before carry no size; they were flushed.)
    if (header.contains("size") && header.value("size", std::uint64_t{0}) != text->size() - newline - 1) return std::nullopt;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  entry.body = text->substr(newline + 1);
  return entry;
}

void HttpCache::store(const Url& url, const net::Response& response) const {
  if (!dir_) return;
  if (has_directive(to_lower_ascii(response.header("cache-control").value_or("")), "no-store")) return;
  CachedResponse entry;
  entry.url = url.with_userinfo_removed().without_userinfo();
  entry.content_type = std::string(response.header("content-type").value_or(""));
  entry.etag = std::string(response.header("etag").value_or(""));
  entry.last_modified = std::string(response.header("last-modified").value_or(""));
  const auto lifetime = freshness_seconds(response);
  entry.fresh_until = lifetime > 0 ? now_seconds() + lifetime : 0;
  entry.body = response.body;
  // A cache that cannot be written is no cache.
  (void)write_file_atomically(path_for(url), serialize(entry), fs_default_perms(), Durability::cache);
}

void HttpCache::refresh(const Url& url, CachedResponse entry, const net::Response& not_modified) const {
  if (!dir_) return;
  // The 304 carries the headers that decide freshness now (RFC 9111 4.3.4);
  // the stored Last-Modified stands in when it does not repeat it.
  net::Response merged = not_modified;
  if (!merged.header("last-modified") && !entry.last_modified.empty()) merged.headers.emplace_back("last-modified", entry.last_modified);
  const auto lifetime = freshness_seconds(merged);
  entry.fresh_until = lifetime > 0 ? now_seconds() + lifetime : 0;
  if (auto etag = not_modified.header("etag")) entry.etag = std::string(*etag);
  (void)write_file_atomically(path_for(url), serialize(entry), fs_default_perms(), Durability::cache);
}

std::optional<std::string> ContentCache::load(const std::string& sha256) const {
  const auto digest = Sha256Digest::parse(sha256);
  if (!dir_ || !digest) return std::nullopt;
  auto text = read_file(digest_path(*dir_, *digest, Fanout::two_digits));
  if (!text || Sha256::hex_of(*text) != digest->hex()) return std::nullopt;
  return std::move(text).value();
}

void ContentCache::store(const std::string& sha256, std::string_view content) const {
  const auto digest = Sha256Digest::parse(sha256);
  if (!dir_ || !digest || Sha256::hex_of(content) != digest->hex()) return;
  (void)write_file_atomically(digest_path(*dir_, *digest, Fanout::two_digits), content, fs_default_perms(), Durability::cache);
}

void HttpCache::add_validators(net::Request& request, const CachedResponse& entry) {
  if (!entry.etag.empty()) request.headers.emplace_back("If-None-Match", entry.etag);
  if (!entry.last_modified.empty()) request.headers.emplace_back("If-Modified-Since", entry.last_modified);
}

}  // namespace uvauth::cache
