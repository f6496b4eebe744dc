// A time budget per input byte: a parser that is not linear in its input
// (the quadratic HTML scan of `<a href=x ` with no `>`) is a finding, not a
// slow run. Generous for sanitizer builds, far below any quadratic blow-up
// at the lengths the fuzzers use.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdio>

class LinearBudget {
 public:
  explicit LinearBudget(std::size_t size) : size_(size), start_(std::chrono::steady_clock::now()) {}
  ~LinearBudget() {
    const auto elapsed = std::chrono::steady_clock::now() - start_;
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
  std::size_t size_;
  std::chrono::steady_clock::time_point start_;
};
