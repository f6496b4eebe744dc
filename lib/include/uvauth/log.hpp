// Diagnostics on stderr, by verbosity: -q (errors only), default (warnings),
// -v (debug: decisions), -vv (trace: every request and header). Callers pass
// already-redacted text (Url prints redacted, Secret prints "****"); the
// logger also redacts userinfo in any URL it sees as a last line of defence.
#pragma once

#include <functional>
#include <mutex>
#include <sstream>
#include <string>
#include <string_view>

namespace uvauth {

enum class Verbosity { quiet = -1, normal = 0, debug = 1, trace = 2 };

class Logger {
 public:
  using Sink = std::function<void(std::string_view line)>;

  void set_verbosity(Verbosity v) { verbosity_ = v; }
  [[nodiscard]] Verbosity verbosity() const { return verbosity_; }
  [[nodiscard]] bool enabled(Verbosity level) const { return static_cast<int>(level) <= static_cast<int>(verbosity_); }
  // Replaces stderr (tests capture output this way). An empty sink restores stderr.
  void set_sink(Sink sink);

  void warn(std::string_view message);
  void debug(std::string_view message);
  void trace(std::string_view message);

 private:
  void write(std::string_view prefix, std::string_view message);
  Verbosity verbosity_ = Verbosity::normal;
  std::mutex mutex_;
  Sink sink_;
};

// The process's logger. It holds no configuration of its own beyond what the
// tool sets from its flags.
Logger& logger();

}  // namespace uvauth

// Build a message only when the level is on: UVAUTH_DEBUG("GET " << url);
#define UVAUTH_LOG_AT(level, method, expr)                                   \
  do {                                                                       \
    if (::uvauth::logger().enabled(level)) {                                 \
      std::ostringstream uvauth_log_stream_;                                 \
      uvauth_log_stream_ << expr;                                            \
      ::uvauth::logger().method(uvauth_log_stream_.str());                   \
    }                                                                        \
  } while (false)
#define UVAUTH_DEBUG(expr) UVAUTH_LOG_AT(::uvauth::Verbosity::debug, debug, expr)
#define UVAUTH_TRACE(expr) UVAUTH_LOG_AT(::uvauth::Verbosity::trace, trace, expr)
#define UVAUTH_WARN(expr) UVAUTH_LOG_AT(::uvauth::Verbosity::normal, warn, expr)
