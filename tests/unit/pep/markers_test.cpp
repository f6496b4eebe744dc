// PEP 503 names and PEP 508 markers and requirements against pypa/packaging's
// published vectors (tests/data/pep508).
#include <gtest/gtest.h>

#include "test_data.hpp"
#include "uvauth/pep/markers.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/requirement.hpp"

namespace uvauth::pep {
namespace {

using testing::read_table;

std::map<std::string, MarkerEnvironment> environments() {
  std::map<std::string, MarkerEnvironment> envs;
  for (const auto& row : read_table("pep508/environments.tsv")) envs[row[0]][row[1]] = row[2];
  return envs;
}

TEST(NameConformanceTest, CanonicalNamesAndValidity) {
  const auto rows = read_table("pep508/names.tsv");
  ASSERT_GE(rows.size(), 50U);
  for (const auto& row : rows) {
    EXPECT_EQ(canonicalize_name(row[0]), row[2]) << row[0];
    EXPECT_EQ(is_valid_name(row[0]), row[1] == "1") << row[0];
  }
}

TEST(MarkerConformanceTest, ParseNormaliseAndEvaluate) {
  const auto rows = read_table("pep508/markers.tsv");
  const auto envs = environments();
  ASSERT_GE(rows.size(), 200U);
  const char* env_names[] = {"linux-cp311", "win-cp38", "mac-pypy310"};
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 8U);
    SCOPED_TRACE(row[0]);
    auto marker = Marker::parse(row[0]);
    ASSERT_TRUE(marker.ok()) << marker.error().message;
    EXPECT_EQ(marker->to_string(), row[1]);
    for (int e = 0; e < 3; ++e) {
      for (int x = 0; x < 2; ++x) {
        MarkerContext context;
        context.extra = x == 0 ? "" : "test";
        auto value = marker->evaluate(envs.at(env_names[e]), context);
        const std::string& expected = row[static_cast<std::size_t>(2 + e * 2 + x)];
        const std::string got = value ? (*value ? "1" : "0") : "undefined";
        EXPECT_EQ(got, expected) << env_names[e] << " extra=" << context.extra
                                 << (value ? "" : " error: " + value.error().message);
      }
    }
  }
}

TEST(MarkerConformanceTest, InvalidMarkersAreRejected) {
  const auto rows = read_table("pep508/invalid_markers.txt");
  ASSERT_GE(rows.size(), 100U);
  for (const auto& row : rows) {
    auto marker = Marker::parse(row[0]);
    EXPECT_FALSE(marker.ok()) << "'" << row[0] << "' parsed as " << (marker ? marker->to_string() : "");
  }
}

TEST(RequirementConformanceTest, ParseAndFormat) {
  const auto rows = read_table("pep508/requirements.tsv");
  ASSERT_GE(rows.size(), 60U);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 8U);
    SCOPED_TRACE(row[0]);
    auto r = Requirement::parse(row[0]);
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->name, row[1]);
    EXPECT_EQ(r->canonical_name(), row[2]);
    std::vector<std::string> extras = r->extras;
    std::sort(extras.begin(), extras.end());
    extras.erase(std::unique(extras.begin(), extras.end()), extras.end());
    std::string joined;
    for (const auto& e : extras) joined += (joined.empty() ? "" : ",") + e;
    EXPECT_EQ(joined.empty() ? "-" : joined, row[3]);
    EXPECT_EQ(r->specifier.empty() ? "-" : r->specifier.to_string(), row[4]);
    EXPECT_EQ(r->url.value_or("-"), row[5]);
    EXPECT_EQ(r->marker ? r->marker->to_string() : "-", row[6]);
    EXPECT_EQ(r->to_string(), row[7]);
  }
}

TEST(RequirementConformanceTest, InvalidRequirementsAreRejected) {
  const auto rows = read_table("pep508/invalid_requirements.txt");
  ASSERT_GE(rows.size(), 60U);
  for (const auto& row : rows) {
    auto r = Requirement::parse(row[0]);
    EXPECT_FALSE(r.ok()) << "'" << row[0] << "' parsed as " << (r ? r->to_string() : "");
    if (!r) {
      EXPECT_NE(r.error().message.find("invalid requirement"), std::string::npos);
    }
  }
}

TEST(RequirementTest, MarkersWithSemicolonsAndExtras) {
  auto r = Requirement::parse("pyyaml[Extra_One, extra2] >=5 ; sys_platform == 'linux' and extra == 'Test'");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->to_string(), "pyyaml[Extra_One,extra2]>=5; sys_platform == \"linux\" and extra == \"test\"");
  MarkerEnvironment linux{{"sys_platform", "linux"}};
  EXPECT_TRUE(*r->marker->evaluate(linux, MarkerContext{"TEST", std::nullopt, std::nullopt}));
  EXPECT_FALSE(*r->marker->evaluate(linux, MarkerContext{"other", std::nullopt, std::nullopt}));
}

TEST(MarkerTest, MissingVariablesAreErrorsNotFalse) {
  auto m = Marker::parse("python_version >= '3.8'");
  ASSERT_TRUE(m.ok());
  auto value = m->evaluate(MarkerEnvironment{});
  ASSERT_FALSE(value.ok());
  EXPECT_NE(value.error().message.find("python_version"), std::string::npos);
}

TEST(MarkerTest, SetValuedExtrasAndGroups) {
  auto m = Marker::parse("'Foo_Bar' in extras or 'dev' in dependency_groups");
  ASSERT_TRUE(m.ok()) << m.error().message;
  EXPECT_EQ(m->to_string(), "\"foo-bar\" in extras or \"dev\" in dependency_groups");
  using Set = std::set<std::string>;
  EXPECT_TRUE(*m->evaluate({}, MarkerContext{"", Set{"foo-bar"}, Set{}}));
  EXPECT_TRUE(*m->evaluate({}, MarkerContext{"", Set{}, Set{"dev"}}));
  EXPECT_FALSE(*m->evaluate({}, MarkerContext{"", Set{}, Set{}}));
  EXPECT_FALSE(m->evaluate({}, MarkerContext{}).ok()) << "undefined outside a lock file";
}

}  // namespace
}  // namespace uvauth::pep
