// Reading what a lock or a directory holds: `uvauth tree`, `uvauth export`
// and `uvauth list`. Nothing here touches the network.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/lock/pylock.hpp"

namespace uvauth::app {

// The lock at `file`, or a usage error saying how to make one.
Result<lock::Lock> read_lock_file(const std::filesystem::path& file);

struct TreeOptions {
  bool invert = false;          // --invert: each package under what requires it
  std::optional<int> depth;     // --depth N: levels below the roots
  std::vector<std::string> packages;  // --package NAME: only these roots
};

// uv's tree: the direct requirements as roots, their dependencies below
// ("├── ", "└── "), a repeated subtree once, then "(*)".
Result<std::string> render_tree(const lock::Lock& lock, const TreeOptions& options, const std::string& source);

struct ExportOptions {
  std::string format = "requirements.txt";  // the only one (as uv's default)
  bool hashes = true;                       // --no-hashes turns them off
};

// requirements.txt lines: `name==version` for what came from an index,
// `name @ git+URL@COMMIT` for Git, the path (`-e` when editable) for a local
// project, `name @ URL` for one file by URL; `--hash=sha256:` for each wheel
// and the sdist.
Result<std::string> export_lock(const lock::Lock& lock, const ExportOptions& options, const std::string& source);

struct ListedDistribution {
  std::string name;     // canonical
  std::string version;
  std::string installer;  // INSTALLER's first line ("uvauth", "pip"), or ""
  std::string from;       // the index or URL it came from, when known
};

// The distributions in a --target directory or a venv's site-packages,
// sorted by name.
Result<std::vector<ListedDistribution>> list_installed(const std::filesystem::path& dir, bool is_venv);

}  // namespace uvauth::app
