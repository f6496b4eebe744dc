#include "uvauth/config/settings.hpp"

#include <toml++/toml.h>

#include "uvauth/fs.hpp"

namespace uvauth::config {
namespace fs = std::filesystem;
namespace {

std::string where(const std::string& source, const toml::node& node) {
  return node.source().begin ? source + ":" + std::to_string(node.source().begin.line) : source;
}

Error bad(const std::string& source, const toml::node& node, const std::string& message) {
  return Error(ErrorKind::config, where(source, node) + ": " + message);
}

Result<IndexDeclaration> parse_index(const std::string& source, const toml::node& node) {
  const toml::table* table = node.as_table();
  if (!table) return bad(source, node, "each [[index]] must be a table");
  IndexDeclaration index;
  index.origin = where(source, node);
  for (const auto& [key, value] : *table) {
    const std::string_view k = key.str();
    if (k == "name" || k == "url" || k == "authenticate" || k == "format") {
      if (!value.is_string()) return bad(source, value, "index `" + std::string(k) + "` must be a string");
      const std::string text = *value.value<std::string>();
      if (k == "name") index.name = text;
      if (k == "url") index.url = text;
      if (k == "authenticate") {
        if (text != "auto" && text != "always" && text != "never") {
          return bad(source, value, "index `authenticate` must be \"auto\", \"always\" or \"never\", got \"" + text + "\"");
        }
        index.authenticate = text;
      }
      if (k == "format") {
        if (text != "simple" && text != "flat") {
          return bad(source, value, "index `format` must be \"simple\" or \"flat\", got \"" + text + "\"");
        }
        index.format = text;
      }
    } else if (k == "default" || k == "explicit") {
      if (!value.is_boolean()) return bad(source, value, "index `" + std::string(k) + "` must be true or false");
      (k == "default" ? index.is_default : index.is_explicit) = *value.value<bool>();
    }
    // Other uv keys (ignore-error-codes, cache-control, ...) are accepted and not used.
  }
  if (index.url.empty()) return bad(source, node, "[[index]] needs a `url`");
  // A path (a local wheel directory or simple tree): a file:// URL, relative
  // to the directory of the file that names it.
  if (index.url.find("://") == std::string::npos) {
    fs::path path = index.url;
    if (path.is_relative()) path = fs::absolute(fs::path(source).parent_path() / path);
    index.url = "file://" + path.lexically_normal().string();
  }
  return index;
}

}  // namespace

Result<Settings> parse_settings(std::string_view text, const std::string& source_name, bool in_pyproject) {
  toml::table document;
  try {
    document = toml::parse(text, source_name);
  } catch (const toml::parse_error& e) {
    return Error(ErrorKind::config,
                 source_name + ":" + std::to_string(e.source().begin.line) + ": " + std::string(e.description()));
  }
  Settings settings;
  const toml::table* root = &document;
  if (in_pyproject) {
    root = document["tool"]["uv"].as_table();
    if (!root) return settings;
  }
  if (const toml::node* indexes = root->get("index")) {
    const toml::array* array = indexes->as_array();
    if (!array) return bad(source_name, *indexes, "`index` must be an array of tables ([[index]])");
    for (const toml::node& node : *array) {
      auto index = parse_index(source_name, node);
      if (!index) return std::move(index).error();
      settings.indexes.push_back(std::move(index).value());
    }
  }
  if (const toml::node* provider = root->get("keyring-provider")) {
    auto value = provider->value<std::string>();
    if (!value || (*value != "disabled" && *value != "subprocess")) {
      return bad(source_name, *provider, "`keyring-provider` must be \"disabled\" or \"subprocess\"");
    }
    settings.keyring_provider = *value;
  }
  return settings;
}

Result<Settings> load_settings(const SettingsSource& source) {
  auto read = [](const fs::path& file, bool in_pyproject) -> Result<Settings> {
    auto text = read_file(file);
    if (!text) return std::move(text).error();
    auto settings = parse_settings(*text, file.string(), in_pyproject);
    if (settings) settings->file = file;
    return settings;
  };
  auto base = [&]() -> Result<Settings> {
    // --no-config: no file is discovered; an explicit --project is still read.
    if (source.no_config) return Settings{};
    if (source.config_file) return read(*source.config_file, source.config_file->filename() == "pyproject.toml");
    std::error_code ec;
    for (const char* name : {"uvauth.toml", "uv.toml"}) {
      const fs::path candidate = source.working_directory / name;
      if (fs::exists(candidate, ec)) return read(candidate, false);
    }
    const fs::path pyproject = source.working_directory / "pyproject.toml";
    if (fs::exists(pyproject, ec)) return read(pyproject, true);
    return Settings{};
  }();
  if (!base || !source.project_file) return base;
  std::error_code ec;
  if (base->file && fs::equivalent(*base->file, *source.project_file, ec)) return base;
  auto project = read(*source.project_file, true);
  if (!project) return std::move(project).error();
  for (auto& index : project->indexes) base->indexes.push_back(std::move(index));
  if (!base->keyring_provider) base->keyring_provider = project->keyring_provider;
  return base;
}

}  // namespace uvauth::config
