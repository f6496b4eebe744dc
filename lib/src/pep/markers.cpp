#include "uvauth/pep/markers.hpp"

#include <array>
#include <cctype>

#include "uvauth/pep/names.hpp"
#include "uvauth/text.hpp"
#include "uvauth/pep/specifiers.hpp"

namespace uvauth::pep {
namespace {

bool is_word(char c) { return std::isalnum(static_cast<unsigned char>(c)) || c == '_'; }

// Spellings accepted for each variable, and the name it stands for.
struct VariableSpelling {
  std::string_view spelling;
  std::string_view name;
};
constexpr std::array<VariableSpelling, 20> variables{{
    {"python_version", "python_version"},
    {"python_full_version", "python_full_version"},
    {"os_name", "os_name"},
    {"os.name", "os_name"},
    {"sys_platform", "sys_platform"},
    {"sys.platform", "sys_platform"},
    {"platform_release", "platform_release"},
    {"platform_system", "platform_system"},
    {"platform_version", "platform_version"},
    {"platform.version", "platform_version"},
    {"platform_machine", "platform_machine"},
    {"platform.machine", "platform_machine"},
    {"platform_python_implementation", "platform_python_implementation"},
    {"platform.python_implementation", "platform_python_implementation"},
    {"python_implementation", "platform_python_implementation"},
    {"implementation_name", "implementation_name"},
    {"implementation_version", "implementation_version"},
    {"extra", "extra"},
    {"extras", "extras"},
    {"dependency_groups", "dependency_groups"},
}};

bool requires_version(std::string_view name) {
  return name == "implementation_version" || name == "platform_release" || name == "python_full_version" ||
         name == "python_version";
}
bool is_set_valued(std::string_view name) { return name == "extras" || name == "dependency_groups"; }

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// A quoted marker value is a Python string literal: its backslash escapes
// are processed, and a malformed one is an error.
Result<std::string> unescape(std::string_view raw) {
  std::string out;
  for (std::size_t i = 0; i < raw.size(); ++i) {
    if (raw[i] != '\\') {
      out += raw[i];
      continue;
    }
    if (++i >= raw.size()) return Error(ErrorKind::parse, "a backslash at the end");
    const char c = raw[i];
    switch (c) {
      case '\\': out += '\\'; break;
      case '\'': out += '\''; break;
      case '"': out += '"'; break;
      case 'n': out += '\n'; break;
      case 't': out += '\t'; break;
      case 'r': out += '\r'; break;
      case 'a': out += '\a'; break;
      case 'b': out += '\b'; break;
      case 'f': out += '\f'; break;
      case 'v': out += '\v'; break;
      case '\n': break;
      case 'x':
      case 'u':
      case 'U': {
        const std::size_t digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
        unsigned long code = 0;
        for (std::size_t k = 1; k <= digits; ++k) {
          const int h = i + k < raw.size() ? hex_value(raw[i + k]) : -1;
          if (h < 0) return Error(ErrorKind::parse, std::string("truncated \\") + c + " escape");
          code = code * 16 + static_cast<unsigned long>(h);
        }
        if (code > 0x10FFFF) return Error(ErrorKind::parse, "escape out of range");
        append_utf8(out, code);
        i += digits;
        break;
      }
      case 'N': return Error(ErrorKind::parse, "\\N{...} escapes are not supported");
      default:
        if (c >= '0' && c <= '7') {
          unsigned long code = static_cast<unsigned long>(c - '0');
          for (int k = 0; k < 2 && i + 1 < raw.size() && raw[i + 1] >= '0' && raw[i + 1] <= '7'; ++k) {
            code = code * 8 + static_cast<unsigned long>(raw[++i] - '0');
          }
          append_utf8(out, code);
        } else {
          out += '\\';  // Python keeps unknown escapes as written
          out += c;
        }
    }
  }
  return out;
}

class Parser {
 public:
  Parser(std::string_view text, std::size_t position) : s_(text), i_(position) {}

