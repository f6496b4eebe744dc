#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "uvauth/build/archive.hpp"

// A source archive (tar, gzip, zip, ...): never a crash, never a file
// outside the destination; a refusal names the archive's label.
extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  namespace fs = std::filesystem;
  static const fs::path root = fs::temp_directory_path() / ("uvauth-fuzz-sdist-" + std::to_string(::getpid()));
  std::error_code ec;
  fs::remove_all(root, ec);
  fs::create_directories(root / "in", ec);
  const fs::path archive = root / "in" / "x-1.0.tar.gz";
  std::ofstream(archive, std::ios::binary).write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  auto tree = uvauth::build::unpack_sdist(archive, root / "out", "fuzzed 1.0");
  if (!tree && tree.error().message.find("fuzzed 1.0") == std::string::npos) __builtin_trap();
  // Only `in` and `out` at the top: nothing escaped.
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const auto name = entry.path().filename();
    if (name != "in" && name != "out") __builtin_trap();
  }
  fs::remove_all(root, ec);
  return 0;
}
