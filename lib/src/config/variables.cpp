#include "uvauth/config/variables.hpp"

#include "uvauth/text.hpp"

namespace uvauth::config {

const std::vector<VariableDoc>& environment_variables() {
  static const std::vector<VariableDoc> table = {
      // Indexes and requirements (uv's meanings; the command line wins)
      {"UV_DEFAULT_INDEX", "the default index, replacing PyPI (`--default-index`)"},
      {"UV_INDEX_URL", "the default index, pip's name (`--index-url`)"},
      {"UV_INDEX", "more indexes, space-separated `[name=]url`, before the default (`--index`)"},
      {"UV_EXTRA_INDEX_URL", "more indexes, space-separated (`--extra-index-url`)"},
      {"UV_FIND_LINKS", "directories or pages of wheels, comma-separated (`--find-links`)"},
      {"UV_NO_INDEX", "use no index, only find-links and direct URLs (`--no-index`)"},
      {"UV_CONSTRAINT", "constraint files, space-separated (`-c`)"},
      {"UV_PRERELEASE", "the pre-release mode (`--prerelease`)"},
      {"UV_PYTHON", "the target interpreter: a path, a name on PATH or a version (`--python`)"},
      {"PYENV_ROOT", "pyenv's root: a version request also finds its `versions/` (default `~/.pyenv`)"},
      {"PYENV_VERSION", "the version a pyenv shim runs (read to follow a shim without running it)"},
      {"UV_PYTHON_INSTALL_DIR", "uv's managed Pythons, also found for a version request (default `~/.local/share/uv/python`)"},
      {"UV_LINK_MODE", "how files come from the cache into a target: clone, hardlink or copy (`--link-mode`)"},
      {"UV_LOCKED", "fail if the lock would change (`--locked`; the CMake functions' `LOCKED`)"},
      {"UV_FROZEN", "use the lock as it is, never resolving (`sync --frozen`; the CMake functions' `FROZEN`)"},
      {"NO_COLOR", "no colours (`--color never`); `FORCE_COLOR` forces them"},
      // Settings and cache
      {"UV_CONFIG_FILE", "the settings file (`--config-file`)"},
      {"UV_NO_CONFIG", "read no settings file (`--no-config`)"},
      {"XDG_CONFIG_HOME", "where uv's user-level `uv/uv.toml` is (default `~/.config`)"},
      {"UVAUTH_CACHE_DIR", "the cache directory (`--cache-dir`)"},
      {"UV_CACHE_DIR", "uv's cache directory: uvauth's cache is its `uvauth` folder"},
      {"XDG_CACHE_HOME", "the cache is `$XDG_CACHE_HOME/uvauth` (default `~/.cache/uvauth`)"},
      {"UV_NO_CACHE", "use no cache (`--no-cache`)"},
      {"UV_OFFLINE", "never touch the network (`--offline`)"},
      // Credentials
      {"UV_INDEX_<NAME>_USERNAME", "the user name for the index called NAME"},
      {"UV_INDEX_<NAME>_PASSWORD", "the password for the index called NAME"},
      {"UV_INDEX_<NAME>_USERNAME_FILE", "a file holding that user name (a container secret; one final newline dropped)"},
      {"UV_INDEX_<NAME>_PASSWORD_FILE", "a file holding that password (a container secret; one final newline dropped)"},
      {"UV_INDEX_<NAME>_CREDENTIAL_HELPER", "a credential helper for the index called NAME (`helper get`, Bazel's protocol)"},
      {"NETRC", "the netrc file (default `~/.netrc`)"},
      {"UV_CREDENTIALS_DIR", "uv's credentials store directory"},
      {"XDG_DATA_HOME", "the store is `$XDG_DATA_HOME/uv/credentials` (default `~/.local/share`)"},
      {"UV_KEYRING_PROVIDER", "`subprocess` asks the `keyring` executable (`--keyring-provider`)"},
      {"UV_PREVIEW_FEATURES", "uv's preview features, comma-separated; `native-auth` uses the system keychain (`--preview-features`)"},
      {"UV_PREVIEW", "every preview feature on (`--preview`)"},
      {"DBUS_SESSION_BUS_ADDRESS", "the session bus where the system keychain (Secret Service) is found, read by libsecret"},
      {"HOME", "the home of `.netrc`, `.cache`, `.config` and `.local/share`"},
      // Network
      {"UV_CONCURRENT_DOWNLOADS", "transfers at once (default 50)"},
      {"UV_HTTP_TIMEOUT", "the idle timeout in seconds (default 30; also `UV_REQUEST_TIMEOUT`)"},
      {"UV_REQUEST_TIMEOUT", "the same as `UV_HTTP_TIMEOUT`, its older name"},
      {"UV_HTTP_RETRIES", "retries of transient failures (default 3)"},
      {"UV_INSECURE_HOST", "hosts whose TLS is not verified, space-separated (`--allow-insecure-host`)"},
      {"SSL_CERT_FILE", "a CA bundle replacing the system store"},
      {"SSL_CERT_DIR", "a CA directory replacing the system store"},
      {"SSL_CLIENT_CERT", "a PEM with client certificate and key (mTLS)"},
      {"https_proxy", "proxies, as libcurl reads them (also `http_proxy`, `all_proxy`, `no_proxy`)"},
      // Lookups
      {"PATH", "where `python3`, `keyring` and names given to `--python` are found"},
  };
  return table;
}

Result<std::optional<bool>> read_flag(const Environment& env, std::string_view name) {
  auto value = env.get_nonempty(name);
  if (!value) return std::optional<bool>();
  const std::string v = to_lower_ascii(*value);
  if (v == "1" || v == "true" || v == "yes" || v == "on" || v == "t" || v == "y") return std::optional<bool>(true);
  if (v == "0" || v == "false" || v == "no" || v == "off" || v == "f" || v == "n") return std::optional<bool>(false);
  return Error(ErrorKind::config, std::string(name) + " must be a boolean (1/0, true/false, yes/no, on/off), got '" +
                                      escape_nonprintable(*value) + "'");
}

std::vector<std::string> split_list(const std::string& text, char delimiter) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t end = std::min(text.find(delimiter, start), text.size());
    std::string part(trim(std::string_view(text).substr(start, end - start)));
    if (!part.empty()) out.push_back(std::move(part));
    start = end + 1;
  }
  return out;
}

