#include "uvauth/build/frontend.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>

#include "uvauth/config/toml.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/process.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::build {
namespace fs = std::filesystem;

namespace {

// The driver the backend's hooks run under (uvauth's own; pyproject-hooks
// is the reference for behaviour): `python driver.py HOOK ARGS.json OUT.json`.
constexpr std::string_view driver_script = R"PY(# uvauth's PEP 517 hook driver (written by uvauth; safe to delete)
import importlib, json, os, sys, traceback

def load_backend(spec, backend_path):
    if backend_path:
        tree = os.path.realpath(os.getcwd())
        for entry in reversed(backend_path):
            full = os.path.realpath(os.path.join(tree, entry))
            if os.path.commonpath([tree, full]) != tree:
                raise SystemExit("uvauth: backend-path entry %r is outside the source tree" % entry)
            sys.path.insert(0, full)
    module_name, _, attribute = spec.partition(":")
    try:
        backend = importlib.import_module(module_name)
    except ImportError:
        traceback.print_exc()
        raise SystemExit("uvauth: cannot import the build backend %r" % module_name)
    for part in attribute.split(".") if attribute else []:
        backend = getattr(backend, part)
    if backend_path:
        origin = os.path.realpath(getattr(backend, "__file__", "") or "")
        if origin and not any(os.path.commonpath([os.path.realpath(os.path.join(os.getcwd(), p)), origin]) ==
                              os.path.realpath(os.path.join(os.getcwd(), p)) for p in backend_path):
            raise SystemExit("uvauth: the backend %r was not loaded from its backend-path" % spec)
    return backend

def main():
    hook, arguments_file, result_file = sys.argv[1:4]
    with open(arguments_file, encoding="utf-8") as f:
        arguments = json.load(f)
    backend = load_backend(arguments["backend"], arguments.get("backend_path") or [])
    function = getattr(backend, hook, None)
    if function is None:
        result = {"missing": True}
    else:
        result = {"value": function(*arguments.get("args", []), **arguments.get("kwargs", {}))}
    with open(result_file, "w", encoding="utf-8") as f:
        json.dump(result, f)

if __name__ == "__main__":
    main()
)PY";

// A name no other call of this process uses at the same time.
std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
}

std::string tail_lines(const std::string& text, std::size_t count) {
  std::size_t pos = text.size();
  if (pos > 0 && text[pos - 1] == '\n') --pos;
  std::size_t lines = 0;
  while (pos > 0) {
    const auto nl = text.rfind('\n', pos - 1);
    if (nl == std::string::npos) {
      pos = 0;
      break;
    }
    if (++lines >= count) {
      pos = nl + 1;
      break;
    }
    pos = nl;
  }
  return text.substr(pos);
}

Result<std::string> read_text(const fs::path& file) { return read_file(file); }

}  // namespace

