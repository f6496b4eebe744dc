// uvauth tree | list | export: what a lock or a directory holds.
#include <nlohmann/json.hpp>

#include <iomanip>
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "progress.hpp"
#include "shared_options.hpp"
#include "uvauth/app/inspect_command.hpp"
#include "uvauth/app/lock_command.hpp"
#include "uvauth/fs.hpp"

namespace uvauth::tool {
namespace {

bool resolves(const app::LockArguments& a) {
  return !a.requirements.empty() || !a.requirement_files.empty() || a.project.has_value();
}

}  // namespace

void register_tree(CLI::App& app, RunState& state) {
  auto options = std::make_shared<app::TreeOptions>();
  auto lock_file = std::make_shared<std::string>("pylock.toml");
  auto args = std::make_shared<app::LockArguments>();
  auto depth = std::make_shared<int>(-1);
  CLI::App* cmd = app.add_subcommand("tree", "Show the dependency graph of a lock (or of requirements, resolved in memory)");
  cmd->add_option("--lock", *lock_file, "The lock file (default pylock.toml)");
  cmd->add_flag("--invert", options->invert, "Show each package under what requires it");
  cmd->add_option("--depth,-d", *depth, "Levels below each root")->check(CLI::NonNegativeNumber);
  cmd->add_option("--package", options->packages, "Only the tree of this package (repeatable)")->expected(1)->allow_extra_args(false)->take_all();
  add_resolution_options(cmd, *args);
  set_runner(cmd, state, [cmd, options, lock_file, args, depth, &state] {
    if (resolves(*args) && cmd->get_option("--lock")->count() > 0) {
      return report(Error(ErrorKind::usage, "give either --lock FILE or requirements (-r, --project) to `tree`, not both"),
                    state.global);
    }
    app::TreeOptions tree = *options;
    if (*depth >= 0) tree.depth = *depth;
    Result<lock::Lock> lock = Error();
    std::string source = *lock_file;
    if (resolves(*args)) {
      app::LockArguments arguments = *args;
      arguments.write = false;
      apply_global(state.global, arguments);
      arguments.on_resolve = resolve_display();
      auto outcome = app::run_lock(arguments, state.env);
      if (!outcome) return report(outcome.error(), state.global);
      lock = std::move(outcome->lock);
      source = "the resolution";
    } else {
      lock = app::read_lock_file(*lock_file);
    }
    if (!lock) return report(lock.error(), state.global);
    auto text = app::render_tree(*lock, tree, source);
    if (!text) return report(text.error(), state.global);
    std::cout << *text << std::flush;
    return 0;
  });
}

void register_export(CLI::App& app, RunState& state) {
  auto options = std::make_shared<app::ExportOptions>();
  auto lock_file = std::make_shared<std::string>("pylock.toml");
  auto output = std::make_shared<std::string>();
  auto no_hashes = std::make_shared<bool>(false);
  CLI::App* cmd = app.add_subcommand("export", "Write a lock as requirements.txt (with hashes)");
  cmd->add_option("--lock", *lock_file, "The lock file (default pylock.toml)");
  cmd->add_option("--format", options->format, "requirements.txt (the default and only format)");
  cmd->add_flag("--no-hashes", *no_hashes, "Leave out the --hash options");
  cmd->add_option("-o,--output-file", *output, "Write to this file instead of stdout");
  set_runner(cmd, state, [options, lock_file, output, no_hashes, &state] {
    auto lock = app::read_lock_file(*lock_file);
    if (!lock) return report(lock.error(), state.global);
    app::ExportOptions o = *options;
    o.hashes = !*no_hashes;
    auto text = app::export_lock(*lock, o, *lock_file);
    if (!text) return report(text.error(), state.global);
    if (output->empty()) {
      std::cout << *text << std::flush;
      return 0;
    }
    if (auto written = write_file_atomically(*output, *text); !written) return report(written.error(), state.global);
    if (!state.global.quiet) std::cerr << "Wrote " << *output << '\n';
    return 0;
  });
}

void register_list(CLI::App& app, RunState& state) {
  auto flags = std::make_shared<InstallFlags>();
  auto format = std::make_shared<std::string>("columns");
  CLI::App* cmd = app.add_subcommand("list", "List what a --target directory or a venv holds");
  cmd->add_option("--target,-t", flags->target, "A directory with pip's --target layout");
  cmd->add_option("--venv", flags->venv, "A virtual environment");
  cmd->add_option("--format", *format, "columns (default), freeze or json")->check(CLI::IsMember({"columns", "freeze", "json"}));
  set_runner(cmd, state, [flags, format, &state] {
    if (flags->target.empty() == flags->venv.empty()) {
      return report(Error(ErrorKind::usage, "give exactly one of --target DIR and --venv DIR"), state.global);
    }
    const bool venv = !flags->venv.empty();
    auto listed = app::list_installed(venv ? flags->venv : flags->target, venv);
    if (!listed) return report(listed.error(), state.global);
    if (*format == "json" || state.global.json) {
      nlohmann::json out = nlohmann::json::array();
      for (const auto& d : *listed) {
        out.push_back({{"name", d.name}, {"version", d.version}, {"installer", d.installer}, {"from", d.from}});
      }
      std::cout << out.dump() << '\n';
    } else if (*format == "freeze") {
      for (const auto& d : *listed) std::cout << d.name << "==" << d.version << '\n';
    } else {
      std::size_t name_width = 7, version_width = 7;
      for (const auto& d : *listed) {
        name_width = std::max(name_width, d.name.size());
        version_width = std::max(version_width, d.version.size());
      }
      std::cout << std::left << std::setw(static_cast<int>(name_width)) << "Package" << ' ' << std::setw(static_cast<int>(version_width))
                << "Version" << " From\n"
                << std::string(name_width, '-') << ' ' << std::string(version_width, '-') << " ----\n";
      for (const auto& d : *listed) {
        std::cout << std::setw(static_cast<int>(name_width)) << d.name << ' ' << std::setw(static_cast<int>(version_width)) << d.version << ' '
                  << (d.from.empty() ? (d.installer.empty() ? "" : "(installed by " + d.installer + ")") : d.from) << '\n';
      }
    }
    return 0;
  });
}

}  // namespace uvauth::tool
