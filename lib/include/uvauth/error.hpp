// Errors as values: every fallible function at a module border returns
// Result<T>; exceptions never cross a border. Messages are written for the
// user, name what failed and on what (URLs already redacted), and may carry
// "hint:" lines saying what to try.
#pragma once

#include <cassert>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace uvauth {

enum class ErrorKind {
  usage,        // bad command line or API use
  config,       // bad configuration file or setting
  parse,        // malformed input (file, page, metadata, ...)
  io,           // local file system
  network,      // transport failure (DNS, connect, reset, ...)
  timeout,      // connect or idle timeout
  tls,          // certificate verification or handshake
  http,         // an HTTP status the caller did not accept
  auth,         // missing, incomplete or rejected credentials
  integrity,    // hash mismatch
  resolution,   // requirements cannot be satisfied
  install,      // a wheel cannot be installed
};

struct Error {
  ErrorKind kind = ErrorKind::usage;
  std::string message;
  std::vector<std::string> hints;

  Error() = default;
  Error(ErrorKind k, std::string msg) : kind(k), message(std::move(msg)) {}

  Error&& with_hint(std::string hint) && {
    hints.push_back(std::move(hint));
    return std::move(*this);
  }
  Error& with_hint(std::string hint) & {
    hints.push_back(std::move(hint));
    return *this;
  }

  // Process exit code of the tool: 1 for problems the user fixes in the
  // requirements, 2 for usage/config/auth/network problems.
  [[nodiscard]] int exit_code() const {
    return kind == ErrorKind::resolution || kind == ErrorKind::install ? 1 : 2;
  }

  // The message followed by its hints, one "hint: " line each.
  [[nodiscard]] std::string to_string() const {
    std::string out = message;
    for (const auto& h : hints) out += "\nhint: " + h;
    return out;
  }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT(implicit)
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT(implicit)

  [[nodiscard]] bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { assert(ok()); return std::get<0>(state_); }
  const T& value() const& { assert(ok()); return std::get<0>(state_); }
  T&& value() && { assert(ok()); return std::get<0>(std::move(state_)); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  const Error& error() const& { assert(!ok()); return std::get<1>(state_); }
  Error&& error() && { assert(!ok()); return std::get<1>(std::move(state_)); }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT(implicit)

  [[nodiscard]] bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& { assert(!ok()); return *error_; }
  Error&& error() && { assert(!ok()); return std::move(*error_); }

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

}  // namespace uvauth

// Propagating errors: `UVAUTH_TRY(status_or_result);` returns its error
// from the calling function; `UVAUTH_TRY_ASSIGN(auto x, result);` declares
// (or assigns) `x` with the value, or returns the error.
#define UVAUTH_CONCAT_INNER(a, b) a##b
#define UVAUTH_CONCAT(a, b) UVAUTH_CONCAT_INNER(a, b)
#define UVAUTH_TRY(expression)                                        \
  do {                                                                \
    if (auto uvauth_try_result = (expression); !uvauth_try_result) {  \
      return std::move(uvauth_try_result).error();                    \
    }                                                                 \
  } while (false)
#define UVAUTH_TRY_ASSIGN(declaration, expression) \
  UVAUTH_TRY_ASSIGN_IMPL(declaration, expression, UVAUTH_CONCAT(uvauth_try_value_, __LINE__))
#define UVAUTH_TRY_ASSIGN_IMPL(declaration, expression, temporary)   \
  auto temporary = (expression);                                     \
  if (!temporary) return std::move(temporary).error();               \
  declaration = std::move(temporary).value()
