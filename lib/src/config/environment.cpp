#include "uvauth/config/environment.hpp"

#include "uvauth/process.hpp"

extern char** environ;  // NOLINT: POSIX

namespace uvauth::config {

Environment Environment::from_process() {
  Environment env;
  for (char** entry = environ; entry && *entry; ++entry) {
    std::string_view text(*entry);
    if (is_pinned_time_zone(text)) continue;  // ours, not the user's
    const auto eq = text.find('=');
    if (eq == std::string_view::npos) continue;
    env.values_.emplace(std::string(text.substr(0, eq)), std::string(text.substr(eq + 1)));
  }
  return env;
}

std::optional<std::string> Environment::get(std::string_view name) const {
  const auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> Environment::get_nonempty(std::string_view name) const {
  auto value = get(name);
  if (value && value->empty()) return std::nullopt;
  return value;
}

}  // namespace uvauth::config
