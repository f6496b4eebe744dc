// The PubGrub resolver over in-memory indexes: the scenarios of the PubGrub
// documentation and the ones the issue names, with the explanation text.
#include "uvauth/resolve/resolver.hpp"

#include <gtest/gtest.h>

#include "uvauth/pep/names.hpp"
#include "uvauth/resolve/version_set.hpp"

namespace uvauth::resolve {
namespace {

using pep::Requirement;
using pep::Version;

// name -> version -> requirements
class MemoryIndex : public Provider {
 public:
  MemoryIndex& add(const std::string& name, const std::string& version, std::vector<std::string> requirements = {}) {
    auto& deps = packages_[pep::canonicalize_name(name)][Version::from(version).to_string()];
    for (const auto& r : requirements) deps.push_back(*Requirement::parse(r));
    return *this;
  }
  Result<std::vector<Version>> versions(const std::string& name) override {
    ++version_calls[name];
    std::vector<Version> out;
    for (const auto& [v, deps] : packages_[name]) out.push_back(Version::from(v));
    std::sort(out.begin(), out.end());
    return out;
  }
  Result<std::vector<Requirement>> requirements(const std::string& name, const Version& version) override {
    ++requirement_calls;
    return packages_[name][version.to_string()];
  }
  std::map<std::string, int> version_calls;
  int requirement_calls = 0;

