// Freeing large structures off the critical path. A resolution's index
// data (every project's candidates: tens of thousands of small allocations)
// took 3-5 ms to free on the thread that then writes the lock; a thread of
// its own frees it meanwhile. Threads started here are joined at exit.
#pragma once

#include <functional>
#include <memory>

namespace uvauth {

// Runs `free` on a thread of its own (joined at exit, or by
// join_background_frees); runs it here when no thread can be started.
void free_in_background(std::function<void()> free);

// Waits for every free started so far.
void join_background_frees();

template <class T>
void free_in_background(std::unique_ptr<T> what) {
  if (!what) return;
  std::shared_ptr<T> owned(std::move(what));
  free_in_background(std::function<void()>([owned = std::move(owned)]() mutable { owned.reset(); }));
}

}  // namespace uvauth
