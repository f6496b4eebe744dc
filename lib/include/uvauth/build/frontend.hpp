// The PEP 517 / 518 / 660 build frontend: a source tree (an unpacked sdist
// or a project directory) in, its metadata or a wheel out.
//
// For each build: [build-system] is read (without one, setuptools>=40.8.0
// with `setuptools.build_meta:__legacy__`), an isolated build environment
// (a venv of the target interpreter) gets `requires` from the caller's
// EnvironmentInstaller (the same indexes, policies and credentials as the
// main resolution), then what `get_requires_for_build_*` adds; the hooks
// run in a child of that venv's Python through a driver script uvauth
// ships, in the source tree, with the environment the caller gives (no
// credentials), under a time limit. Built wheels are cached by the caller's
// key (the sdist's sha256 or the directory's fingerprint, and the
// interpreter), so a second build of the same source is not run.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/error.hpp"
#include "uvauth/pep/metadata.hpp"
#include "uvauth/pep/requirement.hpp"

namespace uvauth::build {

struct BuildSystem {
  std::vector<pep::Requirement> requires_;  // [build-system].requires
  std::string backend;                      // "module" or "module:object"
  std::vector<std::string> backend_path;    // relative to the tree (in-tree backends)
  bool declared = false;                    // from pyproject.toml (else the setuptools default)
};

// Errors name `label` and the file.
Result<BuildSystem> read_build_system(const std::filesystem::path& tree, const std::string& label);

// The project's name, read without building: pyproject.toml [project].name,
// else setup.cfg [metadata] name.
[[nodiscard]] std::optional<std::string> static_name(const std::filesystem::path& tree);

// PEP 621 metadata when name, version, dependencies, optional-dependencies
// and requires-python are all static in pyproject.toml; nullopt otherwise.
[[nodiscard]] std::optional<pep::CoreMetadata> static_metadata(const std::filesystem::path& tree);

// A fingerprint of a directory's contents (paths, sizes, bytes), skipping
// VCS, cache and build output directories; `metadata_only`: only
// pyproject.toml, setup.cfg and setup.py (what an editable install depends on).
[[nodiscard]] std::string tree_fingerprint(const std::filesystem::path& dir, bool metadata_only);

// Installs requirements into a new venv at `venv` (the app layer: resolution
// over the same indexes, then a sync). `why` is for messages ("build
// requirements of foo 1.0").
class EnvironmentInstaller {
 public:
  virtual ~EnvironmentInstaller() = default;
  virtual Status install(const std::vector<pep::Requirement>& requirements, const std::filesystem::path& venv,
                         const std::string& why) = 0;
};

struct FrontendOptions {
  std::filesystem::path python;  // the target interpreter
  std::string interpreter_key;   // "cp311-cp311-linux_x86_64": built wheels are per interpreter
  cache::CacheDir cache{std::nullopt};  // disabled: a scratch directory for the run
  std::chrono::seconds timeout = std::chrono::seconds(600);  // UVAUTH_BUILD_TIMEOUT
  bool show_output = false;      // the backend's output on stderr as it runs (-v)
  EnvironmentInstaller* installer = nullptr;
  std::vector<std::string> environment;  // "NAME=value": the backend's environment, without credentials
};

struct BuiltWheel {
  std::filesystem::path file;
  std::string filename;
  std::string sha256;
  std::uint64_t size = 0;
  bool cached = false;  // no build ran
};

class Frontend {
 public:
  explicit Frontend(FrontendOptions options);

  // The metadata of the tree: prepare_metadata_for_build_{wheel,editable}
  // when the backend has it, else a full build. Cached under `key`.
  Result<pep::CoreMetadata> metadata(const std::filesystem::path& tree, const std::string& label, bool editable,
                                     const std::string& key);
  // A wheel (build_wheel or, editable, build_editable), cached under `key`.
  Result<BuiltWheel> build(const std::filesystem::path& tree, const std::string& label, bool editable, const std::string& key);
  // A wheel already built under `key`, without building.
  [[nodiscard]] std::optional<BuiltWheel> cached(const std::string& key, bool editable) const;

  [[nodiscard]] const FrontendOptions& options() const { return options_; }

 private:
  Result<std::filesystem::path> environment(const BuildSystem& system, const std::filesystem::path& tree, const std::string& label,
                                            bool editable);
  Result<std::string> call(const std::filesystem::path& venv, const std::filesystem::path& tree, const BuildSystem& system,
                           const std::string& hook, const std::string& arguments_json, const std::string& label);
  [[nodiscard]] std::filesystem::path bucket(cache::Bucket which) const;

  FrontendOptions options_;
  std::filesystem::path scratch_;  // when the cache is off
};

}  // namespace uvauth::build
