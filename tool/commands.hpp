// One registration function per command: it adds the subcommand and its
// flags to the app and sets the callback that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include "global_options.hpp"

namespace uvauth::tool {

// Each command stores its exit code here when it runs.
struct RunState {
  GlobalOptions global;
  int exit_code = 0;
};

void register_fetch(CLI::App& app, RunState& state);
void register_auth(CLI::App& app, RunState& state);

}  // namespace uvauth::tool
