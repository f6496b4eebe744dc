#include <string>
#include <string_view>

#include "budget.hpp"

#include "uvauth/pep/requirements_txt.hpp"

// The input is the main file; it may include itself or "other.txt" (also the input).
extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  const std::string text(reinterpret_cast<const char*>(data), size);
  const uvauth::pep::FileLoader load = [&](const std::filesystem::path&) -> uvauth::Result<std::string> { return text; };
  const uvauth::pep::EnvironmentLookup env = [](std::string_view name) -> std::optional<std::string> {
    if (name == "HOST") return std::string("pypi.example");
    return std::nullopt;
  };
  (void)uvauth::pep::parse_requirements_txt("/fuzz/requirements.txt", load, env);
  return 0;
}