Result<UvEnvironment> read_uv_environment(const Environment& env) {
  UvEnvironment out;
  out.default_index = env.get_nonempty("UV_DEFAULT_INDEX");
  out.index_url = env.get_nonempty("UV_INDEX_URL");
  if (auto v = env.get_nonempty("UV_INDEX")) {
    for (auto& part : split_list(*v, ' ')) {
      for (auto& p : split_list(part, '\t')) out.indexes.push_back(std::move(p));
    }
  }
  if (auto v = env.get_nonempty("UV_EXTRA_INDEX_URL")) out.extra_index_urls = split_list(*v, ' ');
  if (auto v = env.get_nonempty("UV_FIND_LINKS")) out.find_links = split_list(*v, ',');
  if (auto v = env.get_nonempty("UV_CONSTRAINT")) out.constraints = split_list(*v, ' ');
  for (auto [name, flag] : {std::pair{"UV_NO_INDEX", &out.no_index}, std::pair{"UV_OFFLINE", &out.offline},
                            std::pair{"UV_NO_CACHE", &out.no_cache}, std::pair{"UV_NO_CONFIG", &out.no_config},
                            std::pair{"UV_LOCKED", &out.locked}, std::pair{"UV_FROZEN", &out.frozen}}) {
    auto value = read_flag(env, name);
    if (!value) return std::move(value).error();
    *flag = value->value_or(false);
  }
  if (auto v = env.get_nonempty("UV_CACHE_DIR")) out.cache_dir = *v;
  if (auto v = env.get_nonempty("UV_CONFIG_FILE")) out.config_file = *v;
  out.python = env.get_nonempty("UV_PYTHON");
  out.prerelease = env.get_nonempty("UV_PRERELEASE");
  out.link_mode = env.get_nonempty("UV_LINK_MODE");
  return out;
}

}  // namespace uvauth::config
