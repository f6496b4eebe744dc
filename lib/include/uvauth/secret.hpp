// A secret (password, token) that cannot be printed by accident: streaming
// it writes "****", and the only way to the text is the explicit reveal().
#pragma once

#include <ostream>
#include <string>
#include <string_view>

namespace uvauth {

class Secret {
 public:
  Secret() = default;
  explicit Secret(std::string text) : text_(std::move(text)) {}
  Secret(const Secret&) = default;
  Secret(Secret&&) noexcept = default;
  Secret& operator=(const Secret&) = default;
  Secret& operator=(Secret&&) noexcept = default;
  ~Secret() { wipe(); }

  // The secret text. Call only where it must leave the process (an HTTP
  // header, the credentials store, `uvauth auth token`).
  [[nodiscard]] const std::string& reveal() const { return text_; }
  [[nodiscard]] bool empty() const { return text_.empty(); }

  friend bool operator==(const Secret& a, const Secret& b) { return a.text_ == b.text_; }
  friend std::ostream& operator<<(std::ostream& os, const Secret&) { return os << "****"; }

 private:
  void wipe() {
    volatile char* p = text_.data();
    for (std::size_t i = 0; i < text_.size(); ++i) p[i] = 0;
  }
  std::string text_;
};

}  // namespace uvauth
