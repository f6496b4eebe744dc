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

// What pip needs to find each package again: an index version, a Git
// commit, a local project or one file by URL; every hash, sdist included.
TEST(ExportTest, EachPackageIsExportedWithWhereItComesFrom) {
  const std::string h1(64, 'a'), h2(64, 'b');
  lock::Lock lock;
  auto indexed = package("alpha", {});
  indexed.index = "https://idx.example/simple";
  indexed.wheels = {lock::LockedWheel{"alpha-1.0-py3-none-any.whl", "https://idx.example/alpha-1.0-py3-none-any.whl", 1, h1}};
  indexed.sdist = lock::LockedSdist{"alpha-1.0.tar.gz", "https://idx.example/alpha-1.0.tar.gz", 1, h2};
  auto local = package("demo", {});
  local.wheels = {lock::LockedWheel{"demo-1.0-py3-none-any.whl", "file:///repo/dist/demo-1.0-py3-none-any.whl", 1, h1}};
  auto git = package("gitpkg", {});
  git.vcs = lock::LockedVcs{"git", "https://git.example/r.git", "main", std::string(40, 'c'), "sub dir"};
  auto project = package("proj", {});
  project.directory = lock::LockedDirectory{"/repo/python/proj", true};
  lock.packages = {indexed, local, git, project};
  auto text = export_lock(lock, {}, "pylock.toml");
  ASSERT_TRUE(text.ok()) << text.error().message;
  EXPECT_NE(text->find("alpha==1.0 \\\n    --hash=sha256:" + h1 + " \\\n    --hash=sha256:" + h2 + "\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("demo @ file:///repo/dist/demo-1.0-py3-none-any.whl \\\n    --hash=sha256:" + h1 + "\n"), std::string::npos) << *text;
  EXPECT_NE(text->find("gitpkg @ git+https://git.example/r.git@" + std::string(40, 'c') + "#subdirectory=sub%20dir\n"), std::string::npos)
      << *text;
  EXPECT_NE(text->find("-e /repo/python/proj\n"), std::string::npos) << *text;
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
