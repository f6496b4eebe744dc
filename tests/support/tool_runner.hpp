// Runs the built `uvauth` executable as a user would, capturing its output.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace uvauth::testing {

struct ToolRun {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs `uvauth args...` with `env` added to (or, for empty values, removed
// from) the current environment, and an optional standard input.
ToolRun run_tool(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {},
                 const std::string& stdin_text = "", const std::string& working_directory = "");

std::string tool_path();

// "name==version" of every package in the lock at `lock_file`, in the lock's
// (sorted) order, space-separated; "unreadable: ..." when it does not parse.
std::string locked_pins(const std::string& lock_file);

}  // namespace uvauth::testing
