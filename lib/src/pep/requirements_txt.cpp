#include "uvauth/pep/requirements_txt.hpp"

#include "uvauth/sha256.hpp"

#include <set>

#include "uvauth/pep/names.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/text.hpp"
#include "uvauth/url.hpp"

namespace uvauth::pep {
namespace fs = std::filesystem;
namespace {

constexpr int max_include_depth = 32;

struct LogicalLine {
  std::string text;
  int line = 0;
};

// Joins `\` continuations and strips comments (a '#' at the start or after white space).
std::vector<LogicalLine> logical_lines(std::string_view text) {
  std::vector<LogicalLine> out;
  std::string pending;
  int pending_line = 0;
  int number = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    const std::size_t end = std::min(text.find('\n', pos), text.size());
    std::string line(text.substr(pos, end - pos));
    pos = end + 1;
    ++number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    for (std::size_t i = 0; i < line.size(); ++i) {
      if (line[i] == '#' && (i == 0 || line[i - 1] == ' ' || line[i - 1] == '\t')) {
        line.erase(i);
        break;
      }
    }
    if (pending.empty()) pending_line = number;
    if (!line.empty() && line.back() == '\\') {
      line.pop_back();
      pending += line;
      if (pos > text.size()) out.push_back(LogicalLine{pending, pending_line});
      continue;
    }
    pending += line;
    out.push_back(LogicalLine{pending, pending_line});
    pending.clear();
    if (end == text.size()) break;
  }
  return out;
}

// pip expands ${NAME} (upper-case letters, digits, underscore); unset ones stay as written.
std::string expand(const std::string& text, const EnvironmentLookup& environment) {
  std::string out;
  std::size_t i = 0;
  while (i < text.size()) {
    if (text.compare(i, 2, "${") == 0) {
      const std::size_t close = text.find('}', i + 2);
      if (close != std::string::npos) {
        const std::string name = text.substr(i + 2, close - i - 2);
        bool valid = !name.empty();
        for (char c : name) valid = valid && ((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_');
        if (valid) {
          if (auto value = environment(name)) {
            out += *value;
            i = close + 1;
            continue;
          }
        }
      }
    }
    out += text[i++];
  }
  return out;
}

std::vector<std::string> words(std::string_view text) {
  std::vector<std::string> out;
  std::size_t i = 0;
  while (i < text.size()) {
    while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
    const std::size_t start = i;
    while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
    if (i > start) out.emplace_back(text.substr(start, i - start));
  }
  return out;
}

class Parser {
 public:
  Parser(const FileLoader& load, const EnvironmentLookup& environment) : load_(load), environment_(environment) {}

  Status parse(const fs::path& file, bool constraints, int depth) {
    if (depth > max_include_depth) {
      return Error(ErrorKind::parse, file.string() + ": requirement files nested more than " +
                                         std::to_string(max_include_depth) + " deep");
    }
    const fs::path key = file.lexically_normal();
    if (!open_.insert(key).second) {
      return Error(ErrorKind::parse, file.string() + ": includes itself (through -r or -c)");
    }
    auto text = load_(file);
    if (!text) {
      open_.erase(key);
      return std::move(text).error();
    }
    for (const auto& line : logical_lines(*text)) {
      const std::string origin = file.string() + ":" + std::to_string(line.line);
      const std::string expanded(trim(expand(line.text, environment_)));
      if (expanded.empty()) continue;
      auto handled = expanded[0] == '-' ? option(expanded, file, origin, constraints, depth)
                                        : requirement(expanded, origin, constraints, file.parent_path());
      if (!handled) {
        open_.erase(key);
        return handled;
      }
    }
    open_.erase(key);
    return {};
  }

  RequirementsTxt result;

 private:
  Status option(const std::string& text, const fs::path& file, const std::string& origin, bool constraints, int depth) {
    auto tokens = words(text);
    std::string name = tokens[0];
    std::optional<std::string> value;
    if (const auto eq = name.find('='); name.rfind("--", 0) == 0 && eq != std::string::npos) {
      value = name.substr(eq + 1);
      name = name.substr(0, eq);
    } else if (name.size() > 2 && name[0] == '-' && name[1] != '-') {
      value = name.substr(2);  // -rfile, -ihttps://...
      name = name.substr(0, 2);
    } else if (tokens.size() > 1) {
      value = tokens[1];
    }
    auto need = [&](const char* what) -> Result<std::string> {
      if (!value || value->empty()) return Error(ErrorKind::parse, origin + ": " + name + " needs " + what);
      return *value;
    };
    const fs::path dir = file.parent_path();
    if (name == "-r" || name == "--requirement" || name == "-c" || name == "--constraint") {
      auto target = need("a file");
      if (!target) return std::move(target).error();
      if (target->find("://") != std::string::npos) {
        return Error(ErrorKind::parse, origin + ": remote requirement files are not supported: " +
                                           redact_userinfo_in_text(*target));
      }
      const fs::path path = fs::path(*target).is_absolute() ? fs::path(*target) : dir / *target;
      return parse(path, constraints || name == "-c" || name == "--constraint", depth + 1);
    }
    if (name == "-i" || name == "--index-url") {
      auto url = need("a URL");
      if (!url) return std::move(url).error();
      result.index_url = *url;
      return {};
    }
    if (name == "--extra-index-url") {
      auto url = need("a URL");
      if (!url) return std::move(url).error();
      result.extra_index_urls.push_back(*url);
      return {};
    }
    if (name == "-f" || name == "--find-links") {
      auto where = need("a URL or directory");
      if (!where) return std::move(where).error();
      const bool is_url = where->find("://") != std::string::npos;
      result.find_links.push_back(is_url || fs::path(*where).is_absolute() ? *where : (dir / *where).string());
      return {};
    }
    if (name == "--trusted-host") {
      auto host = need("a host");
      if (!host) return std::move(host).error();
      result.trusted_hosts.push_back(*host);
      return {};
    }
    if (name == "--no-index") {
      result.no_index = true;
      return {};
    }
    if (name == "--require-hashes") {
      result.require_hashes = true;
      return {};
    }
    if (name == "--pre") {
      result.pre = true;
      return {};
    }
    if (name == "--no-binary" || name == "--only-binary") {
      auto names = need("a package name, :all: or :none:");
      if (!names) return std::move(names).error();
      std::vector<std::string> listed;
      for (std::size_t start = 0; start <= names->size();) {
        const auto comma = names->find(',', start);
        const auto end = comma == std::string::npos ? names->size() : comma;
        if (end > start) listed.push_back(names->substr(start, end - start));
        start = end + 1;
      }
      for (const auto& n : listed) {
        if (n == ":none:") continue;
        if (n != ":all:" && !is_valid_name(n)) {
          return Error(ErrorKind::parse, origin + ": " + name + " " + escape_nonprintable(n) + " is not a package name");
        }
        (name == "--no-binary" ? result.no_binary : result.only_binary).push_back(n);
      }
      return {};
    }
    // Wheels are preferred anyway, so this changes nothing.
    if (name == "--prefer-binary") return {};
    if (name == "-e" || name == "--editable") {
      auto where = need("a project directory");
      if (!where) return std::move(where).error();
      std::string rest = text.substr(text.find(*where));
      auto r = path_requirement(rest, dir);
      if (!r) {
        auto named = Requirement::parse(rest);
        if (named && named->url && named->url->rfind("file://", 0) == 0) {
          r = path_requirement(*named->url, dir);
          if (r) r->name = named->name;
        }
      }
      if (!r) {
        return Error(ErrorKind::parse, origin + ": -e needs a local project directory, got '" + escape_nonprintable(rest.substr(0, 80)) + "'")
            .with_hint("editable installs are of directories: `-e ./path/to/project`");
      }
      r->editable = true;
      RequirementLine line;
      line.origin = origin;
      line.requirement = std::move(*r);
      (constraints ? result.constraints : result.requirements).push_back(std::move(line));
      return {};
    }
    if (name == "--hash") return Error(ErrorKind::parse, origin + ": --hash must follow a requirement on its line");
    return Error(ErrorKind::parse, origin + ": unsupported option '" + name + "'");
  }

  Status requirement(const std::string& text, const std::string& origin, bool constraints, const fs::path& dir) {
    // The requirement runs up to the first word that starts with '-'.
    const auto tokens = words(text);
    std::string spec;
    std::size_t i = 0;
    for (; i < tokens.size() && tokens[i][0] != '-'; ++i) spec += (spec.empty() ? "" : " ") + tokens[i];
    RequirementLine line;
    line.origin = origin;
    for (; i < tokens.size(); ++i) {
      std::string option = tokens[i];
      std::string value;
      if (const auto eq = option.find('='); eq != std::string::npos) {
        value = option.substr(eq + 1);
        option = option.substr(0, eq);
      } else if (i + 1 < tokens.size()) {
        value = tokens[++i];
      }
      if (option != "--hash") return Error(ErrorKind::parse, origin + ": unsupported option '" + option + "' after a requirement");
      const auto colon = value.find(':');
      if (colon == std::string::npos || colon == 0 || colon + 1 == value.size()) {
        return Error(ErrorKind::parse, origin + ": --hash needs algorithm:digest, got '" + value + "'");
      }
      const std::string algorithm = to_lower_ascii(value.substr(0, colon));
      if (algorithm != "sha256") {
        return Error(ErrorKind::parse, origin + ": --hash=" + escape_nonprintable(algorithm) +
                                           ":...: uvauth checks sha256 hashes only")
            .with_hint("give the sha256 of the file (`python3 -m pip hash FILE` prints it)");
      }
      const auto digest = Sha256Digest::parse(value.substr(colon + 1));
      if (!digest) {
        return Error(ErrorKind::parse, origin + ": --hash=sha256:" + escape_nonprintable(value.substr(colon + 1, 80)) +
                                           " is not a SHA-256 digest (64 hex digits)");
      }
      line.hashes.push_back("sha256:" + digest->hex());
    }
    auto parsed = Requirement::parse(spec);
    if (!parsed || names_an_archive(spec)) {
      if (auto path = path_requirement(spec, dir)) {
        line.requirement = std::move(*path);
        (constraints ? result.constraints : result.requirements).push_back(std::move(line));
        return {};
      }
    }
    if (!parsed) {
      auto from_url = url_requirement(spec);
      if (!from_url) return Error(ErrorKind::parse, origin + ": " + parsed.error().message);
      if (!*from_url) return Error(ErrorKind::parse, origin + ": " + from_url->error().message);
      parsed = std::move(*from_url).value();
    }
    line.requirement = std::move(parsed).value();
    // `name @ ./dir` or `name @ /abs/dir`: a path, relative to this file.
    if (line.requirement.url && line.requirement.url->find("://") == std::string::npos) {
      auto path = path_requirement(*line.requirement.url, dir);
      if (!path) return Error(ErrorKind::parse, origin + ": " + escape_nonprintable(*line.requirement.url) + " is neither a URL nor a path");
      line.requirement.url = path->url;
    }
    (constraints ? result.constraints : result.requirements).push_back(std::move(line));
    return {};
  }

  const FileLoader& load_;
  const EnvironmentLookup& environment_;
  std::set<fs::path> open_;
};

}  // namespace

Result<RequirementsTxt> parse_requirements_txt(const fs::path& file, const FileLoader& load,
                                               const EnvironmentLookup& environment) {
  Parser parser(load, environment);
  UVAUTH_TRY(parser.parse(file, false, 0));
  return std::move(parser.result);
}

}  // namespace uvauth::pep
