#include "uvauth/app/lock_command.hpp"

#include "uvauth/auth/credential_helper.hpp"

#include <array>
#include <chrono>
#include <cstdio>
#include <future>
#include <tuple>

#include "uvauth/app/configuration.hpp"
#include "uvauth/cache/http_cache.hpp"
#include "uvauth/config/toml.hpp"
#include "uvauth/pep/marker_algebra.hpp"
#include "uvauth/pep/specifiers.hpp"
#include "uvauth/config/locations.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/index/interpreter.hpp"
#include "uvauth/git/git.hpp"
#include "uvauth/log.hpp"
#include "uvauth/net/client.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/pep/requirements_txt.hpp"
#include "uvauth/process.hpp"
#include "uvauth/resolve/lock_workflow.hpp"
#include "uvauth/app/source_build.hpp"
#include "uvauth/build/frontend.hpp"
#include "uvauth/text.hpp"

namespace uvauth::app {
namespace fs = std::filesystem;
namespace {

constexpr const char* pypi = "https://pypi.org/simple";

struct Collected {
  std::vector<pep::Requirement> requirements;
  std::vector<pep::Requirement> constraints;
  std::optional<std::string> file_index_url;
  std::vector<std::string> file_extra_index_urls;
  std::vector<std::string> find_links;
  std::map<std::string, std::string> pinned_index;
  bool no_index = false;
  bool pre = false;
  bool require_hashes = false;
  std::map<std::string, resolve::AllowedHashes> hashes;  // from --hash, requirements and constraints alike
  std::vector<std::string> trusted_hosts;                // --trusted-host: uv's --allow-insecure-host
  std::vector<fs::path> files_read;  // every requirement/constraint file, nested ones too
  std::optional<std::string> requires_python;  // [project].requires-python
  std::string requires_python_origin;
  std::vector<std::string> no_binary;  // --no-binary in requirement files
  std::vector<std::string> only_binary;  // --only-binary in requirement files (as --no-build / --no-build-package)
  // [tool.uv.sources] NAME = { path = "...", editable = true }: canonical name -> (absolute path, editable)
  std::map<std::string, std::pair<std::string, bool>> source_paths;
  std::map<std::string, std::string> source_git;  // [tool.uv.sources] name = { git = ..., tag/branch/rev, subdirectory }: its git+ URL
};

void collect_hashes(const pep::RequirementLine& line, Collected& out) {
  if (line.hashes.empty()) return;
  auto& allowed = out.hashes[pep::canonicalize_name(line.requirement.name)];
  if (allowed.origin.empty()) allowed.origin = line.origin;
  for (const auto& h : line.hashes) allowed.sha256.insert(h.substr(h.find(':') + 1));
}

Status read_requirement_files(const LockArguments& a, const config::Environment& env, Collected& out) {
  const pep::FileLoader load = [&out](const fs::path& p) {
    out.files_read.push_back(p);
    return read_file(p, max_text_input);
  };
  const pep::EnvironmentLookup lookup = [&env](std::string_view name) { return env.get(name); };
  for (const auto& file : a.requirement_files) {
    auto parsed = pep::parse_requirements_txt(file, load, lookup);
    if (!parsed) return std::move(parsed).error();
    for (auto& line : parsed->requirements) {
      collect_hashes(line, out);
      out.requirements.push_back(std::move(line.requirement));
    }
    for (auto& line : parsed->constraints) {
      collect_hashes(line, out);
      out.constraints.push_back(std::move(line.requirement));
    }
    out.require_hashes = out.require_hashes || parsed->require_hashes;
    for (auto& h : parsed->trusted_hosts) out.trusted_hosts.push_back(h);
    if (parsed->index_url) out.file_index_url = parsed->index_url;
    for (auto& u : parsed->extra_index_urls) out.file_extra_index_urls.push_back(u);
    for (auto& f : parsed->find_links) out.find_links.push_back(f);
    out.no_index = out.no_index || parsed->no_index;
    out.pre = out.pre || parsed->pre;
    for (auto& n : parsed->no_binary) out.no_binary.push_back(n);
    for (auto& n : parsed->only_binary) out.only_binary.push_back(n);
  }
  for (const auto& file : a.constraint_files) {
    auto parsed = pep::parse_requirements_txt(file, load, lookup);
    if (!parsed) return std::move(parsed).error();
    for (auto& list : {&parsed->requirements, &parsed->constraints}) {
      for (auto& line : *list) {
        collect_hashes(line, out);  // hashes in constraint files count too, as in pip
        out.constraints.push_back(std::move(line.requirement));
      }
    }
    out.require_hashes = out.require_hashes || parsed->require_hashes;
  }
  return {};
}

// PEP 735: a group's requirements, following {include-group = "..."} (cycles are errors).
Status read_group(const toml::table& groups, const std::string& name, const fs::path& file, std::vector<std::string>& stack,
                  Collected& out) {
  const std::string wanted = pep::canonicalize_name(name);
  const toml::array* entries = nullptr;
  for (const auto& [key, value] : groups) {
    if (pep::canonicalize_name(key.str()) == wanted) entries = value.as_array();
  }
  if (!entries) return Error(ErrorKind::config, file.string() + ": no dependency group '" + name + "'");
  if (std::find(stack.begin(), stack.end(), wanted) != stack.end()) {
    return Error(ErrorKind::config, file.string() + ": dependency group '" + name + "' includes itself");
  }
  stack.push_back(wanted);
  for (const auto& entry : *entries) {
    if (auto text = entry.value<std::string>()) {
      auto r = pep::Requirement::parse(*text);
      if (!r) return Error(ErrorKind::config, file.string() + ": [dependency-groups] " + name + ": " + r.error().message);
      out.requirements.push_back(std::move(r).value());
    } else if (auto include = entry.as_table() ? (*entry.as_table())["include-group"].value<std::string>() : std::nullopt) {
      if (auto ok = read_group(groups, *include, file, stack, out); !ok) return ok;
    } else {
      return Error(ErrorKind::config, file.string() + ": [dependency-groups] " + name + " holds something that is neither a requirement nor {include-group = ...}");
    }
  }
  stack.pop_back();
  return {};
}

// Which groups and extras of the project to take (uv's flags).
struct Selection {
  std::vector<std::string> groups;
  bool all_groups = false;
  bool no_dev = false;
  bool no_default_groups = false;
  std::vector<std::string> extras;
  bool all_extras = false;
};

Status read_requirement_list(const toml::array& list, const std::string& where, Collected& out) {
  for (const auto& d : list) {
    auto s = d.value<std::string>();
    if (!s) return Error(ErrorKind::config, where + " must hold strings");
    auto r = pep::Requirement::parse(*s);
    if (!r) return Error(ErrorKind::config, where + ": " + r.error().message);
    out.requirements.push_back(std::move(r).value());
  }
  return {};
}

// [project].dependencies and optional-dependencies, [dependency-groups] and
// [tool.uv.sources] pins to an index.
Status read_project(const fs::path& file, const Selection& selection, Collected& out) {
  auto text = read_file(file, max_text_input);
  if (!text) return std::move(text).error();
  auto parsed_document = config::parse_toml(*text, file.string());
  if (!parsed_document) return std::move(parsed_document).error();
  toml::table& document = *parsed_document;
  if (const toml::node* rp = document["project"]["requires-python"].node()) {
    auto text = rp->value<std::string>();
    if (!text) return Error(ErrorKind::config, config::toml_where(file.string(), *rp) + ": [project].requires-python must be a string");
    auto spec = pep::SpecifierSet::parse(*text);
    if (!spec) return Error(ErrorKind::config, config::toml_where(file.string(), *rp) + ": requires-python: " + spec.error().message);
    out.requires_python = *text;
    out.requires_python_origin = config::toml_where(file.string(), *rp);
  }
  if (auto deps = document["project"]["dependencies"].as_array()) {
    UVAUTH_TRY(read_requirement_list(*deps, file.string() + ": [project].dependencies", out));
  }
  // Extras: --extra NAME (each must exist, as in uv) or --all-extras.
  const toml::table* optional = document["project"]["optional-dependencies"].as_table();
  std::vector<std::string> extra_names;
  if (optional) {
    for (const auto& [key, value] : *optional) extra_names.emplace_back(key.str());
  }
  for (const auto& extra : selection.extras) {
    const std::string wanted = pep::canonicalize_name(extra);
    const bool found = std::any_of(extra_names.begin(), extra_names.end(), [&](const auto& n) { return pep::canonicalize_name(n) == wanted; });
    if (!found) {
      std::string known;
      for (const auto& n : extra_names) known += (known.empty() ? "" : ", ") + n;
      return Error(ErrorKind::usage, "--extra " + escape_nonprintable(extra) + ": " + file.string() +
                                         " defines no such extra in [project.optional-dependencies]" +
                                         (known.empty() ? std::string(" (it defines none)") : " (it defines: " + known + ")"));
    }
  }
  if (optional) {
    for (const auto& [key, value] : *optional) {
      const std::string name = pep::canonicalize_name(key.str());
      const bool wanted = selection.all_extras || std::any_of(selection.extras.begin(), selection.extras.end(),
                                                               [&](const auto& e) { return pep::canonicalize_name(e) == name; });
      if (!wanted) continue;
      const toml::array* list = value.as_array();
      if (!list) return Error(ErrorKind::config, file.string() + ": [project.optional-dependencies] " + std::string(key.str()) + " must be a list");
      UVAUTH_TRY(read_requirement_list(*list, file.string() + ": [project.optional-dependencies] " + std::string(key.str()), out));
    }
  }

  // Groups: uv's default groups ([tool.uv] default-groups, else `dev`), less
  // --no-dev / --no-default-groups, plus --group, or --all-groups.
  const toml::table* declared = document["dependency-groups"].as_table();
  std::vector<std::string> defaults{"dev"};
  if (const toml::node* d = document["tool"]["uv"]["default-groups"].node()) {
    if (d->value<std::string>() == std::optional<std::string>("all")) {
      defaults.clear();
      if (declared) {
        for (const auto& [key, value] : *declared) defaults.emplace_back(key.str());
      }
    } else if (const toml::array* list = d->as_array()) {
      defaults.clear();
      for (const auto& g : *list) {
        auto name = g.value<std::string>();
        if (!name) return Error(ErrorKind::config, config::toml_where(file.string(), *d) + ": [tool.uv] default-groups must hold strings");
        defaults.push_back(*name);
      }
    } else {
      return Error(ErrorKind::config, config::toml_where(file.string(), *d) + ": [tool.uv] default-groups must be a list of group names or \"all\"");
    }
  }
  std::vector<std::string> groups;
  auto add_group = [&groups](const std::string& g) {
    const std::string name = pep::canonicalize_name(g);
    if (std::none_of(groups.begin(), groups.end(), [&](const auto& x) { return pep::canonicalize_name(x) == name; })) groups.push_back(g);
  };
  bool dev_wanted = false;
  if (!selection.no_default_groups) {
    for (const auto& g : defaults) {
      if (selection.no_dev && pep::canonicalize_name(g) == "dev") continue;
      if (pep::canonicalize_name(g) == "dev") {
        dev_wanted = true;
        if (!declared || !std::any_of(declared->begin(), declared->end(), [](const auto& kv) { return pep::canonicalize_name(kv.first.str()) == "dev"; })) {
          continue;  // the default `dev` group need not exist
        }
      }
      add_group(g);
    }
  }
  if (selection.all_groups && declared) {
    for (const auto& [key, value] : *declared) add_group(std::string(key.str()));
  }
  for (const auto& g : selection.groups) {
    add_group(g);
    if (pep::canonicalize_name(g) == "dev") dev_wanted = true;
  }
  // uv's legacy [tool.uv] dev-dependencies: part of the `dev` group.
  if (dev_wanted || selection.all_groups) {
    if (auto dev = document["tool"]["uv"]["dev-dependencies"].as_array()) {
      UVAUTH_TRY(read_requirement_list(*dev, file.string() + ": [tool.uv] dev-dependencies", out));
    }
  }
  for (const auto& group : groups) {
    if (!declared) return Error(ErrorKind::config, file.string() + ": no [dependency-groups] (asked for '" + group + "')");
    std::vector<std::string> stack;
    if (auto ok = read_group(*declared, group, file, stack, out); !ok) return ok;
  }
  if (auto sources = document["tool"]["uv"]["sources"].as_table()) {
    for (const auto& [name, source] : *sources) {
      if (auto index = source.as_table() ? (*source.as_table())["index"].value<std::string>() : std::nullopt) {
        out.pinned_index[pep::canonicalize_name(name.str())] = *index;
      }
      if (auto path = source.as_table() ? (*source.as_table())["path"].value<std::string>() : std::nullopt) {
        const fs::path base = fs::absolute(file).parent_path();
        const fs::path full = fs::path(*path).is_absolute() ? fs::path(*path) : (base / *path).lexically_normal();
        std::string text = full.string();
        while (text.size() > 1 && text.back() == '/') text.pop_back();
        out.source_paths[pep::canonicalize_name(name.str())] = {text, (*source.as_table())["editable"].value_or(false)};
      }
      if (auto git_url = source.as_table() ? (*source.as_table())["git"].value<std::string>() : std::nullopt) {
        const toml::table& t = *source.as_table();
        std::string url = git_url->rfind("git+", 0) == 0 ? *git_url : "git+" + *git_url;
        int revisions = 0;
        for (const char* key : {"tag", "branch", "rev"}) {
          if (auto rev = t[key].value<std::string>()) {
            ++revisions;
            url += "@" + *rev;
          }
        }
        const std::string where = file.string() + ": [tool.uv.sources] " + escape_nonprintable(std::string(name.str()));
        for (const auto& [key, value] : t) {
          static const std::set<std::string_view> known{"git", "tag", "branch", "rev", "subdirectory", "marker", "extra", "group"};
          if (!known.count(key.str())) {
            return Error(ErrorKind::config, where + " has an unknown key `" + escape_nonprintable(std::string(key.str())) +
                                                "` (a Git source takes git, tag, branch, rev, subdirectory)");
          }
        }
        if (revisions > 1) return Error(ErrorKind::config, where + " gives more than one of `tag`, `branch` and `rev`");
        if (auto sub = t["subdirectory"].value<std::string>()) url += "#subdirectory=" + *sub;
        auto ref = git::GitReference::parse(url);
        if (!ref) return Error(ErrorKind::config, where + ": " + ref.error().message);
        out.source_git[pep::canonicalize_name(name.str())] = url;
      }
    }
  }
  return {};
}

Result<Url> parse_index_url(const std::string& text, const std::string& flag) {
  auto url = Url::parse(text);
  if (!url) return Error(ErrorKind::usage, flag + ": " + url.error().message);
  return url;
}

Result<pep::Target> choose_target(const LockArguments& a, const cache::CacheDir& cache, const config::Environment& env) {
  if (a.python_version) return pep::cross_target(*a.python_version, a.python_platform.value_or(""));
  if (a.python_platform) return Error(ErrorKind::usage, "--python-platform needs --python-version");
  const auto search = config::python_search(env);
  auto python = index::find_python(a.python, search);
  if (!python) return std::move(python).error();
  return index::query_interpreter(*python, cache, &search);
}

// What changed between two locks, for --locked.
std::string difference(const lock::Lock& before, const lock::Lock& after) {
  std::vector<std::string> changes;
  for (const auto& c : lock_changes(&before, after)) changes.push_back(describe(c));
  if (changes.empty() && before.inputs != after.inputs) changes.push_back("the requirements, indexes or target changed");
  if (changes.empty()) changes.push_back("its content differs (wheels, URLs or hashes)");
  std::string out;
  for (std::size_t i = 0; i < changes.size() && i < 10; ++i) out += (i ? "; " : "") + changes[i];
  if (changes.size() > 10) out += "; and " + std::to_string(changes.size() - 10) + " more";
  return out;
}

}  // namespace

const char* to_string(PackageChange::Kind kind) {
  switch (kind) {
    case PackageChange::Kind::added: return "added";
    case PackageChange::Kind::updated: return "updated";
    case PackageChange::Kind::downgraded: return "downgraded";
    case PackageChange::Kind::removed: return "removed";
  }
  return "";
}

std::vector<PackageChange> lock_changes(const lock::Lock* before, const lock::Lock& after) {
  std::map<std::string, const lock::LockedPackage*> a;
  std::map<std::string, const lock::LockedPackage*> b;
  if (before) {
    for (const auto& p : before->packages) a[p.name] = &p;
  }
  for (const auto& p : after.packages) b[p.name] = &p;
  std::vector<PackageChange> out;
  for (const auto& [name, p] : b) {
    auto it = a.find(name);
    if (it == a.end()) {
      out.push_back({PackageChange::Kind::added, name, "", p->version.to_string()});
    } else if (!(it->second->version == p->version)) {
      const bool down = p->version < it->second->version;
      out.push_back({down ? PackageChange::Kind::downgraded : PackageChange::Kind::updated, name,
                     it->second->version.to_string(), p->version.to_string()});
    }
  }
  for (const auto& [name, p] : a) {
    if (!b.count(name)) out.push_back({PackageChange::Kind::removed, name, p->version.to_string(), ""});
  }
  std::sort(out.begin(), out.end(), [](const auto& x, const auto& y) { return x.name < y.name; });
  return out;
}

std::string describe(const PackageChange& c) {
  switch (c.kind) {
    case PackageChange::Kind::added: return "Added " + c.name + " v" + c.to;
    case PackageChange::Kind::updated: return "Updated " + c.name + " v" + c.from + " -> v" + c.to;
    case PackageChange::Kind::downgraded: return "Downgraded " + c.name + " v" + c.from + " -> v" + c.to;
    case PackageChange::Kind::removed: return "Removed " + c.name + " v" + c.from;
  }
  return c.name;
}

Result<LockOutcome> run_lock(const LockArguments& arguments, const config::Environment& env,
                             std::vector<PackageChange>* changes_seen) {
  const auto start = std::chrono::steady_clock::now();
  // One configuration pass: the command line wins, then uv's variables, then
  // the settings files (the project's [tool.uv] after those of --config-file).
  LockArguments a = arguments;
  auto configured = configure({&a.session, &a.project, &a.cache_dir, &a.no_cache, &a.offline}, env);
  if (!configured) return std::move(configured).error();
  const config::UvEnvironment& uv = configured->uv;
  const config::Settings& settings = configured->settings;
  if (!a.default_index) a.default_index = uv.default_index;
  if (!a.index_url) a.index_url = uv.index_url;
  a.indexes.insert(a.indexes.end(), uv.indexes.begin(), uv.indexes.end());
  a.extra_index_urls.insert(a.extra_index_urls.end(), uv.extra_index_urls.begin(), uv.extra_index_urls.end());
  a.find_links.insert(a.find_links.end(), uv.find_links.begin(), uv.find_links.end());
  a.constraint_files.insert(a.constraint_files.end(), uv.constraints.begin(), uv.constraints.end());
  a.no_index = a.no_index || uv.no_index || settings.no_index;
  if (!a.python) a.python = uv.python;
  if (!a.prerelease) a.prerelease = uv.prerelease;
  a.locked = a.locked || (uv.locked && a.write);  // UV_LOCKED is about a lock file; `install` has none
  auto cache_dir_root = config::cache_root(env, a.cache_dir, a.no_cache);
  if (!cache_dir_root) return std::move(cache_dir_root).error();
  std::optional<cache::CacheDir> cache_dir(std::in_place, *cache_dir_root);
  // The interpreter is asked about itself (a Python start: 20-40 ms, the
  // longest wait before resolving can begin) while the requirements and
  // settings are read and the first pages fetched. An error found first
  // still waits for the answer, which is bounded by its timeout.
  auto target_query = std::async(std::launch::async, [query = a, &cache_dir, &env] {
    return choose_target(query, *cache_dir, env);
  });
  // Only now: while libcurl loads, no thread can be created.
  if (!a.offline) net::start_loading_curl();

  Collected collected;
  UVAUTH_TRY(read_requirement_files(a, env, collected));
  if (a.project) {
    collected.files_read.push_back(*a.project);
    const Selection selection{a.groups, a.all_groups, a.no_dev, a.no_default_groups, a.extras, a.all_extras};
    UVAUTH_TRY(read_project(*a.project, selection, collected));
  } else if (!a.groups.empty() || a.all_groups) {
    return Error(ErrorKind::usage, std::string(a.groups.empty() ? "--all-groups" : "--group") + " needs --project (a project directory or its pyproject.toml)");
  } else if (!a.extras.empty() || a.all_extras) {
    return Error(ErrorKind::usage, std::string(a.extras.empty() ? "--all-extras" : "--extra") + " needs --project (a project directory or its pyproject.toml)")
        .with_hint("for a package's extras, write them in the requirement: `name[extra]`");
  }
  for (const auto& text : a.requirements) {
    auto r = pep::Requirement::parse(text);
    if (!r || pep::names_an_archive(text)) {
      // `./dir`, `../pkg-1.0.tar.gz`, `x-1.0-py3-none-any.whl`, `/abs/project`: a path, as pip and uv take it.
      if (auto path = pep::path_requirement(text, fs::current_path())) {
        collected.requirements.push_back(std::move(*path));
        continue;
      }
      // A bare URL of a wheel or sdist: its file name says the project.
      if (auto from_url = pep::url_requirement(text); !r && from_url) {
        if (!*from_url) return Error(ErrorKind::usage, from_url->error().message);
        collected.requirements.push_back(std::move(*from_url).value());
        continue;
      }
      if (!r) return Error(ErrorKind::usage, r.error().message);
    }
    collected.requirements.push_back(std::move(r).value());
  }
  // `name @ ./dir` on the command line or in the project: a path, relative to where it was written.
  for (auto& r : collected.requirements) {
    if (!r.url || r.url->find("://") != std::string::npos) continue;
    const fs::path base = a.project ? fs::absolute(*a.project).parent_path() : fs::current_path();
    auto path = pep::path_requirement(*r.url, fs::is_directory(base) ? base : base.parent_path());
    if (!path) return Error(ErrorKind::usage, r.name + " @ " + escape_nonprintable(*r.url) + ": neither a URL nor a path");
    r.url = path->url;
  }
  for (const auto& dir : a.editables) {
    auto r = pep::path_requirement(dir.find('/') == std::string::npos && dir != "." ? "./" + dir : dir, fs::current_path());
    std::error_code ec;
    const std::string path = r && r->url ? percent_decode(r->url->substr(7)) : std::string();
    if (!r || !fs::is_directory(path, ec)) {
      return Error(ErrorKind::usage, "--editable " + escape_nonprintable(dir) + ": not a project directory")
          .with_hint("editable installs are of local directories holding a pyproject.toml or setup.py");
    }
    r->editable = true;
    collected.requirements.push_back(std::move(*r));
  }
  // [tool.uv.sources] paths: the project's requirement on NAME is that directory.
  for (auto& r : collected.requirements) {
    if (r.url || r.name.empty()) continue;
    if (auto git_source = collected.source_git.find(pep::canonicalize_name(r.name)); git_source != collected.source_git.end()) {
      r.url = git_source->second;
      continue;
    }
    auto it = collected.source_paths.find(pep::canonicalize_name(r.name));
    if (it == collected.source_paths.end()) continue;
    r.url = file_url(it->second.first);
    r.editable = it->second.second;
  }
  if (collected.requirements.empty()) {
    return Error(ErrorKind::usage, "nothing to lock").with_hint("name requirements, or pass -r requirements.txt or --project pyproject.toml");
  }
  // constraint-dependencies and override-dependencies of the settings (uv's meanings).
  std::map<std::string, std::vector<pep::Requirement>> overrides;
  for (const auto* list : {&settings.constraint_dependencies, &settings.override_dependencies}) {
    for (const auto& entry : *list) {
      auto r = pep::Requirement::parse(entry.value);
      if (!r) return Error(ErrorKind::config, entry.origin + ": " + r.error().message);
      if (list == &settings.constraint_dependencies) {
        collected.constraints.push_back(std::move(r).value());
      } else {
        const std::string name = pep::canonicalize_name(r->name);
        overrides[name].push_back(std::move(r).value());
      }
    }
  }

  // Every index URL the run knows, for the auth layer (configured ones come
  // from the settings), each checked first so a mistake names its flag.
  auth::SessionOptions session_options = a.session;
  // `argument` is what the auth layer reads (NAME=URL or URL), `url` its URL.
  auto known_index = [&](const std::string& argument, const std::string& url, const std::string& flag) -> Status {
    UVAUTH_TRY(parse_index_url(url, flag));
    session_options.indexes.push_back(argument);
    return {};
  };
  for (const auto& u : settings.extra_index_urls) UVAUTH_TRY(known_index(u.value, u.value, u.origin + ": extra-index-url"));
  if (settings.index_url) {
    UVAUTH_TRY(known_index(settings.index_url->value, settings.index_url->value, settings.index_url->origin + ": index-url"));
  }
  for (const auto& host : collected.trusted_hosts) session_options.allow_insecure_hosts.push_back(host);
  for (const auto& i : a.indexes) UVAUTH_TRY(known_index(i, auth::split_index_argument(i).url, "--index"));
  for (const auto& u : a.extra_index_urls) UVAUTH_TRY(known_index(u, u, "--extra-index-url"));
  for (const auto& u : collected.file_extra_index_urls) UVAUTH_TRY(known_index(u, u, "--extra-index-url (in a requirements file)"));
  const std::array<std::pair<const std::optional<std::string>*, const char*>, 3> defaults{
      {{&a.default_index, "--default-index"}, {&a.index_url, "--index-url"}, {&collected.file_index_url, "--index-url (in a requirements file)"}}};
  for (const auto& [u, flag] : defaults) {
    if (*u) UVAUTH_TRY(known_index(**u, **u, flag));
  }
  auto session = auth::Session::open(session_options, env);
  if (!session) return std::move(session).error();

  // Indexes in priority order.
  resolve::ProviderOptions provider;
  auto add_index = [&](const std::string& name, const std::string& url_text, bool is_explicit, const std::string& flag) -> Status {
    auto url = parse_index_url(url_text, flag);
    if (!url) return std::move(url).error();
    provider.indexes.push_back(resolve::IndexDescriptor{name, *url, is_explicit});
    return {};
  };
  std::optional<std::string> default_url = a.default_index ? a.default_index : a.index_url ? a.index_url : collected.file_index_url;
  for (const auto& text : a.indexes) {
    const auto named = auth::split_index_argument(text);
    UVAUTH_TRY(add_index(named.name, named.url, false, "--index"));
  }
  for (const auto& u : a.extra_index_urls) {
    UVAUTH_TRY(add_index("", u, false, "--extra-index-url"));
  }
  for (const auto& u : collected.file_extra_index_urls) {
    UVAUTH_TRY(add_index("", u, false, "--extra-index-url (requirements file)"));
  }
  bool flat_default = false;  // a `format = "flat"` index with `default = true` replaces PyPI
  for (const auto& declared : settings.indexes) {
    if (declared.format == "flat") {  // a page or directory of links: searched like --find-links
      provider.find_links.push_back(declared.url);
      flat_default = flat_default || declared.is_default;
      continue;
    }
    if (declared.is_default) {
      if (!default_url) default_url = declared.url;
      continue;
    }
    UVAUTH_TRY(add_index(declared.name, declared.url, declared.is_explicit, declared.origin));
  }
  for (const auto& u : settings.extra_index_urls) {
    UVAUTH_TRY(add_index("", u.value, false, u.origin + ": extra-index-url"));
  }
  if (!default_url && settings.index_url) default_url = settings.index_url->value;
  if (a.no_index) {
    provider.indexes.clear();  // as uv: indexes from every source are ignored
    collected.no_index = true;
  }
  if (!collected.no_index && (default_url || !flat_default)) {
    if (!default_url) UVAUTH_DEBUG("no default index is configured: using " << pypi);
    UVAUTH_TRY(add_index("", default_url.value_or(pypi), false, "the default index"));
  }
  provider.find_links.insert(provider.find_links.end(), a.find_links.begin(), a.find_links.end());
  for (const auto& f : collected.find_links) provider.find_links.push_back(f);
  for (const auto& f : settings.find_links) provider.find_links.push_back(f.value);
  provider.overrides = overrides;
  provider.pinned_index = collected.pinned_index;
  for (const auto& [project, pinned] : provider.pinned_index) {
    const std::string& index = pinned;  // clang 14 cannot capture structured bindings
    const bool known = std::any_of(provider.indexes.begin(), provider.indexes.end(), [&](const auto& i) { return i.name == index; });
    if (!known) return Error(ErrorKind::config, "[tool.uv.sources] pins " + project + " to index '" + index + "', which is not declared");
  }
  if (a.prerelease) {
    auto mode = resolve::parse_prerelease_mode(*a.prerelease);
    if (!mode) return std::move(mode).error();
    provider.prereleases = *mode;
  } else if (collected.pre) {
    provider.prereleases = resolve::PrereleaseMode::allow;
  } else if (settings.prerelease) {
    auto mode = resolve::parse_prerelease_mode(*settings.prerelease);
    if (!mode) return std::move(mode).error();
    provider.prereleases = *mode;
  }

  auth::CredentialHelper::set_shared_directory(
      *cache_dir_root ? std::optional<std::filesystem::path>(**cache_dir_root / "credential-helpers") : std::nullopt);
  cache::HttpCache http_cache(*cache_dir);
  cache::ContentCache metadata_cache(*cache_dir, cache::Bucket::metadata);
  index::IndexClient index_client((*session)->client(), http_cache, a.offline, &metadata_cache);
  for (const auto& declared : settings.indexes) {
    if (!declared.cache_control_api) continue;
    auto url = Url::parse(declared.url);
    if (url) index_client.override_page_cache_control(*url, *declared.cache_control_api);
  }
  {
    std::set<std::string> refreshed;
    for (const auto& name : a.refresh_packages) {
      if (!pep::is_valid_name(name)) return Error(ErrorKind::usage, "--refresh-package `" + escape_nonprintable(name) + "` is not a project name");
      refreshed.insert(pep::canonicalize_name(name));
    }
    index_client.refresh(a.refresh, std::move(refreshed));
  }
  // --no-binary's lists (flags, requirement files, UV_NO_BINARY), read below.
  std::vector<std::string> no_binary = a.no_binary;
  no_binary.insert(no_binary.end(), collected.no_binary.begin(), collected.no_binary.end());
  if (env.get_nonempty("UV_NO_BINARY").value_or("0") != "0") no_binary.push_back(":all:");
  for (const auto& n : a.no_binary_packages) no_binary.push_back(n);
  // While the interpreter is asked about itself (tens of milliseconds), the
  // first index's pages of the named projects are already being fetched:
  // the resolver asks them first, whatever the target.
  if (!provider.indexes.empty() && !provider.indexes.front().is_explicit) {
    std::vector<std::string> roots;
    for (const auto& r : collected.requirements) {
      const std::string name = pep::canonicalize_name(r.name);
      if (r.url || name.empty() || provider.pinned_index.count(name) || provider.overrides.count(name)) continue;
      if (roots.size() < 16) roots.push_back(name);
    }
    // And the metadata of each one's likely version, when that cannot
    // depend on the target (a single pure-Python wheel), the requirements
    // and constraints allow it, and nothing else may be preferred: no
    // previous lock's pins, find-links, --no-binary or pre-releases.
    const bool guessable = (a.upgrade || !a.write || !fs::exists(a.output)) && provider.find_links.empty() &&
                           no_binary.empty() && provider.prereleases != resolve::PrereleaseMode::allow;
    index::IndexClient::WarmWanted wanted;
    if (guessable) {
      std::optional<pep::Version> python;
      if (a.python_version) {
        if (auto v = pep::Version::parse(*a.python_version)) python = *v;
      }
      std::vector<std::pair<std::string, pep::SpecifierSet>> bounds;  // a copy: the guess runs on another thread
      for (const auto* list : {&collected.requirements, &collected.constraints}) {
        for (const auto& r : *list) bounds.emplace_back(pep::canonicalize_name(r.name), r.specifier);
      }
      wanted = [bounds = std::move(bounds), python](const std::string& project, const pep::Version& version,
                                                    const std::optional<std::string>& requires_python) {
        for (const auto& [name, specifier] : bounds) {
          if (name == project && !specifier.contains(version, false)) return false;
        }
        if (!requires_python) return true;
        auto needs = pep::SpecifierSet::parse(*requires_python);
        if (!needs) return false;
        if (python) return needs->contains(*python, true);
        // The target is not known yet: a Python it cannot be is unlikely
        // to be asked for, so the file must admit 3.9 to 3.14.
        for (int minor = 9; minor <= 14; ++minor) {
          if (!needs->contains(*pep::Version::parse("3." + std::to_string(minor)), true)) return false;
        }
        return true;
      };
    }
    index_client.warm_pages(provider.indexes.front().url, roots, std::move(wanted));
  }
  auto target = target_query.get();
  if (!target) return std::move(target).error();
  provider.target = std::move(target).value();
  UVAUTH_DEBUG("target: " << provider.target.description);
  // Universal: the declared environments (flags, else the settings), each a marker.
  std::vector<std::string> environments = a.environments;
  std::vector<std::string> required_environments = a.required_environments;
  for (const auto& [flags, declared, what] :
       {std::make_tuple(&environments, &settings.environments, "environments"),
        std::make_tuple(&required_environments, &settings.required_environments, "required-environments")}) {
    for (const auto& text : *flags) {
      if (auto m = pep::MarkerTree::parse(text); !m) {
        return Error(ErrorKind::usage, std::string(what == std::string("environments") ? "--environment" : "--required-environment") +
                                           " `" + escape_nonprintable(text) + "`: " + m.error().message);
      }
    }
    if (!flags->empty()) continue;
    for (const auto& entry : *declared) {
      if (auto m = pep::MarkerTree::parse(entry.value); !m) {
        return Error(ErrorKind::config, entry.origin + ": `" + what + "`: " + m.error().message);
      }
      flags->push_back(entry.value);
    }
  }
  std::optional<lock::Lock> previous;
  std::string previous_text;
  std::error_code ec;
  if (a.write && fs::exists(a.output, ec)) {
    auto text = read_file(a.output, max_text_input);
    if (!text) return std::move(text).error();
    previous_text = *text;
    auto parsed = lock::Lock::parse(*text, a.output.string());
    if (parsed) {
      parsed->resolve_paths(fs::absolute(a.output).parent_path().string());
      previous = std::move(parsed).value();
    } else if (a.locked) {
      return std::move(parsed).error();
    } else {
      UVAUTH_WARN("ignoring the existing " << a.output.string() << ": " << parsed.error().message);
    }
  }

  // An existing universal lock stays universal (as the existing lock's
  // requires-python does) unless --no-universal or --python-platform says
  // one target.
  const bool previous_is_universal = previous && previous->is_universal() && !a.no_universal && !a.python_platform;
  if (a.no_universal && (a.universal || !a.environments.empty() || !a.required_environments.empty())) {
    return Error(ErrorKind::usage, "--no-universal excludes --universal, --environment and --required-environment");
  }
  const bool universal =
      a.write && !a.no_universal && (a.universal || !environments.empty() || !required_environments.empty() || previous_is_universal);
  if (previous_is_universal && !a.universal) UVAUTH_DEBUG(a.output.string() << " is universal: locking universally (--no-universal for one target)");
  if (!a.write && (a.universal || !a.environments.empty() || !a.required_environments.empty())) {
    return Error(ErrorKind::usage, "--universal, --environment and --required-environment are for `uvauth lock`");
  }
  if (universal && a.python_platform) {
    return Error(ErrorKind::usage, "--python-platform chooses one target; a universal lock covers them all")
        .with_hint("narrow a universal lock with --environment MARKER, or drop --universal for a single-target lock");
  }
  if (!universal && !environments.empty()) {
    // `uvauth install` resolves for its target: that target must be one the settings' environments allow.
    bool covered = false;
    for (const auto& text : environments) {
      auto m = pep::MarkerTree::parse(text);
      auto holds = m ? m->evaluate(provider.target.markers) : Result<bool>(false);
      covered = covered || (holds && *holds);
    }
    if (!covered) {
      return Error(ErrorKind::usage, "the target (" + provider.target.description + ") is outside the settings' `environments`")
          .with_hint("choose a target the environments allow (--python), or change `environments`");
    }
  }
  if (a.requires_python && !universal) {
    return Error(ErrorKind::usage, "--requires-python is for universal locks").with_hint("add --universal");
  }
  // The project's requires-python: a lock for an interpreter below it is refused, as uv does.
  if (collected.requires_python && !universal) {
    const auto spec = pep::SpecifierSet::parse(*collected.requires_python);
    if (spec && !spec->contains(provider.target.python_full_version(), true)) {
      return Error(ErrorKind::resolution, "the target interpreter (" + provider.target.description +
                                              ") is incompatible with the project's requires-python `" +
                                              *collected.requires_python + "` (" + collected.requires_python_origin + ")")
          .with_hint("choose an interpreter the project supports (--python), or change requires-python");
    }
  }

  // Source builds: the policy, and a builder over this run's indexes and credentials.
  provider.build.no_build = a.no_build || env.get_nonempty("UV_NO_BUILD").value_or("0") != "0";
  for (const auto& n : a.no_build_packages) provider.build.no_build_packages.insert(pep::canonicalize_name(n));
  // pip's and uv's --only-binary (flag or requirements file): never built from source.
  std::vector<std::string> only_binary = a.only_binary;
  only_binary.insert(only_binary.end(), collected.only_binary.begin(), collected.only_binary.end());
  for (const auto& n : only_binary) {
    if (n == ":all:") {
      provider.build.no_build = true;
    } else if (n != ":none:") {
      if (!pep::is_valid_name(n)) return Error(ErrorKind::usage, "--only-binary " + escape_nonprintable(n) + ": not a package name, :all: or :none:");
      provider.build.no_build_packages.insert(pep::canonicalize_name(n));
    }
  }
  for (const auto& list : no_binary) {
    std::size_t start = 0;
    while (start <= list.size()) {
      const auto comma = list.find(',', start);
      const std::string n = list.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      start = comma == std::string::npos ? list.size() + 1 : comma + 1;
      if (n.empty() || n == ":none:") continue;
      if (n == ":all:") {
        provider.build.no_binary_all = true;
      } else if (pep::is_valid_name(n)) {
        provider.build.no_binary.insert(pep::canonicalize_name(n));
      } else {
        return Error(ErrorKind::usage, "--no-binary " + escape_nonprintable(n) + ": not a package name (or :all:)");
      }
    }
  }
  if (provider.build.no_build && provider.build.no_binary_all) {
    return Error(ErrorKind::usage, "--no-build and --no-binary :all: together leave nothing to install");
  }
  SourceBuildSettings build_settings;
  build_settings.provider = provider;
  build_settings.cache = *cache_dir;
  build_settings.timeout = build_timeout(env);
  build_settings.show_output = logger().enabled(Verbosity::debug);
  build_settings.environment = backend_environment(env);
  build_settings.auth = &(*session)->auth();
  build_settings.offline = a.offline;
  SourceBuilder builder(index_client, (*session)->client(), build_settings);
  provider.builder = &builder;
  // Path requirements without a name (`./dir`, `-e ./dir`): the project says it.
  const fs::path lock_dir = fs::absolute(a.output).parent_path();
  std::vector<std::string> source_fingerprints;
  std::vector<fs::path> project_directories;
  for (auto& r : collected.requirements) {
    if (!r.url || r.url->rfind("file://", 0) != 0) continue;
    std::string path = percent_decode(r.url->substr(7));
    std::error_code dir_ec;
    const bool is_dir = fs::is_directory(path, dir_ec);
    if (!is_dir && !fs::exists(path, dir_ec)) {
      return Error(ErrorKind::usage, (r.name.empty() ? std::string() : r.name + " @ ") + path + ": no such file or directory");
    }
    if (is_dir) {
      if (!fs::exists(fs::path(path) / "pyproject.toml", dir_ec) && !fs::exists(fs::path(path) / "setup.py", dir_ec)) {
        return Error(ErrorKind::usage, path + " is a directory without pyproject.toml or setup.py: not a Python project");
      }
      source_fingerprints.push_back(path + " " + build::tree_fingerprint(path, true));
      project_directories.push_back(path);
    }
    if (!r.name.empty()) continue;
    if (!is_dir && path.size() > 4 && path.compare(path.size() - 4, 4, ".whl") == 0) {
      auto wheel = pep::WheelFilename::parse(fs::path(path).filename().string());
      return Error(ErrorKind::usage, escape_nonprintable(path) + ": not a wheel file name" +
                                         (wheel ? std::string() : " (" + wheel.error().message + ")"))
          .with_hint("a wheel is named NAME-VERSION-PYTHON-ABI-PLATFORM.whl (PEP 427)");
    }
    std::optional<std::string> name = is_dir ? build::static_name(path) : std::nullopt;
    if (!name) {
      resolve::SourceRef ref;
      ref.directory = is_dir;
      ref.editable = r.editable;
      auto url = Url::parse(*r.url);
      if (!url) return Error(ErrorKind::usage, path + ": " + url.error().message);
      ref.file.url = *url;
      ref.file.filename = fs::path(path).filename().string();
      auto metadata = builder.metadata(ref);
      if (!metadata) return std::move(metadata).error();
      name = metadata->name;
    }
    r.name = pep::canonicalize_name(*name);
  }
  resolve::LockInputs inputs;
  inputs.source_fingerprints = source_fingerprints;
  inputs.requirements = collected.requirements;
  inputs.constraints = collected.constraints;
  inputs.provider = provider;
  inputs.previous = previous;
  inputs.upgrade_all = a.upgrade;
  for (const auto& name : a.upgrade_packages) inputs.upgrade.insert(pep::canonicalize_name(name));
  inputs.no_deps = a.no_deps;
  inputs.hashes = collected.hashes;
  inputs.require_hashes = a.require_hashes || collected.require_hashes || settings.require_hashes;
  if (universal) {
    inputs.universal = true;
    inputs.environments = environments;
    inputs.required_environments = required_environments;
    // requires-python: the flag, the project's, the existing universal lock's, else >= the target's minor.
    const bool previous_universal = previous && previous->is_universal() && !previous->requires_python.empty();
    if (a.requires_python) {
      inputs.requires_python = *a.requires_python;
    } else if (collected.requires_python) {
      inputs.requires_python = *collected.requires_python;
    } else if (previous_universal) {
      inputs.requires_python = previous->requires_python;
    } else {
      inputs.requires_python = ">=" + std::to_string(provider.target.interpreter.major) + "." +
                               std::to_string(provider.target.interpreter.minor);
    }
    if (auto spec = pep::MarkerTree::requires_python(inputs.requires_python); !spec || spec->is_false()) {
      if (!spec) return Error(ErrorKind::usage, spec.error().message);
      return Error(ErrorKind::usage, "requires-python `" + escape_nonprintable(inputs.requires_python) + "`: no Python version satisfies it");
    }
    UVAUTH_DEBUG("universal lock: requires-python " << inputs.requires_python << ", " << environments.size() << " environment(s)");
  }
  if (a.on_resolve) a.on_resolve(ResolveEvent{});
  const auto resolve_start = std::chrono::steady_clock::now();
  auto made = resolve::make_lock(index_client, std::move(inputs));
  if (a.on_resolve) {
    ResolveEvent done;
    done.done = true;
    done.failed = !made;
    done.packages = made ? made->packages.size() : 0;
    done.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - resolve_start).count();
    a.on_resolve(done);
  }
  if (!made) return std::move(made).error();

