#include "uvauth/build/archive.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <memory>
#include <utility>
#include <vector>

#include "uvauth/text.hpp"

namespace uvauth::build {
namespace fs = std::filesystem;

namespace {

constexpr std::size_t max_entries = 100000;
constexpr std::uint64_t max_total = std::uint64_t{4} << 30;

struct ArchiveDeleter {
  void operator()(archive* a) const { archive_read_free(a); }
};

// The entry's path made relative and checked: no absolute path, no `..`,
// nothing empty. nullopt: refused.
std::optional<fs::path> safe_relative(const std::string& raw) {
  if (raw.empty() || raw.find('\0') != std::string::npos) return std::nullopt;
  std::string text = raw;
  while (text.rfind("./", 0) == 0) text.erase(0, 2);
  if (text.empty() || text == ".") return fs::path();
  if (text[0] == '/') return std::nullopt;
  fs::path out;
  for (const auto& part : fs::path(text)) {
    const std::string s = part.string();
    if (s.empty() || s == ".") continue;
    if (s == "..") return std::nullopt;
    out /= part;
  }
  return out;
}

}  // namespace

Result<fs::path> unpack_sdist(const fs::path& archive_file, const fs::path& destination, const std::string& label) {
  std::error_code ec;
  if (fs::exists(destination, ec)) return Error(ErrorKind::io, "internal: " + destination.string() + " exists already");
  fs::create_directories(destination, ec);
  if (ec) return Error(ErrorKind::io, "cannot create " + destination.string() + ": " + ec.message());
  std::unique_ptr<archive, ArchiveDeleter> reader(archive_read_new());
  archive_read_support_filter_gzip(reader.get());
  archive_read_support_filter_bzip2(reader.get());
  archive_read_support_filter_xz(reader.get());
  archive_read_support_format_tar(reader.get());
  archive_read_support_format_gnutar(reader.get());
  archive_read_support_format_zip(reader.get());
  auto fail = [&](const std::string& what) {
    return Error(ErrorKind::install, label + ": " + what);
  };
  if (archive_read_open_filename(reader.get(), archive_file.c_str(), 1 << 16) != ARCHIVE_OK) {
    return fail(std::string("not a readable source archive: ") + escape_nonprintable(archive_error_string(reader.get()) ? archive_error_string(reader.get()) : "unknown error"));
  }
  std::vector<std::pair<fs::path, std::string>> links;  // made last
  std::size_t entries = 0;
  std::uint64_t total = 0;
  archive_entry* entry = nullptr;
  for (;;) {
    const int rc = archive_read_next_header(reader.get(), &entry);
    if (rc == ARCHIVE_EOF) break;
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return fail(std::string("damaged archive: ") + escape_nonprintable(archive_error_string(reader.get()) ? archive_error_string(reader.get()) : "unknown error"));
    }
    if (++entries > max_entries) return fail("more than " + std::to_string(max_entries) + " entries");
    const char* name = archive_entry_pathname(entry);
    auto relative = safe_relative(name ? name : "");
    if (!relative) return fail("refusing the entry '" + escape_nonprintable(name ? name : "") + "' (a path outside the tree)");
    if (relative->empty()) continue;
    const fs::path target = destination / *relative;
    const auto type = archive_entry_filetype(entry);
    if (type == AE_IFDIR) {
      fs::create_directories(target, ec);
      if (ec) return fail("cannot create " + target.string() + ": " + ec.message());
      continue;
    }
    if (archive_entry_hardlink(entry) != nullptr) {
      auto source = safe_relative(archive_entry_hardlink(entry));
      if (!source || source->empty()) return fail("refusing a hard link to '" + escape_nonprintable(archive_entry_hardlink(entry)) + "'");
      links.emplace_back(*relative, "\x01" + source->string());  // a copy of a file inside the tree, made last
      continue;
    }
    if (type == AE_IFLNK) {
      const char* to = archive_entry_symlink(entry);
      const std::string link_target = to ? to : "";
      // Inside the tree: relative, and not climbing above the link's own root.
      auto resolved = safe_relative((relative->parent_path() / link_target).lexically_normal().string());
      if (link_target.empty() || link_target[0] == '/' || !resolved) {
        return fail("refusing the symbolic link '" + escape_nonprintable(relative->string()) + "' -> '" +
                    escape_nonprintable(link_target) + "' (it points outside the tree)");
      }
      links.emplace_back(*relative, link_target);
      continue;
    }
    if (type != AE_IFREG) {
      return fail("refusing the entry '" + escape_nonprintable(relative->string()) + "' (not a file or directory)");
    }
    fs::create_directories(target.parent_path(), ec);
    // O_NOFOLLOW | O_EXCL: never through a link, never over something.
    const bool executable = (archive_entry_perm(entry) & 0111) != 0;
    const int fd = ::open(target.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, executable ? 0755 : 0644);
    if (fd < 0) {
      return fail("cannot write " + escape_nonprintable(relative->string()) + ": " + std::strerror(errno) +
                  (errno == EEXIST ? " (the archive names it twice)" : ""));
    }
    char buffer[1 << 16];
    for (;;) {
      const la_ssize_t n = archive_read_data(reader.get(), buffer, sizeof buffer);
      if (n == 0) break;
      if (n < 0) {
        ::close(fd);
        return fail(std::string("damaged archive: ") + escape_nonprintable(archive_error_string(reader.get()) ? archive_error_string(reader.get()) : "unknown error"));
      }
      total += static_cast<std::uint64_t>(n);
      if (total > max_total) {
        ::close(fd);
        return fail("unpacks to more than 4 GiB");
      }
      std::size_t written = 0;
      while (written < static_cast<std::size_t>(n)) {
        const ssize_t w = ::write(fd, buffer + written, static_cast<std::size_t>(n) - written);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) {
          ::close(fd);
          return Error(ErrorKind::io, "cannot write " + target.string() + ": " + std::strerror(errno));
        }
        written += static_cast<std::size_t>(w);
      }
    }
    ::close(fd);
  }
  for (const auto& [at, to] : links) {
    const fs::path where = destination / at;
    fs::create_directories(where.parent_path(), ec);
    if (!to.empty() && to[0] == '\x01') {
      fs::copy_file(destination / to.substr(1), where, ec);
      if (ec) return fail("cannot make the hard link " + escape_nonprintable(at.string()) + ": " + ec.message());
      continue;
    }
    fs::create_symlink(to, where, ec);
    if (ec) return fail("cannot make the link " + escape_nonprintable(at.string()) + ": " + ec.message());
  }
  // An sdist's one top-level directory is the source tree.
  fs::path only;
  int count = 0;
  for (const auto& e : fs::directory_iterator(destination, ec)) {
    ++count;
    only = e.path();
  }
  if (count == 1 && fs::is_directory(fs::symlink_status(only, ec))) return only;
  return destination;
}

}  // namespace uvauth::build
