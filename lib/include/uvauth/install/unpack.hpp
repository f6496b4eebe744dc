// Unpacking a wheel safely: every entry's path is checked (no `..`, no
// absolute paths, no links), sizes are bounded (zip bombs), and every file's
// sha256 is checked against the wheel's RECORD. The tree is written beside
// its destination and renamed into place only when complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "uvauth/error.hpp"

namespace uvauth::install {

struct UnpackLimits {
  std::uint64_t max_total_bytes = std::uint64_t{4} << 30;  // uncompressed
  std::uint64_t max_entries = 200000;
};

struct UnpackedWheel {
  std::filesystem::path root;     // the unpacked tree
  std::string dist_info;          // "name-1.0.dist-info"
  bool root_is_purelib = true;
  std::map<std::string, std::string> hashes;  // archive path -> "sha256=<urlsafe b64>" as RECORD writes it
  std::map<std::string, std::uint64_t> sizes;
};

// Unpacks `wheel` into `destination` (which must not exist yet); `source`
// names the wheel in errors. On any error nothing is left at `destination`.
Result<UnpackedWheel> unpack_wheel(const std::filesystem::path& wheel, const std::filesystem::path& destination,
                                   const std::string& source, const UnpackLimits& limits = {});

// Reads back what unpack_wheel learnt about an unpacked tree (for a cache hit).
Result<UnpackedWheel> read_unpacked(const std::filesystem::path& root);

// RECORD's hash form: "sha256=" + urlsafe base64 without padding.
[[nodiscard]] std::string record_hash_of_hex(const std::string& sha256_hex);

}  // namespace uvauth::install
