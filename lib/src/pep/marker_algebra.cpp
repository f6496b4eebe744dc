#include "uvauth/pep/marker_algebra.hpp"

#include <map>
#include <algorithm>

#include "uvauth/pep/names.hpp"

namespace uvauth::pep {

// ---------------------------------------------------------------- cuts

namespace {
using Cut = VersionRanges::Cut;
using Kind = VersionRanges::Cut::Kind;

Cut bottom() { return Cut{Kind::bottom, std::nullopt}; }
Cut top() { return Cut{Kind::top, std::nullopt}; }
Cut before(Version v) { return Cut{Kind::before, std::move(v)}; }
Cut after(Version v) { return Cut{Kind::after, std::move(v)}; }
const Cut& first_cut() {
  static const Cut cut = before(Version::from("0.dev0"));
  return cut;
}
}  // namespace

bool operator<(const Cut& a, const Cut& b) {
  if (a.kind == Kind::bottom) return b.kind != Kind::bottom;
  if (b.kind == Kind::bottom || a.kind == Kind::top) return false;
  if (b.kind == Kind::top) return true;
  const auto order = *a.version <=> *b.version;
  if (order != 0) return order < 0;
  return a.kind == Kind::before && b.kind == Kind::after;
}

bool operator==(const Cut& a, const Cut& b) { return !(a < b) && !(b < a); }

// ---------------------------------------------------------------- version ranges

VersionRanges VersionRanges::all() { return between(bottom(), top()); }

VersionRanges VersionRanges::between(Cut low, Cut high) {
  VersionRanges out;
  // Nothing is below 0.dev0: a range that ends there is empty, and one that
  // starts there starts at the bottom.
  if (!(first_cut() < high)) return out;
  if (!(first_cut() < low)) low = bottom();
  if (low < high) out.intervals_.push_back(Interval{std::move(low), std::move(high)});
  return out;
}

bool VersionRanges::is_all() const {
  return intervals_.size() == 1 && intervals_[0].low.kind == Kind::bottom && intervals_[0].high.kind == Kind::top;
}

bool VersionRanges::contains(const Version& v) const {
  const Cut below = before(v);
  const Cut above = after(v);
  for (const auto& i : intervals_) {
    if (!(below < i.low) && !(i.high < above)) return true;  // low <= before(v) and after(v) <= high
  }
  return false;
}

VersionRanges VersionRanges::intersect(const VersionRanges& other) const {
  VersionRanges out;
  std::size_t a = 0;
  std::size_t b = 0;
  while (a < intervals_.size() && b < other.intervals_.size()) {
    const Interval& x = intervals_[a];
    const Interval& y = other.intervals_[b];
    const Cut& low = x.low < y.low ? y.low : x.low;
    const Cut& high = x.high < y.high ? x.high : y.high;
    if (low < high) out.intervals_.push_back(Interval{low, high});
    if (x.high < y.high) {
      ++a;
    } else {
      ++b;
    }
  }
  return out;
}

VersionRanges VersionRanges::complement() const {
  VersionRanges out;
  Cut start = bottom();
  for (const auto& i : intervals_) {
    if (start < i.low && first_cut() < i.low) out.intervals_.push_back(Interval{start, i.low});
    start = i.high;
  }
  if (start < top()) out.intervals_.push_back(Interval{start, top()});
  return out;
}

VersionRanges VersionRanges::unite(const VersionRanges& other) const {
  return complement().intersect(other.complement()).complement();
}

// ---------------------------------------------------------------- string sets

StringSet StringSet::intersect(const StringSet& other) const {
  StringSet out;
  if (!negated && !other.negated) {
    std::set_intersection(values.begin(), values.end(), other.values.begin(), other.values.end(),
                          std::inserter(out.values, out.values.end()));
  } else if (negated && other.negated) {
    out.negated = true;
    std::set_union(values.begin(), values.end(), other.values.begin(), other.values.end(),
                   std::inserter(out.values, out.values.end()));
  } else {
    const StringSet& finite = negated ? other : *this;
    const StringSet& cofinite = negated ? *this : other;
    std::set_difference(finite.values.begin(), finite.values.end(), cofinite.values.begin(), cofinite.values.end(),
                        std::inserter(out.values, out.values.end()));
  }
  return out;
}

StringSet StringSet::unite(const StringSet& other) const { return complement().intersect(other.complement()).complement(); }

// ---------------------------------------------------------------- building trees

namespace {

bool is_version_key(const std::string& key) { return key == "python_full_version" || key == "implementation_version"; }

bool constraint_empty(const MarkerTree::Constraint& c) {
  return std::visit([](const auto& x) { return x.empty(); }, c);
}
bool constraint_all(const MarkerTree::Constraint& c) {
  return std::visit([](const auto& x) { return x.is_all(); }, c);
}
MarkerTree::Constraint constraint_intersect(const MarkerTree::Constraint& a, const MarkerTree::Constraint& b) {
  if (const auto* x = std::get_if<VersionRanges>(&a)) return x->intersect(std::get<VersionRanges>(b));
  return std::get<StringSet>(a).intersect(std::get<StringSet>(b));
}
MarkerTree::Constraint constraint_unite(const MarkerTree::Constraint& a, const MarkerTree::Constraint& b) {
  if (const auto* x = std::get_if<VersionRanges>(&a)) return x->unite(std::get<VersionRanges>(b));
  return std::get<StringSet>(a).unite(std::get<StringSet>(b));
}
MarkerTree::Constraint constraint_complement(const MarkerTree::Constraint& a) {
  if (const auto* x = std::get_if<VersionRanges>(&a)) return x->complement();
  return std::get<StringSet>(a).complement();
}
bool constraint_subset(const MarkerTree::Constraint& a, const MarkerTree::Constraint& b) {
  if (const auto* x = std::get_if<VersionRanges>(&a)) return x->subset_of(std::get<VersionRanges>(b));
  return std::get<StringSet>(a).subset_of(std::get<StringSet>(b));
}

// a implies b: every constraint of b is met by a's.
bool conjunction_implies(const MarkerTree::Conjunction& a, const MarkerTree::Conjunction& b) {
  for (const auto& [key, constraint] : b) {
    auto it = a.find(key);
    if (it == a.end()) {
      if (!constraint_all(constraint)) return false;
    } else if (!constraint_subset(it->second, constraint)) {
      return false;
    }
  }
  return true;
}

// The intersection of two conjunctions; nullopt when empty.
std::optional<MarkerTree::Conjunction> conjunction_and(const MarkerTree::Conjunction& a, const MarkerTree::Conjunction& b) {
  MarkerTree::Conjunction out = a;
  for (const auto& [key, constraint] : b) {
    auto [it, fresh] = out.emplace(key, constraint);
    if (!fresh) it->second = constraint_intersect(it->second, constraint);
    if (constraint_empty(it->second)) return std::nullopt;
  }
  return out;
}

Error too_complex() {
  return Error(ErrorKind::parse, "the marker is too complex: more than " + std::to_string(MarkerTree::max_terms) +
                                     " alternatives after simplification");
}

std::optional<Version> release_version(std::string_view text) {
  auto v = Version::parse(text);
  if (!v || v->has_local()) return std::nullopt;
  return std::move(v).value();
}

// The version `v` with its release cut to `parts` and the last part raised by one.
Version bumped(const Version& v, std::size_t parts) {
  std::vector<std::uint64_t> release = v.release();
  release.resize(std::max<std::size_t>(parts, 1), 0);
  release.back() += 1;
  return Version::from("0").with_release(std::move(release));
}
Version truncated(const Version& v, std::size_t parts) {
  std::vector<std::uint64_t> release = v.release();
  release.resize(std::max<std::size_t>(parts, 1), 0);
  return Version::from("0").with_release(std::move(release));
}
Version smallest_with_prefix(const Version& prefix) { return prefix.with_dev(0); }

// `op` flipped for a literal on the left: "3.9" < python_version is python_version > "3.9".
std::optional<std::string> flipped(const std::string& op) {
  if (op == "<") return std::string(">");
  if (op == ">") return std::string("<");
  if (op == "<=") return std::string(">=");
  if (op == ">=") return std::string("<=");
  if (op == "==" || op == "!=") return op;
  return std::nullopt;
}

// python_full_version (or implementation_version) OP literal as ranges.
std::optional<VersionRanges> full_version_ranges(const std::string& op, const std::string& literal) {
  const bool wildcard = literal.size() > 2 && literal.compare(literal.size() - 2, 2, ".*") == 0;
  if (wildcard) {
    if (op != "==" && op != "!=") return std::nullopt;
    auto prefix = release_version(std::string_view(literal).substr(0, literal.size() - 2));
    if (!prefix || prefix->is_prerelease() || prefix->is_postrelease() || prefix->epoch() != 0) return std::nullopt;
    auto r = VersionRanges::between(before(smallest_with_prefix(*prefix)),
                                    before(smallest_with_prefix(bumped(*prefix, prefix->release().size()))));
    return op == "==" ? r : r.complement();
  }
  auto v = release_version(literal);
  if (!v) return std::nullopt;
  if (op == "==") return VersionRanges::between(before(*v), after(*v));
  if (op == "!=") return VersionRanges::between(before(*v), after(*v)).complement();
  if (op == "<") return VersionRanges::between(bottom(), before(*v));
  if (op == "<=") return VersionRanges::between(bottom(), after(*v));
  if (op == ">") return VersionRanges::between(after(*v), top());
  if (op == ">=") return VersionRanges::between(before(*v), top());
  if (op == "~=") {
    if (v->release().size() < 2 || v->epoch() != 0) return std::nullopt;
    return VersionRanges::between(before(*v), before(smallest_with_prefix(bumped(*v, v->release().size() - 1))));
  }
  return std::nullopt;
}

// python_version OP literal as python_full_version ranges. python_version
// is "X.Y"; it compares as that version (3.11 == 3.11.0 < 3.11.2).
std::optional<VersionRanges> python_version_ranges(const std::string& op, const std::string& literal) {
  const bool wildcard = literal.size() > 2 && literal.compare(literal.size() - 2, 2, ".*") == 0;
  auto v = release_version(wildcard ? std::string_view(literal).substr(0, literal.size() - 2) : std::string_view(literal));
  if (!v || v->is_prerelease() || v->is_postrelease() || v->epoch() != 0) return std::nullopt;
  const auto& release = v->release();
  const Version minor = truncated(*v, 2);  // X.Y
  bool exact = true;                        // nothing but zeros after X.Y
  for (std::size_t i = 2; i < release.size(); ++i) exact = exact && release[i] == 0;
  auto minors_below = [](const Version& x) { return VersionRanges::between(bottom(), before(smallest_with_prefix(x))); };
  const Version next_minor = bumped(minor, 2);
  if (wildcard) {
    if (op != "==" && op != "!=") return std::nullopt;
    VersionRanges r;
    if (release.size() == 1) {
      r = VersionRanges::between(before(smallest_with_prefix(truncated(*v, 1))),
                                 before(smallest_with_prefix(bumped(*v, 1))));
    } else if (exact) {
      r = VersionRanges::between(before(smallest_with_prefix(minor)), before(smallest_with_prefix(next_minor)));
    }
    return op == "==" ? r : r.complement();
  }
  // The minors X.Y with X.Y OP literal.
  VersionRanges equal = exact ? VersionRanges::between(before(smallest_with_prefix(minor)), before(smallest_with_prefix(next_minor)))
                              : VersionRanges::none();
  VersionRanges less = exact ? minors_below(minor) : minors_below(next_minor);  // X.Y < literal
  if (op == "==") return equal;
  if (op == "!=") return equal.complement();
  if (op == "<") return less;
  if (op == "<=") return less.unite(equal);
  if (op == ">") return less.unite(equal).complement();
  if (op == ">=") return less.complement();
  if (op == "~=") {
    if (release.size() < 2) return std::nullopt;
    auto upper = python_version_ranges("==", truncated(*v, release.size() - 1).to_string() + ".*");
    auto lower = python_version_ranges(">=", literal);
    if (!upper || !lower) return std::nullopt;
    return lower->intersect(*upper);
  }
  return std::nullopt;
}

bool is_string_variable(const std::string& key) {
  return key == "os_name" || key == "sys_platform" || key == "platform_machine" || key == "platform_system" ||
         key == "platform_python_implementation" || key == "implementation_name" || key == "platform_version";
}

Marker single(const Marker::Expression& e) {
  auto group = std::make_shared<Marker::Group>();
  group->items.emplace_back(e);
  return Marker::from_group(std::move(group));
}

}  // namespace

class MarkerTreeBuilder {
 public:
  static MarkerTree of_constraint(std::string key, MarkerTree::Constraint c) {
    if (constraint_empty(c)) return MarkerTree::never();
    if (constraint_all(c)) return MarkerTree::always();
    MarkerTree t;
    t.terms_.push_back(MarkerTree::Conjunction{{std::move(key), std::move(c)}});
    return t;
  }
  static MarkerTree boolean(std::string key, bool value) {
    return of_constraint(std::move(key), value ? StringSet::of("1") : StringSet::of("1").complement());
  }

