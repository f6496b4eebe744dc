// Querying this machine's python3 for real.
#include "uvauth/index/interpreter.hpp"

#include <gtest/gtest.h>

#include "uvauth/config/locations.hpp"
#include <stdlib.h>

#include <fstream>
#include <map>

#include "temp_home.hpp"
#include "uvauth/process.hpp"

namespace uvauth::index {
namespace {

std::string python3() {
  auto which = run_process({"sh", "-c", "command -v python3"});
  if (!which || which->exit_code != 0) return "";
  std::string path = which->out;
  while (!path.empty() && (path.back() == '\n' || path.back() == '\r')) path.pop_back();
  return path;
}

TEST(InterpreterTest, QueriesOnceThenAnswersFromTheCache) {
  const std::string python = python3();
  ASSERT_FALSE(python.empty()) << "python3 is needed by the test suite";
  testing::TempHome home;
  cache::CacheDir dir(home.path() / "cache");
  auto target = query_interpreter(python, dir);
  ASSERT_TRUE(target.ok()) << target.error().message;
  auto expected = run_process({python, "-c", "import platform; print(platform.python_version())"});
  ASSERT_TRUE(expected.ok());
  EXPECT_EQ(target->markers.at("python_full_version") + "\n", expected->out);
  EXPECT_EQ(target->markers.at("sys_platform"), "linux");
  EXPECT_EQ(target->interpreter.implementation, "cpython");
  ASSERT_FALSE(target->interpreter.platforms.empty());
  EXPECT_EQ(target->interpreter.platforms.front().rfind("manylinux_2_", 0), 0U) << target->interpreter.platforms.front();
  const auto bucket = *dir.bucket(cache::Bucket::interpreters);
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(bucket)) ++entries;
  EXPECT_EQ(entries, 1U);
  auto again = query_interpreter(python, dir);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->markers, target->markers);
}

// Seen: `.python-version` = 3.12.1 and PYENV_VERSION=3.13.0 both gave a
// 3.11.7 target through a pyenv shim (the cache was keyed by the shim's path).
TEST(InterpreterTest, AShimIsKeyedByTheInterpreterItRuns) {
  const std::string python = python3();
  if (python.find("/shims/") == std::string::npos) GTEST_SKIP() << "python3 is not a pyenv shim here";
  const std::filesystem::path versions = std::filesystem::path(python).parent_path().parent_path() / "versions";
  for (const char* v : {"3.12.1", "3.13.0"}) {
    if (!std::filesystem::exists(versions / v)) GTEST_SKIP() << "pyenv has no " << v;
  }
  testing::TempHome home;
  cache::CacheDir dir(home.path() / "cache");
  std::map<std::string, std::string> seen;
  for (const char* v : {"3.12.1", "3.13.0", "3.12.1"}) {
    ::setenv("PYENV_VERSION", v, 1);
    auto target = query_interpreter(python, dir);
    ::unsetenv("PYENV_VERSION");
    ASSERT_TRUE(target.ok()) << target.error().message;
    EXPECT_EQ(target->markers.at("python_full_version"), v);
    EXPECT_EQ(target->executable.find("/shims/"), std::string::npos) << "shebangs name the real interpreter";
  }
}

// A pyenv shim is followed as pyenv follows it (PYENV_VERSION, the root's
// `version` file), without running the shim: ~100 ms of bash per command.
TEST(InterpreterTest, APyenvShimIsFollowedWithoutRunningIt) {
  const std::string python = python3();
  ASSERT_FALSE(python.empty());
  testing::TempHome home;
  cache::CacheDir dir(home.path() / "cache");
  auto real = query_interpreter(python, dir);
  ASSERT_TRUE(real.ok()) << real.error().message;
  const auto root = home.path() / "pyenv";
  std::filesystem::create_directories(root / "versions" / "9.9.9" / "bin");
  std::filesystem::create_symlink(real->executable, root / "versions" / "9.9.9" / "bin" / "python3");
  const auto ran = home.path() / "shim-ran";
  home.write("pyenv/shims/python3", "#!/bin/sh\ntouch '" + ran.string() + "'\nexec '" + real->executable + "' \"$@\"\n", true);
  home.write("pyenv/version", "# the global version\n9.9.9\n");
  const auto shim = root / "shims" / "python3";
  index::PythonSearch search;
  auto target = query_interpreter(shim, dir, &search);
  ASSERT_TRUE(target.ok()) << target.error().message;
  EXPECT_FALSE(std::filesystem::exists(ran)) << "the shim was run";
  EXPECT_EQ(target->markers, real->markers);
  // PYENV_VERSION wins over the version file; a name pyenv must work out
  // itself (`system`, several versions) runs the shim.
  search.pyenv_version = "9.9.9";
  ASSERT_TRUE(query_interpreter(shim, dir, &search).ok());
  EXPECT_FALSE(std::filesystem::exists(ran));
  for (const char* unusual : {"system", "9.9.9:3.1", "8.8.8"}) {
    search.pyenv_version = unusual;
    std::filesystem::remove(ran);
    ASSERT_TRUE(query_interpreter(shim, dir, &search).ok()) << unusual;
    EXPECT_TRUE(std::filesystem::exists(ran)) << unusual << ": the shim decides";
  }
}

