#include <string_view>

#include "budget.hpp"

#include "uvauth/pep/metadata.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  (void)uvauth::pep::CoreMetadata::parse(std::string_view(reinterpret_cast<const char*>(data), size), "METADATA");
  return 0;
}