Result<BuildSystem> read_build_system(const fs::path& tree, const std::string& label) {
  BuildSystem out;
  const fs::path pyproject = tree / "pyproject.toml";
  std::error_code ec;
  auto legacy = [&] {
    out.requires_.clear();
    out.requires_.push_back(*pep::Requirement::parse("setuptools>=40.8.0"));
    out.backend = "setuptools.build_meta:__legacy__";
  };
  if (!fs::exists(pyproject, ec)) {
    if (!fs::exists(tree / "setup.py", ec) && !fs::exists(tree / "setup.cfg", ec)) {
      return Error(ErrorKind::install, label + ": neither pyproject.toml nor setup.py in " + tree.string() +
                                           ": not a Python project");
    }
    legacy();
    return out;
  }
  auto text = read_file(pyproject);
  if (!text) return std::move(text).error();
  auto doc = config::parse_toml(*text, pyproject.string(), ErrorKind::parse);
  if (!doc) return std::move(doc).error();
  const auto* system = (*doc)["build-system"].as_table();
  if (!system) {
    legacy();
    return out;
  }
  out.declared = true;
  if (const auto* requires_ = (*system)["requires"].as_array()) {
    for (const auto& item : *requires_) {
      const auto* s = item.as_string();
      if (!s) return Error(ErrorKind::parse, config::toml_where(pyproject.string(), item) + ": [build-system].requires must list strings");
      auto r = pep::Requirement::parse(s->get());
      if (!r) return Error(ErrorKind::parse, config::toml_where(pyproject.string(), item) + ": [build-system].requires: " + r.error().message);
      out.requires_.push_back(std::move(r).value());
    }
  } else if ((*system).contains("requires")) {
    return Error(ErrorKind::parse, pyproject.string() + ": [build-system].requires must be an array of strings");
  } else {
    return Error(ErrorKind::parse, pyproject.string() + ": [build-system] has no `requires` (PEP 518 makes it mandatory)");
  }
  if (auto backend = (*system)["build-backend"].value<std::string>()) {
    out.backend = *backend;
  } else {
    out.backend = "setuptools.build_meta:__legacy__";
  }
  const std::string& b = out.backend;
  const bool valid = !b.empty() && b.find_first_not_of("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.:") == std::string::npos &&
                     std::count(b.begin(), b.end(), ':') <= 1;
  if (!valid) return Error(ErrorKind::parse, pyproject.string() + ": build-backend '" + escape_nonprintable(b) + "' is not module[:object]");
  if (const auto* paths = (*system)["backend-path"].as_array()) {
    for (const auto& item : *paths) {
      const auto* s = item.as_string();
      if (!s) return Error(ErrorKind::parse, pyproject.string() + ": backend-path must list strings");
      const fs::path p = (tree / s->get()).lexically_normal();
      const auto rel = p.lexically_relative(tree.lexically_normal());
      if (rel.empty() || *rel.begin() == "..") {
        return Error(ErrorKind::parse, pyproject.string() + ": backend-path '" + escape_nonprintable(s->get()) + "' is outside the project");
      }
      out.backend_path.push_back(s->get());
    }
  }
  return out;
}

std::optional<std::string> static_name(const fs::path& tree) {
  if (auto text = read_file(tree / "pyproject.toml")) {
    if (auto doc = config::parse_toml(*text, "pyproject.toml", ErrorKind::parse)) {
      if (auto name = (*doc)["project"]["name"].value<std::string>(); name && pep::is_valid_name(*name)) return *name;
    }
  }
  if (auto text = read_file(tree / "setup.cfg")) {
    bool in_metadata = false;
    std::size_t start = 0;
    while (start < text->size()) {
      auto end = text->find('\n', start);
      if (end == std::string::npos) end = text->size();
      std::string line(trim(std::string_view(*text).substr(start, end - start)));
      start = end + 1;
      if (!line.empty() && line[0] == '[') {
        in_metadata = line == "[metadata]";
        continue;
      }
      if (!in_metadata || line.rfind("name", 0) != 0) continue;
      const auto eq = line.find_first_of("=:");
      if (eq == std::string::npos || trim(std::string_view(line).substr(0, eq)) != "name") continue;
      std::string value(trim(std::string_view(line).substr(eq + 1)));
      if (pep::is_valid_name(value)) return value;
    }
  }
  return std::nullopt;
}

