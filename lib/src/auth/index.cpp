#include "uvauth/auth/index.hpp"

#include <cctype>

#include "uvauth/text.hpp"

namespace uvauth::auth {

std::string index_env_prefix(std::string_view name) {
  std::string out = "UV_INDEX_";
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    out += std::isalnum(u) ? static_cast<char>(std::toupper(u)) : '_';
  }
  return out;
}

Url index_root(const Url& url) {
  std::string path = url.path();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  const auto slash = path.rfind('/');
  const std::string last = to_lower_ascii(path.substr(slash + 1));
  if (last != "simple" && last != "+simple") return url.with_userinfo_removed().with_path(url.path());
  path = path.substr(0, slash);
  return url.with_userinfo_removed().with_path(path.empty() ? "/" : path);
}

Result<const AuthIndex*> IndexSet::add(std::string name, const Url& url, AuthPolicy policy,
                                       const config::Environment& env) {
  AuthIndex index;
  index.name = std::move(name);
  index.url = url.with_userinfo_removed();
  index.root = index_root(url);
  index.policy = policy;
  auto from_url = Credentials::from_url(url);
  if (!from_url) return std::move(from_url).error();
  index.credentials = *from_url;
  if (!index.name.empty()) {
    const std::string prefix = index_env_prefix(index.name);
    auto username = env.get(prefix + "_USERNAME");
    auto password = env.get(prefix + "_PASSWORD");
    if (username || password) {
      Credentials c = index.credentials.value_or(Credentials::basic(std::nullopt, std::nullopt));
      if (username) c.username = *username;
      if (password) c.password = Secret(*password);
      index.credentials = std::move(c);
    }
  }
  indexes_.push_back(std::move(index));
  return &indexes_.back();
}

const AuthIndex* IndexSet::find(const Url& url, std::string_view linked_by) const {
  const Realm realm = Realm::of(url);
  if (!linked_by.empty()) {
    for (const auto& index : indexes_) {
      if (index.url.without_userinfo() == linked_by && Realm::of(index.url) == realm) return &index;
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
