#include "uvauth/pep/wheel_filename.hpp"

#include <algorithm>

#include "uvauth/pep/names.hpp"

namespace uvauth::pep {

Result<WheelFilename> WheelFilename::parse(std::string_view filename) {
  auto invalid = [&](const std::string& why) {
    return Error(ErrorKind::parse, "invalid wheel filename '" + std::string(filename) + "': " + why);
  };
  if (filename.size() < 4 || filename.substr(filename.size() - 4) != ".whl") return invalid("it does not end in .whl");
  const std::string_view stem = filename.substr(0, filename.size() - 4);
  std::vector<std::string_view> parts;
  std::size_t start = 0;
  for (;;) {
    const auto dash = stem.find('-', start);
    parts.push_back(stem.substr(start, dash == std::string_view::npos ? std::string_view::npos : dash - start));
    if (dash == std::string_view::npos) break;
    start = dash + 1;
  }
  if (parts.size() != 5 && parts.size() != 6) return invalid("expected name-version(-build)-python-abi-platform");
  const std::string_view name = parts[0];
  // Letters, digits, '_' and '.' (dashes were escaped to '_' by the builder);
  // a run of underscores is not a valid escaped name.
  if (name.empty() || name.find("__") != std::string_view::npos) return invalid("bad project name");
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || c == '_' || c == '.' || c >= 0x80)) return invalid("bad project name");
  }
  WheelFilename wheel;
  wheel.name = canonicalize_name(name);
  auto version = Version::parse(parts[1]);
  if (!version) return invalid("bad version '" + std::string(parts[1]) + "'");
  wheel.version = std::move(version).value();
  if (parts.size() == 6) {
    const std::string_view build = parts[2];
    std::size_t digits = 0;
    while (digits < build.size() && std::isdigit(static_cast<unsigned char>(build[digits]))) ++digits;
    if (digits == 0) return invalid("the build tag '" + std::string(build) + "' must start with a digit");
    std::uint64_t number = 0;
    for (std::size_t i = 0; i < digits; ++i) {
      const auto d = static_cast<std::uint64_t>(build[i] - '0');
      if (number > (UINT64_MAX - d) / 10) return invalid("build number too large");
      number = number * 10 + d;
    }
    wheel.build = std::make_pair(number, std::string(build.substr(digits)));
  }
  const std::size_t t = parts.size() - 3;
  auto tags = parse_tag_set(std::string(parts[t]) + "-" + std::string(parts[t + 1]) + "-" + std::string(parts[t + 2]));
  if (!tags) return invalid("bad tags");
  wheel.tags = std::move(tags).value();
  return wheel;
}

}  // namespace uvauth::pep
