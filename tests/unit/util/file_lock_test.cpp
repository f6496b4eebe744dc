#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"

namespace uvauth {
namespace {
namespace fs = std::filesystem;

// Seen: two Git requirements of one repository, resolved on two threads of
// one process, printed "waiting for another process that holds the lock".
TEST(FileLockTest, ThreadsOfOneProcessQueueSilently) {
  const fs::path dir = fs::temp_directory_path() / ("uvauth-lock-test-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::vector<std::string> lines;
  std::mutex lines_mutex;
  logger().set_sink([&](std::string_view line) {
    std::lock_guard guard(lines_mutex);
    lines.emplace_back(line);
  });
  std::atomic<int> inside{0};
  std::atomic<int> most{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int round = 0; round < 5; ++round) {
        auto lock = FileLock::acquire(dir / "x.lock", "test cache", std::chrono::seconds(10));
        ASSERT_TRUE(lock.ok()) << lock.error().message;
        const int now = ++inside;
        int seen = most.load();
        while (now > seen && !most.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
        --inside;
      }
    });
  }
  for (auto& t : threads) t.join();
  logger().set_sink({});
  EXPECT_EQ(most.load(), 1) << "the lock let two threads in";
  EXPECT_TRUE(lines.empty()) << lines.front();
  fs::remove_all(dir);
}

TEST(FileLockTest, AHeldLockTimesOutWithTheThingNamed) {
  const fs::path dir = fs::temp_directory_path() / ("uvauth-lock-test2-" + std::to_string(::getpid()));
  auto held = FileLock::acquire(dir / "y.lock", "test cache");
  ASSERT_TRUE(held.ok());
  std::thread other([&] {
    auto again = FileLock::acquire(dir / "y.lock", "test cache", std::chrono::milliseconds(50));
    ASSERT_FALSE(again.ok());
    EXPECT_NE(again.error().message.find("timed out waiting for the lock on the test cache"), std::string::npos);
  });
  other.join();
  { auto moved = std::move(*held); }  // released when the moved-to lock goes
  auto after = FileLock::acquire(dir / "y.lock", "test cache", std::chrono::milliseconds(50));
  EXPECT_TRUE(after.ok());
  fs::remove_all(dir);
}

}  // namespace
}  // namespace uvauth
