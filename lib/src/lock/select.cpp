#include "uvauth/lock/select.hpp"

#include <map>

#include "uvauth/pep/specifiers.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/text.hpp"

namespace uvauth::lock {
namespace {

std::string entry_label(const LockedPackage& p) {
  return p.name + " " + p.version.to_string() + (p.marker.empty() ? std::string() : " (marker `" + escape_nonprintable(p.marker) + "`)");
}

}  // namespace

Result<Lock> select_for_target(const Lock& lock, const pep::Target& target, const std::string& source) {
  UVAUTH_TRY(lock.check_target(target.markers, source));
  const pep::Version python = target.python_full_version();
  if (!lock.requires_python.empty()) {
    auto spec = pep::SpecifierSet::parse(lock.requires_python);
    if (!spec) return Error(ErrorKind::parse, source + ": requires-python `" + escape_nonprintable(lock.requires_python) + "`: " + spec.error().message);
    if (!spec->contains(python, true)) {
      return Error(ErrorKind::resolution, source + " requires Python " + escape_nonprintable(lock.requires_python) + "; the target is " +
                                              target.description)
          .with_hint("use a Python the lock covers, or lock again for this one");
    }
  }
  pep::MarkerContext context;
  context.extras = std::set<std::string>{};
  context.dependency_groups = std::set<std::string>(lock.default_groups.begin(), lock.default_groups.end());

  const pep::TagPriority priority(pep::compatible_tags(target.interpreter));
  Lock out = lock;
  out.packages.clear();
  std::map<std::string, const LockedPackage*> chosen;
  for (const auto& p : lock.packages) {
    if (!p.marker.empty()) {
      auto marker = pep::Marker::parse(p.marker);
      if (!marker) return Error(ErrorKind::parse, source + ": the marker of " + p.name + ": " + marker.error().message);
      auto holds = marker->evaluate(target.markers, context);
      if (!holds) {
        return Error(ErrorKind::parse, source + ": the marker of " + entry_label(p) + " cannot be evaluated for " +
                                           target.description + ": " + holds.error().message);
      }
      if (!*holds) continue;
    }
    if (auto [it, fresh] = chosen.emplace(p.name, &p); !fresh) {
      return Error(ErrorKind::resolution, source + ": two entries of " + p.name + " apply to " + target.description + ": " +
                                              entry_label(*it->second) + " and " + entry_label(p))
          .with_hint("a lock's entries for one name need markers that do not overlap; lock again");
    }
    if (!p.requires_python.empty()) {
      auto spec = pep::SpecifierSet::parse(p.requires_python);
      if (spec && !spec->contains(python, true)) {
        return Error(ErrorKind::resolution, source + ": " + entry_label(p) + " requires Python " +
                                                escape_nonprintable(p.requires_python) + "; the target is " + target.description);
      }
    }
    // The best wheel for the target's tags; ties keep the lock's order.
    std::optional<std::size_t> best_rank;
    const LockedWheel* best = nullptr;
    for (const auto& w : p.wheels) {
      auto filename = pep::WheelFilename::parse(w.name);
      if (!filename) {
        // Not skipped: a lock entry that cannot be read is refused.
        return Error(ErrorKind::parse, source + ": wheel `" + escape_nonprintable(w.name) + "` of " + entry_label(p) +
                                           " is not a wheel file name: " + filename.error().message);
      }
      auto rank = priority.best(filename->tags);
      if (rank && (!best_rank || *rank < *best_rank)) {
        best_rank = rank;
        best = &w;
      }
    }
    if (!best && (p.sdist || p.directory || p.vcs)) {
      // Built at install time (or taken from the cache of built wheels).
      LockedPackage selected = p;
      selected.wheels.clear();
      out.packages.push_back(std::move(selected));
      continue;
    }
    if (!best) {
      std::string names;
      for (std::size_t i = 0; i < p.wheels.size() && i < 12; ++i) names += (i ? ", " : "") + escape_nonprintable(p.wheels[i].name);
      if (p.wheels.size() > 12) names += ", and " + std::to_string(p.wheels.size() - 12) + " more";
      return Error(ErrorKind::resolution, source + ": " + p.name + " " + p.version.to_string() + " has no wheel for " +
                                              target.description + "; the lock has: " + names)
          .with_hint("lock again with this target among the environments, or choose a target the lock's wheels cover");
    }
    LockedPackage selected = p;
    selected.wheels = {*best};
    out.packages.push_back(std::move(selected));
  }
  return out;
}

}  // namespace uvauth::lock
