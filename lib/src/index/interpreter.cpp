#include "uvauth/index/interpreter.hpp"

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>

#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"
#include "uvauth/process.hpp"
#include "uvauth/sha256.hpp"

namespace uvauth::index {
namespace fs = std::filesystem;
namespace {

// Prints what uvauth needs to know about the interpreter, as JSON.
constexpr const char* query_script = R"PY(
import json, os, platform, sys, sysconfig
impl = sys.implementation.name
info = sys.version_info
def fmt(v):
    s = "%d.%d.%d" % (v.major, v.minor, v.micro)
    if v.releaselevel != "final":
        s += v.releaselevel[0] + str(v.serial)
    return s
markers = {
    "implementation_name": impl,
    "implementation_version": fmt(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": platform.machine(),
    "platform_python_implementation": platform.python_implementation(),
    "platform_release": platform.release(),
    "platform_system": platform.system(),
    "platform_version": platform.version(),
    "python_full_version": platform.python_version(),
    "python_version": ".".join(platform.python_version_tuple()[:2]),
    "sys_platform": sys.platform,
}
machine = platform.machine().lower()
is_64 = sys.maxsize > 2**32
plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
if sys.platform.startswith("linux"):
    arch = {"amd64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if arch == "x86_64" and not is_64:
        arch = "i686"
    try:
        libc = os.confstr("CS_GNU_LIBC_VERSION") or ""
    except (AttributeError, ValueError, OSError):
        libc = ""
    if libc.startswith("glibc "):
        major, minor = libc.split()[1].split(".")[:2]
        plat = "manylinux_%s_%s_%s" % (major, minor, arch)
    else:
        plat = "linux_" + arch
elif sys.platform == "darwin":
    release = platform.mac_ver()[0].split(".")
    major = int(release[0]); minor = int(release[1]) if major == 10 and len(release) > 1 else 0
    plat = "macosx_%d_%d_%s" % (major, minor, "arm64" if machine == "arm64" else "x86_64")
abi = ""
soabi = sysconfig.get_config_var("SOABI") or ""
if impl == "cpython":
    abi = "cp%d%d" % (info.major, info.minor) + ("t" if sysconfig.get_config_var("Py_GIL_DISABLED") else "")
elif soabi:
    abi = soabi.replace("-", "_").replace(".", "_").split("_x86")[0].split("_aarch64")[0]
print(json.dumps({"markers": markers, "implementation": impl, "major": info.major, "minor": info.minor,
                  "abi": abi, "platform": plat, "executable": os.path.realpath(sys.executable),
                  "description": "%s %s" % (platform.python_implementation(), platform.python_version())}))
)PY";


// True for a script (a shim), not an executable binary.
bool is_script(const fs::path& file) {
  std::ifstream in(file, std::ios::binary);
  char head[2] = {};
  in.read(head, 2);
  return in.gcount() == 2 && head[0] == '#' && head[1] == '!';
}

}  // namespace

std::optional<fs::path> find_on_path(const std::string& name, const std::string& path) {
  std::size_t start = 0;
  while (start <= path.size()) {
    const std::size_t end = std::min(path.find(':', start), path.size());
    const fs::path candidate = fs::path(path.substr(start, end - start)) / name;
    if (!candidate.parent_path().empty() && ::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return std::nullopt;
}

Result<fs::path> find_python(const std::optional<std::string>& request, const std::string& search_path, const std::string& flag) {
  const std::string wanted = request.value_or("python3");
  if (wanted.empty()) return Error(ErrorKind::usage, flag + " needs a value");
  if (wanted.find('/') != std::string::npos) return fs::path(wanted);
  // A version ("3.12") means `python3.12`; anything else is a name on PATH.
  const bool version = std::isdigit(static_cast<unsigned char>(wanted[0])) &&
                       wanted.find_first_not_of("0123456789.") == std::string::npos;
  const std::string name = version ? "python" + wanted : wanted;
  if (auto found = find_on_path(name, search_path)) return *found;
  return Error(ErrorKind::config, request ? "no `" + name + "` on PATH (from " + flag + " " + wanted + ")" : "no python3 on PATH")
      .with_hint(request ? "give the interpreter's path, or put it on PATH"
                         : "pass --python EXE, or --python-version X.Y for a cross target");
}

Result<pep::Target> query_interpreter(const fs::path& python, const cache::CacheDir& cache) {
  std::error_code ec;
  fs::path resolved = fs::canonical(python, ec);
  if (ec) return Error(ErrorKind::config, "no Python interpreter at " + python.string() + ": " + ec.message());
  if (is_script(resolved)) {
    // A shim: which interpreter it runs decides the answer (and the cache key).
    auto which = run_process({resolved.string(), "-I", "-S", "-c", "import os, sys; print(os.path.realpath(sys.executable))"},
                             std::chrono::seconds(30));
    if (!which || which->exit_code != 0) {
      return Error(ErrorKind::config, "could not run " + python.string() + ": " +
                                          (which ? which->err.substr(0, 500) : which.error().message));
    }
    const std::string real = which->out.substr(0, which->out.find('\n'));
    UVAUTH_DEBUG(python.string() << " is a shim for " << real);
    resolved = fs::canonical(real, ec);
    if (ec) return Error(ErrorKind::config, python.string() + " runs " + real + ", which cannot be found: " + ec.message());
  }
  const auto mtime = fs::last_write_time(resolved, ec).time_since_epoch().count();
  const std::string key = resolved.string() + "|" + std::to_string(mtime);
  std::optional<fs::path> cached;
  if (auto bucket = cache.bucket(cache::Bucket::interpreters)) cached = *bucket / (Sha256::hex_of(key) + ".json");
  if (cached) {
    if (auto text = read_file(*cached)) {
      auto target = pep::target_from_query(*text, python.string());
      if (target) {
        UVAUTH_TRACE("interpreter " << python.string() << " answered from the cache");
        return target;
      }
    }
  }
  UVAUTH_DEBUG("querying the Python interpreter " << python.string());
  auto run = run_process({resolved.string(), "-I", "-S", "-c", query_script}, std::chrono::seconds(30));
  if (!run) return Error(ErrorKind::config, "could not run " + python.string() + ": " + run.error().message);
  if (run->exit_code != 0) {
    return Error(ErrorKind::config, python.string() + " failed when asked what it is (exit " +
                                        std::to_string(run->exit_code) + "): " + run->err.substr(0, 500));
  }
  auto target = pep::target_from_query(run->out, python.string());
  if (!target) return target;
  if (cached) (void)write_file_atomically(*cached, run->out);
  return target;
}

}  // namespace uvauth::index
