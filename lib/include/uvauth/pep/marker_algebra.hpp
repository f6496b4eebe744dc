// Marker algebra: PEP 508 markers as sets of environments, for universal
// locks. A MarkerTree is a union of conjunctions, each conjunction a
// constraint per variable:
//
//   python_full_version, implementation_version: unions of version intervals
//     (python_version is rewritten into python_full_version ranges:
//     python_version >= '3.11' is python_full_version >= '3.11',
//     python_version == '3.11' is 3.11 <= python_full_version < 3.12);
//   sys_platform, platform_system, os_name, platform_machine, ... : finite
//   or co-finite sets of strings;
//   `extra == 'x'`, `'x' in extras`, `'g' in dependency_groups`: one boolean
//     each;
//   anything else (substring tests, `===`, platform_release, comparisons of
//   strings): an opaque atom, kept as written and evaluated as written.
//
// Variables are independent (sys_platform and platform_system are not
// linked): disjointness is never claimed where it does not hold, only
// sometimes missed. Pre-release and local Python versions follow interval
// order, not PEP 440's exclusions for `<V` and `>V`. Operations that would
// grow past 256 alternatives fail ("too complex") instead of running on.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/markers.hpp"
#include "uvauth/pep/version.hpp"

namespace uvauth::pep {

// A union of disjoint version intervals, in order.
class VersionRanges {
 public:
  // A cut between versions: before V, after V, or an end.
  struct Cut {
    enum class Kind { bottom, before, after, top };
    Kind kind = Kind::bottom;
    std::optional<Version> version;
    friend bool operator<(const Cut& a, const Cut& b);
    friend bool operator==(const Cut& a, const Cut& b);
  };
  struct Interval {
    Cut low, high;  // [low, high): non-empty, low < high
    friend bool operator==(const Interval&, const Interval&) = default;
  };

  static VersionRanges all();
  static VersionRanges none() { return {}; }
  static VersionRanges between(Cut low, Cut high);

  [[nodiscard]] bool empty() const { return intervals_.empty(); }
  [[nodiscard]] bool is_all() const;
  [[nodiscard]] bool contains(const Version& v) const;
  [[nodiscard]] VersionRanges intersect(const VersionRanges& other) const;
  [[nodiscard]] VersionRanges unite(const VersionRanges& other) const;
  [[nodiscard]] VersionRanges complement() const;
  [[nodiscard]] bool subset_of(const VersionRanges& other) const { return intersect(other.complement()).empty(); }
  [[nodiscard]] const std::vector<Interval>& intervals() const { return intervals_; }
  friend bool operator==(const VersionRanges&, const VersionRanges&) = default;

 private:
  std::vector<Interval> intervals_;
};

// A finite set of strings, or (negated) every string but a finite set.
struct StringSet {
  bool negated = false;
  std::set<std::string> values;

  static StringSet all() { return {true, {}}; }
  static StringSet of(std::string value) { return {false, {std::move(value)}}; }
  [[nodiscard]] bool empty() const { return !negated && values.empty(); }
  [[nodiscard]] bool is_all() const { return negated && values.empty(); }
  [[nodiscard]] bool contains(const std::string& v) const { return (values.count(v) > 0) != negated; }
  [[nodiscard]] StringSet intersect(const StringSet& other) const;
  [[nodiscard]] StringSet unite(const StringSet& other) const;
  [[nodiscard]] StringSet complement() const { return {!negated, values}; }
  [[nodiscard]] bool subset_of(const StringSet& other) const { return intersect(other.complement()).empty(); }
  friend bool operator==(const StringSet&, const StringSet&) = default;
};

class MarkerTree {
 public:
  using Constraint = std::variant<VersionRanges, StringSet>;
  using Conjunction = std::map<std::string, Constraint>;  // variable key -> its constraint

  static MarkerTree always();  // every environment
  static MarkerTree never();   // none
  // The empty marker is `always`.
  static Result<MarkerTree> from(const Marker& marker);
  static Result<MarkerTree> parse(std::string_view text);
  // python_full_version within a requires-python specifier set (">=3.9,<4").
  static Result<MarkerTree> requires_python(std::string_view specifiers);

  [[nodiscard]] Result<MarkerTree> conjoin(const MarkerTree& other) const;
  [[nodiscard]] Result<MarkerTree> disjoin(const MarkerTree& other) const;
  // Fails for opaque atoms without a complement (`a < b` on strings is not
  // the opposite of `a >= b`), and past the size limit.
  [[nodiscard]] Result<MarkerTree> negate() const;

  [[nodiscard]] bool is_false() const { return terms_.empty(); }
  // Exact when the negation can be computed; false when it cannot.
  [[nodiscard]] bool is_true() const;
  [[nodiscard]] bool disjoint(const MarkerTree& other) const;
  [[nodiscard]] bool implies(const MarkerTree& other) const;
  // Whether the marker holds everywhere, or nowhere, within `space`
  // (requires-python, the lock's environments).
  [[nodiscard]] bool always_within(const MarkerTree& space) const { return space.implies(*this); }
  [[nodiscard]] bool never_within(const MarkerTree& space) const { return disjoint(space); }

  // The marker for a requirement of `name[extra]` ("" for the project
  // itself): `extra == 'x'` is true for x == extra and false otherwise, so
  // no extra variable is left.
  [[nodiscard]] MarkerTree with_extra(std::string_view extra) const;
  // The python_full_version values the marker allows somewhere (a term
  // without a Python constraint allows all).
  [[nodiscard]] VersionRanges python_range() const;
  // The same environments within `space`, with constraints `space` already
  // implies dropped (python_full_version >= '3.9' under requires-python
  // >=3.9), for printing. Unchanged when that cannot be decided.
  [[nodiscard]] MarkerTree simplified_within(const MarkerTree& space) const;

  // A PEP 508 marker with the same truth value everywhere, in a stable form
  // (python_version where the bounds are whole minors, sorted); "" for
  // `always` and `python_version < "0"` for `never`.
  [[nodiscard]] std::string to_string() const;
  [[nodiscard]] Result<bool> evaluate(const MarkerEnvironment& environment, const MarkerContext& context = {}) const;

  [[nodiscard]] const std::vector<Conjunction>& terms() const { return terms_; }
  friend bool operator==(const MarkerTree& a, const MarkerTree& b) { return a.terms_ == b.terms_; }

  static constexpr std::size_t max_terms = 256;

 private:
  struct Opaque {
    Marker::Expression positive;
    std::optional<Marker::Expression> negative;  // its complement, when it has one
  };
  std::vector<Conjunction> terms_;
  std::map<std::string, Opaque> opaque_;  // key "?<text>" -> the expression it stands for

  friend class MarkerTreeBuilder;
  void simplify();
};

}  // namespace uvauth::pep
