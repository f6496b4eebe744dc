#include <gtest/gtest.h>

#include <chrono>

#include "uvauth/app/inspect_command.hpp"

namespace uvauth::app {
namespace {

lock::LockedPackage package(const std::string& name, std::vector<std::string> dependencies) {
  lock::LockedPackage p;
  p.name = name;
  p.version = *pep::Version::parse("1.0");
  p.dependencies = std::move(dependencies);
  return p;
}

TEST(TreeTest, CyclesAndRepeatsAreMarked) {
  lock::Lock lock;
  lock.packages = {package("a", {"b", "c"}), package("b", {"a", "c"}), package("c", {"d"}), package("d", {})};
  lock.requested = {"a"};
  auto text = render_tree(lock, {}, "pylock.toml");
  ASSERT_TRUE(text.ok());
  EXPECT_EQ(*text,
            "a v1.0\n"
            "├── b v1.0\n"
            "│   ├── a v1.0 (cycle)\n"
            "│   └── c v1.0\n"
            "│       └── d v1.0\n"
            "└── c v1.0 (*)\n");
}

TEST(TreeTest, ADeepHostileLockIsFastAndCut) {
  lock::Lock lock;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    lock.packages.push_back(package("p" + std::to_string(i), i + 1 < n ? std::vector<std::string>{"p" + std::to_string(i + 1)}
                                                                       : std::vector<std::string>{}));
  }
  lock.requested = {"p0"};
  const auto start = std::chrono::steady_clock::now();
  auto text = render_tree(lock, {}, "pylock.toml");
  ASSERT_TRUE(text.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(20));
  EXPECT_LT(text->size(), std::size_t{17} << 20);
  EXPECT_NE(text->find("the tree is cut here"), std::string::npos);
}

}  // namespace
}  // namespace uvauth::app
