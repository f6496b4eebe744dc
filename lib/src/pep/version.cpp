#include "uvauth/pep/version.hpp"

#include <cstdlib>

#include "uvauth/text.hpp"

namespace uvauth::pep {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_lower_alnum(char c) { return is_digit(c) || (c >= 'a' && c <= 'z'); }
bool is_separator(char c) { return c == '.' || c == '-' || c == '_'; }

// A cursor over the lower-cased text; every method consumes only on success.
class Scanner {
 public:
  explicit Scanner(std::string text) : s_(std::move(text)) {}

  [[nodiscard]] bool done() const { return i_ == s_.size(); }
  [[nodiscard]] char peek(std::size_t ahead = 0) const { return i_ + ahead < s_.size() ? s_[i_ + ahead] : '\0'; }
  bool eat(char c) {
    if (peek() != c) return false;
    ++i_;
    return true;
  }
  bool eat_word(std::string_view word) {
    if (s_.compare(i_, word.size(), word) != 0) return false;
    i_ += word.size();
    return true;
  }
  // Digits as a number; false if none, an error on overflow.
  Result<bool> number(std::uint64_t& out) {
    if (!is_digit(peek())) return false;
    std::uint64_t value = 0;
    while (is_digit(peek())) {
      const auto digit = static_cast<std::uint64_t>(s_[i_] - '0');
      if (value > (UINT64_MAX - digit) / 10) return Error(ErrorKind::parse, "a number is too large");
      value = value * 10 + digit;
      ++i_;
    }
    out = value;
    return true;
  }
  [[nodiscard]] std::size_t position() const { return i_; }
  void reset(std::size_t position) { i_ = position; }
  [[nodiscard]] std::string_view rest() const { return std::string_view(s_).substr(i_); }

 private:
  std::string s_;
  std::size_t i_ = 0;
};

// [-_.]? (letters) [-_.]? digits? — the optional number defaults to 0. A
// separator before the number is taken only when a number follows it.
Result<std::optional<std::pair<std::string_view, std::uint64_t>>> labelled(Scanner& in,
                                                                          std::initializer_list<std::string_view> labels) {
  const std::size_t start = in.position();
  if (is_separator(in.peek())) in.eat(in.peek());
  for (std::string_view label : labels) {
    if (!in.eat_word(label)) continue;
    std::uint64_t n = 0;
    const std::size_t after_label = in.position();
    if (is_separator(in.peek()) && is_digit(in.peek(1))) in.eat(in.peek());
    auto got = in.number(n);
    if (!got) return std::move(got).error();
    if (!*got) in.reset(after_label);
    return std::optional<std::pair<std::string_view, std::uint64_t>>(std::make_pair(label, n));
  }
  in.reset(start);
  return std::optional<std::pair<std::string_view, std::uint64_t>>();
}

int pre_rank(Version::PreKind kind) { return static_cast<int>(kind); }

}  // namespace

Result<Version> Version::parse(std::string_view text) {
  const std::string_view trimmed = trim(text);
  if (trimmed.empty()) return Error(ErrorKind::parse, "invalid version '': empty");
  auto invalid = [&](std::string_view why) {
    return Error(ErrorKind::parse, "invalid version '" + std::string(trimmed) + "': " + std::string(why));
  };
  for (char c : trimmed) {
    if (static_cast<unsigned char>(c) >= 0x80) return invalid("not ASCII");
  }
  Scanner in(to_lower_ascii(trimmed));
  Version v;
  in.eat('v');
  std::uint64_t first = 0;
  auto got = in.number(first);
  if (!got) return invalid(got.error().message);
  if (!*got) return invalid("expected a release number such as 1.0");
  if (in.eat('!')) {
    v.epoch_ = first;
    got = in.number(first);
    if (!got) return invalid(got.error().message);
    if (!*got) return invalid("expected a release number after the epoch");
  }
  v.release_.push_back(first);
  while (in.peek() == '.' && is_digit(in.peek(1))) {
    in.eat('.');
    std::uint64_t n = 0;
    got = in.number(n);
    if (!got) return invalid(got.error().message);
    v.release_.push_back(n);
  }

  auto pre = labelled(in, {"alpha", "beta", "preview", "pre", "rc", "a", "b", "c"});
  if (!pre) return invalid(pre.error().message);
  if (*pre) {
    const std::string_view label = (*pre)->first;
    const PreKind kind = label == "alpha" || label == "a" ? PreKind::alpha
                         : label == "beta" || label == "b" ? PreKind::beta
                                                           : PreKind::rc;
    v.pre_ = Pre{kind, (*pre)->second};
  }

  // Post: "-N" (implicit), or [-_.]? (post|rev|r) [-_.]? N?
  if (in.peek() == '-' && is_digit(in.peek(1))) {
    in.eat('-');
    std::uint64_t n = 0;
    got = in.number(n);
    if (!got) return invalid(got.error().message);
    v.post_ = n;
  } else {
    auto post = labelled(in, {"post", "rev", "r"});
    if (!post) return invalid(post.error().message);
    if (*post) v.post_ = (*post)->second;
  }

  auto dev = labelled(in, {"dev"});
  if (!dev) return invalid(dev.error().message);
  if (*dev) v.dev_ = (*dev)->second;

  if (in.eat('+')) {
    for (;;) {
      std::string segment;
      while (is_lower_alnum(in.peek())) {
        segment += in.peek();
        in.eat(in.peek());
      }
      if (segment.empty()) return invalid("empty local version segment");
      bool numeric = true;
      for (char c : segment) numeric = numeric && is_digit(c);
      if (numeric) {
        std::uint64_t n = 0;
        for (char c : segment) {
          const auto digit = static_cast<std::uint64_t>(c - '0');
          if (n > (UINT64_MAX - digit) / 10) return invalid("a number is too large");
          n = n * 10 + digit;
        }
        v.local_.emplace_back(n);
      } else {
        v.local_.emplace_back(std::move(segment));
      }
      if (!is_separator(in.peek())) break;
      in.eat(in.peek());
    }
  }
  if (!in.done()) return invalid("unexpected '" + std::string(in.rest()) + "'");
  return v;
}

