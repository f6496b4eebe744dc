// `uvauth sync --lock pylock.toml (--target DIR | --venv DIR)`: make DIR
// hold exactly the locked packages.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "uvauth/auth/session.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/install/sync.hpp"

namespace uvauth::app {

struct SyncArguments {
  std::filesystem::path lock_file = "pylock.toml";
  std::optional<std::filesystem::path> target;
  std::optional<std::filesystem::path> venv;
  std::optional<std::string> python;
  // A cross target (uv's --python-version / --python-platform): select the
  // lock's entries and wheels for it and install them into --target.
  std::optional<std::string> python_version;
  std::optional<std::string> python_platform;
  bool locked = false;  // accepted as in uv: sync never rewrites the lock
  bool frozen = false;  // never resolve (sync never does; kept for the CLI contract)
  bool reinstall = false;                      // --reinstall: every package again
  std::vector<std::string> reinstall_packages; // --reinstall-package NAME
  bool exact = false;                          // --exact: a venv also loses what the lock does not name
  bool no_build = false;                       // --no-build: a locked sdist or project directory is an error
  std::vector<std::string> no_build_packages;  // --no-build-package NAME
  // Where build requirements come from (uvauth install passes its resolution's); else the settings' and the lock's indexes.
  std::vector<std::pair<std::string, std::string>> build_indexes;  // name, URL
  std::vector<std::string> build_find_links;
  bool dry_run = false;                        // --dry-run: say what would change, touch nothing
  // clone (else hardlink, else copy) | hardlink | copy; unset: UV_LINK_MODE,
  // then the settings' `link-mode`, then clone, as in uv.
  std::optional<std::string> link_mode;
  bool from_lock_file = true;  // false: the lock was resolved in memory (uvauth install)
  std::vector<std::string> indexes;     // --index NAME=URL: names (and credentials) for the lock's index URLs
  std::optional<std::string> project;   // --project: its [tool.uv] indexes
  std::function<void(const install::SyncProgress&)> on_progress;  // the tool's display

  auth::SessionOptions session;
  std::optional<std::filesystem::path> cache_dir;
  bool no_cache = false;
  bool offline = false;
};

struct SyncOutcome {
  install::SyncReport report;
  std::string summary;
  std::filesystem::path dir;                                  // the target or venv, absolute
  std::filesystem::path stamp;                                // the file that changes when DIR's set changes
  bool dry_run = false;
  std::vector<std::pair<std::string, std::string>> packages;  // name, version: what DIR now holds
};

Result<SyncOutcome> run_sync(const SyncArguments& arguments, const config::Environment& env);
// The same for a lock already in memory (uvauth install); `lock_text` is its serialized form.
Result<SyncOutcome> sync_lock(const SyncArguments& arguments, const lock::Lock& lock, const std::string& lock_text,
                              const config::Environment& env);

}  // namespace uvauth::app
