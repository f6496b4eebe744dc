#include <string_view>

#include "budget.hpp"
#include "uvauth/lock/pylock.hpp"

// A lock read from disk: parsed, and when accepted serialized and parsed again
// to the same content (and every sha256 in it is a checked digest).
extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  auto lock = uvauth::lock::Lock::parse(std::string_view(reinterpret_cast<const char*>(data), size), "pylock.toml");
  if (!lock) return 0;
  for (const auto& p : lock->packages) {
    for (const auto& w : p.wheels) {
      if (w.sha256.size() != 64 || w.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) __builtin_trap();
    }
  }
  auto again = uvauth::lock::Lock::parse(lock->serialize(), "again.toml");
  if (!again || !again->same_content(*lock)) __builtin_trap();
  return 0;
}
