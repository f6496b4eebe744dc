// Wheel file names (PEP 427/491):
// {name}-{version}(-{build})?-{python}-{abi}-{platform}.whl, with compressed
// tag sets (py2.py3, manylinux_2_17_x86_64.manylinux2014_x86_64).
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/tags.hpp"
#include "uvauth/pep/version.hpp"

namespace uvauth::pep {

struct WheelFilename {
  std::string name;  // canonical (PEP 503)
  Version version;
  std::optional<std::pair<std::uint64_t, std::string>> build;  // "1build" -> (1, "build")
  std::vector<Tag> tags;

  static Result<WheelFilename> parse(std::string_view filename);
};

}  // namespace uvauth::pep
