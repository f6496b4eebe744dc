// PEP 508 dependency specifiers: `name[extras] (specifiers | @ url) ; marker`.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/markers.hpp"
#include "uvauth/pep/specifiers.hpp"

namespace uvauth::pep {

struct Requirement {
  std::string name;                 // as written
  std::vector<std::string> extras;  // as written, in order
  SpecifierSet specifier;
  std::optional<std::string> url;   // for `name @ url`
  std::optional<Marker> marker;
  // Not PEP 508: `-e DIR` (PEP 660) in a requirements file or --editable.
  // A path requirement (`./dir`, `-e dir`) has an empty name until the
  // project is read.
  bool editable = false;

  // Errors quote the text and say what was expected where.
  static Result<Requirement> parse(std::string_view text);

  [[nodiscard]] std::string canonical_name() const;
  // packaging's form: name[sorted extras]specifiers @ url ; marker
  [[nodiscard]] std::string to_string() const;
};

// A requirement written as a path (pip's and uv's forms): `./dir`, `dir/`,
// `../x`, `/abs/dir`, `./name-1.0.tar.gz`, `name-1.0-py3-none-any.whl`,
// optionally `; marker`. Relative paths are taken against `base`. The name is
// empty (read from the project later) unless the path is an archive or a
// wheel whose file name says it. nullopt when
// `text` does not look like a path.
[[nodiscard]] std::optional<Requirement> path_requirement(std::string_view text, const std::filesystem::path& base);

// A requirement written as a bare URL (pip's and uv's form), optionally
// ` ; marker`: a wheel's or an sdist's URL names its project by its file
// name. nullopt when `text` is no URL (no "://"); an error when it is one
// whose project cannot be told (a Git URL, a page), saying to write
// `NAME @ URL`.
[[nodiscard]] std::optional<Result<Requirement>> url_requirement(std::string_view text);

// Whether `text` (optionally `; marker`) is an archive's file name or path,
// `x-1.0-py3-none-any.whl` or `x-1.0.tar.gz`: a file, as pip and uv take it,
// though it would also parse as a project name.
[[nodiscard]] bool names_an_archive(std::string_view text);
// Whether a file name is a source distribution archive (.tar.gz, .zip, ...).
[[nodiscard]] bool is_sdist_filename(std::string_view filename);
// "name-1.0.tar.gz" -> {"name", "1.0"} (the version is after the last '-').
[[nodiscard]] std::optional<std::pair<std::string, std::string>> split_sdist_filename(std::string_view filename);

}  // namespace uvauth::pep
