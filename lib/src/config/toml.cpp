// The one translation unit that compiles toml++'s implementation (TOML_HEADER_ONLY=0
// everywhere else: lib/CMakeLists.txt).
#define TOML_IMPLEMENTATION
#include "uvauth/config/toml.hpp"

#include "uvauth/text.hpp"

namespace uvauth::config {

Result<toml::table> parse_toml(std::string_view text, const std::string& source, ErrorKind kind) {
  try {
    return toml::parse(text, source);
  } catch (const toml::parse_error& e) {
    return Error(kind, source + ":" + std::to_string(e.source().begin.line) + ": " + escape_nonprintable(e.description()));
  }
}

std::string toml_where(const std::string& source, const toml::node& node) {
  return node.source().begin ? source + ":" + std::to_string(node.source().begin.line) : source;
}

}  // namespace uvauth::config
