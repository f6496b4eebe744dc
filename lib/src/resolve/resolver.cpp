#include "uvauth/resolve/resolver.hpp"

#include <algorithm>
#include <cstdint>
#include <tuple>
#include <set>

#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/resolve/version_set.hpp"

namespace uvauth::resolve {
namespace {

constexpr int root_package = 0;

struct Package {
  std::string key;      // "a", "a[x]", or "" for the root
  std::string project;  // canonical project name
  std::string extra;    // canonical extra or ""
  std::vector<pep::Version> versions;
  bool loaded = false;
};

struct Term {
  int package = 0;
  bool positive = true;
  VersionSet set;
};

Term negate(const Term& t) { return Term{t.package, !t.positive, t.set}; }

// The term that holds when both hold (same package).
Term intersect(const Term& a, const Term& b) {
  if (a.positive && b.positive) return Term{a.package, true, a.set.intersect(b.set)};
  if (a.positive) return Term{a.package, true, a.set.intersect(b.set.complement())};
  if (b.positive) return Term{a.package, true, b.set.intersect(a.set.complement())};
  return Term{a.package, false, a.set.unite(b.set)};
}

bool is_empty(const Term& t) { return t.positive && t.set.empty(); }

// Every selection allowed by `a` is allowed by `b`.
bool subset(const Term& a, const Term& b) {
  if (a.positive && b.positive) return a.set.subset_of(b.set);
  if (a.positive) return a.set.disjoint(b.set);
  if (b.positive) return false;  // `a` allows "not selected", `b` does not
  return b.set.subset_of(a.set);
}

// No selection is allowed by both.
bool disjoint(const Term& a, const Term& b) {
  if (a.positive && b.positive) return a.set.disjoint(b.set);
  if (a.positive) return a.set.subset_of(b.set);
  if (b.positive) return b.set.subset_of(a.set);
  return false;
}

enum class Cause { root, dependency, no_versions, unavailable, constraint, derived };

struct Incompatibility {
  std::vector<Term> terms;
  Cause cause = Cause::derived;
  int left = -1;  // derived from
  int right = -1;
  std::string text;  // dependency/constraint: the requirement; unavailable: the reason
  int dependent = -1;  // dependency: the package that depends
  std::size_t dependent_version = 0;
};

struct Assignment {
  Term term;
  int level = 0;
  int cause = -1;  // incompatibility; -1 for a decision
  [[nodiscard]] bool decision() const { return cause < 0; }
};

struct Failure {
  int incompatibility;
};

struct ProviderError {
  Error error;
};

struct Split {
  std::vector<pep::MarkerTree> parts;
};

constexpr std::size_t max_fork_parts = 32;

class Solver {
 public:
  Solver(Provider& provider, const ResolveOptions& options) : provider_(provider), options_(options) {
    Package root;
    root.versions = {pep::Version::from("0")};
    root.loaded = true;
    packages_.push_back(std::move(root));
  }

  Result<Resolution> run() {
    try {
      add({Term{root_package, false, VersionSet::all(1)}}, Cause::root);
      int next = root_package;
      for (std::size_t step = 0;; ++step) {
        if (step > options_.max_steps) {
          return Error(ErrorKind::resolution, "resolution gave up after " + std::to_string(options_.max_steps) + " steps");
        }
        propagate(next);
        auto chosen = choose();
        if (!chosen) break;
        next = *chosen;
      }
    } catch (const Failure& failure) {
      return Error(ErrorKind::resolution, explain(failure.incompatibility));
    } catch (ProviderError& e) {
      return std::move(e.error);
    } catch (Split& split) {
      Resolution r;
      r.split = std::move(split.parts);
      return r;
    }
    return solution();
  }

 private:
  // ---- packages ----------------------------------------------------------
  int package_id(const std::string& project, const std::string& extra) {
    const std::string key = extra.empty() ? project : project + "[" + extra + "]";
    if (auto it = ids_.find(key); it != ids_.end()) return it->second;
    Package p;
    p.key = key;
    p.project = project;
    p.extra = extra;
    packages_.push_back(std::move(p));
    const int id = static_cast<int>(packages_.size() - 1);
    ids_[key] = id;
    return id;
  }

  Package& load(int id) {
    Package& p = packages_[static_cast<std::size_t>(id)];
    if (p.loaded) return p;
    auto versions = provider_.versions(p.project);
    if (!versions) throw ProviderError{std::move(versions).error()};
    Package& loaded = packages_[static_cast<std::size_t>(id)];
    loaded.versions = std::move(versions).value();
    loaded.loaded = true;
    for (const auto& c : options_.constraints) {
      if (pep::canonicalize_name(c.name) != loaded.project || !applies(c, "")) continue;
      const VersionSet allowed = matching(id, c);
      if (!allowed.full()) add({Term{id, true, allowed.complement()}}, Cause::constraint, c.to_string());
    }
    return packages_[static_cast<std::size_t>(id)];
  }

  VersionSet matching(int id, const pep::Requirement& r) {
    const Package& p = load(id);
    VersionSet set = VersionSet::none(p.versions.size());
    for (std::size_t i = 0; i < p.versions.size(); ++i) {
      if (r.specifier.contains(p.versions[i], true)) set.insert(i);
    }
    return set;
  }

