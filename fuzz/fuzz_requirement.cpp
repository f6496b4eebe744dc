#include <string_view>

#include "uvauth/pep/requirement.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto requirement = uvauth::pep::Requirement::parse(text);
  if (requirement) {
    // What we print must read back the same.
    auto again = uvauth::pep::Requirement::parse(requirement->to_string());
    if (!again || again->to_string() != requirement->to_string()) __builtin_trap();
  }
  return 0;
}
