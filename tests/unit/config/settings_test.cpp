#include "uvauth/config/settings.hpp"
#include "uvauth/config/toml.hpp"

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

template <std::size_t N>
void expect_errors(const BadSettings (&cases)[N]) {
  for (const auto& c : cases) {
    auto settings = parse_settings(c.text, "uv.toml", false);
    ASSERT_FALSE(settings.ok()) << c.text;
    EXPECT_EQ(settings.error().message, c.message);
  }
}

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
  expect_errors(cases);
  auto broken = parse_settings("[[index]\n", "uv.toml", false);
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().message.rfind("uv.toml:1: ", 0), 0U);
  // A table header that is no key breaks one of toml++'s debug assertions
  // (found by fuzz_settings in a Debug build): an error all the same.
  auto not_a_key = parse_settings("[|", "uv.toml", false);
  ASSERT_FALSE(not_a_key.ok());
  EXPECT_EQ(not_a_key.error().message.rfind("uv.toml:1: ", 0), 0U) << not_a_key.error().message;
}

// toml++ 3.3 reached an unreachable point (undefined behaviour) on
// non-ASCII characters its Unicode tables do not list: a valid document
// (upstream issue #190) and malformed ones, found by fuzz_settings.
TEST(SettingsTest, NonAsciiCharactersWhereWhitespaceMayBeAreParsedOrRefused) {
  auto valid = parse_toml("s = \"\"\"\\\n\xc2\xa7\"\"\"\n", "doc.toml");
  ASSERT_TRUE(valid.ok()) << valid.error().message;
  EXPECT_EQ((*valid)["s"].value_or(std::string()), "\xc2\xa7");
  for (const char* text : {"\xcc\xaa", "a = 1 \xd1\x91\n", "x\xc2\xa1= 1\n"}) {
    auto bad = parse_settings(text, "uv.toml", false);
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_EQ(bad.error().message.rfind("uv.toml:1: ", 0), 0U) << bad.error().message;
  }
}

