#include "uvauth/index/interpreter.hpp"

#include <unistd.h>

#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>

#include "uvauth/fs.hpp"
#include "uvauth/pep/version.hpp"
#include "uvauth/log.hpp"
#include "uvauth/process.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::index {
namespace fs = std::filesystem;
namespace {

// Prints what uvauth needs to know about the interpreter, as JSON.
// Imports only os and sys where it can (json, platform and sysconfig cost
// ~20 ms of the interpreter's start): markers from os.uname() and sys, as
// platform computes them; platform and sysconfig only off Linux or CPython.
constexpr const char* query_script = R"PY(
import os, sys
impl = sys.implementation.name
info = sys.version_info
def fmt(v):
    s = "%d.%d.%d" % (v.major, v.minor, v.micro)
    if v.releaselevel != "final":
        s += v.releaselevel[0] + str(v.serial)
    return s
uname = os.uname()
names = {"cpython": "CPython", "pypy": "PyPy", "ironpython": "IronPython", "jython": "Jython"}
python_impl = names.get(impl, impl)
full = sys.version.split()[0]
markers = {
    "implementation_name": impl,
    "implementation_version": fmt(sys.implementation.version),
    "os_name": os.name,
    "platform_machine": uname.machine,
    "platform_python_implementation": python_impl,
    "platform_release": uname.release,
    "platform_system": uname.sysname,
    "platform_version": uname.version,
    "python_full_version": full,
    "python_version": "%d.%d" % (info.major, info.minor),
    "sys_platform": sys.platform,
}
machine = uname.machine.lower()
is_64 = sys.maxsize > 2**32
plat = None
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
    import platform
    release = platform.mac_ver()[0].split(".")
    major = int(release[0]); minor = int(release[1]) if major == 10 and len(release) > 1 else 0
    plat = "macosx_%d_%d_%s" % (major, minor, "arm64" if machine == "arm64" else "x86_64")
if plat is None:
    import sysconfig
    plat = sysconfig.get_platform().replace("-", "_").replace(".", "_")
abi = ""
if impl == "cpython":
    abi = "cp%d%d" % (info.major, info.minor) + ("t" if "t" in getattr(sys, "abiflags", "") else "")
else:
    import sysconfig
    soabi = sysconfig.get_config_var("SOABI") or ""
    if soabi:
        abi = soabi.replace("-", "_").replace(".", "_").split("_x86")[0].split("_aarch64")[0]
def q(v):
    if isinstance(v, int):
        return str(v)
    if isinstance(v, dict):
        return "{" + ", ".join(q(k) + ": " + q(x) for k, x in v.items()) + "}"
    out = []
    for ch in v:
        c = ord(ch)
        if ch == '"' or ch == "\\":
            out.append("\\" + ch)
        elif 0x20 <= c < 0x7f:
            out.append(ch)
        elif c < 0x10000:
            out.append("\\u%04x" % c)
        else:
            c -= 0x10000
            out.append("\\u%04x\\u%04x" % (0xd800 + (c >> 10), 0xdc00 + (c & 0x3ff)))
    return '"' + "".join(out) + '"'
print(q({"markers": markers, "implementation": impl, "major": info.major, "minor": info.minor,
         "abi": abi, "platform": plat, "executable": os.path.realpath(sys.executable),
         "description": "%s %s" % (python_impl, full)}))
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
  return find_python(request, PythonSearch{search_path, std::nullopt, std::nullopt, std::nullopt}, flag);
}

namespace {

// The version of a managed install's directory: pyenv's "3.12.1", uv's
// "cpython-3.12.1-linux-x86_64-gnu"; nullopt for anything else.
std::optional<pep::Version> managed_version(const std::string& name, bool uv) {
  std::string text = name;
  if (uv) {
    if (text.rfind("cpython-", 0) != 0) return std::nullopt;
    text = text.substr(8, text.find('-', 8) == std::string::npos ? std::string::npos : text.find('-', 8) - 8);
  }
  if (text.empty() || !std::isdigit(static_cast<unsigned char>(text[0])) ||
      text.find_first_not_of("0123456789.abrc") != std::string::npos) {
    return std::nullopt;
  }
  auto v = pep::Version::parse(text);
  if (!v) return std::nullopt;
  return *v;
}

// The newest install under `root` whose version starts with `wanted`.
std::optional<fs::path> newest_install(const fs::path& root, const std::string& wanted, const std::string& name, bool uv) {
  std::error_code ec;
  std::optional<std::pair<pep::Version, fs::path>> best;
  std::size_t seen = 0;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    if (++seen > 10000) break;
    auto v = managed_version(entry.path().filename().string(), uv);
    if (!v) continue;
    const std::string text = v->to_string();
    if (text != wanted && text.rfind(wanted + ".", 0) != 0) continue;
    const fs::path exe = entry.path() / "bin" / name;
    if (::access(exe.c_str(), X_OK) != 0) continue;
    if (!best || best->first < *v) best = std::make_pair(*v, exe);
  }
  if (!best) return std::nullopt;
  return best->second;
}

