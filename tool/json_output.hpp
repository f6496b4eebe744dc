// `--json`: one JSON object on stdout per command, for machines (the CMake
// module reads it with string(JSON)). Human lines stay on stderr. A failed
// command prints one too, with "error" and what it saw change.
#pragma once

#include <filesystem>
#include <vector>

#include "uvauth/app/lock_command.hpp"
#include "uvauth/app/sync_command.hpp"
#include "uvauth/error.hpp"

namespace uvauth::tool {

// {"command":"lock","ok":true,"lock":PATH,"changed":BOOL,"dry_run":BOOL,"packages":[{"name","version"}],
//  "changes":[{"kind","name","from","to"}],"files_read":[PATH...]}
void print_lock_json(const app::LockOutcome& outcome, const std::filesystem::path& lock_file, bool dry_run);
// {"command":"sync","ok":true,"dir":PATH,"unchanged":BOOL,"dry_run":BOOL,"installed":N,"removed":N,"kept":N,
//  "packages":[...],"added":[{"name","version"}],"removed_packages":[...],"stamp":PATH}
void print_sync_json(const app::SyncOutcome& outcome, const char* command = "sync");
// {"command":C,"ok":false,"error":{"message","hints":[...],"exit_code"},"changes":[...]}
void print_error_json(const char* command, const Error& error, const std::vector<app::PackageChange>& changes);

// The human lines of what changed, on stderr: uv's "Added six v1.17.0" for a
// lock (only when there was a lock before, or for a dry run), " + six==1.17.0" /
// " - six==1.16.0" for an install.
struct GlobalOptions;
void print_lock_changes(const std::vector<app::PackageChange>& changes, bool show, const GlobalOptions& options);
void print_sync_changes(const install::SyncReport& report, const GlobalOptions& options);

}  // namespace uvauth::tool
