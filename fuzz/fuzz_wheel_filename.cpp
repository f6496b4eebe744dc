#include <string_view>

#include "uvauth/pep/wheel_filename.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)uvauth::pep::WheelFilename::parse(text);
  (void)uvauth::pep::compatible_platforms(text);
  return 0;
}
