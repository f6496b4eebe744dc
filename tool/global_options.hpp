// Flags every command accepts (SPEC §2), and turning them into library settings.
#pragma once

#include <CLI/CLI.hpp>

#include <optional>
#include <string>
#include <vector>

#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"
#include "uvauth/auth/session.hpp"

namespace uvauth::tool {

struct GlobalOptions {
  int verbose = 0;
  bool quiet = false;
  std::string config_file;
  bool no_config = false;
  std::string cache_dir;
  bool no_cache = false;
  bool offline = false;
  std::string keyring_provider;  // disabled|subprocess
  std::vector<std::string> allow_insecure_hosts;
  std::string authenticate;  // auto|always|never
  bool preview = false;                      // --preview
  bool no_preview = false;                   // --no-preview
  std::vector<std::string> preview_features;  // --preview-features
  std::string color = "auto";
  bool json = false;
  bool use_color = false;  // decided once after parsing (resolve_color)
};

void add_global_options(CLI::App& app, GlobalOptions& options);
// Applies verbosity to the logger.
void apply_logging(const GlobalOptions& options);
// The session options the global flags ask for, plus command-line indexes.
auth::SessionOptions session_options(const GlobalOptions& options, std::vector<std::string> indexes = {});

// Decides options.use_color from --color, NO_COLOR / FORCE_COLOR (as uv
// reads them) and whether stderr is a terminal.
void resolve_color(GlobalOptions& options, const config::Environment& env);

// Text in a colour when colour is on: red errors, yellow warnings and hints,
// green additions, red removals, bold names.
enum class Tint { error, warning, hint, added, removed, bold };
[[nodiscard]] std::string paint(const GlobalOptions& options, Tint tint, const std::string& text);

// Prints an error and its hints on stderr; returns the exit code.
int report(const Error& error, const GlobalOptions& options);

}  // namespace uvauth::tool
