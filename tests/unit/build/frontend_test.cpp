// [build-system] and static metadata read without building; credentials
// kept out of a backend's environment.
#include <gtest/gtest.h>

#include <string>

#include "temp_home.hpp"
#include "uvauth/app/source_build.hpp"
#include "uvauth/build/frontend.hpp"
#include "uvauth/config/environment.hpp"

using namespace uvauth;

TEST(BuildSystemTest, DefaultsDeclaredAndBroken) {
  uvauth::testing::TempHome home;
  home.write("legacy/setup.py", "from setuptools import setup\nsetup()\n");
  auto legacy = build::read_build_system(home.path() / "legacy", "legacy");
  ASSERT_TRUE(legacy.ok()) << legacy.error().message;
  EXPECT_EQ(legacy->backend, "setuptools.build_meta:__legacy__");
  ASSERT_EQ(legacy->requires_.size(), 1U);
  EXPECT_EQ(legacy->requires_[0].to_string(), "setuptools>=40.8.0");

  home.write("intree/pyproject.toml", "[build-system]\nrequires = []\nbuild-backend = \"be\"\nbackend-path = [\"_be\"]\n");
  auto intree = build::read_build_system(home.path() / "intree", "intree");
  ASSERT_TRUE(intree.ok()) << intree.error().message;
  EXPECT_EQ(intree->backend, "be");
  EXPECT_EQ(intree->backend_path, (std::vector<std::string>{"_be"}));

  for (const auto& [text, message] : std::vector<std::pair<std::string, std::string>>{
           {"[build-system]\nbuild-backend = \"x\"\n", "has no `requires`"},
           {"[build-system]\nrequires = [\"ok\", 3]\n", "must list strings"},
           {"[build-system]\nrequires = [\"not a requirement !\"]\n", "[build-system].requires"},
           {"[build-system]\nrequires = []\nbuild-backend = \"os; rm -rf /\"\n", "is not module[:object]"},
           {"[build-system]\nrequires = []\nbuild-backend = \"b\"\nbackend-path = [\"../outside\"]\n", "outside the project"},
           {"[build-system\n", "pyproject.toml"}}) {
    home.write("bad/pyproject.toml", text);
    auto bad = build::read_build_system(home.path() / "bad", "bad");
    ASSERT_FALSE(bad.ok()) << text;
    EXPECT_NE(bad.error().message.find(message), std::string::npos) << bad.error().message;
  }
  auto none = build::read_build_system(home.path() / "nothing-here", "nothing");
  ASSERT_FALSE(none.ok());
  EXPECT_NE(none.error().message.find("not a Python project"), std::string::npos);
}

TEST(BuildSystemTest, StaticMetadataOnlyWhenNothingThatMattersIsDynamic) {
  uvauth::testing::TempHome home;
  home.write("p/pyproject.toml",
             "[project]\nname = \"Tool_X\"\nversion = \"1.2\"\nrequires-python = \">=3.9\"\ndependencies = [\"a>=1\", \"b; os_name == 'nt'\"]\n"
             "[project.optional-dependencies]\nfast = [\"c\"]\n");
  auto m = build::static_metadata(home.path() / "p");
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->name, "Tool_X");
  EXPECT_EQ(m->version.to_string(), "1.2");
  ASSERT_EQ(m->requires_dist.size(), 3U);
  EXPECT_EQ(m->requires_dist[2].to_string(), "c; extra == \"fast\"");
  EXPECT_EQ(m->provides_extra, (std::vector<std::string>{"fast"}));
  EXPECT_EQ(build::static_name(home.path() / "p"), std::optional<std::string>("Tool_X"));

  home.write("d/pyproject.toml", "[project]\nname = \"d\"\ndynamic = [\"version\"]\n");
  EXPECT_FALSE(build::static_metadata(home.path() / "d").has_value());
  EXPECT_EQ(build::static_name(home.path() / "d"), std::optional<std::string>("d"));
  home.write("cfg/setup.cfg", "[metadata]\nname = from-cfg\nversion = 1\n");
  EXPECT_EQ(build::static_name(home.path() / "cfg"), std::optional<std::string>("from-cfg"));
}

TEST(BuildSystemTest, FingerprintsFollowContentNotTime) {
  uvauth::testing::TempHome home;
  home.write("p/pyproject.toml", "[project]\n");
  home.write("p/m.py", "X = 1\n");
  home.write("p/build/junk.o", "junk");
  const auto all = build::tree_fingerprint(home.path() / "p", false);
  const auto meta = build::tree_fingerprint(home.path() / "p", true);
  home.write("p/build/junk.o", "other junk");  // skipped directory
  EXPECT_EQ(build::tree_fingerprint(home.path() / "p", false), all);
  home.write("p/m.py", "X = 2\n");
  EXPECT_NE(build::tree_fingerprint(home.path() / "p", false), all);
  EXPECT_EQ(build::tree_fingerprint(home.path() / "p", true), meta) << "editable installs depend on the metadata files only";
  home.write("p/pyproject.toml", "[project]\nname = \"x\"\n");
  EXPECT_NE(build::tree_fingerprint(home.path() / "p", true), meta);
}

TEST(BackendEnvironmentTest, NoCredentialVariableReachesTheBackend) {
  config::Environment env;
  env.set("PATH", "/usr/bin");
  env.set("HOME", "/home/me");
  env.set("NETRC", "/home/me/.netrc");
  env.set("UV_INDEX_CORP_USERNAME", "alice");
  env.set("UV_INDEX_CORP_PASSWORD", "s3cret");
  env.set("UV_INDEX", "corp=https://corp/simple");
  env.set("UV_DEFAULT_INDEX", "https://alice:s3cret@corp/simple");
  env.set("PIP_INDEX_URL", "https://corp/simple");
  env.set("UV_PUBLISH_TOKEN", "t0ken");
  env.set("GITHUB_TOKEN", "ghp_x");
  env.set("HTTPS_PROXY", "http://user:pw@proxy:3128");
  env.set("MY_MIRROR", "see https://bob:pw@mirror/x");
  env.set("CC", "gcc");
  const auto out = app::backend_environment(env);
  std::string joined;
  for (const auto& e : out) joined += e + "\n";
  EXPECT_EQ(joined, "CC=gcc\nHOME=/home/me\nNETRC=/home/me/.netrc\nPATH=/usr/bin\n");
}
