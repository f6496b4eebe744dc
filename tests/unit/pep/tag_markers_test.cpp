// What wheel tags imply about environments (for universal locks).
#include "uvauth/pep/tag_markers.hpp"

#include <gtest/gtest.h>

namespace uvauth::pep {
namespace {

TEST(TagMarkerTest, TagsImplyTheirEnvironments) {
  const std::vector<std::pair<Tag, std::string>> table = {
      {{"py3", "none", "any"}, "python_version >= \"3.0\""},
      {{"cp312", "cp312", "manylinux_2_17_x86_64"},
       "python_version >= \"3.12\" and python_version < \"3.13\" and implementation_name == \"cpython\" and platform_machine == \"x86_64\" and sys_platform == \"linux\""},
      {{"cp311", "abi3", "macosx_11_0_arm64"},
       "python_version >= \"3.11\" and implementation_name == \"cpython\" and platform_machine == \"arm64\" and sys_platform == \"darwin\""},
      {{"py3", "none", "win_amd64"}, "python_version >= \"3.0\" and platform_machine == \"AMD64\" and sys_platform == \"win32\""},
      {{"py3", "none", "some_future_platform"}, "python_version >= \"3.0\""},
  };
  for (const auto& [tag, expected] : table) EXPECT_EQ(tag_marker(tag).to_string(), expected) << tag.to_string();
}

TEST(TagMarkerTest, AWheelForOnePythonIsDisjointWithOthers) {
  const auto wheel = wheel_marker({{"cp38", "cp38", "manylinux_2_17_x86_64"}});
  EXPECT_TRUE(wheel.disjoint(*MarkerTree::requires_python(">=3.11")));
  EXPECT_FALSE(wheel.disjoint(*MarkerTree::requires_python(">=3.8")));
}

TEST(MarkerTreeExtraTest, WithExtraSubstitutesTheExtra) {
  const auto m = *MarkerTree::parse("extra == 'fast' and sys_platform == 'linux' or extra == 'slow'");
  EXPECT_EQ(m.with_extra("fast").to_string(), "sys_platform == \"linux\"");
  EXPECT_TRUE(m.with_extra("").is_false());
  EXPECT_EQ(m.with_extra("slow").to_string(), "");
}

}  // namespace
}  // namespace uvauth::pep
