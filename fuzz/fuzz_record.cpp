#include <string>

#include "budget.hpp"
#include "uvauth/install/unpack.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  (void)uvauth::install::parse_record(std::string(reinterpret_cast<const char*>(data), size));
  return 0;
}
