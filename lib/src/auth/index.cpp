#include "uvauth/auth/index.hpp"

#include <cctype>

#include "uvauth/text.hpp"

namespace uvauth::auth {


Url index_root(const Url& url) {
  std::string path = url.path();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  const auto slash = path.rfind('/');
  const std::string last = to_lower_ascii(path.substr(slash + 1));
  if (last != "simple" && last != "+simple") return url.with_userinfo_removed().with_path(url.path());
  path = path.substr(0, slash);
  return url.with_userinfo_removed().with_path(path.empty() ? "/" : path);
}

const AuthIndex* IndexSet::same_index(const Url& url) const {
  const std::string identity = url.identity();
  for (const auto& index : indexes_) {
    if (index.url.identity() == identity) return &index;
  }
  return nullptr;
}

namespace {
// UV_INDEX_<NAME>_USERNAME/_PASSWORD replace the parts of `credentials`.
std::optional<Credentials> with_variables(std::optional<Credentials> credentials, const config::IndexVariables& variables) {
  if (!variables.username && !variables.password) return credentials;
  Credentials c = credentials.value_or(Credentials::basic(std::nullopt, std::nullopt));
  if (variables.username) c.username = *variables.username;
  if (variables.password) c.password = Secret(*variables.password);
  return c;
}
}  // namespace

Result<const AuthIndex*> IndexSet::add(std::string name, const Url& url, AuthPolicy policy,
                                       const config::IndexVariables& variables) {
  auto from_url = Credentials::from_url(url);
  if (!from_url) return std::move(from_url).error();
  for (auto& existing : indexes_) {
    if (existing.url.identity() != url.identity()) continue;
    // The same index named again: it keeps what it was declared with.
    if (existing.name.empty() && !name.empty()) {
      existing.name = std::move(name);
      existing.credentials = with_variables(existing.credentials, variables);
    }
    if (!existing.helper && variables.credential_helper) {
      existing.helper = CredentialHelper::shared(*variables.credential_helper, "index '" + existing.name + "'");
    }
    if (!existing.credentials && *from_url) existing.credentials = *from_url;
    return &existing;
  }
  AuthIndex index;
  index.name = std::move(name);
  index.url = url.with_userinfo_removed();
  index.root = index_root(url);
  index.policy = policy;
  index.credentials = index.name.empty() ? *from_url : with_variables(*from_url, variables);
  if (variables.credential_helper) {
    index.helper = CredentialHelper::shared(*variables.credential_helper,
                                            index.name.empty() ? "index " + index.url.without_userinfo() : "index '" + index.name + "'");
  }
  indexes_.push_back(std::move(index));
  return &indexes_.back();
}

const AuthIndex* IndexSet::find(const Url& url, std::string_view linked_by) const {
  const Realm realm = Realm::of(url);
  if (!linked_by.empty()) {
    // By identity: the linking index may have been named with or without a trailing slash.
    if (auto linking = Url::parse(linked_by)) {
      if (const AuthIndex* index = same_index(*linking); index && Realm::of(index->url) == realm) return index;
    }
  }
  const AuthIndex* best = nullptr;
  for (const auto& index : indexes_) {
    if (Realm::of(index.root) != realm || !is_path_prefix(index.root.path(), url.path())) continue;
    if (!best || index.root.path().size() > best->root.path().size()) best = &index;
  }
  return best;
}

}  // namespace uvauth::auth
