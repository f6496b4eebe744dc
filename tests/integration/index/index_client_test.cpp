// The index client against the fixture's index of real wheels, served as
// HTML, as JSON, without .metadata files, and without range support: all
// give the same answers, and the access log shows how METADATA was read.
#include "uvauth/index/index_client.hpp"

#include <gtest/gtest.h>

#include "uvauth/config/locations.hpp"

#include <algorithm>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "uvauth/auth/middleware.hpp"

namespace uvauth::index {
namespace {

using testing::LogEntry;
using testing::NginxFixture;
using testing::TempHome;
using testing::unique_path_tag;

using testing::fx;

struct Env {
  TempHome home;
  cache::CacheDir dir{home.path() / "cache"};
  cache::HttpCache cache{dir};
  net::Client client;
  Env() : client(options()) {}
  static net::ClientOptions options() {
    net::ClientOptions o;
    o.retries = 0;
    return o;
  }
};

// What an index says about beta, flattened for comparison across forms.
std::string describe(IndexClient& index, const Url& index_url) {
  auto page = index.project_page(index_url, "Beta");
  EXPECT_TRUE(page.ok()) << (page ? "" : page.error().message);
  if (!page) return "";
  std::string out;
  for (const auto& file : page->page.files) {
    auto metadata = index.metadata(file, index_url.without_userinfo());
    EXPECT_TRUE(metadata.ok()) << (metadata ? "" : metadata.error().message);
    out += file.filename + " sha256=" + file.sha256().value_or("?") + " rp=" + file.requires_python.value_or("-");
    if (metadata) {
      out += " name=" + metadata->name + " version=" + metadata->version.to_string() + " deps=";
      for (const auto& r : metadata->requires_dist) out += r.to_string() + ";";
    }
    out += "\n";
  }
  return out;
}

std::size_t count_if(const std::vector<LogEntry>& log, const std::function<bool(const LogEntry&)>& f) {
  return static_cast<std::size_t>(std::count_if(log.begin(), log.end(), f));
}

TEST(IndexClientTest, AllFormsGiveTheSameAnswers) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  const std::string expected = describe(index, *Url::parse(fx().http("/public/index-html/simple/")));
  ASSERT_NE(expected.find("beta-2.0-py3-none-any.whl sha256=" + fx().wheel_sha256.at("beta-2.0-py3-none-any.whl") +
                          " rp=>=3.9 name=beta version=2.0 deps=gamma<2;"),
            std::string::npos)
      << expected;
  for (const char* form : {"/public/index-json/simple/", "/public/index-nometa/simple/", "/norange/index-nometa/simple/"}) {
    Env other;
    IndexClient other_index(other.client, other.cache, false);
    EXPECT_EQ(describe(other_index, *Url::parse(fx().http(form))), expected) << form;
  }
}

TEST(IndexClientTest, JsonIsAskedForFirstAndUsedByContentType) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  auto page = index.project_page(*Url::parse(fx().http("/public/index-json/simple/")), "gamma");
  ASSERT_TRUE(page.ok()) << page.error().message;
  EXPECT_EQ(page->page.name, "gamma") << "only the JSON form carries the name";
}

TEST(IndexClientTest, MetadataComesFromTheMetadataFileWhenOffered) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  auto page = index.project_page(*Url::parse(fx().http("/public/index-html/simple/")), "gamma");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->page.files.size(), 1U);
  auto metadata = index.metadata(page->page.files[0], fx().http("/public/index-html/simple/"));
  ASSERT_TRUE(metadata.ok()) << metadata.error().message;
  EXPECT_EQ(index.stats().metadata_files, 1);
  EXPECT_EQ(index.stats().full_downloads, 0);
  EXPECT_EQ(index.stats().range_reads, 0);
}

