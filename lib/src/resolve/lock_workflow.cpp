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
  std::string text;
  for (const auto& l : lines) text += l + "\n";
  return "sha256:" + Sha256::hex_of(text);
}

Result<lock::Lock> make_lock(index::IndexClient& client, LockInputs inputs) {
  ResolveOptions options;
  options.environment = inputs.provider.target.markers;
  options.requirements = apply_overrides(inputs.requirements, inputs.provider.overrides);
  options.constraints = inputs.constraints;
  if (inputs.previous) {
    for (const auto& p : inputs.previous->packages) options.preferences[p.name] = p.version;
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
  auto resolution = resolve(provider, options);
  if (!resolution) {
    Error error = std::move(resolution).error();
    for (const auto& index : provider.indexes_with_nothing()) {
      error.with_hint(index + " (a missing or mistyped `/simple`?)");
    }
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
    out.packages.push_back(lock::LockedPackage{p.name, p.version, candidate->index_url, {wheel}});
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
