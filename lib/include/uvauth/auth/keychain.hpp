// The system's own secret store, shared with uv's `native-auth` preview: on
// Linux the Secret Service (GNOME Keyring, KWallet's bridge, KeePassXC)
// through libsecret. The interface is the store's, not the platform's, so a
// macOS Keychain or Windows Credential Manager backend can sit behind it.
//
// Items carry uv's attributes: service ("uv:" + host[:port], or
// "uv:scheme://host[:port]" when the scheme is not https), username,
// target = "default", application = "uv"; new items go to the default
// collection. Every call has a time limit: a Secret Service that hangs (a
// prompt nobody answers) is an error, not a stuck build.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/secret.hpp"

namespace uvauth::auth {

struct KeychainItem {
  std::string service;   // the `service` attribute, "uv:..."
  std::string username;
  std::optional<Secret> password;  // loaded by find, not by list
};

class SystemKeychain {
 public:
  // Whether this build has a backend at all ("Secret Service (libsecret)").
  [[nodiscard]] static bool built_in();
  [[nodiscard]] static std::string_view backend();

  // Items of `service` (uv's target "default", or none as older uv wrote),
  // for `username` when given.
  static Result<std::vector<KeychainItem>> find(const std::string& service, const std::optional<std::string>& username);
  // Adds, or replaces the item with the same service and user name.
  static Status store(const std::string& service, const std::string& username, const Secret& password,
                      const std::string& label);
  // False when there was no such item.
  static Result<bool> remove(const std::string& service, const std::string& username);
  // Every item written by uv or uvauth (application = "uv"), without secrets.
  static Result<std::vector<KeychainItem>> list();

  // How long one call may take (tests shorten it).
  static void set_time_limit(std::chrono::milliseconds limit);
};

}  // namespace uvauth::auth
