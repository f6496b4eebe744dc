#include "uvauth/app/install_command.hpp"

namespace uvauth::app {

Result<InstallOutcome> run_install(LockArguments lock, SyncArguments sync, const config::Environment& env) {
  // Usage errors before any request.
  if (sync.target.has_value() == sync.venv.has_value()) return Error(ErrorKind::usage, "give exactly one of --target DIR and --venv DIR");
  lock.write = false;
  auto locked = run_lock(lock, env);
  if (!locked) return std::move(locked).error();
  sync.python = lock.python;
  sync.python_version = lock.python_version;
  sync.python_platform = lock.python_platform;
  sync.session = lock.session;
  sync.cache_dir = lock.cache_dir;
  sync.no_cache = lock.no_cache;
  sync.offline = lock.offline;
  sync.from_lock_file = false;
  sync.no_build = lock.no_build;
  sync.no_build_packages = lock.no_build_packages;
  sync.build_indexes = locked->build_indexes;
  sync.build_find_links = locked->build_find_links;
  lock::Lock resolved = locked->lock;
  // A cross-target lock was made for --python-version/--python-platform, not
  // for the local interpreter: do not check it against that interpreter.
  if (lock.python_version) resolved.environments.clear();
  auto synced = sync_lock(sync, resolved, resolved.serialize(), env);
  if (!synced) return std::move(synced).error();
  return InstallOutcome{locked->summary, std::move(synced).value()};
}

}  // namespace uvauth::app