std::optional<pep::CoreMetadata> static_metadata(const fs::path& tree) {
  auto text = read_file(tree / "pyproject.toml");
  if (!text) return std::nullopt;
  auto doc = config::parse_toml(*text, (tree / "pyproject.toml").string(), ErrorKind::parse);
  if (!doc) return std::nullopt;
  const auto* project = (*doc)["project"].as_table();
  if (!project) return std::nullopt;
  std::set<std::string> dynamic;
  if (const auto* d = (*project)["dynamic"].as_array()) {
    for (const auto& item : *d) {
      if (auto s = item.value<std::string>()) dynamic.insert(*s);
    }
  }
  for (const char* field : {"version", "dependencies", "optional-dependencies", "requires-python"}) {
    if (dynamic.count(field)) return std::nullopt;
  }
  auto name = (*project)["name"].value<std::string>();
  auto version_text = (*project)["version"].value<std::string>();
  if (!name || !version_text || !pep::is_valid_name(*name)) return std::nullopt;
  auto version = pep::Version::parse(*version_text);
  if (!version) return std::nullopt;
  pep::CoreMetadata out;
  out.metadata_version = "2.1";
  out.name = *name;
  out.version = *version;
  if (const auto* deps = (*project)["dependencies"].as_array()) {
    for (const auto& item : *deps) {
      auto s = item.value<std::string>();
      if (!s) return std::nullopt;
      auto r = pep::Requirement::parse(*s);
      if (!r) return std::nullopt;
      out.requires_dist.push_back(std::move(r).value());
    }
  }
  if (const auto* optional = (*project)["optional-dependencies"].as_table()) {
    for (const auto& [extra_key, list] : *optional) {
      const std::string extra = pep::canonicalize_name(std::string(extra_key.str()));
      out.provides_extra.push_back(extra);
      const auto* items = list.as_array();
      if (!items) return std::nullopt;
      for (const auto& item : *items) {
        auto s = item.value<std::string>();
        if (!s) return std::nullopt;
        // The extra becomes part of the marker, as a backend writes it.
        std::string text_with_extra = *s;
        auto r = pep::Requirement::parse(*s);
        if (!r) return std::nullopt;
        const std::string base = r->to_string();
        const auto semi = base.find(';');
        const std::string requirement = semi == std::string::npos ? base : base.substr(0, semi);
        const std::string marker = semi == std::string::npos ? "" : std::string(trim(std::string_view(base).substr(semi + 1)));
        auto joined = pep::Requirement::parse(requirement + " ; " + (marker.empty() ? "" : "(" + marker + ") and ") + "extra == '" + extra + "'");
        if (!joined) return std::nullopt;
        out.requires_dist.push_back(std::move(joined).value());
      }
    }
  }
  if (auto rp = (*project)["requires-python"].value<std::string>()) {
    auto spec = pep::SpecifierSet::parse(*rp);
    if (!spec) return std::nullopt;
    out.requires_python = std::move(spec).value();
  }
  return out;
}

std::string tree_fingerprint(const fs::path& dir, bool metadata_only) {
  Sha256 hash;
  std::vector<fs::path> files;
  std::error_code ec;
  if (metadata_only) {
    for (const char* name : {"pyproject.toml", "setup.cfg", "setup.py"}) {
      if (fs::is_regular_file(dir / name, ec)) files.push_back(name);
    }
  } else {
    static const std::set<std::string> skipped{".git", ".hg", ".svn", "__pycache__", ".venv", "venv", "build", "dist",
                                               ".tox", ".nox", ".mypy_cache", ".pytest_cache", ".eggs"};
    fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
    std::size_t seen = 0;
    for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
      if (++seen > 200000) break;
      const std::string name = it->path().filename().string();
      if (it->is_directory(ec) && (skipped.count(name) || (name.size() > 9 && name.substr(name.size() - 9) == ".egg-info"))) {
        it.disable_recursion_pending();
        continue;
      }
      if (it->is_regular_file(ec)) files.push_back(it->path().lexically_relative(dir));
    }
  }
  std::sort(files.begin(), files.end());
  for (const auto& f : files) {
    hash.update(f.string());
    hash.update(std::string_view("\0", 1));
    auto digest = Sha256::hex_of_file(dir / f);
    hash.update(digest ? *digest : std::string("unreadable"));
    hash.update("\n");
  }
  return hash.hex_digest();
}

Frontend::Frontend(FrontendOptions options) : options_(std::move(options)) {
  if (!options_.cache.enabled()) {
    scratch_ = fs::temp_directory_path() / ("uvauth-build-" + std::to_string(::getpid()));
    options_.cache = cache::CacheDir(scratch_);
  }
}

fs::path Frontend::bucket(cache::Bucket which) const { return *options_.cache.bucket(which); }

std::optional<BuiltWheel> Frontend::cached(const std::string& key, bool editable) const {
  const fs::path dir = bucket(cache::Bucket::built) / (key + (editable ? "-editable" : "")) ;
  std::error_code ec;
  if (!fs::exists(dir / ".complete", ec)) return std::nullopt;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() != ".whl") continue;
    BuiltWheel out;
    out.file = e.path();
    out.filename = e.path().filename().string();
    auto digest = read_file(dir / ".sha256");
    if (!digest) return std::nullopt;
    out.sha256 = std::string(trim(*digest));
    out.size = fs::file_size(e.path(), ec);
    out.cached = true;
    return out;
  }
  return std::nullopt;
}

