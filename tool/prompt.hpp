// Reading a user name or secret from the terminal or from standard input.
#pragma once

#include <optional>
#include <string>

namespace uvauth::tool {

// True when both stdin and stderr are terminals (a person can be asked).
bool can_prompt();
// Shows `prompt` on stderr and reads a line; `secret` turns echo off.
std::optional<std::string> prompt_line(const std::string& prompt, bool secret);
// One line of standard input, without the line end and surrounding space.
std::string read_stdin_line();

}  // namespace uvauth::tool