  // Universal: the requirement's marker for `extra`, intersected with nothing
  // (always when it cannot be read: counting a requirement is the safe side).
  pep::MarkerTree requirement_marker(const pep::Requirement& r, const std::string& extra) const {
    if (!r.marker) return pep::MarkerTree::always();
    auto tree = pep::MarkerTree::from(*r.marker);
    if (!tree) {
      UVAUTH_DEBUG("the marker of " << r.to_string() << " counts everywhere: " << tree.error().message);
      return pep::MarkerTree::always();
    }
    return tree->with_extra(extra);
  }

  bool applies(const pep::Requirement& r, const std::string& extra) const {
    if (options_.fork) {
      if (!r.marker) return extra.empty();
      return !requirement_marker(r, extra).disjoint(*options_.fork);
    }
    if (!r.marker) return extra.empty();
    pep::MarkerContext context;
    context.extra = extra;
    auto value = r.marker->evaluate(options_.environment, context);
    if (!value) {
      UVAUTH_DEBUG("ignoring " << r.to_string() << ": " << value.error().message);
      return false;
    }
    return *value;
  }

  // ---- incompatibilities -------------------------------------------------
  int add(std::vector<Term> terms, Cause cause, std::string text = {}, int left = -1, int right = -1) {
    // Merge terms of one package; drop vacuous ones (a negative empty set holds always).
    std::vector<Term> merged;
    for (auto& t : terms) {
      auto it = std::find_if(merged.begin(), merged.end(), [&](const Term& m) { return m.package == t.package; });
      if (it == merged.end()) {
        merged.push_back(std::move(t));
      } else {
        *it = intersect(*it, t);
      }
    }
    std::erase_if(merged, [](const Term& t) { return !t.positive && t.set.empty(); });
    Incompatibility incompatibility;
    incompatibility.terms = std::move(merged);
    incompatibility.cause = cause;
    incompatibility.text = std::move(text);
    incompatibility.left = left;
    incompatibility.right = right;
    incompatibilities_.push_back(std::move(incompatibility));
    const int id = static_cast<int>(incompatibilities_.size() - 1);
    for (const auto& t : incompatibilities_.back().terms) by_package_[t.package].push_back(id);
    return id;
  }

  // ---- partial solution --------------------------------------------------
  Term accumulated(int package) const {
    if (auto it = accumulated_.find(package); it != accumulated_.end()) return it->second;
    return Term{package, false, VersionSet::none(packages_[static_cast<std::size_t>(package)].versions.size())};
  }

  void assign(Term term, int cause) {
    const int package = term.package;
    auto it = accumulated_.find(package);
    accumulated_[package] = it == accumulated_.end() ? term : intersect(it->second, term);
    assignments_.push_back(Assignment{std::move(term), level_, cause});
  }

  void backtrack(int level) {
    while (!assignments_.empty() && assignments_.back().level > level) assignments_.pop_back();
    level_ = level;
    accumulated_.clear();
    decided_.clear();
    for (const auto& a : assignments_) {
      if (a.decision()) decided_[a.term.package] = *a.term.set.highest();
      auto it = accumulated_.find(a.term.package);
      accumulated_[a.term.package] = it == accumulated_.end() ? a.term : intersect(it->second, a.term);
    }
  }

  // -1: contradicted; -2: satisfied; -3: inconclusive; else the index of the one unsatisfied term.
  int relation(const Incompatibility& incompatibility) const {
    int unsatisfied = -1;
    for (std::size_t i = 0; i < incompatibility.terms.size(); ++i) {
      const Term& t = incompatibility.terms[i];
      const Term acc = accumulated(t.package);
      if (subset(acc, t)) continue;
      if (disjoint(acc, t)) return -1;
      if (unsatisfied >= 0) return -3;
      unsatisfied = static_cast<int>(i);
    }
    return unsatisfied >= 0 ? unsatisfied : -2;
  }

  void propagate(int package) {
    std::vector<int> changed{package};
    while (!changed.empty()) {
      const int p = changed.back();
      changed.pop_back();
      const std::vector<int> candidates = by_package_[p];
      for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
        int id = *it;
        int rel = relation(incompatibilities_[static_cast<std::size_t>(id)]);
        if (rel == -2) {
          id = resolve_conflict(id);
          rel = relation(incompatibilities_[static_cast<std::size_t>(id)]);
          if (rel < 0) throw Failure{id};  // cannot happen after a correct backjump
          const Term t = incompatibilities_[static_cast<std::size_t>(id)].terms[static_cast<std::size_t>(rel)];
          assign(negate(t), id);
          changed.assign(1, t.package);
          break;
        }
        if (rel >= 0) {
          const Term t = incompatibilities_[static_cast<std::size_t>(id)].terms[static_cast<std::size_t>(rel)];
          assign(negate(t), id);
          changed.push_back(t.package);
        }
      }
    }
  }

