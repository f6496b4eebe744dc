#include "uvauth/pep/target.hpp"

#include <gtest/gtest.h>

namespace uvauth::pep {
namespace {

struct CrossCase {
  const char* version;
  const char* platform;
  const char* python_full_version;
  const char* sys_platform;
  const char* machine;
  const char* best_tag;
};

TEST(CrossTargetTest, MarkersAndTagsFollowTheFlags) {
  const CrossCase cases[] = {
      {"3.11", "manylinux_2_28_x86_64", "3.11.0", "linux", "x86_64", "cp311-cp311-manylinux_2_28_x86_64"},
      {"3.12.4", "macosx_11_0_arm64", "3.12.4", "darwin", "arm64", "cp312-cp312-macosx_11_0_arm64"},
      {"3.10", "win_amd64", "3.10.0", "win32", "AMD64", "cp310-cp310-win_amd64"},
      {"3.9", "musllinux_1_2_aarch64", "3.9.0", "linux", "aarch64", "cp39-cp39-musllinux_1_2_aarch64"},
  };
  for (const auto& c : cases) {
    auto target = cross_target(c.version, c.platform);
    ASSERT_TRUE(target.ok()) << target.error().message;
    EXPECT_EQ(target->markers.at("python_full_version"), c.python_full_version);
    EXPECT_EQ(target->markers.at("sys_platform"), c.sys_platform);
    EXPECT_EQ(target->markers.at("platform_machine"), c.machine);
    EXPECT_EQ(compatible_tags(target->interpreter).front().to_string(), c.best_tag);
  }
}

TEST(CrossTargetTest, UvsPlatformNamesAreTheirTags) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"linux", "manylinux_2_28_x86_64"},        {"macos", "macosx_13_0_arm64"},
      {"windows", "win_amd64"},                  {"x86_64-manylinux_2_28", "manylinux_2_28_x86_64"},
      {"aarch64-manylinux_2_17", "manylinux_2_17_aarch64"}, {"x86_64-manylinux2014", "manylinux_2_17_x86_64"},
      {"aarch64-apple-darwin", "macosx_13_0_arm64"}, {"x86_64-apple-darwin", "macosx_13_0_x86_64"},
      {"x86_64-unknown-linux-gnu", "manylinux_2_28_x86_64"}, {"aarch64-unknown-linux-musl", "musllinux_1_2_aarch64"},
      {"x86_64-pc-windows-msvc", "win_amd64"},   {"i686-pc-windows-msvc", "win32"},
      {"X8664-Unknown-Linux-Gnu", "manylinux_2_28_x86_64"}, {"manylinux_2_31_aarch64", "manylinux_2_31_aarch64"},
  };
  for (const auto& [name, tag] : cases) {
    auto target = cross_target("3.12", name);
    ASSERT_TRUE(target.ok()) << name << ": " << target.error().message;
    EXPECT_NE(target->description.find(" on " + tag + " "), std::string::npos) << name << " -> " << target->description;
  }
  auto macos = cross_target("3.12", "macos");
  EXPECT_EQ(macos->markers.at("sys_platform"), "darwin");
  EXPECT_EQ(macos->markers.at("platform_machine"), "arm64");
}

TEST(CrossTargetTest, BadFlagsAreUsageErrors) {
  for (const char* version : {"3", "two", "3.11.4.1", "3.12a1", "2.7"}) {
    auto target = cross_target(version, "win_amd64");
    ASSERT_FALSE(target.ok()) << version;
    EXPECT_EQ(target.error().kind, ErrorKind::usage);
  }
  EXPECT_FALSE(cross_target("3.11", "beos_x86").ok());
}

TEST(TargetQueryTest, MalformedAnswersNameTheInterpreter) {
  auto target = target_from_query("not json", "/usr/bin/python9");
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.error().message.find("/usr/bin/python9"), std::string::npos);
  EXPECT_FALSE(target_from_query("{\"markers\": {}}", "/p").ok());
}

}  // namespace
}  // namespace uvauth::pep
