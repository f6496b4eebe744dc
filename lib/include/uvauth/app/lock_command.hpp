// `uvauth lock`: requirements (arguments, -r files, a pyproject) and
// indexes (flags, requirement files, settings) in, a pylock.toml out. The
// tool parses flags into LockArguments and prints what this returns.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/auth/session.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/lock/pylock.hpp"

namespace uvauth::app {

struct LockArguments {
  std::vector<std::string> requirements;       // PEP 508 strings
  std::vector<std::string> requirement_files;  // -r
  std::vector<std::string> constraint_files;   // -c
  std::optional<std::string> project;          // --project pyproject.toml
  std::vector<std::string> groups;             // --group: dependency groups of the project (default: `dev` when it exists)
  std::vector<std::string> indexes;            // --index NAME=URL or URL
  std::optional<std::string> default_index;    // --default-index
  std::optional<std::string> index_url;        // --index-url
  std::vector<std::string> extra_index_urls;   // --extra-index-url
  std::vector<std::string> find_links;         // --find-links
  bool no_index = false;                       // --no-index: no index at all (find-links and URLs only)
  bool require_hashes = false;                 // --require-hashes: every package needs a --hash
  std::optional<std::string> python;           // --python EXE
  std::optional<std::string> python_version;   // --python-version
  std::optional<std::string> python_platform;  // --python-platform
  std::optional<std::string> prerelease;       // --prerelease MODE
  std::filesystem::path output = "pylock.toml";
  bool locked = false;                         // --locked: fail if the lock would change
  bool write = true;                           // false: resolve in memory only (uvauth install)

  auth::SessionOptions session;                // the global flags
  std::optional<std::filesystem::path> cache_dir;
  bool no_cache = false;
  bool offline = false;
};

struct LockOutcome {
  lock::Lock lock;
  bool changed = false;  // the file was (or, with --locked, would be) rewritten
  std::string summary;   // "Resolved 12 packages in 0.8 s"
  std::vector<std::filesystem::path> files_read;  // requirement files (nested too) and the project
};

Result<LockOutcome> run_lock(const LockArguments& arguments, const config::Environment& env);

}  // namespace uvauth::app
