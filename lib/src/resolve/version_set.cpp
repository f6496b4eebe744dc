#include "uvauth/resolve/version_set.hpp"

#include <bit>

namespace uvauth::resolve {

VersionSet::VersionSet(std::size_t size, bool value) : size_(size), bits_((size + 63) / 64, value ? ~std::uint64_t{0} : 0) {
  trim();
}

VersionSet VersionSet::only(std::size_t universe, std::size_t index) {
  VersionSet set = none(universe);
  set.insert(index);
  return set;
}

void VersionSet::trim() {
  if (size_ % 64 != 0 && !bits_.empty()) bits_.back() &= (std::uint64_t{1} << (size_ % 64)) - 1;
}

bool VersionSet::empty() const {
  for (auto word : bits_) {
    if (word) return false;
  }
  return true;
}

std::size_t VersionSet::count() const {
  std::size_t n = 0;
  for (auto word : bits_) n += static_cast<std::size_t>(std::popcount(word));
  return n;
}

std::optional<std::size_t> VersionSet::highest() const {
  for (std::size_t w = bits_.size(); w-- > 0;) {
    if (bits_[w]) return w * 64 + 63 - static_cast<std::size_t>(std::countl_zero(bits_[w]));
  }
  return std::nullopt;
}

VersionSet VersionSet::complement() const {
  VersionSet out = *this;
  for (auto& word : out.bits_) word = ~word;
  out.trim();
  return out;
}

VersionSet VersionSet::intersect(const VersionSet& other) const {
  VersionSet out = *this;
  for (std::size_t i = 0; i < out.bits_.size(); ++i) out.bits_[i] &= other.bits_[i];
  return out;
}

VersionSet VersionSet::unite(const VersionSet& other) const {
  VersionSet out = *this;
  for (std::size_t i = 0; i < out.bits_.size(); ++i) out.bits_[i] |= other.bits_[i];
  return out;
}

std::string VersionSet::describe(const std::vector<pep::Version>& versions) const {
  if (empty()) return "no version";
  if (full()) return "any version";
  // Runs of consecutive members of the universe.
  std::vector<std::pair<std::size_t, std::size_t>> runs;  // [first, last]
  for (std::size_t i = 0; i < size_; ++i) {
    if (!contains(i)) continue;
    if (!runs.empty() && runs.back().second + 1 == i) {
      runs.back().second = i;
    } else {
      runs.emplace_back(i, i);
    }
  }
  std::string out;
  for (const auto& [first, last] : runs) {
    std::string part;
    if (first == last) {
      part = "==" + versions[first].to_string();
    } else if (first == 0) {
      part = "<" + versions[last + 1].to_string();
    } else if (last + 1 == size_) {
      part = ">=" + versions[first].to_string();
    } else {
      part = ">=" + versions[first].to_string() + ",<" + versions[last + 1].to_string();
    }
    out += (out.empty() ? "" : " | ") + part;
  }
  return out;
}

}  // namespace uvauth::resolve