TEST(IndexClientTest, WithoutMetadataFilesRangeRequestsReadOnlyWhatIsNeeded) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  auto page = index.project_page(*Url::parse(fx().http("/public/index-nometa/simple/")), "alpha");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->page.files.size(), 1U);
  const auto& file = page->page.files[0];
  auto metadata = index.metadata(file, fx().http("/public/index-nometa/simple/"));
  ASSERT_TRUE(metadata.ok()) << metadata.error().message;
  EXPECT_EQ(metadata->requires_dist.size(), 2U);
  EXPECT_EQ(index.stats().range_reads, 1);
  EXPECT_EQ(index.stats().full_downloads, 0);
  const auto log = fx().requests("/public/files-nometa/alpha-1.0-py3-none-any.whl");
  ASSERT_FALSE(log.empty());
  for (const auto& e : log) {
    EXPECT_FALSE(e.range.empty()) << "a whole-wheel download happened";
    EXPECT_EQ(e.status, "206");
  }
}

TEST(IndexClientTest, AServerWithoutRangesIsRememberedForTheRun) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  auto page = index.project_page(*Url::parse(fx().http("/norange/index-nometa/simple/")), "delta");
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->page.files.size(), 2U);
  for (const auto& file : page->page.files) {
    auto metadata = index.metadata(file, fx().http("/norange/index-nometa/simple/"));
    ASSERT_TRUE(metadata.ok()) << metadata.error().message;
  }
  EXPECT_EQ(index.stats().full_downloads, 2);
  // The first wheel was asked with a range (and answered whole); the second was not asked with one.
  const auto second = fx().requests("/norange/files-nometa/" + page->page.files[1].filename);
  ASSERT_EQ(second.size(), 1U);
  EXPECT_TRUE(second[0].range.empty());
}

TEST(IndexClientTest, CachedPagesAreRevalidatedWithIfNoneMatch) {
  Env env;
  const Url index_url = *Url::parse(fx().http("/public/index-json/simple/"));
  {
    IndexClient index(env.client, env.cache, false);
    ASSERT_TRUE(index.project_page(index_url, "epsilon").ok());
  }
  IndexClient again(env.client, env.cache, false);
  again.refresh(false, {"epsilon"});  // the page is still fresh (10 minutes): --refresh-package asks anyway
  auto page = again.project_page(index_url, "epsilon");
  ASSERT_TRUE(page.ok());
  EXPECT_TRUE(page->from_cache);
  EXPECT_EQ(again.stats().pages_revalidated, 1);
  const auto log = fx().requests("/public/index-json/simple/epsilon/");
  ASSERT_GE(log.size(), 2U);
  EXPECT_FALSE(log.back().if_none_match.empty());
  EXPECT_EQ(log.back().status, "304");
}

// As uv: a page with Last-Modified and no Cache-Control (nginx serving
// files) is fresh for 10 minutes, PyPI's max-age; --refresh and
// --refresh-package revalidate it anyway, other projects' pages stay fresh.
TEST(IndexClientTest, APageWithLastModifiedIsFreshForTenMinutesAsInUv) {
  Env env;
  const std::string path = "/tagged/" + unique_path_tag("fresh") + "/public/index-html/simple/";
  const Url index_url = *Url::parse(fx().http(path));
  {
    IndexClient index(env.client, env.cache, false);
    ASSERT_TRUE(index.project_page(index_url, "epsilon").ok());
    ASSERT_TRUE(index.project_page(index_url, "delta").ok());
  }
  const auto before = fx().requests(path, 2).size();
  ASSERT_EQ(before, 2U);
  {
    IndexClient again(env.client, env.cache, false);
    auto page = again.project_page(index_url, "epsilon");
    ASSERT_TRUE(page.ok());
    EXPECT_TRUE(page->from_cache);
    EXPECT_EQ(again.stats().pages_revalidated, 0);
    EXPECT_EQ(fx().requests(path, before).size(), before) << "a fresh page is not asked for";
  }
  IndexClient refreshed(env.client, env.cache, false);
  refreshed.refresh(false, {"epsilon"});
  ASSERT_TRUE(refreshed.project_page(index_url, "epsilon").ok());
  ASSERT_TRUE(refreshed.project_page(index_url, "delta").ok());
  EXPECT_EQ(refreshed.stats().pages_revalidated, 1);
  const auto log = fx().requests(path, before + 1);
  ASSERT_EQ(log.size(), before + 1) << "only the refreshed project's page";
  EXPECT_NE(log.back().uri.find("/epsilon/"), std::string::npos);
  EXPECT_EQ(log.back().status, "304");
  IndexClient all(env.client, env.cache, false);
  all.refresh(true, {});
  ASSERT_TRUE(all.project_page(index_url, "delta").ok());
  EXPECT_EQ(all.stats().pages_revalidated, 1);
}

