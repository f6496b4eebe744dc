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
