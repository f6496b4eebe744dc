// PEP 440 specifiers against pypa/packaging's published vectors (tests/data/pep440).
#include "uvauth/pep/specifiers.hpp"

#include <gtest/gtest.h>

#include "test_data.hpp"

namespace uvauth::pep {
namespace {

using testing::read_table;
using testing::split;

TEST(SpecifierConformanceTest, ValidSpecifiersParse) {
  const auto rows = read_table("pep440/specifiers.tsv");
  ASSERT_GE(rows.size(), 200U);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 5U);
    SCOPED_TRACE(row[0]);
    auto spec = Specifier::parse(row[0]);
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    EXPECT_EQ(spec->to_string(), row[1]);
    EXPECT_EQ(to_string(spec->op()), row[2]);
    EXPECT_EQ(spec->version_text(), row[3]);
    EXPECT_EQ(spec->names_prerelease(), row[4] == "1");
  }
}

TEST(SpecifierConformanceTest, InvalidSpecifiersAreRejected) {
  const auto rows = read_table("pep440/invalid_specifiers.txt");
  ASSERT_GE(rows.size(), 200U);
  for (const auto& row : rows) {
    auto spec = Specifier::parse(row[0]);
    EXPECT_FALSE(spec.ok()) << "'" << row[0] << "' parsed";
  }
}

TEST(SpecifierConformanceTest, ContainsMatchesPackaging) {
  const auto rows = read_table("pep440/specifier_contains.tsv");
  ASSERT_GE(rows.size(), 300U);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 4U);
    SCOPED_TRACE(row[0] + " contains " + row[1]);
    auto spec = Specifier::parse(row[0]);
    ASSERT_TRUE(spec.ok()) << spec.error().message;
    SpecifierSet set;
    set.add(*spec);
    EXPECT_EQ(set.contains_text(row[1]), row[2] == "1") << "default pre-release rule";
    EXPECT_EQ(set.contains_text(row[1], true), row[3] == "1") << "pre-releases allowed";
    if (spec->op() != Operator::arbitrary) {
      EXPECT_EQ(set.contains(Version::from(row[1])), row[2] == "1");
    }
  }
}

TEST(SpecifierConformanceTest, SetsFilterWithThePreReleaseRule) {
  const auto rows = read_table("pep440/specifier_set_filter.tsv");
  ASSERT_GE(rows.size(), 400U);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 4U);
    SCOPED_TRACE(row[0] + " [" + row[1] + "] over " + row[2]);
    auto set = SpecifierSet::parse(row[0] == "(empty)" ? "" : row[0]);
    ASSERT_TRUE(set.ok()) << set.error().message;
    std::vector<Version> candidates;
    for (const auto& text : split(row[2], ',')) candidates.push_back(Version::from(text));
    std::optional<bool> prereleases;
    if (row[1] == "true") prereleases = true;
    if (row[1] == "false") prereleases = false;
    std::string got;
    for (const auto& v : set->filter(candidates, prereleases)) got += (got.empty() ? "" : ",") + v.to_string();
    EXPECT_EQ(got.empty() ? "(none)" : got, row[3]);
  }
}

TEST(SpecifierTest, ErrorsSayWhatIsWrong) {
  const std::pair<const char*, const char*> cases[] = {
      {">=1.0+local", "local versions (+...) are only allowed with == and !="},
      {"~=1", "~= needs at least two release numbers"},
      {">=1.*", "a .* wildcard is only allowed with == and !="},
      {"==1.0a1.*", "a .* wildcard must follow the release numbers directly"},
      {"1.0", "expected an operator"},
      {">=", "missing version"},
  };
  for (const auto& [text, fragment] : cases) {
    auto spec = Specifier::parse(text);
    ASSERT_FALSE(spec.ok()) << text;
    EXPECT_NE(spec.error().message.find(fragment), std::string::npos) << spec.error().message;
  }
}

TEST(SpecifierSetTest, CanonicalStringIsSorted) {
  auto set = SpecifierSet::parse(" <2 , >=1.0,,!=1.5 ");
  ASSERT_TRUE(set.ok());
  EXPECT_EQ(set->to_string(), "!=1.5,<2,>=1.0");
}

}  // namespace
}  // namespace uvauth::pep