// uv's `[[tool.uv.index]] cache-control = { api = ... }`: the index's pages
// are taken to carry that Cache-Control. `max-age=0` revalidates every time,
// also a page cached earlier under the 10-minute heuristic; a long max-age
// keeps a page fresh whatever the server said. The same index however its
// URL is spelled (a trailing slash less).
TEST(IndexClientTest, AnIndexCacheControlOverrideDecidesFreshness) {
  Env env;
  const std::string path = "/tagged/" + unique_path_tag("cc") + "/public/index-html/simple/";
  const Url index_url = *Url::parse(fx().http(path));
  {
    IndexClient index(env.client, env.cache, false);
    ASSERT_TRUE(index.project_page(index_url, "epsilon").ok());  // fresh for 10 minutes, by the heuristic
  }
  {
    IndexClient stale(env.client, env.cache, false);
    stale.override_page_cache_control(*Url::parse(fx().http(path.substr(0, path.size() - 1))), "max-age=0");
    ASSERT_TRUE(stale.project_page(index_url, "epsilon").ok());
    ASSERT_TRUE(stale.project_page(index_url, "epsilon").ok());
    EXPECT_EQ(stale.stats().pages_revalidated, 2) << "held to max-age=0: asked every time";
  }
  EXPECT_EQ(fx().requests(path, 3).size(), 3U);
  {
    IndexClient kept(env.client, env.cache, false);
    kept.override_page_cache_control(index_url, "public, max-age=3600");
    ASSERT_TRUE(kept.project_page(index_url, "epsilon").ok());  // stale (stored under max-age=0): revalidated, now an hour
    ASSERT_TRUE(kept.project_page(index_url, "epsilon").ok());  // fresh
    EXPECT_EQ(kept.stats().pages_revalidated, 1);
  }
  EXPECT_EQ(fx().requests(path, 4).size(), 4U);
}

TEST(IndexClientTest, OfflineUsesTheCacheAndSaysWhatIsMissing) {
  Env env;
  const Url index_url = *Url::parse(fx().http("/public/index-html/simple/"));
  {
    IndexClient online(env.client, env.cache, false);
    ASSERT_TRUE(online.project_page(index_url, "gamma").ok());
  }
  IndexClient offline(env.client, env.cache, true);
  auto cached = offline.project_page(index_url, "gamma");
  ASSERT_TRUE(cached.ok());
  EXPECT_TRUE(cached->from_cache);
  auto missing = offline.project_page(index_url, "alpha");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("offline: no cached page for " + fx().http("/public/index-html/simple/alpha/")),
            std::string::npos);
}

TEST(IndexClientTest, MissingProjectIsNotFoundAndAuthFailureNamesTheIndex) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  auto none = index.project_page(*Url::parse(fx().http("/public/index-html/simple/")), "no-such-project");
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->status, PageResult::Status::not_found);
  auto refused = index.project_page(*Url::parse(fx().http("/private/index-html/simple/")), "alpha");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::auth);
  EXPECT_NE(refused.error().message.find("index " + fx().http("/private/index-html/simple/") + " wants credentials"), std::string::npos)
      << refused.error().message;
}

