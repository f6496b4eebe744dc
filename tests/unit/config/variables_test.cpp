#include "uvauth/config/variables.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace uvauth::config {
namespace {

std::string table_markdown() {
  std::string out = "| variable | meaning |\n|---|---|\n";
  for (const auto& v : environment_variables()) out += "| `" + std::string(v.name) + "` | " + std::string(v.meaning) + " |\n";
  return out;
}

// The README's list of environment variables is the table, to the letter.
TEST(VariablesTest, TheReadmeListsExactlyTheTable) {
  std::ifstream in(UVAUTH_README);
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- environment-variables:begin (tests/unit/config/variables_test.cpp checks it) -->\n";
  const std::string end = "<!-- environment-variables:end -->";
  const auto from = readme.find(begin);
  const auto to = readme.find(end);
  ASSERT_NE(from, std::string::npos) << "README.md has no environment variables block";
  ASSERT_NE(to, std::string::npos);
  EXPECT_EQ(readme.substr(from + begin.size(), to - from - begin.size()), table_markdown())
      << "put this between the markers in README.md:\n" << table_markdown();
}

TEST(VariablesTest, BooleansAreReadAsUvReadsThem) {
  Environment env;
  for (const char* yes : {"1", "true", "YES", "on", "t", "y"}) {
    env.set("UV_OFFLINE", yes);
    EXPECT_EQ(read_flag(env, "UV_OFFLINE")->value_or(false), true) << yes;
  }
  for (const char* no : {"0", "false", "No", "off", "f", "n"}) {
    env.set("UV_OFFLINE", no);
    EXPECT_EQ(read_flag(env, "UV_OFFLINE")->value_or(true), false) << no;
  }
  env.set("UV_OFFLINE", "");
  EXPECT_FALSE(read_flag(env, "UV_OFFLINE")->has_value());
  env.set("UV_OFFLINE", "perhaps");
  auto bad = read_flag(env, "UV_OFFLINE");
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "UV_OFFLINE must be a boolean (1/0, true/false, yes/no, on/off), got 'perhaps'");
}

TEST(VariablesTest, ListsAreSplitAsUvSplitsThem) {
  Environment env;
  env.set("UV_INDEX", "corp=https://a/simple  https://b/simple");
  env.set("UV_FIND_LINKS", "/w1, /w2");
  env.set("UV_EXTRA_INDEX_URL", "https://c/simple https://d/simple");
  auto uv = read_uv_environment(env);
  ASSERT_TRUE(uv.ok());
  EXPECT_EQ(uv->indexes, (std::vector<std::string>{"corp=https://a/simple", "https://b/simple"}));
  EXPECT_EQ(uv->find_links, (std::vector<std::string>{"/w1", "/w2"}));
  EXPECT_EQ(uv->extra_index_urls.size(), 2U);
}

}  // namespace
}  // namespace uvauth::config
