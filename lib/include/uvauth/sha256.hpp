// SHA-256 (OpenSSL libcrypto), incremental, hex output.
#pragma once

#include <filesystem>
#include <memory>
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

}  // namespace uvauth