Result<fs::path> Frontend::environment(const BuildSystem& system, const fs::path& tree, const std::string& label, bool editable) {
  if (!options_.installer) return Error(ErrorKind::install, label + ": building needs a build environment, and none can be made here");
  auto make = [&](const std::vector<pep::Requirement>& requirements) -> Result<fs::path> {
    std::vector<std::string> texts;
    for (const auto& r : requirements) texts.push_back(r.to_string());
    std::sort(texts.begin(), texts.end());
    texts.erase(std::unique(texts.begin(), texts.end()), texts.end());
    std::string key_text = options_.interpreter_key + "\n" + options_.python.string();
    for (const auto& t : texts) key_text += "\n" + t;
    const fs::path dir = bucket(cache::Bucket::build_envs) / Sha256::hex_of(key_text).substr(0, 32);
    std::error_code ec;
    if (fs::exists(dir / ".complete", ec)) {
      UVAUTH_DEBUG("build environment for " << label << ": reusing " << dir.string());
      return dir;
    }
    auto held = FileLock::acquire(dir.string() + ".lock", "build environment " + dir.string(), std::chrono::minutes(10));
    if (!held) return std::move(held).error();
    if (fs::exists(dir / ".complete", ec)) return dir;
    fs::remove_all(dir, ec);
    UVAUTH_TRY(options_.installer->install(requirements, dir, "the build requirements of " + label));
    UVAUTH_TRY(write_file_atomically(dir / ".complete", key_text + "\n"));
    return dir;
  };
  UVAUTH_TRY_ASSIGN(auto base, make(system.requires_));
  UVAUTH_TRY_ASSIGN(auto extra_json, call(base, tree, system, editable ? "get_requires_for_build_editable" : "get_requires_for_build_wheel",
                                          R"({"args": [{}]})", label));
  auto parsed = nlohmann::json::parse(extra_json, nullptr, false);
  std::vector<pep::Requirement> extra;
  if (parsed.is_object() && parsed.contains("value") && parsed["value"].is_array()) {
    for (const auto& item : parsed["value"]) {
      if (!item.is_string()) continue;
      auto r = pep::Requirement::parse(item.get<std::string>());
      if (!r) return Error(ErrorKind::install, label + ": the backend asked for the build requirement '" +
                                                   escape_nonprintable(item.get<std::string>()) + "': " + r.error().message);
      extra.push_back(std::move(r).value());
    }
  }
  if (extra.empty()) return base;
  std::vector<pep::Requirement> all = system.requires_;
  all.insert(all.end(), extra.begin(), extra.end());
  return make(all);
}

