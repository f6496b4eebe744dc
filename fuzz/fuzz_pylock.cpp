#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "budget.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/lock/select.hpp"
#include "uvauth/pep/target.hpp"

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
  // PEP 751 selection for a few targets: an error, or one entry per name,
  // each from the lock, with exactly one of its wheels.
  static const auto targets = [] {
    std::vector<uvauth::pep::Target> out;
    for (const auto& [version, platform] : {std::pair{"3.11", "x86_64-manylinux_2_28"}, std::pair{"3.12", "aarch64-apple-darwin"},
                                            std::pair{"3.13", "windows"}}) {
      if (auto t = uvauth::pep::cross_target(version, platform)) out.push_back(std::move(t).value());
    }
    return out;
  }();
  for (const auto& target : targets) {
    auto selected = uvauth::lock::select_for_target(*lock, target, "pylock.toml");
    if (!selected) continue;
    std::set<std::string> names;
    for (const auto& p : selected->packages) {
      if (!names.insert(p.name).second || p.wheels.size() != 1) __builtin_trap();
    }
    if (selected->packages.size() > lock->packages.size()) __builtin_trap();
  }
  return 0;
}
