// uvauth sync --lock pylock.toml (--target DIR | --venv DIR)
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "json_output.hpp"
#include "progress.hpp"
#include "shared_options.hpp"
#include "uvauth/app/sync_command.hpp"

namespace uvauth::tool {

void register_sync(CLI::App& app, RunState& state) {
  auto args = std::make_shared<app::SyncArguments>();
  auto lock_file = std::make_shared<std::string>("pylock.toml");
  auto flags = std::make_shared<InstallFlags>();
  CLI::App* cmd = app.add_subcommand("sync", "Make a directory hold exactly the packages of a lock");
  cmd->add_option("--lock", *lock_file, "The lock file (default pylock.toml)");
  add_install_options(cmd, *args, *flags);
  cmd->add_option("--python,-p", args->python, "The target interpreter: a version (3.12), a name on PATH or a path (default: python3)");
  cmd->add_option("--python-version", args->python_version, "Install for this Python version instead (cross target; needs --target)");
  cmd->add_option("--python-platform", args->python_platform, "Platform of the cross target: uv's names (x86_64-manylinux_2_28, aarch64-apple-darwin, linux, macos, windows) or a tag");
  cmd->add_flag("--frozen", args->frozen, "Install the lock as it is, never resolving (what sync always does; also UV_FROZEN=1)");
  cmd->add_flag("--locked", args->locked, "Accepted for uv's contract: sync installs the lock as it is and never rewrites it");
  cmd->add_flag("--dry-run", args->dry_run, "Say what would change; touch nothing");
  cmd->add_option("--index", args->indexes, "An index, NAME=URL: the lock's URLs under it get its name's credentials (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--project", args->project, "A project directory or its pyproject.toml, whose [tool.uv] indexes apply");
  cmd->add_flag("--no-build", args->no_build, "Never build from source: a locked sdist or project directory is an error (also UV_NO_BUILD=1)");
  cmd->add_option("--no-build-package", args->no_build_packages, "Never build this package from source (repeatable)")
      ->expected(1)->allow_extra_args(false)->take_all();
  set_runner(cmd, state, [args, lock_file, flags, &state] {
    app::SyncArguments arguments = *args;
    arguments.lock_file = *lock_file;
    apply(*flags, arguments);
    apply_global(state.global, arguments);
    arguments.on_progress = progress_display(state.global);
    auto outcome = app::run_sync(arguments, state.env);
    finish_progress();  // the bar goes before the summary
    if (!outcome) {
      if (state.global.json) print_error_json("sync", outcome.error(), {});
      return report(outcome.error(), state.global);
    }
    if (state.global.json) print_sync_json(*outcome);
    if (!state.global.quiet) {
      std::cerr << outcome->summary << '\n';
      print_sync_changes(outcome->report, state.global);
    }
    return 0;
  });
}

}  // namespace uvauth::tool
