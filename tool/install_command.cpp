// uvauth install: lock in memory, then sync (pip install --target, replaced).
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "json_output.hpp"
#include "progress.hpp"
#include "uvauth/app/install_command.hpp"

namespace uvauth::tool {

void register_install(CLI::App& app, RunState& state) {
  auto lock_args = std::make_shared<app::LockArguments>();
  auto sync_args = std::make_shared<app::SyncArguments>();
  auto target = std::make_shared<std::string>();
  auto venv = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("install", "Resolve and install in one go (a lock kept in memory, then sync)");
  cmd->add_option("requirements", lock_args->requirements, "Requirements (PEP 508)");
  cmd->add_option("-r,--requirements", lock_args->requirement_files, "Read requirements from a file (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("-c,--constraint", lock_args->constraint_files, "Constrain versions with a file (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--project", lock_args->project, "Read [project].dependencies and [tool.uv] from this pyproject.toml");
  cmd->add_option("--group", lock_args->groups, "A dependency group of the project (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--index", lock_args->indexes, "An index, NAME=URL or URL (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--default-index", lock_args->default_index, "The default index (instead of PyPI)");
  cmd->add_option("--index-url", lock_args->index_url, "The default index (pip's name)");
  cmd->add_option("--extra-index-url", lock_args->extra_index_urls, "Another index (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--find-links", lock_args->find_links, "A directory or page of wheels (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_flag("--no-index", lock_args->no_index, "Use no index: only --find-links and direct URLs");
  cmd->add_flag("--require-hashes", lock_args->require_hashes, "Every package needs a --hash in the requirements (pip's hash-checking mode)");
  cmd->add_option("--python", lock_args->python, "The target interpreter (default: python3 on PATH)");
  cmd->add_option("--python-version", lock_args->python_version, "Resolve for this Python version (cross target; --target only)");
  cmd->add_option("--python-platform", lock_args->python_platform, "Platform tag of the cross target");
  cmd->add_option("--prerelease", lock_args->prerelease, "allow|disallow|if-necessary|explicit|if-necessary-or-explicit");
  cmd->add_option("--target", *target, "Install into DIR with pip's --target layout");
  cmd->add_option("--venv", *venv, "Install into a virtual environment at DIR");
  cmd->add_option("--link-mode", sync_args->link_mode, "clone (default), hardlink or copy");
  set_runner(cmd, state, [lock_args, sync_args, target, venv, &state] {
    app::LockArguments lock_arguments = *lock_args;
    lock_arguments.session = session_options(state.global);
    if (!state.global.cache_dir.empty()) lock_arguments.cache_dir = state.global.cache_dir;
    lock_arguments.no_cache = state.global.no_cache;
    lock_arguments.offline = state.global.offline;
    app::SyncArguments sync_arguments = *sync_args;
    if (!target->empty()) sync_arguments.target = *target;
    if (!venv->empty()) sync_arguments.venv = *venv;
    sync_arguments.on_progress = progress_display(state.global.quiet);
    auto outcome = app::run_install(std::move(lock_arguments), std::move(sync_arguments), config::Environment::from_process());
    finish_progress();
    if (!outcome) return report(outcome.error());
    if (state.global.json) print_sync_json(outcome->sync, "install");
    if (!state.global.quiet) std::cerr << outcome->lock_summary << '\n' << outcome->sync.summary << '\n';
    return 0;
  });
}

}  // namespace uvauth::tool
