// PEP 440 version specifiers (`~=`, `==`, `==X.*`, `!=`, `<`, `<=`, `>`,
// `>=`, `===`) and comma-separated sets of them, with the pre-release rules:
// a set excludes pre-releases unless one is named in it, they are asked for,
// or they are the only versions that match.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/version.hpp"

namespace uvauth::pep {

enum class Operator { compatible, equal, not_equal, less_equal, greater_equal, less, greater, arbitrary };
[[nodiscard]] std::string_view to_string(Operator op);

class Specifier {
 public:
  static Result<Specifier> parse(std::string_view text);

  [[nodiscard]] Operator op() const { return op_; }
  [[nodiscard]] const std::string& version_text() const { return version_text_; }  // as written
  [[nodiscard]] bool is_wildcard() const { return wildcard_; }
  // True when the version named is a pre-release (so pre-releases are wanted).
  [[nodiscard]] bool names_prerelease() const;

  // Does `version` satisfy the operator? (Pre-release policy is the set's job.)
  [[nodiscard]] bool contains(const Version& version) const;
  // For `===`, which compares text; other operators parse `text` first.
  [[nodiscard]] bool contains_text(std::string_view text) const;

  [[nodiscard]] std::string to_string() const { return std::string(pep::to_string(op_)) + version_text_; }

 private:
  Operator op_ = Operator::equal;
  std::string version_text_;
  bool wildcard_ = false;
  std::optional<Version> version_;  // absent only for `===` text that is not a version
  // The version `<` and `>` compare with, made once when parsed (`<V` is
  // below V.dev0, `>V.post1` at or above V.post2.dev0): containment is asked
  // for every version of every page, and must not allocate.
  std::optional<Version> bound_;
};

class SpecifierSet {
 public:
  static Result<SpecifierSet> parse(std::string_view text);

  [[nodiscard]] const std::vector<Specifier>& specifiers() const { return specifiers_; }
  [[nodiscard]] bool empty() const { return specifiers_.empty(); }
  [[nodiscard]] bool names_prerelease() const;

  // One version on its own: pre-releases are allowed unless `prereleases`
  // is false (a single version has no alternative to prefer).
  [[nodiscard]] bool contains(const Version& version, std::optional<bool> prereleases = std::nullopt) const;
  // The same for a version as published (text): `===` compares the text
  // itself; the other operators parse it (an unparsable text never matches).
  [[nodiscard]] bool contains_text(std::string_view text, std::optional<bool> prereleases = std::nullopt) const;
  // The versions that satisfy the set, in their order. With `prereleases`
  // unset: pre-releases only when the set names one, or when no final
  // release matches.
  [[nodiscard]] std::vector<Version> filter(const std::vector<Version>& versions,
                                            std::optional<bool> prereleases = std::nullopt) const;

  void add(Specifier specifier) { specifiers_.push_back(std::move(specifier)); }
  // Specifiers sorted and joined with commas (canonical, stable for locks).
  [[nodiscard]] std::string to_string() const;

 private:
  std::vector<Specifier> specifiers_;
};

}  // namespace uvauth::pep
