#include <gtest/gtest.h>

#include "uvauth/install/sync.hpp"

namespace uvauth::install {
namespace {

SyncProgress progress(std::size_t to_download, std::size_t downloaded, std::uint64_t bytes, std::size_t to_install,
                      std::size_t installed, std::uint64_t bytes_to_download = 0) {
  SyncProgress p;
  p.to_download = to_download;
  p.downloaded = downloaded;
  p.downloaded_bytes = bytes;
  p.to_install = to_install;
  p.installed = installed;
  p.bytes_to_download = bytes_to_download;
  return p;
}

TEST(ProgressTest, RendersABarWithCounts) {
  const std::pair<SyncProgress, const char*> cases[] = {
      {progress(68, 12, 23400000, 68, 0), "[----------] 12/68 downloaded, 23.4 MB \xC2\xB7 0/68 installed"},
      {progress(0, 0, 0, 4, 2), "[#####-----] 2/4 installed"},
      {progress(2, 2, 1000000, 2, 2), "[##########] 2/2 downloaded, 1.0 MB \xC2\xB7 2/2 installed"},
      {progress(0, 0, 0, 0, 0), "[----------] 0/0 installed"},
      {progress(3, 1, 1500000, 3, 1, 4000000), "[###-------] 1/3 downloaded, 1.5/4.0 MB \xC2\xB7 1/3 installed"},
  };
  for (const auto& [p, line] : cases) EXPECT_EQ(render_progress(p, 10), line);
}

}  // namespace
}  // namespace uvauth::install
