// Finding and asking a Python interpreter what it is. The answer is cached
// by the interpreter that actually runs -- its real path and modification
// time -- never by a shim's path: a pyenv or asdf shim (a script) runs a
// different Python per directory and PYENV_VERSION, so it is asked first
// which one that is.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/pep/target.hpp"

namespace uvauth::index {

// The interpreter a `--python` request names: a path (with a `/`), a name
// on PATH (`python3`, `python3.12`), or a version (`3.12` -> `python3.12` on
// PATH). No request: `python3` on PATH. `flag` names the option in errors.
// `search_path`: $PATH (config::search_path).
Result<std::filesystem::path> find_python(const std::optional<std::string>& request, const std::string& search_path,
                                          const std::string& flag = "--python");

// Where interpreters are looked for: PATH, then the installs of version
// managers (pyenv's `versions/`, uv's managed Pythons), as uv looks.
struct PythonSearch {
  std::string path;  // $PATH
  std::optional<std::filesystem::path> pyenv_versions;  // $PYENV_ROOT/versions or ~/.pyenv/versions
  std::optional<std::filesystem::path> uv_pythons;      // $UV_PYTHON_INSTALL_DIR or ~/.local/share/uv/python
  std::optional<std::string> pyenv_version;             // $PYENV_VERSION: what a pyenv shim runs
};

// As above; a version request ("3.12", "3.12.1") is `python3.12` on PATH
// (a pyenv shim is passed over: it runs only the versions pyenv enables),
// then the newest matching pyenv install, then uv's. `-v` says which and why.
Result<std::filesystem::path> find_python(const std::optional<std::string>& request, const PythonSearch& search,
                                          const std::string& flag = "--python");

// Asks an interpreter what it is (cached by its real path and mtime).
// `search` (optional): lets a pyenv shim be followed the way pyenv does
// (PYENV_VERSION, `.python-version` up from the working directory, the
// root's `version`) without running it; anything unusual runs the shim.
Result<pep::Target> query_interpreter(const std::filesystem::path& python, const cache::CacheDir& cache,
                                      const PythonSearch* search = nullptr);

// The first executable `name` in `search_path` (`:`-separated; no shell involved).
[[nodiscard]] std::optional<std::filesystem::path> find_on_path(const std::string& name, const std::string& search_path);

}  // namespace uvauth::index
