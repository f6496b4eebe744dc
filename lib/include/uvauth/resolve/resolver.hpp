// Dependency resolution with PubGrub (Weizenbaum's algorithm, as in Dart's
// pub and uv): incompatibilities, unit propagation, conflict-driven
// backjumping, and an explanation of failure in plain words.
//
// Packages are projects, or a project with one extra ("a[x]", which
// depends on "a" at the same version). Markers are evaluated against the
// target environment before anything reaches the solver.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/marker_algebra.hpp"
#include "uvauth/pep/markers.hpp"
#include "uvauth/pep/requirement.hpp"
#include "uvauth/pep/version.hpp"

namespace uvauth::resolve {

// What the resolver asks about packages. Implementations fetch from
// indexes; tests answer from memory.
class Provider {
 public:
  virtual ~Provider() = default;
  // The versions of `name` usable for the target, ascending (already
  // filtered for wheels, Requires-Python, yanked and pre-release policy).
  // An error stops the resolution (e.g. an index refused access).
  virtual Result<std::vector<pep::Version>> versions(const std::string& name) = 0;
  // The requirements of `name` at `version` (its Requires-Dist).
  virtual Result<std::vector<pep::Requirement>> requirements(const std::string& name, const pep::Version& version) = 0;
  // Why versions of `name` that exist were left out ("2.0 needs Python >=3.9"),
  // for explanations. Optional.
  virtual std::vector<std::string> excluded(const std::string& /*name*/) { return {}; }
  // Where `name` was looked for and not found ("index 'corp' (URL, 404)"),
  // when no index or find-links location has it at all; empty otherwise.
  virtual std::string not_found(const std::string& /*name*/) { return {}; }
  // A hint that the packages these requirements name will probably be
  // needed soon, in versions the requirements allow.
  virtual void prefetch(const std::vector<pep::Requirement>& /*requirements*/) {}
  // A hint that the requirements of these versions of `name` will probably
  // be asked for soon (the solver is walking down its versions).
  virtual void prefetch_versions(const std::string& /*name*/, const std::vector<pep::Version>& /*versions*/) {}
  // Universal resolution: the Requires-Python of `name` at `version`, and the
  // environments its wheels can be installed in (nullopt: everywhere).
  virtual std::optional<std::string> requires_python(const std::string& /*name*/, const pep::Version& /*version*/) {
    return std::nullopt;
  }
  virtual std::optional<pep::MarkerTree> available_in(const std::string& /*name*/, const pep::Version& /*version*/) {
    return std::nullopt;
  }
};

struct ResolveOptions {
  pep::MarkerEnvironment environment;
  std::vector<pep::Requirement> requirements;  // what the user asked for
  std::vector<pep::Requirement> constraints;   // -c: limit versions, add nothing
  std::map<std::string, pep::Version> preferences;  // canonical name -> version to keep if still allowed (re-locking)
  std::size_t max_steps = 100000;                   // a bound on decisions + conflicts
  // Universal resolution (uv's forking resolver): the part of the marker
  // space this run solves. Markers are then not evaluated but intersected:
  // a requirement counts unless its marker is disjoint with the fork. Where
  // the fork must split (one package required with disjoint markers, a
  // candidate whose Requires-Python starts inside the fork's Python range),
  // the run stops and returns the parts in Resolution::split.
  std::optional<pep::MarkerTree> fork;
  // Universal: preferred versions per project, best first (the first one
  // allowed is taken; after `preferences`).
  std::map<std::string, std::vector<pep::Version>> fork_preferences;
};

struct ResolvedPackage {
  std::string name;  // canonical
  pep::Version version;
  std::vector<std::string> extras;  // extras selected (canonical)
};

// Universal resolution: "from requires to, where marker holds". Keys are
// "" (the root), "name" or "name[extra]".
struct ResolvedEdge {
  std::string from;
  std::string to;
  pep::MarkerTree marker;
};

struct Resolution {
  std::vector<ResolvedPackage> packages;  // sorted by name
  std::vector<ResolvedEdge> edges;        // universal only
  std::vector<pep::MarkerTree> split;     // universal: non-empty when the fork must be solved as these parts instead
};

// An unsatisfiable input gives ErrorKind::resolution with the derivation as
// the message; provider errors are passed through.
Result<Resolution> resolve(Provider& provider, const ResolveOptions& options);

}  // namespace uvauth::resolve
