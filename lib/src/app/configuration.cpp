#include "uvauth/app/configuration.hpp"

#include "uvauth/log.hpp"
#include "uvauth/text.hpp"

namespace uvauth::app {

Result<Configuration> configure(const CommonOptions& o, const config::Environment& env) {
  Configuration out;
  UVAUTH_TRY_ASSIGN(out.uv, config::read_uv_environment(env));
  config::SettingsSource& source = o.session->settings_source;
  std::error_code ec;
  if (o.project && *o.project && std::filesystem::is_directory(**o.project, ec)) {
    *o.project = (std::filesystem::path(**o.project) / "pyproject.toml").string();
  }
  if (o.project && *o.project) source.project_file = **o.project;
  if (!source.config_file && out.uv.config_file) source.config_file = out.uv.config_file;
  source.no_config = source.no_config || out.uv.no_config;
  if (!source.user_file) source.user_file = config::user_settings_file(env);
  UVAUTH_TRY_ASSIGN(out.settings, config::load_settings(source));
  for (const auto& file : out.settings.files) UVAUTH_DEBUG("settings read from " << file.string());
  o.session->settings = out.settings;

  *o.offline = *o.offline || out.uv.offline || out.settings.offline.value_or(false);
  *o.no_cache = *o.no_cache || out.uv.no_cache || out.settings.no_cache.value_or(false);
  // --cache-dir, then UVAUTH_CACHE_DIR (read by the cache layer), then uv's
  // cache directory (uvauth keeps its own folder inside), then the settings.
  if (!*o.cache_dir && !env.get_nonempty("UVAUTH_CACHE_DIR")) {
    if (out.uv.cache_dir) {
      *o.cache_dir = *out.uv.cache_dir / "uvauth";
    } else if (out.settings.cache_dir) {
      *o.cache_dir = std::filesystem::path(*out.settings.cache_dir) / "uvauth";
    }
  }
  if (o.link_mode) {
    std::string from = "--link-mode";
    if (!*o.link_mode && out.uv.link_mode) {
      *o.link_mode = out.uv.link_mode;
      from = "UV_LINK_MODE";
    } else if (!*o.link_mode && out.settings.link_mode) {
      *o.link_mode = out.settings.link_mode->value;
      from = out.settings.link_mode->origin;
    }
    if (!*o.link_mode) *o.link_mode = "clone";
    const std::string& mode = **o.link_mode;
    if (mode == "symlink") {
      return Error(ErrorKind::usage, from + ": the symlink link mode is not supported by uvauth (an edit or a `uvauth cache clean` would reach every target)")
          .with_hint("use clone, hardlink or copy");
    }
    if (mode != "clone" && mode != "hardlink" && mode != "copy") {
      return Error(ErrorKind::usage, from + " must be clone, hardlink or copy, not '" + escape_nonprintable(mode) + "'");
    }
  }
  return out;
}

}  // namespace uvauth::app
