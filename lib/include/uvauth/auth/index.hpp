// The indexes the auth layer knows, with their policy and credentials. The
// policy belongs to the URL: whichever flag or file named a URL, if it lies
// under a known index's root it gets that index's policy and credentials.
#pragma once

#include <memory>

#include "uvauth/auth/credential_helper.hpp"

#include <deque>
#include <optional>
#include <string>
#include <string_view>

#include "uvauth/auth/credentials.hpp"
#include "uvauth/config/locations.hpp"

namespace uvauth::auth {

struct AuthIndex {
  std::string name;  // may be empty
  Url url;           // as declared, without userinfo
  Url root;          // `url` less a final `simple` / `+simple` segment
  AuthPolicy policy = AuthPolicy::automatic;
  // Userinfo of the declared URL, with UV_INDEX_<NAME>_USERNAME/_PASSWORD
  // replacing its parts.
  std::optional<Credentials> credentials;
  // A credential helper: its headers go on every request under the index,
  // instead of the look-up chain (shared: the set is copied, the answer kept once).
  std::shared_ptr<CredentialHelper> helper;
};

using config::index_env_prefix;
// The URL without a final `simple` / `+simple` segment (and its slash).
[[nodiscard]] Url index_root(const Url& url);

class IndexSet {
 public:
  // Earlier additions win ties, so add configured indexes before ones that
  // only come from the command line or a requirements file. A URL that is
  // an index already added (same identity(), trailing slash or not) is that
  // index: its name, policy and credentials; a later name fills in only a
  // nameless entry.
  // `variables`: UV_INDEX_<NAME>_USERNAME/_PASSWORD of that name (config::index_variables).
  Result<const AuthIndex*> add(std::string name, const Url& url, AuthPolicy policy, const config::IndexVariables& variables = {});
  // The entry whose URL is this index's (same identity), if any.
  [[nodiscard]] const AuthIndex* same_index(const Url& url) const;

  // The index a URL belongs to: the one named by `linked_by` (the URL of the
  // index whose page linked it) when in the same realm, else the one whose
  // root covers the URL most closely.
  [[nodiscard]] const AuthIndex* find(const Url& url, std::string_view linked_by = {}) const;
  [[nodiscard]] const std::deque<AuthIndex>& all() const { return indexes_; }

 private:
  std::deque<AuthIndex> indexes_;  // deque: pointers stay valid as it grows
};

}  // namespace uvauth::auth
