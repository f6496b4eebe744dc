// uvauth lock: resolve requirements and write a PEP 751 pylock.toml.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "json_output.hpp"
#include "uvauth/app/lock_command.hpp"

namespace uvauth::tool {

void register_lock(CLI::App& app, RunState& state) {
  auto args = std::make_shared<app::LockArguments>();
  auto output = std::make_shared<std::string>("pylock.toml");
  auto python = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("lock", "Resolve requirements and write a PEP 751 lock (pylock.toml)");
  cmd->add_option("requirements", args->requirements, "Requirements (PEP 508)");
  cmd->add_option("-r,--requirements", args->requirement_files, "Read requirements from a file (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("-c,--constraint", args->constraint_files, "Constrain versions with a file (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--project", args->project, "Read [project].dependencies and [tool.uv] from this pyproject.toml");
  cmd->add_option("--group", args->groups, "A dependency group of the project (repeatable; default: dev, if it exists)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--index", args->indexes, "An index, NAME=URL or URL, before the default (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--default-index", args->default_index, "The default index (instead of PyPI)");
  cmd->add_option("--index-url", args->index_url, "The default index (pip's name for --default-index)");
  cmd->add_option("--extra-index-url", args->extra_index_urls, "Another index, before the default (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--find-links", args->find_links, "A directory or page of wheels (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_flag("--no-index", args->no_index, "Use no index: only --find-links and direct URLs");
  cmd->add_flag("--require-hashes", args->require_hashes, "Every package needs a --hash in the requirements (pip's hash-checking mode)");
  cmd->add_option("--python", args->python, "The target interpreter (default: python3 on PATH)");
  cmd->add_option("--python-version", args->python_version, "Lock for this Python version instead (cross target)");
  cmd->add_option("--python-platform", args->python_platform, "Platform tag of the cross target, e.g. manylinux_2_28_x86_64");
  cmd->add_option("--prerelease", args->prerelease, "allow|disallow|if-necessary|explicit|if-necessary-or-explicit");
  cmd->add_option("-o,--output", *output, "Where to write the lock (default pylock.toml)");
  cmd->add_flag("--locked", args->locked, "Fail if the lock would change");
  set_runner(cmd, state, [args, output, &state] {
    app::LockArguments arguments = *args;
    arguments.output = *output;
    arguments.session = session_options(state.global);
    if (!state.global.cache_dir.empty()) arguments.cache_dir = state.global.cache_dir;
    arguments.no_cache = state.global.no_cache;
    arguments.offline = state.global.offline;
    auto outcome = app::run_lock(arguments, config::Environment::from_process());
    if (!outcome) return report(outcome.error());
    if (state.global.json) print_lock_json(*outcome, arguments.output);
    if (!state.global.quiet) {
      std::cerr << outcome->summary << '\n';
      std::cerr << (outcome->changed ? "Wrote " : "Up to date: ") << arguments.output.string() << '\n';
    }
    return 0;
  });
}

}  // namespace uvauth::tool
