// uv's preview switches, read the way uv reads them: `--preview` /
// `UV_PREVIEW` / `preview = true` turn on every preview feature;
// `--preview-features a,b` / `UV_PREVIEW_FEATURES=a,b` / `preview-features =
// ["a"]` turn on named ones (all sources add up); `--no-preview` turns all
// off. uvauth acts on `native-auth` (the system keychain, shared with uv);
// uv's other feature names are accepted quietly, an unknown one is warned
// about with the closest known name.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"

namespace uvauth::config {

struct PreviewRequest {
  bool all = false;                   // --preview, preview = true
  std::vector<std::string> features;  // each may hold a comma-separated list
};

// Whether `feature` is on, from the command line, the environment and the settings file.
Result<bool> preview_enabled(std::string_view feature, const PreviewRequest& command_line, bool no_preview,
                             const Environment& env, const PreviewRequest& settings);

// uv's preview feature names (kebab-case, with its aliases).
[[nodiscard]] const std::vector<std::string_view>& known_preview_features();

}  // namespace uvauth::config
