#include "uvauth/pep/target.hpp"

#include <map>

#include <nlohmann/json.hpp>

#include "uvauth/text.hpp"

namespace uvauth::pep {
namespace {

struct PlatformFacts {
  std::string sys_platform, platform_system, os_name, machine;
};

// Marker values a platform tag implies.
PlatformFacts facts_of(const std::string& platform) {
  auto arch_after = [&](std::size_t underscores) {
    std::size_t pos = 0;
    for (std::size_t i = 0; i < underscores && pos != std::string::npos; ++i) pos = platform.find('_', pos + 1);
    return pos == std::string::npos ? std::string() : platform.substr(pos + 1);
  };
  if (platform.rfind("win", 0) == 0) {
    const std::string machine = platform == "win_amd64" ? "AMD64" : platform == "win_arm64" ? "ARM64" : "x86";
    return {"win32", "Windows", "nt", machine};
  }
  if (platform.rfind("macosx_", 0) == 0) return {"darwin", "Darwin", "posix", arch_after(3)};
  if (platform.rfind("manylinux_", 0) == 0 || platform.rfind("musllinux_", 0) == 0) {
    return {"linux", "Linux", "posix", arch_after(3)};
  }
  return {"linux", "Linux", "posix", platform.substr(platform.find('_') + 1)};
}

std::string host_machine() {
#if defined(__x86_64__)
  return "x86_64";
#elif defined(__aarch64__)
  return "aarch64";
#else
  return "x86_64";
#endif
}

}  // namespace

Version Target::python_full_version() const {
  auto it = markers.find("python_full_version");
  if (it == markers.end()) return Version::from("0");
  auto v = Version::parse(it->second);
  return v ? *v : Version::from("0");
}

namespace {

// uv's --python-platform names (target triples and their aliases) as the
// platform tag they stand for; anything else is returned as it is (a tag).
std::string from_uv_name(std::string name) {
  static const std::map<std::string, std::string, std::less<>> triples = {
      {"linux", "manylinux_2_28_x86_64"},
      {"macos", "macosx_13_0_arm64"},
      {"windows", "win_amd64"},
      {"x86_64-unknown-linux-gnu", "manylinux_2_28_x86_64"},
      {"aarch64-unknown-linux-gnu", "manylinux_2_28_aarch64"},
      {"x86_64-unknown-linux-musl", "musllinux_1_2_x86_64"},
      {"aarch64-unknown-linux-musl", "musllinux_1_2_aarch64"},
      {"aarch64-apple-darwin", "macosx_13_0_arm64"},
      {"x86_64-apple-darwin", "macosx_13_0_x86_64"},
      {"x86_64-pc-windows-msvc", "win_amd64"},
      {"i686-pc-windows-msvc", "win32"},
      {"aarch64-pc-windows-msvc", "win_arm64"},
      {"arm64-pc-windows-msvc", "win_arm64"},
  };
  if (name.rfind("x8664-", 0) == 0) name = "x86_64-" + name.substr(6);  // uv's alias spelling
  if (auto it = triples.find(name); it != triples.end()) return it->second;
  // <arch>-manylinux_2_NN, <arch>-manylinux2014, <arch>-musllinux_1_N.
  const auto dash = name.find('-');
  if (dash != std::string::npos && dash > 0) {
    const std::string arch = name.substr(0, dash);
    std::string rest = name.substr(dash + 1);
    if (rest == "manylinux2014") rest = "manylinux_2_17";
    if (rest.rfind("manylinux_", 0) == 0 || rest.rfind("musllinux_", 0) == 0) return rest + "_" + arch;
  }
  return name;
}

}  // namespace

Result<Target> cross_target(std::string_view python_version, std::string_view python_platform) {
  auto version = Version::parse(python_version);
  if (!version || version->release().size() < 2 || version->release().size() > 3 || version->is_prerelease() ||
      version->has_local() || version->release()[0] != 3) {
    return Error(ErrorKind::usage, "--python-version must look like 3.11 or 3.11.4, got '" + std::string(python_version) + "'");
  }
  const std::string platform = python_platform.empty() ? "manylinux_2_28_" + host_machine()
                                                       : from_uv_name(to_lower_ascii(trim(python_platform)));
  auto platforms = compatible_platforms(platform);
  if (!platforms) return std::move(platforms).error();
  const auto& r = version->release();
  Target target;
  target.interpreter.implementation = "cpython";
  target.interpreter.major = static_cast<int>(r[0]);
  target.interpreter.minor = static_cast<int>(r[1]);
  target.interpreter.platforms = std::move(platforms).value();
  const std::string short_version = std::to_string(r[0]) + "." + std::to_string(r[1]);
  const std::string full = short_version + "." + std::to_string(r.size() == 3 ? r[2] : 0);
  const PlatformFacts facts = facts_of(platform);
  target.markers = {
      {"implementation_name", "cpython"}, {"implementation_version", full},
      {"os_name", facts.os_name},         {"platform_machine", facts.machine},
      {"platform_python_implementation", "CPython"},
      {"platform_release", ""},           {"platform_system", facts.platform_system},
      {"platform_version", ""},           {"python_full_version", full},
      {"python_version", short_version},  {"sys_platform", facts.sys_platform},
  };
  target.description = "CPython " + full + " on " + platform + " (cross target)";
  return target;
}

Result<Target> target_from_query(std::string_view text, const std::string& interpreter_path) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorKind::config, "could not understand the Python interpreter " + interpreter_path + ": " + why);
  };
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return bad("its answer is not JSON");
  Target target;
  try {
    for (const auto& [key, value] : json.at("markers").items()) target.markers[key] = value.get<std::string>();
    target.interpreter.implementation = json.at("implementation").get<std::string>();
    target.interpreter.major = json.at("major").get<int>();
    target.interpreter.minor = json.at("minor").get<int>();
    target.interpreter.abi = json.value("abi", "");
    std::string platform = json.at("platform").get<std::string>();
    auto platforms = compatible_platforms(platform);
    if (!platforms) return bad(platforms.error().message);
    target.interpreter.platforms = std::move(platforms).value();
    target.description = json.value("description", std::string()) + " on " + platform;
    target.executable = json.value("executable", std::string());
  } catch (const nlohmann::json::exception& e) {
    return bad(e.what());
  }
  for (const char* key : {"python_version", "python_full_version", "sys_platform", "platform_machine"}) {
    if (!target.markers.count(key)) return bad(std::string("no ") + key);
  }
  return target;
}

}  // namespace uvauth::pep
