#include "uvauth/pep/tags.hpp"

#include <algorithm>
#include <cctype>
#include <charconv>

#include "uvauth/text.hpp"

namespace uvauth::pep {
namespace {

std::vector<std::string> split(std::string_view text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    out.emplace_back(text.substr(start, end == std::string_view::npos ? std::string_view::npos : end - start));
    if (end == std::string_view::npos) return out;
    start = end + 1;
  }
}

bool parse_int(std::string_view text, int& out) {
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
  return ec == std::errc() && end == text.data() + text.size() && out >= 0;
}

// "2_28_x86_64" -> 2, 28, "x86_64". Versions above 999 are refused: no real
// platform has them, and each step down from the target is one more tag.
constexpr int max_platform_version = 999;

bool version_and_arch(std::string_view rest, int& major, int& minor, std::string& arch) {
  const auto first = rest.find('_');
  if (first == std::string_view::npos) return false;
  const auto second = rest.find('_', first + 1);
  if (second == std::string_view::npos) return false;
  arch = std::string(rest.substr(second + 1));
  return parse_int(rest.substr(0, first), major) && parse_int(rest.substr(first + 1, second - first - 1), minor) &&
         major <= max_platform_version && minor <= max_platform_version && !arch.empty();
}

std::vector<std::string> manylinux(int major, int minor, const std::string& arch) {
  std::vector<std::string> out;
  // Before glibc 2.17 only x86_64 and i686 had manylinux wheels (down to 2.5).
  const int oldest = (arch == "x86_64" || arch == "i686") ? 5 : 17;
  for (int m = minor; m >= oldest && major == 2; --m) {
    out.push_back("manylinux_2_" + std::to_string(m) + "_" + arch);
    if (m == 17) out.push_back("manylinux2014_" + arch);
    if (m == 12) out.push_back("manylinux2010_" + arch);
    if (m == 5) out.push_back("manylinux1_" + arch);
  }
  out.push_back("linux_" + arch);
  return out;
}

std::vector<std::string> mac_formats(int major, int minor, const std::string& arch) {
  std::vector<std::string> formats{arch};
  const bool old = major == 10 && minor < 4;
  if (arch == "x86_64") {
    if (old) return {};
    formats.insert(formats.end(), {"intel", "fat64", "fat3"});
  } else if (arch == "i386") {
    if (old) return {};
    formats.insert(formats.end(), {"intel", "fat3", "fat"});
  }
  if (arch == "arm64" || arch == "x86_64") formats.push_back("universal2");
  if (arch == "x86_64" || arch == "i386") formats.push_back("universal");
  return formats;
}

std::vector<std::string> macos(int major, int minor, const std::string& arch) {
  std::vector<std::string> out;
  auto add = [&](int ma, int mi) {
    for (const auto& f : mac_formats(ma, mi, arch)) out.push_back("macosx_" + std::to_string(ma) + "_" + std::to_string(mi) + "_" + f);
  };
  if (major == 10) {
    for (int m = minor; m >= 0; --m) add(10, m);
    return out;
  }
  for (int ma = major; ma >= 11; --ma) add(ma, 0);
  // 11+ on x86_64 also runs 10.x binaries; arm64 only their universal2 builds.
  for (int m = 16; m >= 4; --m) {
    if (arch == "x86_64") {
      add(10, m);
    } else {
      out.push_back("macosx_10_" + std::to_string(m) + "_universal2");
    }
  }
  return out;
}

}  // namespace

Result<std::vector<Tag>> parse_tag_set(std::string_view text) {
  const auto parts = split(to_lower_ascii(text), '-');
  if (parts.size() != 3) {
    return Error(ErrorKind::parse, "invalid tag '" + std::string(text) + "': expected interpreter-abi-platform");
  }
  const auto interpreters = split(parts[0], '.');
  const auto abis = split(parts[1], '.');
  const auto platforms = split(parts[2], '.');
  // A hostile compressed set could ask for millions of tags.
  if (interpreters.size() * abis.size() * platforms.size() > 4096) {
    return Error(ErrorKind::parse, "invalid tag '" + std::string(text) + "': too many combinations");
  }
  for (const auto& interpreter : interpreters) {
    const bool identifier = !interpreter.empty() && !std::isdigit(static_cast<unsigned char>(interpreter[0])) &&
                            std::all_of(interpreter.begin(), interpreter.end(), [](unsigned char c) {
                              return std::isalnum(c) || c == '_';
                            });
    if (!identifier) {
      return Error(ErrorKind::parse, "invalid tag '" + std::string(text) + "': bad interpreter '" + interpreter + "'");
    }
  }
  std::vector<Tag> tags;
  for (const auto& interpreter : interpreters) {
    for (const auto& abi : abis) {
      for (const auto& platform : platforms) {
        if (interpreter.empty() || abi.empty() || platform.empty()) {
          return Error(ErrorKind::parse, "invalid tag '" + std::string(text) + "': empty component");
        }
        tags.push_back(Tag{interpreter, abi, platform});
      }
    }
  }
  return tags;
}

