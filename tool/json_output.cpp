#include "json_output.hpp"

#include <nlohmann/json.hpp>

#include <iostream>


namespace uvauth::tool {
namespace {

nlohmann::json package_list(const std::vector<std::pair<std::string, std::string>>& packages) {
  nlohmann::json list = nlohmann::json::array();
  for (const auto& [name, version] : packages) list.push_back({{"name", name}, {"version", version}});
  return list;
}

}  // namespace

void print_lock_json(const app::LockOutcome& outcome, const std::filesystem::path& lock_file) {
  std::vector<std::pair<std::string, std::string>> packages;
  for (const auto& p : outcome.lock.packages) packages.emplace_back(p.name, p.version.to_string());
  nlohmann::json files = nlohmann::json::array();
  for (const auto& f : outcome.files_read) files.push_back(std::filesystem::absolute(f).lexically_normal().string());
  const nlohmann::json out{{"command", "lock"},
                           {"lock", std::filesystem::absolute(lock_file).lexically_normal().string()},
                           {"changed", outcome.changed},
                           {"packages", package_list(packages)},
                           {"files_read", files}};
  std::cout << out.dump() << '\n';
}

void print_sync_json(const app::SyncOutcome& outcome, const char* command) {
  const nlohmann::json out{{"command", command},
                           {"dir", outcome.dir.string()},
                           {"unchanged", outcome.report.unchanged},
                           {"installed", outcome.report.installed},
                           {"removed", outcome.report.removed},
                           {"kept", outcome.report.kept},
                           {"packages", package_list(outcome.packages)}};
  std::cout << out.dump() << '\n';
}

}  // namespace uvauth::tool
