#include "uvauth/config/locations.hpp"

#include <cctype>
#include <charconv>
#include <sstream>

#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"
#include "uvauth/text.hpp"

namespace uvauth::config {
namespace fs = std::filesystem;
namespace {

Result<unsigned long> whole_number(const Environment& env, const char* name, unsigned long minimum, unsigned long fallback) {
  auto text = env.get_nonempty(name);
  if (!text) return fallback;
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < minimum) {
    return Error(ErrorKind::config, std::string(name) + " must be a whole number of at least " + std::to_string(minimum) +
                                        ", got '" + escape_nonprintable(*text) + "'");
  }
  return value;
}

// uv ignores a certificate path that does not exist, with a warning; so do we.
std::string existing_path(const Environment& env, const char* name) {
  auto path = env.get_nonempty(name);
  if (!path) return {};
  std::error_code ec;
  if (!fs::exists(*path, ec)) {
    UVAUTH_WARN("ignoring " << name << "='" << *path << "': no such file or directory");
    return {};
  }
  return *path;
}

}  // namespace

Result<NetworkSettings> network_settings(const Environment& env) {
  NetworkSettings out;
  auto concurrency = whole_number(env, "UV_CONCURRENT_DOWNLOADS", 1, out.max_concurrent);
  if (!concurrency) return std::move(concurrency).error();
  out.max_concurrent = *concurrency;
  const char* timeout_name = env.get_nonempty("UV_HTTP_TIMEOUT") ? "UV_HTTP_TIMEOUT" : "UV_REQUEST_TIMEOUT";
  auto timeout = whole_number(env, timeout_name, 1, static_cast<unsigned long>(out.idle_timeout.count()));
  if (!timeout) return std::move(timeout).error();
  out.idle_timeout = std::chrono::seconds(*timeout);
  auto retries = whole_number(env, "UV_HTTP_RETRIES", 0, out.retries);
  if (!retries) return std::move(retries).error();
  out.retries = static_cast<unsigned>(*retries);
  out.ca_file = existing_path(env, "SSL_CERT_FILE");
  out.ca_dir = existing_path(env, "SSL_CERT_DIR");
  out.client_certificate = existing_path(env, "SSL_CLIENT_CERT");
  if (auto hosts = env.get_nonempty("UV_INSECURE_HOST")) {
    std::istringstream words(*hosts);
    for (std::string host; words >> host;) out.insecure_hosts.push_back(host);
  }
  return out;
}

Result<fs::path> credentials_store_directory(const Environment& env) {
  if (auto dir = env.get_nonempty("UV_CREDENTIALS_DIR")) return fs::path(*dir);
  if (auto data = env.get_nonempty("XDG_DATA_HOME")) return fs::path(*data) / "uv" / "credentials";
  if (auto home = env.get_nonempty("HOME")) return fs::path(*home) / ".local" / "share" / "uv" / "credentials";
  return Error(ErrorKind::config, "cannot find the credentials store: neither UV_CREDENTIALS_DIR, XDG_DATA_HOME nor HOME is set");
}

Result<CredentialLocations> credential_locations(const Environment& env) {
  CredentialLocations out;
  if (auto netrc = env.get_nonempty("NETRC")) {
    out.netrc_file = *netrc;
  } else if (auto home = env.get_nonempty("HOME")) {
    out.netrc_file = fs::path(*home) / ".netrc";
  }
  if (auto dir = credentials_store_directory(env)) out.store_directory = *dir;
  if (auto provider = env.get_nonempty("UV_KEYRING_PROVIDER")) {
    if (*provider != "subprocess" && *provider != "disabled") {
      return Error(ErrorKind::config, "UV_KEYRING_PROVIDER must be `disabled` or `subprocess`, got '" +
                                          escape_nonprintable(*provider) + "'");
    }
    out.keyring_provider = *provider;
  }
  return out;
}

std::string index_env_prefix(std::string_view name) {
  std::string out = "UV_INDEX_";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::toupper(u)) : '_';
  }
  return out;
}

IndexVariables index_variables(const Environment& env, std::string_view name) {
  if (name.empty()) return {};
  const std::string prefix = index_env_prefix(name);
  return IndexVariables{env.get(prefix + "_USERNAME"), env.get(prefix + "_PASSWORD"), env.get_nonempty(prefix + "_CREDENTIAL_HELPER")};
}

Result<IndexVariables> read_index_variables(const Environment& env, std::string_view name) {
  IndexVariables out = index_variables(env, name);
  if (name.empty()) return out;
  const std::string prefix = index_env_prefix(name);
  for (auto [suffix, value] : {std::pair{"_USERNAME", &out.username}, std::pair{"_PASSWORD", &out.password}}) {
    const std::string variable = prefix + suffix + "_FILE";
    auto file = env.get_nonempty(variable);
    if (!file) continue;
    if (*value) {
      return Error(ErrorKind::config, "both " + prefix + suffix + " and " + variable + " are set; give one of them");
    }
    std::error_code ec;
    if (!fs::is_regular_file(*file, ec)) {
      return Error(ErrorKind::config, variable + " names " + *file + ", which is not a readable file");
    }
    auto text = read_file(*file, max_text_input);
    if (!text) return Error(ErrorKind::config, variable + " names " + *file + ", which cannot be read");
    std::string content = std::move(text).value();
    if (!content.empty() && content.back() == '\n') content.pop_back();
    if (!content.empty() && content.back() == '\r') content.pop_back();
    *value = std::move(content);
  }
  return out;
}

Result<std::optional<fs::path>> cache_root(const Environment& env, const std::optional<fs::path>& explicit_dir, bool disabled) {
  using Root = std::optional<fs::path>;
  if (disabled) return Root();
  if (explicit_dir) return Root(fs::absolute(*explicit_dir));
  if (auto dir = env.get_nonempty("UVAUTH_CACHE_DIR")) return Root(fs::absolute(*dir));
  if (auto xdg = env.get_nonempty("XDG_CACHE_HOME")) return Root(fs::path(*xdg) / "uvauth");
  if (auto home = env.get_nonempty("HOME")) return Root(fs::path(*home) / ".cache" / "uvauth");
  return Error(ErrorKind::config, "cannot find a cache directory: set UVAUTH_CACHE_DIR or pass --cache-dir (or --no-cache)");
}

std::string search_path(const Environment& env) { return env.get("PATH").value_or("/usr/local/bin:/usr/bin:/bin"); }

index::PythonSearch python_search(const Environment& env) {
  index::PythonSearch out;
  out.path = search_path(env);
  const auto home = env.get_nonempty("HOME");
  if (auto root = env.get_nonempty("PYENV_ROOT")) {
    out.pyenv_versions = fs::path(*root) / "versions";
  } else if (home) {
    out.pyenv_versions = fs::path(*home) / ".pyenv" / "versions";
  }
  out.pyenv_version = env.get_nonempty("PYENV_VERSION");
  if (auto dir = env.get_nonempty("UV_PYTHON_INSTALL_DIR")) {
    out.uv_pythons = fs::path(*dir);
  } else if (auto data = env.get_nonempty("XDG_DATA_HOME")) {
    out.uv_pythons = fs::path(*data) / "uv" / "python";
  } else if (home) {
    out.uv_pythons = fs::path(*home) / ".local" / "share" / "uv" / "python";
  }
  return out;
}

}  // namespace uvauth::config