  Result<std::shared_ptr<const Marker::Group>> marker() {
    auto group = std::make_shared<Marker::Group>();
    auto first = atom();
    if (!first) return std::move(first).error();
    group->items.push_back(std::move(first).value());
    for (;;) {
      const std::size_t save = i_;
      skip_ws();
      std::string_view op;
      if (keyword("and")) {
        op = "and";
      } else if (keyword("or")) {
        op = "or";
      } else {
        i_ = save;
        break;
      }
      auto next = atom();
      if (!next) return std::move(next).error();
      group->items.emplace_back(std::string(op));
      group->items.push_back(std::move(next).value());
    }
    return std::shared_ptr<const Marker::Group>(std::move(group));
  }

  [[nodiscard]] std::size_t position() const { return i_; }
  void skip_ws() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\t')) ++i_;
  }
  Error error(const std::string& message) const {
    return Error(ErrorKind::parse, "invalid marker '" + std::string(s_) + "': " + message + " at position " +
                                       std::to_string(i_ + 1));
  }

 private:
  Result<Marker::Item> atom() {
    skip_ws();
    if (i_ < s_.size() && s_[i_] == '(') {
      ++i_;
      skip_ws();
      auto inner = marker();
      if (!inner) return std::move(inner).error();
      skip_ws();
      if (i_ >= s_.size() || s_[i_] != ')') return error("expected ')' to close the marker expression");
      ++i_;
      skip_ws();
      return Marker::Item(std::move(inner).value());
    }
    auto item = expression();
    if (!item) return std::move(item).error();
    skip_ws();
    return Marker::Item(std::move(item).value());
  }

  Result<Marker::Expression> expression() {
    Marker::Expression e;
    skip_ws();
    auto lhs = operand();
    if (!lhs) return std::move(lhs).error();
    e.lhs = std::move(lhs).value();
    skip_ws();
    auto op = operator_token();
    if (!op) return std::move(op).error();
    e.op = std::move(op).value();
    skip_ws();
    auto rhs = operand();
    if (!rhs) return std::move(rhs).error();
    e.rhs = std::move(rhs).value();
    // PEP 685: extra names compare normalised; normalise the literal now.
    if (e.lhs.is_variable && e.lhs.text == "extra" && !e.rhs.is_variable) e.rhs.text = canonicalize_name(e.rhs.text);
    if (e.rhs.is_variable && e.rhs.text == "extra" && !e.lhs.is_variable) e.lhs.text = canonicalize_name(e.lhs.text);
    if (e.rhs.is_variable && is_set_valued(e.rhs.text) && !e.lhs.is_variable) e.lhs.text = canonicalize_name(e.lhs.text);
    return e;
  }

  Result<Marker::Operand> operand() {
    if (i_ < s_.size() && (s_[i_] == '\'' || s_[i_] == '"')) {
      const char quote = s_[i_];
      const std::size_t end = s_.find(quote, i_ + 1);
      if (end == std::string_view::npos) return error("unterminated quoted string");
      auto value = unescape(s_.substr(i_ + 1, end - i_ - 1));
      if (!value) return error("invalid quoted string (" + value.error().message + ")");
      i_ = end + 1;
      return Marker::Operand{false, std::move(value).value()};
    }
    if (i_ > 0 && is_word(s_[i_ - 1])) return error("expected a marker variable or quoted string");
    std::size_t end = i_;
    while (end < s_.size() && (is_word(s_[end]) || s_[end] == '.')) ++end;
    const std::string_view word = s_.substr(i_, end - i_);
    for (const auto& v : variables) {
      if (word == v.spelling) {
        i_ = end;
        return Marker::Operand{true, std::string(v.name)};
      }
    }
    return error("expected a marker variable or quoted string");
  }

