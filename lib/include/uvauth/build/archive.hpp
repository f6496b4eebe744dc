// Source distributions unpacked safely (libarchive): .tar.gz, .tgz, .tar.bz2,
// .tar.xz, .tar and .zip. Nothing is written outside the destination: no
// absolute paths, no `..`, no device files; a symbolic link is made only when
// it stays inside the tree, and only after every file (so no file is written
// through one). Bounded: 100,000 entries, 4 GiB unpacked.
#pragma once

#include <filesystem>
#include <string>

#include "uvauth/error.hpp"

namespace uvauth::build {

// Unpacks `archive` into `destination` (made here; must not exist) and
// returns the source tree: the single top-level directory an sdist has
// (`name-1.0/`), else `destination` itself. Errors name `label`.
Result<std::filesystem::path> unpack_sdist(const std::filesystem::path& archive, const std::filesystem::path& destination,
                                           const std::string& label);

}  // namespace uvauth::build