Result<std::string> Frontend::call(const fs::path& venv, const fs::path& tree, const BuildSystem& system, const std::string& hook,
                                   const std::string& arguments_json, const std::string& label) {
  std::error_code ec;
  const fs::path work = bucket(cache::Bucket::build_envs) / ("call-" + unique_suffix());
  fs::remove_all(work, ec);
  fs::create_directories(work, ec);
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{work};
  auto arguments = nlohmann::json::parse(arguments_json);
  arguments["backend"] = system.backend;
  arguments["backend_path"] = system.backend_path;
  UVAUTH_TRY(write_file_atomically(work / "driver.py", driver_script));
  UVAUTH_TRY(write_file_atomically(work / "arguments.json", arguments.dump()));
  ProcessOptions run;
  run.timeout = options_.timeout;
  run.cwd = tree;
  run.merge_output = true;
  run.max_output = std::size_t{4} << 20;
  std::vector<std::string> environment;
  for (const auto& e : options_.environment) {
    if (e.rfind("PATH=", 0) == 0 || e.rfind("VIRTUAL_ENV=", 0) == 0 || e.rfind("PYTHONHOME=", 0) == 0 ||
        e.rfind("PYTHONPATH=", 0) == 0) {
      continue;
    }
    environment.push_back(e);
  }
  std::string path = (venv / "bin").string();
  for (const auto& e : options_.environment) {
    if (e.rfind("PATH=", 0) == 0) path += ":" + e.substr(5);
  }
  environment.push_back("PATH=" + path);
  environment.push_back("VIRTUAL_ENV=" + venv.string());
  environment.push_back("PYTHONNOUSERSITE=1");
  environment.push_back("PYTHONDONTWRITEBYTECODE=1");
  run.environment = environment;
  if (options_.show_output) {
    run.on_output = [](std::string_view chunk) { std::cerr << chunk << std::flush; };
  }
  UVAUTH_DEBUG("running the " << hook << " hook of " << system.backend << " for " << label);
  auto result = run_process({(venv / "bin" / "python").string(), (work / "driver.py").string(), hook,
                             (work / "arguments.json").string(), (work / "result.json").string()},
                            run);
  if (!result) {
    if (result.error().kind == ErrorKind::timeout) {
      // A build that ran out of time is a failed build (exit 1), not a network timeout.
      return Error(ErrorKind::install, "building " + label + " (" + system.backend + ", " + hook + ") did not finish within " +
                                           std::to_string(options_.timeout.count()) + " s and was stopped")
          .with_hint("UVAUTH_BUILD_TIMEOUT sets the limit in seconds");
    }
    return std::move(result).error();
  }
  if (result->exit_code != 0) {
    const std::string last = tail_lines(result->out, 40);
    return Error(ErrorKind::install, "building " + label + " failed: the " + hook + " hook of " + escape_nonprintable(system.backend) +
                                         " exited with " + std::to_string(result->exit_code) + "; its last output:\n" +
                                         escape_nonprintable(last));
  }
  auto text = read_text(work / "result.json");
  if (!text) {
    return Error(ErrorKind::install, "building " + label + ": the " + hook + " hook of " + escape_nonprintable(system.backend) +
                                         " ended without a result");
  }
  return *text;
}

Result<pep::CoreMetadata> Frontend::metadata(const fs::path& tree, const std::string& label, bool editable, const std::string& key) {
  const fs::path cache_file = bucket(cache::Bucket::built) / (key + (editable ? "-editable" : "")) / "METADATA";
  std::error_code ec;
  if (!key.empty() && fs::exists(cache_file, ec)) {
    if (auto text = read_file(cache_file)) {
      if (auto parsed = pep::CoreMetadata::parse(*text, label + " (built metadata)")) return parsed;
    }
  }
  if (auto built = cached(key, editable)) {
    (void)built;  // a whole wheel is there: its METADATA is read by the caller's usual path
  }
  UVAUTH_TRY_ASSIGN(auto system, read_build_system(tree, label));
  UVAUTH_TRY_ASSIGN(auto venv, environment(system, tree, label, editable));
  const fs::path out = bucket(cache::Bucket::build_envs) / ("metadata-" + unique_suffix());
  fs::remove_all(out, ec);
  fs::create_directories(out, ec);
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{out};
  nlohmann::json args = {{"args", {out.string(), nlohmann::json::object()}}};
  UVAUTH_TRY_ASSIGN(auto answer, call(venv, tree, system, editable ? "prepare_metadata_for_build_editable" : "prepare_metadata_for_build_wheel",
                                      args.dump(), label));
  auto parsed = nlohmann::json::parse(answer, nullptr, false);
  std::string text;
  if (parsed.is_object() && parsed.contains("value") && parsed["value"].is_string()) {
    const std::string dist_info = parsed["value"].get<std::string>();
    if (dist_info.find('/') != std::string::npos || dist_info.find("..") != std::string::npos) {
      return Error(ErrorKind::install, label + ": the backend named the metadata directory '" + escape_nonprintable(dist_info) + "'");
    }
    auto read = read_file(out / dist_info / "METADATA");
    if (!read) return Error(ErrorKind::install, label + ": the backend wrote no " + dist_info + "/METADATA");
    text = *read;
  } else {
    // No prepare hook: build the wheel and read its METADATA.
    UVAUTH_TRY_ASSIGN(auto wheel, build(tree, label, editable, key));
    auto from_wheel = run_process({options_.python.string(), "-I", "-S", "-c",
                                   "import sys, zipfile\n"
                                   "z = zipfile.ZipFile(sys.argv[1])\n"
                                   "n = [i for i in z.namelist() if i.count('/') == 1 and i.endswith('.dist-info/METADATA')]\n"
                                   "sys.stdout.write(z.read(n[0]).decode('utf-8') if n else '')\n",
                                   wheel.file.string()},
                                  std::chrono::seconds(60));
    if (!from_wheel || from_wheel->exit_code != 0 || from_wheel->out.empty()) {
      return Error(ErrorKind::install, label + ": the built wheel " + wheel.filename + " has no readable METADATA");
    }
    text = from_wheel->out;
  }
  auto metadata = pep::CoreMetadata::parse(text, label + " (built metadata)");
  if (!metadata) return std::move(metadata).error();
  if (!key.empty()) {
    fs::create_directories(cache_file.parent_path(), ec);
    (void)write_file_atomically(cache_file, text);
  }
  return metadata;
}

