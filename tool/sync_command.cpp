// uvauth sync --lock pylock.toml (--target DIR | --venv DIR)
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "json_output.hpp"
#include "progress.hpp"
#include "uvauth/app/sync_command.hpp"

namespace uvauth::tool {

void register_sync(CLI::App& app, RunState& state) {
  auto args = std::make_shared<app::SyncArguments>();
  auto lock_file = std::make_shared<std::string>("pylock.toml");
  auto target = std::make_shared<std::string>();
  auto venv = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("sync", "Make a directory hold exactly the packages of a lock");
  cmd->add_option("--lock", *lock_file, "The lock file (default pylock.toml)");
  cmd->add_option("--target", *target, "Install into DIR with pip's --target layout");
  cmd->add_option("--venv", *venv, "Install into a virtual environment at DIR (created if missing)");
  cmd->add_option("--python", args->python, "The target interpreter (default: python3 on PATH)");
  cmd->add_flag("--frozen", args->frozen, "Never resolve: install the lock as it is (sync never resolves)");
  cmd->add_option("--index", args->indexes, "An index, NAME=URL: the lock's URLs under it get its name's credentials (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--project", args->project, "A pyproject.toml whose [tool.uv] indexes apply");
  cmd->add_option("--link-mode", args->link_mode, "clone (default: copy-on-write where the file system can, else hard links, else copies), hardlink or copy");
  set_runner(cmd, state, [args, lock_file, target, venv, &state] {
    app::SyncArguments arguments = *args;
    arguments.lock_file = *lock_file;
    if (!target->empty()) arguments.target = *target;
    if (!venv->empty()) arguments.venv = *venv;
    arguments.session = session_options(state.global);
    if (!state.global.cache_dir.empty()) arguments.cache_dir = state.global.cache_dir;
    arguments.no_cache = state.global.no_cache;
    arguments.offline = state.global.offline;
    arguments.on_progress = progress_display(state.global.quiet);
    auto outcome = app::run_sync(arguments, config::Environment::from_process());
    finish_progress();
    if (!outcome) return report(outcome.error());
    if (state.global.json) print_sync_json(*outcome);
    if (!state.global.quiet) std::cerr << outcome->summary << '\n';
    return 0;
  });
}

}  // namespace uvauth::tool