  static MarkerTree opaque(const Marker::Expression& e) {
    std::optional<Marker::Expression> negative;
    // == and != (in and not in) are each other's complement on strings; a
    // version variable compared with a non-version is false under both.
    auto versioned = [](const Marker::Operand& o) {
      return o.is_variable && (o.text == "python_version" || o.text == "python_full_version" ||
                               o.text == "implementation_version" || o.text == "platform_release");
    };
    if (!versioned(e.lhs) && !versioned(e.rhs) && (e.op == "==" || e.op == "!=" || e.op == "in" || e.op == "not in")) {
      Marker::Expression n = e;
      n.op = e.op == "==" ? "!=" : e.op == "!=" ? "==" : e.op == "in" ? "not in" : "in";
      negative = n;
    }
    // The positive form is the one with ==/in, so that `a != b` and `a == b` share an atom.
    const bool is_negative_form = negative && (e.op == "!=" || e.op == "not in");
    const Marker::Expression& positive = is_negative_form ? *negative : e;
    const std::string key = "?" + single(positive).to_string();
    MarkerTree t = boolean(key, !is_negative_form);
    t.opaque_[key] = MarkerTree::Opaque{positive, is_negative_form ? std::optional<Marker::Expression>(e) : negative};
    return t;
  }

  // `python_version in "2.6 2.7 3.2"`: as uv reads it, one of these
  // versions (pickleshare's pathlib2 marker); anything else stays opaque.
  static MarkerTree version_list(const Marker::Expression& e, const std::string& variable, const std::string& literal, bool negated) {
    const auto items = detail::version_list_items(literal);
    if (!items) return opaque(e);
    VersionRanges any = VersionRanges::none();
    for (const auto& item : *items) {
      auto one = variable == "python_version" ? python_version_ranges("==", item) : full_version_ranges("==", item);
      if (!one) return opaque(e);
      any = any.unite(*one);
    }
    return of_constraint(variable == "implementation_version" ? "implementation_version" : "python_full_version",
                         negated ? any.complement() : any);
  }

