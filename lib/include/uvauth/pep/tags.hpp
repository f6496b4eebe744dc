// Platform compatibility tags (PEP 425) and the ordered list of tags a
// target interpreter accepts: manylinux (PEP 600, with the legacy
// manylinux1/2010/2014 aliases), musllinux (PEP 656), macOS, Windows; abi3;
// pure `py3-none-any`. Earlier in the list means preferred.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "uvauth/error.hpp"

namespace uvauth::pep {

struct Tag {
  std::string interpreter;  // "cp311", "py3"
  std::string abi;          // "cp311", "abi3", "none"
  std::string platform;     // "manylinux_2_17_x86_64", "any"
  [[nodiscard]] std::string to_string() const { return interpreter + "-" + abi + "-" + platform; }
  friend bool operator==(const Tag&, const Tag&) = default;
};

// "py2.py3-none-any" -> py2-none-any, py3-none-any (lower-cased).
Result<std::vector<Tag>> parse_tag_set(std::string_view text);

// The platform tags a target platform accepts, best first. `target` is a
// platform tag (manylinux_2_28_x86_64, musllinux_1_2_aarch64,
// macosx_11_0_arm64, win_amd64, win32, win_arm64, linux_x86_64).
Result<std::vector<std::string>> compatible_platforms(std::string_view target);

struct TargetInterpreter {
  std::string implementation = "cpython";  // cpython, pypy, graalpy, ...
  int major = 3;
  int minor = 12;
  // The interpreter's own ABI tag when not CPython's cpXY (e.g. "pypy310_pp73");
  // "cp313t" for a free-threaded CPython.
  std::string abi;
  std::vector<std::string> platforms;  // from compatible_platforms()
};

// Every tag the interpreter accepts, best first (packaging's sys_tags order).
std::vector<Tag> compatible_tags(const TargetInterpreter& target);

// Ranks for fast look-up: lower is better; absent means incompatible.
class TagPriority {
 public:
  explicit TagPriority(const std::vector<Tag>& ordered);
  [[nodiscard]] std::optional<std::size_t> rank(const Tag& tag) const;
  // The best rank among a wheel's tags, or nullopt when none is accepted.
  [[nodiscard]] std::optional<std::size_t> best(const std::vector<Tag>& tags) const;

 private:
  std::unordered_map<std::string, std::size_t> ranks_;
};

}  // namespace uvauth::pep
