#include "uvauth/free_later.hpp"

#include <mutex>
#include <system_error>
#include <thread>
#include <vector>

namespace uvauth {

namespace {

struct Reaper {
  std::mutex mutex;
  std::vector<std::thread> threads;
  ~Reaper() { join(); }
  void join() {
    std::vector<std::thread> running;
    {
      std::lock_guard lock(mutex);
      running.swap(threads);
    }
    for (auto& t : running) t.join();
  }
};

Reaper& reaper() {
  static Reaper instance;
  return instance;
}

}  // namespace

void free_in_background(std::function<void()> free) {
  Reaper& r = reaper();
  std::lock_guard lock(r.mutex);
  r.threads.reserve(r.threads.size() + 1);  // push_back cannot throw below
  try {
    r.threads.emplace_back(std::move(free));
  } catch (const std::system_error&) {
    // No thread to be had: what `free` held went with the failed start.
  }
}

void join_background_frees() { reaper().join(); }

}  // namespace uvauth
