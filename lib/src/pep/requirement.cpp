#include "uvauth/pep/requirement.hpp"

#include <algorithm>
#include <cctype>

#include "uvauth/pep/names.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/text.hpp"
#include "uvauth/git/git.hpp"
#include "uvauth/url.hpp"

namespace uvauth::pep {
namespace {

bool is_name_char(char c) { return is_ascii_alnum(c) || c == '_'; }

class Reader {
 public:
  explicit Reader(std::string_view text) : s_(text) {}
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  [[nodiscard]] bool at_end() const { return i_ >= s_.size(); }
  [[nodiscard]] char peek() const { return i_ < s_.size() ? s_[i_] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  // [A-Za-z0-9][A-Za-z0-9._-]* ending on a word character (regex \b...\b).
  std::optional<std::string> identifier() {
    if (!is_ascii_alnum(peek())) return std::nullopt;
    std::size_t end = i_;
    while (end < s_.size() && (is_name_char(s_[end]) || s_[end] == '.' || s_[end] == '-')) ++end;
    while (end > i_ && !is_name_char(s_[end - 1])) --end;
    std::string out(s_.substr(i_, end - i_));
    i_ = end;
    return out;
  }
  Error error(const std::string& expected) const {
    return Error(ErrorKind::parse, "invalid requirement '" + std::string(s_) + "': expected " + expected +
                                       " at position " + std::to_string(i_ + 1));
  }
  std::string_view s_;
  std::size_t i_ = 0;
};

bool is_specifier_char(char c) {
  return is_ascii_alnum(c) || c == '.' || c == '*' || c == '+' || c == '!' || c == '-' || c == '_';
}

}  // namespace

Result<Requirement> Requirement::parse(std::string_view text) {
  Reader in(text);
  Requirement r;
  in.skip_ws();
  auto name = in.identifier();
  if (!name) return in.error("a package name at the start");
  r.name = *name;
  in.skip_ws();

  if (in.eat('[')) {
    in.skip_ws();
    if (auto first = in.identifier()) {
      r.extras.push_back(*first);
      for (;;) {
        in.skip_ws();
        if (is_ascii_alnum(in.peek())) return in.error("a comma between extra names");
        if (!in.eat(',')) break;
        in.skip_ws();
        auto extra = in.identifier();
        if (!extra) return in.error("an extra name after the comma");
        r.extras.push_back(*extra);
      }
    }
    in.skip_ws();
    if (!in.eat(']')) return in.error("']' to close the extras");
    in.skip_ws();
  }

  auto parse_marker = [&]() -> Status {
    if (!in.eat(';')) return in.error("';' and a marker, or the end");
    std::size_t position = in.i_;
    auto group = detail::parse_marker_at(text, position);
    if (!group) {
      return Error(ErrorKind::parse, "invalid requirement '" + std::string(text) + "': " +
                                         group.error().message.substr(group.error().message.find("': ") + 3));
    }
    in.i_ = position;
    in.skip_ws();
    if (!in.at_end()) return in.error("the end of the requirement");
    r.marker = Marker::from_group(std::move(group).value());
    return {};
  };

  if (in.eat('@')) {
    in.skip_ws();
    const std::size_t start = in.i_;
    while (!in.at_end() && in.peek() != ' ' && in.peek() != '\t') ++in.i_;
    if (in.i_ == start) return in.error("a URL after '@'");
    r.url = std::string(text.substr(start, in.i_ - start));
    const bool is_file = r.url->rfind("file:", 0) == 0;
    // uv's `name @ /abs/dir` and `name @ ./dir`: a path, made a file:// URL by whoever knows the base.
    const bool is_path = (*r.url)[0] == '/' || r.url->rfind("./", 0) == 0 || r.url->rfind("../", 0) == 0;
    if (r.url->rfind("git+", 0) == 0) {
      // A Git requirement: checked by the git layer (git+https, git+http, git+ssh, git+file).
      auto ref = git::GitReference::parse(*r.url);
      if (!ref) return Error(ErrorKind::parse, "invalid requirement '" + redact_userinfo_in_text(text) + "': " + ref.error().message);
    } else if (!is_file && !is_path) {
      auto url = Url::parse(*r.url);
      if (!url || url->host().empty()) {
        return Error(ErrorKind::parse, "invalid requirement '" + redact_userinfo_in_text(text) + "': invalid URL '" +
                                           redact_userinfo_in_text(*r.url) + "'");
      }
    }
    if (in.at_end()) return r;
    const std::size_t before_ws = in.i_;
    in.skip_ws();
    if (in.i_ == before_ws) return in.error("white space after the URL");
    if (in.at_end()) return r;
    UVAUTH_TRY(parse_marker());
    return r;
  }

  // Specifiers, optionally in parentheses.
  const bool parenthesised = in.eat('(');
  in.skip_ws();
  for (bool first = true;; first = false) {
    if (!first) {
      const std::size_t save = in.i_;
      in.skip_ws();
      if (!in.eat(',')) {
        in.i_ = save;
        break;
      }
      in.skip_ws();
    }
    const std::size_t start = in.i_;
    std::size_t op = 0;
    while (start + op < text.size() && std::string_view("<>=!~").find(text[start + op]) != std::string_view::npos) ++op;
    if (op == 0) {
      if (first) break;
      return in.error("a version specifier after ','");
    }
    in.i_ += op;
    in.skip_ws();
    const bool arbitrary = text.substr(start, 3) == "===";
    while (!in.at_end() &&
           (arbitrary ? std::string_view(" \t;)").find(in.peek()) == std::string_view::npos : is_specifier_char(in.peek()))) {
      ++in.i_;
    }
    // An `===` token runs to white space, so it may swallow commas; like
    // packaging, read it as a set so that what follows a comma is checked.
    auto specs = SpecifierSet::parse(text.substr(start, in.i_ - start));
    if (!specs) {
      return Error(ErrorKind::parse, "invalid requirement '" + std::string(text) + "': " + specs.error().message);
    }
    for (const auto& spec : specs->specifiers()) r.specifier.add(spec);
  }
  in.skip_ws();
  if (parenthesised && !in.eat(')')) return in.error("')' to close the version specifier");
  in.skip_ws();
  if (in.at_end()) return r;
  UVAUTH_TRY(parse_marker());
  return r;
}

std::string Requirement::canonical_name() const { return canonicalize_name(name); }

std::string Requirement::to_string() const {
  std::string out = name;
  if (!extras.empty()) {
    std::vector<std::string> sorted = extras;
    std::sort(sorted.begin(), sorted.end());
    sorted.erase(std::unique(sorted.begin(), sorted.end()), sorted.end());
    out += "[";
    for (std::size_t i = 0; i < sorted.size(); ++i) out += (i ? "," : "") + sorted[i];
    out += "]";
  }
  out += specifier.to_string();
  if (url) {
    out += " @ " + *url;
    if (marker) out += " ";
  }
  if (marker) out += "; " + marker->to_string();
  return out;
}

bool is_sdist_filename(std::string_view filename) {
  for (std::string_view ext : {".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".tar"}) {
    if (filename.size() > ext.size() && filename.substr(filename.size() - ext.size()) == ext) return true;
  }
  return false;
}

std::optional<std::pair<std::string, std::string>> split_sdist_filename(std::string_view filename) {
  if (!is_sdist_filename(filename)) return std::nullopt;
  std::string_view stem = filename;
  for (std::string_view ext : {".tar.gz", ".tgz", ".zip", ".tar.bz2", ".tar.xz", ".tar"}) {
    if (stem.size() > ext.size() && stem.substr(stem.size() - ext.size()) == ext) {
      stem = stem.substr(0, stem.size() - ext.size());
      break;
    }
  }
  const auto dash = stem.rfind('-');
  if (dash == std::string_view::npos || dash == 0 || dash + 1 == stem.size()) return std::nullopt;
  const std::string name(stem.substr(0, dash));
  if (!is_valid_name(name)) return std::nullopt;
  return std::make_pair(name, std::string(stem.substr(dash + 1)));
}

std::optional<Result<Requirement>> url_requirement(std::string_view text) {
  // PEP 508: after a URL the marker's `;` follows whitespace (a URL may hold `;`).
  std::string_view location = text;
  std::optional<Marker> marker;
  for (std::size_t i = 1; i < text.size(); ++i) {
    if (text[i] == ';' && (text[i - 1] == ' ' || text[i - 1] == '\t')) {
      location = text.substr(0, i);
      auto parsed = Marker::parse(text.substr(i + 1));
      if (!parsed) return Result<Requirement>(std::move(parsed).error());
      marker = std::move(parsed).value();
      break;
    }
  }
  location = trim(location);
  const auto scheme = location.find("://");
  if (scheme == std::string_view::npos || scheme == 0 || location.find_first_of(" \t") != std::string_view::npos) return std::nullopt;
  std::string_view path = location.substr(0, location.find_first_of("#?"));
  const std::string_view file = path.substr(path.find_last_of('/') + 1);
  Requirement r;
  if (location.rfind("git+", 0) != 0) {
    if (auto sdist = split_sdist_filename(file)) {
      r.name = sdist->first;
    } else if (auto wheel = WheelFilename::parse(file)) {
      r.name = wheel->name;
    }
  }
  if (r.name.empty()) {
    const std::string shown = escape_nonprintable(redact_userinfo_in_text(location));  // a URL may carry a password
    return Result<Requirement>(Error(ErrorKind::parse, "'" + shown + "' does not say which project it is: write `NAME @ " + shown + "`"));
  }
  r.url = std::string(location);
  r.marker = std::move(marker);
  return Result<Requirement>(std::move(r));
}

bool names_an_archive(std::string_view text) {
  const std::string_view location = trim(text.substr(0, text.find(';')));
  if (location.empty() || location.find_first_of("<>=!~ @[") != std::string_view::npos) return false;
  return is_sdist_filename(location) || (location.size() > 4 && location.substr(location.size() - 4) == ".whl");
}

std::optional<Requirement> path_requirement(std::string_view text, const std::filesystem::path& base) {
  std::string_view location = text;
  std::optional<Marker> marker;
  if (const auto semi = text.find(';'); semi != std::string_view::npos) {
    location = text.substr(0, semi);
    auto parsed = Marker::parse(text.substr(semi + 1));
    if (!parsed) return std::nullopt;
    marker = std::move(parsed).value();
  }
  while (!location.empty() && (location.back() == ' ' || location.back() == '\t')) location.remove_suffix(1);
  while (!location.empty() && (location.front() == ' ' || location.front() == '\t')) location.remove_prefix(1);
  if (location.empty()) return std::nullopt;
  std::string path;
  if (location.rfind("file://", 0) == 0) {
    auto url = Url::parse(location);
    if (!url) return std::nullopt;
    path = percent_decode(url->path());
  } else {
    const bool looks_like_path = location[0] == '.' || location[0] == '/' || location.find('/') != std::string_view::npos ||
                                 names_an_archive(location);
    if (!looks_like_path || location.find("://") != std::string_view::npos) return std::nullopt;
    if (location.find_first_of("<>=!~ ") != std::string_view::npos) return std::nullopt;
    path = std::string(location);
  }
  std::filesystem::path p(path);
  if (!p.is_absolute()) p = std::filesystem::absolute(base.empty() ? std::filesystem::path(".") : base) / p;
  p = p.lexically_normal();
  std::string normal = p.string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  Requirement r;
  r.url = file_url(normal);
  r.marker = std::move(marker);
  // A wheel is installed as it is (never built): its file name says the name.
  if (auto wheel = WheelFilename::parse(p.filename().string())) {
    r.name = wheel->name;
  } else if (auto split = split_sdist_filename(p.filename().string())) {
    r.name = split->first;
  }
  return r;
}

}  // namespace uvauth::pep