  Result<std::string> operator_token() {
    for (std::string_view op : {"===", "==", "~=", "!=", "<=", ">=", "<", ">"}) {
      if (s_.substr(i_, op.size()) == op) {
        i_ += op.size();
        return std::string(op);
      }
    }
    if (keyword("in")) return std::string("in");
    const std::size_t save = i_;
    if (keyword("not")) {
      const std::size_t before_ws = i_;
      skip_ws();
      if (i_ == before_ws) return error("expected whitespace after 'not'");
      if (keyword("in")) return std::string("not in");
      i_ = save;
      return error("expected 'in' after 'not'");
    }
    return error("expected a marker operator, one of <=, <, !=, ==, >=, >, ~=, ===, in, not in");
  }

  bool keyword(std::string_view word) {
    if (s_.substr(i_, word.size()) != word) return false;
    if (i_ > 0 && is_word(s_[i_ - 1])) return false;
    if (i_ + word.size() < s_.size() && is_word(s_[i_ + word.size()])) return false;
    i_ += word.size();
    return true;
  }

  std::string_view s_;
  std::size_t i_;
};

std::string format_group(const Marker::Group& group, bool first);

std::string format_item(const Marker::Item& item) {
  if (const auto* e = std::get_if<Marker::Expression>(&item)) {
    auto operand = [](const Marker::Operand& o) {
      if (o.is_variable) return o.text;
      return detail::quote_value(o.text);
    };
    return operand(e->lhs) + " " + e->op + " " + operand(e->rhs);
  }
  if (const auto* g = std::get_if<std::shared_ptr<const Marker::Group>>(&item)) return format_group(**g, false);
  return std::get<std::string>(item);
}

std::string format_group(const Marker::Group& group, bool first) {
  // A group of one nested group or expression needs no parentheses of its own.
  if (group.items.size() == 1) {
    if (const auto* g = std::get_if<std::shared_ptr<const Marker::Group>>(&group.items[0])) {
      return format_group(**g, first);
    }
    if (std::holds_alternative<Marker::Expression>(group.items[0])) return format_item(group.items[0]);
  }
  std::string out;
  for (const auto& item : group.items) out += (out.empty() ? "" : " ") + format_item(item);
  return first ? out : "(" + out + ")";
}

struct Evaluator {
  const MarkerEnvironment& env;
  const MarkerContext& context;

  Result<bool> group(const Marker::Group& g) const {
    std::vector<std::vector<bool>> ors(1);
    for (const auto& item : g.items) {
      if (const auto* e = std::get_if<Marker::Expression>(&item)) {
        auto value = expression(*e);
        if (!value) return value;
        ors.back().push_back(*value);
      } else if (const auto* sub = std::get_if<std::shared_ptr<const Marker::Group>>(&item)) {
        auto value = group(**sub);
        if (!value) return value;
        ors.back().push_back(*value);
      } else if (std::get<std::string>(item) == "or") {
        ors.emplace_back();
      }
    }
    for (const auto& ands : ors) {
      bool all = true;
      for (bool b : ands) all = all && b;
      if (all) return true;
    }
    return false;
  }

