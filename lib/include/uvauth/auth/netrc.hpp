// netrc files: the grammar of ftp(1)/curl/Python (machine, default,
// login/user, password, account, macdef, quoted tokens, # comments), and
// uv's matching rule: by host (the port plays no part), the last entry for a
// host wins, else `default`; a user name on the request must equal the login.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/auth/credentials.hpp"
#include "uvauth/error.hpp"

namespace uvauth::auth {

struct NetrcEntry {
  std::string machine;  // empty for `default`
  bool is_default = false;
  std::string login;
  std::string account;
  std::optional<Secret> password;
};

class Netrc {
 public:
  // Errors name `source` (a file name) and the line.
  static Result<Netrc> parse(std::string_view text, const std::string& source);
  // nullopt when the file does not exist.
  static Result<std::optional<Netrc>> load(const std::filesystem::path& file);

  [[nodiscard]] std::optional<Credentials> find(std::string_view host,
                                                const std::optional<std::string>& username) const;
  [[nodiscard]] const std::vector<NetrcEntry>& entries() const { return entries_; }

 private:
  std::vector<NetrcEntry> entries_;
};

}  // namespace uvauth::auth