TEST(IndexClientTest, PrivateIndexWithNetrcAuthenticatesPagesMetadataAndRanges) {
  Env env;
  env.home.write_netrc("machine 127.0.0.1 login alice password " + fx().password("alice") + "\n");
  auth::AuthSettings settings;
  settings.netrc_file = env.home.path() / ".netrc";
  auth::IndexSet indexes;
  const std::string index_url = fx().http("/private/index-nometa/simple/");
  ASSERT_TRUE(indexes.add("corp", *Url::parse(index_url), auth::AuthPolicy::always, config::index_variables(config::Environment{}, "corp")).ok());
  env.client.set_middleware(std::make_shared<auth::AuthMiddleware>(settings, std::move(indexes)));
  IndexClient index(env.client, env.cache, false);
  auto page = index.project_page(*Url::parse(index_url), "gamma");
  ASSERT_TRUE(page.ok()) << page.error().message;
  auto metadata = index.metadata(page->page.files.at(0), index_url);
  ASSERT_TRUE(metadata.ok()) << metadata.error().message;
  // uv #1405: the range requests for metadata carry credentials too.
  const auto log = fx().requests("/private/files-nometa/gamma-1.5-py3-none-any.whl");
  ASSERT_FALSE(log.empty());
  for (const auto& e : log) {
    EXPECT_EQ(e.user, "alice");
    EXPECT_NE(e.status, "401");
  }
  EXPECT_EQ(count_if(fx().requests("/private/index-nometa/simple/gamma/"), [](const LogEntry& e) { return e.status == "401"; }), 0U);
}

TEST(IndexClientTest, HashMismatchOfAMetadataFileIsAnIntegrityError) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  auto page = index.project_page(*Url::parse(fx().http("/public/index-html/simple/")), "gamma");
  ASSERT_TRUE(page.ok());
  DistributionFile file = page->page.files.at(0);
  file.core_metadata_hashes["sha256"] = std::string(64, '0');
  auto metadata = index.metadata(file, fx().http("/public/index-html/simple/"));
  ASSERT_FALSE(metadata.ok());
  EXPECT_EQ(metadata.error().kind, ErrorKind::integrity);
  EXPECT_NE(metadata.error().message.find("expected sha256 0000"), std::string::npos);
}

}  // namespace
}  // namespace uvauth::index

namespace uvauth::index {
namespace {

TEST(FindLinksTest, ADirectoryListingPageAndALocalDirectory) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  auto page = index.find_links(fx().http("/flat/"));
  ASSERT_TRUE(page.ok()) << page.error().message;
  std::vector<std::string> names;
  for (const auto& f : page->files) names.push_back(f.filename);
  EXPECT_NE(std::find(names.begin(), names.end(), "alpha-1.0-py3-none-any.whl"), names.end());
  auto local = index.find_links(fx().data_dir + "/files-nometa");
  ASSERT_TRUE(local.ok()) << local.error().message;
  EXPECT_EQ(local->files.size(), page->files.size());
  EXPECT_EQ(local->files.front().url.scheme(), "file");
  auto missing = index.find_links("/nonexistent/wheels");
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("--find-links /nonexistent/wheels"), std::string::npos);
}

TEST(IndexClientTest, ManyPagesAndMetadataAtOnce) {
  Env env;
  IndexClient index(env.client, env.cache, false);
  const Url index_url = *Url::parse(fx().http("/public/index-nometa/simple/"));
  auto pages = index.project_pages(index_url, {"alpha", "beta", "gamma", "delta", "epsilon", "missing"});
  ASSERT_EQ(pages.size(), 6U);
  std::vector<DistributionFile> files;
  for (std::size_t i = 0; i < 5; ++i) {
    ASSERT_TRUE(pages[i].ok()) << pages[i].error().message;
    for (const auto& f : pages[i]->page.files) files.push_back(f);
  }
  ASSERT_TRUE(pages[5].ok());
  EXPECT_EQ(pages[5]->status, PageResult::Status::not_found);
  auto metadata = index.metadata_many(files, index_url.without_userinfo());
  ASSERT_EQ(metadata.size(), files.size());
  for (std::size_t i = 0; i < files.size(); ++i) {
    ASSERT_TRUE(metadata[i].ok()) << metadata[i].error().message;
    EXPECT_EQ(metadata[i]->version.to_string() + "-py3-none-any.whl",
              files[i].filename.substr(files[i].filename.find('-') + 1));
  }
}

}  // namespace
}  // namespace uvauth::index
