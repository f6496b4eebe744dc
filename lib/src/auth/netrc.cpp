#include "uvauth/auth/netrc.hpp"

#include "uvauth/fs.hpp"
#include "uvauth/text.hpp"

#include <cctype>
#include <fstream>
#include <sstream>

namespace uvauth::auth {
namespace {

// Splits netrc text into tokens, tracking line numbers. A token is a run of
// non-space characters or a double-quoted string (backslash escapes the next
// character); '#' at the start of a token comments out the rest of the line.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  struct Token {
    std::string text;
    int line = 0;
    bool quoted = false;
  };

  // nullopt at end of input; an error for an unterminated quote.
  Result<std::optional<Token>> next() {
    for (;;) {
      skip_space();
      if (pos_ >= text_.size()) return std::optional<Token>();
      if (text_[pos_] == '#') {
        while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
        continue;
      }
      break;
    }
    Token token;
    token.line = line_;
    if (text_[pos_] == '"') {
      token.quoted = true;
      ++pos_;
      for (;;) {
        if (pos_ >= text_.size()) return Error(ErrorKind::parse, "unterminated quoted string");
        char c = text_[pos_++];
        if (c == '"') break;
        if (c == '\\' && pos_ < text_.size()) c = text_[pos_++];
        if (c == '\n') ++line_;
        token.text += c;
      }
      return std::optional<Token>(std::move(token));
    }
    while (pos_ < text_.size() && !std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      char c = text_[pos_++];
      if (c == '\\' && pos_ < text_.size()) c = text_[pos_++];
      token.text += c;
    }
    return std::optional<Token>(std::move(token));
  }

  // A macro body runs until an empty line (or the end).
  void skip_macro_body() {
    // The rest of the `macdef name` line belongs to the definition line.
    while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
    while (pos_ < text_.size()) {
      ++pos_;  // the newline
      ++line_;
      const std::size_t start = pos_;
      while (pos_ < text_.size() && text_[pos_] != '\n') ++pos_;
      std::string_view line = text_.substr(start, pos_ - start);
      bool blank = true;
      for (char c : line) blank = blank && std::isspace(static_cast<unsigned char>(c));
      if (blank) return;
    }
  }

  [[nodiscard]] int line() const { return line_; }

 private:
  void skip_space() {
    while (pos_ < text_.size() && std::isspace(static_cast<unsigned char>(text_[pos_]))) {
      if (text_[pos_] == '\n') ++line_;
      ++pos_;
    }
  }
  std::string_view text_;
  std::size_t pos_ = 0;
  int line_ = 1;
};

Error at(const std::string& source, int line, const std::string& message) {
  return Error(ErrorKind::parse, source + ":" + std::to_string(line) + ": " + message);
}

bool is_keyword(const Lexer::Token& token) {
  return !token.quoted && (token.text == "machine" || token.text == "default" || token.text == "macdef");
}

}  // namespace

Result<Netrc> Netrc::parse(std::string_view text, const std::string& source) {
  Netrc netrc;
  Lexer lexer(text);
  std::optional<Lexer::Token> pending;
  auto next = [&]() -> Result<std::optional<Lexer::Token>> {
    if (pending) {
      auto token = std::move(pending);
      pending.reset();
      return token;
    }
    auto token = lexer.next();
    if (!token) return at(source, lexer.line(), token.error().message);
    return token;
  };

  for (;;) {
    auto token = next();
    if (!token) return std::move(token).error();
    if (!*token) break;
    const Lexer::Token& top = **token;
    NetrcEntry entry;
    if (top.text == "machine" && !top.quoted) {
      auto name = next();
      if (!name) return std::move(name).error();
      if (!*name || is_keyword(**name)) return at(source, top.line, "'machine' needs a host name");
      entry.machine = (*name)->text;
    } else if (top.text == "default" && !top.quoted) {
      entry.is_default = true;
    } else if (top.text == "macdef" && !top.quoted) {
      auto name = next();
      if (!name) return std::move(name).error();
      if (!*name) return at(source, top.line, "'macdef' needs a macro name");
      lexer.skip_macro_body();
      continue;
    } else {
      // The word itself is never quoted: a misplaced word in a netrc file is
      // as likely as not a password.
      return at(source, top.line, "expected `machine`, `default` or `macdef`, found another word (not shown: it may be a secret)");
    }

    // The entry's attributes, up to the next entry.
    for (;;) {
      auto attr = next();
      if (!attr) return std::move(attr).error();
      if (!*attr) break;
      if (is_keyword(**attr)) {
        pending = std::move(*attr);
        break;
      }
      const Lexer::Token key = **attr;
      if (key.text != "login" && key.text != "user" && key.text != "password" && key.text != "passwd" &&
          key.text != "account" && key.text != "port") {
        // Nothing of the file is quoted, not even the host name: a file
        // broken this way may have a password anywhere.
        return at(source, key.line, std::string("expected `login`, `password`, `account` or `port` in the entry of ") +
                                        (entry.is_default ? "`default`" : "a `machine`") +
                                        ", found another word (not shown: it may be a secret)");
      }
      auto value = next();
      if (!value) return std::move(value).error();
      if (!*value || is_keyword(**value)) return at(source, key.line, "'" + key.text + "' needs a value");
      if (key.text == "login" || key.text == "user") {
        entry.login = (*value)->text;
      } else if (key.text == "password" || key.text == "passwd") {
        entry.password = Secret((*value)->text);
      } else if (key.text == "account") {
        entry.account = (*value)->text;
      }  // `port` is read and ignored: matching is by host only, as in uv.
    }
    netrc.entries_.push_back(std::move(entry));
  }
  return netrc;
}

Result<std::optional<Netrc>> Netrc::load(const std::filesystem::path& file) {
  std::error_code ec;
  if (!std::filesystem::exists(file, ec)) return std::optional<Netrc>();
  auto text = read_file(file, max_text_input);
  if (!text) return Error(ErrorKind::io, "netrc file: " + text.error().message);
  auto netrc = parse(*text, file.string());
  if (!netrc) return std::move(netrc).error();
  return std::optional<Netrc>(std::move(netrc).value());
}

std::optional<Credentials> Netrc::find(std::string_view host, const std::optional<std::string>& username) const {
  const NetrcEntry* chosen = nullptr;
  bool host_has_entries = false;
  for (const auto& entry : entries_) {
    if (entry.is_default || entry.machine != host) continue;
    host_has_entries = true;
    // Among several entries for the host, the last wins (as in uv), except
    // that one whose login is the requested user name is preferred.
    if (username && entry.login == *username) {
      chosen = &entry;
    } else if (!username) {
      chosen = &entry;
    }
  }
  if (!host_has_entries) {
    for (const auto& entry : entries_) {
      if (entry.is_default) chosen = &entry;
    }
    if (chosen && username && chosen->login != *username) chosen = nullptr;
  }
  if (!chosen) return std::nullopt;
  return Credentials::basic(chosen->login, chosen->password.value_or(Secret("")));
}

}  // namespace uvauth::auth
