// Source builds for the commands: resolve::SourceBuilder (metadata for the
// resolver) and build::EnvironmentInstaller (build environments), both over
// the command's own index client, indexes and credentials, so build
// backends come from the same private index under the same policy, and the
// backend itself never sees a credential.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "uvauth/auth/middleware.hpp"
#include "uvauth/build/frontend.hpp"
#include "uvauth/git/git.hpp"
#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/index/index_client.hpp"
#include "uvauth/install/sync.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/net/client.hpp"
#include "uvauth/resolve/index_provider.hpp"

namespace uvauth::app {

// The environment a build backend runs with: this process's, less every
// variable that can carry a credential (UV_INDEX_*, index URLs of uv and
// pip, publish tokens, proxies' userinfo, uvauth's own secrets).
[[nodiscard]] std::vector<std::string> backend_environment(const config::Environment& env);
[[nodiscard]] bool is_credential_variable(std::string_view name, std::string_view value);
// UVAUTH_BUILD_TIMEOUT (seconds; default 600).
[[nodiscard]] std::chrono::seconds build_timeout(const config::Environment& env);

struct SourceBuildSettings {
  resolve::ProviderOptions provider;  // indexes, find-links, pre-release mode, build policy; target = the interpreter
  cache::CacheDir cache{std::nullopt};
  std::chrono::seconds timeout = std::chrono::seconds(600);
  bool show_output = false;
  std::vector<std::string> environment;  // backend_environment()
  int depth = 0;                         // build requirements of build requirements...
  // Git requirements: credentials for the Git host come from this chain
  // (nullptr: none but the URL's own), and --offline uses the cache only.
  auth::AuthMiddleware* auth = nullptr;
  bool offline = false;
};

class SourceBuilder : public resolve::SourceBuilder, public build::EnvironmentInstaller {
 public:
  SourceBuilder(index::IndexClient& index_client, net::Client& client, SourceBuildSettings settings);

  Result<pep::CoreMetadata> metadata(const resolve::SourceRef& source) override;
  Result<std::string> git_commit(const std::string& name, const std::string& git_url) override;
  Status install(const std::vector<pep::Requirement>& requirements, const std::filesystem::path& venv, const std::string& why) override;
  // A wheel for a locked sdist or project directory (built, or from the cache).
  Result<install::BuiltSource> wheel_for(const lock::LockedPackage& package);

 private:
  // The sdist in the cache (downloaded with the index's credentials, checked against `sha256` when known).
  Result<std::filesystem::path> fetch(const index::DistributionFile& file, const std::string& index_url, const std::string& sha256,
                                      const std::string& label, std::string& digest_out);
  Result<std::filesystem::path> unpacked(const std::filesystem::path& archive, const std::string& digest, const std::string& label);
  [[nodiscard]] std::string key(const std::string& kind, const std::string& id) const;
  Result<build::Frontend*> frontend();
  Result<git::GitCache*> git_cache();
  // The credentials for a Git repository: its URL's userinfo, else the chain under the covering index's policy.
  Result<std::optional<git::GitCredentials>> git_credentials(const git::GitReference& ref);
  // The project directory of a Git requirement at `commit` (a checkout in the cache, then its subdirectory).
  Result<std::filesystem::path> git_tree(const git::GitReference& ref, const std::string& commit, const std::string& label);

  index::IndexClient& index_client_;
  net::Client& client_;
  SourceBuildSettings settings_;
  std::mutex mutex_;        // frontend_
  std::mutex fetch_mutex_;  // sdist downloads and unpacking
  std::unique_ptr<build::Frontend> frontend_;
  std::mutex git_mutex_;  // git_
  std::unique_ptr<git::GitCache> git_;
};

}  // namespace uvauth::app
