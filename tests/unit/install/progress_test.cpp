#include <gtest/gtest.h>

#include "uvauth/install/sync.hpp"

namespace uvauth::install {
namespace {

struct ProgressCase {
  SyncProgress progress;
  const char* line;
};

TEST(ProgressTest, RendersABarWithCounts) {
  const ProgressCase cases[] = {
      {{68, 12, 23400000, 68, 0}, "[----------] 12/68 downloaded, 23.4 MB \xC2\xB7 0/68 installed"},
      {{0, 0, 0, 4, 2}, "[#####-----] 2/4 installed"},
      {{2, 2, 1000000, 2, 2}, "[##########] 2/2 downloaded, 1.0 MB \xC2\xB7 2/2 installed"},
      {{0, 0, 0, 0, 0}, "[----------] 0/0 installed"},
  };
  for (const auto& c : cases) EXPECT_EQ(render_progress(c.progress, 10), c.line);
}

}  // namespace
}  // namespace uvauth::install
