#include "uvauth/pep/tag_markers.hpp"

#include <cctype>
#include <string>

namespace uvauth::pep {
namespace {

bool digits(std::string_view s) {
  if (s.empty()) return false;
  for (char c : s) {
    if (!std::isdigit(static_cast<unsigned char>(c))) return false;
  }
  return true;
}

// "312" -> "3.12", "3" -> "3"; empty when it is no Python version.
std::string python_of(std::string_view number) {
  if (!digits(number) || number.size() > 4) return {};
  if (number.size() == 1) return std::string(number);
  return std::string(number.substr(0, 1)) + "." + std::string(number.substr(1));
}

std::string interpreter_marker(const Tag& tag) {
  const std::string& i = tag.interpreter;
  if (i.rfind("py", 0) == 0) {
    const std::string v = python_of(std::string_view(i).substr(2));
    if (v.empty()) return {};
    if (v == "2" || v == "3") return v == "2" ? "python_version < '3'" : "python_version >= '3'";
    return "python_version >= '" + v + "'";
  }
  if (i.rfind("cp", 0) == 0) {
    const std::string v = python_of(std::string_view(i).substr(2));
    std::string out = "implementation_name == 'cpython'";
    if (v.empty() || v.size() == 1) return out;
    return out + (tag.abi == "abi3" ? " and python_version >= '" + v + "'" : " and python_version == '" + v + "'");
  }
  if (i.rfind("pp", 0) == 0) {
    const std::string v = python_of(std::string_view(i).substr(2));
    std::string out = "implementation_name == 'pypy'";
    // pp310 names Python 3.10; pp73 (PyPy's own version) says nothing of Python.
    if (v.size() >= 4 && v[0] == '3') out += " and python_version == '" + v + "'";
    return out;
  }
  if (i.rfind("gp", 0) == 0 || i.rfind("graalpy", 0) == 0) return "implementation_name == 'graalpy'";
  return {};
}

std::string platform_marker(const std::string& p) {
  if (p == "any") return {};
  auto arch_after = [&](std::size_t prefix_parts) {
    // The architecture is what follows the first `prefix_parts` underscores.
    std::size_t at = 0;
    for (std::size_t k = 0; k < prefix_parts; ++k) {
      at = p.find('_', at);
      if (at == std::string::npos) return std::string();
      ++at;
    }
    return p.substr(at);
  };
  std::string arch;
  if (p.rfind("manylinux_", 0) == 0 || p.rfind("musllinux_", 0) == 0) {
    arch = arch_after(3);
  } else if (p.rfind("manylinux", 0) == 0 || p.rfind("linux_", 0) == 0) {
    arch = arch_after(1);
  } else if (p.rfind("macosx_", 0) == 0) {
    const std::string a = arch_after(3);
    if (a == "arm64" || a == "x86_64") return "sys_platform == 'darwin' and platform_machine == '" + a + "'";
    if (a == "universal2") return "sys_platform == 'darwin' and (platform_machine == 'arm64' or platform_machine == 'x86_64')";
    if (a == "intel" || a == "universal" || a == "fat64" || a == "fat3") {
      return "sys_platform == 'darwin' and (platform_machine == 'x86_64' or platform_machine == 'i386')";
    }
    return "sys_platform == 'darwin'";
  } else if (p == "win_amd64") {
    return "sys_platform == 'win32' and platform_machine == 'AMD64'";
  } else if (p == "win32") {
    return "sys_platform == 'win32' and platform_machine == 'x86'";
  } else if (p == "win_arm64") {
    return "sys_platform == 'win32' and platform_machine == 'ARM64'";
  } else if (p.rfind("win", 0) == 0) {
    return "sys_platform == 'win32'";
  } else if (p.rfind("ios_", 0) == 0) {
    return "sys_platform == 'ios'";
  } else if (p.rfind("android_", 0) == 0) {
    return "sys_platform == 'android'";
  } else {
    return {};
  }
  if (arch.empty()) return "sys_platform == 'linux'";
  for (char c : arch) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_') return "sys_platform == 'linux'";
  }
  return "sys_platform == 'linux' and platform_machine == '" + arch + "'";
}

}  // namespace

MarkerTree tag_marker(const Tag& tag) {
  const std::string python = interpreter_marker(tag);
  const std::string platform = platform_marker(tag.platform);
  std::string text = python;
  if (!platform.empty()) text += (text.empty() ? "" : " and ") + platform;
  auto tree = MarkerTree::parse(text);
  return tree ? *tree : MarkerTree::always();
}

MarkerTree wheel_marker(const std::vector<Tag>& tags) {
  if (tags.empty()) return MarkerTree::always();
  MarkerTree out = MarkerTree::never();
  for (const auto& tag : tags) {
    auto joined = out.disjoin(tag_marker(tag));
    if (!joined) return MarkerTree::always();
    out = std::move(joined).value();
  }
  return out;
}

}  // namespace uvauth::pep
