// `uvauth cache dir|clean|prune`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"

namespace uvauth::app {

enum class CacheAction { dir, clean, prune };

struct CacheOutcome {
  std::string stdout_text;
  std::string stderr_text;
};

Result<CacheOutcome> run_cache(CacheAction action, std::optional<std::filesystem::path> cache_dir, const config::Environment& env);

}  // namespace uvauth::app
