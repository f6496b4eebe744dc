// Settings files: uv.toml's schema (`[[index]]`, `keyring-provider`), read
// from `--config-file`, else `uvauth.toml` or `uv.toml` in the working
// directory, else `[tool.uv]` of `pyproject.toml` there.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/error.hpp"

namespace uvauth::config {

struct IndexDeclaration {
  std::string name;                         // may be empty
  std::string url;                          // as written (may hold userinfo)
  bool is_default = false;
  bool is_explicit = false;
  std::optional<std::string> authenticate;  // auto|always|never, validated
  std::string format = "simple";            // simple|flat
  std::string origin;                       // "file:line", for messages
};

struct Settings {
  std::vector<IndexDeclaration> indexes;
  std::optional<std::string> keyring_provider;  // disabled|subprocess
  std::optional<std::filesystem::path> file;    // the file they came from
};

struct SettingsSource {
  std::optional<std::filesystem::path> config_file;  // --config-file
  bool no_config = false;                             // --no-config: discover no file (--project is still read)
  // --project: its `[tool.uv]` indexes follow those of the settings file, so
  // one pyproject feeds uv and a CMake-generated config alike.
  std::optional<std::filesystem::path> project_file;
  std::filesystem::path working_directory = ".";
};

Result<Settings> load_settings(const SettingsSource& source);
// `in_pyproject`: read `[tool.uv]` rather than the top level.
Result<Settings> parse_settings(std::string_view text, const std::string& source_name, bool in_pyproject);

}  // namespace uvauth::config
