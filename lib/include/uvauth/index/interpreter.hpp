// Asking a Python interpreter what it is (once: the answer is cached by the
// interpreter's path and modification time).
#pragma once

#include <filesystem>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/pep/target.hpp"

namespace uvauth::index {

Result<pep::Target> query_interpreter(const std::filesystem::path& python, const cache::CacheDir& cache);

}  // namespace uvauth::index