  static MarkerTree expression(const Marker::Expression& e) {
    // "x" in extras / "g" in dependency_groups
    if (!e.lhs.is_variable && e.rhs.is_variable && (e.rhs.text == "extras" || e.rhs.text == "dependency_groups") &&
        (e.op == "in" || e.op == "not in")) {
      const std::string key = (e.rhs.text == "extras" ? "extras:" : "dependency_groups:") + canonicalize_name(e.lhs.text);
      return boolean(key, e.op == "in");
    }
    if (e.lhs.is_variable == e.rhs.is_variable) return opaque(e);
    const std::string& variable = e.lhs.is_variable ? e.lhs.text : e.rhs.text;
    const std::string& literal = e.lhs.is_variable ? e.rhs.text : e.lhs.text;
    if (variable == "extras" || variable == "dependency_groups") return opaque(e);
    std::optional<std::string> op = e.lhs.is_variable ? std::optional<std::string>(e.op) : flipped(e.op);
    if (variable == "python_version" || variable == "python_full_version" || variable == "implementation_version") {
      if (!op) return opaque(e);
      if ((*op == "in" || *op == "not in") && e.lhs.is_variable) return version_list(e, variable, literal, *op == "not in");
      auto ranges = variable == "python_version" ? python_version_ranges(*op, literal) : full_version_ranges(*op, literal);
      if (!ranges) return opaque(e);
      return of_constraint(variable == "implementation_version" ? "implementation_version" : "python_full_version", *ranges);
    }
    if (variable == "extra") {
      if (!op) return opaque(e);
      if (*op == "==" || *op == "<=" || *op == ">=") return boolean("extra:" + canonicalize_name(literal), true);
      if (*op == "!=") return boolean("extra:" + canonicalize_name(literal), false);
      if (*op == "<" || *op == ">") return MarkerTree::never();
      return opaque(e);
    }
    if (is_string_variable(variable) && op) {
      // As uv: platform_system values that name exactly one sys_platform
      // become that sys_platform (`platform_system == 'Windows'` is
      // `sys_platform == 'win32'`), so they are disjoint with other platforms.
      static const std::map<std::string, std::string> same_platform = {
          {"Windows", "win32"}, {"Darwin", "darwin"}, {"Linux", "linux"}, {"AIX", "aix"}, {"Emscripten", "emscripten"}, {"Android", "android"}};
      if (variable == "platform_system" && (*op == "==" || *op == "!=")) {
        if (auto it = same_platform.find(literal); it != same_platform.end()) {
          return *op == "==" ? of_constraint("sys_platform", StringSet::of(it->second))
                             : of_constraint("sys_platform", StringSet::of(it->second).complement());
        }
      }
      if (*op == "==" || *op == "<=" || *op == ">=") return of_constraint(variable, StringSet::of(literal));
      if (*op == "!=") return of_constraint(variable, StringSet::of(literal).complement());
      if (*op == "<" || *op == ">") return MarkerTree::never();
    }
    return opaque(e);
  }

