#include <string_view>

#include "uvauth/pep/specifiers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const auto split = text.find('\n');
  auto set = uvauth::pep::SpecifierSet::parse(text.substr(0, split));
  if (set && split != std::string_view::npos) {
    (void)set->contains_text(text.substr(split + 1));
    (void)set->contains_text(text.substr(split + 1), true);
    (void)set->to_string();
  }
  return 0;
}
