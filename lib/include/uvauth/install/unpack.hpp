// Unpacking a wheel safely: every entry's path is checked (no `..`, no
// absolute paths, no links), sizes are bounded (zip bombs), and every file's
// sha256 is checked against the wheel's RECORD. The tree is written beside
// its destination and renamed into place only when complete.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <string>

#include "uvauth/error.hpp"
#include "uvauth/pep/version.hpp"

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

// The distribution a wheel must hold: its file name's (and the lock's).
struct ExpectedDistribution {
  std::string name;  // canonical
  pep::Version version;
};

// Unpacks `wheel` into `destination` (which must not exist yet); `source`
// names the wheel in errors. On any error nothing is left at `destination`.
// With `expected`, the wheel's single top-level .dist-info must be that
// distribution's (pip refuses such a wheel too): no wheel installs under
// another project's name.
Result<UnpackedWheel> unpack_wheel(const std::filesystem::path& wheel, const std::filesystem::path& destination,
                                   const std::string& source, const UnpackLimits& limits = {},
                                   const std::optional<ExpectedDistribution>& expected = std::nullopt);

// Reads back what unpack_wheel learnt about an unpacked tree (for a cache hit).
Result<UnpackedWheel> read_unpacked(const std::filesystem::path& root,
                                    const std::optional<ExpectedDistribution>& expected = std::nullopt);

// Ok when `dist_info` ("name-1.0.dist-info") is the expected distribution's.
Status check_dist_info(const std::string& dist_info, const ExpectedDistribution& expected, const std::string& source);

// One row of a RECORD file (CSV: path,hash,size; `"` quoting and `""`
// escapes as Python's csv module writes them).
struct RecordLine {
  std::string hash;
  std::string size;
};
// The one RECORD reader: path -> its row.
[[nodiscard]] std::map<std::string, RecordLine> parse_record(const std::string& text);

// RECORD's hash form: "sha256=" + urlsafe base64 without padding.
[[nodiscard]] std::string record_hash_of_hex(const std::string& sha256_hex);

}  // namespace uvauth::install
