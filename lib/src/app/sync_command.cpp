#include "uvauth/app/sync_command.hpp"

#include "uvauth/auth/credential_helper.hpp"
#include "uvauth/lock/select.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <nlohmann/json.hpp>

#include "uvauth/app/configuration.hpp"
#include "uvauth/config/locations.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/index/interpreter.hpp"
#include "uvauth/app/source_build.hpp"
#include "uvauth/build/frontend.hpp"
#include "uvauth/cache/http_cache.hpp"
#include "uvauth/auth/index.hpp"
#include "uvauth/log.hpp"
#include <set>
#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/target.hpp"
#include "uvauth/text.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/version.hpp"

namespace uvauth::app {
namespace fs = std::filesystem;


namespace {

// What a sync needs before the lock is read: settings applied, the cache, the
// interpreter and the target it is for.
struct Prepared {
  SyncArguments a;
  Configuration configured;
  std::optional<cache::CacheDir> cache;
  fs::path python;  // for shebangs and venv links
  pep::Target target;
  fs::path dir;     // the target or venv, absolute
  std::chrono::steady_clock::time_point start;
};

Result<Prepared> prepare(const SyncArguments& arguments, const config::Environment& env) {
  SyncArguments a = arguments;
  auto configured = configure({&a.session, &a.project, &a.cache_dir, &a.no_cache, &a.offline, &a.link_mode}, env);
  if (!configured) return std::move(configured).error();
  if (!a.python) a.python = configured->uv.python;
  const auto start = std::chrono::steady_clock::now();
  if (a.target.has_value() == a.venv.has_value()) return Error(ErrorKind::usage, "give exactly one of --target DIR and --venv DIR");

  if (a.python_platform && !a.python_version) return Error(ErrorKind::usage, "--python-platform needs --python-version");
  if (a.python_version && a.venv) {
    return Error(ErrorKind::usage, "--python-version installs for a cross target, which needs --target DIR (a venv needs its interpreter)");
  }
  auto cache_root = config::cache_root(env, a.cache_dir, a.no_cache);
  if (!cache_root) return std::move(cache_root).error();
  auth::CredentialHelper::set_shared_directory(
      *cache_root ? std::optional<std::filesystem::path>(**cache_root / "credential-helpers") : std::nullopt);
  std::optional<cache::CacheDir> cache(std::in_place, *cache_root);
  fs::path python = "python3";  // a cross target's scripts: `#!/usr/bin/env python3`
  Result<pep::Target> target = Error(ErrorKind::usage, "no target");
  if (a.python_version) {
    target = pep::cross_target(*a.python_version, a.python_platform.value_or(""));
    if (!target) return std::move(target).error();
    if (a.python) {
      auto found = index::find_python(a.python, config::python_search(env));
      if (!found) return std::move(found).error();
      python = fs::absolute(*found);
    }
  } else {
    const auto search = config::python_search(env);
    auto found = index::find_python(a.python, search);
    if (!found) return std::move(found).error();
    target = index::query_interpreter(*found, *cache, &search);
    if (!target) return std::move(target).error();
    // Shebangs and venv links name the real interpreter, not a shim (pyenv, asdf).
    python = target->executable.empty() ? fs::absolute(*found) : fs::path(target->executable);
  }
  // "dir/" and "dir/." name dir itself: its lock and staging trees go beside it.
  fs::path dir = fs::absolute(a.venv ? *a.venv : *a.target).lexically_normal();
  if (!dir.has_filename()) dir = dir.parent_path();
  return Prepared{std::move(a), std::move(*configured), std::move(cache), std::move(python), std::move(*target), std::move(dir), start};
}

// A digest of every input that decides a plain lock's sync, but the lock's
// parsed content: this uvauth, the lock's bytes and directory (relative wheel
// paths), the target (markers, tags, interpreter), the directory, its kind and
// the link mode. Equal keys and the same lock bytes select the same wheels.
std::string quick_key(const Prepared& p, const std::string& lock_digest, const std::string& lock_dir) {
  std::string text = std::string("uvauth ") + version + "\n" + lock_digest + "\n" + lock_dir + "\n" + p.dir.string() + "\n" +
                     (p.a.venv ? "venv" : "target") + "\n" + p.python.string() + "\n" + *p.a.link_mode + "\n" +
                     (p.a.exact ? "exact" : "") + "\n" + p.target.description + "\n" + p.target.executable + "\n" +
                     p.target.interpreter.implementation + " " + std::to_string(p.target.interpreter.major) + "." +
                     std::to_string(p.target.interpreter.minor) + " " + p.target.interpreter.abi + "\n";
  for (const auto& platform : p.target.interpreter.platforms) text += platform + " ";
  text += "\n";
  for (const auto& [key, value] : p.target.markers) text += key + "=" + value + "\n";
  return Sha256::hex_of(text);
}

// "Up to date" from the stamp alone, when the last sync of this plain lock
// recorded the same key; nullopt: the lock is read and compared in full.
std::optional<SyncOutcome> quick_outcome(const Prepared& p, const std::string& key) {
  auto stamp = read_file(install::stamp_file(p.dir));
  if (!stamp) return std::nullopt;
  auto j = nlohmann::json::parse(*stamp, nullptr, false);
  if (!j.is_object() || !j.contains("quick") || j["quick"] != key || !j.contains("packages") || !j["packages"].is_object()) {
    return std::nullopt;
  }
  SyncOutcome outcome;
  outcome.report.unchanged = true;
  outcome.dir = p.dir;
  outcome.stamp = install::stamp_file(p.dir);
  for (const auto& [name, value] : j["packages"].items()) {
    if (!value.is_object() || !value.contains("version") || !value["version"].is_string()) return std::nullopt;
    outcome.packages.emplace_back(name, value["version"].get<std::string>());
  }
  outcome.summary = p.dir.string() + " is up to date (" + std::to_string(outcome.packages.size()) + " package" +
                    (outcome.packages.size() == 1 ? "" : "s") + ")";
  UVAUTH_DEBUG("up to date by the stamp's key; the lock was not parsed");
  return outcome;
}

// `lock_digest`: the sha256 of the lock's bytes; `lock_dir`: the directory
// its relative paths were resolved against ("" for a lock kept in memory).
Result<SyncOutcome> sync_prepared(Prepared prepared, const lock::Lock& lock, const std::string& lock_digest, const std::string& lock_dir,
                                  const config::Environment& env);

}  // namespace

Result<SyncOutcome> run_sync(const SyncArguments& a, const config::Environment& env) {
  if (a.target.has_value() == a.venv.has_value()) return Error(ErrorKind::usage, "give exactly one of --target DIR and --venv DIR");
  auto text = read_file(a.lock_file, max_text_input);
  if (!text) {
    std::error_code ec;
    if (fs::exists(a.lock_file, ec)) return Error(ErrorKind::usage, "the lock: " + text.error().message);
    return Error(ErrorKind::usage, "cannot read the lock " + a.lock_file.string()).with_hint("create it with `uvauth lock`");
  }
  auto prepared = prepare(a, env);
  if (!prepared) return std::move(prepared).error();
  const std::string lock_dir = fs::absolute(a.lock_file).parent_path().string();
  const std::string digest = Sha256::hex_of(*text);
  if (!a.dry_run && !a.reinstall && a.reinstall_packages.empty()) {
    if (auto outcome = quick_outcome(*prepared, quick_key(*prepared, digest, lock_dir))) return std::move(*outcome);
  }
  auto lock = lock::Lock::parse(*text, a.lock_file.string());
  if (!lock) return std::move(lock).error();
  lock->resolve_paths(lock_dir);
  return sync_prepared(std::move(*prepared), *lock, digest, lock_dir, env);
}

Result<SyncOutcome> sync_lock(const SyncArguments& arguments, const lock::Lock& lock, const std::string& text,
                              const config::Environment& env) {
  auto prepared = prepare(arguments, env);
  if (!prepared) return std::move(prepared).error();
  return sync_prepared(std::move(*prepared), lock, Sha256::hex_of(text), "", env);
}

namespace {

Result<SyncOutcome> sync_prepared(Prepared prepared, const lock::Lock& lock, const std::string& lock_digest, const std::string& lock_dir,
                                  const config::Environment& env) {
  SyncArguments& a = prepared.a;
  const auto* configured = &prepared.configured;
  std::optional<cache::CacheDir>& cache = prepared.cache;
  const fs::path& python = prepared.python;
  const pep::Target* target = &prepared.target;
  const auto start = prepared.start;
  // PEP 751 selection: the entries and the wheel for this target.
  UVAUTH_TRY_ASSIGN(auto selected, lock::select_for_target(lock, *target, a.lock_file.string()));

  install::SyncOptions options;
  options.lock = std::move(selected);
  options.lock_digest = lock_digest;
  options.kind = a.venv ? install::TargetKind::venv : install::TargetKind::target;
  options.dir = prepared.dir;
  // A plain lock (every entry a wheel, no local project) keys its stamp for
  // the next no-op; anything built or fingerprinted is compared in full.
  if (std::all_of(options.lock.packages.begin(), options.lock.packages.end(),
                  [](const lock::LockedPackage& p) { return !p.wheels.empty() && !p.directory && !p.vcs; })) {
    options.quick_key = quick_key(prepared, lock_digest, lock_dir);
  }
  options.python = python;
  options.python_version = target->markers.at("python_full_version");
  options.link_mode = *a.link_mode == "copy"       ? install::LinkMode::copy
                      : *a.link_mode == "hardlink" ? install::LinkMode::hardlink
                                                   : install::LinkMode::clone;
  options.requested.insert(lock.requested.begin(), lock.requested.end());
  options.on_progress = a.on_progress;
  options.from_lock_file = a.from_lock_file;
  options.reinstall_all = a.reinstall;
  for (const auto& name : a.reinstall_packages) {
    const std::string canonical = pep::canonicalize_name(name);
    options.reinstall.insert(canonical);
    if (std::none_of(lock.packages.begin(), lock.packages.end(), [&](const auto& p) { return p.name == canonical; })) {
      UVAUTH_WARN("--reinstall-package " << escape_nonprintable(name) << ": the lock has no such package");
    }
  }
  options.exact = a.exact;
  // Local projects: their files' fingerprint decides whether they are installed again.
  bool needs_build = false;
  for (const auto& p : options.lock.packages) {
    if (p.directory) {
      std::error_code dir_ec;
      if (!fs::is_directory(p.directory->path, dir_ec)) {
        return Error(ErrorKind::install, a.lock_file.string() + ": the project directory of " + p.name + ", " + p.directory->path +
                                             ", does not exist");
      }
      options.source_fingerprints[p.name] = build::tree_fingerprint(p.directory->path, p.directory->editable);
    }
    needs_build = needs_build || p.wheels.empty();
  }
  const bool no_build = a.no_build || env.get_nonempty("UV_NO_BUILD").value_or("0") != "0";
  for (const auto& p : options.lock.packages) {
    if (!p.wheels.empty()) continue;
    const bool refused = no_build || std::any_of(a.no_build_packages.begin(), a.no_build_packages.end(),
                                                 [&](const auto& n) { return pep::canonicalize_name(n) == p.name; });
    if (refused) {
      return Error(ErrorKind::install, p.name + " " + p.version.to_string() + " must be built from " +
                                           (p.directory ? "its project directory " + p.directory->path
                                            : p.vcs         ? "its Git repository " + p.vcs->requirement_url()
                                                            : "its sdist " + p.sdist->name) +
                                           " (no wheel in the lock fits " + target->description + "), but building is off (" +
                                           (no_build ? "--no-build" : "--no-build-package " + p.name) + ")");
    }
  }

  Result<install::SyncReport> report = install::SyncReport{};
  if (a.dry_run) {
    report = install::plan(options);
  } else if (!a.reinstall && a.reinstall_packages.empty() && install::up_to_date(options)) {
    report->unchanged = true;  // answered from the stamp: no client, no network
  } else {
    // The lock's URLs are bound to indexes as when it was made: settings
    // files first, then the lock's own record, then --index.
    auth::SessionOptions session_options = a.session;
    for (const auto& i : a.indexes) session_options.indexes.push_back(i);
    for (const auto& i : lock.indexes) {
      config::IndexDeclaration declared;
      declared.name = i.name;
      declared.url = i.url;
      declared.authenticate = i.authenticate;
      declared.origin = a.lock_file.string() + " [tool.uvauth]";
      session_options.declared_indexes.push_back(std::move(declared));
    }
    // Build environments resolve over the same indexes: those uvauth install
    // resolved with, else the settings', the lock's and --index.
    std::vector<std::pair<std::string, std::string>> build_indexes = a.build_indexes;
    if (build_indexes.empty() && needs_build) {
      for (const auto& i : a.indexes) {
        const auto named = auth::split_index_argument(i);
        build_indexes.emplace_back(named.name, named.url);
      }
      for (const auto& d : configured->settings.indexes) {
        if (d.format != "flat") build_indexes.emplace_back(d.name, d.url);
      }
      for (const auto& i : configured->uv.indexes) {
        const auto named = auth::split_index_argument(i);
        build_indexes.emplace_back(named.name, named.url);
      }
      for (const auto& i : lock.indexes) build_indexes.emplace_back(i.name, i.url);
      for (const auto& u : {configured->uv.default_index, configured->uv.index_url}) {
        if (u) build_indexes.emplace_back("", *u);
      }
      if (configured->settings.index_url) build_indexes.emplace_back("", configured->settings.index_url->value);
      if (build_indexes.empty()) build_indexes.emplace_back("", "https://pypi.org/simple");
    }
    for (const auto& [name, url] : build_indexes) {
      if (!name.empty()) session_options.indexes.push_back(name + "=" + url);
    }
    auto session = auth::Session::open(session_options, env);
    if (!session) return std::move(session).error();
    std::optional<cache::HttpCache> http_cache;
    std::optional<cache::ContentCache> metadata_cache;
    std::optional<index::IndexClient> index_client;
    std::optional<SourceBuilder> builder;
    if (needs_build) {
      resolve::ProviderOptions provider;
      std::set<std::string> seen;
      for (const auto& [name, url_text] : build_indexes) {
        auto url = Url::parse(url_text);
        if (!url || !seen.insert(url->identity()).second) continue;
        provider.indexes.push_back(resolve::IndexDescriptor{name, *url, false});
      }
      provider.find_links = a.build_find_links;
      provider.target = *target;
      provider.build.no_build = no_build;
      for (const auto& n : a.no_build_packages) provider.build.no_build_packages.insert(pep::canonicalize_name(n));
      http_cache.emplace(*cache);
      metadata_cache.emplace(*cache, cache::Bucket::metadata);
      index_client.emplace((*session)->client(), *http_cache, a.offline, &*metadata_cache);
      SourceBuildSettings settings;
      settings.provider = provider;
      settings.cache = *cache;
      settings.timeout = build_timeout(env);
      settings.show_output = logger().enabled(Verbosity::debug);
      settings.environment = backend_environment(env);
      settings.auth = &(*session)->auth();
      settings.offline = a.offline;
      builder.emplace(*index_client, (*session)->client(), settings);
      options.build_source = [&builder](const lock::LockedPackage& p) { return builder->wheel_for(p); };
    }
    report = install::sync((*session)->client(), *cache, options);
    if (!report) return std::move(report).error();
  }

  SyncOutcome outcome;
  outcome.report = *report;
  outcome.dir = options.dir;
  outcome.stamp = install::stamp_file(options.dir);
  outcome.dry_run = a.dry_run;
  for (const auto& p : options.lock.packages) outcome.packages.emplace_back(p.name, p.version.to_string());
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", static_cast<double>(ms) / 1000.0);
  if (a.dry_run) {
    outcome.summary = report->unchanged ? options.dir.string() + " is up to date; nothing would change (dry run)"
                                        : "Would install " + std::to_string(report->additions.size()) + " package" +
                                              (report->additions.size() == 1 ? "" : "s") + " and remove " +
                                              std::to_string(report->removals.size()) + " in " + options.dir.string() +
                                              " (dry run: nothing changed)";
  } else if (report->unchanged) {
    outcome.summary = options.dir.string() + " is up to date (" + std::to_string(options.lock.packages.size()) + " package" +
                      (options.lock.packages.size() == 1 ? "" : "s") + ")";
  } else {
    outcome.summary = "Installed " + std::to_string(report->installed) + " package" + (report->installed == 1 ? "" : "s") +
                      ", removed " + std::to_string(report->removed) + ", kept " + std::to_string(report->kept) + " in " +
                      seconds + "s";
  }
  return outcome;
}

}  // namespace

}  // namespace uvauth::app
