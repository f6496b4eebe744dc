// A set of versions of one package, over the finite list of versions its
// index offers (the package's "universe", ascending). Exact complement,
// intersection and subset: what PubGrub's terms need.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/pep/version.hpp"

namespace uvauth::resolve {

class VersionSet {
 public:
  VersionSet() = default;
  static VersionSet none(std::size_t universe) { return VersionSet(universe, false); }
  static VersionSet all(std::size_t universe) { return VersionSet(universe, true); }
  static VersionSet only(std::size_t universe, std::size_t index);

  [[nodiscard]] std::size_t universe() const { return size_; }
  [[nodiscard]] bool contains(std::size_t index) const { return (bits_[index / 64] >> (index % 64)) & 1U; }
  void insert(std::size_t index) { bits_[index / 64] |= std::uint64_t{1} << (index % 64); }
  [[nodiscard]] bool empty() const;
  [[nodiscard]] bool full() const { return complement().empty(); }
  [[nodiscard]] std::size_t count() const;
  [[nodiscard]] std::optional<std::size_t> highest() const;

  [[nodiscard]] VersionSet complement() const;
  [[nodiscard]] VersionSet intersect(const VersionSet& other) const;
  [[nodiscard]] VersionSet unite(const VersionSet& other) const;
  [[nodiscard]] bool subset_of(const VersionSet& other) const { return intersect(other.complement()).empty(); }
  [[nodiscard]] bool disjoint(const VersionSet& other) const { return intersect(other).empty(); }
  friend bool operator==(const VersionSet&, const VersionSet&) = default;

  // As a reader would write it, given the universe: "any version", "==1.0",
  // ">=2.0", "<2.0", ">=1.0,<2.0", or alternatives joined with " | ".
  [[nodiscard]] std::string describe(const std::vector<pep::Version>& versions) const;

 private:
  VersionSet(std::size_t size, bool value);
  void trim();  // clears bits beyond size_
  std::size_t size_ = 0;
  std::vector<std::uint64_t> bits_;
};

}  // namespace uvauth::resolve
