#include "json_output.hpp"

#include <nlohmann/json.hpp>

#include <iostream>

#include "global_options.hpp"
#include "uvauth/text.hpp"
#include "uvauth/url.hpp"

namespace uvauth::tool {
namespace {

nlohmann::json package_list(const std::vector<std::pair<std::string, std::string>>& packages) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, version] : packages) list.push_back({{"name", name}, {"version", version}});
  return list;
}

nlohmann::json distribution_list(const std::vector<install::DistributionChange>& changes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : changes) list.push_back({{"name", c.name}, {"version", c.version}});
  return list;
}

nlohmann::json change_list(const std::vector<app::PackageChange>& changes) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& c : changes) {
    list.push_back({{"kind", app::to_string(c.kind)}, {"name", c.name}, {"from", c.from}, {"to", c.to}});
  }
  return list;
}

// Text for JSON must be valid UTF-8 (nlohmann throws otherwise): escaped as for a terminal.
std::string safe(const std::string& text) { return escape_nonprintable(redact_userinfo_in_text(text)); }

}  // namespace

void print_lock_json(const app::LockOutcome& outcome, const std::filesystem::path& lock_file, bool dry_run) {
  std::vector<std::pair<std::string, std::string>> packages;
  for (const auto& p : outcome.lock.packages) packages.emplace_back(p.name, p.version.to_string());
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : outcome.files_read) files.push_back(safe(std::filesystem::absolute(f).lexically_normal().string()));
  const nlohmann::json out{{"command", "lock"},
                           {"ok", true},
                           {"lock", safe(std::filesystem::absolute(lock_file).lexically_normal().string())},
                           {"changed", outcome.changed},
                           {"dry_run", dry_run},
                           {"packages", package_list(packages)},
                           {"changes", change_list(outcome.changes)},
                           {"files_read", files}};
  std::cout << out.dump() << '\n';
}

void print_sync_json(const app::SyncOutcome& outcome, const char* command) {
  const nlohmann::json out{{"command", command},
                           {"ok", true},
                           {"dir", safe(outcome.dir.string())},
                           {"unchanged", outcome.report.unchanged},
                           {"dry_run", outcome.dry_run},
                           {"installed", outcome.report.installed},
                           {"removed", outcome.report.removed},
                           {"kept", outcome.report.kept},
                           {"packages", package_list(outcome.packages)},
                           {"added", distribution_list(outcome.report.additions)},
                           {"removed_packages", distribution_list(outcome.report.removals)},
                           {"stamp", safe(outcome.stamp.string())}};
  std::cout << out.dump() << '\n';
}

void print_error_json(const char* command, const Error& error, const std::vector<app::PackageChange>& changes) {
  nlohmann::json hints = nlohmann::json::array();
  for (const auto& h : error.hints) hints.push_back(safe(h));
  const nlohmann::json out{{"command", command},
                           {"ok", false},
                           {"error", {{"message", safe(error.message)}, {"hints", hints}, {"exit_code", error.exit_code()}}},
                           {"changes", change_list(changes)}};
  std::cout << out.dump() << '\n';
}

void print_lock_changes(const std::vector<app::PackageChange>& changes, bool show, const GlobalOptions& options) {
  if (!show) return;
  for (const auto& c : changes) {
    const Tint tint = c.kind == app::PackageChange::Kind::added     ? Tint::added
                      : c.kind == app::PackageChange::Kind::removed ? Tint::removed
                      : c.kind == app::PackageChange::Kind::downgraded ? Tint::warning
                                                                      : Tint::bold;
    const std::string line = app::describe(c);
    const auto space = line.find(' ');
    std::cerr << paint(options, tint, line.substr(0, space)) << line.substr(space) << '\n';
  }
}

void print_sync_changes(const install::SyncReport& report, const GlobalOptions& options) {
  // Sorted by name, a removal before the addition that replaces it (as uv prints them).
  std::vector<std::pair<install::DistributionChange, bool>> lines;
  for (const auto& r : report.removals) lines.emplace_back(r, false);
  for (const auto& a : report.additions) lines.emplace_back(a, true);
  std::stable_sort(lines.begin(), lines.end(), [](const auto& x, const auto& y) {
    return x.first.name != y.first.name ? x.first.name < y.first.name : (!x.second && y.second);
  });
  for (const auto& [change, added] : lines) {
    std::cerr << ' ' << paint(options, added ? Tint::added : Tint::removed, added ? "+" : "-") << ' '
              << change.name << "==" << change.version << '\n';
  }
}

}  // namespace uvauth::tool
