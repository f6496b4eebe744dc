// One registration function per command: it adds the subcommand and its
// flags to the app and sets the callback that runs it.
#pragma once

#include <CLI/CLI.hpp>

#include <functional>

#include "global_options.hpp"
#include "progress.hpp"

namespace uvauth::tool {

// Each command stores its exit code here when it runs.
struct RunState {
  config::Environment env;  // taken once, in main
  GlobalOptions global;
  int exit_code = 0;
  bool started = false;  // a command's callback began
};

// Makes `command` run `run` (after applying the global logging flags) and
// keep its exit code.
inline void set_runner(CLI::App* command, RunState& state, std::function<int()> run) {
  command->callback([&state, run = std::move(run)] {
    state.started = true;
    apply_logging(state.global);
    resolve_color(state.global, state.env);
    start_progress(state.global);
    state.exit_code = run();
    finish_progress();
  });
}

void register_fetch(CLI::App& app, RunState& state);
void register_auth(CLI::App& app, RunState& state);
void register_lock(CLI::App& app, RunState& state);
void register_sync(CLI::App& app, RunState& state);
void register_install(CLI::App& app, RunState& state);
void register_cache(CLI::App& app, RunState& state);
void register_tree(CLI::App& app, RunState& state);
void register_list(CLI::App& app, RunState& state);
void register_export(CLI::App& app, RunState& state);

}  // namespace uvauth::tool
