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

}  // namespace
}  // namespace uvauth::cache
