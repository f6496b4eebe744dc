// PEP 440 versions against pypa/packaging's published vectors (tests/data/pep440).
#include "uvauth/pep/version.hpp"

#include <gtest/gtest.h>

#include "test_data.hpp"

namespace uvauth::pep {
namespace {

using testing::read_table;

TEST(VersionConformanceTest, PackagingOrderingListIsAscending) {
  const auto rows = read_table("pep440/versions_sorted.txt");
  ASSERT_GE(rows.size(), 90U);
  std::vector<Version> versions;
  for (const auto& row : rows) {
    auto v = Version::parse(row[0]);
    ASSERT_TRUE(v.ok()) << v.error().message;
    versions.push_back(*v);
  }
  for (std::size_t i = 0; i < versions.size(); ++i) {
    for (std::size_t j = 0; j < versions.size(); ++j) {
      const auto expected = i <=> j;
      EXPECT_EQ(versions[i] <=> versions[j], expected) << rows[i][0] << " vs " << rows[j][0];
    }
  }
}

TEST(VersionConformanceTest, ValidVersionsNormaliseAndExposeTheirParts) {
  const auto rows = read_table("pep440/versions.tsv");
  ASSERT_GE(rows.size(), 300U);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 10U);
    SCOPED_TRACE(row[0]);
    auto v = Version::parse(row[0]);
    ASSERT_TRUE(v.ok()) << v.error().message;
    EXPECT_EQ(v->to_string(), row[1]);
    EXPECT_EQ(v->public_version().to_string(), row[2]);
    EXPECT_EQ(v->base_version().to_string(), row[3]);
    EXPECT_EQ(std::to_string(v->epoch()), row[4]);
    std::string release;
    for (auto n : v->release()) release += (release.empty() ? "" : ".") + std::to_string(n);
    EXPECT_EQ(release, row[5]);
    EXPECT_EQ(v->is_prerelease(), row[6] == "1");
    EXPECT_EQ(v->is_postrelease(), row[7] == "1");
    EXPECT_EQ(v->is_devrelease(), row[8] == "1");
    EXPECT_EQ(v->has_local() ? v->local_string() : "-", row[9]);
    auto again = Version::parse(v->to_string());
    ASSERT_TRUE(again.ok());
    EXPECT_EQ(*again, *v) << "normal form parses to an equal version";
  }
}

TEST(VersionConformanceTest, InvalidVersionsAreRejected) {
  const auto rows = read_table("pep440/invalid_versions.txt");
  ASSERT_GE(rows.size(), 60U);
  for (const auto& row : rows) {
    auto v = Version::parse(row[0]);
    EXPECT_FALSE(v.ok()) << "'" << row[0] << "' parsed as " << (v ? v->to_string() : "");
    if (!v) {
      EXPECT_NE(v.error().message.find("invalid version"), std::string::npos);
    }
  }
}

TEST(VersionTest, OverflowingNumbersAreErrorsNotCrashes) {
  auto v = Version::parse("1.99999999999999999999999999");
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.error().message.find("too large"), std::string::npos);
}

TEST(VersionTest, TrailingZerosAreEqual) {
  EXPECT_EQ(Version::from("1.0"), Version::from("1.0.0.0"));
  EXPECT_EQ(Version::from("1.0").to_string(), "1.0");
  EXPECT_LT(Version::from("1.0.dev0"), Version::from("1.0a0"));
  EXPECT_LT(Version::from("1.0+abc"), Version::from("1.0+5"));
}

}  // namespace
}  // namespace uvauth::pep
