#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "uvauth/build/frontend.hpp"

// pyproject.toml as the build frontend reads it ([build-system], static
// [project] metadata, the project's name): never a crash, errors name the file.
extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path root = fs::temp_directory_path() / ("uvauth-fuzz-build-system-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::create_directories(root, ec);
  std::ofstream(root / "pyproject.toml", std::ios::binary | std::ios::trunc)
      .write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  auto system = uvauth::build::read_build_system(root, "fuzzed");
  if (!system && system.error().message.find("pyproject.toml") == std::string::npos &&
      system.error().message.find("fuzzed") == std::string::npos) {
    __builtin_trap();
  }
  (void)uvauth::build::static_metadata(root);
  (void)uvauth::build::static_name(root);
  return 0;
}
