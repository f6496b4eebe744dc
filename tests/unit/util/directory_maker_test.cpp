#include <fcntl.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "uvauth/fs.hpp"

namespace uvauth {
namespace {
namespace fs = std::filesystem;

struct HeldDir {
  fs::path path;
  int fd;
  explicit HeldDir(const std::string& name)
      : path(fs::temp_directory_path() / (name + "-" + std::to_string(::getpid()))) {
    fs::remove_all(path);
    fs::create_directories(path);
    fd = ::open(path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  }
  ~HeldDir() {
    ::close(fd);
    fs::remove_all(path);
  }
};

TEST(DirectoryMakerTest, ParentsFirstOnceEachAndWhatIsThereCounts) {
  HeldDir base("uvauth-dirmaker");
  fs::create_directories(base.path / "a" / "existing");
  DirectoryMaker dirs(base.fd, base.path.string());
  ASSERT_TRUE(dirs.ensure("a/b/c"));
  ASSERT_TRUE(dirs.ensure("a/b/c"));
  ASSERT_TRUE(dirs.ensure("a/existing/d"));
  ASSERT_TRUE(dirs.ensure(""));
  EXPECT_TRUE(fs::is_directory(base.path / "a" / "b" / "c"));
  EXPECT_TRUE(fs::is_directory(base.path / "a" / "existing" / "d"));
}

TEST(DirectoryMakerTest, AFileInTheWayAndAPathTooDeepAreErrorsNamingThePath) {
  HeldDir base("uvauth-dirmaker-bad");
  std::ofstream(base.path / "file") << "x";
  DirectoryMaker dirs(base.fd, base.path.string());
  auto blocked = dirs.ensure("file/sub");
  ASSERT_FALSE(blocked);
  EXPECT_NE(blocked.error().message.find(base.path.string() + "/file/sub"), std::string::npos) << blocked.error().message;
  // 20,000 levels: refused by the kernel (name too long), not a deep recursion.
  std::string deep;
  for (int i = 0; i < 20000; ++i) deep += i == 0 ? "d" : "/d";
  EXPECT_FALSE(dirs.ensure(deep));
}

}  // namespace
}  // namespace uvauth
