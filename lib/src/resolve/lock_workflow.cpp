#include "uvauth/resolve/lock_workflow.hpp"

#include <algorithm>
#include <set>

#include "uvauth/pep/tag_markers.hpp"
#include "uvauth/pep/wheel_filename.hpp"

#include "uvauth/git/git.hpp"
#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::resolve {

std::string inputs_fingerprint(const LockInputs& inputs) {
  std::vector<std::string> lines;
  for (const auto& r : inputs.requirements) lines.push_back("req " + r.to_string());
  for (const auto& c : inputs.constraints) lines.push_back("con " + c.to_string());
  std::sort(lines.begin(), lines.end());
  for (const auto& i : inputs.provider.indexes) {
    lines.push_back("idx " + i.name + " " + i.url.with_userinfo_removed().without_userinfo() + (i.is_explicit ? " explicit" : ""));
  }
  for (const auto& f : inputs.provider.find_links) lines.push_back("flk " + f);
  for (const auto& [project, url] : inputs.provider.direct_urls) lines.push_back("url " + project + " " + url);
  for (const auto& project : inputs.provider.editable) lines.push_back("editable " + project);
  for (const auto& f : inputs.source_fingerprints) lines.push_back("src " + f);
  if (inputs.provider.build.no_build) lines.push_back("no-build");
  for (const auto& n : inputs.provider.build.no_build_packages) lines.push_back("no-build " + n);
  if (inputs.provider.build.no_binary_all) lines.push_back("no-binary");
  for (const auto& n : inputs.provider.build.no_binary) lines.push_back("no-binary " + n);
  for (const auto& [project, index] : inputs.provider.pinned_index) lines.push_back("pin " + project + " " + index);
  for (const auto& [project, overrides] : inputs.provider.overrides) {
    for (const auto& o : overrides) lines.push_back("ovr " + o.to_string());
  }
  if (inputs.universal) {
    // The interpreter is no input of a universal lock.
    lines.push_back("universal");
    lines.push_back("rpy " + inputs.requires_python);
    for (const auto& e : inputs.environments) lines.push_back("ens " + e);
    for (const auto& e : inputs.required_environments) lines.push_back("req-env " + e);
  } else {
    lines.push_back("env " + lock::environment_marker(inputs.provider.target.markers));
  }
  lines.push_back("pre " + std::to_string(static_cast<int>(inputs.provider.prereleases)));
  if (inputs.no_deps) lines.push_back("no-deps");
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return "sha256:" + Sha256::hex_of(text);
}

namespace {

// --no-deps: the provider's answers, but no package requires anything.
class NoDependencies final : public Provider {
 public:
  explicit NoDependencies(Provider& inner) : inner_(inner) {}
  Result<std::vector<pep::Version>> versions(const std::string& name) override { return inner_.versions(name); }
  Result<std::vector<pep::Requirement>> requirements(const std::string& /*name*/, const pep::Version& /*version*/) override {
    return std::vector<pep::Requirement>{};
  }
  std::vector<std::string> excluded(const std::string& name) override { return inner_.excluded(name); }
  std::string not_found(const std::string& name) override { return inner_.not_found(name); }
  std::optional<std::string> requires_python(const std::string& name, const pep::Version& version) override {
    return inner_.requires_python(name, version);
  }
  std::optional<pep::MarkerTree> available_in(const std::string& name, const pep::Version& version) override {
    return inner_.available_in(name, version);
  }