  static Result<MarkerTree> group(const Marker::Group& g, int depth) {
    if (depth > 64) return Error(ErrorKind::parse, "the marker nests parentheses more than 64 deep");
    MarkerTree result = MarkerTree::never();
    MarkerTree run = MarkerTree::always();
    auto close_run = [&]() -> Status {
      UVAUTH_TRY_ASSIGN(result, result.disjoin(run));
      run = MarkerTree::always();
      return {};
    };
    for (const auto& item : g.items) {
      if (const auto* e = std::get_if<Marker::Expression>(&item)) {
        UVAUTH_TRY_ASSIGN(run, run.conjoin(expression(*e)));
      } else if (const auto* sub = std::get_if<std::shared_ptr<const Marker::Group>>(&item)) {
        UVAUTH_TRY_ASSIGN(auto inner, group(**sub, depth + 1));
        UVAUTH_TRY_ASSIGN(run, run.conjoin(inner));
      } else if (std::get<std::string>(item) == "or") {
        UVAUTH_TRY(close_run());
      }
    }
    UVAUTH_TRY(close_run());
    return result;
  }
};

MarkerTree MarkerTree::always() {
  MarkerTree t;
  t.terms_.emplace_back();
  return t;
}
MarkerTree MarkerTree::never() { return MarkerTree(); }

Result<MarkerTree> MarkerTree::from(const Marker& marker) {
  if (!marker.root()) return always();
  return MarkerTreeBuilder::group(*marker.root(), 0);
}

Result<MarkerTree> MarkerTree::parse(std::string_view text) {
  if (text.find_first_not_of(" \t") == std::string_view::npos) return always();
  UVAUTH_TRY_ASSIGN(auto marker, Marker::parse(text));
  return from(marker);
}

Result<MarkerTree> MarkerTree::requires_python(std::string_view specifiers) {
  MarkerTree out = always();
  std::size_t start = 0;
  while (start <= specifiers.size()) {
    const std::size_t end = std::min(specifiers.find(',', start), specifiers.size());
    std::string clause;
    for (char c : specifiers.substr(start, end - start)) {
      if (c != ' ' && c != '\t') clause += c;
    }
    start = end + 1;
    if (clause.empty()) continue;
    const std::size_t digits = clause.find_first_of("0123456789");
    if (digits == std::string::npos || digits == 0) {
      return Error(ErrorKind::parse, "requires-python `" + std::string(specifiers) + "`: `" + clause + "` is not a version specifier");
    }
    const std::string op = clause.substr(0, digits);
    auto ranges = full_version_ranges(op, clause.substr(digits));
    if (!ranges) {
      return Error(ErrorKind::parse, "requires-python `" + std::string(specifiers) + "`: `" + clause + "` is not a version specifier");
    }
    UVAUTH_TRY_ASSIGN(out, out.conjoin(MarkerTreeBuilder::of_constraint("python_full_version", *ranges)));
  }
  return out;
}

// ---------------------------------------------------------------- operations

Result<MarkerTree> MarkerTree::conjoin(const MarkerTree& other) const {
  MarkerTree out;
  out.opaque_ = opaque_;
  out.opaque_.insert(other.opaque_.begin(), other.opaque_.end());
  for (const auto& a : terms_) {
    for (const auto& b : other.terms_) {
      if (auto c = conjunction_and(a, b)) {
        out.terms_.push_back(std::move(*c));
        if (out.terms_.size() > max_terms * 4) {
          out.simplify();
          if (out.terms_.size() > max_terms) return too_complex();
        }
      }
    }
  }
  out.simplify();
  if (out.terms_.size() > max_terms) return too_complex();
  return out;
}

Result<MarkerTree> MarkerTree::disjoin(const MarkerTree& other) const {
  MarkerTree out = *this;
  out.opaque_.insert(other.opaque_.begin(), other.opaque_.end());
  out.terms_.insert(out.terms_.end(), other.terms_.begin(), other.terms_.end());
  out.simplify();
  if (out.terms_.size() > max_terms) return too_complex();
  return out;
}

Result<MarkerTree> MarkerTree::negate() const {
  MarkerTree out = always();
  out.opaque_ = opaque_;
  for (const auto& term : terms_) {
    // not (a and b and ...) = (not a) or (not b) or ...
    MarkerTree alternatives;
    alternatives.opaque_ = opaque_;
    for (const auto& [key, constraint] : term) {
      if (key.front() == '?' && !opaque_.at(key).negative) {
        return Error(ErrorKind::parse, "the marker `" + single(opaque_.at(key).positive).to_string() + "` has no complement");
      }
      alternatives.terms_.push_back(Conjunction{{key, constraint_complement(constraint)}});
    }
    alternatives.simplify();
    UVAUTH_TRY_ASSIGN(out, out.conjoin(alternatives));
    if (out.is_false()) break;
  }
  return out;
}

bool MarkerTree::is_true() const {
  auto negated = negate();
  return negated && negated->is_false();
}

bool MarkerTree::disjoint(const MarkerTree& other) const {
  for (const auto& a : terms_) {
    for (const auto& b : other.terms_) {
      if (conjunction_and(a, b)) return false;
    }
  }
  return true;
}

bool MarkerTree::implies(const MarkerTree& other) const {
  auto negated = other.negate();
  return negated && disjoint(*negated);
}

MarkerTree MarkerTree::with_extra(std::string_view extra) const {
  const std::string wanted = canonicalize_name(extra);
  MarkerTree out;
  out.opaque_ = opaque_;
  for (const auto& term : terms_) {
    Conjunction kept;
    bool holds = true;
    for (const auto& [key, constraint] : term) {
      if (key.rfind("extra:", 0) != 0) {
        kept.emplace(key, constraint);
        continue;
      }
      const bool member = !wanted.empty() && key.substr(6) == wanted;
      holds = holds && std::get<StringSet>(constraint).contains(member ? "1" : "0");
    }
    if (holds) out.terms_.push_back(std::move(kept));
  }
  out.simplify();
  return out;
}

VersionRanges MarkerTree::python_range() const {
  VersionRanges out = VersionRanges::none();
  for (const auto& term : terms_) {
    auto it = term.find("python_full_version");
    if (it == term.end()) return VersionRanges::all();
    out = out.unite(std::get<VersionRanges>(it->second));
  }
  return out;
}

MarkerTree MarkerTree::simplified_within(const MarkerTree& space) const {
  auto negated = negate();
  if (!negated) return *this;
  MarkerTree current = *this;
  // The Python versions outside the space: a bound the space already gives
  // (`>= 3.11` within requires-python >= 3.11) can go.
  const VersionRanges outside = space.python_range().complement();
  // Bounded: each accepted step removes or widens one constraint.
  for (std::size_t i = 0; i < current.terms_.size() && i < max_terms; ++i) {
    std::vector<std::string> keys;
    for (const auto& [key, c] : current.terms_[i]) keys.push_back(key);
    for (const auto& key : keys) {
      if (key == "python_full_version" && !outside.empty() && outside.intervals().size() <= 4) {
        const auto& ranges = std::get<VersionRanges>(current.terms_[i].at(key));
        // Of the ranges widened by some of the outside pieces, the one with the fewest bounds.
        auto bounds = [](const VersionRanges& r) {
          std::size_t n = 0;
          for (const auto& iv : r.intervals()) n += (iv.low.version ? 1 : 0) + (iv.high.version ? 1 : 0);
          return n;
        };
        VersionRanges wider = ranges;
        const auto& pieces = outside.intervals();
        for (unsigned mask = 1; mask < (1u << pieces.size()); ++mask) {
          VersionRanges candidate_ranges = ranges;
          for (std::size_t k = 0; k < pieces.size(); ++k) {
            if (mask & (1u << k)) candidate_ranges = candidate_ranges.unite(VersionRanges::between(pieces[k].low, pieces[k].high));
          }
          if (bounds(candidate_ranges) < bounds(wider)) wider = std::move(candidate_ranges);
        }
        if (!(wider == ranges)) {
          MarkerTree candidate = current;
          candidate.terms_[i][key] = wider;
          MarkerTree widened;
          widened.opaque_ = candidate.opaque_;
          widened.terms_.push_back(candidate.terms_[i]);
          auto inside = widened.conjoin(space);
          if (inside && inside->disjoint(*negated)) current.terms_[i] = std::move(candidate.terms_[i]);
        }
      }
      MarkerTree candidate = current;
      candidate.terms_[i].erase(key);
      // Allowed when the wider term adds no environment of `space` outside this marker.
      MarkerTree widened;
      widened.opaque_ = candidate.opaque_;
      widened.terms_.push_back(candidate.terms_[i]);
      auto inside = widened.conjoin(space);
      if (!inside || !inside->disjoint(*negated)) continue;
      current.terms_[i] = std::move(candidate.terms_[i]);
    }
  }
  current.simplify();
  return current;
}

void MarkerTree::simplify() {
  // Drop constraints that allow everything.
  for (auto& term : terms_) {
    for (auto it = term.begin(); it != term.end();) it = constraint_all(it->second) ? term.erase(it) : std::next(it);
  }
  bool changed = true;
  for (int round = 0; changed && round < 64; ++round) {
    changed = false;
    // Subsumed terms go: a term that implies another adds nothing.
    std::vector<bool> redundant(terms_.size(), false);
    for (std::size_t i = 0; i < terms_.size(); ++i) {
      for (std::size_t j = 0; j < terms_.size() && !redundant[i]; ++j) {
        if (i == j || redundant[j] || !conjunction_implies(terms_[i], terms_[j])) continue;
        // Of two equal terms, the first stays.
        redundant[i] = !conjunction_implies(terms_[j], terms_[i]) || j < i;
      }
    }
    std::vector<Conjunction> kept;
    for (std::size_t i = 0; i < terms_.size(); ++i) {
      if (!redundant[i]) kept.push_back(std::move(terms_[i]));
    }
    if (kept.size() != terms_.size()) changed = true;
    terms_ = std::move(kept);
    // Two terms that differ in one variable only become one (several merges
    // a round; after one, the merged term is compared afresh).
    for (std::size_t i = 0; i < terms_.size(); ++i) {
      for (std::size_t j = i + 1; j < terms_.size();) {
        const std::string* differing = nullptr;
        bool mergeable = terms_[i].size() == terms_[j].size();
        for (auto a = terms_[i].begin(), b = terms_[j].begin(); mergeable && a != terms_[i].end(); ++a, ++b) {
          if (a->first != b->first) {
            mergeable = false;
          } else if (!(a->second == b->second)) {
            if (differing) mergeable = false;
            differing = &a->first;
          }
        }
        if (!mergeable || !differing) {
          ++j;
          continue;
        }
        const std::string key = *differing;
        Constraint united = constraint_unite(terms_[i].at(key), terms_[j].at(key));
        if (constraint_all(united)) {
          terms_[i].erase(key);
        } else {
          terms_[i][key] = std::move(united);
        }
        terms_.erase(terms_.begin() + static_cast<std::ptrdiff_t>(j));
        changed = true;
        j = i + 1;
      }
    }
  }
  // Opaque atoms no term mentions any more are forgotten.
  for (auto it = opaque_.begin(); it != opaque_.end();) {
    bool used = false;
    for (const auto& term : terms_) used = used || term.count(it->first) > 0;
    it = used ? std::next(it) : opaque_.erase(it);
  }
  // A stable order.
  std::sort(terms_.begin(), terms_.end(), [](const Conjunction& a, const Conjunction& b) {
    return a.size() != b.size() ? a.size() < b.size() : std::lexicographical_compare(
        a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) { return x.first < y.first; });
  });
}