bool is_pyenv_shim(const fs::path& file) { return file.parent_path().filename() == "shims" && is_script(file); }

}  // namespace

Result<fs::path> find_python(const std::optional<std::string>& request, const PythonSearch& search, const std::string& flag) {
  const std::string wanted = request.value_or("python3");
  if (wanted.empty()) return Error(ErrorKind::usage, flag + " needs a value");
  if (wanted.find('/') != std::string::npos) {
    UVAUTH_DEBUG("interpreter: " << wanted << " (the path given to " << flag << ")");
    return fs::path(wanted);
  }
  // A version ("3.12") means `python3.12`; anything else is a name on PATH.
  const bool version = std::isdigit(static_cast<unsigned char>(wanted[0])) &&
                       wanted.find_first_not_of("0123456789.") == std::string::npos;
  std::string minor = wanted;
  if (version) {
    const auto first = wanted.find('.');
    const auto second = first == std::string::npos ? std::string::npos : wanted.find('.', first + 1);
    minor = wanted.substr(0, second);
  }
  const std::string name = version ? "python" + minor : wanted;
  const std::string why = request ? flag + " " + wanted : "the default";
  std::vector<std::string> passed_over;
  // PATH, one directory at a time (a shim is passed over for a version request).
  std::size_t start = 0;
  while (start <= search.path.size()) {
    const std::size_t end = std::min(search.path.find(':', start), search.path.size());
    const fs::path candidate = fs::path(search.path.substr(start, end - start)) / name;
    start = end + 1;
    if (candidate.parent_path().empty() || ::access(candidate.c_str(), X_OK) != 0) continue;
    if (version && wanted != minor) {
      passed_over.push_back(candidate.string() + " (may not be " + wanted + ")");
      continue;  // a full version is matched against the managed installs' names
    }
    if (version && is_pyenv_shim(candidate) && (search.pyenv_versions || search.uv_pythons)) {
      passed_over.push_back(candidate.string() + " (a pyenv shim)");
      continue;
    }
    UVAUTH_DEBUG("interpreter: " << candidate.string() << " (`" << name << "` on PATH, for " << why << ")");
    return candidate;
  }
  if (version) {
    for (const auto& [root, uv] : {std::pair{search.pyenv_versions, false}, std::pair{search.uv_pythons, true}}) {
      if (!root) continue;
      if (auto found = newest_install(*root, wanted, name, uv)) {
        UVAUTH_DEBUG("interpreter: " << found->string() << " (" << (uv ? "uv's" : "pyenv's") << " newest " << wanted
                                     << ", for " << why << ")");
        return *found;
      }
    }
    // A shim is still better than nothing.
    for (const auto& p : passed_over) {
      if (p.find("(a pyenv shim)") != std::string::npos) return fs::path(p.substr(0, p.find(" (")));
    }
  }
  std::string looked = "PATH";
  if (version && search.pyenv_versions) looked += ", " + search.pyenv_versions->string();
  if (version && search.uv_pythons) looked += ", " + search.uv_pythons->string();
  return Error(ErrorKind::config, request ? "no `" + name + "` on PATH (from " + flag + " " + wanted + ")" +
                                                (version ? "; looked in " + looked : std::string())
                                          : "no python3 on PATH")
      .with_hint(request ? "give the interpreter's path, or put it on PATH"
                         : "pass --python EXE, or --python-version X.Y for a cross target");
}