TEST(InterpreterTest, APythonRequestIsAPathANameOrAVersion) {
  config::Environment env;
  env.set("PATH", "/usr/bin:/bin");
  auto by_name = find_python(std::string("python3"), config::search_path(env));
  ASSERT_TRUE(by_name.ok()) << by_name.error().message;
  EXPECT_EQ(by_name->string(), "/usr/bin/python3");
  auto by_version = find_python(std::string("3.11"), config::search_path(env));
  ASSERT_TRUE(by_version.ok()) << by_version.error().message;
  EXPECT_EQ(by_version->string(), "/usr/bin/python3.11");
  auto missing = find_python(std::string("3.99"), config::search_path(env));
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("no `python3.99` on PATH (from --python 3.99)"), std::string::npos) << missing.error().message;
  EXPECT_EQ(find_python(std::string("/opt/py/bin/python"), config::search_path(env))->string(), "/opt/py/bin/python");
}

TEST(InterpreterTest, AVersionRequestFindsPyenvAndUvInstallsAndPassesOverShims) {
  testing::TempHome home;
  namespace fs = std::filesystem;
  const fs::path real = "/usr/bin/python3.11";
  auto link = [&](const std::string& relative) {
    const fs::path at = home.path() / relative;
    fs::create_directories(at.parent_path());
    fs::create_symlink(real, at);
    return at;
  };
  link("pyenv/versions/3.11.4/bin/python3.11");
  const fs::path newest = link("pyenv/versions/3.11.9/bin/python3.11");
  link("pyenv/versions/3.10.2/bin/python3.10");
  const fs::path uv = link("uv/cpython-3.13.0-linux-x86_64-gnu/bin/python3.13");
  home.write("shims/python3.11", "#!/bin/sh\necho 'pyenv: python3.11: command not found' >&2\nexit 127\n", true);
  index::PythonSearch search{(home.path() / "shims").string(), home.path() / "pyenv" / "versions", home.path() / "uv", std::nullopt};
  auto minor = find_python(std::string("3.11"), search);
  ASSERT_TRUE(minor.ok()) << minor.error().message;
  EXPECT_EQ(*minor, newest) << "the shim is passed over; the newest 3.11 wins";
  auto exact = find_python(std::string("3.11.4"), search);
  ASSERT_TRUE(exact.ok()) << exact.error().message;
  EXPECT_EQ(*exact, home.path() / "pyenv/versions/3.11.4/bin/python3.11");
  auto managed = find_python(std::string("3.13"), search);
  ASSERT_TRUE(managed.ok()) << managed.error().message;
  EXPECT_EQ(*managed, uv);
  auto missing = find_python(std::string("3.9"), search);
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.error().message.find("looked in PATH, " + (home.path() / "pyenv" / "versions").string()), std::string::npos)
      << missing.error().message;
  config::Environment env;
  env.set("HOME", home.path().string());
  env.set("PYENV_ROOT", (home.path() / "pyenv").string());
  env.set("UV_PYTHON_INSTALL_DIR", (home.path() / "uv").string());
  const auto from_env = config::python_search(env);
  EXPECT_EQ(from_env.pyenv_versions, home.path() / "pyenv" / "versions");
  EXPECT_EQ(from_env.uv_pythons, home.path() / "uv");
}

TEST(InterpreterTest, AMissingInterpreterIsAClearError) {
  testing::TempHome home;
  auto target = query_interpreter("/nonexistent/python3", cache::CacheDir(std::nullopt));
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.error().message.find("no Python interpreter at /nonexistent/python3"), std::string::npos);
}

// Seen: `--python 2.7` found pyenv's 2.7.18, and the error was Python 2's
// usage text ("Unknown option: -I ... Try `python -h'").
TEST(InterpreterTest, APython2IsRefusedAsNotPython3) {
  testing::TempHome home;
  const auto fake = home.path() / "python2.7";
  {
    std::ofstream out(fake);
    out << "#!/bin/sh\necho 'Unknown option: -I' >&2\necho 'usage: python2.7 [option] ...' >&2\nexit 2\n";
  }
  std::filesystem::permissions(fake, std::filesystem::perms::owner_all);
  auto target = query_interpreter(fake, cache::CacheDir(std::nullopt));
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.error().message.find("is not a Python 3 interpreter"), std::string::npos) << target.error().message;
  EXPECT_EQ(target.error().message.find("usage:"), std::string::npos) << target.error().message;
}

}  // namespace
}  // namespace uvauth::index
