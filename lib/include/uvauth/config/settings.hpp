// Settings files, in uv's schema: `--config-file` (or UV_CONFIG_FILE), else
// `uvauth.toml` / `uv.toml` / `[tool.uv]` of `pyproject.toml` in the working
// directory, then uv's user-level `uv.toml` ($XDG_CONFIG_HOME/uv, else
// ~/.config/uv) below it, as uv merges them; `--project`'s `[tool.uv]` after
// the file given.
//
// Every key is known: a key uvauth honours is read and checked; a uv key
// uvauth does not use is accepted (with a warning when it would change what
// uv installs, a -v note otherwise); anything else is an error naming the
// file, the line and the key, so a typo never falls back to PyPI.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/config/environment.hpp"
#include "uvauth/config/preview.hpp"
#include "uvauth/error.hpp"

namespace uvauth::config {

struct IndexDeclaration {
  std::string name;                         // may be empty
  std::string url;                          // as written (may hold userinfo); a path becomes file://
  bool is_default = false;
  bool is_explicit = false;
  std::optional<std::string> authenticate;  // auto|always|never, validated
  std::string format = "simple";            // simple|flat
  std::optional<std::string> credential_helper;  // a command: `helper get` answers with headers (uvauth's, not uv's)
  std::optional<std::string> cache_control_api;  // uv's `cache-control = { api = "..." }`: the Cache-Control its pages are taken to have
  std::string origin;                       // "file:line", for messages
};

// A string with where it was written.
struct Located {
  std::string value;
  std::string origin;  // "file:line"
};

struct Settings {
  std::vector<IndexDeclaration> indexes;
  std::optional<Located> index_url;           // `index-url` (also in [pip]): the default index
  std::vector<Located> extra_index_urls;      // `extra-index-url`
  std::vector<Located> find_links;            // `find-links`
  bool no_index = false;                      // `no-index`
  std::optional<std::string> keyring_provider;  // disabled|subprocess
  std::optional<std::string> prerelease;      // allow|disallow|if-necessary|explicit|if-necessary-or-explicit
  std::optional<Located> link_mode;           // `link-mode` (also in [pip]): clone|hardlink|copy
  std::vector<std::string> allow_insecure_hosts;
  std::optional<std::string> cache_dir;       // `cache-dir`
  std::optional<bool> offline;                // `offline`
  std::optional<bool> no_cache;               // `no-cache`
  std::vector<Located> constraint_dependencies;  // PEP 508 strings, checked where they are used
  std::vector<Located> override_dependencies;
  std::vector<Located> dev_dependencies;      // legacy [tool.uv] dev-dependencies: the `dev` group
  bool require_hashes = false;                // [pip] require-hashes
  std::vector<Located> environments;          // `environments`: the marker space of universal locks
  std::vector<Located> required_environments;  // `required-environments`: each must have wheels
  PreviewRequest preview;                     // `preview`, `preview-features`
  std::optional<std::filesystem::path> file;  // the first file they came from
  std::vector<std::filesystem::path> files;   // every file read, in order
};

struct SettingsSource {
  std::optional<std::filesystem::path> config_file;  // --config-file
  bool no_config = false;                             // --no-config: discover no file (--project is still read)
  // --project: its `[tool.uv]` indexes follow those of the settings file, so
  // one pyproject feeds uv and a CMake-generated config alike.
  std::optional<std::filesystem::path> project_file;
  std::filesystem::path working_directory = ".";
  // uv's user-level uv.toml; read below a discovered project file (not with
  // --config-file, which replaces discovery, nor with --no-config).
  std::optional<std::filesystem::path> user_file;
};

Result<Settings> load_settings(const SettingsSource& source);
// `in_pyproject`: read `[tool.uv]` rather than the top level.
Result<Settings> parse_settings(std::string_view text, const std::string& source_name, bool in_pyproject);

// uv's user-level settings file: $XDG_CONFIG_HOME/uv/uv.toml, else ~/.config/uv/uv.toml.
[[nodiscard]] std::optional<std::filesystem::path> user_settings_file(const Environment& env);

// Lower-priority settings appended below `high` (uv's merge: scalars from
// `high` when set, lists concatenated with `high` first).
void merge_below(Settings& high, Settings low);

}  // namespace uvauth::config
