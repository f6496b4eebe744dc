// GitReference::parse: what it accepts is safe to hand to git (no option-like
// or escaping revision, no escaping subdirectory, no userinfo in what is
// stored), and what it prints reads back the same, without the userinfo.
#include <filesystem>
#include <string>
#include <string_view>

#include "uvauth/git/git.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto ref = uvauth::git::GitReference::parse(text);
  if (!ref) {
    if (ref.error().message.empty()) __builtin_trap();
    return 0;
  }
  if (!ref->rev.empty() && (ref->rev.front() == '-' || ref->rev.find("..") != std::string::npos)) __builtin_trap();
  if (!ref->subdirectory.empty() && ref->subdirectory.front() == '/') __builtin_trap();
  for (const auto& part : std::filesystem::path(ref->subdirectory)) {
    if (part == "..") __builtin_trap();
  }
  if (ref->repository.empty() || ref->repository.front() == '-') __builtin_trap();
  const std::string printed = ref->requirement_url();
  if (printed.size() > 4096) return 0;  // encoding made it longer than parse takes
  auto again = uvauth::git::GitReference::parse(printed);
  if (!again || again->repository != ref->repository || again->rev != ref->rev || again->subdirectory != ref->subdirectory ||
      again->scheme != ref->scheme || again->password || (again->is_http() && !again->username.empty()) || again->requirement_url() != printed) {
    __builtin_trap();
  }
  return 0;
}
