// File-system helpers: atomic writes and advisory locks between processes.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_set>

#include "uvauth/error.hpp"

namespace uvauth {

// `durable`: flushed to disk before the rename (locks, settings, credentials,
// stamps). `cache`: not flushed; for cache entries whose reader checks them
// (a digest, a recorded size) and treats a damaged one as a miss, so a crash
// costs a download, never a wrong answer. uv does not flush its cache either.
enum class Durability { durable, cache };

// Writes `content` to a temporary file beside `file` and renames it over
// `file`: readers see the old or the new content, never a mix.
Status write_file_atomically(const std::filesystem::path& file, std::string_view content,
                             std::filesystem::perms permissions = std::filesystem::perms::owner_read |
                                                                  std::filesystem::perms::owner_write,
                             Durability durability = Durability::durable);

Result<std::string> read_file(const std::filesystem::path& file);
// The same for what a user or a config names (requirements, settings, netrc,
// locks, the credential store): at most `max_bytes`, else an error naming
// the file, so `-r /dev/zero` or NETRC=/dev/zero is refused, not read until
// memory runs out.
inline constexpr std::uint64_t max_text_input = std::uint64_t{64} << 20;
Result<std::string> read_file(const std::filesystem::path& file, std::uint64_t max_bytes);

// Directories made once each, parents first, from paths a manifest names,
// below a directory held open (`base`, not owned): `ensure("a/b")` makes
// base/a, then base/a/b, one mkdirat(2) each and only once, with no walk and
// no stat per file. One per unpacking or installation (not shared between
// threads). A directory that is there already counts as made. `base_name`
// names the base in errors.
class DirectoryMaker {
 public:
  DirectoryMaker(int base, std::string base_name) : base_(base), base_name_(std::move(base_name)) {}
  // `dir` is relative ("" is the base itself) and holds no "..".
  Status ensure(std::string_view dir);

 private:
  int base_;
  std::string base_name_;
  std::unordered_set<std::string> made_;
};

// An exclusive flock(2) on a lock file, released on destruction. The same
// kind of lock uv takes, so the two tools exclude each other.
class FileLock {
 public:
  static Result<FileLock> acquire(const std::filesystem::path& lock_file, std::string_view what,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(60));
  FileLock(FileLock&& other) noexcept : fd_(other.fd_), key_(std::move(other.key_)) {
    other.fd_ = -1;
    other.key_.clear();
  }
  FileLock& operator=(FileLock&& other) noexcept;
  FileLock(const FileLock&) = delete;
  FileLock& operator=(const FileLock&) = delete;
  ~FileLock();

 private:
  FileLock(int fd, std::string key) : fd_(fd), key_(std::move(key)) {}
  void release() noexcept;
  int fd_ = -1;
  std::string key_;  // the lock file's path: threads of this process wait on each other here, not on flock
};

}  // namespace uvauth
