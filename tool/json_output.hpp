// `--json`: one JSON object on stdout per command, for machines (the CMake
// module reads it with string(JSON)). Human lines stay on stderr.
#pragma once

#include <filesystem>

#include "uvauth/app/lock_command.hpp"
#include "uvauth/app/sync_command.hpp"

namespace uvauth::tool {

// {"command":"lock","lock":PATH,"changed":BOOL,"packages":[{"name","version"}],"files_read":[PATH...]}
void print_lock_json(const app::LockOutcome& outcome, const std::filesystem::path& lock_file);
// {"command":"sync","dir":PATH,"unchanged":BOOL,"installed":N,"removed":N,"kept":N,"packages":[...]}
void print_sync_json(const app::SyncOutcome& outcome, const char* command = "sync");

}  // namespace uvauth::tool
