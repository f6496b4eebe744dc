// The settings uv users already have, honoured through the one configuration
// pass: uv's environment variables and settings keys, each with a test, run
// in a project directory as a user would (settings discovered there).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "tool_runner.hpp"
#include "uvauth/lock/pylock.hpp"

namespace uvauth {
namespace {

namespace fs = std::filesystem;
using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::ToolRun;

using testing::fx;
using testing::primary;
std::string second() { return fx().http("/public/second-index-html/simple/"); }

struct Project {
  TempHome home;
  fs::path dir() const { return home.path() / "project"; }
  fs::path lock() const { return dir() / "pylock.toml"; }
  Project() { fs::create_directories(dir()); }
  void write(const std::string& relative, const std::string& text) const { home.write("project/" + relative, text); }
  ToolRun run(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
    env["XDG_CONFIG_HOME"] = (home.path() / "config").string();
    return run_tool(args, home.env(std::move(env)), "", dir().string());
  }
  ToolRun lock_with(std::vector<std::string> args, std::map<std::string, std::string> env = {}) const {
    std::vector<std::string> full{"lock", "-o", lock().string(), "--cache-dir", (home.path() / "cache").string(),
                                  "--python-version", "3.11"};
    full.insert(full.end(), args.begin(), args.end());
    return run(full, std::move(env));
  }
  std::string pins() const { return testing::locked_pins(lock().string()); }
};

// Seen: `[[indexes]]` (and `defualt = true`) fell back silently to PyPI.
TEST(ConfigurationTest, ATypoInUvTomlIsAnErrorNotPypi) {
  Project p;
  p.write("uv.toml", "[[indexes]]\nname = \"corp\"\nurl = \"" + primary() + "\"\n");
  auto run = p.lock_with({"alpha", "-v"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("uv.toml:1: unknown field `indexes` in the settings; did you mean `[[index]]`?"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("pypi.org"), std::string::npos) << "nothing was asked of PyPI:\n" << run.err;
  p.write("uv.toml", "[[index]]\nname = \"corp\"\nurl = \"" + primary() + "\"\ndefualt = true\n");
  auto typo = p.lock_with({"alpha"});
  EXPECT_EQ(typo.exit_code, 2);
  EXPECT_NE(typo.err.find("uv.toml:4: unknown field `defualt` in [[index]]; did you mean `default`?"), std::string::npos) << typo.err;
  // PyPI used only because nothing else is configured: -v says so.
  fs::remove(p.dir() / "uv.toml");
  auto bare = p.lock_with({"alpha", "-v", "--offline"});
  EXPECT_NE(bare.err.find("no default index is configured: using https://pypi.org/simple"), std::string::npos) << bare.err;
}

TEST(ConfigurationTest, UvsIndexVariablesAreHonoured) {
  Project p;
  auto by_url = p.lock_with({"alpha"}, {{"UV_INDEX_URL", primary()}});
  ASSERT_EQ(by_url.exit_code, 0) << by_url.err;
  EXPECT_EQ(p.pins(), "alpha==1.0 beta==2.0 gamma==1.5");
  auto by_default = p.lock_with({"beta"}, {{"UV_DEFAULT_INDEX", second()}});
  ASSERT_EQ(by_default.exit_code, 0) << by_default.err;
  EXPECT_EQ(p.pins(), "beta==3.0") << "the second index's beta";
  // UV_INDEX: names (hence UV_INDEX_<NAME>_* credentials), space-separated.
  auto named = p.lock_with({"alpha"}, {{"UV_INDEX", "corp=" + fx().http("/private/index-html/simple/") + " " + second()},
                                       {"UV_DEFAULT_INDEX", primary()},
                                       {"UV_INDEX_CORP_USERNAME", "alice"},
                                       {"UV_INDEX_CORP_PASSWORD", fx().password("alice")}});
  ASSERT_EQ(named.exit_code, 0) << named.err;
  auto extra = p.lock_with({"beta"}, {{"UV_EXTRA_INDEX_URL", second()}, {"UV_INDEX_URL", primary()}});
  ASSERT_EQ(extra.exit_code, 0) << extra.err;
  EXPECT_EQ(p.pins(), "beta==3.0") << "the extra index comes first";
  auto none = p.lock_with({"alpha"}, {{"UV_NO_INDEX", "1"}, {"UV_INDEX_URL", primary()}});
  EXPECT_NE(none.exit_code, 0);
  // UV_LOCKED (set for a CI job) holds lock files to their content; `install`, which writes none, still works.
  auto installed = p.run({"install", "--no-config", "--index-url", primary(), "gamma", "--target", (p.dir() / "t").string()},
                         {{"UV_LOCKED", "1"}});
  EXPECT_EQ(installed.exit_code, 0) << installed.err;
  auto locked = p.lock_with({"alpha", "epsilon"}, {{"UV_LOCKED", "1"}, {"UV_INDEX_URL", primary()}});
  EXPECT_EQ(locked.exit_code, 1) << "UV_LOCKED refuses to change the lock:\n" << locked.err;
  auto bad = p.lock_with({"alpha"}, {{"UV_NO_INDEX", "maybe"}});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("UV_NO_INDEX must be a boolean"), std::string::npos) << bad.err;
}

TEST(ConfigurationTest, UvsOtherVariablesAreHonoured) {
  Project p;
  const fs::path wheels = p.home.path() / "wheels";
  fs::create_directories(wheels);
  fs::copy_file(fs::path(fx().data_dir) / "files" / "epsilon-0.1-py3-none-any.whl", wheels / "epsilon-0.1-py3-none-any.whl");
  auto links = p.lock_with({"epsilon"}, {{"UV_FIND_LINKS", wheels.string()}, {"UV_NO_INDEX", "true"}});
  ASSERT_EQ(links.exit_code, 0) << links.err;
  EXPECT_EQ(p.pins(), "epsilon==0.1");
  auto pre = p.lock_with({"zeta"}, {{"UV_PRERELEASE", "allow"}, {"UV_INDEX_URL", primary()}});
  ASSERT_EQ(pre.exit_code, 0) << pre.err;
  EXPECT_EQ(p.pins(), "zeta==2.0b1");
  p.write("constraints.txt", "beta<2\n");
  auto constrained = p.lock_with({"alpha"}, {{"UV_CONSTRAINT", (p.dir() / "constraints.txt").string()}, {"UV_INDEX_URL", primary()}});
  ASSERT_EQ(constrained.exit_code, 0) << constrained.err;
  EXPECT_EQ(p.pins(), "alpha==1.0 beta==1.0");
  // UV_CONFIG_FILE and UV_NO_CONFIG.
  p.write("elsewhere.toml", "index-url = \"" + second() + "\"\n");
  auto config = p.run({"lock", "-o", p.lock().string(), "--python-version", "3.11", "beta"},
                      {{"UV_CONFIG_FILE", (p.dir() / "elsewhere.toml").string()}});
  ASSERT_EQ(config.exit_code, 0) << config.err;
  p.write("uv.toml", "bogus-key = 1\n");
  auto no_config = p.lock_with({"alpha"}, {{"UV_NO_CONFIG", "1"}, {"UV_INDEX_URL", primary()}});
  EXPECT_EQ(no_config.exit_code, 0) << no_config.err;
  // UV_CACHE_DIR: uvauth's cache is its `uvauth` folder; UV_OFFLINE then works from it.
  const fs::path uv_cache = p.home.path() / "uv-cache";
  auto cached = p.run({"lock", "-o", p.lock().string(), "--python-version", "3.11", "gamma", "--no-config", "--index-url", primary()},
                      {{"UV_CACHE_DIR", uv_cache.string()}});
  ASSERT_EQ(cached.exit_code, 0) << cached.err;
  EXPECT_TRUE(fs::exists(uv_cache / "uvauth" / "simple-v1"));
  auto offline = p.run({"lock", "-o", p.lock().string(), "--python-version", "3.11", "epsilon", "--no-config", "--index-url", primary()},
                       {{"UV_CACHE_DIR", uv_cache.string()}, {"UV_OFFLINE", "1"}});
  EXPECT_NE(offline.exit_code, 0) << "epsilon's page is not in the cache, and UV_OFFLINE forbids fetching it";
  // UV_PYTHON names the interpreter (here Debian's, whatever python3 is on PATH).
  if (fs::exists("/usr/bin/python3")) {
    auto python = p.run({"lock", "-o", p.lock().string(), "gamma", "--no-config", "--index-url", primary(), "-v"},
                        {{"UV_PYTHON", "/usr/bin/python3"}});
    ASSERT_EQ(python.exit_code, 0) << python.err;
    EXPECT_NE(python.err.find("/usr/bin/python3"), std::string::npos) << python.err;
  }
}

TEST(ConfigurationTest, UvSettingsKeysAreHonoured) {
  Project p;
  p.write("uv.toml", "index-url = \"" + primary() + "\"\nextra-index-url = [\"" + second() + "\"]\n"
                     "constraint-dependencies = [\"gamma<2\"]\n");
  auto run = p.lock_with({"beta", "iota"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(p.pins(), "beta==3.0 gamma==1.5 iota==1.0");
  p.write("uv.toml", "[pip]\nindex-url = \"" + primary() + "\"\n");
  ASSERT_EQ(p.lock_with({"alpha"}).exit_code, 0);
  EXPECT_EQ(p.pins(), "alpha==1.0 beta==2.0 gamma==1.5");
  // override-dependencies replace what alpha asks for (beta>=1.0) everywhere.
  p.write("uv.toml", "index-url = \"" + primary() + "\"\noverride-dependencies = [\"beta==1.0\"]\n");
  ASSERT_EQ(p.lock_with({"alpha"}).exit_code, 0);
  EXPECT_EQ(p.pins(), "alpha==1.0 beta==1.0");
  // A uv setting that changes results but that uvauth does not use: a warning.
  p.write("uv.toml", "index-url = \"" + primary() + "\"\nresolution = \"lowest\"\n");
  auto warned = p.lock_with({"alpha"});
  ASSERT_EQ(warned.exit_code, 0) << warned.err;
  EXPECT_NE(warned.err.find("warning: " + (p.dir() / "uv.toml").string() + ":2: uvauth ignores the uv setting `resolution`"),
            std::string::npos)
      << warned.err;
}

TEST(ConfigurationTest, TheUserLevelUvTomlIsReadBelowTheProjects) {
  Project p;
  p.home.write("config/uv/uv.toml", "index-url = \"" + second() + "\"\n");
  auto user = p.lock_with({"beta"});
  ASSERT_EQ(user.exit_code, 0) << user.err;
  EXPECT_EQ(p.pins(), "beta==3.0") << "the user-level index-url";
  p.write("uv.toml", "index-url = \"" + primary() + "\"\n");
  auto project = p.lock_with({"alpha"});
  ASSERT_EQ(project.exit_code, 0) << project.err;
  EXPECT_EQ(p.pins(), "alpha==1.0 beta==2.0 gamma==1.5") << "the project's index-url wins";
}

TEST(ConfigurationTest, RequiresPythonAndDevDependenciesOfTheProject) {
  Project p;
  p.write("pyproject.toml", "[project]\nname = \"app\"\nversion = \"1\"\nrequires-python = \">=3.12\"\ndependencies = [\"alpha\"]\n"
                            "[tool.uv]\nindex-url = \"" + primary() + "\"\ndev-dependencies = [\"epsilon\"]\n");
  auto below = p.lock_with({"--project", (p.dir() / "pyproject.toml").string()});
  EXPECT_EQ(below.exit_code, 1) << below.err;
  EXPECT_NE(below.err.find("is incompatible with the project's requires-python `>=3.12`"), std::string::npos) << below.err;
  // --project takes the directory too, as in uv.
  auto ok = p.run({"lock", "-o", p.lock().string(), "--python-version", "3.12", "--project", p.dir().string()});
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(p.pins(), "alpha==1.0 beta==2.0 epsilon==0.1 gamma==1.5") << "dev-dependencies are the default dev group";
}

}  // namespace
}  // namespace uvauth