// ---------------------------------------------------------------- printing and evaluation

namespace {

bool is_minor(const Version& v) { return v.release().size() <= 2 && !v.is_prerelease() && !v.is_postrelease(); }

// A cut before X.Y.dev0 (the first version of minor X.Y) is python_version's
// bound `X.Y`; any other prints exactly.
std::string version_atom(const std::string& var, const std::string& op, const Cut& cut) {
  const Version& v = *cut.version;
  const bool prefix = v.is_devrelease() && v.dev() == 0u && !v.pre() && !v.post() && !v.has_local();
  if (var == "python_full_version" && prefix && is_minor(v.base_version()) && cut.kind == Kind::before) {
    std::vector<std::uint64_t> release = v.release();
    release.resize(2, 0);
    return "python_version " + op + " " + detail::quote_value(Version::from("0").with_release(std::move(release)).to_string());
  }
  return var + " " + op + " " + detail::quote_value(v.to_string());
}

std::string print_interval(const std::string& var, const VersionRanges::Interval& i) {
  if (i.low.kind == Kind::before && i.high.kind == Kind::after && *i.low.version == *i.high.version) {
    return var + " == " + detail::quote_value(i.low.version->to_string());
  }
  std::vector<std::string> parts;
  if (i.low.kind == Kind::before) parts.push_back(version_atom(var, ">=", i.low));
  if (i.low.kind == Kind::after) parts.push_back(version_atom(var, ">", i.low));
  if (i.high.kind == Kind::before) parts.push_back(version_atom(var, "<", i.high));
  if (i.high.kind == Kind::after) parts.push_back(version_atom(var, "<=", i.high));
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : " and ") + p;
  return out;
}