Result<std::vector<std::string>> compatible_platforms(std::string_view target_text) {
  const std::string target = to_lower_ascii(trim(target_text));
  int major = 0;
  int minor = 0;
  std::string arch;
  if (target.rfind("manylinux_", 0) == 0 && version_and_arch(std::string_view(target).substr(10), major, minor, arch)) {
    return manylinux(major, minor, arch);
  }
  if (target.rfind("musllinux_", 0) == 0 && version_and_arch(std::string_view(target).substr(10), major, minor, arch)) {
    std::vector<std::string> out;
    for (int m = minor; m >= 0; --m) out.push_back("musllinux_" + std::to_string(major) + "_" + std::to_string(m) + "_" + arch);
    out.push_back("linux_" + arch);
    return out;
  }
  if (target.rfind("macosx_", 0) == 0 && version_and_arch(std::string_view(target).substr(7), major, minor, arch) &&
      major >= 10) {
    return macos(major, minor, arch);
  }
  if (target == "win_amd64" || target == "win32" || target == "win_arm64") return std::vector<std::string>{target};
  if (target.rfind("linux_", 0) == 0 && target.size() > 6) return std::vector<std::string>{target};
  return Error(ErrorKind::usage, "unknown target platform '" + std::string(target_text) + "'")
      .with_hint("use one of uv's names (linux, macos, windows, x86_64-manylinux_2_28, aarch64-apple-darwin, "
                 "x86_64-pc-windows-msvc, ...) or a platform tag such as manylinux_2_28_x86_64, musllinux_1_2_aarch64, "
                 "macosx_11_0_arm64, win_amd64, win32 or win_arm64");
}

std::vector<Tag> compatible_tags(const TargetInterpreter& target) {
  std::vector<Tag> tags;
  const std::string version = std::to_string(target.major) + std::to_string(target.minor);
  const bool cpython = target.implementation == "cpython";
  const std::string interpreter = cpython ? "cp" + version
                                  : target.implementation == "pypy" ? "pp" + version
                                                                    : target.implementation + version;
  const std::string abi = !target.abi.empty() ? target.abi : cpython ? "cp" + version : "none";
  const bool free_threaded = !abi.empty() && abi.back() == 't';

  for (const auto& p : target.platforms) tags.push_back(Tag{interpreter, abi, p});
  if (cpython && !free_threaded) {
    for (const auto& p : target.platforms) tags.push_back(Tag{interpreter, "abi3", p});
  }
  if (abi != "none") {
    for (const auto& p : target.platforms) tags.push_back(Tag{interpreter, "none", p});
  }
  if (cpython && !free_threaded) {
    for (int m = target.minor - 1; m >= 2; --m) {
      for (const auto& p : target.platforms) {
        tags.push_back(Tag{"cp" + std::to_string(target.major) + std::to_string(m), "abi3", p});
      }
    }
  }
  // Pure-Python tags: pyXY, pyX, then older pyXY; for the platforms, then `any`.
  std::vector<std::string> py{"py" + version, "py" + std::to_string(target.major)};
  for (int m = target.minor - 1; m >= 0; --m) py.push_back("py" + std::to_string(target.major) + std::to_string(m));
  for (const auto& v : py) {
    for (const auto& p : target.platforms) tags.push_back(Tag{v, "none", p});
  }
  tags.push_back(Tag{interpreter, "none", "any"});
  for (const auto& v : py) tags.push_back(Tag{v, "none", "any"});
  return tags;
}

TagPriority::TagPriority(const std::vector<Tag>& ordered) {
  for (std::size_t i = 0; i < ordered.size(); ++i) ranks_.emplace(ordered[i].to_string(), i);
}

std::optional<std::size_t> TagPriority::rank(const Tag& tag) const {
  auto it = ranks_.find(tag.to_string());
  if (it == ranks_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::size_t> TagPriority::best(const std::vector<Tag>& tags) const {
  std::optional<std::size_t> best;
  for (const auto& tag : tags) {
    if (auto r = rank(tag); r && (!best || *r < *best)) best = r;
  }
  return best;
}

}  // namespace uvauth::pep