  // The index of the first assignment after which the partial solution
  // satisfies `term` (-1 if it already does with none).
  int satisfier(const Term& term) const {
    Term acc{term.package, false, VersionSet::none(packages_[static_cast<std::size_t>(term.package)].versions.size())};
    if (subset(acc, term)) return -1;
    for (std::size_t i = 0; i < assignments_.size(); ++i) {
      if (assignments_[i].term.package != term.package) continue;
      acc = intersect(acc, assignments_[i].term);
      if (subset(acc, term)) return static_cast<int>(i);
    }
    return static_cast<int>(assignments_.size());  // not satisfied (should not happen)
  }

  bool is_failure(const Incompatibility& i) const {
    return i.terms.empty() || (i.terms.size() == 1 && i.terms[0].package == root_package && i.terms[0].positive);
  }

  int resolve_conflict(int id) {
    for (std::size_t guard = 0; guard < 100000; ++guard) {
      const Incompatibility incompatibility = incompatibilities_[static_cast<std::size_t>(id)];
      if (is_failure(incompatibility)) throw Failure{id};
      int most_recent = -2;
      std::size_t term_index = 0;
      int previous_level = 0;
      for (std::size_t i = 0; i < incompatibility.terms.size(); ++i) {
        const int s = satisfier(incompatibility.terms[i]);
        if (s > most_recent) {
          if (most_recent >= 0) previous_level = std::max(previous_level, assignments_[static_cast<std::size_t>(most_recent)].level);
          most_recent = s;
          term_index = i;
        } else if (s >= 0) {
          previous_level = std::max(previous_level, assignments_[static_cast<std::size_t>(s)].level);
        }
      }
      if (most_recent < 0 || most_recent >= static_cast<int>(assignments_.size())) throw Failure{id};
      const Assignment& sat = assignments_[static_cast<std::size_t>(most_recent)];
      const Term& term = incompatibility.terms[term_index];
      const Term difference = intersect(sat.term, negate(term));
      if (!is_empty(difference)) {
        const int previous = satisfier(negate(difference));
        if (previous >= 0 && previous < static_cast<int>(assignments_.size())) {
          previous_level = std::max(previous_level, assignments_[static_cast<std::size_t>(previous)].level);
        }
      }
      if (sat.decision() || previous_level != sat.level) {
        backtrack(previous_level);
        return id;
      }
      std::vector<Term> terms;
      for (const auto& t : incompatibility.terms) {
        if (t.package != term.package) terms.push_back(t);
      }
      for (const auto& t : incompatibilities_[static_cast<std::size_t>(sat.cause)].terms) {
        if (t.package != sat.term.package) terms.push_back(t);
      }
      if (!is_empty(difference)) terms.push_back(negate(difference));
      id = add(std::move(terms), Cause::derived, {}, id, sat.cause);
    }
    throw Failure{id};
  }

  // ---- decisions ---------------------------------------------------------
  std::optional<int> choose() {
    // uv's priorities: direct URLs, then `==` pins, then packages often
    // rejected, then those often the culprit, then the rest; in each, the
    // project discovered first, then (extras) the package discovered first.
    int best = -1;
    std::tuple<int, std::size_t, std::size_t> best_rank{0, 0, 0};
    for (const auto& [package, term] : accumulated_) {
      if (!term.positive || decided_.count(package)) continue;
      const auto priority = priority_.find(packages_[static_cast<std::size_t>(package)].project);
      const auto tiebreak = package_order_.find(package);
      const std::tuple<int, std::size_t, std::size_t> rank{
          priority == priority_.end() ? 0 : -static_cast<int>(priority->second.category),
          priority == priority_.end() ? SIZE_MAX : priority->second.index, tiebreak == package_order_.end() ? SIZE_MAX : tiebreak->second};
      if (best < 0 || rank < best_rank) {
        best = package;
        best_rank = rank;
      }
    }
    if (best < 0) return std::nullopt;
    const Term allowed = accumulated(best);
    if (allowed.set.empty()) {
      add({allowed}, Cause::no_versions);
      return best;
    }
    const auto picked = pick(best, allowed.set);
    if (!picked) return best;  // that version was ruled out for this fork; propagate and choose again
    const std::size_t version = *picked;
    auto dependencies = dependencies_of(best, version);
    if (!dependencies) {
      add({Term{best, true, VersionSet::only(allowed.set.universe(), version)}}, Cause::unavailable,
          dependencies.error().message);
      return best;
    }
    bool conflict = false;
    std::vector<int> culprits;
    for (int id : *dependencies) {
      const Incompatibility& i = incompatibilities_[static_cast<std::size_t>(id)];
      bool others_satisfied = true;
      for (const auto& t : i.terms) {
        if (t.package == best) continue;
        others_satisfied = others_satisfied && subset(accumulated(t.package), t);
      }
      conflict = conflict || others_satisfied;
      if (!others_satisfied) continue;
      for (const auto& t : i.terms) {
        if (packages_[static_cast<std::size_t>(t.package)].project != packages_[static_cast<std::size_t>(best)].project) {
          culprits.push_back(t.package);
        }
      }
    }
    if (conflict && !culprits.empty()) record_conflict(best, culprits);
    UVAUTH_TRACE("resolver: " << (conflict ? "rejected " : "selected ") << packages_[static_cast<std::size_t>(best)].key << "=="
                              << packages_[static_cast<std::size_t>(best)].versions[version].to_string());
    if (!conflict) {
      ++level_;
      decided_[best] = version;
      assign(Term{best, true, VersionSet::only(allowed.set.universe(), version)}, -1);
    }
    return best;
  }

