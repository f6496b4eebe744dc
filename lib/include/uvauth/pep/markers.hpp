// PEP 508 environment markers: parsing (with uv/packaging's normalised
// string form), and evaluation against a target environment, including
// `extra` (PEP 685 normalisation) and the set-valued `extras` and
// `dependency_groups` of PEP 751.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "uvauth/error.hpp"

namespace uvauth::pep {

// implementation_name, implementation_version, os_name, platform_machine,
// platform_python_implementation, platform_release, platform_system,
// platform_version, python_full_version, python_version, sys_platform.
using MarkerEnvironment = std::map<std::string, std::string, std::less<>>;

struct MarkerContext {
  std::string extra;  // the extra being evaluated, "" for none
  // For `"x" in extras` / `"x" in dependency_groups` (PEP 751 locks); unset
  // means the variable is undefined here, as outside a lock file.
  std::optional<std::set<std::string>> extras;
  std::optional<std::set<std::string>> dependency_groups;
};

class Marker {
 public:
  struct Operand {
    bool is_variable = false;
    std::string text;  // variable name (canonical) or the literal's value
  };
  struct Expression {
    Operand lhs;
    std::string op;  // "==", "in", "not in", ...
    Operand rhs;
  };
  struct Group;
  using Item = std::variant<Expression, std::shared_ptr<const Group>, std::string>;  // string: "and" / "or"
  struct Group {
    std::vector<Item> items;
  };

  static Result<Marker> parse(std::string_view text);

  // An error when a variable is not in the environment or a comparison is
  // undefined (e.g. `~=` on a non-version value).
  [[nodiscard]] Result<bool> evaluate(const MarkerEnvironment& environment, const MarkerContext& context = {}) const;
  [[nodiscard]] std::string to_string() const;

  // The parsed expression tree (null for the empty marker).
  [[nodiscard]] const std::shared_ptr<const Group>& root() const { return root_; }

  // Internal: a marker from an already parsed group (used by Requirement).
  static Marker from_group(std::shared_ptr<const Group> group) {
    Marker m;
    m.root_ = std::move(group);
    return m;
  }

 private:
  std::shared_ptr<const Group> root_;
};

namespace detail {
// Parses a marker starting at `position` of `text` (for requirement lines);
// stops at the end or at an unexpected token, leaving `position` there.
Result<std::shared_ptr<const Marker::Group>> parse_marker_at(std::string_view text, std::size_t& position);

// The items of `python_version in "2.6 2.7 3.3"`'s list (split on blanks;
// at most 256; none when there are more or none at all). The evaluator and
// the marker algebra read such a list the same way, as uv does.
std::optional<std::vector<std::string>> version_list_items(std::string_view literal);

// A value as the marker string literal that reads back to it (the printer and
// the marker algebra print values the same way).
std::string quote_value(const std::string& value);
}  // namespace detail

}  // namespace uvauth::pep
