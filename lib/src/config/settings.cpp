#include "uvauth/config/settings.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "uvauth/config/toml.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"
#include "uvauth/text.hpp"

namespace uvauth::config {
namespace fs = std::filesystem;
namespace {

using std::string_view_literals::operator""sv;

// uv settings that uvauth does not use, by what ignoring them means. Those
// that change what uv would resolve or install are warned about; the others
// (output, downloads of Python, publishing, concurrency) are a -v note.
constexpr std::array ignored_with_warning = {
    "resolution"sv, "prerelease-package"sv, "fork-strategy"sv, "index-strategy"sv, "dependency-metadata"sv,
    "exclude-newer"sv, "exclude-newer-package"sv, "no-build"sv, "no-build-package"sv, "no-binary"sv,
    "no-binary-package"sv, "only-binary"sv, "upgrade"sv, "upgrade-package"sv, "reinstall"sv, "reinstall-package"sv,
    "no-sources"sv, "no-sources-package"sv, "exclude-dependencies"sv, "build-constraint-dependencies"sv,
    "conflicts"sv, "default-groups"sv, "dependency-groups"sv,
    "torch-backend"sv, "config-settings"sv, "config-settings-package"sv, "no-build-isolation"sv,
    "no-build-isolation-package"sv, "extra-build-dependencies"sv, "extra-build-variables"sv, "no-deps"sv,
    "extra"sv, "all-extras"sv, "no-extra"sv, "group"sv, "python-version"sv, "python-platform"sv, "universal"sv,
    "verify-hashes"sv, "strict"sv, "python"sv, "system"sv, "break-system-packages"sv, "target"sv, "prefix"sv,
};
constexpr std::array ignored_quietly = {
    "required-version"sv, "system-certs"sv, "native-tls"sv,
    "python-preference"sv, "python-downloads"sv, "concurrent-downloads"sv, "concurrent-builds"sv,
    "concurrent-installs"sv, "http-proxy"sv, "https-proxy"sv, "no-proxy"sv, "compile-bytecode"sv,
    "python-install-mirror"sv, "pypy-install-mirror"sv, "python-downloads-json-url"sv, "publish-url"sv,
    "trusted-publishing"sv, "check-url"sv, "add-bounds"sv, "audit"sv, "cache-keys"sv, "workspace"sv,
    "managed"sv, "package"sv, "build-backend"sv, "sources"sv,  // [tool.uv.sources] is read with the project
    "output-file"sv, "no-strip-extras"sv, "no-strip-markers"sv, "no-annotate"sv, "no-header"sv,
    "custom-compile-command"sv, "generate-hashes"sv, "no-emit-package"sv, "emit-index-url"sv, "emit-find-links"sv,
    "emit-build-options"sv, "emit-marker-expression"sv, "emit-index-annotation"sv, "annotation-style"sv,
    "allow-empty-requirements"sv,
};
// What uvauth reads (top level and [pip]).
constexpr std::array honoured = {
    "index"sv, "index-url"sv, "extra-index-url"sv, "find-links"sv, "no-index"sv, "keyring-provider"sv,
    "prerelease"sv, "allow-insecure-host"sv, "cache-dir"sv, "offline"sv, "no-cache"sv,
    "constraint-dependencies"sv, "override-dependencies"sv, "dev-dependencies"sv, "pip"sv, "require-hashes"sv,
    "preview"sv, "preview-features"sv, "environments"sv, "required-environments"sv, "link-mode"sv,
};
constexpr std::array index_keys = {"name"sv, "url"sv, "explicit"sv, "default"sv, "format"sv, "authenticate"sv, "credential-helper"sv,
                                   "publish-url"sv, "ignore-error-codes"sv, "cache-control"sv, "hash-algorithm"sv};
// Only at the top level / only in [pip].
constexpr std::array top_only = {"cache-dir"sv, "offline"sv, "no-cache"sv, "constraint-dependencies"sv,
                                 "override-dependencies"sv, "dev-dependencies"sv, "pip"sv, "required-version"sv,
                                 "preview"sv, "preview-features"sv, "environments"sv, "required-environments"sv,
                                 "conflicts"sv, "default-groups"sv, "workspace"sv, "managed"sv, "package"sv,
                                 "sources"sv, "build-backend"sv, "dependency-groups"sv, "cache-keys"sv};
constexpr std::array pip_only = {"require-hashes"sv, "python"sv, "system"sv, "break-system-packages"sv, "target"sv,
                                 "prefix"sv, "only-binary"sv, "strict"sv, "extra"sv, "all-extras"sv, "no-extra"sv,
                                 "no-deps"sv, "group"sv, "allow-empty-requirements"sv, "output-file"sv,
                                 "no-strip-extras"sv, "no-strip-markers"sv, "no-annotate"sv, "no-header"sv,
                                 "custom-compile-command"sv, "generate-hashes"sv, "python-version"sv,
                                 "python-platform"sv, "universal"sv, "no-emit-package"sv, "emit-index-url"sv,
                                 "emit-find-links"sv, "emit-build-options"sv, "emit-marker-expression"sv,
                                 "emit-index-annotation"sv, "annotation-style"sv, "verify-hashes"sv};

template <std::size_t N>
bool in(const std::array<std::string_view, N>& list, std::string_view key) {
  return std::find(list.begin(), list.end(), key) != list.end();
}

template <std::size_t N>
std::string suggestion(std::string_view key, const std::array<std::string_view, N>& candidates) {
  const std::string best = closest_match(key, std::vector<std::string_view>(candidates.begin(), candidates.end()));
  return best.empty() ? "" : "; did you mean `" + best + "`?";
}

Error bad(const std::string& source, const toml::node& node, const std::string& message) {
  return Error(ErrorKind::config, toml_where(source, node) + ": " + message);
}

std::string quoted_key(std::string_view key) { return "`" + escape_nonprintable(key) + "`"; }

Result<IndexDeclaration> parse_index(const std::string& source, const toml::node& node, const std::string& table_name) {
  const toml::table* table = node.as_table();
  if (!table) return bad(source, node, "each " + table_name + " must be a table");
  IndexDeclaration index;
  index.origin = toml_where(source, node);
  for (const auto& [key, value] : *table) {
    const std::string_view k = key.str();
    if (!in(index_keys, k)) {
      return bad(source, value, "unknown field " + quoted_key(k) + " in " + table_name + suggestion(k, index_keys) +
                                    " (fields: name, url, default, explicit, format, authenticate, credential-helper, cache-control)");
    }
    if (k == "credential-helper") {
      if (!value.is_string() || value.value<std::string>()->empty()) {
        return bad(source, value, "index `credential-helper` must be a command (a path or a name on PATH)");
      }
      std::string command = *value.value<std::string>();
      // A relative path is relative to the file that names it.
      const std::string program = command.substr(0, command.find(' '));
      if (program.find('/') != std::string::npos && program[0] != '/') {
        command = (fs::absolute(fs::path(source).parent_path()) / program).lexically_normal().string() + command.substr(program.size());
      }
      index.credential_helper = command;
    } else if (k == "name" || k == "url" || k == "authenticate" || k == "format") {
      if (!value.is_string()) return bad(source, value, "index `" + std::string(k) + "` must be a string");
      const std::string text = *value.value<std::string>();
      if (k == "name") index.name = text;
      if (k == "url") index.url = text;
      if (k == "authenticate") {
        if (text != "auto" && text != "always" && text != "never") {
          return bad(source, value, "index `authenticate` must be \"auto\", \"always\" or \"never\", got \"" +
                                        escape_nonprintable(text) + "\"");
        }
        index.authenticate = text;
      }
      if (k == "format") {
        if (text != "simple" && text != "flat") {
          return bad(source, value, "index `format` must be \"simple\" or \"flat\", got \"" + escape_nonprintable(text) + "\"");
        }
        index.format = text;
      }
    } else if (k == "cache-control") {
      // uv's override of the index's own Cache-Control: `api` for its pages,
      // `files` for its files (which uvauth keeps by their hashes, fresh for good).
      const toml::table* overrides = value.as_table();
      if (!overrides) return bad(source, value, "index `cache-control` must be a table, e.g. { api = \"max-age=600\" }");
      for (const auto& [part, header] : *overrides) {
        if (part.str() != "api" && part.str() != "files") {
          return bad(source, header, "unknown field " + quoted_key(part.str()) + " in index `cache-control` (fields: api, files)");
        }
        if (!header.is_string()) return bad(source, header, "index `cache-control." + std::string(part.str()) + "` must be a string");
        if (part.str() == "api") index.cache_control_api = *header.value<std::string>();
      }
    } else if (k == "default" || k == "explicit") {
      if (!value.is_boolean()) return bad(source, value, "index `" + std::string(k) + "` must be true or false");
      (k == "default" ? index.is_default : index.is_explicit) = *value.value<bool>();
    } else {
      UVAUTH_DEBUG(toml_where(source, value) << ": index `" << k << "` is a uv setting uvauth does not use");
    }
  }
  if (index.url.empty()) return bad(source, node, table_name + " needs a `url`");
  // A path (a local wheel directory or simple tree): a file:// URL, relative
  // to the directory of the file that names it.
  if (index.url.find("://") == std::string::npos) {
    fs::path path = index.url;
    if (path.is_relative()) path = fs::absolute(fs::path(source).parent_path() / path);
    index.url = "file://" + path.lexically_normal().string();
  }
  return index;
}

Result<std::string> string_value(const std::string& source, const toml::node& value, std::string_view key) {
  if (auto s = value.value<std::string>()) return *s;
  return bad(source, value, quoted_key(key) + " must be a string");
}

Status string_list(const std::string& source, const toml::node& value, std::string_view key, std::vector<Located>& out) {
  const toml::array* array = value.as_array();
  if (!array) return bad(source, value, quoted_key(key) + " must be a list of strings");
  for (const auto& item : *array) {
    auto s = item.value<std::string>();
    if (!s) return bad(source, item, quoted_key(key) + " must be a list of strings");
    out.push_back(Located{*s, toml_where(source, item)});
  }
  return {};
}

Result<bool> bool_value(const std::string& source, const toml::node& value, std::string_view key) {
  if (auto b = value.value<bool>()) return *b;
  return bad(source, value, quoted_key(key) + " must be true or false");
}

// One table: the top level (or [tool.uv]) when `pip` is false, else [pip].
Status read_table(const std::string& source, const toml::table& table, bool pip, const std::string& where, Settings& out) {
  for (const auto& [key, value] : table) {
    const std::string_view k = key.str();
    const bool known = in(honoured, k) || in(ignored_with_warning, k) || in(ignored_quietly, k);
    const bool misplaced = (pip && in(top_only, k)) || (!pip && in(pip_only, k));
    if (!known || misplaced) {
      std::string hint = suggestion(k, honoured);
      if (hint.empty()) hint = suggestion(k, ignored_with_warning);
      if (hint.empty()) hint = suggestion(k, ignored_quietly);
      if (k == "indexes" || k == "indices") hint = "; did you mean `[[index]]`?";
      return bad(source, value, (misplaced ? "field " + quoted_key(k) + " does not belong in " : "unknown field " + quoted_key(k) + " in ") +
                                    where + (misplaced ? "" : hint));
    }
    if (in(ignored_with_warning, k)) {
      UVAUTH_WARN(toml_where(source, value) << ": uvauth ignores the uv setting `" << k << "`");
      continue;
    }
    if (in(ignored_quietly, k)) {
      UVAUTH_DEBUG(toml_where(source, value) << ": `" << k << "` is a uv setting uvauth does not use");
      continue;
    }
    if (k == "index") {
      const toml::array* array = value.as_array();
      if (!array) return bad(source, value, "`index` must be an array of tables ([[index]])");
      for (const toml::node& node : *array) {
        auto index = parse_index(source, node, pip ? "[[pip.index]]" : "[[index]]");
        if (!index) return std::move(index).error();
        out.indexes.push_back(std::move(index).value());
      }
    } else if (k == "index-url") {
      UVAUTH_TRY_ASSIGN(std::string url, string_value(source, value, k));
      out.index_url = Located{url, toml_where(source, value)};
    } else if (k == "extra-index-url" || k == "find-links" || k == "constraint-dependencies" ||
               k == "override-dependencies" || k == "dev-dependencies") {
      std::vector<Located>& list = k == "extra-index-url"          ? out.extra_index_urls
                                   : k == "find-links"              ? out.find_links
                                   : k == "constraint-dependencies" ? out.constraint_dependencies
                                   : k == "override-dependencies"   ? out.override_dependencies
                                                                    : out.dev_dependencies;
      if (auto ok = string_list(source, value, k, list); !ok) return ok;
    } else if (k == "environments" || k == "required-environments") {
      // A marker or a list of them (uv takes both); each checked where it is used.
      std::vector<Located>& list = k == "environments" ? out.environments : out.required_environments;
      if (auto one = value.value<std::string>()) {
        list.push_back(Located{*one, toml_where(source, value)});
      } else if (auto ok = string_list(source, value, k, list); !ok) {
        return ok;
      }
    } else if (k == "preview-features") {
      std::vector<Located> names;
      if (auto ok = string_list(source, value, k, names); !ok) return ok;
      for (auto& n : names) out.preview.features.push_back(std::move(n.value));
    } else if (k == "preview") {
      auto flag = bool_value(source, value, k);
      if (!flag) return std::move(flag).error();
      out.preview.all = *flag;
    } else if (k == "allow-insecure-host") {
      std::vector<Located> hosts;
      if (auto ok = string_list(source, value, k, hosts); !ok) return ok;
      for (auto& h : hosts) out.allow_insecure_hosts.push_back(std::move(h.value));
    } else if (k == "no-index" || k == "offline" || k == "no-cache" || k == "require-hashes") {
      auto flag = bool_value(source, value, k);
      if (!flag) return std::move(flag).error();
      if (k == "no-index") out.no_index = *flag;
      if (k == "offline") out.offline = *flag;
      if (k == "no-cache") out.no_cache = *flag;
      if (k == "require-hashes") out.require_hashes = *flag;
    } else if (k == "keyring-provider") {
      auto provider = value.value<std::string>();
      if (!provider || (*provider != "disabled" && *provider != "subprocess")) {
        return bad(source, value, "`keyring-provider` must be \"disabled\" or \"subprocess\"");
      }
      out.keyring_provider = *provider;
    } else if (k == "prerelease") {
      auto mode = value.value<std::string>();
      static constexpr std::array modes = {"allow"sv, "disallow"sv, "if-necessary"sv, "explicit"sv,
                                           "if-necessary-or-explicit"sv};
      if (!mode || !in(modes, *mode)) {
        return bad(source, value, "`prerelease` must be allow, disallow, if-necessary, explicit or if-necessary-or-explicit");
      }
      out.prerelease = *mode;
    } else if (k == "link-mode") {
      auto mode = value.value<std::string>();
      if (mode && *mode == "symlink") {
        return bad(source, value, "`link-mode = \"symlink\"` is not supported by uvauth: an edit or a `uvauth cache clean` would reach every target; use clone, hardlink or copy");
      }
      if (!mode || (*mode != "clone" && *mode != "hardlink" && *mode != "copy")) {
        return bad(source, value, "`link-mode` must be clone, hardlink or copy");
      }
      out.link_mode = Located{*mode, toml_where(source, value)};
    } else if (k == "cache-dir") {
      UVAUTH_TRY_ASSIGN(out.cache_dir, string_value(source, value, k));
    } else if (k == "pip") {
      const toml::table* pip_table = value.as_table();
      if (!pip_table) return bad(source, value, "`pip` must be a table ([pip])");
      if (auto ok = read_table(source, *pip_table, true, where == "[tool.uv]" ? "[tool.uv.pip]" : "[pip]", out); !ok) return ok;
    }
  }
  return {};
}

}  // namespace

Result<Settings> parse_settings(std::string_view text, const std::string& source_name, bool in_pyproject) {
  auto document = parse_toml(text, source_name);
  if (!document) return std::move(document).error();
  Settings settings;
  const toml::table* root = &*document;
  if (in_pyproject) {
    root = (*document)["tool"]["uv"].as_table();
    if (!root) return settings;
  }
  if (auto ok = read_table(source_name, *root, false, in_pyproject ? "[tool.uv]" : "the settings", settings); !ok) {
    return std::move(ok).error();
  }
  return settings;
}

std::optional<fs::path> user_settings_file(const Environment& env) {
  if (auto xdg = env.get_nonempty("XDG_CONFIG_HOME")) return fs::path(*xdg) / "uv" / "uv.toml";
  if (auto home = env.get_nonempty("HOME")) return fs::path(*home) / ".config" / "uv" / "uv.toml";
  return std::nullopt;
}

void merge_below(Settings& high, Settings low) {
  auto append = [](auto& to, auto& from) { to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end())); };
  append(high.indexes, low.indexes);
  if (!high.index_url) high.index_url = std::move(low.index_url);
  append(high.extra_index_urls, low.extra_index_urls);
  append(high.find_links, low.find_links);
  high.no_index = high.no_index || low.no_index;
  if (!high.keyring_provider) high.keyring_provider = std::move(low.keyring_provider);
  if (!high.prerelease) high.prerelease = std::move(low.prerelease);
  if (!high.link_mode) high.link_mode = std::move(low.link_mode);
  append(high.allow_insecure_hosts, low.allow_insecure_hosts);
  if (!high.cache_dir) high.cache_dir = std::move(low.cache_dir);
  if (!high.offline) high.offline = low.offline;
  if (!high.no_cache) high.no_cache = low.no_cache;
  append(high.constraint_dependencies, low.constraint_dependencies);
  append(high.override_dependencies, low.override_dependencies);
  append(high.dev_dependencies, low.dev_dependencies);
  if (high.environments.empty()) high.environments = std::move(low.environments);
  if (high.required_environments.empty()) high.required_environments = std::move(low.required_environments);
  high.require_hashes = high.require_hashes || low.require_hashes;
  high.preview.all = high.preview.all || low.preview.all;
  append(high.preview.features, low.preview.features);
  if (!high.file) high.file = low.file;
  append(high.files, low.files);
}

