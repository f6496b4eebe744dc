// Flags more than one command takes, registered once: what to resolve
// (lock, install) and how to install (sync, install).
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "uvauth/app/lock_command.hpp"
#include "uvauth/app/sync_command.hpp"
#include "global_options.hpp"

namespace uvauth::tool {

// Requirements, project, groups/extras, indexes, interpreter, upgrade and
// dry-run flags, into `args`.
void add_resolution_options(CLI::App* command, app::LockArguments& args);

// --target/--venv and the others that say how to install.
struct InstallFlags {
  std::string target;
  std::string venv;
};
void add_install_options(CLI::App* command, app::SyncArguments& args, InstallFlags& flags);
// --target/--venv into the arguments.
void apply(const InstallFlags& flags, app::SyncArguments& args);

// The global flags copied into a command's arguments.
void apply_global(const GlobalOptions& global, app::LockArguments& args);
void apply_global(const GlobalOptions& global, app::SyncArguments& args);

}  // namespace uvauth::tool
