#include "uvauth/auth/cache.hpp"

namespace uvauth::auth {
namespace {
bool user_matches(const Credentials& c, const std::optional<std::string>& username) {
  return !username || c.username == username;
}
}  // namespace

void CredentialsCache::insert(const Url& url, const Credentials& credentials) {
  std::lock_guard lock(mutex_);
  const Realm realm = Realm::of(url);
  auto same = [&](const auto& realm_entry) {
    return realm_entry.first == realm && realm_entry.second.username == credentials.username;
  };
  std::erase_if(realms_, same);
  realms_.emplace_back(realm, credentials);
  for (auto& entry : urls_) {
    if (entry.realm == realm && entry.path == url.path() && entry.credentials.username == credentials.username) {
      entry.credentials = credentials;
      return;
    }
  }
  urls_.push_back(UrlEntry{realm, url.path(), credentials});
}

std::optional<Credentials> CredentialsCache::by_url(const Url& url, const std::optional<std::string>& username) const {
  std::lock_guard lock(mutex_);
  const Realm realm = Realm::of(url);
  const UrlEntry* best = nullptr;
  for (const auto& entry : urls_) {
    if (entry.realm != realm || !is_path_prefix(entry.path, url.path()) || !user_matches(entry.credentials, username)) continue;
    if (!best || entry.path.size() >= best->path.size()) best = &entry;
  }
  if (!best) return std::nullopt;
  return best->credentials;
}

std::optional<Credentials> CredentialsCache::by_realm(const Realm& realm, const std::optional<std::string>& username) const {
  std::lock_guard lock(mutex_);
  // The most recently working credentials of the realm.
  for (auto it = realms_.rbegin(); it != realms_.rend(); ++it) {
    if (it->first == realm && user_matches(it->second, username)) return it->second;
  }
  return std::nullopt;
}

}  // namespace uvauth::auth
