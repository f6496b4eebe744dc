// Core metadata (METADATA / PKG-INFO, Metadata-Version 1.0 to 2.4): the
// fields resolution needs. RFC 822-style headers, continuation lines,
// case-insensitive field names, the body (description) ignored.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/requirement.hpp"
#include "uvauth/pep/specifiers.hpp"
#include "uvauth/pep/version.hpp"

namespace uvauth::pep {

struct CoreMetadata {
  std::string metadata_version;
  std::string name;
  Version version;
  std::vector<Requirement> requires_dist;
  std::optional<SpecifierSet> requires_python;
  std::vector<std::string> provides_extra;  // canonical names
  std::vector<std::string> dynamic;         // Metadata 2.2 `Dynamic` fields, lower case (sdists' PKG-INFO)
  std::vector<std::string> warnings;        // tolerated oddities, for -v

  // Errors name `source` (a file or URL) and the line.
  static Result<CoreMetadata> parse(std::string_view text, const std::string& source);
};

}  // namespace uvauth::pep
