#include "uvauth/fs.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <condition_variable>
#include <mutex>
#include <set>
#include <cstring>
#include <fstream>
#include <sstream>
#include <array>
#include <limits>
#include <thread>

#include "uvauth/log.hpp"

namespace uvauth {
namespace fs = std::filesystem;

Status write_file_atomically(const fs::path& file, std::string_view content, fs::perms permissions, Durability durability) {
  std::string temp = file.string() + ".tmp-XXXXXX";
  int fd = ::mkstemp(temp.data());
  if (fd < 0 && errno == ENOENT && file.has_parent_path()) {
    // The directory is made only when it is missing: no stat per entry written.
    std::error_code ec;
    fs::create_directories(file.parent_path(), ec);
    if (ec) return Error(ErrorKind::io, "cannot create directory " + file.parent_path().string() + ": " + ec.message());
    temp = file.string() + ".tmp-XXXXXX";
    fd = ::mkstemp(temp.data());
  }
  if (fd < 0) return Error(ErrorKind::io, "cannot write " + file.string() + ": " + std::strerror(errno));
  ::fchmod(fd, static_cast<mode_t>(permissions));
  std::size_t written = 0;
  while (written < content.size()) {
    const ssize_t n = ::write(fd, content.data() + written, content.size() - written);
    if (n < 0) {
      if (errno == EINTR) continue;
      const std::string why = std::strerror(errno);
      ::close(fd);
      ::unlink(temp.c_str());
      return Error(ErrorKind::io, "cannot write " + file.string() + ": " + why);
    }
    written += static_cast<std::size_t>(n);
  }
  const bool synced = durability == Durability::cache || ::fsync(fd) == 0;
  ::close(fd);
  if (!synced || ::rename(temp.c_str(), file.c_str()) != 0) {
    const std::string why = std::strerror(errno);
    ::unlink(temp.c_str());
    return Error(ErrorKind::io, "cannot write " + file.string() + ": " + why);
  }
  return {};
}

Result<std::string> read_file(const fs::path& file, std::uint64_t max_bytes) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error(ErrorKind::io, "cannot read " + file.string() + ": " + std::strerror(errno));
  std::string out;
  std::array<char, 1 << 16> buffer{};
  while (in) {
    in.read(buffer.data(), buffer.size());
    out.append(buffer.data(), static_cast<std::size_t>(in.gcount()));
    if (out.size() > max_bytes) {
      return Error(ErrorKind::io, "cannot read " + file.string() + ": larger than " + std::to_string(max_bytes >> 20) + " MiB");
    }
  }
  if (in.bad()) return Error(ErrorKind::io, "error reading " + file.string());
  return out;
}

Result<std::string> read_file(const fs::path& file) { return read_file(file, std::numeric_limits<std::uint64_t>::max()); }

namespace {
// flock() conflicts between two open() of the same file even within one
// process, so threads of one process would wait on each other there and warn
// about "another process". They queue here first instead, silently.
struct HeldLocks {
  std::mutex mutex;
  std::condition_variable released;
  std::set<std::string> held;
};
HeldLocks& held_locks() {
  static HeldLocks* locks = new HeldLocks;  // never destroyed: locks may be released during static destruction
  return *locks;
}
}  // namespace

Result<FileLock> FileLock::acquire(const fs::path& lock_file, std::string_view what, std::chrono::milliseconds timeout) {
  std::error_code ec;
  if (lock_file.has_parent_path()) fs::create_directories(lock_file.parent_path(), ec);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto timed_out = [&] {
    return Error(ErrorKind::io, "timed out waiting for the lock on the " + std::string(what) + " (" + lock_file.string() + ")")
        .with_hint("another uv or uvauth process holds it; if none is running, delete the lock file");
  };
  std::string key = fs::absolute(lock_file, ec).lexically_normal().string();
  if (ec) key = lock_file.string();
  {
    HeldLocks& locks = held_locks();
    std::unique_lock guard(locks.mutex);
    if (!locks.released.wait_until(guard, deadline, [&] { return locks.held.count(key) == 0; })) return timed_out();
    locks.held.insert(key);
  }
  auto forget = [&] {
    HeldLocks& locks = held_locks();
    {
      std::lock_guard guard(locks.mutex);
      locks.held.erase(key);
    }
    locks.released.notify_all();
  };
  const int fd = ::open(lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    const std::string why = std::strerror(errno);
    forget();
    return Error(ErrorKind::io, "cannot open lock file " + lock_file.string() + ": " + why);
  }
  bool announced = false;
  for (;;) {
    if (::flock(fd, LOCK_EX | LOCK_NB) == 0) return FileLock(fd, std::move(key));
    if (errno != EWOULDBLOCK && errno != EINTR) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      forget();
      return Error(ErrorKind::io, "cannot lock " + lock_file.string() + ": " + why);
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      ::close(fd);
      forget();
      return timed_out();
    }
    if (!announced) {
      UVAUTH_WARN("waiting for another process that holds the lock on the " << what << " (" << lock_file.string() << ")");
      announced = true;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(25));
  }
}

void FileLock::release() noexcept {
  if (fd_ >= 0) ::close(fd_);  // closing releases the flock
  fd_ = -1;
  if (!key_.empty()) {
    HeldLocks& locks = held_locks();
    {
      std::lock_guard guard(locks.mutex);
      locks.held.erase(key_);
    }
    locks.released.notify_all();
    key_.clear();
  }
}

FileLock& FileLock::operator=(FileLock&& other) noexcept {
  if (this != &other) {
    release();
    fd_ = other.fd_;
    key_ = std::move(other.key_);
    other.fd_ = -1;
    other.key_.clear();
  }
  return *this;
}

FileLock::~FileLock() { release(); }

Status DirectoryMaker::ensure(std::string_view dir) {
  if (dir.empty() || made_.count(std::string(dir))) return {};
  // Parents first, each looked up in the set: one mkdirat per directory, none
  // failing with ENOENT; a loop, not recursion, however deep the path.
  for (std::size_t end = 0; end != std::string_view::npos;) {
    end = dir.find('/', end + 1);
    std::string prefix(dir.substr(0, end));
    if (made_.count(prefix)) continue;
    if (::mkdirat(base_, prefix.c_str(), 0777) != 0 && errno != EEXIST) {
      return Error(ErrorKind::io, "cannot create " + base_name_ + "/" + prefix + ": " + std::generic_category().message(errno));
    }
    made_.insert(std::move(prefix));
  }
  return {};
}

}  // namespace uvauth
