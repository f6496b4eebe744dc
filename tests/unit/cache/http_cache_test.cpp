#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/cache/http_cache.hpp"
#include "uvauth/net/http.hpp"

namespace uvauth::cache {
namespace {
namespace fs = std::filesystem;

// Cache entries are written without fsync (Durability::cache): one cut short
// by a crash must be a miss, never a page with versions missing.
TEST(HttpCacheTest, AnEntryCutShortIsAMiss) {
  const fs::path root = fs::temp_directory_path() / ("uvauth-http-cache-test-" + std::to_string(::getpid()));
  fs::remove_all(root);
  CacheDir dir(root);
  HttpCache cache(dir);
  auto url = Url::parse("https://index.example/simple/pkg/");
  ASSERT_TRUE(url);
  net::Response response;
  response.status = 200;
  response.headers = {{"content-type", "text/html"}, {"cache-control", "max-age=600"}};
  response.body = "<a href='pkg-1.0.tar.gz'>pkg-1.0.tar.gz</a>\n<a href='pkg-2.0.tar.gz'>pkg-2.0.tar.gz</a>\n";
  cache.store(*url, response);
  auto loaded = cache.load(*url);
  ASSERT_TRUE(loaded);
  EXPECT_EQ(loaded->body, response.body);

  fs::path entry;
  for (const auto& file : fs::recursive_directory_iterator(root)) {
    if (file.path().extension() == ".entry") entry = file.path();
  }
  ASSERT_FALSE(entry.empty());
  const auto size = fs::file_size(entry);
  fs::resize_file(entry, size - 20);  // the end of the body lost
  EXPECT_FALSE(cache.load(*url));
  fs::resize_file(entry, 0);  // nothing of it written
  EXPECT_FALSE(cache.load(*url));
  fs::remove_all(root);
}

// uv's freshness: max-age (less Age), else Expires less Date, else ten
// minutes with a Last-Modified, else none; no-cache and no-store never fresh.
TEST(HttpCacheTest, FreshnessIsReckonedAsUvReckonsIt) {
  auto with = [](net::Headers headers) {
    net::Response r;
    r.status = 200;
    r.headers = std::move(headers);
    return freshness_seconds(r);
  };
  const std::string lm = "Mon, 07 Dec 2026 11:08:35 GMT";
  EXPECT_EQ(with({{"cache-control", "max-age=600"}}), 600);
  EXPECT_EQ(with({{"Cache-Control", "public, max-age=30"}, {"age", "10"}}), 20);
  EXPECT_EQ(with({{"cache-control", "max-age=0"}, {"last-modified", lm}}), 0) << "max-age wins over the heuristic";
  EXPECT_EQ(with({{"cache-control", "no-cache, max-age=600"}}), 0);
  EXPECT_EQ(with({{"cache-control", "no-store"}, {"last-modified", lm}}), 0);
  EXPECT_EQ(with({{"cache-control", "s-maxage=600"}}), 0) << "s-maxage is for shared caches";
  EXPECT_EQ(with({{"cache-control", "s-maxage=600"}, {"last-modified", lm}}), 600);
  EXPECT_EQ(with({{"last-modified", lm}}), 600) << "uv's ten minutes, not 10% of the age";
  EXPECT_EQ(with({{"last-modified", lm}, {"age", "100"}}), 500);
  EXPECT_EQ(with({{"last-modified", lm}, {"age", "100000"}}), 0);
  EXPECT_EQ(with({{"date", "Mon, 07 Dec 2026 12:00:00 GMT"}, {"expires", "Mon, 07 Dec 2026 13:00:00 GMT"}}), 3600);
  EXPECT_EQ(with({{"date", "Mon, 07 Dec 2026 12:00:00 GMT"}, {"expires", "0"}, {"last-modified", lm}}), 0)
      << "an unreadable Expires is already expired, the heuristic does not apply";
  EXPECT_EQ(with({{"date", "Mon, 07 Dec 2026 12:00:00 GMT"}, {"expires", "Mon, 07 Dec 2026 11:00:00 GMT"}}), 0);
  EXPECT_EQ(with({{"etag", "\"x\""}}), 0) << "no indicator: revalidate every time";
  EXPECT_EQ(with({{"cache-control", "max-age=99999999999999999999"}}), 365LL * 24 * 3600) << "bounded";
}

}  // namespace
}  // namespace uvauth::cache
