// Progress of a sync on the terminal: a redrawn bar on a TTY, a few plain
// lines otherwise (CI logs, CMake's message(STATUS)).
#pragma once

#include <functional>

#include "uvauth/install/sync.hpp"

#include "global_options.hpp"

namespace uvauth::tool {

// A display for SyncArguments::on_progress; empty when `quiet`.
std::function<void(const install::SyncProgress&)> progress_display(const GlobalOptions& options);
// Ends a bar line, if one was drawn.
void finish_progress();

}  // namespace uvauth::tool
