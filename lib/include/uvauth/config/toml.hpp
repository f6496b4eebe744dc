// Reading TOML with locations: one helper for every file uvauth parses
// (settings, pyproject.toml, pylock.toml), so each error names file:line.
#pragma once

#include <toml++/toml.h>

#include <string>
#include <string_view>

#include "uvauth/error.hpp"

namespace uvauth::config {

// The document, or a parse error "source:line: what".
Result<toml::table> parse_toml(std::string_view text, const std::string& source, ErrorKind kind = ErrorKind::config);
// "source:line" of a node (just "source" when it has no location).
[[nodiscard]] std::string toml_where(const std::string& source, const toml::node& node);

}  // namespace uvauth::config
