#include "uvauth/pep/metadata.hpp"

#include "uvauth/pep/names.hpp"
#include "uvauth/text.hpp"

namespace uvauth::pep {
namespace {

struct Field {
  std::string name;  // lower case
  std::string value;
  int line = 0;
};

Error at(const std::string& source, int line, const std::string& message) {
  return Error(ErrorKind::parse, source + ":" + std::to_string(line) + ": " + message);
}

}  // namespace

Result<CoreMetadata> CoreMetadata::parse(std::string_view text, const std::string& source) {
  // Headers run to the first empty line.
  std::vector<Field> fields;
  int line_number = 0;
  std::size_t pos = 0;
  while (pos < text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string_view line = text.substr(pos, end - pos);
    pos = end + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.empty()) break;
    if (line.front() == ' ' || line.front() == '\t') {
      if (fields.empty()) return at(source, line_number, "a continuation line before any field");
      fields.back().value += "\n" + std::string(trim(line));
      continue;
    }
    const auto colon = line.find(':');
    if (colon == std::string_view::npos || colon == 0) {
      return at(source, line_number, "expected 'Field: value', got '" + std::string(line.substr(0, 80)) + "'");
    }
    fields.push_back(Field{to_lower_ascii(trim(line.substr(0, colon))), std::string(trim(line.substr(colon + 1))),
                           line_number});
  }

  CoreMetadata metadata;
  bool has_name = false;
  bool has_version = false;
  for (const auto& field : fields) {
    if (field.name == "metadata-version") {
      metadata.metadata_version = field.value;
      if (!field.value.empty() && field.value[0] != '1' && field.value[0] != '2') {
        return at(source, field.line, "unsupported Metadata-Version " + field.value);
      }
    } else if (field.name == "name") {
      if (!is_valid_name(field.value)) return at(source, field.line, "invalid Name '" + field.value + "'");
      metadata.name = field.value;
      has_name = true;
    } else if (field.name == "version") {
      auto version = Version::parse(field.value);
      if (!version) return at(source, field.line, version.error().message);
      metadata.version = std::move(version).value();
      has_version = true;
    } else if (field.name == "requires-dist") {
      auto requirement = Requirement::parse(field.value);
      if (!requirement) return at(source, field.line, "Requires-Dist: " + requirement.error().message);
      metadata.requires_dist.push_back(std::move(requirement).value());
    } else if (field.name == "requires-python") {
      auto specifiers = SpecifierSet::parse(field.value);
      if (specifiers) {
        metadata.requires_python = std::move(specifiers).value();
      } else {
        // Old uploads carry things like ">=3.6.*"; ignoring them is what
        // installers do, and refusing would make the package uninstallable.
        metadata.warnings.push_back(source + ":" + std::to_string(field.line) + ": ignoring invalid Requires-Python '" +
                                    field.value + "'");
      }
    } else if (field.name == "provides-extra") {
      metadata.provides_extra.push_back(canonicalize_name(field.value));
    } else if (field.name == "dynamic") {
      metadata.dynamic.push_back(to_lower_ascii(field.value));
    }
  }
  if (!has_name) return Error(ErrorKind::parse, source + ": no Name field");
  if (!has_version) return Error(ErrorKind::parse, source + ": no Version field");
  return metadata;
}

}  // namespace uvauth::pep