// One constraint; `alone` when it is the whole marker (no parentheses needed).
std::string print_constraint(const std::string& key, const MarkerTree::Constraint& c, bool alone,
                             const std::map<std::string, Marker::Expression>& positive,
                             const std::map<std::string, Marker::Expression>& negative) {
  std::vector<std::string> alternatives;
  bool conjunctive = false;  // the parts are and-ed (cofinite sets)
  if (const auto* r = std::get_if<VersionRanges>(&c)) {
    const auto& iv = r->intervals();
    if (iv.size() == 2 && iv[0].low.kind == Kind::bottom && iv[1].high.kind == Kind::top && iv[0].high.kind == Kind::before &&
        iv[1].low.kind == Kind::after && *iv[0].high.version == *iv[1].low.version) {
      return key + " != " + detail::quote_value(iv[0].high.version->to_string());
    }
    for (const auto& i : iv) alternatives.push_back(print_interval(key, i));
    if (iv.size() == 1) conjunctive = true;
  } else {
    const auto& s = std::get<StringSet>(c);
    const std::size_t colon = key.find(':');
    if (key.front() == '?') {
      return single(s.negated ? negative.at(key) : positive.at(key)).to_string();
    }
    if (colon != std::string::npos) {
      const std::string kind = key.substr(0, colon);
      const std::string name = key.substr(colon + 1);
      if (kind == "extra") return std::string("extra ") + (s.negated ? "!=" : "==") + " " + detail::quote_value(name);
      return detail::quote_value(name) + (s.negated ? " not in " : " in ") + kind;
    }
    for (const auto& v : s.values) alternatives.push_back(key + (s.negated ? " != " : " == ") + detail::quote_value(v));
    conjunctive = s.negated;
  }
  std::string out;
  for (const auto& a : alternatives) out += (out.empty() ? "" : (conjunctive ? " and " : " or ")) + a;
  if (!conjunctive && alternatives.size() > 1 && !alone) return "(" + out + ")";
  return out;
}

