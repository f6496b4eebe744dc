// Fetching ahead (IndexProvider's workers): pages and metadata of what the
// resolver will probably need are fetched side by side, transitively, but
// never twice, never for a requirement that does not apply to the target,
// and for the version the resolver will probably pick (the requirement's
// newest, or the previous lock's), so no request goes to a project the
// resolution does not reach through those versions.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "nginx_fixture.hpp"
#include "uvauth/cache/http_cache.hpp"
#include "uvauth/index/index_client.hpp"
#include "uvauth/net/client.hpp"
#include "uvauth/pep/target.hpp"
#include "uvauth/resolve/index_provider.hpp"
#include "temp_home.hpp"
#include "tool_runner.hpp"

namespace uvauth {
namespace {

namespace fs = std::filesystem;
using testing::LogEntry;
using testing::run_tool;
using testing::ToolRun;

using testing::fx;

struct Case {
  testing::TempHome home;
  std::string tag = testing::unique_path_tag("ahead");
  std::string index() const { return fx().http("/tagged/" + tag + "/public/index-html/simple/"); }
  fs::path lock() const { return home.path() / "pylock.toml"; }
  ToolRun run(std::vector<std::string> args, const std::string& cache, const std::string& python = "3.11") const {
    std::vector<std::string> full{"lock", "-o", lock().string(), "--no-config", "--cache-dir", (home.path() / cache).string(),
                                  "--python-version", python, "--index-url", index()};
    full.insert(full.end(), args.begin(), args.end());
    return run_tool(full, home.env());
  }
  std::vector<LogEntry> requests(std::size_t at_least) const { return fx().requests("/tagged/" + tag + "/", at_least); }
  // How often each URI was answered, and whether any names `project`'s page.
  static std::map<std::string, int> counts(const std::vector<LogEntry>& log) {
    std::map<std::string, int> out;
    for (const auto& e : log) ++out[e.uri];
    return out;
  }
  static bool asked_page(const std::vector<LogEntry>& log, const std::string& project) {
    return std::any_of(log.begin(), log.end(), [&](const LogEntry& e) { return e.uri.find("/simple/" + project + "/") != std::string::npos; });
  }
};

TEST(FetchAheadTest, EveryPageAndMetadataFileIsAskedOnce) {
  Case c;
  auto run = c.run({"alpha[fast]", "dia-a", "dia-b"}, "cache");
  ASSERT_EQ(run.exit_code, 0) << run.err;
  // alpha, beta, gamma, dia-a, dia-b, dia-c: a page and at least one metadata file each.
  const auto log = c.requests(12);
  for (const auto& [uri, n] : Case::counts(log)) EXPECT_EQ(n, 1) << uri << " was asked " << n << " times";
  for (const char* project : {"alpha", "beta", "gamma", "dia-a", "dia-b", "dia-c"}) EXPECT_TRUE(Case::asked_page(log, project)) << project;
}

// The provider itself, settled after a hint: exactly what was fetched ahead.
struct Ahead {
  Case c;
  cache::CacheDir dir{c.home.path() / "cache"};
  cache::HttpCache http_cache{dir};
  net::Client client{[] {
    net::ClientOptions o;
    o.retries = 0;
    return o;
  }()};
  index::IndexClient index{client, http_cache, false};
  resolve::ProviderOptions options(const std::string& python) const {
    resolve::ProviderOptions o;
    o.indexes.push_back(resolve::IndexDescriptor{"", *Url::parse(c.index()), false});
    o.target = *pep::cross_target(python, "");
    return o;
  }
  // The projects whose pages were asked, and the metadata files, in order of name.
  std::string fetched(std::size_t at_least) const {
    std::set<std::string> out;
    for (const auto& e : c.requests(at_least)) {
      const auto simple = e.uri.find("/simple/");
      if (simple != std::string::npos) out.insert(e.uri.substr(simple + 8, e.uri.find('/', simple + 8) - simple - 8));
      if (e.uri.ends_with(".metadata")) out.insert(e.uri.substr(e.uri.rfind('/') + 1, e.uri.find("-py") - e.uri.rfind('/') - 1));
    }
    std::string text;
    for (const auto& s : out) text += (text.empty() ? "" : " ") + s;
    return text;
  }
};

std::vector<pep::Requirement> requirements(std::initializer_list<const char*> texts) {
  std::vector<pep::Requirement> out;
  for (const char* t : texts) out.push_back(*pep::Requirement::parse(t));
  return out;
}

// alpha 1.0 needs `beta>=1.0` and `gamma; extra == 'fast'`; beta 2.0 (Requires-
// Python >=3.9) needs gamma<2; beta 1.0 needs nothing.
TEST(FetchAheadTest, PagesAndMetadataOfTheLikelyVersionsTransitively) {
  Ahead a;
  resolve::IndexProvider provider(a.index, a.options("3.11"));
  provider.prefetch(requirements({"alpha"}));
  provider.settle();
  EXPECT_EQ(a.fetched(6), "alpha alpha-1.0 beta beta-2.0 gamma gamma-1.5") << "the extra's gamma is not why gamma is here: beta 2.0's is";
}

TEST(FetchAheadTest, NothingForVersionsTheRequirementConstraintsOrTargetRuleOut) {
  {
    Ahead a;  // the requirement holds beta below 2.0
    resolve::IndexProvider provider(a.index, a.options("3.11"));
    provider.prefetch(requirements({"alpha", "beta<2"}));
    provider.settle();
    EXPECT_EQ(a.fetched(4), "alpha alpha-1.0 beta beta-1.0");
  }
  {
    Ahead a;  // a constraint (-c) holds beta below 2.0
    auto options = a.options("3.11");
    options.constraints = requirements({"beta<2"});
    resolve::IndexProvider provider(a.index, options);
    provider.prefetch(requirements({"alpha"}));
    provider.settle();
    EXPECT_EQ(a.fetched(4), "alpha alpha-1.0 beta beta-1.0");
  }
  {
    Ahead a;  // Python 3.8: beta 2.0 is no candidate
    resolve::IndexProvider provider(a.index, a.options("3.8"));
    provider.prefetch(requirements({"alpha"}));
    provider.settle();
    EXPECT_EQ(a.fetched(4), "alpha alpha-1.0 beta beta-1.0");
  }
  {
    Ahead a;  // the previous lock's beta 1.0 is the one the resolver will keep
    auto options = a.options("3.11");
    options.preferences["beta"] = pep::Version::from("1.0");
    resolve::IndexProvider provider(a.index, options);
    provider.prefetch(requirements({"alpha"}));
    provider.settle();
    EXPECT_EQ(a.fetched(4), "alpha alpha-1.0 beta beta-1.0");
  }
}

TEST(FetchAheadTest, TheResolverWaitsForAFetchUnderWayInsteadOfRepeatingIt) {
  Ahead a;
  resolve::IndexProvider provider(a.index, a.options("3.11"));
  provider.prefetch(requirements({"alpha", "beta", "gamma"}));
  // Asked at once, while the workers are on the same pages.
  for (const char* name : {"gamma", "beta", "alpha"}) {
    auto versions = provider.versions(name);
    ASSERT_TRUE(versions.ok()) << versions.error().message;
    ASSERT_TRUE(provider.requirements(name, versions->back()).ok());
  }
  provider.settle();
  const auto log = a.c.requests(6);
  for (const auto& [uri, n] : Case::counts(log)) EXPECT_EQ(n, 1) << uri << " was asked " << n << " times";
}

// `uvauth lock` fetches the first index's pages of the named projects while
// the interpreter is asked about itself: the answers are taken, not asked
// again, errors included (a server that is down is not retried twice over).
TEST(FetchAheadTest, WarmedPagesAreTakenOnceErrorsIncluded) {
  Ahead a;
  const Url index = *Url::parse(a.c.index());
  a.index.warm_pages(index, {"alpha", "no-such-project"});
  auto alpha = a.index.project_page(index, "alpha");
  ASSERT_TRUE(alpha.ok()) << alpha.error().message;
  EXPECT_EQ(alpha->page.files.size(), 1U);
  auto missing = a.index.project_page(index, "no-such-project");
  ASSERT_TRUE(missing.ok());
  EXPECT_EQ(missing->status, index::PageResult::Status::not_found);
  const auto log = a.c.requests(2);
  for (const auto& [uri, n] : Case::counts(log)) EXPECT_EQ(n, 1) << uri;

  const Url private_index = *Url::parse(fx().http("/tagged/" + a.c.tag + "/private/index-html/simple/"));
  a.index.warm_pages(private_index, {"beta"});  // no credentials here: 401
  auto refused = a.index.project_page(private_index, "beta");
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.error().kind, ErrorKind::auth) << refused.error().message;
  std::size_t asked = 0;
  for (const auto& e : a.c.requests(4)) asked += e.uri.find("/private/index-html/simple/beta/") != std::string::npos ? 1 : 0;
  EXPECT_EQ(asked, 1U) << "the warmed 401 is the answer: a server that refuses or is down is not asked twice over";
}

// While the interpreter is asked (lock_command), a warmed page also brings
// the metadata of its likely version's wheel when that cannot depend on the
// target (a single pure-Python wheel). The resolver's own ask waits for that
// fetch or reads the cache, never asks again; a version the guess rules out
// (the requirements, constraints or Requires-Python) is not fetched.
TEST(FetchAheadTest, WarmedPagesBringTheMetadataOfTheirOnePureWheel) {
  Ahead a;
  cache::ContentCache metadata_cache{a.dir, cache::Bucket::metadata};
  index::IndexClient index{a.client, a.http_cache, false, &metadata_cache};
  const Url url = *Url::parse(a.c.index());
  const std::string linked_by = url.with_userinfo_removed().without_userinfo();
  index.warm_pages(url, {"alpha", "beta", "dia-a"},
                   [](const std::string& project, const pep::Version& version, const std::optional<std::string>&) {
                     return !(project == "beta" && version == *pep::Version::parse("2.0"));  // say, `beta<2`
                   });
  for (const char* project : {"alpha", "beta", "dia-a"}) {
    auto page = index.project_page(url, project);
    ASSERT_TRUE(page.ok()) << page.error().message;
    const auto& files = page->page.files;
    auto newest = std::max_element(files.begin(), files.end(), [](const auto& x, const auto& y) { return x.filename < y.filename; });
    if (std::string(project) == "beta") newest = files.begin();  // beta 1.0, as the guess was told
    auto metadata = index.metadata(*newest, linked_by);
    ASSERT_TRUE(metadata.ok()) << metadata.error().message;
  }
  EXPECT_EQ(index.stats().metadata_cached, 3) << "each answered from what was fetched ahead";
  EXPECT_EQ(index.stats().metadata_files, 3);
  const auto log = a.c.requests(6);
  for (const auto& [uri, n] : Case::counts(log)) EXPECT_EQ(n, 1) << uri << " was asked " << n << " times";
  EXPECT_EQ(a.fetched(6), "alpha alpha-1.0 beta beta-1.0 dia-a dia_a-2.0");
  // No metadata cache, no guess: only the pages.
  Ahead b;
  b.index.warm_pages(*Url::parse(b.c.index()), {"gamma"}, [](const auto&, const auto&, const auto&) { return true; });
  ASSERT_TRUE(b.index.project_page(*Url::parse(b.c.index()), "gamma").ok());
  EXPECT_EQ(b.fetched(1), "gamma");
}

}  // namespace
}  // namespace uvauth
