// Progress on the terminal. On a TTY: a spinner while resolving, then a bar
// for the whole sync (bytes counted as they arrive) and a line per large
// download (name, size, speed), redrawn in place; log lines are printed
// above it, never glued onto it. Through a pipe (CI logs, CMake): one plain
// line per event, never the same line twice.
#pragma once

#include <functional>

#include "global_options.hpp"
#include "uvauth/app/lock_command.hpp"
#include "uvauth/install/sync.hpp"

namespace uvauth::tool {

// Starts the display for a command (and routes the logger through it);
// nothing is shown with -q.
void start_progress(const GlobalOptions& options);
// For LockArguments::on_resolve: the spinner, then "Resolved N packages in Xs".
std::function<void(const app::ResolveEvent&)> resolve_display();
// For SyncArguments::on_progress.
std::function<void(const install::SyncProgress&)> progress_display(const GlobalOptions& options);
// Clears what is drawn and stops the display.
void finish_progress();

}  // namespace uvauth::tool
