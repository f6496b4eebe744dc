// The `keyring` command-line tool as a credential source (uv's
// `--keyring-provider subprocess`):
//   keyring get SERVICE USER          prints the password
//   keyring get SERVICE --mode creds  prints the user name, then the password
// Services tried in order: the URL, then host[:port], then (for non-https
// URLs) scheme://host[:port].
#pragma once

#include <optional>
#include <string>

#include "uvauth/auth/credentials.hpp"

namespace uvauth::auth {

class KeyringProvider {
 public:
  explicit KeyringProvider(std::string executable = "keyring") : executable_(std::move(executable)) {}

  [[nodiscard]] std::optional<Credentials> fetch(const Url& url, const std::optional<std::string>& username) const;

 private:
  [[nodiscard]] std::optional<Credentials> fetch_service(const std::string& service,
                                                         const std::optional<std::string>& username) const;
  std::string executable_;
};

}  // namespace uvauth::auth
