// Tags and wheel file names against values computed with pypa/packaging
// for explicit cross targets (tests/data/tags).
#include <gtest/gtest.h>

#include <algorithm>

#include "test_data.hpp"
#include "uvauth/pep/tags.hpp"
#include "uvauth/pep/wheel_filename.hpp"

namespace uvauth::pep {
namespace {

using testing::read_table;

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : ",") + i;
  return out;
}

TEST(TagConformanceTest, PlatformsOfCrossTargets) {
  const auto rows = read_table("tags/platforms.tsv");
  ASSERT_GE(rows.size(), 10U);
  for (const auto& row : rows) {
    auto platforms = compatible_platforms(row[0]);
    ASSERT_TRUE(platforms.ok()) << platforms.error().message;
    EXPECT_EQ(join(*platforms), row[1]) << row[0];
  }
}

TEST(TagConformanceTest, CPythonTagsInPriorityOrder) {
  const auto rows = read_table("tags/cpython_tags.tsv");
  ASSERT_GE(rows.size(), 10U);
  for (const auto& row : rows) {
    TargetInterpreter target;
    const auto dot = row[0].find('.');
    target.major = std::stoi(row[0].substr(0, dot));
    target.minor = std::stoi(row[0].substr(dot + 1));
    target.platforms = *compatible_platforms(row[1]);
    std::vector<std::string> got;
    for (const auto& tag : compatible_tags(target)) got.push_back(tag.to_string());
    EXPECT_EQ(join(got), row[2]) << row[0] << " " << row[1];
  }
}

TEST(TagTest, UnknownPlatformIsAUsageErrorWithAHint) {
  auto platforms = compatible_platforms("amiga_68k");
  ASSERT_FALSE(platforms.ok());
  EXPECT_NE(platforms.error().to_string().find("manylinux_2_28_x86_64"), std::string::npos);
}

// Found by fuzzing: a target such as macosx_10_322401699_x86_64 made billions of tags.
TEST(TagTest, AbsurdPlatformVersionsAreRefusedNotEnumerated) {
  for (const char* text : {"macosx_10_322401699_x86_64", "macosx_2147483647_0_arm64", "manylinux_2_99999999_x86_64",
                           "musllinux_1_99999999_aarch64"}) {
    EXPECT_FALSE(compatible_platforms(text).ok()) << text;
  }
  EXPECT_TRUE(compatible_platforms("macosx_15_0_arm64").ok());
}

TEST(TagTest, PriorityRanksTheBestTagOfAWheel) {
  TargetInterpreter target;
  target.minor = 11;
  target.platforms = *compatible_platforms("manylinux_2_28_x86_64");
  TagPriority priority(compatible_tags(target));
  auto specific = WheelFilename::parse("numpy-1.26.4-cp311-cp311-manylinux_2_17_x86_64.manylinux2014_x86_64.whl");
  auto abi3 = WheelFilename::parse("cryptography-42.0.5-cp39-abi3-manylinux_2_28_x86_64.whl");
  auto pure = WheelFilename::parse("pip-23.2.1-py3-none-any.whl");
  auto mac = WheelFilename::parse("x-1.0-cp311-cp311-macosx_11_0_arm64.whl");
  ASSERT_TRUE(specific && abi3 && pure && mac);
  ASSERT_TRUE(priority.best(specific->tags) && priority.best(abi3->tags) && priority.best(pure->tags));
  EXPECT_LT(*priority.best(specific->tags), *priority.best(abi3->tags));
  EXPECT_LT(*priority.best(abi3->tags), *priority.best(pure->tags));
  EXPECT_FALSE(priority.best(mac->tags).has_value());
}

TEST(WheelFilenameConformanceTest, ParsesLikePackaging) {
  const auto rows = read_table("tags/wheel_filenames.tsv");
  ASSERT_GE(rows.size(), 30U);
  for (const auto& row : rows) {
    ASSERT_EQ(row.size(), 6U);
    SCOPED_TRACE(row[0]);
    auto wheel = WheelFilename::parse(row[0]);
    if (row[1] == "0") {
      EXPECT_FALSE(wheel.ok());
      if (!wheel) {
        EXPECT_NE(wheel.error().message.find("invalid wheel filename"), std::string::npos);
      }
      continue;
    }
    ASSERT_TRUE(wheel.ok()) << wheel.error().message;
    EXPECT_EQ(wheel->name, row[2]);
    EXPECT_EQ(wheel->version.to_string(), row[3]);
    EXPECT_EQ(wheel->build ? std::to_string(wheel->build->first) + "," + wheel->build->second : "-", row[4]);
    std::vector<std::string> tags;
    for (const auto& t : wheel->tags) tags.push_back(t.to_string());
    std::sort(tags.begin(), tags.end());
    EXPECT_EQ(join(tags), row[5]);
  }
}

}  // namespace
}  // namespace uvauth::pep