 private:
  std::map<std::string, std::map<std::string, std::vector<Requirement>>> packages_;
};

ResolveOptions wants(std::vector<std::string> requirements) {
  ResolveOptions options;
  options.environment = {{"python_version", "3.11"}, {"python_full_version", "3.11.7"}, {"sys_platform", "linux"},
                         {"os_name", "posix"}, {"platform_machine", "x86_64"}, {"platform_system", "Linux"},
                         {"implementation_name", "cpython"}, {"platform_python_implementation", "CPython"},
                         {"implementation_version", "3.11.7"}, {"platform_release", ""}, {"platform_version", ""}};
  for (const auto& r : requirements) options.requirements.push_back(*Requirement::parse(r));
  return options;
}

std::string pins(const Result<Resolution>& result) {
  if (!result) return "error: " + result.error().message;
  std::string out;
  for (const auto& p : result->packages) {
    out += (out.empty() ? "" : " ") + p.name + "==" + p.version.to_string();
    for (const auto& e : p.extras) out += "[" + e + "]";
  }
  return out;
}

TEST(VersionSetTest, AlgebraAndDescription) {
  const std::vector<Version> v{Version::from("1.0"), Version::from("1.1"), Version::from("2.0"), Version::from("3.0")};
  VersionSet high = VersionSet::none(4);
  high.insert(2);
  high.insert(3);
  EXPECT_EQ(high.describe(v), ">=2.0");
  EXPECT_EQ(high.complement().describe(v), "<2.0");
  EXPECT_EQ(VersionSet::only(4, 1).describe(v), "==1.1");
  VersionSet middle = VersionSet::none(4);
  middle.insert(1);
  middle.insert(2);
  EXPECT_EQ(middle.describe(v), ">=1.1,<3.0");
  EXPECT_EQ(middle.complement().describe(v), "==1.0 | ==3.0");
  EXPECT_TRUE(VersionSet::only(4, 2).subset_of(high));
  EXPECT_TRUE(high.intersect(high.complement()).empty());
  EXPECT_EQ(*high.highest(), 3U);
  VersionSet big = VersionSet::all(130);
  EXPECT_EQ(big.count(), 130U);
  EXPECT_EQ(*big.highest(), 129U);
  EXPECT_TRUE(big.complement().empty());
}

TEST(ResolverTest, SimpleChainTakesTheNewestVersions) {
  MemoryIndex index;
  index.add("a", "1.0", {"b>=1"}).add("a", "2.0", {"b>=2"}).add("b", "1.0").add("b", "2.0", {"c"}).add("b", "2.1", {"c<2"});
  index.add("c", "1.0").add("c", "2.0");
  EXPECT_EQ(pins(resolve(index, wants({"a"}))), "a==2.0 b==2.1 c==1.0");
}

// PubGrub docs: "no conflicts".
TEST(ResolverTest, NoConflicts) {
  MemoryIndex index;
  index.add("foo", "1.0.0", {"bar>=1.0.0,<2.0.0"}).add("bar", "1.0.0").add("bar", "2.0.0");
  EXPECT_EQ(pins(resolve(index, wants({"foo>=1.0.0,<2.0.0"}))), "bar==1.0.0 foo==1.0.0");
}

// PubGrub docs: "avoiding conflict during decision making".
TEST(ResolverTest, AvoidsAConflictWhileDeciding) {
  MemoryIndex index;
  index.add("foo", "1.0.0").add("foo", "1.1.0", {"bar>=2.0.0,<3.0.0"});
  index.add("bar", "1.0.0").add("bar", "1.1.0").add("bar", "2.0.0");
  EXPECT_EQ(pins(resolve(index, wants({"foo>=1.0.0,<2.0.0", "bar>=1.0.0,<2.0.0"}))), "bar==1.1.0 foo==1.0.0");
}

// PubGrub docs: "performing conflict resolution".
TEST(ResolverTest, BacktracksThroughAConflict) {
  MemoryIndex index;
  index.add("foo", "1.0.0").add("foo", "2.0.0", {"bar>=1.0.0,<2.0.0"});
  index.add("bar", "1.0.0", {"foo>=1.0.0,<2.0.0"});
  EXPECT_EQ(pins(resolve(index, wants({"foo>=1.0.0"}))), "foo==1.0.0");
}

// PubGrub docs: "conflict resolution with a partial satisfier".
TEST(ResolverTest, ConflictWithAPartialSatisfier) {
  MemoryIndex index;
  index.add("foo", "1.0.0").add("foo", "1.1.0", {"left>=1.0.0,<2.0.0", "right>=1.0.0,<2.0.0"});
  index.add("left", "1.0.0", {"shared>=1.0.0"}).add("right", "1.0.0", {"shared<2.0.0"});
  index.add("shared", "1.0.0", {"target>=1.0.0,<2.0.0"}).add("shared", "2.0.0");
  index.add("target", "1.0.0").add("target", "2.0.0", {"foo>=1.0.0,<2.0.0"});
  EXPECT_EQ(pins(resolve(index, wants({"foo>=1.0.0,<2.0.0", "target>=2.0.0,<3.0.0"}))), "foo==1.0.0 target==2.0.0");
}

// The diamond that needs backtracking: the newest a wants a c that the newest b cannot take.
TEST(ResolverTest, DiamondConflictNeedsBacktracking) {
  MemoryIndex index;
  index.add("a", "1.0", {"c==1.0"}).add("a", "2.0", {"c==2.0"});
  index.add("b", "1.0", {"c==1.0"}).add("b", "2.0", {"c==1.0"});
  index.add("c", "1.0").add("c", "2.0");
  EXPECT_EQ(pins(resolve(index, wants({"a", "b"}))), "a==1.0 b==2.0 c==1.0");
}

TEST(ResolverTest, ExtrasAreTheirOwnPackages) {
  MemoryIndex index;
  index.add("app", "1.0", {"http[socks]>=2"});
  index.add("http", "2.0", {"idna", "pysocks>=1.5; extra == 'socks'", "brotli; extra == 'speed'"});
  index.add("idna", "3.0").add("pysocks", "1.7").add("brotli", "1.1");
  EXPECT_EQ(pins(resolve(index, wants({"app"}))), "app==1.0 http==2.0[socks] idna==3.0 pysocks==1.7");
}

TEST(ResolverTest, MarkersOnBothSides) {
  MemoryIndex index;
  index.add("tool", "1.0", {"winlib; sys_platform == 'win32'", "posixlib; os_name == 'posix'",
                            "old; python_version < '3.8'"});
  index.add("winlib", "1.0").add("posixlib", "1.0").add("old", "1.0");
  EXPECT_EQ(pins(resolve(index, wants({"tool", "never; python_version < '3'"}))), "posixlib==1.0 tool==1.0");
}

TEST(ResolverTest, ConstraintsLimitButAddNothing) {
  MemoryIndex index;
  index.add("a", "1.0", {"b"}).add("b", "1.0").add("b", "2.0").add("unused", "1.0");
  auto options = wants({"a"});
  options.constraints = {*Requirement::parse("b<2"), *Requirement::parse("unused==1.0")};
  EXPECT_EQ(pins(resolve(index, options)), "a==1.0 b==1.0");
  EXPECT_EQ(index.version_calls.count("unused"), 0U) << "a constraint alone fetches nothing";
}

TEST(ResolverTest, PreferencesKeepExistingPins) {
  MemoryIndex index;
  index.add("a", "1.0").add("a", "1.1").add("a", "2.0");
  auto options = wants({"a<2"});
  options.preferences["a"] = Version::from("1.0");
  EXPECT_EQ(pins(resolve(index, options)), "a==1.0");
  options.preferences["a"] = Version::from("2.0");  // no longer allowed: the best allowed is taken
  EXPECT_EQ(pins(resolve(index, options)), "a==1.1");
}

TEST(ResolverTest, ExplainsAMissingVersionInPlainWords) {
  MemoryIndex index;
  index.add("a", "1.0", {"b>=2"}).add("b", "1.0");
  auto result = resolve(index, wants({"a==1.0"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::resolution);
  EXPECT_EQ(result.error().message,
            "Because you require a==1.0 and a==1.0 depends on b>=2 and only b==1.0 is available, "
            "the requirements are unsatisfiable.");
}

TEST(ResolverTest, ExplainsADirectRequirementNothingMatches) {
  MemoryIndex index;
  index.add("b", "1.0").add("b", "2.0");
  auto result = resolve(index, wants({"b<1"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "Because you require b<1 and only b==1.0 and b==2.0 are available, the requirements are unsatisfiable.");
}

// PubGrub docs: "linear error reporting".
TEST(ResolverTest, ExplainsALinearConflict) {
  MemoryIndex index;
  index.add("foo", "1.0.0", {"bar>=2.0.0,<3.0.0"});
  index.add("bar", "2.0.0", {"baz>=3.0.0,<4.0.0"});
  index.add("baz", "1.0.0").add("baz", "3.0.0");
  auto result = resolve(index, wants({"foo>=1.0.0,<2.0.0", "baz>=1.0.0,<2.0.0"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "Because foo==1.0.0 depends on bar<3.0.0,>=2.0.0 and bar==2.0.0 depends on baz<4.0.0,>=3.0.0, foo depends on baz==3.0.0.\n"
            "And because you require foo<2.0.0,>=1.0.0, you require baz==3.0.0.\n"
            "And because you require baz<2.0.0,>=1.0.0, the requirements are unsatisfiable.")
      << result.error().message;
}

// The generated unsatisfiable graph's pattern (bench/hard_graphs.py): every
// version of `ua` needs an old `w`, every version of `ub` a new one. Versions
// with the same requirement are one fact, so the explanation says each once
// (not a step per version), and deciding `w` rules out all of them at once.
TEST(ResolverTest, VersionsWithTheSameRequirementAreOneFact) {
  MemoryIndex index;
  for (int v = 0; v < 20; ++v) {
    index.add("ua", "1." + std::to_string(v), {"w<1.1"});
    index.add("ub", "1." + std::to_string(v), {"w>=1.5"});
    index.add("w", "1." + std::to_string(v));
  }
  auto result = resolve(index, wants({"ua", "ub"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().message,
            "Because ua depends on w<1.1 and ub depends on w>=1.5, ua and ub are incompatible.\n"
            "And because you require ua, ub and the requirements are incompatible.\n"
            "And because you require ub, the requirements are unsatisfiable.")
      << result.error().message;
  // Only some versions share it: the fact names the range it covers.
  MemoryIndex partly;
  for (int v = 0; v < 4; ++v) partly.add("a", "1." + std::to_string(v), {v < 3 ? "c<1" : "c>=5"});
  partly.add("c", "0.5").add("c", "1.0");
  auto ranged = resolve(partly, wants({"a", "c>=1"}));
  ASSERT_FALSE(ranged.ok());
  EXPECT_NE(ranged.error().message.find("a<1.3 depends on c<1"), std::string::npos) << ranged.error().message;
  EXPECT_NE(ranged.error().message.find("a==1.3 depends on c>=5"), std::string::npos) << ranged.error().message;
}

TEST(ResolverTest, UnavailableVersionsAreSkippedWithTheirReason) {
  class Broken : public MemoryIndex {
   public:
    Result<std::vector<Requirement>> requirements(const std::string& name, const Version& version) override {
      if (name == "a" && version == Version::from("2.0")) return Error(ErrorKind::parse, "METADATA is broken");
      return MemoryIndex::requirements(name, version);
    }
  } index;
  index.add("a", "1.0").add("a", "2.0");
  EXPECT_EQ(pins(resolve(index, wants({"a"}))), "a==1.0");
  auto only_broken = resolve(index, wants({"a==2.0"}));
  ASSERT_FALSE(only_broken.ok());
  EXPECT_NE(only_broken.error().message.find("a==2.0 cannot be used: METADATA is broken"), std::string::npos)
      << only_broken.error().message;
}

TEST(ResolverTest, ProviderFailuresStopTheResolution) {
  class Refusing : public MemoryIndex {
   public:
    Result<std::vector<Version>> versions(const std::string&) override {
      return Error(ErrorKind::auth, "the index https://corp/simple/ answered HTTP 401");
    }
  } index;
  auto result = resolve(index, wants({"a"}));
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.error().kind, ErrorKind::auth);
}

TEST(ResolverTest, LargeGraphsStayFast) {
  MemoryIndex index;
  // 60 packages, 20 versions each, each depending on the next with a range.
  for (int p = 0; p < 60; ++p) {
    for (int v = 0; v < 20; ++v) {
      std::vector<std::string> deps;
      if (p + 1 < 60) deps.push_back("p" + std::to_string(p + 1) + ">=" + std::to_string(v / 2) + ".0");
      index.add("p" + std::to_string(p), std::to_string(v) + ".0", deps);
    }
  }
  auto result = resolve(index, wants({"p0"}));
  ASSERT_TRUE(result.ok()) << result.error().message;
  EXPECT_EQ(result->packages.size(), 60U);
  EXPECT_LE(index.requirement_calls, 60) << "each chosen version's metadata read once";
}

}  // namespace
}  // namespace uvauth::resolve

namespace uvauth::resolve {
namespace {

// Universal resolution: a fork whose requirements differ under disjoint
// markers reports the split; each part then resolves on its own.
TEST(UniversalResolverTest, DisjointMarkersSplitTheForkAndEachPartResolves) {
  MemoryIndex index;
  index.add("a", "1.0.0").add("a", "2.0.0");
  ResolveOptions options = wants({"a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'"});
  options.fork = *pep::MarkerTree::requires_python(">=3.12");
  auto first = resolve(index, options);
  ASSERT_TRUE(first) << first.error().message;
  ASSERT_GE(first->split.size(), 2u);
  std::vector<std::string> solved;
  for (const auto& part : first->split) {
    ResolveOptions o = options;
    o.fork = part;
    auto r = resolve(index, o);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_TRUE(r->split.empty());
    solved.push_back(part.to_string() + " -> " + pins(r));
  }
  std::sort(solved.begin(), solved.end());
  EXPECT_EQ(solved.size(), 3u);
  EXPECT_NE(std::find(solved.begin(), solved.end(), "python_full_version >= \"3.12\" and sys_platform == \"linux\" -> a==2.0.0"),
            solved.end()) << solved[0] << " | " << solved[1];
}

// One universal resolution of two requirements on `a` (1.0.0 and 2.0.0 exist).
Resolution universal_of(const std::string& first, const std::string& second) {
  MemoryIndex index;
  index.add("a", "1.0.0").add("a", "2.0.0");
  ResolveOptions options = wants({first, second});
  options.fork = pep::MarkerTree::always();
  auto r = resolve(index, options);
  EXPECT_TRUE(r) << r.error().message;
  return r ? std::move(r).value() : Resolution{};
}

TEST(UniversalResolverTest, DifferentMarkersForkAsUvForks) {
  // As uv: one name under markers that are not all the same splits the fork
  // on each marker (packse fork-overlapping-markers-*).
  EXPECT_EQ(universal_of("a>=1 ; sys_platform == 'linux'", "a<2 ; python_version >= '3.8'").split.size(), 4u);
}

TEST(UniversalResolverTest, SameMarkersDoNotFork) {
  const auto r = universal_of("a>=1 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'linux'");
  EXPECT_TRUE(r.split.empty());
  ASSERT_EQ(r.packages.size(), 1u);
  EXPECT_EQ(r.packages[0].version.to_string(), "1.0.0");
}

TEST(UniversalResolverTest, BoundedPartIsSolvedFirst) {
  // uv's fork order: the part whose requirements have upper bounds first
  // (packse fork-allows-non-conflicting-non-overlapping-dependencies).
  const auto r = universal_of("a>=1 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'");
  ASSERT_EQ(r.split.size(), 3u);
  EXPECT_EQ(r.split.front().to_string(), "sys_platform == \"darwin\"");
}

TEST(ResolverTest, AnOftenRejectedPackageIsDecidedFirst) {
  // packse wrong-backtracking-basic: b's newer versions all want a==1; after
  // five rejections a is decided later and b first (uv's conflict priorities).
  MemoryIndex index;
  index.add("a", "1.0.0").add("a", "2.0.0").add("too-old", "1.0.0").add("b", "1.0.0", {"too-old"});
  for (int patch = 0; patch <= 9; ++patch) index.add("b", "2.0." + std::to_string(patch), {"a==1.0.0"});
  auto r = resolve(index, wants({"a", "b"}));
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(pins(r), "a==1.0.0 b==2.0.9");
}

}  // namespace
}  // namespace uvauth::resolve
