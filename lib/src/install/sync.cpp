#include "uvauth/install/sync.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <signal.h>
#include <cstdio>
#include <cstring>
#include <stdio.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <deque>
#include <future>
#include <mutex>
#include <thread>
#include <map>
#include <nlohmann/json.hpp>

#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/text.hpp"
#include "uvauth/sha256.hpp"

namespace uvauth::install {
namespace fs = std::filesystem;
namespace {

constexpr const char* stamp_name = ".uvauth-sync.json";

const char* link_name(LinkMode mode) { return mode == LinkMode::copy ? "copy" : mode == LinkMode::hardlink ? "hardlink" : "clone"; }

// The stamp: what the tree holds and was made from. `quick`: with the quick
// key (what is written); without it, what two stamps are compared on, so a
// stamp written by `uvauth install` (no lock file, no key or another key)
// still answers a `uvauth sync` of the same lock.
std::string stamp_text(const SyncOptions& o, bool quick = true) {
  nlohmann::json j{{"lock", o.lock_digest}, {"kind", o.kind == TargetKind::venv ? "venv" : "target"},
                   {"python", o.python.string()}, {"link", link_name(o.link_mode)}};
  // Where each package came from, for `uvauth list` (URLs hold no credentials).
  nlohmann::json packages = nlohmann::json::object();
  for (const auto& p : o.lock.packages) {
    const std::string from = !p.index.empty() ? p.index : p.wheels.empty() ? std::string() : p.wheels.front().url;
    packages[p.name] = {{"version", p.version.to_string()}, {"from", escape_nonprintable(from)}};
    if (p.directory) {
      packages[p.name]["from"] = escape_nonprintable(file_url(p.directory->path));
      auto fp = o.source_fingerprints.find(p.name);
      packages[p.name]["source"] = fp == o.source_fingerprints.end() ? std::string() : fp->second;
    } else if (p.vcs) {
      packages[p.name]["from"] = escape_nonprintable(p.vcs->requirement_url());
      packages[p.name]["source"] = "git " + p.vcs->commit_id + " " + p.vcs->subdirectory;
    }
  }
  j["packages"] = std::move(packages);
  if (quick && !o.quick_key.empty()) j["quick"] = o.quick_key;
  return j.dump() + "\n";
}

// `current` (a stamp file's text) records what `o` would write, keys aside.
bool same_stamp(const std::string& current, const SyncOptions& o) {
  auto j = nlohmann::json::parse(current, nullptr, false);
  if (!j.is_object()) return false;
  j.erase("quick");
  return j.dump() + "\n" == stamp_text(o, false);
}

fs::path site_of(const SyncOptions& o, const fs::path& root) {
  if (o.kind == TargetKind::target) return root;
  const std::string mm = o.python_version.substr(0, o.python_version.rfind('.'));
  return root / "lib" / ("python" + mm) / "site-packages";
}

Layout layout_of(const SyncOptions& o, const fs::path& root) {
  if (o.kind == TargetKind::target) return target_layout(root, o.python);
  Layout layout = venv_layout(root, o.python_version.substr(0, o.python_version.rfind('.')));
  layout.python = o.dir / "bin" / "python";  // the final location, not the staging one
  return layout;
}

// The pid a leftover's name ends with ("...-staging-1234"), or 0.
pid_t owner_of(const std::string& name) {
  const auto dash = name.rfind('-');
  if (dash == std::string::npos) return 0;
  pid_t pid = 0;
  for (std::size_t i = dash + 1; i < name.size(); ++i) {
    if (name[i] < '0' || name[i] > '9' || pid > 100000000) return 0;
    pid = pid * 10 + (name[i] - '0');
  }
  return pid;
}

bool process_alive(pid_t pid) { return pid > 0 && (::kill(pid, 0) == 0 || errno == EPERM); }

// Leftovers of an interrupted run: a staging tree (discarded), or the old
// tree of an exchange that did not finish cleaning (discarded; if the target
// itself is missing, the old one is put back). Called with the target's lock
// held; a leftover whose process still lives (a uvauth that does not lock)
// is never touched.
void recover(const fs::path& dir) {
  std::error_code ec;
  const fs::path parent = dir.parent_path().empty() ? fs::path(".") : dir.parent_path();
  const std::string prefix = dir.filename().string() + ".uvauth-";
  for (const auto& entry : fs::directory_iterator(parent, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const pid_t owner = owner_of(name);
    if (owner != ::getpid() && process_alive(owner)) {
      UVAUTH_DEBUG("leaving " << entry.path().string() << ": its process " << owner << " is still running");
      continue;
    }
    if (!fs::exists(dir) && name.find("-old-") != std::string::npos) {
      fs::rename(entry.path(), dir, ec);
      UVAUTH_DEBUG("restored " << dir.string() << " from an interrupted sync");
      continue;
    }
    UVAUTH_DEBUG("removing " << entry.path().string() << " left by an interrupted sync");
    fs::remove_all(entry.path(), ec);
  }
}

// A copy of `from` at `to` made of hard links (cp -al), or of copies.
Status clone_tree(const fs::path& from, const fs::path& to, LinkMode mode) {
  std::error_code ec;
  fs::create_directories(to, ec);
  for (auto it = fs::recursive_directory_iterator(from, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path target = to / it->path().lexically_relative(from);
    if (it->is_symlink()) {
      fs::copy_symlink(it->path(), target, ec);
    } else if (it->is_directory()) {
      fs::create_directories(target, ec);
    } else {
      if (mode != LinkMode::copy) fs::create_hard_link(it->path(), target, ec);  // the target's own files
      if (mode == LinkMode::copy || ec) {
        ec.clear();
        fs::copy_file(it->path(), target, ec);
      }
    }
    if (ec) return Error(ErrorKind::install, "cannot copy " + it->path().string() + " to " + target.string() + ": " + ec.message());
  }
  if (ec) return Error(ErrorKind::install, "cannot read " + from.string() + ": " + ec.message());
  return {};
}

struct Installed {
  std::string dist_info;
  std::string version;
  bool by_uvauth = false;  // its INSTALLER says uvauth
};

std::map<std::string, Installed> installed_in(const fs::path& site) {
  std::map<std::string, Installed> out;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(site, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_directory() || name.size() <= 10 || name.substr(name.size() - 10) != ".dist-info") continue;
    const std::string stem = name.substr(0, name.size() - 10);
    const auto dash = stem.rfind('-');
    if (dash == std::string::npos) continue;
    auto installer = read_file(entry.path() / "INSTALLER");
    const bool ours = installer && trim(*installer) == "uvauth";
    out[pep::canonicalize_name(stem.substr(0, dash))] = Installed{name, stem.substr(dash + 1), ours};
  }
  return out;
}

// The venv's activate scripts for sh/bash/zsh, fish and csh, as `python -m
// venv` and `uv venv` write them; `venv` is the final location (not staging).
Status write_activate_scripts(const fs::path& root, const fs::path& venv) {
  const auto perms = fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read;
  // Single-quoted for the shells: a ' in the path ends the quote, is escaped, and reopens it.
  std::string quoted = "'";
  for (char c : venv.string()) quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  quoted += "'";
  const std::string prompt = venv.filename().string();
  std::string prompt_quoted = "'";
  for (char c : prompt) prompt_quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
  prompt_quoted += "'";
  const std::string sh =
      "# Source this file (`. bin/activate`) from sh, bash or zsh.\n"
      "deactivate () {\n"
      "    if [ -n \"${_OLD_VIRTUAL_PATH:-}\" ]; then PATH=\"$_OLD_VIRTUAL_PATH\"; export PATH; unset _OLD_VIRTUAL_PATH; fi\n"
      "    if [ -n \"${_OLD_VIRTUAL_PYTHONHOME:-}\" ]; then PYTHONHOME=\"$_OLD_VIRTUAL_PYTHONHOME\"; export PYTHONHOME; unset _OLD_VIRTUAL_PYTHONHOME; fi\n"
      "    if [ -n \"${_OLD_VIRTUAL_PS1+set}\" ]; then PS1=\"$_OLD_VIRTUAL_PS1\"; export PS1; unset _OLD_VIRTUAL_PS1; fi\n"
      "    hash -r 2>/dev/null\n"
      "    unset VIRTUAL_ENV VIRTUAL_ENV_PROMPT\n"
      "    if [ \"${1:-}\" != \"nondestructive\" ]; then unset -f deactivate; fi\n"
      "}\n"
      "deactivate nondestructive\n"
      "VIRTUAL_ENV=" + quoted + "\nexport VIRTUAL_ENV\n"
      "VIRTUAL_ENV_PROMPT=" + prompt_quoted + "\nexport VIRTUAL_ENV_PROMPT\n"
      "_OLD_VIRTUAL_PATH=\"$PATH\"\nPATH=\"$VIRTUAL_ENV/bin:$PATH\"\nexport PATH\n"
      "if [ -n \"${PYTHONHOME:-}\" ]; then _OLD_VIRTUAL_PYTHONHOME=\"$PYTHONHOME\"; unset PYTHONHOME; fi\n"
      "if [ -z \"${VIRTUAL_ENV_DISABLE_PROMPT:-}\" ]; then _OLD_VIRTUAL_PS1=\"${PS1:-}\"; PS1=\"($VIRTUAL_ENV_PROMPT) ${PS1:-}\"; export PS1; fi\n"
      "hash -r 2>/dev/null\n";
  const std::string fish =
      "# Source this file (`source bin/activate.fish`) from fish.\n"
      "function deactivate -d 'Leave the virtual environment'\n"
      "    if set -q _OLD_VIRTUAL_PATH; set -gx PATH $_OLD_VIRTUAL_PATH; set -e _OLD_VIRTUAL_PATH; end\n"
      "    if set -q _OLD_VIRTUAL_PYTHONHOME; set -gx PYTHONHOME $_OLD_VIRTUAL_PYTHONHOME; set -e _OLD_VIRTUAL_PYTHONHOME; end\n"
      "    set -e VIRTUAL_ENV; set -e VIRTUAL_ENV_PROMPT\n"
      "    if test \"$argv[1]\" != nondestructive; functions -e deactivate; end\n"
      "end\n"
      "deactivate nondestructive\n"
      "set -gx VIRTUAL_ENV " + quoted + "\n"
      "set -gx VIRTUAL_ENV_PROMPT " + prompt_quoted + "\n"
      "set -gx _OLD_VIRTUAL_PATH $PATH\n"
      "set -gx PATH \"$VIRTUAL_ENV/bin\" $PATH\n"
      "if set -q PYTHONHOME; set -gx _OLD_VIRTUAL_PYTHONHOME $PYTHONHOME; set -e PYTHONHOME; end\n";
  const std::string csh =
      "# Source this file (`source bin/activate.csh`) from csh or tcsh.\n"
      "alias deactivate 'test $?_OLD_VIRTUAL_PATH != 0 && setenv PATH \"$_OLD_VIRTUAL_PATH\" && unset _OLD_VIRTUAL_PATH; "
      "rehash; unsetenv VIRTUAL_ENV; unsetenv VIRTUAL_ENV_PROMPT; test \"\\!:*\" != \"nondestructive\" && unalias deactivate'\n"
      "deactivate nondestructive\n"
      "setenv VIRTUAL_ENV " + quoted + "\n"
      "setenv VIRTUAL_ENV_PROMPT " + prompt_quoted + "\n"
      "set _OLD_VIRTUAL_PATH=\"$PATH\"\n"
      "setenv PATH \"$VIRTUAL_ENV/bin:$PATH\"\n"
      "rehash\n";
  // A venv someone else made keeps its own scripts.
  std::error_code ec;
  for (const auto& [name, text] : {std::pair{"activate", &sh}, std::pair{"activate.fish", &fish}, std::pair{"activate.csh", &csh}}) {
    if (fs::exists(root / "bin" / name, ec)) continue;
    UVAUTH_TRY(write_file_atomically(root / "bin" / name, *text, perms));
  }
  return {};
}

Status make_venv(const SyncOptions& o, const fs::path& root) {
  std::error_code ec;
  fs::create_directories(root / "bin", ec);
  fs::create_directories(site_of(o, root), ec);
  const std::string mm = o.python_version.substr(0, o.python_version.rfind('.'));
  for (const std::string& name : {std::string("python"), std::string("python3"), "python" + mm}) {
    fs::remove(root / "bin" / name, ec);
    fs::create_symlink(o.python, root / "bin" / name, ec);
    if (ec) return Error(ErrorKind::install, "cannot link the interpreter into " + (root / "bin").string() + ": " + ec.message());
  }
  UVAUTH_TRY(write_activate_scripts(root, o.dir));
  return write_file_atomically(root / "pyvenv.cfg", "home = " + o.python.parent_path().string() +
                                                        "\ninclude-system-site-packages = false\nversion = " +
                                                        o.python_version + "\nimplementation = CPython\n" +
                                                        "uvauth = 0.1.0\n",
                               fs::perms::owner_read | fs::perms::owner_write | fs::perms::group_read | fs::perms::others_read);
}

// Every locked package is in the staged tree at its version: only then is
// the stamp written.
Status verify_complete(const SyncOptions& o, const fs::path& staging) {
  const auto present = installed_in(site_of(o, staging));
  for (const auto& p : o.lock.packages) {
    auto it = present.find(p.name);
    auto version = it == present.end() ? Result<pep::Version>(Error()) : pep::Version::parse(it->second.version);
    if (!version || !(*version == p.version)) {
      return Error(ErrorKind::install, "the new tree of " + o.dir.string() + " lacks " + p.name + " " + p.version.to_string() +
                                           " after installing; nothing was changed");
    }
  }
  return {};
}

}  // namespace

std::string render_progress(const SyncProgress& p, int width) {
  const std::size_t total = std::max<std::size_t>(1, p.to_install);
  const int filled = static_cast<int>(static_cast<double>(p.installed) / static_cast<double>(total) * width);
  std::string bar = "[" + std::string(static_cast<std::size_t>(filled), '#') + std::string(static_cast<std::size_t>(width - filled), '-') + "] ";
  char mb[64];
  if (p.bytes_to_download > 0) {
    std::snprintf(mb, sizeof mb, "%.1f/%.1f MB", static_cast<double>(p.downloaded_bytes) / 1e6,
                  static_cast<double>(p.bytes_to_download) / 1e6);
  } else {
    std::snprintf(mb, sizeof mb, "%.1f MB", static_cast<double>(p.downloaded_bytes) / 1e6);
  }
  std::string out = bar;
  if (p.to_download > 0) out += std::to_string(p.downloaded) + "/" + std::to_string(p.to_download) + " downloaded, " + mb + " · ";
  out += std::to_string(p.installed) + "/" + std::to_string(p.to_install) + " installed";
  return out;
}

bool up_to_date(const SyncOptions& o) {
  auto current = read_file(o.dir / stamp_name);
  return current && same_stamp(*current, o);
}

fs::path sync_lock_file(const fs::path& dir) { return dir.string() + ".uvauth.lock"; }

fs::path stamp_file(const fs::path& dir) { return dir / stamp_name; }

std::map<std::string, InstalledSource> recorded_sources(const fs::path& dir) {
  std::map<std::string, InstalledSource> out;
  auto stamp = read_file(dir / stamp_name);
  if (!stamp) return out;
  auto j = nlohmann::json::parse(*stamp, nullptr, false);
  if (!j.is_object() || !j.contains("packages") || !j["packages"].is_object()) return out;
  for (const auto& [name, value] : j["packages"].items()) {
    if (value.is_object() && value.value("version", nlohmann::json()).is_string() && value.value("from", nlohmann::json()).is_string()) {
      out[name] = {value["version"].get<std::string>(), value["from"].get<std::string>()};
    }
  }
  return out;
}

namespace {

// What a sync of `o` changes in the tree whose site-packages is `site`.
struct Plan {
  std::vector<const lock::LockedPackage*> to_install;
  std::vector<std::string> to_remove;  // dist-info directory names
};

Plan plan_of(const SyncOptions& o, const fs::path& site, SyncReport& report) {
  std::error_code ec;
  Plan plan;
  const auto current = fs::exists(site, ec) ? installed_in(site) : std::map<std::string, Installed>{};
  // The source fingerprints the last sync recorded.
  std::map<std::string, std::string> recorded;
  // Installed for another interpreter (launchers and `#!python` scripts name
  // it) or placed by another link mode (hard links where copies are asked
  // for): nothing is kept, every package is installed again.
  bool redo_all = false;
  if (auto stamp = read_file(o.dir / stamp_name)) {
    auto j = nlohmann::json::parse(*stamp, nullptr, false);
    if (j.is_object()) {
      const auto python = j.find("python");
      const auto link = j.find("link");
      redo_all = (python != j.end() && *python != o.python.string()) || (link != j.end() && *link != link_name(o.link_mode));
      if (redo_all) UVAUTH_DEBUG("installing every package again: the last sync was for another interpreter or link mode");
    }
    if (j.is_object() && j.contains("packages") && j["packages"].is_object()) {
      for (const auto& [name, value] : j["packages"].items()) {
        if (value.is_object() && value.contains("source") && value["source"].is_string()) recorded[name] = value["source"].get<std::string>();
      }
    }
  }
  std::set<std::string> wanted;
  for (const auto& p : o.lock.packages) {
    wanted.insert(p.name);
    auto it = current.find(p.name);
    const bool again = redo_all || o.reinstall_all || o.reinstall.count(p.name) > 0;
    // A project directory is kept while its files are as they were.
    bool source_unchanged = true;
    if (p.directory) {
      auto now = o.source_fingerprints.find(p.name);
      auto before = recorded.find(p.name);
      source_unchanged = now != o.source_fingerprints.end() && before != recorded.end() && before->second == now->second;
    } else if (p.vcs) {
      // Another commit of the same version is another install.
      auto before = recorded.find(p.name);
      source_unchanged = before != recorded.end() && before->second == "git " + p.vcs->commit_id + " " + p.vcs->subdirectory;
    }
    if (!again && source_unchanged && it != current.end() && pep::Version::parse(it->second.version) &&
        *pep::Version::parse(it->second.version) == p.version) {
      ++report.kept;
      continue;
    }
    plan.to_install.push_back(&p);
    report.additions.push_back({p.name, p.version.to_string()});
  }
  const bool exact = o.exact || o.kind == TargetKind::target;
  for (const auto& [installed_name, installed] : current) {
    const std::string& name = installed_name;  // clang 14 cannot capture structured bindings
    const bool replaced = std::any_of(plan.to_install.begin(), plan.to_install.end(), [&](const auto* p) { return p->name == name; });
    const bool named = wanted.count(name) > 0;
    if (named && !replaced) continue;
    if (!named && !exact && !installed.by_uvauth) {
      UVAUTH_DEBUG("keeping " << name << " " << installed.version << ": the lock does not name it (--exact removes it)");
      continue;
    }
    plan.to_remove.push_back(installed.dist_info);
    report.removals.push_back({name, installed.version});
  }
  return plan;
}

}  // namespace

SyncReport plan(const SyncOptions& o) {
  SyncReport report;
  if (!o.reinstall_all && o.reinstall.empty() && up_to_date(o)) {
    report.unchanged = true;
    return report;
  }
  plan_of(o, site_of(o, o.dir), report);
  report.installed = static_cast<int>(report.additions.size());
  report.removed = static_cast<int>(report.removals.size());
  return report;
}

Result<SyncReport> sync(net::Client& client, const cache::CacheDir& cache_dir, const SyncOptions& o) {
  SyncReport report;
  std::error_code ec;
  // One sync of a directory at a time, for the whole sync: a second one waits.
  auto held = FileLock::acquire(sync_lock_file(o.dir), "directory " + o.dir.string(), o.lock_timeout);
  if (!held) return std::move(held).error();
  recover(o.dir);
  const std::string stamp = stamp_text(o);
  if (auto current = read_file(o.dir / stamp_name); current && same_stamp(*current, o) && !o.reinstall_all && o.reinstall.empty()) {
    report.unchanged = true;
    return report;
  }

  // Where wheels and unpacked trees live: the cache, or a scratch directory.
  fs::path scratch;
  cache::CacheDir cache = cache_dir;
  if (!cache.enabled()) {
    scratch = fs::temp_directory_path() / ("uvauth-nocache-" + std::to_string(::getpid()));
    cache = cache::CacheDir(scratch);
  }
  struct ScratchCleanup {
    fs::path path;
    ~ScratchCleanup() {
      std::error_code ignored;
      if (!path.empty()) fs::remove_all(path, ignored);
    }
  } scratch_cleanup{scratch};
  const fs::path wheels = *cache.bucket(cache::Bucket::wheels);
  const fs::path unpacked_dir = *cache.bucket(cache::Bucket::unpacked);

  // What is there, what should be.
  const fs::path site = site_of(o, o.dir);
  Plan plan = plan_of(o, site, report);
  std::vector<const lock::LockedPackage*>& to_install = plan.to_install;
  const std::vector<std::string>& to_remove = plan.to_remove;
  // Sources first: each sdist or project without a fitting wheel is built
  // (or its built wheel taken from the cache), then installed like a wheel.
  std::vector<lock::LockedPackage> built;
  built.reserve(to_install.size());
  for (auto& p : to_install) {
    if (!p->wheels.empty()) continue;
    if (!p->sdist && !p->directory && !p->vcs) return Error(ErrorKind::install, "the lock gives no wheel for " + p->name + " " + p->version.to_string());
    if (!o.build_source) {
      return Error(ErrorKind::install, p->name + " " + p->version.to_string() + " must be built from source, and building is off");
    }
    auto wheel = o.build_source(*p);
    if (!wheel) return std::move(wheel).error();
    auto name = pep::WheelFilename::parse(wheel->filename);
    if (!name || name->name != p->name || !(name->version == p->version)) {
      return Error(ErrorKind::install, "building " + p->name + " " + p->version.to_string() + " made " + escape_nonprintable(wheel->filename) +
                                           ", a wheel of another project or version")
          .with_hint(p->directory ? "the project changed since it was locked: lock again" : "the sdist's metadata and its build disagree");
    }
    lock::LockedPackage copy = *p;
    copy.wheels = {lock::LockedWheel{wheel->filename, file_url(fs::absolute(wheel->wheel).string()), wheel->size, wheel->sha256}};
    built.push_back(std::move(copy));
    p = &built.back();
  }

  // Build the new tree beside the old one: a linked copy, less what goes.
  const fs::path staging = o.dir.string() + ".uvauth-staging-" + std::to_string(::getpid());
  struct StagingCleanup {
    fs::path path;
    bool keep = false;
    ~StagingCleanup() {
      std::error_code ignored;
      if (!keep) fs::remove_all(path, ignored);
    }
  } staging_cleanup{staging};
  fs::remove_all(staging, ec);
  if (fs::exists(o.dir, ec)) {
    UVAUTH_TRY(clone_tree(o.dir, staging, o.link_mode));
  } else {
    fs::create_directories(staging, ec);
  }
  if (o.kind == TargetKind::venv) {
    UVAUTH_TRY(make_venv(o, staging));
  }
  const fs::path staged_site = site_of(o, staging);
  fs::create_directories(staged_site, ec);
  for (const auto& dist_info : to_remove) {
    UVAUTH_TRY(uninstall(staged_site, staging, dist_info));
    ++report.removed;
  }
  const Layout layout = layout_of(o, staging);

  // A pipeline: downloads run on the client's transfers; each finished wheel
  // goes to a pool (one worker per core) that unpacks it into the cache and
  // links it into the staging tree while other downloads continue.
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::size_t> queue;
  std::size_t pending = to_install.size();
  std::optional<Error> failure;
  SyncProgress progress;
  progress.to_install = to_install.size();
  // Every digest is checked again here (the lock parser checked it too): a
  // cache path is only ever made from a checked digest.
  std::vector<Sha256Digest> digests;
  for (const auto* p : to_install) {
    auto digest = Sha256Digest::parse(p->wheels.front().sha256);
    if (!digest) return Error(ErrorKind::integrity, "the lock's sha256 for " + p->name + " is not a SHA-256 digest");
    digests.push_back(*digest);
    const std::string& file_name = p->wheels.front().name;
    auto wheel_name = pep::WheelFilename::parse(file_name);
    if (!wheel_name || wheel_name->name != p->name || !(wheel_name->version == p->version)) {
      return Error(ErrorKind::install, "the lock names " + escape_nonprintable(file_name) + " for " + p->name + " " +
                                           p->version.to_string() + ", which is not a wheel of that version");
    }
  }
  auto wheel_file = [&](std::size_t i) { return cache::digest_path(wheels, digests[i], cache::Fanout::two_digits, ".whl"); };
  for (std::size_t i = 0; i < to_install.size(); ++i) {
    if (!fs::exists(wheel_file(i), ec)) {
      ++progress.to_download;
      progress.bytes_to_download += to_install[i]->wheels.front().size;
      if (to_install[i]->wheels.front().size == 0) progress.sizes_known = false;
    }
  }
  std::uint64_t finished_bytes = 0;                  // of downloads that ended
  std::map<std::size_t, std::uint64_t> in_flight;    // download -> bytes so far
  auto last_told = std::chrono::steady_clock::now();
  auto tell = [&]() {  // with `mutex` held
    last_told = std::chrono::steady_clock::now();
    if (o.on_progress) o.on_progress(progress);
    progress.finished_large.clear();
  };
  auto fail = [&](Error e) {
    std::lock_guard lock(mutex);
    if (!failure) failure = std::move(e);
    ready.notify_all();
  };
  auto enqueue = [&](std::size_t i) {
    std::lock_guard lock(mutex);
    queue.push_back(i);
    ready.notify_one();
  };
  const unsigned workers = std::max(2U, std::thread::hardware_concurrency());
  std::vector<std::thread> pool;
  for (unsigned t = 0; t < workers; ++t) {
    pool.emplace_back([&] {
      for (;;) {
        std::size_t i = 0;
        {
          std::unique_lock lock(mutex);
          ready.wait(lock, [&] { return !queue.empty() || pending == 0 || failure.has_value(); });
          if (failure || (queue.empty() && pending == 0)) return;
          i = queue.front();
          queue.pop_front();
        }
        const auto* p = to_install[i];
        const auto& w = p->wheels.front();
        const fs::path tree = cache::digest_path(unpacked_dir, digests[i], cache::Fanout::none);
        const fs::path marker = tree / ".complete";
        const ExpectedDistribution expected{p->name, p->version};
        struct stat marked {};
        const bool cached = ::stat(marker.c_str(), &marked) == 0;
        Result<UnpackedWheel> unpacked = cached ? read_unpacked(tree, expected) : unpack_wheel(wheel_file(i), tree, w.name, {}, expected);
        if (unpacked && !cached) (void)write_file_atomically(marker, "", fs::perms::owner_read | fs::perms::owner_write, Durability::cache);
        if (!unpacked) {
          fail(std::move(unpacked).error());
          return;
        }
        InstallRequest request;
        request.requested = o.requested.count(p->name) > 0;
        if (p->directory) {
          request.direct_url = file_url(p->directory->path);
          request.directory = true;
          request.editable = p->directory->editable;
        } else if (p->vcs) {
          request.direct_url = p->vcs->url;
          request.vcs = true;
          request.vcs_commit_id = p->vcs->commit_id;
          request.vcs_requested_revision = p->vcs->requested_revision;
          request.subdirectory = p->vcs->subdirectory;
        } else if (p->sdist && p->index.empty()) {
          request.direct_url = p->sdist->url;  // `name @ https://.../name-1.0.tar.gz`
          request.direct_url_sha256 = p->sdist->sha256;
        } else if (p->sdist) {
          // From an index: no direct_url.json, as for a wheel from an index.
        } else if (p->index.empty()) {
          request.direct_url = w.url;
          request.direct_url_sha256 = digests[i].hex();
        }
        request.link_mode = o.link_mode;
        // A cached tree: files changed since it was unpacked are checked.
        if (cached) request.verify_modified_after_ns = std::int64_t{marked.st_mtim.tv_sec} * 1000000000 + marked.st_mtim.tv_nsec;
        auto done = install_tree(*unpacked, layout, request);
        if (!done && cached && done.error().kind == ErrorKind::integrity) {
          // Someone wrote to the cache through a hard link: unpack it afresh.
          UVAUTH_WARN(done.error().message << "; unpacking " << w.name << " again");
          const fs::path aside = tree.string() + ".damaged-" + std::to_string(::getpid()) + "-" + std::to_string(i);
          std::error_code local;
          fs::rename(tree, aside, local);
          fs::remove_all(aside, local);
          unpacked = unpack_wheel(wheel_file(i), tree, w.name, {}, expected);
          if (!unpacked) {
            fail(std::move(unpacked).error().with_hint("`uvauth cache clean` empties the cache; the next sync downloads again"));
            return;
          }
          (void)write_file_atomically(marker, "", fs::perms::owner_read | fs::perms::owner_write, Durability::cache);
          request.verify_modified_after_ns.reset();
          done = install_tree(*unpacked, layout, request);
        }
        if (!done) {
          fail(std::move(done).error());
          return;
        }
        std::lock_guard lock(mutex);
        ++report.installed;
        ++progress.installed;
        tell();
        if (--pending == 0) ready.notify_all();
      }
    });
  }
  int downloads_left = 0;  // guarded by `mutex`: callbacks must be done before this frame ends
  // Largest first (by the lock's sizes): the longest download and unpacking
  // start first, not last, and the small ones fill the gaps on both cores.
  std::vector<std::size_t> order(to_install.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return to_install[a]->wheels.front().size > to_install[b]->wheels.front().size;
  });
  for (const std::size_t i : order) {
    const auto& w = to_install[i]->wheels.front();
    const fs::path file = wheel_file(i);
    if (fs::exists(file, ec)) {
      enqueue(i);
      continue;
    }
    fs::create_directories(file.parent_path(), ec);
    auto url = Url::parse(w.url);
    if (!url) {
      fail(Error(ErrorKind::install, "bad wheel URL in the lock: " + url.error().message));
      break;
    }
    if (url->scheme() == "file") {  // a local wheel: checked, then copied into the cache
      const fs::path local = percent_decode(url->path());
      auto digest = Sha256::hex_of_file(local);
      if (!digest) {
        fail(std::move(digest).error());
        break;
      }
      if (!(digests[i] == *digest)) {
        fail(Error(ErrorKind::integrity, "hash mismatch for " + w.name + " (" + local.string() + "): " +
                                             (o.from_lock_file ? "the lock says" : "expected") + " sha256 " + w.sha256 +
                                             ", the file has " + *digest));
        break;
      }
      const fs::path part = file.string() + ".copy-" + std::to_string(::getpid());
      fs::copy_file(local, part, fs::copy_options::overwrite_existing, ec);
      if (!ec) fs::rename(part, file, ec);
      if (ec) {
        fail(Error(ErrorKind::io, "cannot copy " + local.string() + " into the cache: " + ec.message()));
        break;
      }
      enqueue(i);
      continue;
    }
    net::Request r;
    r.url = *url;
    r.tag = to_install[i]->index;
    if (w.size > 0) r.max_body_size = w.size;  // the lock's size caps the (decoded) body
    const fs::path part = file.string() + ".download-" + std::to_string(::getpid());
    r.output_file = part;
    // Large by the lock's size, or (a lock without sizes) by Content-Length.
    const bool large_by_lock = o.large_download_bytes > 0 && w.size >= o.large_download_bytes;
    if (o.on_progress) {
      r.on_progress = [&, i, known = w.size > 0, listed = large_by_lock](std::uint64_t received, std::uint64_t expected) mutable {
        std::lock_guard lock(mutex);
        const auto& name = to_install[i]->wheels.front().name;
        if (!known && expected > 0) {  // the size, learned from the response
          known = true;
          progress.bytes_to_download += expected;
          if (o.large_download_bytes > 0 && expected >= o.large_download_bytes && !listed) {
            listed = true;
            progress.large.push_back({name, expected, 0, std::chrono::steady_clock::now()});
          }
        }
        in_flight[i] = received;
        std::uint64_t total = finished_bytes;
        for (const auto& [index, bytes] : in_flight) total += bytes;
        progress.downloaded_bytes = total;
        if (listed) {
          for (auto& d : progress.large) {
            if (d.name == name) d.received = received;
          }
        }
        if (std::chrono::steady_clock::now() - last_told >= std::chrono::milliseconds(100)) tell();
      };
    }
    {
      std::lock_guard lock(mutex);
      ++downloads_left;
      if (large_by_lock) progress.large.push_back({w.name, w.size, 0, std::chrono::steady_clock::now()});
    }
    client.start(std::move(r), [&, i, file, part](Result<net::Response> response) {
      const auto& wheel = to_install[i]->wheels.front();
      std::error_code local;
      if (!response) {
        fail(std::move(response).error());
      } else if (!response->ok()) {
        fail(net::status_error(*response));
      } else if (!(digests[i] == response->sha256)) {
        fs::remove(part, local);
        Error mismatch(ErrorKind::integrity, "hash mismatch for " + wheel.name + " (" + wheel.url + "): " +
                                                 (o.from_lock_file ? "the lock says" : "expected") + " sha256 " + wheel.sha256 +
                                                 ", the download has " + response->sha256);
        if (o.from_lock_file) mismatch.with_hint("the index serves a different file than when the lock was made; re-lock if that is expected");
        fail(std::move(mismatch));
      } else {
        fs::rename(part, file, local);
        {
          std::lock_guard lock(mutex);
          report.downloaded_bytes += response->body_size;
          ++progress.downloaded;
          in_flight.erase(i);
          finished_bytes += response->body_size;
          std::uint64_t total = finished_bytes;
          for (const auto& [index, bytes] : in_flight) total += bytes;
          progress.downloaded_bytes = total;
          const auto gone = std::find_if(progress.large.begin(), progress.large.end(), [&](const auto& d) { return d.name == wheel.name; });
          if (gone != progress.large.end()) {
            progress.finished_large = gone->name;
            progress.large.erase(gone);
          }
          tell();
        }
        enqueue(i);
      }
      std::lock_guard lock(mutex);  // the last touch of this frame's state
      --downloads_left;
      ready.notify_all();
    });
  }
  {
    std::unique_lock lock(mutex);
    ready.wait(lock, [&] { return (pending == 0 || failure.has_value()) && downloads_left == 0; });
  }
  {
    std::lock_guard lock(mutex);
    ready.notify_all();
  }
  for (auto& worker : pool) worker.join();
  if (failure) return std::move(*failure);

  UVAUTH_TRY(verify_complete(o, staging));
  UVAUTH_TRY(write_file_atomically(staging / stamp_name, stamp));

  // Swap it in: one atomic exchange when the target exists.
  if (fs::exists(o.dir, ec)) {
    if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, o.dir.c_str(), RENAME_EXCHANGE) != 0) {
      return Error(ErrorKind::install, "cannot swap " + staging.string() + " with " + o.dir.string() + ": " + std::strerror(errno));
    }
    // The old tree is now at `staging`: the cleanup removes it.
  } else {
    fs::create_directories(o.dir.parent_path().empty() ? fs::path(".") : o.dir.parent_path(), ec);
    fs::rename(staging, o.dir, ec);
    if (ec) return Error(ErrorKind::install, "cannot move the new tree to " + o.dir.string() + ": " + ec.message());
    staging_cleanup.keep = true;
  }
  return report;
}

}  // namespace uvauth::install