Result<Settings> load_settings(const SettingsSource& source) {
  auto read = [](const fs::path& file, bool in_pyproject) -> Result<Settings> {
    auto text = read_file(file, max_text_input);
    if (!text) return std::move(text).error();
    auto settings = parse_settings(*text, file.string(), in_pyproject);
    if (settings) {
      settings->file = file;
      settings->files = {file};
    }
    return settings;
  };
  std::error_code ec;
  bool discovered = false;
  auto base = [&]() -> Result<Settings> {
    // --no-config: no file is discovered; an explicit --project is still read.
    if (source.no_config) return Settings{};
    if (source.config_file) return read(*source.config_file, source.config_file->filename() == "pyproject.toml");
    discovered = true;
    for (const char* name : {"uvauth.toml", "uv.toml"}) {
      const fs::path candidate = fs::absolute(source.working_directory / name).lexically_normal();
      if (fs::exists(candidate, ec)) return read(candidate, false);
    }
    const fs::path pyproject = fs::absolute(source.working_directory / "pyproject.toml").lexically_normal();
    if (fs::exists(pyproject, ec)) return read(pyproject, true);
    return Settings{};
  }();
  if (!base) return base;
  // uv's user-level file below what was discovered (as uv merges them).
  if (discovered && source.user_file && fs::exists(*source.user_file, ec)) {
    auto user = read(*source.user_file, false);
    if (!user) return std::move(user).error();
    UVAUTH_DEBUG("read user-level settings " << source.user_file->string());
    merge_below(*base, std::move(user).value());
  }
  if (!source.project_file) return base;
  if (base->file && fs::equivalent(*base->file, *source.project_file, ec)) return base;
  auto project = read(*source.project_file, true);
  if (!project) return std::move(project).error();
  // The project's indexes follow those of the file given; its scalars fill in.
  merge_below(*base, std::move(project).value());
  return base;
}

}  // namespace uvauth::config
