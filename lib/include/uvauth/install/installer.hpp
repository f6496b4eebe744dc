// Installing an unpacked wheel into a layout (PEP 427/491): files linked
// from the cache (copied where linking is impossible, and always for scripts,
// whose shebang is rewritten), `.data/` directories mapped, console and GUI
// script launchers from entry_points.txt, INSTALLER / REQUESTED /
// direct_url.json, and RECORD rewritten for the installed paths.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/install/unpack.hpp"

namespace uvauth::install {

enum class LinkMode { hardlink, copy };

struct Layout {
  std::filesystem::path purelib;
  std::filesystem::path platlib;
  std::filesystem::path scripts;
  std::filesystem::path data;
  std::filesystem::path headers;  // the distribution's name is appended
  std::filesystem::path python;   // for shebangs
};

// pip's --target layout: packages at the top, scripts in DIR/bin.
Layout target_layout(const std::filesystem::path& dir, const std::filesystem::path& python);
// A virtual environment: DIR/lib/pythonX.Y/site-packages, DIR/bin.
Layout venv_layout(const std::filesystem::path& dir, const std::string& python_major_minor);

struct InstallRequest {
  bool requested = false;                 // a direct requirement: write REQUESTED
  std::optional<std::string> direct_url;  // a `name @ url` requirement: write direct_url.json
  LinkMode link_mode = LinkMode::hardlink;
};

struct InstalledDistribution {
  std::string dist_info;
  std::vector<std::string> files;  // paths as written in the new RECORD (relative to purelib)
};

Result<InstalledDistribution> install_tree(const UnpackedWheel& wheel, const Layout& layout, const InstallRequest& request);

// Removes an installed distribution by its RECORD (paths relative to
// `site`), never touching anything outside `root`, then the empty
// directories it leaves behind.
Status uninstall(const std::filesystem::path& site, const std::filesystem::path& root, const std::string& dist_info);

}  // namespace uvauth::install
