#include "uvauth/pep/specifiers.hpp"

#include <algorithm>

#include "uvauth/text.hpp"

namespace uvauth::pep {
namespace {

struct OperatorSpelling {
  std::string_view text;
  Operator op;
};
// Longest first, so "===" is not read as "==".
constexpr OperatorSpelling operators[] = {
    {"===", Operator::arbitrary}, {"~=", Operator::compatible}, {"==", Operator::equal},
    {"!=", Operator::not_equal},  {"<=", Operator::less_equal}, {">=", Operator::greater_equal},
    {"<", Operator::less},        {">", Operator::greater},
};

// The candidate's epoch and first `length` release numbers (missing ones are
// 0) are the prefix's.
bool release_prefix_matches(const Version& candidate, const Version& prefix, std::size_t length) {
  if (candidate.epoch() != prefix.epoch()) return false;
  const auto& want = prefix.release();
  const auto& have = candidate.release();
  for (std::size_t i = 0; i < length && i < want.size(); ++i) {
    if ((i < have.size() ? have[i] : 0) != want[i]) return false;
  }
  return true;
}
bool release_prefix_matches(const Version& candidate, const Version& prefix) {
  return release_prefix_matches(candidate, prefix, prefix.release().size());
}

// Same epoch, release (trailing zeros aside) and pre-release: one "family".
bool same_release_and_pre(const Version& a, const Version& b) {
  const std::size_t n = std::max(a.release().size(), b.release().size());
  return release_prefix_matches(a, b, n) && release_prefix_matches(b, a, n) && a.pre() == b.pre();
}

// `a <=> b` as if `a` had no local label (b has none in these uses), without a copy.
std::strong_ordering compare_public(const Version& a, const Version& b) {
  if (!a.has_local()) return a <=> b;
  return a.public_version() <=> b;
}

}  // namespace

std::string_view to_string(Operator op) {
  for (const auto& spelling : operators) {
    if (spelling.op == op) return spelling.text;
  }
  return "==";
}

Result<Specifier> Specifier::parse(std::string_view text) {
  const std::string_view trimmed = trim(text);
  auto invalid = [&](const std::string& why) {
    return Error(ErrorKind::parse, "invalid specifier '" + std::string(trimmed) + "': " + why);
  };
  Specifier spec;
  std::string_view rest;
  bool found = false;
  for (const auto& spelling : operators) {
    if (trimmed.substr(0, spelling.text.size()) == spelling.text) {
      spec.op_ = spelling.op;
      rest = trim(trimmed.substr(spelling.text.size()));
      found = true;
      break;
    }
  }
  if (!found) return invalid("expected an operator (~=, ==, !=, <=, >=, <, >, ===)");
  spec.version_text_ = std::string(rest);

  if (spec.op_ == Operator::arbitrary) {
    if (rest.find_first_of(" \t\r\n\f\v;)") != std::string_view::npos) return invalid("=== takes a single word");
    if (auto v = Version::parse(rest); v) spec.version_ = std::move(v).value();
    return spec;
  }
  if (rest.empty()) return invalid("missing version");
  std::string_view version_text = rest;
  if (rest.size() >= 2 && rest.substr(rest.size() - 2) == ".*") {
    if (spec.op_ != Operator::equal && spec.op_ != Operator::not_equal) {
      return invalid("a .* wildcard is only allowed with == and !=");
    }
    spec.wildcard_ = true;
    version_text = rest.substr(0, rest.size() - 2);
  }
  auto version = Version::parse(version_text);
  if (!version) return invalid(version.error().message.substr(version.error().message.find("': ") + 3));
  for (char c : version_text) {
    if (c == ' ' || c == '\t') return invalid("white space inside the version");
  }
  if (spec.wildcard_ && (version->pre() || version->post() || version->dev() || version->has_local())) {
    return invalid("a .* wildcard must follow the release numbers directly");
  }
  if (version->has_local() && spec.op_ != Operator::equal && spec.op_ != Operator::not_equal) {
    return invalid("local versions (+...) are only allowed with == and !=");
  }
  if (spec.op_ == Operator::compatible && version->release().size() < 2) {
    return invalid("~= needs at least two release numbers (e.g. ~=1.4)");
  }
  spec.version_ = std::move(version).value();
  const Version& v = *spec.version_;
  if (spec.op_ == Operator::less && !v.is_prerelease()) spec.bound_ = v.with_dev(0);
  if (spec.op_ == Operator::greater && v.dev()) spec.bound_ = v.with_dev(*v.dev() + 1);
  if (spec.op_ == Operator::greater && !v.dev() && v.post()) spec.bound_ = v.with_post(*v.post() + 1).with_dev(0);
  return spec;
}

bool Specifier::names_prerelease() const {
  if (op_ == Operator::not_equal || wildcard_) return false;
  return version_ && version_->is_prerelease();
}

bool Specifier::contains_text(std::string_view text) const {
  if (op_ == Operator::arbitrary) return to_lower_ascii(trim(text)) == to_lower_ascii(version_text_);
  auto version = Version::parse(text);
  return version && contains(*version);
}

bool Specifier::contains(const Version& candidate) const {
  if (op_ == Operator::arbitrary) return to_lower_ascii(candidate.to_string()) == to_lower_ascii(version_text_);
  const Version& spec = *version_;
  switch (op_) {
    case Operator::equal:
    case Operator::not_equal: {
      bool equal = false;
      if (wildcard_) {
        equal = release_prefix_matches(candidate, spec);  // the local label does not take part
      } else if (spec.has_local()) {
        equal = candidate == spec;
      } else {
        equal = compare_public(candidate, spec) == 0;
      }
      return op_ == Operator::equal ? equal : !equal;
    }
    case Operator::compatible:
      // ~=X.Y.Z means >=X.Y.Z and ==X.Y.*
      return compare_public(candidate, spec) >= 0 && release_prefix_matches(candidate, spec, spec.release().size() - 1);
    case Operator::less_equal: return compare_public(candidate, spec) <= 0;
    case Operator::greater_equal: return compare_public(candidate, spec) >= 0;
    case Operator::less:
      // <V excludes V's own pre-releases (unless V is one): V.dev0 is the
      // earliest of them.
      return candidate < (bound_ ? *bound_ : spec);
    case Operator::greater:
      // >V excludes V's own post-releases and local versions.
      if (bound_) return candidate >= *bound_;
      return candidate > spec && !(same_release_and_pre(candidate, spec) && (candidate.post() || candidate.has_local()));
    case Operator::arbitrary: break;
  }
  return false;
}

Result<SpecifierSet> SpecifierSet::parse(std::string_view text) {
  SpecifierSet set;
  std::size_t start = 0;
  while (start <= text.size()) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    const std::string_view part = trim(text.substr(start, comma - start));
    if (!part.empty()) {
      auto spec = Specifier::parse(part);
      if (!spec) return std::move(spec).error();
      set.specifiers_.push_back(std::move(spec).value());
    }
    start = comma + 1;
  }
  return set;
}