TEST(SettingsTest, LinkModeIsReadAndSymlinkRefused) {
  auto copy = parse_settings("[pip]\nlink-mode = \"copy\"\n", "uv.toml", false);
  ASSERT_TRUE(copy.ok()) << copy.error().message;
  ASSERT_TRUE(copy->link_mode.has_value());
  EXPECT_EQ(copy->link_mode->value, "copy");
  EXPECT_EQ(copy->link_mode->origin, "uv.toml:2");
  const BadSettings cases[] = {
      {"link-mode = \"symlink\"\n", "uv.toml:1: `link-mode = \"symlink\"` is not supported by uvauth: an edit or a `uvauth cache clean` would reach every "
       "target; use clone, hardlink or copy"},
      {"link-mode = \"hardlnk\"\n", "uv.toml:1: `link-mode` must be clone, hardlink or copy"},
  };
  expect_errors(cases);
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

namespace uvauth::config {
namespace {

// Seen: a typo in uv.toml fell back silently to PyPI; private package names
// must never go to the public index because of a typo.
TEST(SettingsTest, UnknownAndMistypedKeysAreErrorsWithFileLineAndKey) {
  const BadSettings cases[] = {
      {"[[indexes]]\nurl = \"https://h/simple\"\n", "uv.toml:1: unknown field `indexes` in the settings; did you mean `[[index]]`?"},
      {"[[index]]\nurl = \"https://h/simple\"\ndefualt = true\n",
       "uv.toml:3: unknown field `defualt` in [[index]]; did you mean `default`? (fields: name, url, default, explicit, format, authenticate, credential-helper, cache-control)"},
      {"index-urll = \"https://h/simple\"\n", "uv.toml:1: unknown field `index-urll` in the settings; did you mean `index-url`?"},
      {"[pip]\nindex-url = 3\n", "uv.toml:2: `index-url` must be a string"},
      {"[pip]\ncache-dir = \"/x\"\n", "uv.toml:2: field `cache-dir` does not belong in [pip]"},
      {"require-hashes = true\n", "uv.toml:1: field `require-hashes` does not belong in the settings"},
      {"prerelease = \"sometimes\"\n", "uv.toml:1: `prerelease` must be allow, disallow, if-necessary, explicit or if-necessary-or-explicit"},
      {"frobnicate = 1\n", "uv.toml:1: unknown field `frobnicate` in the settings"},
  };
  expect_errors(cases);
  auto in_pyproject = parse_settings("[project]\nname = \"x\"\n[tool.uv]\nextra-index-urls = []\n", "pyproject.toml", true);
  ASSERT_FALSE(in_pyproject.ok());
  EXPECT_EQ(in_pyproject.error().message,
            "pyproject.toml:4: unknown field `extra-index-urls` in [tool.uv]; did you mean `extra-index-url`?");
}

// uv's per-index Cache-Control override: `api` is kept for the index's
// pages; anything else in it is refused, not ignored.
TEST(SettingsTest, AnIndexCacheControlOverrideIsReadOrRefused) {
  auto settings = parse_settings(
      "[[index]]\nname = \"corp\"\nurl = \"https://h/simple\"\ncache-control = { api = \"max-age=0\", files = \"max-age=365000000, immutable\" }\n",
      "uv.toml", false);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  ASSERT_EQ(settings->indexes.size(), 1U);
  EXPECT_EQ(settings->indexes[0].cache_control_api, "max-age=0");
  const BadSettings cases[] = {
      {"[[index]]\nurl = \"https://h/simple\"\ncache-control = \"max-age=0\"\n",
       "uv.toml:3: index `cache-control` must be a table, e.g. { api = \"max-age=600\" }"},
      {"[[index]]\nurl = \"https://h/simple\"\ncache-control = { apis = \"max-age=0\" }\n",
       "uv.toml:3: unknown field `apis` in index `cache-control` (fields: api, files)"},
      {"[[index]]\nurl = \"https://h/simple\"\ncache-control = { api = 0 }\n", "uv.toml:3: index `cache-control.api` must be a string"},
  };
  expect_errors(cases);
}

TEST(SettingsTest, ReadsUvsOtherIndexKeysAndThePipTable) {
  auto settings = parse_settings(R"(
index-url = "https://top/simple"
extra-index-url = ["https://extra/simple"]
find-links = ["/wheels"]
constraint-dependencies = ["beta<2"]
override-dependencies = ["gamma==1.5"]
resolution = "highest"
concurrent-downloads = 4
[pip]
no-index = true
prerelease = "allow"
require-hashes = true
)", "uv.toml", false);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->index_url->value, "https://top/simple");
  EXPECT_EQ(settings->index_url->origin, "uv.toml:2");
  ASSERT_EQ(settings->extra_index_urls.size(), 1U);
  EXPECT_EQ(settings->find_links[0].value, "/wheels");
  EXPECT_EQ(settings->constraint_dependencies[0].value, "beta<2");
  EXPECT_EQ(settings->override_dependencies[0].value, "gamma==1.5");
  EXPECT_TRUE(settings->no_index);
  EXPECT_EQ(settings->prerelease, "allow");
  EXPECT_TRUE(settings->require_hashes);
}

// uv's user-level uv.toml is merged below the project's: the project's
// scalars win, lists follow the project's.
TEST(SettingsTest, TheUserLevelFileIsMergedBelowTheProjects) {
  const auto dir = std::filesystem::temp_directory_path() / ("uvauth-user-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir / "project");
  std::filesystem::create_directories(dir / "config" / "uv");
  std::ofstream(dir / "project" / "uv.toml") << "keyring-provider = \"subprocess\"\n[[index]]\nname = \"p\"\nurl = \"https://p/simple\"\n";
  std::ofstream(dir / "config" / "uv" / "uv.toml") << "keyring-provider = \"disabled\"\nindex-url = \"https://user/simple\"\n"
                                                       "[[index]]\nname = \"u\"\nurl = \"https://u/simple\"\n";
  Environment env;
  env.set("XDG_CONFIG_HOME", (dir / "config").string());
  SettingsSource source;
  source.working_directory = dir / "project";
  source.user_file = user_settings_file(env);
  auto settings = load_settings(source);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  ASSERT_EQ(settings->indexes.size(), 2U);
  EXPECT_EQ(settings->indexes[0].name, "p");
  EXPECT_EQ(settings->indexes[1].name, "u");
  EXPECT_EQ(settings->keyring_provider, "subprocess");
  EXPECT_EQ(settings->index_url->value, "https://user/simple");
  EXPECT_EQ(settings->files.size(), 2U);
  // --config-file replaces discovery, the user-level file included.
  source.config_file = dir / "project" / "uv.toml";
  settings = load_settings(source);
  ASSERT_TRUE(settings.ok());
  EXPECT_EQ(settings->indexes.size(), 1U);
  std::filesystem::remove_all(dir);
}

TEST(SettingsTest, PreviewSwitchesAreRead) {
  auto settings = parse_settings("preview-features = [\"native-auth\"]\n", "uv.toml", false);
  ASSERT_TRUE(settings.ok()) << settings.error().message;
  EXPECT_EQ(settings->preview.features, (std::vector<std::string>{"native-auth"}));
  EXPECT_FALSE(settings->preview.all);
  auto all = parse_settings("[project]\nname = \"x\"\n[tool.uv]\npreview = true\n", "pyproject.toml", true);
  ASSERT_TRUE(all.ok()) << all.error().message;
  EXPECT_TRUE(all->preview.all);
  auto bad = parse_settings("preview = \"yes\"\n", "uv.toml", false);
  EXPECT_FALSE(bad.ok());
}

}  // namespace
}  // namespace uvauth::config