int key_rank(const std::string& key) {
  if (key == "python_full_version") return 0;
  if (key == "implementation_version") return 1;
  if (key.front() == '?') return 4;
  if (key.find(':') != std::string::npos) return 3;
  return 2;
}

}  // namespace

std::string MarkerTree::to_string() const {
  if (terms_.empty()) return "python_version < \"0\"";
  std::map<std::string, Marker::Expression> positive;
  std::map<std::string, Marker::Expression> negative;
  for (const auto& [key, o] : opaque_) {
    positive.emplace(key, o.positive);
    if (o.negative) negative.emplace(key, *o.negative);
  }
  std::vector<std::string> printed;
  for (const auto& term : terms_) {
    std::vector<const std::pair<const std::string, Constraint>*> ordered;
    for (const auto& entry : term) ordered.push_back(&entry);
    std::stable_sort(ordered.begin(), ordered.end(), [](const auto* a, const auto* b) {
      return key_rank(a->first) != key_rank(b->first) ? key_rank(a->first) < key_rank(b->first) : a->first < b->first;
    });
    std::string text;
    for (const auto* entry : ordered) {
      text += (text.empty() ? "" : " and ") + print_constraint(entry->first, entry->second, term.size() == 1 && terms_.size() == 1, positive, negative);
    }
    printed.push_back(std::move(text));
  }
  std::sort(printed.begin(), printed.end());
  if (printed.size() == 1 && printed[0].empty()) return "";
  std::string out;
  for (const auto& p : printed) out += (out.empty() ? "" : " or ") + p;
  return out;
}

