#include "uvauth/config/settings.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace uvauth::config {
namespace {

TEST(SettingsTest, ReadsUvTomlIndexes) {
  auto settings = parse_settings(R"(
keyring-provider = "subprocess"
[[index]]
name = "corp"
url = "https://pypi.corp.example/simple"
authenticate = "always"
default = true

[[index]]
name = "torch"
url = "https://download.pytorch.org/whl/cpu"
explicit = true
)", "uv.toml", false);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  ASSERT_EQ(settings->indexes.size(), 2U);
  EXPECT_EQ(settings->indexes[0].name, "corp");
  EXPECT_EQ(settings->indexes[0].authenticate, "always");
  EXPECT_TRUE(settings->indexes[0].is_default);
  EXPECT_TRUE(settings->indexes[1].is_explicit);
  EXPECT_EQ(settings->indexes[1].origin, "uv.toml:9");
  EXPECT_EQ(settings->keyring_provider, "subprocess");
}

TEST(SettingsTest, ReadsToolUvOfPyproject) {
  auto settings = parse_settings(R"(
[project]
name = "x"
[[tool.uv.index]]
name = "corp"
url = "https://h/simple"
)", "pyproject.toml", true);
  ASSERT_TRUE(settings.ok());
  ASSERT_EQ(settings->indexes.size(), 1U);
  EXPECT_EQ(settings->indexes[0].url, "https://h/simple");
  auto none = parse_settings("[project]\nname = \"x\"\n", "pyproject.toml", true);
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->indexes.empty());
}

struct BadSettings {
  const char* text;
  const char* message;
};

TEST(SettingsTest, ErrorsNameFileAndLine) {
  const BadSettings cases[] = {
      {"[[index]]\nname = \"x\"\n", "uv.toml:1: [[index]] needs a `url`"},
      {"[[index]]\nurl = \"https://h\"\nauthenticate = \"sometimes\"\n",
       "uv.toml:3: index `authenticate` must be \"auto\", \"always\" or \"never\", got \"sometimes\""},
      {"[[index]]\nurl = \"https://h\"\ndefault = \"yes\"\n", "uv.toml:3: index `default` must be true or false"},
      {"[[index]]\nurl = 5\n", "uv.toml:2: index `url` must be a string"},
      {"keyring-provider = \"gnome\"\n", "uv.toml:1: `keyring-provider` must be \"disabled\" or \"subprocess\""},
      {"index = 3\n", "uv.toml:1: `index` must be an array of tables ([[index]])"},
  };
  for (const auto& c : cases) {
    auto settings = parse_settings(c.text, "uv.toml", false);
    ASSERT_FALSE(settings.ok()) << c.text;
    EXPECT_EQ(settings.error().message, c.message);
  }
  auto broken = parse_settings("[[index]\n", "uv.toml", false);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().message.rfind("uv.toml:1: ", 0), 0U);
}

TEST(SettingsTest, NoConfigReadsNothing) {
  SettingsSource source;
  source.no_config = true;
  auto settings = load_settings(source);
  ASSERT_TRUE(settings.ok());
  EXPECT_TRUE(settings->indexes.empty());
  EXPECT_FALSE(settings->file.has_value());
}

// What the CMake module does: its generated config, plus the project's own [tool.uv].
TEST(SettingsTest, AProjectsIndexesFollowThoseOfTheConfigFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("uvauth-settings-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  {
    std::ofstream(dir / "generated.toml") << "[[index]]\nname = \"corp\"\nurl = \"https://corp/simple\"\n";
    std::ofstream(dir / "pyproject.toml") << "[project]\nname = \"x\"\n[tool.uv]\nkeyring-provider = \"subprocess\"\n"
                                             "[[tool.uv.index]]\nname = \"torch\"\nurl = \"https://torch/whl\"\n";
  }
  SettingsSource source;
  source.config_file = dir / "generated.toml";
  source.project_file = dir / "pyproject.toml";
  auto settings = load_settings(source);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  ASSERT_EQ(settings->indexes.size(), 2U);
  EXPECT_EQ(settings->indexes[0].name, "corp");
  EXPECT_EQ(settings->indexes[1].name, "torch");
  EXPECT_EQ(settings->keyring_provider, "subprocess");

  source.config_file = dir / "pyproject.toml";  // the same file twice counts once
  settings = load_settings(source);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->indexes.size(), 1U);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace uvauth::config