  LockOutcome outcome;
  outcome.lock = std::move(made).value();
  for (const auto& [flag, names] : {std::pair{"--upgrade-package", &a.upgrade_packages}, std::pair{"--refresh-package", &a.refresh_packages}}) {
    for (const auto& name : *names) {
      const std::string canonical = pep::canonicalize_name(name);
      if (std::none_of(outcome.lock.packages.begin(), outcome.lock.packages.end(), [&](const auto& p) { return p.name == canonical; })) {
        UVAUTH_WARN(flag << " " << escape_nonprintable(name) << ": no such package in the resolution");
      }
    }
  }
  outcome.files_read = collected.files_read;
  for (const auto& file : settings.files) {  // the settings too: they decide the indexes
    if (std::find(outcome.files_read.begin(), outcome.files_read.end(), file) == outcome.files_read.end()) {
      outcome.files_read.push_back(file);
    }
  }
  // The indexes the packages came from, with the name and policy the auth
  // layer gives their URLs (so sync elsewhere binds them the same way).
  for (const auto& p : outcome.lock.packages) {
    auto url = Url::parse(p.index);
    if (!url) continue;
    const auth::AuthIndex* index = (*session)->auth().indexes().find(*url, p.index);
    lock::LockedIndex entry{index ? index->name : "", index ? index->url.without_userinfo() : url->without_userinfo(),
                            std::string(auth::to_string(index ? index->policy : auth::AuthPolicy::automatic))};
    if (std::find(outcome.lock.indexes.begin(), outcome.lock.indexes.end(), entry) == outcome.lock.indexes.end()) {
      outcome.lock.indexes.push_back(std::move(entry));
    }
  }
  // Rewritten only when what the lock means changes (packages, wheels,
  // environments), not for another machine's patch release.
  if (previous && previous->same_content(outcome.lock)) {
    outcome.lock.inputs = previous->inputs;
    outcome.lock.target = previous->target;
    if (!previous->indexes.empty()) outcome.lock.indexes = previous->indexes;
  }
  const std::string text = outcome.lock.serialize(lock_dir.string());
  for (const auto& i : provider.indexes) outcome.build_indexes.emplace_back(i.name, i.url.without_userinfo());
  outcome.build_find_links = provider.find_links;
  outcome.project_directories = project_directories;
  // Their metadata files decide the lock: a build that watches files_read reconfigures when they change.
  for (const auto& dir : project_directories) {
    for (const char* name : {"pyproject.toml", "setup.cfg", "setup.py"}) {
      std::error_code exists_ec;
      if (fs::exists(dir / name, exists_ec)) outcome.files_read.push_back(dir / name);
    }
  }
  // An older lock without [tool.uvauth] indexes or dependencies is completed
  // by a plain `lock` (never counted as a change under --locked).
  outcome.changed = !previous || !previous->same_content(outcome.lock) ||
                    (!a.locked && previous->indexes.empty() && !outcome.lock.indexes.empty()) ||
                    (!a.locked && !previous->has_dependencies && outcome.lock.has_dependencies);
  outcome.had_previous = previous.has_value();
  outcome.changes = lock_changes(previous ? &*previous : nullptr, outcome.lock);
  if (changes_seen) *changes_seen = outcome.changes;
  if (a.locked && outcome.changed) {
    if (!previous) {
      return Error(ErrorKind::resolution, a.output.string() + " does not exist, and --locked forbids creating it")
          .with_hint("run `uvauth lock` without --locked and commit the lock");
    }
    const bool previous_universal = previous->is_universal();
    if (universal != previous_universal) {
      return Error(ErrorKind::resolution, a.output.string() + " is a " + (previous_universal ? "universal" : "single-target") + " lock (" +
                                              escape_nonprintable(previous_universal ? "requires-python " + previous->requires_python
                                                                                     : "for " + previous->target) +
                                              "); a " +
                                              (universal ? "universal" : "single-target") + " one is asked for")
          .with_hint(std::string("run `uvauth lock") + (universal ? " --universal" : " --no-universal") +
                     "` without --locked once (it keeps the lock's pins where it can) and commit the lock");
    }
    return Error(ErrorKind::resolution, a.output.string() + " is out of date: " + difference(*previous, outcome.lock))
        .with_hint("run `uvauth lock` without --locked and commit the lock");
  }
  if (outcome.changed && a.write && !a.dry_run) {
    if (auto written = write_file_atomically(a.output, text, fs::perms::owner_read | fs::perms::owner_write |
                                                                 fs::perms::group_read | fs::perms::others_read);
        !written) {
      return std::move(written).error();
    }
  }
  const auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - start).count();
  char seconds[32];
  std::snprintf(seconds, sizeof seconds, "%.2f", static_cast<double>(ms) / 1000.0);
  outcome.summary = "Resolved " + std::to_string(outcome.lock.packages.size()) + " package" +
                    (outcome.lock.packages.size() == 1 ? "" : "s") + " in " + seconds + "s";
  return outcome;
}

}  // namespace uvauth::app
