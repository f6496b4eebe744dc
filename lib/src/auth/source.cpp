#include "uvauth/auth/source.hpp"

#include <algorithm>

#include "uvauth/auth/keychain.hpp"
#include "uvauth/auth/keyring.hpp"
#include "uvauth/log.hpp"
#include "uvauth/version.hpp"

namespace uvauth::auth {

Status CredentialSource::store(const Url&, const Credentials&) {
  return Error(ErrorKind::auth, describe() + " cannot store credentials");
}
Result<bool> CredentialSource::remove(const Url&, const std::string&) {
  return Error(ErrorKind::auth, describe() + " cannot remove credentials");
}
Result<std::vector<CredentialSource::Listed>> CredentialSource::list() { return std::vector<Listed>{}; }

// --- netrc ---

std::optional<Credentials> NetrcSource::find(const Url& url, const LookupContext&, const std::optional<std::string>& username) {
  if (!loaded_) {
    loaded_ = true;
    auto loaded = Netrc::load(file_);
    if (!loaded) {
      UVAUTH_DEBUG("warning: ignoring netrc file: " << loaded.error().message);
    } else {
      netrc_ = std::move(loaded).value();
    }
  }
  if (!netrc_) return std::nullopt;
  auto found = netrc_->find(url.host(), username);
  if (found) UVAUTH_DEBUG("found " << found->describe() << " in " << describe());
  return found;
}

// --- uv's credentials store ---

std::optional<Credentials> TextStoreSource::find(const Url& url, const LookupContext& context,
                                                 const std::optional<std::string>& username) {
  if (!loaded_) {
    loaded_ = true;
    auto loaded = CredentialStore::load(file_);
    if (!loaded) {
      UVAUTH_WARN("ignoring the credentials store: " << loaded.error().message);
    } else {
      store_ = std::move(loaded).value();
    }
  }
  if (!store_) return std::nullopt;
  auto found = store_->find(url, username);
  // A file an index linked may live outside the index's path (Artifactory's
  // /api/pypi/x/simple links /pypi/x/...); the index's own entry covers it.
  if (!found && context.index) found = store_->find(context.index->url, username);
  if (found) UVAUTH_DEBUG("found " << found->describe() << " in " << describe());
  return found;
}

Status TextStoreSource::store(const Url& service, const Credentials& credentials) {
  UVAUTH_TRY_ASSIGN(auto held, CredentialStore::lock(file_));
  UVAUTH_TRY_ASSIGN(auto store, CredentialStore::load(file_));
  store.insert(service, credentials);
  UVAUTH_TRY(store.save(file_));
  store_ = std::move(store);
  loaded_ = true;
  return {};
}

Result<bool> TextStoreSource::remove(const Url& service, const std::string& username) {
  UVAUTH_TRY_ASSIGN(auto held, CredentialStore::lock(file_));
  UVAUTH_TRY_ASSIGN(auto store, CredentialStore::load(file_));
  if (!store.remove(service, username)) return false;
  UVAUTH_TRY(store.save(file_));
  store_ = std::move(store);
  loaded_ = true;
  return true;
}

Result<std::vector<CredentialSource::Listed>> TextStoreSource::list() {
  UVAUTH_TRY_ASSIGN(auto store, CredentialStore::load(file_));
  std::vector<Listed> out;
  for (const auto& entry : store.entries()) {
    out.push_back(Listed{entry.service.without_userinfo(), entry.credentials.scheme == Credentials::Scheme::bearer
                                                               ? std::string("(bearer token)")
                                                               : entry.credentials.username.value_or("")});
  }
  return out;
}

// --- the system keychain ---

std::string KeychainSource::describe() const { return "the system keychain (" + std::string(SystemKeychain::backend()) + ")"; }

std::string KeychainSource::service_name(const Url& service) {
  std::string name = "uv:";
  if (service.scheme() != "https") name += service.scheme() + "://";
  return name + service.host_port();
}

std::optional<Credentials> KeychainSource::find(const Url& url, const LookupContext& context,
                                                const std::optional<std::string>& username) {
  // uv's older entries are keyed by the full URL (the index's root URL for
  // an index); its logins by the host.
  std::vector<std::string> services;
  auto add = [&services](std::string name) {
    if (std::find(services.begin(), services.end(), name) == services.end()) services.push_back(std::move(name));
  };
  if (context.index) {
    add("uv:" + context.index->root.with_userinfo_removed().without_userinfo());
    add("uv:" + context.index->url.with_userinfo_removed().without_userinfo());
  } else {
    add("uv:" + url.with_userinfo_removed().with_fragment_removed().without_userinfo());
  }
  add(service_name(url));
  for (const auto& service : services) {
    auto items = SystemKeychain::find(service, username);
    if (!items) {
      if (!unavailable_noted_) {
        unavailable_noted_ = true;
        UVAUTH_DEBUG("not using the system keychain: " << items.error().message);
      }
      return std::nullopt;
    }
    std::vector<KeychainItem> usable;
    for (auto& item : *items) {
      if (item.password && (!username || item.username == *username)) usable.push_back(std::move(item));
    }
    if (usable.empty()) {
      UVAUTH_TRACE("no entry in the system keychain for " << (username ? *username + "@" : "") << service);
      continue;
    }
    // Without a user name, one user stored for the service is the answer
    // (uv needs the name); several are ambiguous.
    bool one_user = true;
    for (const auto& item : usable) one_user = one_user && item.username == usable.front().username;
    if (!one_user) {
      UVAUTH_DEBUG("the system keychain has " << usable.size() << " users for " << service
                                              << "; name one (in the index URL or UV_INDEX_<NAME>_USERNAME)");
      continue;
    }
    UVAUTH_DEBUG("found user '" << usable.front().username << "' in " << describe() << " for " << service);
    return Credentials::basic(usable.front().username, std::move(*usable.front().password));
  }
  return std::nullopt;
}

Status KeychainSource::store(const Url& service, const Credentials& credentials) {
  if (!credentials.username || !credentials.password) {
    return Error(ErrorKind::auth, "the system keychain stores a user name with a password");
  }
  const std::string name = service_name(service);
  return SystemKeychain::store(name, *credentials.username, *credentials.password,
                               *credentials.username + "@" + name + ":default (uvauth " + std::string(uvauth::version) + ")");
}

Result<bool> KeychainSource::remove(const Url& service, const std::string& username) {
  return SystemKeychain::remove(service_name(service), username);
}

Result<std::vector<CredentialSource::Listed>> KeychainSource::list() {
  UVAUTH_TRY_ASSIGN(auto items, SystemKeychain::list());
  std::vector<Listed> out;
  for (auto& item : items) {
    std::string service = item.service.rfind("uv:", 0) == 0 ? item.service.substr(3) : item.service;
    out.push_back(Listed{std::move(service), std::move(item.username)});
  }
  return out;
}

// --- the keyring executable ---

std::optional<Credentials> KeyringSource::find(const Url& url, const LookupContext& context,
                                               const std::optional<std::string>& username) {
  const KeyringProvider keyring(executable_);
  if (username) return keyring.fetch(context.index ? context.index->url : url, username);
  if (context.policy == AuthPolicy::always && context.index) return keyring.fetch(context.index->url, std::nullopt);
  UVAUTH_DEBUG("not asking the keyring for " << url.redacted()
                                             << " without a user name; set one, or authenticate = \"always\"");
  return std::nullopt;
}

}  // namespace uvauth::auth
