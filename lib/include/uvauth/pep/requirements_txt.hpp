// pip's requirements file format: PEP 508 lines, `-r`/`-c` includes,
// `--index-url`, `--extra-index-url`, `--find-links`, `--no-index`,
// `--hash`, `${VAR}` expansion, `\` continuations and `#` comments. `-e DIR` (editable),
// paths (`./dir`, `./x-1.0.tar.gz`, relative to the file) and `--no-binary`.
// Anything uvauth cannot honour is an error naming the file and line.
//
// No I/O here: included files are read through the caller's loader.
#pragma once

#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/pep/requirement.hpp"

namespace uvauth::pep {

struct RequirementLine {
  Requirement requirement;
  std::vector<std::string> hashes;  // "sha256:<hex>" (checked, lower case), from --hash
  std::string origin;               // "file:line"
};

struct RequirementsTxt {
  std::vector<RequirementLine> requirements;
  std::vector<RequirementLine> constraints;  // from -c files
  std::optional<std::string> index_url;
  std::vector<std::string> extra_index_urls;
  std::vector<std::string> find_links;  // as written; relative paths resolved against the file's directory
  std::vector<std::string> trusted_hosts;
  bool no_index = false;
  bool require_hashes = false;  // --require-hashes
  bool pre = false;
  std::vector<std::string> no_binary;  // --no-binary NAME[,NAME] or :all:, as written
  std::vector<std::string> only_binary;  // --only-binary NAME[,NAME] or :all: (never built from source), as written
};

using FileLoader = std::function<Result<std::string>(const std::filesystem::path&)>;
using EnvironmentLookup = std::function<std::optional<std::string>(std::string_view name)>;

// Parses `file` (read through `load`), following -r and -c.
Result<RequirementsTxt> parse_requirements_txt(const std::filesystem::path& file, const FileLoader& load,
                                               const EnvironmentLookup& environment);

}  // namespace uvauth::pep
