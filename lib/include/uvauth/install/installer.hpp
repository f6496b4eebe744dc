// Installing an unpacked wheel into a layout (PEP 427/491): files linked
// from the cache (copied where linking is impossible, and always for scripts,
// whose shebang is rewritten), `.data/` directories mapped, console and GUI
// script launchers from entry_points.txt, INSTALLER / REQUESTED /
// direct_url.json, and RECORD rewritten for the installed paths.
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/install/unpack.hpp"

namespace uvauth::install {

// How files come from the unpacked cache into a target. `clone`: a
// copy-on-write clone (FICLONE) where the file system has them, else a hard
// link, else a copy; `hardlink`: a hard link, else a copy; `copy`: a copy.
enum class LinkMode { clone, hardlink, copy };

struct Layout {
  std::filesystem::path purelib;
  std::filesystem::path platlib;
  std::filesystem::path scripts;
  std::filesystem::path data;
  std::filesystem::path headers;  // the distribution's name is appended
  std::filesystem::path python;   // for shebangs
};

// pip's --target layout: packages at the top, scripts in DIR/bin, headers in
// DIR/include/python/<name>.
Layout target_layout(const std::filesystem::path& dir, const std::filesystem::path& python);
// A virtual environment: DIR/lib/pythonX.Y/site-packages, DIR/bin.
Layout venv_layout(const std::filesystem::path& dir, const std::string& python_major_minor);

struct InstallRequest {
  bool requested = false;                 // a direct requirement: write REQUESTED
  std::optional<std::string> direct_url;  // a `name @ url` requirement: write direct_url.json
  std::string direct_url_sha256;          // its archive's sha256 (archive_info.hashes)
  // A local project (PEP 610 dir_info): direct_url is its file:// URL.
  bool directory = false;
  bool editable = false;
  // A Git requirement (PEP 610 vcs_info): direct_url is the repository URL (no userinfo).
  bool vcs = false;
  std::string vcs_commit_id;
  std::string vcs_requested_revision;
  std::string subdirectory;
  // Files of the unpacked tree modified after this time (ns since the epoch:
  // the tree's `.complete` marker) are hashed again before they are used: a
  // file edited through a hard link in some target is caught, not spread.
  std::optional<std::int64_t> verify_modified_after_ns;
  LinkMode link_mode = LinkMode::clone;
};

struct InstalledDistribution {
  std::string dist_info;
  std::vector<std::string> files;  // paths as written in the new RECORD (relative to purelib)
};

Result<InstalledDistribution> install_tree(const UnpackedWheel& wheel, const Layout& layout, const InstallRequest& request);

// The first line of a launcher or `#!python` script for `python`: `#!path`,
// or, when the path has a space or the line would pass 127 bytes (what the
// kernel reads), the `/bin/sh` polyglot pip and installer write.
[[nodiscard]] std::string shebang_for(const std::filesystem::path& python);

// Removes an installed distribution by its RECORD (paths relative to
// `site`), never touching anything outside `root`, then the empty
// directories it leaves behind.
Status uninstall(const std::filesystem::path& site, const std::filesystem::path& root, const std::string& dist_info);

}  // namespace uvauth::install