bool SpecifierSet::names_prerelease() const {
  return std::any_of(specifiers_.begin(), specifiers_.end(), [](const Specifier& s) { return s.names_prerelease(); });
}

bool SpecifierSet::contains(const Version& version, std::optional<bool> prereleases) const {
  if (prereleases == false && version.is_prerelease()) return false;
  return std::all_of(specifiers_.begin(), specifiers_.end(), [&](const Specifier& s) { return s.contains(version); });
}

bool SpecifierSet::contains_text(std::string_view text, std::optional<bool> prereleases) const {
  auto version = Version::parse(text);
  if (version && prereleases == false && version->is_prerelease()) return false;
  return std::all_of(specifiers_.begin(), specifiers_.end(), [&](const Specifier& s) {
    if (s.op() == Operator::arbitrary) return s.contains_text(text);
    return version && s.contains(*version);
  });
}

std::vector<Version> SpecifierSet::filter(const std::vector<Version>& versions, std::optional<bool> prereleases) const {
  if (!prereleases && names_prerelease()) prereleases = true;
  std::vector<Version> finals;
  std::vector<Version> all;
  for (const auto& v : versions) {
    if (!contains(v)) continue;
    all.push_back(v);
    if (!v.is_prerelease()) finals.push_back(v);
  }
  if (prereleases == true) return all;
  if (prereleases == false) return finals;
  return finals.empty() ? all : finals;
}

std::string SpecifierSet::to_string() const {
  std::vector<std::string> parts;
  for (const auto& s : specifiers_) parts.push_back(s.to_string());
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const auto& p : parts) out += (out.empty() ? "" : ",") + p;
  return out;
}

}  // namespace uvauth::pep
