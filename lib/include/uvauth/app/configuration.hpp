// The one configuration pass every command makes: the command line (already
// in its arguments), then uv's environment variables, then the settings
// files, into the options below `app/` uses. What the command line says wins.
#pragma once

#include <filesystem>
#include <optional>

#include "uvauth/auth/session.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/config/settings.hpp"
#include "uvauth/config/variables.hpp"

namespace uvauth::app {

struct CommonOptions {
  auth::SessionOptions* session = nullptr;  // settings source in, loaded settings out
  std::optional<std::string>* project = nullptr;  // --project: a pyproject.toml or, as in uv, its directory
  std::optional<std::filesystem::path>* cache_dir = nullptr;
  bool* no_cache = nullptr;
  bool* offline = nullptr;
  // --link-mode, for the commands that install: filled from UV_LINK_MODE,
  // then the settings' `link-mode`, else "clone"; checked wherever it came from.
  std::optional<std::string>* link_mode = nullptr;
};

struct Configuration {
  config::UvEnvironment uv;
  config::Settings settings;
};

// Applies UV_CONFIG_FILE / UV_NO_CONFIG, loads the settings (uv's user-level
// file included), then fills the cache and network options from the
// variables and the settings where the command line left them unset.
Result<Configuration> configure(const CommonOptions& options, const config::Environment& env);

}  // namespace uvauth::app
