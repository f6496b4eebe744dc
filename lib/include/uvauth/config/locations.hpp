// What the environment says about the network, the credential sources, the
// cache and PATH, read here once into plain values: the layers below `app/`
// (net, auth, cache, index) take these and never read a variable themselves.
#pragma once

#include "uvauth/index/interpreter.hpp"

#include <chrono>
#include <cstddef>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"

namespace uvauth::config {

// UV_CONCURRENT_DOWNLOADS, UV_HTTP_TIMEOUT (UV_REQUEST_TIMEOUT), UV_HTTP_RETRIES,
// SSL_CERT_FILE, SSL_CERT_DIR, SSL_CLIENT_CERT, UV_INSECURE_HOST.
struct NetworkSettings {
  std::size_t max_concurrent = 50;
  std::chrono::seconds idle_timeout{30};
  unsigned retries = 3;
  std::string ca_file;             // a path that does not exist is dropped with a warning, as uv does
  std::string ca_dir;
  std::string client_certificate;
  std::vector<std::string> insecure_hosts;
};
Result<NetworkSettings> network_settings(const Environment& env);

// NETRC (else ~/.netrc), uv's credentials store directory (UV_CREDENTIALS_DIR,
// else $XDG_DATA_HOME/uv/credentials, else ~/.local/share/uv/credentials) and
// UV_KEYRING_PROVIDER.
struct CredentialLocations {
  std::optional<std::filesystem::path> netrc_file;
  std::optional<std::filesystem::path> store_directory;
  std::optional<std::string> keyring_provider;  // disabled|subprocess, checked
};
Result<CredentialLocations> credential_locations(const Environment& env);
// The store directory alone (an error when no variable says where it is).
Result<std::filesystem::path> credentials_store_directory(const Environment& env);

// "UV_INDEX_" + the name upper-cased, every non-alphanumeric character "_".
[[nodiscard]] std::string index_env_prefix(std::string_view name);
// UV_INDEX_<NAME>_USERNAME / _PASSWORD of the index called `name`.
struct IndexVariables {
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<std::string> credential_helper;  // UV_INDEX_<NAME>_CREDENTIAL_HELPER
};
[[nodiscard]] IndexVariables index_variables(const Environment& env, std::string_view name);
// The same, with the container-secret convention: UV_INDEX_<NAME>_PASSWORD_FILE
// and _USERNAME_FILE name a file holding the value (one trailing newline
// stripped). A missing or unreadable file, or both forms of one variable, is
// an error naming the variable -- never the content.
Result<IndexVariables> read_index_variables(const Environment& env, std::string_view name);

// The cache root: `explicit_dir`, else UVAUTH_CACHE_DIR, else
// $XDG_CACHE_HOME/uvauth, else ~/.cache/uvauth; nullopt when `disabled`.
Result<std::optional<std::filesystem::path>> cache_root(const Environment& env,
                                                        const std::optional<std::filesystem::path>& explicit_dir,
                                                        bool disabled);

// $PATH, or the usual default when it is unset.
[[nodiscard]] std::string search_path(const Environment& env);
// PATH and the version managers' install directories, for --python.
[[nodiscard]] index::PythonSearch python_search(const Environment& env);

}  // namespace uvauth::config