  Result<bool> expression(const Marker::Expression& e) const {
    const std::string key = e.lhs.is_variable ? e.lhs.text : e.rhs.text;
    if (e.lhs.is_variable && is_set_valued(key)) {
      return Error(ErrorKind::parse, "the set-valued marker '" + key + "' can only be used as \"<name>\" in " + key);
    }
    if (is_set_valued(key)) {
      const auto& set = key == "extras" ? context.extras : context.dependency_groups;
      if (!set) return Error(ErrorKind::parse, "the marker variable '" + key + "' is only defined in lock files");
      const bool in = set->count(canonicalize_name(e.lhs.text)) > 0;
      if (e.op == "in") return in;
      if (e.op == "not in") return !in;
      return Error(ErrorKind::parse, "undefined comparison '" + e.op + "' with the set-valued marker '" + key + "'");
    }
    std::string variable_value;
    if (key == "extra") {
      variable_value = canonicalize_name(context.extra);
    } else if (auto it = env.find(key); it != env.end()) {
      variable_value = it->second;
    } else {
      return Error(ErrorKind::parse, "the marker variable '" + key + "' is not defined in the target environment");
    }
    const std::string lhs = e.lhs.is_variable ? variable_value : e.lhs.text;
    const std::string rhs = e.lhs.is_variable ? e.rhs.text : variable_value;

    // `python_version in "2.6 2.7 3.3"`: a list of versions, as uv reads it
    // (one of them, compared as versions), when every item is one.
    if (e.lhs.is_variable && (e.op == "in" || e.op == "not in") &&
        (key == "python_version" || key == "python_full_version" || key == "implementation_version")) {
      std::optional<bool> member;
      if (auto items = detail::version_list_items(rhs)) {
        member = false;
        for (const auto& item : *items) {
          auto spec = Specifier::parse("==" + item);
          if (!spec) {
            member.reset();
            break;
          }
          SpecifierSet set;
          set.add(std::move(spec).value());
          member = *member || set.contains_text(lhs, true);
        }
      }
      if (member) return e.op == "in" ? *member : !*member;
    }
    if (requires_version(key)) {
      if (auto spec = Specifier::parse(e.op + rhs); spec) {
        SpecifierSet set;
        set.add(std::move(spec).value());
        return set.contains_text(lhs, true);
      }
    }
    if (e.op == "in") return rhs.find(lhs) != std::string::npos;
    if (e.op == "not in") return rhs.find(lhs) == std::string::npos;
    if (e.op == "==" || e.op == "<=" || e.op == ">=") return lhs == rhs;
    if (e.op == "!=") return lhs != rhs;
    if (e.op == "<" || e.op == ">") return false;
    return Error(ErrorKind::parse, "undefined comparison '" + lhs + "' " + e.op + " '" + rhs + "' (" + key +
                                       " is not a version)");
  }
};

}  // namespace

namespace detail {
std::optional<std::vector<std::string>> version_list_items(std::string_view literal) {
  std::vector<std::string> items;
  std::size_t start = 0;
  while (start < literal.size()) {
    const std::size_t begin = literal.find_first_not_of(" \t", start);
    if (begin == std::string_view::npos) break;
    const std::size_t end = std::min(literal.find_first_of(" \t", begin), literal.size());
    if (items.size() == 256) return std::nullopt;
    items.emplace_back(literal.substr(begin, end - begin));
    start = end;
  }
  if (items.empty()) return std::nullopt;
  return items;
}

Result<std::shared_ptr<const Marker::Group>> parse_marker_at(std::string_view text, std::size_t& position) {
  Parser parser(text, position);
  auto group = parser.marker();
  position = parser.position();
  return group;
}
// A value as a Python string literal that reads back to the same value:
// double quotes unless the value holds one; backslashes and control
// characters escaped (packaging prints them raw, which does not round-trip).
std::string quote_value(const std::string& value) {
  const bool has_double = value.find('"') != std::string::npos;
  const bool has_single = value.find('\'') != std::string::npos;
  const char q = has_double && !has_single ? '\'' : '"';
  std::string out(1, q);
  for (unsigned char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c < 0x20 || c == 0x7f || c == static_cast<unsigned char>(q)) {
      // The quote itself too: a quoted marker string cannot contain its quote.
      static constexpr char hex[] = "0123456789abcdef";
      out += "\\x";
      out += hex[c >> 4];
      out += hex[c & 0xf];
    } else {
      out += static_cast<char>(c);
    }
  }
  out += q;
  return out;
}

}  // namespace detail

Result<Marker> Marker::parse(std::string_view text) {
  Parser parser(text, 0);
  auto group = parser.marker();
  if (!group) return std::move(group).error();
  parser.skip_ws();
  if (parser.position() != text.size()) return parser.error("unexpected text");
  return from_group(std::move(group).value());
}

Result<bool> Marker::evaluate(const MarkerEnvironment& environment, const MarkerContext& context) const {
  if (!root_) return true;
  return Evaluator{environment, context}.group(*root_);
}

std::string Marker::to_string() const { return root_ ? format_group(*root_, true) : std::string(); }

}  // namespace uvauth::pep
