#include "prompt.hpp"

#include <termios.h>
#include <unistd.h>

#include <iostream>

#include "uvauth/text.hpp"

namespace uvauth::tool {

bool can_prompt() { return ::isatty(STDIN_FILENO) && ::isatty(STDERR_FILENO); }

std::optional<std::string> prompt_line(const std::string& prompt, bool secret) {
  std::cerr << prompt << std::flush;
  termios saved{};
  const bool hide = secret && ::tcgetattr(STDIN_FILENO, &saved) == 0;
  if (hide) {
    termios quiet = saved;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
  }
  std::string line;
  const bool ok = static_cast<bool>(std::getline(std::cin, line));
  if (hide) {
    ::tcsetattr(STDIN_FILENO, TCSANOW, &saved);
    std::cerr << '\n';
  }
  if (!ok) return std::nullopt;
  return std::string(trim(line));
}

std::string read_stdin_line() {
  std::string line;
  std::getline(std::cin, line);
  return std::string(trim(line));
}

}  // namespace uvauth::tool
