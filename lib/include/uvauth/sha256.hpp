// SHA-256 (OpenSSL libcrypto), incremental, hex output.
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "uvauth/error.hpp"

namespace uvauth {

class Sha256 {
 public:
  Sha256();
  ~Sha256();
  Sha256(Sha256&&) noexcept;
  Sha256& operator=(Sha256&&) noexcept;
  Sha256(const Sha256&) = delete;
  Sha256& operator=(const Sha256&) = delete;

  void update(std::string_view data);
  // Lower-case hex of everything given so far; the hasher starts again afterwards.
  std::string hex_digest();
  void reset();

  static std::string hex_of(std::string_view data);
  static Result<std::string> hex_of_file(const std::filesystem::path& file);

 private:
  struct State;
  std::unique_ptr<State> state_;
};

// A SHA-256 digest that was checked: exactly 64 hex digits, held in lower
// case. Every hash read from a lock, a page, a requirements file or `--hash`
// becomes one of these before it is compared or used in a path.
class Sha256Digest {
 public:
  // nullopt unless `text` is 64 hex digits (either case).
  static std::optional<Sha256Digest> parse(std::string_view text);
  [[nodiscard]] const std::string& hex() const { return hex_; }
  friend bool operator==(const Sha256Digest& a, const Sha256Digest& b) { return a.hex_ == b.hex_; }
  friend bool operator==(const Sha256Digest& a, std::string_view hex) { return a.hex_ == hex; }

 private:
  explicit Sha256Digest(std::string hex) : hex_(std::move(hex)) {}
  std::string hex_;
};

}  // namespace uvauth
