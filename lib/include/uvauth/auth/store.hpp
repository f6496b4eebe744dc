// uv's plain-text credentials store, `credentials.toml`: the same file, the
// same lock and the same rules as `uv auth`, so each tool sees the other's
// entries.
//
//   [[credential]]
//   service = "https://pypi.example.com/"
//   username = "alice"          # basic only
//   scheme = "basic"            # or "bearer"
//   password = "..."            # basic
//   token = "..."               # bearer
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/auth/credentials.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"
#include "uvauth/fs.hpp"

namespace uvauth::auth {

struct StoreEntry {
  Url service;
  Credentials credentials;
};

class CredentialStore {
 public:
  // (Where the store is comes from config::credentials_store_directory.)
  static std::filesystem::path file_in(const std::filesystem::path& directory) {
    return directory / "credentials.toml";
  }
  // uv's `auth login` rules: no scheme means https; http only for localhost
  // and 127.0.0.1; a last `simple` or `+simple` segment is dropped. Userinfo
  // is kept for the caller to read. `to_root = false` keeps the path as given.
  static Result<Url> normalize_service(std::string_view text, bool to_root = true);

  static Result<CredentialStore> parse(std::string_view text, const std::string& source);
  // An absent file is an empty store.
  static Result<CredentialStore> load(const std::filesystem::path& file);
  [[nodiscard]] std::string serialize() const;
  // Atomic, mode 0600. Hold lock(file) from load to save.
  Status save(const std::filesystem::path& file) const;
  static Result<FileLock> lock(const std::filesystem::path& file);

  // uv's look-up: the entry for exactly this URL and user name, else the
  // longest service path that covers the URL in the same realm. Without a
  // user name, two equally long matches are ambiguous and find nothing.
  [[nodiscard]] std::optional<Credentials> find(const Url& url, const std::optional<std::string>& username) const;

  // Adds, or replaces the entry with the same service and user name.
  void insert(const Url& service, Credentials credentials);
  // Removes the entry for exactly this service and user name; false when there is none.
  bool remove(const Url& service, const std::string& username);

  [[nodiscard]] const std::vector<StoreEntry>& entries() const { return entries_; }

 private:
  std::vector<StoreEntry> entries_;
};

}  // namespace uvauth::auth