Result<BuiltWheel> Frontend::build(const fs::path& tree, const std::string& label, bool editable, const std::string& key) {
  if (auto hit = cached(key, editable)) {
    UVAUTH_DEBUG("built wheel of " << label << " from the cache: " << hit->filename);
    return *hit;
  }
  const fs::path dir = bucket(cache::Bucket::built) / (key + (editable ? "-editable" : ""));
  std::error_code ec;
  fs::create_directories(dir, ec);
  auto held = FileLock::acquire(dir.string() + ".lock", "build of " + label, options_.timeout + std::chrono::minutes(1));
  if (!held) return std::move(held).error();
  if (auto hit = cached(key, editable)) return *hit;
  UVAUTH_TRY_ASSIGN(auto system, read_build_system(tree, label));
  UVAUTH_TRY_ASSIGN(auto venv, environment(system, tree, label, editable));
  const fs::path out = dir / ("out-" + unique_suffix());
  fs::remove_all(out, ec);
  fs::create_directories(out, ec);
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{out};
  UVAUTH_DEBUG("Building " << label << (editable ? " (editable)" : "") << " with " << system.backend);
  nlohmann::json args = {{"args", {out.string(), nlohmann::json::object()}}};
  UVAUTH_TRY_ASSIGN(auto answer, call(venv, tree, system, editable ? "build_editable" : "build_wheel", args.dump(), label));
  auto parsed = nlohmann::json::parse(answer, nullptr, false);
  if (parsed.is_object() && parsed.value("missing", false)) {
    return Error(ErrorKind::install, label + ": the backend " + escape_nonprintable(system.backend) + " has no " +
                                         (editable ? "build_editable hook (PEP 660): it cannot install editable" : "build_wheel hook"));
  }
  if (!parsed.is_object() || !parsed.contains("value") || !parsed["value"].is_string()) {
    return Error(ErrorKind::install, label + ": the backend's build hook returned no wheel name");
  }
  const std::string filename = parsed["value"].get<std::string>();
  auto wheel_name = pep::WheelFilename::parse(filename);
  if (filename.find('/') != std::string::npos || !wheel_name) {
    return Error(ErrorKind::install, label + ": the backend built '" + escape_nonprintable(filename) + "', which is not a wheel file name");
  }
  if (!fs::is_regular_file(out / filename, ec)) {
    return Error(ErrorKind::install, label + ": the backend said it built " + filename + ", but there is no such file");
  }
  auto digest = Sha256::hex_of_file(out / filename);
  if (!digest) return std::move(digest).error();
  // Only one wheel per entry: an earlier, interrupted build's leftovers go.
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().extension() == ".whl") fs::remove(e.path(), ec);
  }
  fs::rename(out / filename, dir / filename, ec);
  if (ec) return Error(ErrorKind::io, "cannot move the built wheel into " + dir.string() + ": " + ec.message());
  UVAUTH_TRY(write_file_atomically(dir / ".sha256", *digest + "\n"));
  UVAUTH_TRY(write_file_atomically(dir / ".complete", ""));
  BuiltWheel built;
  built.file = dir / filename;
  built.filename = filename;
  built.sha256 = *digest;
  built.size = fs::file_size(built.file, ec);
  return built;
}

}  // namespace uvauth::build
