// Every environment variable uvauth reads, in one table (the README's list is
// checked against it by a test), and the uv variables that stand for
// command-line options, read once into typed values.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"

namespace uvauth::config {

struct VariableDoc {
  std::string_view name;     // "UV_INDEX_<NAME>_USERNAME" for a family
  std::string_view meaning;  // one line
};

// The table, in the README's order.
[[nodiscard]] const std::vector<VariableDoc>& environment_variables();

// uv's variables for options: the command line wins over each of them.
struct UvEnvironment {
  std::optional<std::string> default_index;       // UV_DEFAULT_INDEX
  std::optional<std::string> index_url;           // UV_INDEX_URL
  std::vector<std::string> indexes;               // UV_INDEX: space-separated [name=]url
  std::vector<std::string> extra_index_urls;      // UV_EXTRA_INDEX_URL: space-separated
  std::vector<std::string> find_links;            // UV_FIND_LINKS: comma-separated
  std::vector<std::string> constraints;           // UV_CONSTRAINT: space-separated files
  bool no_index = false;                          // UV_NO_INDEX
  bool offline = false;                           // UV_OFFLINE
  bool no_cache = false;                          // UV_NO_CACHE
  bool no_config = false;                         // UV_NO_CONFIG
  std::optional<std::filesystem::path> cache_dir;    // UV_CACHE_DIR (uvauth's cache lives in its `uvauth` folder)
  std::optional<std::filesystem::path> config_file;  // UV_CONFIG_FILE
  std::optional<std::string> python;              // UV_PYTHON
  std::optional<std::string> prerelease;          // UV_PRERELEASE
  std::optional<std::string> link_mode;           // UV_LINK_MODE
  bool locked = false;                            // UV_LOCKED
  bool frozen = false;                            // UV_FROZEN
};

// Errors name the variable: a boolean must be one of uv's words (1/0,
// true/false, yes/no, on/off, t/f, y/n).
Result<UvEnvironment> read_uv_environment(const Environment& env);

// `text` split at `delimiter`, each part trimmed, empty parts dropped.
[[nodiscard]] std::vector<std::string> split_list(const std::string& text, char delimiter);

// A boolean variable as uv reads it; nullopt when unset or empty.
Result<std::optional<bool>> read_flag(const Environment& env, std::string_view name);

}  // namespace uvauth::config
