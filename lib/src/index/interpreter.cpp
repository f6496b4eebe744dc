#include "uvauth/index/interpreter.hpp"

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

}  // namespace

Result<pep::Target> query_interpreter(const fs::path& python, const cache::CacheDir& cache) {
  std::error_code ec;
  const fs::path resolved = fs::canonical(python, ec);
  if (ec) return Error(ErrorKind::config, "no Python interpreter at " + python.string() + ": " + ec.message());
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
