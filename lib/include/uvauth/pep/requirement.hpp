// PEP 508 dependency specifiers: `name[extras] (specifiers | @ url) ; marker`.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/markers.hpp"
#include "uvauth/pep/specifiers.hpp"

namespace uvauth::pep {

struct Requirement {
  std::string name;                 // as written
  std::vector<std::string> extras;  // as written, in order
  SpecifierSet specifier;
  std::optional<std::string> url;   // for `name @ url`
  std::optional<Marker> marker;

  // Errors quote the text and say what was expected where.
  static Result<Requirement> parse(std::string_view text);

  [[nodiscard]] std::string canonical_name() const;
  // packaging's form: name[sorted extras]specifiers @ url ; marker
  [[nodiscard]] std::string to_string() const;
};

}  // namespace uvauth::pep