namespace {

// The interpreter a pyenv shim would run, found as pyenv finds it, for the
// plain cases only: one version named by PYENV_VERSION, a `.python-version`
// in the working directory or above, or the root's `version` file, whose
// `versions/<name>/bin/<shim>` is a real executable. Otherwise nothing (the
// caller runs the shim and asks).
std::optional<fs::path> follow_pyenv_shim(const fs::path& shim, const PythonSearch& search) {
  if (shim.parent_path().filename() != "shims") return std::nullopt;
  const fs::path root = shim.parent_path().parent_path();
  std::optional<std::string> name = search.pyenv_version;
  auto first_word = [](const std::string& text) -> std::optional<std::string> {
    std::size_t at = 0;
    for (std::size_t lines = 0; at < text.size() && lines < 64; ++lines) {
      const std::size_t end = std::min(text.find('\n', at), text.size());
      std::string line = text.substr(at, end - at);
      at = end + 1;
      const std::size_t begin = line.find_first_not_of(" \t\r");
      if (begin == std::string::npos || line[begin] == '#') continue;
      line = line.substr(begin);
      const std::size_t stop = line.find_first_of(" \t\r");
      return line.substr(0, stop);
    }
    return std::nullopt;
  };
  std::error_code ec;
  if (!name) {
    fs::path dir = fs::current_path(ec);
    for (std::size_t depth = 0; !ec && depth < 64 && !name; ++depth) {
      if (fs::is_regular_file(dir / ".python-version", ec)) {
        auto text = read_file(dir / ".python-version");
        if (!text) return std::nullopt;
        name = first_word(*text);
        if (!name) return std::nullopt;
      }
      if (!dir.has_parent_path() || dir.parent_path() == dir) break;
      dir = dir.parent_path();
    }
  }
  if (!name) {
    auto text = read_file(root / "version");
    if (!text) return std::nullopt;
    name = first_word(*text);
  }
  // PYENV_VERSION may name several (a:b): the first has to be the one.
  if (name && name->find(':') != std::string::npos) return std::nullopt;
  if (!name || name->empty() || *name == "system" || name->find('/') != std::string::npos) return std::nullopt;
  const fs::path candidate = root / "versions" / *name / "bin" / shim.filename();
  const fs::path real = fs::canonical(candidate, ec);
  if (ec || !fs::is_regular_file(real, ec) || is_script(real)) return std::nullopt;
  return real;
}

// Python 2 (and 3 before 3.4) know no -I: said so, not as its usage text.
std::optional<Error> not_python3(const fs::path& python, const std::string& err) {
  if (err.find("Unknown option: -I") == std::string::npos && err.find("Unknown option -I") == std::string::npos) return std::nullopt;
  return Error(ErrorKind::config, python.string() + " is not a Python 3 interpreter (it does not take `-I`); uvauth, as uv, installs for Python 3 only")
      .with_hint("pass a Python 3 with --python: a path, a name on PATH (`python3.12`) or a version (`3.12`)");
}

}  // namespace

Result<pep::Target> query_interpreter(const fs::path& python, const cache::CacheDir& cache, const PythonSearch* search) {
  std::error_code ec;
  fs::path resolved = fs::canonical(python, ec);
  if (ec) return Error(ErrorKind::config, "no Python interpreter at " + python.string() + ": " + ec.message());
  if (is_script(resolved) && search) {
    if (auto real = follow_pyenv_shim(resolved, *search)) {
      UVAUTH_DEBUG(python.string() << " is a pyenv shim for " << real->string() << " (by pyenv's version files)");
      resolved = *real;
    }
  }
  if (is_script(resolved)) {
    // A shim: which interpreter it runs decides the answer (and the cache key).
    auto which = run_process({resolved.string(), "-I", "-S", "-c", "import os, sys; print(os.path.realpath(sys.executable))"},
                             std::chrono::seconds(30));
    if (which && which->exit_code != 0) {
      if (auto old = not_python3(python, which->err)) return std::move(*old);
    }
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
    if (auto old = not_python3(python, run->err)) return std::move(*old);
    return Error(ErrorKind::config, python.string() + " failed when asked what it is (exit " + std::to_string(run->exit_code) +
                                        "): " + escape_nonprintable(run->err.substr(0, 500)));
  }
  auto target = pep::target_from_query(run->out, python.string());
  if (!target) return target;
  // Not flushed: a damaged entry fails target_from_query and is asked again.
  if (cached) {
    (void)write_file_atomically(*cached, run->out, fs::perms::owner_read | fs::perms::owner_write, Durability::cache);
  }
  return target;
}

}  // namespace uvauth::index
