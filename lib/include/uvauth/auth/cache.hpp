// Credentials that worked, remembered for the rest of the process: by realm
// and by URL prefix (whole path segments). Also the record of look-ups
// already made, so each source is asked once per realm-or-index and user.
#pragma once

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/auth/credentials.hpp"

namespace uvauth::auth {

class CredentialsCache {
 public:
  void insert(const Url& url, const Credentials& credentials);
  // The entry with the longest path covering `url` in its realm (and the
  // given user, when one is given).
  [[nodiscard]] std::optional<Credentials> by_url(const Url& url, const std::optional<std::string>& username) const;
  [[nodiscard]] std::optional<Credentials> by_realm(const Realm& realm, const std::optional<std::string>& username) const;

 private:
  struct UrlEntry {
    Realm realm;
    std::string path;
    Credentials credentials;
  };
  mutable std::mutex mutex_;
  std::vector<UrlEntry> urls_;
  std::vector<std::pair<Realm, Credentials>> realms_;
};

}  // namespace uvauth::auth
