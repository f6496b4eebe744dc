#include "uvauth/install/installer.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <memory>
#include <vector>

#include <fstream>
#include <set>
#include <sstream>

#include <map>
#include <nlohmann/json.hpp>

#include "uvauth/fs.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::install {
namespace fs = std::filesystem;
namespace {

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (char c : s) out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

// Set once a clone failed for want of support (ext4, tmpfs, two file systems).
std::atomic<bool> clones_unsupported{false};

// A clone of `from` (below `from_dir`) at `to` (below `to_dir`), which must
// not exist. false: not done (errno EEXIST: the caller replaces the file);
// a file system without clones is remembered and not asked again.
bool clone_at(int from_dir, const char* from, int to_dir, const char* to) {
  if (clones_unsupported.load(std::memory_order_relaxed)) {
    errno = EOPNOTSUPP;
    return false;
  }
  const int in = ::openat(from_dir, from, O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  struct stat st {};
  ::fstat(in, &st);
  const int out = ::openat(to_dir, to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
  if (out < 0) {
    const int why = errno;
    ::close(in);
    errno = why;
    return false;
  }
  const bool cloned = ::ioctl(out, FICLONE, in) == 0;
  const int why = errno;
  ::close(out);
  ::close(in);
  if (!cloned) {
    ::unlinkat(to_dir, to, 0);
    // No reflinks on this file system (ext4, tmpfs) or across two: stop asking.
    if (why == EOPNOTSUPP || why == ENOTTY || why == EINVAL || why == EXDEV || why == ENOSYS) clones_unsupported = true;
    errno = why;
  }
  return cloned;
}

// A copy of `from_name` (below `from_dir`) at `to_name` (below `to_dir`),
// with its permission bits; a file already there is replaced.
bool copy_at(int from_dir, const char* from_name, int to_dir, const char* to_name) {
  const int in = ::openat(from_dir, from_name, O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  struct stat st {};
  if (::fstat(in, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(in);
    errno = EINVAL;
    return false;
  }
  ::unlinkat(to_dir, to_name, 0);
  const int out = ::openat(to_dir, to_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
  bool ok = out >= 0;
  // copy_file_range within a file system (a reflink or an in-kernel copy);
  // sendfile across two, where copy_file_range says EXDEV.
  bool ranged = true;
  for (off_t left = st.st_size; ok && left > 0;) {
    const auto chunk = static_cast<std::size_t>(std::min<off_t>(left, off_t{1} << 30));
    const ssize_t n = ranged ? ::copy_file_range(in, nullptr, out, nullptr, chunk, 0) : ::sendfile(out, in, nullptr, chunk);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && ranged && left == st.st_size && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP)) {
      ranged = false;
      continue;
    }
    if (n <= 0) {
      ok = false;
      break;
    }
    left -= n;
  }
  const int why = errno;
  if (out >= 0) ::close(out);
  ::close(in);
  errno = why;
  return ok;
}

// `to`'s directory exists. A file already there (of another distribution)
// is replaced, as pip does; it is only looked for when placing fails.
bool place_at(int from_dir, const char* from, int to_dir, const char* to, LinkMode mode) {
  if (mode == LinkMode::clone) {
    if (clone_at(from_dir, from, to_dir, to)) return true;
    if (errno == EEXIST && ::unlinkat(to_dir, to, 0) == 0 && clone_at(from_dir, from, to_dir, to)) return true;
  }
  if (mode != LinkMode::copy) {
    if (::linkat(from_dir, from, to_dir, to, 0) == 0) return true;
    if (errno == EEXIST && ::unlinkat(to_dir, to, 0) == 0 && ::linkat(from_dir, from, to_dir, to, 0) == 0) return true;
  }
  // No links here (another file system, a link limit): a copy.
  return copy_at(from_dir, from, to_dir, to);
}

// Places the files of one installation relative to directories held open
// once: the unpacked tree's root and each layout directory. A file costs one
// linkat(2) (two lookups of short relative paths, no open or close per
// directory), and each target directory one mkdirat(2).
class Placer {
 public:
  Placer(LinkMode mode, const fs::path& source_root) : mode_(mode), source_name_(source_root.string()) {
    source_ = ::open(source_root.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    source_errno_ = errno;
  }
  Placer(const Placer&) = delete;
  Placer& operator=(const Placer&) = delete;
  ~Placer() {
    if (source_ >= 0) ::close(source_);
    for (auto& base : bases_) {
      if (base.fd >= 0) ::close(base.fd);
    }
  }

  // The index of the layout directory `dir` (made when missing).
  Result<std::size_t> base(const fs::path& dir) {
    for (std::size_t i = 0; i < bases_.size(); ++i) {
      if (bases_[i].path == dir) return i;
    }
    if (source_ < 0) return Error(ErrorKind::install, "cannot open " + source_name_ + ": " + std::generic_category().message(source_errno_));
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) return Error(ErrorKind::install, "cannot create " + dir.string() + ": " + ec.message());
    const int fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return Error(ErrorKind::install, "cannot open " + dir.string() + ": " + std::generic_category().message(errno));
    bases_.push_back(Base{dir, fd, std::make_unique<DirectoryMaker>(fd, dir.string())});
    return bases_.size() - 1;
  }

  const fs::path& path(std::size_t b) const { return bases_[b].path; }

  // stat(2) of a file of the unpacked tree.
  bool stat_source(const std::string& member, struct stat& st) const {
    return ::fstatat(source_, member.c_str(), &st, 0) == 0;
  }

  // `member` of the unpacked tree at `rel` below base `b`.
  Status place(const std::string& member, std::size_t b, const std::string& rel) {
    Base& base = bases_[b];
    const auto slash = rel.rfind('/');
    if (slash != std::string::npos) UVAUTH_TRY(base.dirs->ensure(std::string_view(rel).substr(0, slash)));
    if (place_at(source_, member.c_str(), base.fd, rel.c_str(), mode_)) return {};
    return Error(ErrorKind::install, "cannot install " + (base.path / rel).string() + ": " + std::generic_category().message(errno));
  }

 private:
  struct Base {
    fs::path path;
    int fd = -1;
    std::unique_ptr<DirectoryMaker> dirs;
  };
  LinkMode mode_;
  std::string source_name_;
  int source_ = -1;
  int source_errno_ = 0;
  std::vector<Base> bases_;
};

}  // namespace

std::string shebang_for(const fs::path& python) {
  const std::string path = python.string();
  if (!python.has_parent_path() && !path.empty() && path.find(' ') == std::string::npos) return "#!/usr/bin/env " + path;  // a name: found on PATH
  if (path.find(' ') == std::string::npos && path.size() + 3 <= 127) return "#!" + path;
  std::string quoted = "'";
  for (char c : path) quoted += c == '\'' ? std::string("'\"'\"'") : std::string(1, c);
  quoted += "'";
  return "#!/bin/sh\n'''exec' " + quoted + " \"$0\" \"$@\"\n' '''";
}

namespace {

Status write_text(const fs::path& path, const std::string& text, bool executable = false) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  fs::remove(path, ec);
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return Error(ErrorKind::install, "cannot write " + path.string());
  if (executable) fs::permissions(path, fs::perms::owner_all | fs::perms::group_read | fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec, ec);
  return {};
}

std::string relative_to(const fs::path& path, const fs::path& base) {
  return path.lexically_relative(base).generic_string();
}

// `rel` has no empty or "." component: joined to its base's relative path
// it is what lexically_relative would give.
bool clean_relative(std::string_view rel) {
  if (rel.empty() || rel == "." || rel.front() == '/' || rel.back() == '/') return false;
  if (rel.find("//") != std::string_view::npos || rel.find("/./") != std::string_view::npos) return false;
  return rel.compare(0, 2, "./") != 0 && (rel.size() < 2 || rel.compare(rel.size() - 2, 2, "/.") != 0);
}

struct Script {
  std::string name, module, function;
  bool gui = false;
};

std::vector<Script> entry_point_scripts(const fs::path& entry_points) {
  std::vector<Script> out;
  auto text = read_file(entry_points);
  if (!text) return out;
  std::istringstream in(*text);
  std::string section;
  for (std::string line; std::getline(in, line);) {
    const std::string t(trim(line));
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[') {
      section = t;
      continue;
    }
    if (section != "[console_scripts]" && section != "[gui_scripts]") continue;
    const auto eq = t.find('=');
    if (eq == std::string::npos) continue;
    std::string target(trim(t.substr(eq + 1)));
    target = target.substr(0, target.find('['));  // extras after the object reference are not used
    const auto colon = target.find(':');
    Script s;
    s.name = std::string(trim(t.substr(0, eq)));
    s.module = std::string(trim(target.substr(0, colon)));
    s.function = colon == std::string::npos ? "" : std::string(trim(target.substr(colon + 1)));
    s.gui = section == "[gui_scripts]";
    if (!s.name.empty() && s.name.find('/') == std::string::npos && !s.module.empty()) out.push_back(std::move(s));
  }
  return out;
}

}  // namespace

Layout target_layout(const fs::path& dir, const fs::path& python) {
  return Layout{dir, dir, dir / "bin", dir, dir / "include" / "python", python};
}

Layout venv_layout(const fs::path& dir, const std::string& version) {
  const fs::path site = dir / "lib" / ("python" + version) / "site-packages";
  return Layout{site, site, dir / "bin", dir, dir / "include" / "site" / ("python" + version), dir / "bin" / "python"};
}

Result<InstalledDistribution> install_tree(const UnpackedWheel& wheel, const Layout& layout, const InstallRequest& request) {
  InstalledDistribution installed;
  installed.dist_info = wheel.dist_info;
  const fs::path site = layout.purelib;
  const std::string project = wheel.dist_info.substr(0, wheel.dist_info.find('-'));
  const std::string data_prefix = wheel.dist_info.substr(0, wheel.dist_info.size() - 10) + ".data/";
  // One row per installed file (a launcher replaces a .data/scripts file
  // of the same name, as in pip: the last row of a path wins), keyed by its
  // path relative to `site`.
  std::vector<std::pair<std::string, std::string>> record;  // path, "hash,size"
  record.reserve(wheel.hashes.size() + 8);
  Placer placer(request.link_mode, wheel.root);
  std::vector<std::string> base_prefix;  // each base's path relative to `site` ("" for `site` itself)
  auto base_of = [&](const fs::path& dir) -> Result<std::size_t> {
    auto b = placer.base(dir);
    if (b && *b == base_prefix.size()) {
      const std::string prefix = relative_to(dir, site);
      base_prefix.push_back(prefix == "." ? std::string() : prefix);
    }
    return b;
  };
  for (const auto& [member, hash] : wheel.hashes) {
    if (member == wheel.dist_info + "/RECORD") continue;
    std::size_t base = 0;
    std::string rel;
    fs::path script_to;
    bool script = false;
    if (member.compare(0, data_prefix.size(), data_prefix) == 0) {
      const std::string rest = member.substr(data_prefix.size());
      const auto slash = rest.find('/');
      const std::string kind = rest.substr(0, slash);
      std::string inner = slash == std::string::npos ? "" : rest.substr(slash + 1);
      if (inner.empty()) continue;
      const fs::path* dir = nullptr;
      fs::path headers;
      if (kind == "purelib") dir = &layout.purelib;
      else if (kind == "platlib") dir = &layout.platlib;
      else if (kind == "scripts") { script_to = layout.scripts / inner; script = true; }
      else if (kind == "headers") { headers = layout.headers / project; dir = &headers; }
      else if (kind == "data") dir = &layout.data;
      else return Error(ErrorKind::install, wheel.dist_info + ": unknown .data directory '" + escape_nonprintable(kind) + "'");
      if (dir) {
        UVAUTH_TRY_ASSIGN(base, base_of(*dir));
        rel = std::move(inner);
      }
    } else {
      UVAUTH_TRY_ASSIGN(base, base_of(wheel.root_is_purelib ? layout.purelib : layout.platlib));
      rel = member;
    }
    // RECORD may name what the tree does not hold as a file (a directory, a
    // file left out): skipped. The file is looked at only when its mode or
    // time matters, or when placing it failed.
    struct stat st {};
    bool looked = false;
    const std::string& name = member;  // clang 14 cannot capture structured bindings
    auto regular = [&] {
      looked = true;
      return placer.stat_source(name, st) && S_ISREG(st.st_mode);
    };
    if ((script || request.verify_modified_after_ns) && !regular()) continue;
    if (script) {
      auto text = read_file(wheel.root / member);
      if (!text) return std::move(text).error();
      std::string content = *text;
      // A `#!python` first line (`#!pythonw` too) names the target
      // interpreter; the rest of that line goes, as in pip.
      if (content.rfind("#!python", 0) == 0) {
        const auto newline = content.find('\n');
        content = shebang_for(layout.python) + "\n" + (newline == std::string::npos ? std::string() : content.substr(newline + 1));
      }
      // The archive's permission bits stay (unpack adds +x for archives made on Windows).
      UVAUTH_TRY(write_text(script_to, content, (st.st_mode & 0111) != 0));
      record.emplace_back(relative_to(script_to, site), record_hash_of_hex(Sha256::hex_of(content)) + "," + std::to_string(content.size()));
      continue;
    }
    // A size other than the recorded one (a file cut short by a crash: cache
    // entries are not flushed) is caught by the same stat, at no cost.
    const auto recorded_size = wheel.sizes.find(member);
    if (request.verify_modified_after_ns && recorded_size != wheel.sizes.end() &&
        static_cast<std::uint64_t>(st.st_size) != recorded_size->second) {
      return Error(ErrorKind::integrity, "the cached copy of " + member + " (" + wheel.dist_info + ") was modified after it was unpacked: it has " +
                                             std::to_string(st.st_size) + " bytes, not " + std::to_string(recorded_size->second));
    }
    if (request.verify_modified_after_ns &&
        std::int64_t{st.st_mtim.tv_sec} * 1000000000 + st.st_mtim.tv_nsec > *request.verify_modified_after_ns) {
      auto digest = Sha256::hex_of_file(wheel.root / member);
      if (!digest || record_hash_of_hex(*digest) != hash) {
        return Error(ErrorKind::integrity, "the cached copy of " + member + " (" + wheel.dist_info +
                                               ") was modified after it was unpacked");
      }
    }
    if (auto placed = placer.place(member, base, rel); !placed) {
      if (!looked && !regular()) continue;
      return std::move(placed).error();
    }
    const std::string& prefix = base_prefix[base];
    std::string path = clean_relative(rel) ? (prefix.empty() ? rel : prefix + "/" + rel) : relative_to(placer.path(base) / rel, site);
    record.emplace_back(std::move(path), hash + "," + (recorded_size != wheel.sizes.end() ? std::to_string(recorded_size->second) : ""));
  }
  // Launchers for entry points.
  for (const auto& s : entry_point_scripts(wheel.root / wheel.dist_info / "entry_points.txt")) {
    const std::string call = s.function.empty() ? "" : s.function;
    const std::string head = call.substr(0, call.find('.'));
    const std::string text = shebang_for(layout.python) + "\n"
                             "# -*- coding: utf-8 -*-\n"
                             "import re\nimport sys\nfrom " + s.module + " import " + head + "\n"
                             "if __name__ == \"__main__\":\n"
                             "    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n"
                             "    sys.exit(" + call + "())\n";
    const fs::path to = layout.scripts / s.name;
    UVAUTH_TRY(write_text(to, text, true));
    record.emplace_back(relative_to(to, site), record_hash_of_hex(Sha256::hex_of(text)) + "," + std::to_string(text.size()));
  }
  const fs::path dist_info = site / wheel.dist_info;
  auto add_file = [&](const std::string& name, const std::string& content) -> Status {
    if (auto ok = write_text(dist_info / name, content); !ok) return ok;
    record.emplace_back(wheel.dist_info + "/" + name, record_hash_of_hex(Sha256::hex_of(content)) + "," + std::to_string(content.size()));
    return {};
  };
  UVAUTH_TRY(add_file("INSTALLER", "uvauth\n"));
  if (request.requested) {
    UVAUTH_TRY(add_file("REQUESTED", ""));
  }
  if (request.direct_url && request.vcs) {
    nlohmann::json vcs_info{{"vcs", "git"}, {"commit_id", request.vcs_commit_id}};
    if (!request.vcs_requested_revision.empty()) vcs_info["requested_revision"] = request.vcs_requested_revision;
    nlohmann::json direct{{"url", *request.direct_url}, {"vcs_info", vcs_info}};
    if (!request.subdirectory.empty()) direct["subdirectory"] = request.subdirectory;
    UVAUTH_TRY(add_file("direct_url.json", direct.dump() + "\n"));
  } else if (request.direct_url && request.directory) {
    nlohmann::json dir_info = nlohmann::json::object();
    if (request.editable) dir_info["editable"] = true;
    const nlohmann::json direct{{"dir_info", dir_info}, {"url", *request.direct_url}};
    UVAUTH_TRY(add_file("direct_url.json", direct.dump() + "\n"));
  } else if (request.direct_url) {
    // PEP 610: the archive's hash too (both forms, as pip writes them).
    nlohmann::json archive_info = nlohmann::json::object();
    if (!request.direct_url_sha256.empty()) {
      archive_info["hash"] = "sha256=" + request.direct_url_sha256;
      archive_info["hashes"] = {{"sha256", request.direct_url_sha256}};
    }
    const nlohmann::json direct{{"archive_info", archive_info}, {"url", *request.direct_url}};
    UVAUTH_TRY(add_file("direct_url.json", direct.dump() + "\n"));
  }
  // Sorted by path; of two rows of one path, the later one.
  std::stable_sort(record.begin(), record.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::pair<std::string, std::string>> rows;
  rows.reserve(record.size());
  for (auto& row : record) {
    if (!rows.empty() && rows.back().first == row.first) rows.back() = std::move(row);
    else rows.push_back(std::move(row));
  }
  std::string record_text;
  for (const auto& [path, hash_size] : rows) {
    record_text += csv_field(path);
    record_text += ',';
    record_text += hash_size;
    record_text += '\n';
  }
  record_text += csv_field(wheel.dist_info + "/RECORD") + ",,\n";
  UVAUTH_TRY(write_text(dist_info / "RECORD", record_text));
  for (auto& [path, hash] : rows) installed.files.push_back(std::move(path));
  installed.files.push_back(wheel.dist_info + "/RECORD");
  return installed;
}

Status uninstall(const fs::path& site, const fs::path& root, const std::string& dist_info) {
  auto record = read_file(site / dist_info / "RECORD");
  if (!record) return Error(ErrorKind::install, "cannot uninstall " + dist_info + ": no RECORD");
  std::set<fs::path> dirs;
  std::error_code ec;
  for (const auto& [path, row] : parse_record(*record)) {
    if (path.empty()) continue;
    const fs::path full = (site / path).lexically_normal();
    // Never outside the installation (RECORD may say ../bin/x for scripts).
    if (relative_to(full, root).rfind("..", 0) == 0) continue;
    fs::remove(full, ec);
    dirs.insert(full.parent_path());
  }
  fs::remove_all(site / dist_info, ec);
  // Empty directories left behind, deepest first.
  for (auto it = dirs.rbegin(); it != dirs.rend(); ++it) {
    for (fs::path d = *it; d != site && d != root && relative_to(d, root).rfind("..", 0) != 0 && fs::is_empty(d, ec); d = d.parent_path()) {
      fs::remove(d, ec);
    }
  }
  return {};
}

}  // namespace uvauth::install