Version Version::from(std::string_view text) {
  auto v = parse(text);
  if (!v) std::abort();
  return std::move(v).value();
}

std::string Version::local_string() const {
  std::string out;
  for (const auto& segment : local_) {
    if (!out.empty()) out += '.';
    if (const auto* n = std::get_if<std::uint64_t>(&segment)) {
      out += std::to_string(*n);
    } else {
      out += std::get<std::string>(segment);
    }
  }
  return out;
}

std::string Version::to_string() const {
  std::string out;
  if (epoch_ != 0) out += std::to_string(epoch_) + "!";
  for (std::size_t i = 0; i < release_.size(); ++i) {
    if (i) out += '.';
    out += std::to_string(release_[i]);
  }
  if (pre_) {
    out += pre_->kind == PreKind::alpha ? "a" : pre_->kind == PreKind::beta ? "b" : "rc";
    out += std::to_string(pre_->number);
  }
  if (post_) out += ".post" + std::to_string(*post_);
  if (dev_) out += ".dev" + std::to_string(*dev_);
  if (!local_.empty()) out += "+" + local_string();
  return out;
}

Version Version::public_version() const {
  Version copy = *this;
  copy.local_.clear();
  return copy;
}

Version Version::base_version() const {
  Version copy;
  copy.epoch_ = epoch_;
  copy.release_ = release_;
  return copy;
}

Version Version::with_release(std::vector<std::uint64_t> release) const {
  Version copy = *this;
  copy.release_ = std::move(release);
  return copy;
}

Version Version::with_dev(std::uint64_t dev) const {
  Version copy = public_version();
  copy.dev_ = dev;
  return copy;
}

Version Version::with_post(std::uint64_t post) const {
  Version copy = public_version();
  copy.post_ = post;
  return copy;
}

std::strong_ordering operator<=>(const Version& a, const Version& b) {
  if (auto c = a.epoch_ <=> b.epoch_; c != 0) return c;
  // Release, trailing zeros ignored: 1.0 == 1.0.0.
  const std::size_t n = std::max(a.release_.size(), b.release_.size());
  for (std::size_t i = 0; i < n; ++i) {
    const std::uint64_t x = i < a.release_.size() ? a.release_[i] : 0;
    const std::uint64_t y = i < b.release_.size() ? b.release_[i] : 0;
    if (auto c = x <=> y; c != 0) return c;
  }
  // Pre: a dev release of a final (1.0.dev0) sorts before its pre-releases;
  // no pre-release sorts after them.
  auto pre_key = [](const Version& v) -> std::pair<int, std::pair<int, std::uint64_t>> {
    if (!v.pre_ && !v.post_ && v.dev_) return {-1, {0, 0}};
    if (!v.pre_) return {1, {0, 0}};
    return {0, {pre_rank(v.pre_->kind), v.pre_->number}};
  };
  if (auto c = pre_key(a) <=> pre_key(b); c != 0) return c;
  auto post_key = [](const Version& v) { return v.post_ ? std::pair<int, std::uint64_t>{1, *v.post_} : std::pair<int, std::uint64_t>{0, 0}; };
  if (auto c = post_key(a) <=> post_key(b); c != 0) return c;
  auto dev_key = [](const Version& v) { return v.dev_ ? std::pair<int, std::uint64_t>{0, *v.dev_} : std::pair<int, std::uint64_t>{1, 0}; };
  if (auto c = dev_key(a) <=> dev_key(b); c != 0) return c;
  // Local: none sorts first; numbers sort after strings; then element-wise.
  if (a.local_.empty() || b.local_.empty()) return !a.local_.empty() <=> !b.local_.empty();
  const std::size_t m = std::min(a.local_.size(), b.local_.size());
  for (std::size_t i = 0; i < m; ++i) {
    const auto& x = a.local_[i];
    const auto& y = b.local_[i];
    if (x.index() != y.index()) return x.index() == 0 ? std::strong_ordering::greater : std::strong_ordering::less;
    if (x.index() == 0) {
      if (auto c = std::get<0>(x) <=> std::get<0>(y); c != 0) return c;
    } else {
      if (auto c = std::get<1>(x).compare(std::get<1>(y)) <=> 0; c != 0) return c;
    }
  }
  return a.local_.size() <=> b.local_.size();
}

}  // namespace uvauth::pep
