// Package and extra names: PEP 508 validity, PEP 503 normalisation (also
// used for extras, PEP 685).
#pragma once

#include <string>
#include <string_view>

namespace uvauth::pep {

// Lower case, every run of '-', '_' and '.' one '-': "Foo.Bar__baz" -> "foo-bar-baz".
[[nodiscard]] std::string canonicalize_name(std::string_view name);
// ASCII letters and digits, with '.', '-', '_' inside: ^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$
[[nodiscard]] bool is_valid_name(std::string_view name);
// An ASCII letter or digit, whatever the locale.
[[nodiscard]] constexpr bool is_ascii_alnum(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

}  // namespace uvauth::pep
