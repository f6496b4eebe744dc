// A snapshot of environment variables, taken once at start-up and passed
// down, so that no layer reads the process environment behind the caller's
// back and tests can give each case its own environment.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace uvauth::config {

class Environment {
 public:
  Environment() = default;
  static Environment from_process();

  // The value, or nullopt when unset. Set-but-empty counts as set.
  [[nodiscard]] std::optional<std::string> get(std::string_view name) const;
  // The value when set and not empty.
  [[nodiscard]] std::optional<std::string> get_nonempty(std::string_view name) const;
  void set(std::string name, std::string value) { values_[std::move(name)] = std::move(value); }
  void unset(const std::string& name) { values_.erase(name); }
  [[nodiscard]] const std::map<std::string, std::string, std::less<>>& values() const { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

}  // namespace uvauth::config
