// The auth layer on every request of the HTTP client: which credentials to
// attach, when to look for them and where, and which to remember.
//
// Sources, highest first: userinfo in the URL; the index's own credentials
// (its URL's userinfo, replaced by UV_INDEX_<NAME>_USERNAME/_PASSWORD);
// credentials that already worked in this process; then the look-up chain
// of credential sources (source.hpp: netrc -> credentials store -> system
// keychain -> keyring), run at most once per realm-or-index and user name.
#pragma once

#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "uvauth/auth/cache.hpp"
#include "uvauth/config/locations.hpp"
#include "uvauth/auth/index.hpp"
#include "uvauth/auth/source.hpp"
#include "uvauth/net/client.hpp"

namespace uvauth::auth {

struct AuthSettings {
  AuthPolicy default_policy = AuthPolicy::automatic;  // for URLs outside every index
  std::optional<std::filesystem::path> netrc_file;    // $NETRC, else ~/.netrc
  std::optional<std::filesystem::path> store_file;    // uv's credentials.toml
  std::optional<std::string> keyring_executable;      // set when the keyring provider is `subprocess`
  bool system_keychain = false;                       // the native-auth preview: uv's entries in the OS keychain

  // From where the configuration pass found the sources to be.
  static AuthSettings from(const config::CredentialLocations& locations);
};

// The chain the settings describe, in the documented order.
[[nodiscard]] CredentialSources default_sources(const AuthSettings& settings);

// Credentials and where they came from ("netrc file ~/.netrc"): safe to print the latter.
struct SourcedCredentials {
  Credentials credentials;
  std::string source;
};

class AuthMiddleware final : public net::Middleware {
 public:
  AuthMiddleware(AuthSettings settings, IndexSet indexes);
  // With the sources given (tests inject fakes).
  AuthMiddleware(AuthSettings settings, IndexSet indexes, CredentialSources sources);

  Status before_send(net::Request& request, net::Exchange& exchange) override;
  bool should_resend(net::Request& request, const net::Response& response, net::Exchange& exchange) override;
  void on_success(const net::Request& request, const net::Response& response, net::Exchange& exchange) override;
  // Under `auto`, the first request to an index (or realm) with no known
  // credentials goes alone; the others wait for its outcome and then carry
  // what it found (or nothing, for a public index).
  bool hold(net::Request& request, net::Exchange& exchange) override;
  void on_complete(net::Exchange& exchange) override;
  void on_final_response(const net::Request& request, net::Response& response, net::Exchange& exchange) override;

  [[nodiscard]] const IndexSet& indexes() const { return indexes_; }
  // For a client that is not this one (git): the credentials a request to
  // `url` would carry, looked up at once (no unauthenticated probe first),
  // under the policy of the index whose root covers it. `always` with none
  // found is the same "Missing credentials" error as a request's; `never`
  // gives none. Nothing found under `auto`: nullopt.
  Result<std::optional<SourcedCredentials>> credentials_for(const Url& url);
  // How many times the look-up chain ran (tests prove it runs once per key).
  [[nodiscard]] int lookups() const;

 private:
  struct Target {
    const AuthIndex* index = nullptr;
    AuthPolicy policy = AuthPolicy::automatic;
  };
  [[nodiscard]] Target target_of(const net::Request& request) const;
  [[nodiscard]] std::optional<Credentials> known(const Url& url, const AuthIndex* index,
                                                 const std::optional<std::string>& username) const;
  // Credentials with where they came from ("netrc file ~/.netrc"), for messages.
  struct Sourced {
    Credentials credentials;
    std::string source;
  };
  // The look-up chain, once per index-or-realm and user (cached, hit or miss).
  std::optional<Sourced> lookup(const Url& url, const Target& target, const std::optional<std::string>& username);
  // The chain itself: each source in order; the first answer that is none
  // of `refused` (after a rejection the next source is tried, once each).
  // Called with lookup_mutex_ held.
  std::optional<Sourced> chain(const Url& url, const Target& target, const std::optional<std::string>& username,
                               const std::vector<Credentials>& refused);

  AuthSettings settings_;
  IndexSet indexes_;
  CredentialsCache cache_;

  std::mutex probe_mutex_;
  std::map<std::string, bool> probes_;  // key -> true while its first request is out, false once it ended

  mutable std::mutex lookup_mutex_;  // held during a look-up: concurrent askers wait for its answer
  std::map<std::string, std::optional<Sourced>> looked_up_;
  int lookups_ = 0;
  CredentialSources sources_;  // used under lookup_mutex_
};

}  // namespace uvauth::auth
