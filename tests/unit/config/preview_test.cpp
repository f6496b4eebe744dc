#include "uvauth/config/preview.hpp"

#include <gtest/gtest.h>

namespace uvauth::config {
namespace {

bool on(const PreviewRequest& cli, bool no_preview, const Environment& env, const PreviewRequest& settings = {}) {
  auto result = preview_enabled("native-auth", cli, no_preview, env, settings);
  EXPECT_TRUE(result.ok());
  return result.ok() && *result;
}

TEST(PreviewTest, EachPlaceTurnsTheFeatureOnAndNoPreviewTurnsAllOff) {
  const Environment none;
  EXPECT_FALSE(on({}, false, none));
  EXPECT_TRUE(on({false, {"native-auth"}}, false, none));
  EXPECT_TRUE(on({false, {"pylock,native-auth"}}, false, none)) << "a comma-separated list, as uv takes it";
  EXPECT_TRUE(on({true, {}}, false, none)) << "--preview is every feature";
  EXPECT_TRUE(on({}, false, none, {false, {"native-auth"}}));
  EXPECT_TRUE(on({}, false, none, {true, {}}));
  Environment env;
  env.set("UV_PREVIEW_FEATURES", "json-output, native-auth");
  EXPECT_TRUE(on({}, false, env));
  EXPECT_FALSE(on({}, true, env));
  Environment all;
  all.set("UV_PREVIEW", "1");
  EXPECT_TRUE(on({}, false, all));
  Environment other;
  other.set("UV_PREVIEW_FEATURES", "pylock");
  EXPECT_FALSE(on({}, false, other));
}

TEST(PreviewTest, ABadUvPreviewIsAnError) {
  Environment env;
  env.set("UV_PREVIEW", "maybe");
  auto result = preview_enabled("native-auth", {}, false, env, {});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.error().message.find("UV_PREVIEW"), std::string::npos);
}

}  // namespace
}  // namespace uvauth::config
