#include "uvauth/app/cache_command.hpp"

#include <set>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/config/locations.hpp"
#include "uvauth/fs.hpp"

namespace uvauth::app {
namespace fs = std::filesystem;
namespace {

std::uint64_t size_of(const fs::path& dir) {
  std::uint64_t total = 0;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) total += it->file_size(ec);
  }
  return total;
}

std::string megabytes(std::uint64_t bytes) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return buffer;
}

}  // namespace

Result<CacheOutcome> run_cache(CacheAction action, std::optional<fs::path> cache_dir, const config::Environment& env) {
  auto dir_root = config::cache_root(env, cache_dir, false);
  if (!dir_root) return std::move(dir_root).error();
  std::optional<cache::CacheDir> dir(std::in_place, *dir_root);
  const fs::path root = *dir->root();
  CacheOutcome out;
  if (action == CacheAction::dir) {
    out.stdout_text = root.string() + "\n";
    return out;
  }
  std::error_code ec;
  if (!fs::exists(root, ec)) {
    out.stderr_text = "No cache at " + root.string() + "\n";
    return out;
  }
  // Another process may be writing: entries are only ever renamed into
  // place, so removing a whole bucket never exposes half an entry to it.
  const auto lock = FileLock::acquire(root / ".lock", "cache", std::chrono::seconds(30));
  if (!lock) return lock.error();
  std::set<std::string> current;
  for (auto bucket : {cache::Bucket::simple_pages, cache::Bucket::wheels, cache::Bucket::unpacked, cache::Bucket::interpreters,
                      cache::Bucket::metadata, cache::Bucket::sdists, cache::Bucket::built, cache::Bucket::build_envs, cache::Bucket::git}) {
    current.insert(std::string(cache::bucket_name(bucket)));
  }
  std::uint64_t freed = 0;
  int removed = 0;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name == ".lock") continue;
    const bool prune_it = action == CacheAction::clean || !current.count(name);
    if (!prune_it) {
      // Within current buckets: leftovers of interrupted writes.
      for (auto it = fs::recursive_directory_iterator(entry.path(), ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
        const std::string leaf = it->path().filename().string();
        if (leaf.find(".tmp-") != std::string::npos || leaf.find(".download-") != std::string::npos) {
          freed += it->is_directory() ? size_of(it->path()) : it->file_size(ec);
          fs::remove_all(it->path(), ec);
          it.disable_recursion_pending();
          ++removed;
        }
      }
      continue;
    }
    freed += entry.is_directory() ? size_of(entry.path()) : entry.file_size(ec);
    fs::remove_all(entry.path(), ec);
    ++removed;
  }
  out.stderr_text = std::string(action == CacheAction::clean ? "Cleaned " : "Pruned ") + std::to_string(removed) +
                    " entr" + (removed == 1 ? "y" : "ies") + ", " + megabytes(freed) + " freed in " + root.string() + "\n";
  return out;
}

}  // namespace uvauth::app
