// Making a directory hold exactly the packages of a lock: missing ones
// installed, changed ones replaced, extraneous ones removed (by RECORD).
// The new tree is built beside the old one and swapped in atomically, so a
// failed or killed sync leaves the directory as it was; the next run cleans
// up. A stamp answers an unchanged sync without touching the network.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/install/installer.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/net/client.hpp"

namespace uvauth::install {

enum class TargetKind { target, venv };

// Where a sync stands, for progress displays.
struct SyncProgress {
  std::size_t to_download = 0;  // wheels not in the cache
  std::size_t downloaded = 0;
  std::uint64_t downloaded_bytes = 0;  // counted as bytes arrive, not when a file ends
  std::size_t to_install = 0;
  std::size_t installed = 0;
  std::uint64_t bytes_to_download = 0;  // the lock's sizes of what is downloaded, and those learned since
  bool sizes_known = true;              // the lock gave every size (else bytes_to_download grows)
  // Large downloads in flight (at least SyncOptions::large_download_bytes),
  // for a line each: a 2 GB wheel must not look like a hang.
  struct Download {
    std::string name;
    std::uint64_t size = 0;
    std::uint64_t received = 0;
    std::chrono::steady_clock::time_point started;
  };
  std::vector<Download> large;
  std::string finished_large;  // the name of a large download that just finished (one event)
};

// "[########------------] 12/68 downloaded, 23.4/80.0 MB · 10/68 installed", `width` columns of bar.
[[nodiscard]] std::string render_progress(const SyncProgress& progress, int width = 20);

// A wheel built for a locked sdist or project directory (the app layer's
// PEP 517 frontend, or its cache of built wheels).
struct BuiltSource {
  std::filesystem::path wheel;
  std::string filename;
  std::string sha256;
  std::uint64_t size = 0;
};

struct SyncOptions {
  lock::Lock lock;
  std::string lock_digest;  // sha256 of the lock file's bytes (for the stamp)
  // Written into the stamp when the lock is plain (wheels only): a digest of
  // everything the selection depends on, which lets a later `uvauth sync`
  // answer "up to date" without parsing the lock (app/sync_command.cpp).
  std::string quick_key;
  TargetKind kind = TargetKind::target;
  std::filesystem::path dir;
  std::filesystem::path python;      // the target interpreter (shebangs, venv links)
  std::string python_version;        // "3.11.7"
  LinkMode link_mode = LinkMode::hardlink;
  std::set<std::string> requested;   // canonical names of direct requirements (REQUESTED)
  bool from_lock_file = true;        // false for `uvauth install` (messages do not speak of a lock)
  // Installed again even when the version is there (--reinstall, --reinstall-package).
  bool reinstall_all = false;
  std::set<std::string> reinstall;   // canonical names
  // What the lock does not name is removed: always from a --target (uvauth's
  // own directory); from a venv only with --exact, else only what uvauth
  // itself installed there (pip, setuptools and the user's own stay).
  bool exact = false;

  // How long a sync waits for another sync of the same directory to finish.
  std::chrono::milliseconds lock_timeout = std::chrono::minutes(10);
  // Called (from any thread, one call at a time) as downloads and installs
  // finish, and while bytes arrive (at most every 100 ms).
  std::function<void(const SyncProgress&)> on_progress;
  std::uint64_t large_download_bytes = std::uint64_t{2} << 20;
  // Packages the lock gives as an sdist or a directory (no wheel fits):
  // built here, before the downloads start. Unset: such a lock is refused.
  std::function<Result<BuiltSource>(const lock::LockedPackage&)> build_source;
  // canonical name -> fingerprint of a locked directory's files: a project
  // whose files changed is installed again (and the stamp differs).
  std::map<std::string, std::string> source_fingerprints;
};

// A distribution a sync put in or took out.
struct DistributionChange {
  std::string name;  // canonical
  std::string version;
  friend bool operator==(const DistributionChange&, const DistributionChange&) = default;
};

struct SyncReport {
  bool unchanged = false;  // answered from the stamp
  std::vector<DistributionChange> additions;  // installed (new, changed version, or reinstalled), by name
  std::vector<DistributionChange> removals;   // uninstalled (gone, replaced or reinstalled), by name
  int installed = 0;
  int removed = 0;
  int kept = 0;
  std::uint64_t downloaded_bytes = 0;
};

Result<SyncReport> sync(net::Client& client, const cache::CacheDir& cache, const SyncOptions& options);

// What sync would change (--dry-run), touching nothing: no lock file, no
// recovery of leftovers, no download.
[[nodiscard]] SyncReport plan(const SyncOptions& options);

// The lock file a sync of DIR holds while it runs (beside DIR: DIR itself is
// swapped by rename).
[[nodiscard]] std::filesystem::path sync_lock_file(const std::filesystem::path& dir);

// The stamp a sync writes in DIR: rewritten whenever what DIR holds changes,
// so build rules can depend on it.
[[nodiscard]] std::filesystem::path stamp_file(const std::filesystem::path& dir);

// What the last sync of DIR recorded in its stamp: canonical name -> the
// version it installed and the index (or URL) it came from. Empty without a
// stamp or for one it cannot read.
struct InstalledSource {
  std::string version;
  std::string from;
};
[[nodiscard]] std::map<std::string, InstalledSource> recorded_sources(const std::filesystem::path& dir);

// True when DIR's stamp says it already holds this lock (no network, no scan).
[[nodiscard]] bool up_to_date(const SyncOptions& options);

}  // namespace uvauth::install
