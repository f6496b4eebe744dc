// Git requirements (`name @ git+https://host/repo.git@REV#subdirectory=sub`):
// the reference, and a cache of bare clones and checkouts that runs the
// `git` executable.
//
// Credentials reach git through its environment only: configuration for
// that one git process (GIT_CONFIG_COUNT/KEY/VALUE) that sends them as an
// Authorization header on every request to the repository's URL, with
// redirects refused, so they reach no other host and no request goes out
// without them. Never on argv (/proc/*/cmdline is world-readable), never in
// a config file. The user's credential helpers are off for these processes
// (nothing is stored in ~/.git-credentials), git never prompts
// (GIT_TERMINAL_PROMPT=0, an askpass written by uvauth that answers
// nothing), and no URL git stores (remote, alternates) carries userinfo.
#pragma once

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/secret.hpp"
#include "uvauth/url.hpp"

namespace uvauth::git {

// True for the requirement URLs this module takes: git+https, git+http,
// git+ssh, git+file.
[[nodiscard]] bool is_git_url(std::string_view text);

struct GitReference {
  std::string scheme;        // https, http, ssh or file (without "git+")
  std::string repository;    // what git is given and the lock records: the URL without "git+", userinfo, @REV or fragment
  std::string rev;           // the requested revision (tag, branch, commit); empty: the default branch
  std::string subdirectory;  // #subdirectory=; empty: the repository's root
  std::string username;      // userinfo of the URL, if any (http and https)
  std::optional<Secret> password;

  // `git+<scheme>://[user[:password]@]host/path[@REV][#subdirectory=sub]`.
  // Errors name the (redacted) URL and the problem.
  static Result<GitReference> parse(std::string_view text);
  // The requirement URL again, without userinfo: git+<repository>[@rev][#subdirectory=...].
  [[nodiscard]] std::string requirement_url() const;
  // The repository as a Url, for the credential look-up (http and https only; no userinfo).
  [[nodiscard]] Result<Url> http_url() const;
  [[nodiscard]] bool is_http() const { return scheme == "http" || scheme == "https"; }
  // Whether `rev` is a full 40-digit commit id.
  [[nodiscard]] bool rev_is_commit() const;
};

struct GitCredentials {
  std::string username;
  Secret password;
  std::string source;  // "netrc file ~/.netrc", for messages
};

struct GitOptions {
  std::filesystem::path bucket;        // the cache's git-v1 directory
  std::string git = "git";             // the executable (looked up on PATH)
  bool offline = false;                // never fetch; what the cache has is all there is
  std::chrono::seconds timeout{600};   // per git command
  std::vector<std::string> environment;  // the base environment of git ("NAME=value"), credential variables already removed
};

class GitCache {
 public:
  explicit GitCache(GitOptions options);

  // The full commit id `ref.rev` names in the repository now. A full commit
  // id the cache has is answered without the network; a branch, tag, short
  // id or the default branch is fetched first (unless offline).
  Result<std::string> resolve(const GitReference& ref, const std::optional<GitCredentials>& credentials);
  // Whether the cache has `commit` (a checkout needs no fetch).
  [[nodiscard]] bool has_commit(const GitReference& ref, const std::string& commit);
  // A checkout of `commit` (fetched when the cache does not have it),
  // made once per commit and never changed afterwards: the directory of the
  // repository's root (the subdirectory is the caller's).
  Result<std::filesystem::path> checkout(const GitReference& ref, const std::string& commit,
                                         const std::optional<GitCredentials>& credentials);

 private:
  [[nodiscard]] std::filesystem::path repo_dir(const GitReference& ref) const;
  Status ensure_repository(const std::filesystem::path& bare, const GitReference& ref);
  Status fetch(const std::filesystem::path& bare, const GitReference& ref, const std::optional<GitCredentials>& credentials,
               const std::vector<std::string>& refspecs);
  [[nodiscard]] std::optional<std::string> rev_parse(const std::filesystem::path& bare, const std::string& expression);
  Result<std::string> helper_script();  // the askpass
  // Runs git with the options' environment (and the credentials, for a fetch).
  Result<std::string> run(const std::vector<std::string>& args, const GitReference& ref,
                          const std::optional<GitCredentials>& credentials, const std::string& what, bool network);

  GitOptions options_;
};

}  // namespace uvauth::git
