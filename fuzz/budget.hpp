// A time budget per input byte: a parser that is not linear in its input
// (the quadratic HTML scan of `<a href=x ` with no `>`) is a finding, not a
// slow run. Generous for sanitizer builds, far below any quadratic blow-up
// at the lengths the fuzzers use. The clock is this thread's CPU time, not
// the wall clock: on a loaded 2-core CI machine a run descheduled for a
// quarter of a second is not a finding (CI once trapped on exactly that).
#pragma once

#include <chrono>
#include <ctime>
#include <cstddef>
#include <cstdio>

class LinearBudget {
 public:
  explicit LinearBudget(std::size_t size) : size_(size), start_(cpu_now()) {}
  ~LinearBudget() {
    const auto elapsed = cpu_now() - start_;
    const auto budget = std::chrono::milliseconds(200) + std::chrono::microseconds(40) * static_cast<long>(size_);
    if (elapsed > budget) {
      std::fprintf(stderr, "over the linear time budget: %zu bytes took %lld ms\n", size_,
                   static_cast<long long>(std::chrono::duration_cast<std::chrono::milliseconds>(elapsed).count()));
      __builtin_trap();
    }
  }
  LinearBudget(const LinearBudget&) = delete;
  LinearBudget& operator=(const LinearBudget&) = delete;

 private:
  static std::chrono::nanoseconds cpu_now() {
    timespec ts{};
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return std::chrono::seconds(ts.tv_sec) + std::chrono::nanoseconds(ts.tv_nsec);
  }

  std::size_t size_;
  std::chrono::nanoseconds start_;
};
