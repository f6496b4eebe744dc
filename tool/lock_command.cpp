// uvauth lock: resolve requirements and write a PEP 751 pylock.toml.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "json_output.hpp"
#include "progress.hpp"
#include "shared_options.hpp"
#include "uvauth/app/lock_command.hpp"

namespace uvauth::tool {

void register_lock(CLI::App& app, RunState& state) {
  auto args = std::make_shared<app::LockArguments>();
  auto output = std::make_shared<std::string>("pylock.toml");
  CLI::App* cmd = app.add_subcommand("lock", "Resolve requirements and write a PEP 751 lock (pylock.toml)");
  add_resolution_options(cmd, *args);
  cmd->add_option("-o,--output,--output-file", *output, "Where to write the lock (default pylock.toml)");
  cmd->add_flag("--locked", args->locked, "Fail if the lock would change (also UV_LOCKED=1)");
  cmd->add_flag("--universal", args->universal,
                "One lock for every environment (requires-python and the declared environments), as uv's uv.lock; sync selects per target");
  cmd->add_flag("--no-universal", args->no_universal,
                "A lock for the target only, also where the existing lock is universal (which a plain `lock` keeps universal)");
  cmd->add_option("--requires-python", args->requires_python,
                  "The Python versions of a universal lock (default: the project's requires-python, else >= the target's minor)");
  cmd->add_option("--environment", args->environments, "Limit a universal lock to this marker (repeatable; implies --universal)")
      ->expected(1)->allow_extra_args(false)->take_all();
  cmd->add_option("--required-environment", args->required_environments,
                  "Fail unless every locked package has a wheel for this marker (repeatable; implies --universal)")
      ->expected(1)->allow_extra_args(false)->take_all();
  set_runner(cmd, state, [args, output, &state] {
    app::LockArguments arguments = *args;
    arguments.output = *output;
    apply_global(state.global, arguments);
    arguments.on_resolve = resolve_display();
    std::vector<app::PackageChange> seen;
    auto outcome = app::run_lock(arguments, state.env, &seen);
    if (!outcome) {
      if (state.global.json) print_error_json("lock", outcome.error(), seen);
      return report(outcome.error(), state.global);
    }
    if (state.global.json) print_lock_json(*outcome, arguments.output, arguments.dry_run);
    if (!state.global.quiet) {
      print_lock_changes(outcome->changes, outcome->had_previous || arguments.dry_run, state.global);
      if (arguments.dry_run) {
        std::cerr << (outcome->changed ? "Would write " : "Up to date: ") << arguments.output.string() << " (dry run: nothing written)\n";
      } else {
        std::cerr << (outcome->changed ? "Wrote " : "Up to date: ") << arguments.output.string() << '\n';
      }
    }
    return 0;
  });
}

}  // namespace uvauth::tool
