// Querying this machine's python3 for real.
#include "uvauth/index/interpreter.hpp"

#include <gtest/gtest.h>

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

TEST(InterpreterTest, AMissingInterpreterIsAClearError) {
  testing::TempHome home;
  auto target = query_interpreter("/nonexistent/python3", cache::CacheDir(std::nullopt));
  ASSERT_FALSE(target.ok());
  EXPECT_NE(target.error().message.find("no Python interpreter at /nonexistent/python3"), std::string::npos);
}

}  // namespace
}  // namespace uvauth::index
