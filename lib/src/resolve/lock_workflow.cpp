#include "uvauth/resolve/lock_workflow.hpp"

#include <algorithm>

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
  for (const auto& [project, index] : inputs.provider.pinned_index) lines.push_back("pin " + project + " " + index);
  for (const auto& [project, overrides] : inputs.provider.overrides) {
    for (const auto& o : overrides) lines.push_back("ovr " + o.to_string());
  }
  lines.push_back("env " + lock::environment_marker(inputs.provider.target.markers));
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

}  // namespace

Result<lock::Lock> make_lock(index::IndexClient& client, LockInputs inputs) {
  ResolveOptions options;
  options.environment = inputs.provider.target.markers;
  options.requirements = apply_overrides(inputs.requirements, inputs.provider.overrides);
  options.constraints = inputs.constraints;
  if (inputs.previous && !inputs.upgrade_all) {
    for (const auto& p : inputs.previous->packages) {
      if (!inputs.upgrade.count(p.name)) options.preferences[p.name] = p.version;
    }
  }
  for (const auto& r : inputs.requirements) {
    const std::string name = pep::canonicalize_name(r.name);
    if (r.url) inputs.provider.direct_urls[name] = *r.url;
    for (const auto& s : r.specifier.specifiers()) {
      if (s.names_prerelease()) inputs.provider.explicit_prereleases.insert(name);
      if (s.op() == pep::Operator::equal && !s.is_wildcard()) inputs.provider.exact_pins.insert(name);
    }
  }
  const std::string fingerprint = inputs_fingerprint(inputs);
  IndexProvider provider(client, inputs.provider);
  NoDependencies without_dependencies(provider);
  auto resolution = inputs.no_deps ? resolve(without_dependencies, options) : resolve(provider, options);
  if (!resolution) {
    Error error = std::move(resolution).error();
    for (const auto& index : provider.indexes_with_nothing()) {
      error.with_hint(index + " (a missing or mistyped `/simple`?)");
    }
    for (const auto& index : provider.not_found_with_credentials()) error.with_hint(index);
    return error;
  }

  // An extra the chosen version does not provide is a warning, as in uv and pip.
  for (const auto& r : inputs.requirements) {
    const std::string name = pep::canonicalize_name(r.name);
    for (const auto& p : resolution->packages) {
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
    lock::LockedWheel wheel;
    wheel.name = candidate->file.filename;
    wheel.url = candidate->file.url.with_userinfo_removed().without_userinfo();
    auto sha = candidate->file.sha256();
    std::uint64_t size = candidate->file.size.value_or(0);
    if (!sha) {
      UVAUTH_DEBUG("no hash for " << wheel.name << " on its index; reading the wheel");
      auto hashed = client.hash_of(candidate->file, candidate->index_url);
      if (!hashed) return std::move(hashed).error();
      sha = hashed->first;
      size = hashed->second;
    }
    wheel.sha256 = *sha;
    wheel.size = size;
    if (hash_checking) {
      auto allowed = inputs.hashes.find(p.name);
      if (allowed == inputs.hashes.end() || allowed->second.sha256.empty()) {
        missing.push_back(p.name + "==" + p.version.to_string() + " --hash=sha256:" + *sha);
      } else if (!allowed->second.sha256.count(*sha)) {
        std::string listed;
        for (const auto& h : allowed->second.sha256) listed += (listed.empty() ? "" : ", ") + h;
        return Error(ErrorKind::integrity, "hash mismatch for " + wheel.name + " (" + wheel.url + "): " + allowed->second.origin +
                                               " allows sha256 " + listed + ", the file has " + *sha)
            .with_hint("nothing was locked or installed; check the --hash, or the index serves another file than expected");
      }
    }
    lock::LockedPackage locked{p.name, p.version, candidate->index_url, {wheel}, {}, {}, {}};
    if (!inputs.no_deps) locked.dependencies = dependencies_of(provider, p, *resolution, options.environment);
    out.packages.push_back(std::move(locked));
  }
  if (!missing.empty()) {
    std::string lines;
    for (const auto& m : missing) lines += "\n    " + m;
    return Error(ErrorKind::integrity, std::string("hashes are required") +
                                           (inputs.require_hashes ? " (--require-hashes)" : " (a requirement has --hash)") +
                                           ", but these packages have none:" + lines)
        .with_hint("add the lines above to the requirements (or a constraints file), as pip's hash-checking mode asks");
  }
  return out;
}

}  // namespace uvauth::resolve
