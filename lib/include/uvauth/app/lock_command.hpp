// `uvauth lock`: requirements (arguments, -r files, a pyproject) and
// indexes (flags, requirement files, settings) in, a pylock.toml out. The
// tool parses flags into LockArguments and prints what this returns.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/auth/session.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/lock/pylock.hpp"

namespace uvauth::app {

// Resolution starting and ending, for progress displays.
struct ResolveEvent {
  bool done = false;
  bool failed = false;       // done without a resolution
  std::size_t packages = 0;  // when done
  double seconds = 0;        // when done
};

struct LockArguments {
  std::vector<std::string> requirements;       // PEP 508 strings
  std::vector<std::string> requirement_files;  // -r
  std::vector<std::string> constraint_files;   // -c
  std::optional<std::string> project;          // --project pyproject.toml
  std::vector<std::string> groups;             // --group: dependency groups of the project (default: `dev` when it exists)
  bool all_groups = false;                     // --all-groups
  bool no_dev = false;                         // --no-dev: not the default `dev` group
  bool no_default_groups = false;              // --no-default-groups: only --group ones
  std::vector<std::string> extras;             // --extra: optional-dependencies of the project
  bool all_extras = false;                     // --all-extras
  bool upgrade = false;                        // --upgrade: the previous lock's pins are not preferred
  std::vector<std::string> upgrade_packages;   // --upgrade-package NAME: those are not
  bool refresh = false;                        // --refresh: revalidate every cached index page, fresh or not
  std::vector<std::string> refresh_packages;   // --refresh-package NAME: that project's pages
  bool no_deps = false;                        // --no-deps: the requirements only, not their dependencies
  bool dry_run = false;                        // --dry-run: resolve and report, write nothing
  std::vector<std::string> indexes;            // --index NAME=URL or URL
  std::optional<std::string> default_index;    // --default-index
  std::optional<std::string> index_url;        // --index-url
  std::vector<std::string> extra_index_urls;   // --extra-index-url
  std::vector<std::string> find_links;         // --find-links
  bool no_index = false;                       // --no-index: no index at all (find-links and URLs only)
  bool require_hashes = false;                 // --require-hashes: every package needs a --hash
  std::vector<std::string> editables;          // -e/--editable DIR: a local project, installed editable (PEP 660)
  bool no_build = false;                       // --no-build: never build from source (also UV_NO_BUILD=1)
  std::vector<std::string> no_build_packages;  // --no-build-package NAME
  std::vector<std::string> only_binary;        // --only-binary NAME,... | :all: | :none: (pip's and uv's; as --no-build[-package])
  std::vector<std::string> no_binary;          // --no-binary NAME|:all: (pip's form, comma lists too): the sdist, built
  std::vector<std::string> no_binary_packages; // --no-binary-package NAME (uv's form)
  std::optional<std::string> python;           // --python EXE
  std::optional<std::string> python_version;   // --python-version
  std::optional<std::string> python_platform;  // --python-platform
  std::optional<std::string> prerelease;       // --prerelease MODE
  // Universal locks (uv's `uv lock`): one lock for every environment of the
  // space, forking where requirements differ. On with --universal, or when
  // environments are declared (flags or the settings' `environments`).
  bool universal = false;                             // --universal
  bool no_universal = false;                          // --no-universal: one target, also over a universal lock
  std::optional<std::string> requires_python;         // --requires-python SPEC
  std::vector<std::string> environments;              // --environment MARKER
  std::vector<std::string> required_environments;     // --required-environment MARKER
  std::filesystem::path output = "pylock.toml";
  bool locked = false;                         // --locked: fail if the lock would change
  bool write = true;                           // false: resolve in memory only (uvauth install)

  auth::SessionOptions session;                // the global flags
  std::optional<std::filesystem::path> cache_dir;
  bool no_cache = false;
  bool offline = false;
  std::function<void(const ResolveEvent&)> on_resolve;  // the tool's display
};

// One package's change between the previous lock (or target) and the new one.
struct PackageChange {
  enum class Kind { added, updated, downgraded, removed };
  Kind kind = Kind::added;
  std::string name;
  std::string from;  // empty when added
  std::string to;    // empty when removed
};

// What changed between two locks, sorted by name.
[[nodiscard]] std::vector<PackageChange> lock_changes(const lock::Lock* before, const lock::Lock& after);
// uv's lines: "Added six v1.17.0", "Updated x v1.0 -> v2.0", "Downgraded ...", "Removed ...".
[[nodiscard]] std::string describe(const PackageChange& change);
[[nodiscard]] const char* to_string(PackageChange::Kind kind);

struct LockOutcome {
  lock::Lock lock;
  std::vector<PackageChange> changes;  // against the previous lock (empty when there was none and nothing was written)
  bool changed = false;  // the file was (or, with --locked or --dry-run, would be) rewritten
  bool had_previous = false;  // a lock was there before
  std::string summary;   // "Resolved 12 packages in 0.8 s"
  std::vector<std::filesystem::path> files_read;  // requirement files (nested too) and the project
  // Where build requirements come from when this lock is installed (uvauth install).
  std::vector<std::pair<std::string, std::string>> build_indexes;  // name, URL (highest priority first)
  std::vector<std::string> build_find_links;
  // Local project directories the lock names (for CMAKE_CONFIGURE_DEPENDS).
  std::vector<std::filesystem::path> project_directories;
};

// `changes_seen`, when given, receives the changes the run found even when
// it then fails (--locked), for --json.
Result<LockOutcome> run_lock(const LockArguments& arguments, const config::Environment& env,
                             std::vector<PackageChange>* changes_seen = nullptr);

}  // namespace uvauth::app
