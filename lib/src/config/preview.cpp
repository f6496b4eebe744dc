#include "uvauth/config/preview.hpp"

#include <algorithm>
#include <mutex>
#include <set>

#include "uvauth/config/variables.hpp"
#include "uvauth/log.hpp"
#include "uvauth/text.hpp"

namespace uvauth::config {
namespace {

std::vector<std::string> names_in(const std::vector<std::string>& lists) {
  std::vector<std::string> out;
  for (const auto& list : lists) {
    for (auto& name : split_list(list, ',')) out.push_back(std::move(name));
  }
  return out;
}

void warn_unknown(const std::string& name, std::string_view where) {
  static std::mutex mutex;
  static std::set<std::string> warned;
  std::lock_guard lock(mutex);
  if (!warned.insert(name).second) return;
  const std::string best = closest_match(name, known_preview_features());
  UVAUTH_WARN("Unknown preview feature: `" << escape_nonprintable(name) << "` (in " << where << ")"
                                          << (best.empty() ? std::string() : "; did you mean `" + best + "`?"));
}

}  // namespace

const std::vector<std::string_view>& known_preview_features() {
  static const std::vector<std::string_view> names = {
      "python-install-default", "json-output", "pylock", "add-bounds", "package-conflicts",
      "extra-build-dependencies", "detect-module-conflicts", "format-command", "format", "native-auth",
      "s3-endpoint", "cache-size", "cache-physical-space", "init-project-flag", "workspace-metadata",
      "workspace-dir", "workspace-list", "sbom-export", "auth-helper", "direct-publish",
      "target-workspace-discovery", "metadata-json", "gcs-endpoint", "adjust-ulimit",
      "special-conda-env-names", "relocatable-envs-default", "publish-require-normalized", "audit-command",
      "audit", "project-directory-must-exist", "index-exclude-newer", "azure-endpoint",
      "toml-backwards-compatibility", "malware-check", "venv-safe-clear", "check-command", "packaged-init",
      "centralized-project-envs", "tool-install-locks", "workspace-list-scripts", "no-distutils-patch",
      "index-hash-algorithm", "lockfile-format-check", "lock-without-metadata", "tar-codec", "index-by-name",
      "artifact-hash-filtering"};
  return names;
}

Result<bool> preview_enabled(std::string_view feature, const PreviewRequest& command_line, bool no_preview,
                             const Environment& env, const PreviewRequest& settings) {
  UVAUTH_TRY_ASSIGN(auto env_all, read_flag(env, "UV_PREVIEW"));
  std::vector<std::string> env_lists;
  if (auto v = env.get_nonempty("UV_PREVIEW_FEATURES")) env_lists.push_back(*v);
  bool on = false;
  const std::pair<std::vector<std::string>, std::string_view> places[] = {
      {names_in(command_line.features), "--preview-features"},
      {names_in(env_lists), "UV_PREVIEW_FEATURES"},
      {names_in(settings.features), "the settings file's preview-features"}};
  for (const auto& [names, where] : places) {
    for (const auto& name : names) {
      const auto& known = known_preview_features();
      if (std::find(known.begin(), known.end(), name) == known.end()) warn_unknown(name, where);
      if (name == feature) on = true;
    }
  }
  if (no_preview) return false;
  return on || command_line.all || env_all.value_or(false) || settings.all;
}

}  // namespace uvauth::config
