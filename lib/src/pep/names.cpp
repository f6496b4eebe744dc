#include "uvauth/pep/names.hpp"

#include <cctype>

namespace uvauth::pep {
std::string canonicalize_name(std::string_view name) {
  std::string out;
  out.reserve(name.size());
  bool in_separator = false;
  for (char c : name) {
    if (c == '-' || c == '_' || c == '.') {
      if (!in_separator) out += '-';
      in_separator = true;
    } else {
      out += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      in_separator = false;
    }
  }
  return out;
}

bool is_valid_name(std::string_view name) {
  if (name.empty() || !is_ascii_alnum(name.front()) || !is_ascii_alnum(name.back())) return false;
  for (char c : name) {
    if (!is_ascii_alnum(c) && c != '.' && c != '-' && c != '_') return false;
  }
  return true;
}

}  // namespace uvauth::pep
