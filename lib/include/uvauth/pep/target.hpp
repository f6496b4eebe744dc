// The environment wheels are chosen for: marker values and compatible tags.
// Either what a real interpreter reports (see index/interpreter.hpp), or a
// cross target built from --python-version and --python-platform.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/markers.hpp"
#include "uvauth/pep/tags.hpp"
#include "uvauth/pep/version.hpp"

namespace uvauth::pep {

struct Target {
  MarkerEnvironment markers;
  TargetInterpreter interpreter;  // for compatible_tags()
  std::string description;        // "CPython 3.11.7 on manylinux_2_36_x86_64"
  std::string executable;         // the real interpreter (not a shim); empty for cross targets

  [[nodiscard]] Version python_full_version() const;
};

// From --python-version X.Y[.Z] and --python-platform (a platform tag; the
// default is manylinux_2_28 on this machine's architecture).
Result<Target> cross_target(std::string_view python_version, std::string_view python_platform);

// From the JSON the interpreter query script prints (index/interpreter.cpp).
Result<Target> target_from_query(std::string_view json, const std::string& interpreter_path);

}  // namespace uvauth::pep