Result<bool> MarkerTree::evaluate(const MarkerEnvironment& environment, const MarkerContext& context) const {
  for (const auto& term : terms_) {
    bool all = true;
    for (const auto& [key, constraint] : term) {
      bool value = false;
      if (key.front() == '?') {
        UVAUTH_TRY_ASSIGN(value, single(opaque_.at(key).positive).evaluate(environment, context));
        value = std::get<StringSet>(constraint).contains(value ? "1" : "0");
      } else if (is_version_key(key)) {
        auto it = environment.find(key);
        if (it == environment.end()) {
          return Error(ErrorKind::parse, "the marker variable '" + key + "' is not defined in the target environment");
        }
        UVAUTH_TRY_ASSIGN(auto v, Version::parse(it->second));
        value = std::get<VersionRanges>(constraint).contains(v);
      } else if (const std::size_t colon = key.find(':'); colon != std::string::npos) {
        const std::string kind = key.substr(0, colon);
        const std::string name = key.substr(colon + 1);
        bool member = false;
        if (kind == "extra") {
          member = canonicalize_name(context.extra) == name;
        } else {
          const auto& set = kind == "extras" ? context.extras : context.dependency_groups;
          if (!set) return Error(ErrorKind::parse, "the marker variable '" + kind + "' is only defined in lock files");
          member = set->count(name) > 0;
        }
        value = std::get<StringSet>(constraint).contains(member ? "1" : "0");
      } else {
        auto it = environment.find(key);
        if (it == environment.end()) {
          return Error(ErrorKind::parse, "the marker variable '" + key + "' is not defined in the target environment");
        }
        value = std::get<StringSet>(constraint).contains(it->second);
      }
      if (!value) {
        all = false;
        break;
      }
    }
    if (all) return true;
  }
  return false;
}

}  // namespace uvauth::pep
