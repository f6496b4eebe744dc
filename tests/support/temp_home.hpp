// An isolated home for one test: its own netrc, credentials store and PATH
// additions, so no test reads the developer's real credentials.
#pragma once

#include <filesystem>
#include <map>
#include <string>

namespace uvauth::testing {

class TempHome {
 public:
  TempHome();
  ~TempHome();
  TempHome(const TempHome&) = delete;
  TempHome& operator=(const TempHome&) = delete;

  [[nodiscard]] const std::filesystem::path& path() const { return root_; }
  std::filesystem::path write(const std::string& relative, const std::string& content, bool executable = false) const;
  void write_netrc(const std::string& content) const { write(".netrc", content); }
  // A fake `keyring` on PATH that logs its argv (one line, '|'-separated) and
  // answers for one service/user; `supports_mode` false mimics keyring < 25.2.1.
  void install_keyring(const std::string& service, const std::string& user, const std::string& password,
                       bool supports_mode = true);
  [[nodiscard]] std::string keyring_log() const;
  [[nodiscard]] std::filesystem::path keyring_executable() const { return root_ / "bin" / "keyring"; }

  // Environment for run_tool: HOME, NETRC, UV_CREDENTIALS_DIR, PATH, a clean
  // slate for other credential variables, and the fixture's CA.
  [[nodiscard]] std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const;

 private:
  std::filesystem::path root_;
};

}  // namespace uvauth::testing
