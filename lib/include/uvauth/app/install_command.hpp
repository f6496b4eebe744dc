// `uvauth install`: a lock resolved in memory, then synced into the target.
#pragma once

#include <string>

#include "uvauth/app/lock_command.hpp"
#include "uvauth/app/sync_command.hpp"

namespace uvauth::app {

struct InstallOutcome {
  std::string lock_summary;
  SyncOutcome sync;
};

// `lock` says what to resolve (its output and `write` are ignored); `sync`
// says where to install (its lock file is ignored). Shared settings (session,
// cache, offline, python) are taken from `lock`.
Result<InstallOutcome> run_install(LockArguments lock, SyncArguments sync, const config::Environment& env);

}  // namespace uvauth::app
