// An authenticated HTTP client assembled from the three places settings come
// from: the environment, a settings file, and the command line.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/auth/middleware.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/config/settings.hpp"
#include "uvauth/net/client.hpp"

namespace uvauth::auth {

struct SessionOptions {
  config::SettingsSource settings_source;
  std::optional<std::string> keyring_provider;  // --keyring-provider: beats UV_KEYRING_PROVIDER and the file
  std::optional<std::string> authenticate;      // --authenticate: policy for URLs outside every index
  std::vector<std::string> allow_insecure_hosts;  // --allow-insecure-host: host, host:port or URL
  std::vector<std::string> indexes;               // --index: "NAME=URL" or "URL"
  config::PreviewRequest preview;                 // --preview, --preview-features
  bool no_preview = false;                        // --no-preview
  // Indexes known from elsewhere (a lock's [tool.uvauth]), after those of
  // the settings files and before --index ones.
  std::vector<config::IndexDeclaration> declared_indexes;
  // Settings already loaded by the caller's configuration pass (else the
  // session loads them from `settings_source`).
  std::optional<config::Settings> settings;
};

// "NAME=URL" or a bare URL.
struct NamedUrl {
  std::string name;
  std::string url;
};
[[nodiscard]] NamedUrl split_index_argument(std::string_view text);

// Whether uv's native-auth preview is on (config/preview.hpp): the system
// keychain joins the look-up chain and `auth login` writes to it.
Result<bool> native_auth_enabled(const SessionOptions& options, const config::Settings& settings,
                                 const config::Environment& env);

class Session {
 public:
  static Result<std::unique_ptr<Session>> open(const SessionOptions& options, const config::Environment& env);

  [[nodiscard]] net::Client& client() { return *client_; }
  [[nodiscard]] AuthMiddleware& auth() { return *auth_; }
  [[nodiscard]] const config::Settings& settings() const { return settings_; }

 private:
  Session() = default;
  config::Settings settings_;
  std::shared_ptr<AuthMiddleware> auth_;
  std::unique_ptr<net::Client> client_;
};

}  // namespace uvauth::auth
