// PEP 751 lock files (pylock.toml): what was resolved, for which target,
// from where, with which hashes. Deterministic output (same lock, same
// bytes); never a credential (URLs are written without userinfo).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/markers.hpp"
#include "uvauth/pep/version.hpp"

namespace uvauth::lock {

// A local file (a wheel or an sdist on this machine) is written as PEP 751's
// `path`, relative to the lock file's directory, so the lock works on every
// clone; in memory it is a file:// URL once the lock was read with a base
// (Lock::resolve_paths), as a fresh resolution makes it. `path` is what the
// file said, kept for the message when it cannot be resolved.
// A location from a lock as it may be written or shown: a URL without
// userinfo (to a fixed point), or the text with userinfo redacted.
[[nodiscard]] std::string without_userinfo(const std::string& location);

struct LockedWheel {
  std::string name;  // file name
  std::string url;   // without userinfo
  std::uint64_t size = 0;
  std::string sha256;
  std::string path{};
};

// PEP 751 [packages.sdist]: a source distribution, built at install time
// when no wheel fits (or none is locked).
struct LockedSdist {
  std::string name;  // file name
  std::string url;   // without userinfo; a file:// URL for a local archive
  std::uint64_t size = 0;
  std::string sha256;
  std::string path{};  // as for LockedWheel
};

// PEP 751 [packages.directory]: a local project, built (or installed
// editable) at install time. `path` is relative to the lock file's directory
// in the file; in memory it is absolute once the lock was read with a base
// (Lock::resolve_paths) and made relative again by Lock::serialize(base).
struct LockedDirectory {
  std::string path;
  bool editable = false;
};

// PEP 751 [packages.vcs]: a Git repository at the commit resolved when
// locking; built at install time from a checkout of exactly that commit.
struct LockedVcs {
  std::string type = "git";
  std::string url;                 // the repository, without userinfo (https://host/repo.git, ssh://, file://)
  std::string requested_revision;  // as the requirement asked (tag, branch, commit); empty: the default branch
  std::string commit_id;           // 40 hex digits
  std::string subdirectory;
  // The requirement URL again: git+<url>[@requested_revision][#subdirectory=...].
  [[nodiscard]] std::string requirement_url() const;
};

struct LockedPackage {
  std::string name;  // canonical
  pep::Version version;
  std::string index;  // the index (or find-links location) it came from
  std::vector<LockedWheel> wheels;
  std::optional<LockedSdist> sdist;
  std::optional<LockedDirectory> directory;
  std::optional<LockedVcs> vcs;
  // PEP 751 `marker`: the environments this entry is for ("" = all); a name
  // may have several entries with disjoint markers (select.hpp picks one).
  std::string marker;
  std::string requires_python;  // PEP 751 `requires-python` of the entry
  // PEP 751 `dependencies`: the canonical names of the locked packages this
  // one requires on the lock's target (for `tree`), sorted.
  std::vector<std::string> dependencies;
};

// An index a lock's packages came from, as [tool.uvauth] records it, so that
// `sync` elsewhere binds their URLs to the same index (its name, hence its
// UV_INDEX_<NAME>_* credentials, and its policy). Never credentials.
struct LockedIndex {
  std::string name;          // may be empty
  std::string url;           // without userinfo
  std::string authenticate;  // auto|always|never

  friend bool operator==(const LockedIndex&, const LockedIndex&) = default;
};

struct Lock {
  std::string lock_version = "1.0";
  std::string created_by = "uvauth";
  std::string requires_python;            // e.g. "==3.11.*"
  std::vector<std::string> environments;  // markers of the target the lock is for
  std::vector<std::string> default_groups;  // PEP 751 `default-groups` (for `dependency_groups` markers)
  std::vector<LockedPackage> packages;    // sorted by name
  // [tool.uvauth]
  std::string inputs;  // fingerprint of what was asked (requirements, indexes, target)
  std::string target;  // human description of the target
  // Made by `lock --universal` (target "universal (requires-python ...)").
  [[nodiscard]] bool is_universal() const { return target.rfind("universal", 0) == 0; }
  std::vector<std::string> requested;  // canonical names of the direct requirements
  std::vector<LockedIndex> indexes;    // the indexes the packages came from
  // Whether the packages record `dependencies` (locks of uvauth before 0.2
  // do not; they are rewritten with them by the next `lock`).
  bool has_dependencies = true;

  // Same packages, wheels, environments and requires-python: what a lock
  // *means*. [tool.uvauth] (the inputs' fingerprint, the description of the
  // machine that made it) does not count, so a lock made on 3.11.7 is the
  // same lock on 3.11.2 and is not rewritten.
  [[nodiscard]] bool same_content(const Lock& other) const;

  // Directory paths are written relative to `base` (the lock file's directory) when given.
  [[nodiscard]] std::string serialize(const std::string& base = {}) const;
  static Result<Lock> parse(std::string_view text, const std::string& source);
  // Relative directory paths made absolute against `base` (the lock file's directory).
  void resolve_paths(const std::string& base);

  // Ok when the lock's environment markers hold for `environment`.
  [[nodiscard]] Status check_target(const pep::MarkerEnvironment& environment, const std::string& source) const;
};

// The marker that describes a target: python_version, sys_platform,
// platform_machine and implementation_name.
[[nodiscard]] std::string environment_marker(const pep::MarkerEnvironment& environment);

}  // namespace uvauth::lock
