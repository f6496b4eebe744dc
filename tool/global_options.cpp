#include "global_options.hpp"

#include <unistd.h>

#include <iostream>

#include "uvauth/log.hpp"
#include "uvauth/text.hpp"

namespace uvauth::tool {

void add_global_options(CLI::App& app, GlobalOptions& options) {
  app.add_flag("-v,--verbose", options.verbose, "More output: -v debug (decisions), -vv trace (every request); secrets show as ****");
  app.add_flag("-q,--quiet", options.quiet, "Only errors");
  app.add_option("--config-file", options.config_file, "Read settings from this uv.toml-style file")->check(CLI::ExistingFile);
  app.add_flag("--no-config", options.no_config, "Read no configuration file");
  app.add_option("--cache-dir", options.cache_dir, "Cache directory");
  app.add_flag("--no-cache", options.no_cache, "Use no cache");
  app.add_flag("--offline", options.offline, "Never touch the network");
  app.add_option("--keyring-provider", options.keyring_provider, "Use the `keyring` executable for credentials")
      ->check(CLI::IsMember({"disabled", "subprocess"}));
  app.add_option("--allow-insecure-host", options.allow_insecure_hosts,
                 "Skip TLS verification for this host[:port] (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  app.add_option("--authenticate", options.authenticate, "Policy for URLs outside every declared index")
      ->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("--preview", options.preview, "Turn on every preview feature (as uv's --preview)");
  app.add_flag("--no-preview", options.no_preview, "Turn off every preview feature");
  app.add_option("--preview-features", options.preview_features,
                 "Turn on preview features, e.g. native-auth (the system keychain shared with uv)")
      ->expected(1)->allow_extra_args(false)->take_all();
  app.add_option("--color", options.color, "Colour output")->check(CLI::IsMember({"auto", "always", "never"}));
  app.add_flag("--json", options.json, "Machine-readable output");
}

void apply_logging(const GlobalOptions& options) {
  Verbosity verbosity = Verbosity::normal;
  if (options.quiet) verbosity = Verbosity::quiet;
  if (options.verbose == 1) verbosity = Verbosity::debug;
  if (options.verbose >= 2) verbosity = Verbosity::trace;
  logger().set_verbosity(verbosity);
}

auth::SessionOptions session_options(const GlobalOptions& options, std::vector<std::string> indexes) {
  auth::SessionOptions session;
  if (!options.config_file.empty()) session.settings_source.config_file = options.config_file;
  session.settings_source.no_config = options.no_config;
  if (!options.keyring_provider.empty()) session.keyring_provider = options.keyring_provider;
  if (!options.authenticate.empty()) session.authenticate = options.authenticate;
  session.allow_insecure_hosts = options.allow_insecure_hosts;
  session.preview.all = options.preview;
  session.preview.features = options.preview_features;
  session.no_preview = options.no_preview;
  session.indexes = std::move(indexes);
  return session;
}

void resolve_color(GlobalOptions& options, const config::Environment& env) {
  if (options.color == "always") {
    options.use_color = true;
  } else if (options.color == "never") {
    options.use_color = false;
  } else if (env.get_nonempty("NO_COLOR")) {
    options.use_color = false;
  } else if (env.get_nonempty("FORCE_COLOR") || env.get_nonempty("CLICOLOR_FORCE")) {
    options.use_color = true;
  } else {
    const auto term = env.get("TERM");
    options.use_color = ::isatty(STDERR_FILENO) != 0 && !(term && *term == "dumb");
  }
}

std::string paint(const GlobalOptions& options, Tint tint, const std::string& text) {
  if (!options.use_color) return text;
  const char* code = "";
  switch (tint) {
    case Tint::error: code = "\033[1;31m"; break;
    case Tint::warning: code = "\033[1;33m"; break;
    case Tint::hint: code = "\033[1;36m"; break;
    case Tint::added: code = "\033[32m"; break;
    case Tint::removed: code = "\033[31m"; break;
    case Tint::bold: code = "\033[1m"; break;
  }
  return code + text + "\033[0m";
}

int report(const Error& error, const GlobalOptions& options) {
  // Messages quote servers and files: their control characters are escaped.
  std::cerr << paint(options, Tint::error, "error") << ": " << escape_nonprintable(redact_userinfo_in_text(error.message)) << '\n';
  for (const auto& hint : error.hints) {
    std::cerr << paint(options, Tint::hint, "hint") << ": " << escape_nonprintable(redact_userinfo_in_text(hint)) << '\n';
  }
  return error.exit_code();
}

}  // namespace uvauth::tool
