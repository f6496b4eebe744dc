// `uvauth cache dir|clean|prune`.
#pragma once

#include <filesystem>
#include <optional>
#include <vector>
#include <string>

#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"

namespace uvauth::app {

enum class CacheAction { dir, clean, prune };

struct CacheOutcome {
  std::string stdout_text;
  std::string stderr_text;
};

// `packages` (clean only, as `uv cache clean NAME...`): only what belongs to
// those projects: their index pages, and the metadata, wheels, unpacked
// trees and sdists of their files.
Result<CacheOutcome> run_cache(CacheAction action, std::optional<std::filesystem::path> cache_dir, const config::Environment& env,
                               const std::vector<std::string>& packages = {});

}  // namespace uvauth::app
