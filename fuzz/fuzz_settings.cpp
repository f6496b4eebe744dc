#include <string_view>

#include "budget.hpp"
#include "uvauth/config/settings.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)uvauth::config::parse_settings(text, "uv.toml", false);
  (void)uvauth::config::parse_settings(text, "pyproject.toml", true);
  return 0;
}
