#include "uvauth/log.hpp"

#include <iostream>

#include "uvauth/text.hpp"
#include "uvauth/url.hpp"

namespace uvauth {

Logger& logger() {
  static Logger instance;
  return instance;
}

void Logger::set_sink(Sink sink) {
  std::lock_guard lock(mutex_);
  sink_ = std::move(sink);
}

void Logger::warn(std::string_view message) {
  if (enabled(Verbosity::normal)) write("warning: ", message);
}
void Logger::debug(std::string_view message) {
  if (enabled(Verbosity::debug)) write("debug: ", message);
}
void Logger::trace(std::string_view message) {
  if (enabled(Verbosity::trace)) write("trace: ", message);
}

void Logger::write(std::string_view prefix, std::string_view message) {
  std::string line(prefix);
  line += escape_nonprintable(redact_userinfo_in_text(message));  // quoted input never reaches a terminal raw
  std::lock_guard lock(mutex_);
  if (sink_) {
    sink_(line);
  } else {
    std::cerr << line << '\n';
  }
}

}  // namespace uvauth
