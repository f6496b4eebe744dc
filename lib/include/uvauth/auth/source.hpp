// Where credentials are looked up: one interface, one module per source, in
// one documented order (the README's "credential chain"):
//
//   netrc -> uv's credentials store (credentials.toml) -> the system keychain
//   (native-auth) -> the `keyring` executable (subprocess)
//
// The middleware asks each in turn for the URL of a request (with the index
// the URL belongs to, and the user name the URL or the index names) and
// takes the first answer it has not seen refused. `auth login/logout/token`
// write and read through the same interface (the store, or the keychain
// under native-auth). Sources are used under the middleware's look-up lock:
// they need not be thread-safe.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/auth/credentials.hpp"
#include "uvauth/auth/index.hpp"
#include "uvauth/auth/netrc.hpp"
#include "uvauth/auth/store.hpp"

namespace uvauth::auth {

struct LookupContext {
  const AuthIndex* index = nullptr;  // the index the URL belongs to, if any
  AuthPolicy policy = AuthPolicy::automatic;
};

class CredentialSource {
 public:
  virtual ~CredentialSource() = default;
  // "netrc file /home/a/.netrc": where an answer came from, safe to print.
  [[nodiscard]] virtual std::string describe() const = 0;
  // nullopt: nothing for this URL (and user). A source that cannot be read
  // says why at -v and answers nothing: the next source is asked.
  virtual std::optional<Credentials> find(const Url& url, const LookupContext& context,
                                          const std::optional<std::string>& username) = 0;

  // Sources that can be written (`auth login` / `logout`).
  [[nodiscard]] virtual bool writable() const { return false; }
  virtual Status store(const Url& service, const Credentials& credentials);
  // False when there was no such entry.
  virtual Result<bool> remove(const Url& service, const std::string& username);
  // The entries for "did you mean" and `auth list`: service and user.
  struct Listed {
    std::string service;
    std::string username;  // "(bearer token)" for a token
  };
  virtual Result<std::vector<Listed>> list();
};

using CredentialSources = std::vector<std::unique_ptr<CredentialSource>>;

// netrc: by host, uv's rules (netrc.hpp). Read once, on first use.
class NetrcSource final : public CredentialSource {
 public:
  explicit NetrcSource(std::filesystem::path file) : file_(std::move(file)) {}
  [[nodiscard]] std::string describe() const override { return "netrc file " + file_.string(); }
  std::optional<Credentials> find(const Url& url, const LookupContext& context, const std::optional<std::string>& username) override;

 private:
  std::filesystem::path file_;
  bool loaded_ = false;
  std::optional<Netrc> netrc_;
};

// uv's credentials.toml: the URL, then (for a file an index linked outside
// its path, as Artifactory does) the index's own URL. Writes hold the file lock.
class TextStoreSource final : public CredentialSource {
 public:
  explicit TextStoreSource(std::filesystem::path file) : file_(std::move(file)) {}
  [[nodiscard]] std::string describe() const override { return "the credentials store " + file_.string(); }
  std::optional<Credentials> find(const Url& url, const LookupContext& context, const std::optional<std::string>& username) override;
  [[nodiscard]] bool writable() const override { return true; }
  Status store(const Url& service, const Credentials& credentials) override;
  Result<bool> remove(const Url& service, const std::string& username) override;
  Result<std::vector<Listed>> list() override;
  [[nodiscard]] const std::filesystem::path& file() const { return file_; }

 private:
  std::filesystem::path file_;
  bool loaded_ = false;
  std::optional<CredentialStore> store_;
};

// The system keychain with uv's native-auth entries (keychain.hpp). Looked
// up for the index root URL (or the URL), then "uv:host[:port]" (https) or
// "uv:scheme://host[:port]" (other schemes; an http request never gets an
// https entry). Without a user name, the one user stored for the service.
class KeychainSource final : public CredentialSource {
 public:
  [[nodiscard]] std::string describe() const override;
  std::optional<Credentials> find(const Url& url, const LookupContext& context, const std::optional<std::string>& username) override;
  [[nodiscard]] bool writable() const override { return true; }
  Status store(const Url& service, const Credentials& credentials) override;
  Result<bool> remove(const Url& service, const std::string& username) override;
  Result<std::vector<Listed>> list() override;

  // uv's service name for a login to `service`: "uv:host[:port]", with the
  // scheme when it is not https.
  [[nodiscard]] static std::string service_name(const Url& service);

 private:
  bool unavailable_noted_ = false;
};

// The `keyring` executable (uv's --keyring-provider subprocess): slow, so
// asked only with a user name, or for an index under authenticate = "always".
class KeyringSource final : public CredentialSource {
 public:
  explicit KeyringSource(std::string executable) : executable_(std::move(executable)) {}
  [[nodiscard]] std::string describe() const override { return "the keyring"; }
  std::optional<Credentials> find(const Url& url, const LookupContext& context, const std::optional<std::string>& username) override;

 private:
  std::string executable_;
};

}  // namespace uvauth::auth
