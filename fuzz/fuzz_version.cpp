#include <string_view>

#include "uvauth/pep/version.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto version = uvauth::pep::Version::parse(text);
  if (version) {
    // The normal form must parse back to an equal version.
    auto again = uvauth::pep::Version::parse(version->to_string());
    if (!again || !(*again == *version)) __builtin_trap();
  }
  return 0;
}