  // Packages are ranked in the order they are discovered as dependencies
  // (uv's order: in a universal resolution, one package's dependencies by
  // name, as uv groups them to fork).
  void register_priorities(const std::vector<std::pair<pep::Requirement, std::string>>& kept) {
    std::vector<std::size_t> order(kept.size());
    for (std::size_t k = 0; k < order.size(); ++k) order[k] = k;
    if (options_.fork) {
      std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
        return pep::canonicalize_name(kept[a].first.name) < pep::canonicalize_name(kept[b].first.name);
      });
    }
    for (std::size_t k : order) {
      const auto& [r, extra] = kept[k];
      const std::string project = pep::canonicalize_name(r.name);
      package_order_.emplace(package_id(project, ""), package_order_.size());
      package_order_.emplace(package_id(project, extra), package_order_.size());
      const auto& specifiers = r.specifier.specifiers();
      const bool singleton = specifiers.size() == 1 && !specifiers.front().is_wildcard() &&
                             (specifiers.front().op() == pep::Operator::equal || specifiers.front().op() == pep::Operator::arbitrary);
      const Category category = r.url ? Category::direct_url : singleton ? Category::singleton : Category::unspecified;
      auto [it, inserted] = priority_.emplace(project, Priority{category, priority_.size()});
      if (inserted) continue;
      const bool conflicted = it->second.category == Category::conflict_early || it->second.category == Category::conflict_late;
      if (category == Category::unspecified && conflicted) continue;  // as uv: no seesaw back
      it->second.category = std::max(it->second.category, category);
    }
  }

  // As uv: a package whose versions were rejected five times because of
  // others' decisions is decided earlier; one whose decision was the culprit
  // five times is decided later and that decision undone, so a resolution
  // does not walk down every version of one package (packse
  // wrong-backtracking-*).
  static constexpr std::size_t conflict_threshold = 5;
  void record_conflict(int affected, const std::vector<int>& culprits) {
    std::optional<int> undo;
    auto priority_of = [&](int package) -> Priority& {
      const std::string& project = packages_[static_cast<std::size_t>(package)].project;
      return priority_.emplace(project, Priority{Category::unspecified, priority_.size()}).first->second;
    };
    for (int culprit : culprits) {
      if (++culprit_count_[culprit] != conflict_threshold) continue;
      Priority& priority = priority_of(culprit);
      if (priority.category == Category::conflict_late || priority.category == Category::conflict_early) continue;
      priority.category = Category::conflict_late;
      if (decided_.count(culprit)) undo = culprit;
    }
    if (++affected_count_[affected] == conflict_threshold) priority_of(affected).category = Category::conflict_early;
    if (!undo) return;
    for (const auto& a : assignments_) {
      if (a.decision() && a.term.package == *undo) {
        UVAUTH_DEBUG(packages_[static_cast<std::size_t>(*undo)].key << " conflicted too often: deciding it later");
        backtrack(a.level - 1);
        return;
      }
    }
  }

  // As uv's batch prefetcher: a package whose versions are being walked
  // down (picked a third time) has the metadata of its next allowed
  // versions fetched side by side, in growing batches (8, 16, ... 64).
  void prefetch_below(int package, const VersionSet& allowed, std::size_t chosen) {
    if (package == root_package) return;
    auto& state = walks_[package];
    if (++state.picks < 3) return;
    const std::size_t batch = std::min<std::size_t>(64, std::size_t{8} << std::min<std::size_t>(state.batches, 3));
    const Package& p = packages_[static_cast<std::size_t>(package)];
    std::vector<pep::Version> next;
    for (std::size_t i = chosen; i-- > 0 && next.size() < batch;) {
      if (allowed.contains(i) && (!state.below || i < *state.below)) next.push_back(p.versions[i]);
    }
    if (next.empty()) return;
    // Only when the last batch is nearly used up.
    if (state.below && chosen > *state.below + batch / 4) return;
    std::size_t lowest = chosen;
    for (std::size_t i = chosen; i-- > 0;) {
      if (p.versions[i] == next.back()) {
        lowest = i;
        break;
      }
    }
    state.below = lowest;
    ++state.batches;
    provider_.prefetch_versions(p.project, next);
  }

  std::optional<std::size_t> pick(int package, const VersionSet& allowed) {
    const Package& p = packages_[static_cast<std::size_t>(package)];
    std::optional<std::size_t> chosen;
    auto preferred = [&](const pep::Version& wanted) {
      for (std::size_t i = 0; i < p.versions.size(); ++i) {
        if (allowed.contains(i) && p.versions[i] == wanted) chosen = i;
      }
    };
    if (auto it = options_.preferences.find(p.project); it != options_.preferences.end()) preferred(it->second);
    if (auto it = options_.fork_preferences.find(p.project); !chosen && it != options_.fork_preferences.end()) {
      for (const auto& wanted : it->second) {
        preferred(wanted);
        if (chosen) break;
      }
    }
    if (!chosen) chosen = *allowed.highest();
    prefetch_below(package, allowed, *chosen);
    if (!options_.fork || package == root_package) return chosen;
    // Universal: the version must be usable in the whole fork, or the fork splits.
    const pep::Version& version = p.versions[*chosen];
    const pep::MarkerTree& fork = *options_.fork;
    if (auto rp = provider_.requires_python(p.project, version)) {
      auto needs = pep::MarkerTree::requires_python(*rp);
      if (needs) {
        auto inside = fork.conjoin(*needs);
        if (inside && inside->is_false()) {
          rule_out(package, *chosen, "it needs Python " + *rp);
          return std::nullopt;
        }
        // As uv: Requires-Python is a lower bound; the fork's lowest Python must meet it.
        const auto fork_range = fork.python_range();
        const auto needed = needs->python_range();
        if (!fork_range.empty() && !needed.empty() && fork_range.intervals().front().low < needed.intervals().front().low) {
          const auto& low = needed.intervals().front().low;
          if (low.version) {
            const std::string op = low.kind == pep::VersionRanges::Cut::Kind::before ? ">=" : ">";
            auto upper = pep::MarkerTree::parse("python_full_version " + op + " '" + low.version->to_string() + "'");
            auto lower = upper ? upper->negate() : upper;
            if (upper && lower) {
              auto high_part = fork.conjoin(*upper);
              auto low_part = fork.conjoin(*lower);
              if (high_part && low_part && !high_part->is_false() && !low_part->is_false()) {
                UVAUTH_DEBUG("splitting `" << fork.to_string() << "` on Python " << op << " " << low.version->to_string() << " for "
                                           << p.key << "==" << version.to_string());
                throw Split{{*high_part, *low_part}};  // as uv: the higher Python first
              }
            }
          }
        }
      }
    }
    if (auto where = provider_.available_in(p.project, version); where && where->disjoint(fork)) {
      rule_out(package, *chosen, "it has no wheel for " + (fork.to_string().empty() ? std::string("any environment") : "`" + fork.to_string() + "`"));
      return std::nullopt;
    }
    return chosen;
  }

  void rule_out(int package, std::size_t version, std::string why) {
    UVAUTH_DEBUG(packages_[static_cast<std::size_t>(package)].key << "==" << packages_[static_cast<std::size_t>(package)].versions[version].to_string()
                 << " cannot be used: " << why);
    add({Term{package, true, VersionSet::only(packages_[static_cast<std::size_t>(package)].versions.size(), version)}}, Cause::unavailable,
        std::move(why));
  }

  Result<std::vector<int>> dependencies_of(int package, std::size_t version) {
    const Package pkg = packages_[static_cast<std::size_t>(package)];
    std::vector<pep::Requirement> requirements;
    if (package == root_package) {
      requirements = options_.requirements;
    } else {
      auto fetched = provider_.requirements(pkg.project, pkg.versions[version]);
      if (!fetched) {
        // Problems no other version can mend stop the resolution; a hash
        // mismatch is one (never a reason to quietly take another version).
        const ErrorKind kind = fetched.error().kind;
        if (kind == ErrorKind::auth || kind == ErrorKind::network || kind == ErrorKind::tls || kind == ErrorKind::timeout ||
            kind == ErrorKind::integrity) {
          throw ProviderError{std::move(fetched).error()};
        }
        return std::move(fetched).error();
      }
      requirements = std::move(fetched).value();
    }
    std::vector<int> added;
    const VersionSet self = VersionSet::only(pkg.versions.size(), version);
    if (!pkg.extra.empty()) {
      // a[x]==v depends on a==v.
      const int base = package_id(pkg.project, "");
      load(base);
      VersionSet same = VersionSet::none(packages_[static_cast<std::size_t>(base)].versions.size());
      const auto& base_versions = packages_[static_cast<std::size_t>(base)].versions;
      for (std::size_t i = 0; i < base_versions.size(); ++i) {
        if (base_versions[i] == pkg.versions[version]) same.insert(i);
      }
      added.push_back(add({Term{package, true, self}, Term{base, false, same}}, Cause::dependency,
                          pkg.project + "==" + pkg.versions[version].to_string(), -1, -1));
      incompatibilities_.back().dependent = package;
      incompatibilities_.back().dependent_version = version;
    }
    std::vector<pep::Requirement> to_prefetch;
    std::vector<std::pair<pep::Requirement, std::string>> kept;  // requirement, extra of the dependency package
    std::vector<pep::MarkerTree> kept_markers;                   // universal: each requirement's marker
    for (const auto& r : requirements) {
      bool wanted = false;
      if (options_.fork && !pkg.extra.empty()) {
        // A requirement of the extra: one that names it.
        wanted = r.marker && applies(r, pkg.extra) && !(requirement_marker(r, pkg.extra) == requirement_marker(r, ""));
      } else {
        wanted = pkg.extra.empty() ? applies(r, "") : (applies(r, pkg.extra) && !applies(r, ""));
      }
      if (!wanted) continue;
      const std::string name = pep::canonicalize_name(r.name);
      if (name == pkg.project && r.extras.empty()) continue;  // a self-dependency adds nothing
      to_prefetch.push_back(r);
      const pep::MarkerTree marker = options_.fork ? requirement_marker(r, pkg.extra) : pep::MarkerTree::always();
      kept.emplace_back(r, "");
      kept_markers.push_back(marker);
      for (const auto& extra : r.extras) {
        kept.emplace_back(r, pep::canonicalize_name(extra));
        kept_markers.push_back(marker);
      }
    }
    if (options_.fork) split_if_needed(pkg.key, kept, kept_markers);
    if (!to_prefetch.empty()) provider_.prefetch(to_prefetch);
    register_priorities(kept);
    for (const auto& [r, extra] : kept) {
      const int dep = package_id(pep::canonicalize_name(r.name), extra);
      const VersionSet set = matching(dep, r);
      std::string text = r.to_string();
      if (const auto semi = text.find("; "); semi != std::string::npos) text = text.substr(0, semi);
      added.push_back(add_dependency(package, version, dep, set, std::move(text)));
    }
    if (options_.fork) {
      auto& edges = edges_[{package, version}];
      edges.clear();
      if (!pkg.extra.empty()) edges.emplace_back(package_id(pkg.project, ""), pep::MarkerTree::always());
      for (std::size_t k = 0; k < kept.size(); ++k) {
        edges.emplace_back(package_id(pep::canonicalize_name(kept[k].first.name), kept[k].second), kept_markers[k]);
      }
    }
    return added;
  }

  // `package==version` depends on `dep` in `set` (the requirement `text`).
  // As PubGrub's incompatibility store does, versions with the same
  // requirement are one fact (`a>=1,<3 depends on b<2`): the fact for the
  // versions seen so far is replaced by one that covers this version too,
  // so that deciding `b` rules out all of them in one step and an
  // explanation says it once.
  int add_dependency(int package, std::size_t version, int dep, const VersionSet& set, std::string text) {
    const VersionSet self = VersionSet::only(packages_[static_cast<std::size_t>(package)].versions.size(), version);
    const auto key = std::make_tuple(package, dep, text);
    VersionSet dependents = self;
    if (auto it = dependency_facts_.find(key); it != dependency_facts_.end()) {
      const Incompatibility& old = incompatibilities_[static_cast<std::size_t>(it->second)];
      if (old.terms.size() == 2 && old.terms[0].package == package && old.terms[1].package == dep && !old.terms[1].positive &&
          old.terms[1].set == set) {
        dependents = old.terms[0].set.unite(self);
        for (const int p : {package, dep}) std::erase(by_package_[p], it->second);
      }
    }
    const int id = add({Term{package, true, dependents}, Term{dep, false, set}}, Cause::dependency, std::move(text));
    incompatibilities_.back().dependent = package;
    incompatibilities_.back().dependent_version = version;
    if (incompatibilities_.back().terms.size() == 2) dependency_facts_[key] = id;
    return id;
  }

  // Universal, as uv forks: one project required several times under
  // markers that are not all the same (`a>=2; linux`, `a<2; darwin`) splits
  // the fork on each of those markers (marker, then not marker), so that
  // every one is constant in each part. The parts come out in the order to
  // solve them: uv's order (the higher Python floor first, then the part
  // whose requirements have more upper bounds, e.g. `a<2` before `a>=1`,
  // since what the bounded part picks is likelier to suit the other).
  void split_if_needed(const std::string& who, const std::vector<std::pair<pep::Requirement, std::string>>& kept,
                       const std::vector<pep::MarkerTree>& markers) {
    const pep::MarkerTree& fork = *options_.fork;
    std::map<std::string, std::vector<std::size_t>> by_name;
    for (std::size_t k = 0; k < kept.size(); ++k) {
      if (kept[k].second.empty()) by_name[pep::canonicalize_name(kept[k].first.name)].push_back(k);
    }
    std::vector<pep::MarkerTree> parts{fork};
    for (const auto& entry : by_name) {
      const std::vector<std::size_t>& indexes = entry.second;
      if (indexes.size() < 2) continue;
      const std::size_t first = indexes.front();
      const bool same = std::all_of(indexes.begin(), indexes.end(), [&](std::size_t k) { return markers[k] == markers[first]; });
      if (same) continue;
      for (std::size_t k : indexes) {
        const pep::MarkerTree& m = markers[k];
        auto not_m = m.negate();
        if (!not_m) continue;
        std::vector<pep::MarkerTree> next;
        for (const auto& part : parts) {
          if (part.disjoint(m) || part.disjoint(*not_m)) {
            next.push_back(part);
            continue;
          }
          auto yes = part.conjoin(m);
          auto no = part.conjoin(*not_m);
          if (!yes || !no) {
            next.push_back(part);
            continue;
          }
          next.push_back(std::move(no).value());
          next.push_back(std::move(yes).value());
        }
        if (next.size() > max_fork_parts) break;
        parts = std::move(next);
      }
    }
    if (parts.size() < 2) return;
    // uv sorts ascending and solves from the end; ties keep their order.
    std::vector<std::pair<std::pair<pep::VersionRanges::Cut, std::size_t>, pep::MarkerTree>> ranked;
    for (auto& part : parts) {
      std::size_t bounded = 0;
      for (std::size_t k = 0; k < kept.size(); ++k) {
        if (!markers[k].disjoint(part) && has_upper_bound(kept[k].first.specifier)) ++bounded;
      }
      ranked.push_back({{python_floor(part), bounded}, std::move(part)});
    }
    std::stable_sort(ranked.begin(), ranked.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<pep::MarkerTree> order;
    for (auto it = ranked.rbegin(); it != ranked.rend(); ++it) order.push_back(std::move(it->second));
    UVAUTH_DEBUG("splitting `" << fork.to_string() << "` into " << order.size() << " parts on the requirements of "
                               << who);
    throw Split{std::move(order)};
  }

  static bool has_upper_bound(const pep::SpecifierSet& specifiers) {
    for (const auto& s : specifiers.specifiers()) {
      switch (s.op()) {
        case pep::Operator::less:
        case pep::Operator::less_equal:
        case pep::Operator::equal:
        case pep::Operator::compatible:
        case pep::Operator::arbitrary:
          return true;
        default:
          break;
      }
    }
    return false;
  }

  // Where a marker's Python versions start.
  static pep::VersionRanges::Cut python_floor(const pep::MarkerTree& marker) {
    const auto range = marker.python_range();
    if (range.empty()) return {};
    return range.intervals().front().low;
  }

  // ---- the answer --------------------------------------------------------
  Resolution solution() const {
    std::map<std::string, ResolvedPackage> by_name;
    for (const auto& [package, version] : decided_) {
      if (package == root_package) continue;
      const Package& p = packages_[static_cast<std::size_t>(package)];
      auto& entry = by_name[p.project];
      entry.name = p.project;
      entry.version = p.versions[version];
      if (!p.extra.empty()) entry.extras.push_back(p.extra);
    }
    Resolution resolution;
    for (auto& [name, entry] : by_name) {
      std::sort(entry.extras.begin(), entry.extras.end());
      resolution.packages.push_back(std::move(entry));
    }
    for (const auto& [package, version] : decided_) {
      auto it = edges_.find({package, version});
      if (it == edges_.end()) continue;
      for (const auto& [dep, marker] : it->second) {
        if (!decided_.count(dep)) continue;
        resolution.edges.push_back(ResolvedEdge{packages_[static_cast<std::size_t>(package)].key,
                                                packages_[static_cast<std::size_t>(dep)].key, marker});
      }
    }
    return resolution;
  }

  // ---- explanation -------------------------------------------------------
  std::string package_text(int package, const VersionSet& set) const {
    const Package& p = packages_[static_cast<std::size_t>(package)];
    const std::string range = set.describe(p.versions);
    if (range == "any version") return p.key;
    return p.key + (range.find(" | ") == std::string::npos ? range : " " + range);
  }

  std::string available_text(int package) {
    const Package& p = packages_[static_cast<std::size_t>(package)];
    std::string out;
    const std::string missing = p.versions.empty() ? provider_.not_found(p.project) : std::string();
    if (!missing.empty()) {
      return p.key + " was not found on " + missing;
    }
    if (p.versions.empty()) {
      out = p.key + " has no usable versions";
    } else if (p.versions.size() <= 3) {
      out = "only ";
      for (std::size_t i = 0; i < p.versions.size(); ++i) {
        out += (i ? (i + 1 == p.versions.size() ? " and " : ", ") : "") + p.key + "==" + p.versions[i].to_string();
      }
      out += p.versions.size() == 1 ? " is available" : " are available";
    } else {
      out = "only " + p.key + " " + p.versions.front().to_string() + " to " + p.versions.back().to_string() + " are available";
    }
    for (const auto& reason : provider_.excluded(p.project)) out += " (" + reason + ")";
    return out;
  }

  std::string statement(int id) {
    const Incompatibility& i = incompatibilities_[static_cast<std::size_t>(id)];
    if (is_failure(i) && i.cause == Cause::derived) return "the requirements are unsatisfiable";
    switch (i.cause) {
      case Cause::dependency: {
        const bool several = !i.terms.empty() && i.terms[0].package == i.dependent && i.terms[0].positive && i.terms[0].set.count() > 1;
        const std::string who = i.dependent == root_package ? "you require"
                                : several ? package_text(i.dependent, i.terms[0].set) + " depends on"
                                          : packages_[static_cast<std::size_t>(i.dependent)].key + "==" +
                                                packages_[static_cast<std::size_t>(i.dependent)].versions[i.dependent_version].to_string() +
                                                " depends on";
        std::string out = who + " " + i.text;
        // The dependency's own set was empty: say what there is instead.
        const bool vacuous = i.terms.size() == 1 || (i.terms.size() == 2 && !i.terms[1].positive && i.terms[1].set.empty());
        if (vacuous && i.dependent >= 0) {
          const std::string dep_name = pep::canonicalize_name(i.text.substr(0, i.text.find_first_of("<>=!~[ @;")));
          if (auto it = ids_.find(dep_name); it != ids_.end()) out += " and " + available_text(it->second);
        }
        return out;
      }
      case Cause::constraint:
        return "you constrain " + i.text;
      case Cause::no_versions: {
        const Term& t = i.terms.at(0);
        return "no versions of " + package_text(t.package, t.set) + " can be used, as " + available_text(t.package);
      }
      case Cause::unavailable: {
        const Term& t = i.terms.at(0);
        return package_text(t.package, t.set) + " cannot be used: " + i.text;
      }
      default:
        break;
    }
    // A derived fact, in words by its shape.
    std::vector<const Term*> positives;
    std::vector<const Term*> negatives;
    for (const auto& t : i.terms) (t.positive ? positives : negatives).push_back(&t);
    auto name = [&](const Term* t) {
      return t->package == root_package ? std::string("the requirements") : package_text(t->package, t->set);
    };
    if (positives.size() == 1 && negatives.empty()) return name(positives[0]) + " cannot be used";
    if (positives.size() == 1 && negatives.size() == 1) {
      if (positives[0]->package == root_package) return "you require " + name(negatives[0]);
      return name(positives[0]) + " depends on " + name(negatives[0]);
    }
    std::string out;
    for (std::size_t k = 0; k < positives.size(); ++k) out += (k ? " and " : "") + name(positives[k]);
    out += positives.size() > 1 ? " are incompatible" : " cannot be used";
    return out;
  }

  std::string explain(int failure) {
    // Count uses of derived facts, to number those used more than once.
    std::map<int, int> uses;
    std::vector<int> stack{failure};
    std::set<int> seen;
    while (!stack.empty()) {
      const int id = stack.back();
      stack.pop_back();
      const auto& i = incompatibilities_[static_cast<std::size_t>(id)];
      if (i.cause != Cause::derived) continue;
      for (int c : {i.left, i.right}) {
        if (incompatibilities_[static_cast<std::size_t>(c)].cause == Cause::derived && ++uses[c] == 1) stack.push_back(c);
      }
    }
    std::vector<std::string> lines;
    std::map<int, int> numbers;
    if (incompatibilities_[static_cast<std::size_t>(failure)].cause != Cause::derived) {
      return "Because " + statement(failure) + ", the requirements are unsatisfiable.";
    }
    visit(failure, uses, numbers, lines);
    std::string out;
    for (std::size_t k = 0; k < lines.size(); ++k) out += (k ? "\n" : "") + lines[k];
    return out;
  }

  std::string reference(int id, const std::map<int, int>& numbers) {
    auto it = numbers.find(id);
    return statement(id) + (it == numbers.end() ? "" : " (" + std::to_string(it->second) + ")");
  }

  void visit(int id, const std::map<int, int>& uses, std::map<int, int>& numbers, std::vector<std::string>& lines) {
    const auto i = incompatibilities_[static_cast<std::size_t>(id)];
    if (i.cause != Cause::derived) return;
    const bool left_derived = incompatibilities_[static_cast<std::size_t>(i.left)].cause == Cause::derived;
    const bool right_derived = incompatibilities_[static_cast<std::size_t>(i.right)].cause == Cause::derived;
    auto explained = [&](int c) { return numbers.count(c) > 0; };
    std::string because;
    if (left_derived && right_derived) {
      if (!explained(i.left)) visit(i.left, uses, numbers, lines);
      if (!explained(i.right)) visit(i.right, uses, numbers, lines);
      because = "Because " + reference(i.left, numbers) + " and " + reference(i.right, numbers);
    } else if (left_derived || right_derived) {
      const int derived = left_derived ? i.left : i.right;
      const int external = left_derived ? i.right : i.left;
      const bool chain = !explained(derived);
      if (chain) visit(derived, uses, numbers, lines);
      because = chain && !lines.empty() ? "And because " + statement(external)
                                        : "Because " + statement(external) + " and " + reference(derived, numbers);
    } else {
      because = "Because " + statement(i.left) + " and " + statement(i.right);
    }
    std::string line = because + ", " + statement(id) + ".";
    if (auto it = uses.find(id); it != uses.end() && it->second > 1) {
      numbers[id] = static_cast<int>(numbers.size() + 1);
      line += " (" + std::to_string(numbers[id]) + ")";
    }
    lines.push_back(line);
  }

  Provider& provider_;
  const ResolveOptions& options_;
  std::vector<Package> packages_;
  std::map<std::string, int> ids_;
  std::vector<Incompatibility> incompatibilities_;
  std::map<int, std::vector<int>> by_package_;
  std::map<std::tuple<int, int, std::string>, int> dependency_facts_;  // (dependent, dependency, requirement) -> its fact
  std::vector<Assignment> assignments_;
  std::map<int, Term> accumulated_;
  std::map<int, std::size_t> decided_;
  std::map<std::pair<int, std::size_t>, std::vector<std::pair<int, pep::MarkerTree>>> edges_;  // universal
  int level_ = 0;
  std::map<int, std::size_t> culprit_count_, affected_count_;
  // uv's priority categories, the better the higher.
  enum class Category { unspecified, conflict_late, conflict_early, singleton, direct_url };
  struct Priority {
    Category category;
    std::size_t index;  // discovery order of the project
  };
  std::map<std::string, Priority> priority_;
  std::map<int, std::size_t> package_order_;
  struct Walk {
    std::size_t picks = 0;
    std::size_t batches = 0;
    std::optional<std::size_t> below;  // versions from here down are not prefetched yet
  };
  std::map<int, Walk> walks_;
};

}  // namespace

Result<Resolution> resolve(Provider& provider, const ResolveOptions& options) {
  Solver solver(provider, options);
  return solver.run();
}

}  // namespace uvauth::resolve