 private:
  Provider& inner_;
};

// The locked packages `package` requires on the target: its Requires-Dist
// whose markers hold (for no extra, or one of its selected extras).
std::vector<std::string> dependencies_of(Provider& provider, const ResolvedPackage& package, const Resolution& resolution,
                                         const pep::MarkerEnvironment& environment) {
  std::vector<std::string> out;
  auto requirements = provider.requirements(package.name, package.version);
  if (!requirements) return out;
  for (const auto& r : *requirements) {
    const std::string name = pep::canonicalize_name(r.name);
    if (name == package.name) continue;
    bool applies = !r.marker;
    if (r.marker) {
      std::vector<std::string> contexts{""};
      contexts.insert(contexts.end(), package.extras.begin(), package.extras.end());
      for (const auto& extra : contexts) {
        pep::MarkerContext context;
        context.extra = extra;
        auto value = r.marker->evaluate(environment, context);
        if (value && *value) applies = true;
      }
    }
    if (!applies) continue;
    const bool locked = std::any_of(resolution.packages.begin(), resolution.packages.end(), [&](const auto& p) { return p.name == name; });
    if (locked) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The lock's record of one wheel: its URL without credentials, size and
// sha256 (read from the index, else by reading the file).
Result<lock::LockedWheel> locked_wheel(index::IndexClient& client, const Candidate& candidate) {
  lock::LockedWheel wheel;
  wheel.name = candidate.file.filename;
  wheel.url = candidate.file.url.with_userinfo_removed().without_userinfo();
  auto sha = candidate.file.sha256();
  std::uint64_t size = candidate.file.size.value_or(0);
  if (!sha) {
    UVAUTH_DEBUG("no hash for " << wheel.name << " on its index; reading the wheel");
    auto hashed = client.hash_of(candidate.file, candidate.index_url);
    if (!hashed) return std::move(hashed).error();
    sha = hashed->first;
    size = hashed->second;
  }
  wheel.sha256 = *sha;
  wheel.size = size;
  return wheel;
}

// A source candidate in the lock: [packages.directory] (path absolute here;
// made relative to the lock file when written) or [packages.sdist].
Status add_source(index::IndexClient& client, const Candidate& candidate, lock::LockedPackage& locked) {
  if (!candidate.git_url.empty()) {
    auto ref = git::GitReference::parse(candidate.git_url);
    if (!ref) return std::move(ref).error();
    lock::LockedVcs vcs;
    vcs.url = ref->repository;
    vcs.requested_revision = ref->rev;
    vcs.commit_id = candidate.git_commit;
    vcs.subdirectory = ref->subdirectory;
    locked.vcs = std::move(vcs);
    locked.index.clear();
    return {};
  }
  if (candidate.directory) {
    std::string path = percent_decode(candidate.file.url.path());
    while (path.size() > 1 && path.back() == '/') path.pop_back();
    locked.directory = lock::LockedDirectory{path, candidate.editable};
    locked.index.clear();
    return {};
  }
  UVAUTH_TRY_ASSIGN(auto file, locked_wheel(client, candidate));  // the same hash and size rules as a wheel
  locked.sdist = lock::LockedSdist{file.name, file.url, file.size, file.sha256};
  return {};
}

// Hash-checking mode: the wheel's sha256 must be one its project's lines
// allow; a project without any goes to `missing`.
Status check_hash(const LockInputs& inputs, const std::string& name, const pep::Version& version, const lock::LockedWheel& wheel,
                  std::vector<std::string>& missing) {
  auto allowed = inputs.hashes.find(name);
  if (allowed == inputs.hashes.end() || allowed->second.sha256.empty()) {
    missing.push_back(name + "==" + version.to_string() + " --hash=sha256:" + wheel.sha256);
  } else if (!allowed->second.sha256.count(wheel.sha256)) {
    std::string listed;
    for (const auto& h : allowed->second.sha256) listed += (listed.empty() ? "" : ", ") + h;
    return Error(ErrorKind::integrity, "hash mismatch for " + wheel.name + " (" + wheel.url + "): " + allowed->second.origin +
                                           " allows sha256 " + listed + ", the file has " + wheel.sha256)
        .with_hint("nothing was locked or installed; check the --hash, or the index serves another file than expected");
  }
  return {};
}

Error missing_hashes(const LockInputs& inputs, const std::vector<std::string>& missing) {
  std::string lines;
  for (const auto& m : missing) lines += "\n    " + m;
  return Error(ErrorKind::integrity, std::string("hashes are required") +
                                         (inputs.require_hashes ? " (--require-hashes)" : " (a requirement has --hash)") +
                                         ", but these packages have none:" + lines)
      .with_hint("add the lines above to the requirements (or a constraints file), as pip's hash-checking mode asks");
}

Error with_index_hints(Error error, const IndexProvider& provider) {
  for (const auto& index : provider.indexes_with_nothing()) error.with_hint(index + " (a missing or mistyped `/simple`?)");
  for (const auto& index : provider.not_found_with_credentials()) error.with_hint(index);
  return error;
}

void warn_missing_extras(const LockInputs& inputs, const std::vector<ResolvedPackage>& packages, const IndexProvider& provider) {
  for (const auto& r : inputs.requirements) {
    const std::string name = pep::canonicalize_name(r.name);
    for (const auto& p : packages) {
      if (p.name != name) continue;
      const auto provided = provider.provided_extras(p.name, p.version);
      if (!provided) continue;
      for (const auto& extra : r.extras) {
        const std::string wanted = pep::canonicalize_name(extra);
        if (std::find(provided->begin(), provided->end(), wanted) == provided->end()) {
          UVAUTH_WARN(p.name << " " << p.version.to_string() << " does not provide the extra '" << escape_nonprintable(extra) << "'");
        }
      }
    }
  }
}

std::string project_of(const std::string& key) { return key.substr(0, key.find('[')); }

Result<pep::MarkerTree> parse_marker(const std::string& text, const std::string& what) {
  auto tree = pep::MarkerTree::parse(text);
  if (!tree) return Error(ErrorKind::usage, what + " `" + escape_nonprintable(text) + "`: " + tree.error().message);
  return tree;
}

// One (name, version) of a universal lock: where it applies, what it needs.
struct UniversalEntry {
  std::string name;
  pep::Version version;
  pep::MarkerTree marker = pep::MarkerTree::never();
  std::set<std::string> dependencies;
};

// Where each package of one fork's resolution is needed: the OR over every
// path from the root of (the fork and each requirement's marker).
std::map<std::string, pep::MarkerTree> reachability(const Resolution& resolution, const pep::MarkerTree& fork) {
  std::map<std::string, pep::MarkerTree> reach;
  reach.emplace("", fork);
  for (std::size_t round = 0; round <= resolution.edges.size() + 1; ++round) {
    bool changed = false;
    for (const auto& e : resolution.edges) {
      auto from = reach.find(e.from);
      if (from == reach.end()) continue;
      auto add = from->second.conjoin(e.marker);
      const pep::MarkerTree& added = add ? *add : from->second;  // too complex: the whole fork (safe: wider)
      auto current = reach.find(e.to);
      if (current == reach.end()) {
        if (added.is_false()) continue;
        reach.emplace(e.to, added);
        changed = true;
        continue;
      }
      auto joined = current->second.disjoin(added);
      pep::MarkerTree next = joined ? std::move(joined).value() : fork;
      if (!(next == current->second)) {
        current->second = std::move(next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  return reach;
}

Result<lock::Lock> make_universal_lock(index::IndexClient& client, LockInputs& inputs, ResolveOptions options,
                                       const std::string& fingerprint) {
  inputs.provider.universal = true;
  auto requires_python = pep::MarkerTree::requires_python(inputs.requires_python);
  if (!requires_python) return Error(ErrorKind::usage, requires_python.error().message);
  std::vector<pep::MarkerTree> initial;
  if (inputs.environments.empty()) initial.push_back(*requires_python);
  for (const auto& text : inputs.environments) {
    UVAUTH_TRY_ASSIGN(auto environment, parse_marker(text, "environment"));
    UVAUTH_TRY_ASSIGN(auto within, environment.conjoin(*requires_python));
    if (within.is_false()) {
      return Error(ErrorKind::usage, "the environment `" + escape_nonprintable(text) + "` is empty under requires-python `" +
                                         inputs.requires_python + "`");
    }
    initial.push_back(std::move(within));
  }
  pep::MarkerTree space = pep::MarkerTree::never();
  for (const auto& f : initial) {
    UVAUTH_TRY_ASSIGN(space, space.disjoin(f));
  }
  std::vector<std::pair<std::string, pep::MarkerTree>> required;
  for (const auto& text : inputs.required_environments) {
    UVAUTH_TRY_ASSIGN(auto environment, parse_marker(text, "required environment"));
    UVAUTH_TRY_ASSIGN(auto within, environment.conjoin(space));
    if (within.is_false()) {
      return Error(ErrorKind::usage, "the required environment `" + escape_nonprintable(text) +
                                         "` lies outside the lock's environments (requires-python `" + inputs.requires_python + "`" +
                                         (inputs.environments.empty() ? std::string() : ", environments") + ")");
    }
    required.emplace_back(text, std::move(within));
  }
  // Preferences, as uv keeps them: the previous lock's pins and what each
  // solved fork chose, each with the marker where it holds. A fork tries
  // those whose marker meets it first, then the higher version.
  struct Preference {
    pep::MarkerTree marker;
    std::string name;
    pep::Version version;
  };
  std::vector<Preference> preferences;
  if (inputs.previous && !inputs.upgrade_all) {
    for (const auto& p : inputs.previous->packages) {
      if (inputs.upgrade.count(p.name)) continue;
      auto marker = pep::MarkerTree::parse(p.marker);
      preferences.push_back({marker ? *marker : pep::MarkerTree::always(), p.name, p.version});
    }
  }
  auto ranked_for = [&](const pep::MarkerTree& fork) {
    std::vector<std::pair<bool, const Preference*>> ranked;
    for (const auto& p : preferences) ranked.emplace_back(!p.marker.disjoint(fork), &p);
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) {
      if (a.first != b.first) return a.first;
      return b.second->version < a.second->version;
    });
    std::map<std::string, std::vector<pep::Version>> out;
    for (const auto& [matches, p] : ranked) {
      auto& list = out[p->name];
      if (std::find(list.begin(), list.end(), p->version) == list.end()) list.push_back(p->version);
    }
    return out;
  };

  IndexProvider provider(client, inputs.provider);
  NoDependencies without_dependencies(provider);
  Provider& source = inputs.no_deps ? static_cast<Provider&>(without_dependencies) : provider;
  // As uv: the environments sorted by their lowest Python, solved from the
  // end (the highest Python first; ties: the last declared first).
  std::vector<pep::MarkerTree> stack = initial;
  std::stable_sort(stack.begin(), stack.end(), [](const pep::MarkerTree& a, const pep::MarkerTree& b) {
    const auto ra = a.python_range();
    const auto rb = b.python_range();
    const auto low = [](const pep::VersionRanges& r) { return r.empty() ? pep::VersionRanges::Cut{} : r.intervals().front().low; };
    return low(ra) < low(rb);
  });
  std::vector<std::pair<pep::MarkerTree, Resolution>> solved;
  for (std::size_t forks = 0; !stack.empty(); ++forks) {
    if (forks > 256) return Error(ErrorKind::resolution, "the universal resolution needed more than 256 forks");
    pep::MarkerTree fork = std::move(stack.back());
    stack.pop_back();
    ResolveOptions o = options;
    o.fork = fork;
    o.preferences.clear();
    o.fork_preferences = ranked_for(fork);
    auto resolution = resolve(source, o);
    if (!resolution) {
      Error error = std::move(resolution).error();
      const std::string where = fork.simplified_within(*requires_python).to_string();
      if (!where.empty() && error.kind == ErrorKind::resolution) error.with_hint("in the split of the environments where `" + where + "`");
      return with_index_hints(std::move(error), provider);
    }
    if (!resolution->split.empty()) {
      for (auto it = resolution->split.rbegin(); it != resolution->split.rend(); ++it) stack.push_back(std::move(*it));
      continue;
    }
    for (const auto& p : resolution->packages) preferences.push_back({fork, p.name, p.version});
    UVAUTH_DEBUG("solved `" << fork.to_string() << "`: " << resolution->packages.size() << " packages");
    solved.emplace_back(std::move(fork), std::move(resolution).value());
  }

  std::map<std::pair<std::string, pep::Version>, UniversalEntry> entries;
  std::vector<ResolvedPackage> all;
  for (const auto& [fork, resolution] : solved) {
    const auto reach = reachability(resolution, fork);
    for (const auto& p : resolution.packages) {
      all.push_back(p);
      auto& entry = entries[{p.name, p.version}];
      entry.name = p.name;
      entry.version = p.version;
      pep::MarkerTree here = pep::MarkerTree::never();
      for (const auto& [key, marker] : reach) {
        if (key.empty() || project_of(key) != p.name) continue;
        auto joined = here.disjoin(marker);
        here = joined ? std::move(joined).value() : fork;
      }
      if (here.is_false() && !resolution.edges.empty()) {
        // Resolved, but on no path that can hold (`a; win32` needing `b; linux`): not locked.
        if (entry.marker.is_false()) entries.erase({p.name, p.version});
        continue;
      }
      if (here.is_false()) here = fork;
      auto joined = entry.marker.disjoin(here);
      entry.marker = joined ? std::move(joined).value() : pep::MarkerTree::always();
      for (const auto& e : resolution.edges) {
        if (e.from.empty() || project_of(e.from) != p.name || project_of(e.to) == p.name) continue;
        const auto from = reach.find(e.from);
        if (from == reach.end()) continue;
        if (from->second.disjoint(e.marker)) continue;  // a dependency on no path that holds
        entry.dependencies.insert(project_of(e.to));
      }
    }
  }
  warn_missing_extras(inputs, all, provider);

  lock::Lock out;
  out.requires_python = inputs.requires_python;
  out.environments = inputs.environments;
  out.inputs = fingerprint;
  out.target = "universal (requires-python " + inputs.requires_python + ")";
  for (const auto& r : inputs.requirements) out.requested.push_back(pep::canonicalize_name(r.name));
  const bool hash_checking = inputs.require_hashes || !inputs.hashes.empty();
  std::vector<std::string> missing;
  for (auto& [key, entry] : entries) {
    auto representative = provider.candidate(entry.name, entry.version);
    if (!representative) return Error(ErrorKind::resolution, "internal: no wheel recorded for " + entry.name + "==" + entry.version.to_string());
    UVAUTH_TRY_ASSIGN(auto within, entry.marker.conjoin(space));
    // Every wheel of the version that some environment of the entry can install.
    std::vector<std::pair<Candidate, pep::MarkerTree>> usable;
    for (const auto& c : provider.wheels(entry.name, entry.version)) {
      auto parsed = pep::WheelFilename::parse(c.file.filename);
      const pep::MarkerTree where = parsed ? pep::wheel_marker(parsed->tags) : pep::MarkerTree::always();
      if (!where.disjoint(within)) usable.emplace_back(c, where);
    }
    if (usable.empty()) usable.emplace_back(*representative, pep::MarkerTree::always());
    for (const auto& [environment_text, environment] : required) {
      auto here = within.conjoin(environment);
      if (!here || here->is_false()) continue;
      const bool covered = representative->is_source() || provider.sdist(entry.name, entry.version).has_value() ||
                           std::any_of(usable.begin(), usable.end(), [&](const auto& u) { return !u.second.disjoint(*here); });
      if (!covered) {
        std::string names;
        for (const auto& u : usable) names += (names.empty() ? "" : ", ") + u.first.file.filename;
        return Error(ErrorKind::resolution, entry.name + "==" + entry.version.to_string() + " has no wheel for the required environment `" +
                                                escape_nonprintable(environment_text) + "` (its wheels: " + names + ")")
            .with_hint("pin a version of " + entry.name + " that has one, or remove the environment from the required ones");
      }
    }
    lock::LockedPackage locked;
    locked.name = entry.name;
    locked.version = entry.version;
    locked.index = representative->index_url;
    for (const auto& [candidate, where] : usable) {
      if (candidate.is_source()) continue;
      UVAUTH_TRY_ASSIGN(auto wheel, locked_wheel(client, candidate));
      if (hash_checking) UVAUTH_TRY(check_hash(inputs, entry.name, entry.version, wheel, missing));
      locked.wheels.push_back(std::move(wheel));
    }
    // The sdist too (uv records it): environments without a wheel build it.
    if (representative->is_source()) {
      UVAUTH_TRY(add_source(client, *representative, locked));
    } else if (auto sdist = provider.sdist(entry.name, entry.version)) {
      UVAUTH_TRY(add_source(client, *sdist, locked));
    }
    if (hash_checking && locked.sdist) {
      UVAUTH_TRY(check_hash(inputs, entry.name, entry.version, lock::LockedWheel{locked.sdist->name, locked.sdist->url, locked.sdist->size,
                                                                                 locked.sdist->sha256}, missing));
    }
    if (!space.implies(entry.marker)) locked.marker = entry.marker.simplified_within(space).to_string();
    if (auto rp = provider.requires_python(entry.name, entry.version)) locked.requires_python = *rp;
    if (!inputs.no_deps) locked.dependencies.assign(entry.dependencies.begin(), entry.dependencies.end());
    out.packages.push_back(std::move(locked));
  }
  if (!missing.empty()) return missing_hashes(inputs, missing);
  return out;
}

}  // namespace

Result<lock::Lock> make_lock(index::IndexClient& client, LockInputs inputs) {
  ResolveOptions options;
  options.environment = inputs.provider.target.markers;
  options.requirements = apply_overrides(inputs.requirements, inputs.provider.overrides);
  options.constraints = inputs.constraints;
  inputs.provider.constraints = inputs.constraints;
  if (inputs.previous && !inputs.upgrade_all) {
    for (const auto& p : inputs.previous->packages) {
      if (inputs.upgrade.count(p.name)) continue;
      options.preferences[p.name] = p.version;
      inputs.provider.preferences[p.name] = p.version;
      if (p.vcs) inputs.provider.git_pins[p.name] = {p.vcs->requirement_url(), p.vcs->commit_id};
    }
  }
  for (const auto& r : inputs.requirements) {
    const std::string name = pep::canonicalize_name(r.name);
    if (r.url) inputs.provider.direct_urls[name] = *r.url;
    if (r.editable) inputs.provider.editable.insert(name);
    for (const auto& s : r.specifier.specifiers()) {
      if (s.names_prerelease()) inputs.provider.explicit_prereleases.insert(name);
      if (s.op() == pep::Operator::equal && !s.is_wildcard()) inputs.provider.exact_pins.insert(name);
    }
  }
  const std::string fingerprint = inputs_fingerprint(inputs);
  if (inputs.universal) return make_universal_lock(client, inputs, std::move(options), fingerprint);
  IndexProvider provider(client, inputs.provider);
  NoDependencies without_dependencies(provider);
  auto resolution = inputs.no_deps ? resolve(without_dependencies, options) : resolve(provider, options);
  if (!resolution) return with_index_hints(std::move(resolution).error(), provider);
  // An extra the chosen version does not provide is a warning, as in uv and pip.
  warn_missing_extras(inputs, resolution->packages, provider);

  lock::Lock out;
  out.requires_python = "==" + std::to_string(inputs.provider.target.interpreter.major) + "." +
                        std::to_string(inputs.provider.target.interpreter.minor) + ".*";
  out.environments = {lock::environment_marker(inputs.provider.target.markers)};
  out.inputs = fingerprint;
  out.target = inputs.provider.target.description;
  for (const auto& r : inputs.requirements) out.requested.push_back(pep::canonicalize_name(r.name));
  const bool hash_checking = inputs.require_hashes || !inputs.hashes.empty();
  std::vector<std::string> missing;  // packages without a hash, in hash-checking mode
  for (const auto& p : resolution->packages) {
    auto candidate = provider.candidate(p.name, p.version);
    if (!candidate) return Error(ErrorKind::resolution, "internal: no wheel recorded for " + p.name + "==" + p.version.to_string());
    lock::LockedPackage locked;
    locked.name = p.name;
    locked.version = p.version;
    locked.index = candidate->index_url;
    if (candidate->is_source()) {
      UVAUTH_TRY(add_source(client, *candidate, locked));
      if (hash_checking && locked.sdist) {
        UVAUTH_TRY(check_hash(inputs, p.name, p.version, lock::LockedWheel{locked.sdist->name, locked.sdist->url, locked.sdist->size,
                                                                           locked.sdist->sha256}, missing));
      }
    } else {
      UVAUTH_TRY_ASSIGN(auto wheel, locked_wheel(client, *candidate));
      if (hash_checking) UVAUTH_TRY(check_hash(inputs, p.name, p.version, wheel, missing));
      locked.wheels.push_back(std::move(wheel));
    }
    if (!inputs.no_deps) locked.dependencies = dependencies_of(provider, p, *resolution, options.environment);
    out.packages.push_back(std::move(locked));
  }
  if (!missing.empty()) return missing_hashes(inputs, missing);
  return out;
}

}  // namespace uvauth::resolve
