// uvauth install: lock in memory, then sync (pip install --target, replaced).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "json_output.hpp"
#include "progress.hpp"
#include "shared_options.hpp"
#include "uvauth/app/install_command.hpp"

namespace uvauth::tool {

void register_install(CLI::App& app, RunState& state) {
  auto lock_args = std::make_shared<app::LockArguments>();
  auto sync_args = std::make_shared<app::SyncArguments>();
  auto flags = std::make_shared<InstallFlags>();
  CLI::App* cmd = app.add_subcommand("install", "Resolve and install in one go (a lock kept in memory, then sync)");
  add_resolution_options(cmd, *lock_args);
  add_install_options(cmd, *sync_args, *flags);
  set_runner(cmd, state, [lock_args, sync_args, flags, &state] {
    app::LockArguments lock_arguments = *lock_args;
    apply_global(state.global, lock_arguments);
    lock_arguments.on_resolve = resolve_display();
    app::SyncArguments sync_arguments = *sync_args;
    apply(*flags, sync_arguments);
    sync_arguments.dry_run = lock_arguments.dry_run;
    sync_arguments.on_progress = progress_display(state.global);
    auto outcome = app::run_install(std::move(lock_arguments), std::move(sync_arguments), state.env);
    finish_progress();  // the bar goes before the summary
    if (!outcome) {
      if (state.global.json) print_error_json("install", outcome.error(), {});
      return report(outcome.error(), state.global);
    }
    if (state.global.json) print_sync_json(outcome->sync, "install");
    if (!state.global.quiet) {
      std::cerr << outcome->sync.summary << '\n';  // "Resolved ..." was said when resolving ended
      print_sync_changes(outcome->sync.report, state.global);
    }
    return 0;
  });
}

}  // namespace uvauth::tool
