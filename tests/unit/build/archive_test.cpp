// Source archives unpacked safely: hostile entries are refused with the
// archive's label, nothing lands outside the destination.
#include <archive.h>
#include <archive_entry.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "temp_home.hpp"
#include "uvauth/build/archive.hpp"

namespace fs = std::filesystem;
using uvauth::build::unpack_sdist;

namespace {

struct Entry {
  Entry(std::string p, std::string c, unsigned t = AE_IFREG, std::string l = {}, bool h = false)
      : path(std::move(p)), content(std::move(c)), type(t), link(std::move(l)), hardlink(h) {}
  std::string path;
  std::string content;
  unsigned type;
  std::string link;  // symlink target or hard link source
  bool hardlink;
};

fs::path write_tar(const fs::path& file, const std::vector<Entry>& entries, bool zip = false) {
  archive* a = archive_write_new();
  if (zip) {
    archive_write_set_format_zip(a);
  } else {
    archive_write_add_filter_gzip(a);
    archive_write_set_format_pax_restricted(a);
  }
  archive_write_open_filename(a, file.c_str());
  for (const auto& e : entries) {
    archive_entry* entry = archive_entry_new();
    archive_entry_set_pathname(entry, e.path.c_str());
    archive_entry_set_filetype(entry, e.type);
    archive_entry_set_perm(entry, 0644);
    if (e.hardlink) archive_entry_set_hardlink(entry, e.link.c_str());
    if (e.type == AE_IFLNK) archive_entry_set_symlink(entry, e.link.c_str());
    archive_entry_set_size(entry, e.type == AE_IFREG && !e.hardlink ? static_cast<la_int64_t>(e.content.size()) : 0);
    archive_write_header(a, entry);
    if (e.type == AE_IFREG && !e.hardlink) archive_write_data(a, e.content.data(), e.content.size());
    archive_entry_free(entry);
  }
  archive_write_close(a);
  archive_write_free(a);
  return file;
}

}  // namespace

TEST(SdistArchiveTest, AnSdistsTopDirectoryIsTheTree) {
  uvauth::testing::TempHome home;
  auto tar = write_tar(home.path() / "pkg-1.0.tar.gz", {{"pkg-1.0/PKG-INFO", "Metadata-Version: 2.2\n"},
                                                        {"pkg-1.0/src/pkg.py", "X = 1\n"},
                                                        {"pkg-1.0/link.py", "", AE_IFLNK, "src/pkg.py"}});
  auto tree = unpack_sdist(tar, home.path() / "out", "pkg 1.0");
  ASSERT_TRUE(tree.ok()) << tree.error().message;
  EXPECT_EQ(tree->filename(), "pkg-1.0");
  EXPECT_TRUE(fs::exists(*tree / "src" / "pkg.py"));
  EXPECT_TRUE(fs::is_symlink(*tree / "link.py"));
}

TEST(SdistArchiveTest, HostileEntriesAreRefusedAndNothingLandsOutside) {
  uvauth::testing::TempHome home;
  const std::vector<std::pair<std::vector<Entry>, std::string>> cases = {
      {{{"../evil.py", "x"}}, "a path outside the tree"},
      {{{"pkg/../../evil.py", "x"}}, "a path outside the tree"},
      {{{"/tmp/evil.py", "x"}}, "a path outside the tree"},
      {{{"pkg/l", "", AE_IFLNK, "/etc"}}, "points outside the tree"},
      {{{"pkg/l", "", AE_IFLNK, "../../.."}}, "points outside the tree"},
      {{{"pkg/dev", "", AE_IFCHR}}, "not a file or directory"},
      {{{"pkg/a.py", "1"}, {"pkg/a.py", "2"}}, "names it twice"},
      {{{"pkg/h", "", AE_IFREG, "../../etc/passwd", true}}, "hard link"},
  };
  int n = 0;
  for (const auto& [entries, message] : cases) {
    const auto tar = write_tar(home.path() / ("bad" + std::to_string(n) + ".tar.gz"), entries);
    const auto out = home.path() / ("out" + std::to_string(n++));
    auto tree = unpack_sdist(tar, out, "evil 6.6");
    ASSERT_FALSE(tree.ok()) << entries.front().path;
    EXPECT_NE(tree.error().message.find("evil 6.6"), std::string::npos) << tree.error().message;
    EXPECT_NE(tree.error().message.find(message), std::string::npos) << tree.error().message;
  }
  EXPECT_FALSE(fs::exists(home.path() / "evil.py"));
  EXPECT_FALSE(fs::exists(fs::path("/tmp/evil.py")));
}

TEST(SdistArchiveTest, ZipSdistsAndGarbage) {
  uvauth::testing::TempHome home;
  auto zip = write_tar(home.path() / "z-1.0.zip", {{"z-1.0/setup.py", "print()\n"}}, true);
  auto tree = unpack_sdist(zip, home.path() / "zout", "z 1.0");
  ASSERT_TRUE(tree.ok()) << tree.error().message;
  EXPECT_TRUE(fs::exists(*tree / "setup.py"));
  std::ofstream(home.path() / "junk.tar.gz") << "this is not an archive at all";
  auto junk = unpack_sdist(home.path() / "junk.tar.gz", home.path() / "jout", "junk 1.0");
  ASSERT_FALSE(junk.ok());
  EXPECT_NE(junk.error().message.find("junk 1.0"), std::string::npos) << junk.error().message;
}
