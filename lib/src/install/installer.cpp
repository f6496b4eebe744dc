#include "uvauth/install/installer.hpp"

#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>

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

// A clone of `from` at `to` (which does not exist). false: not supported here.
bool try_clone(const fs::path& from, const fs::path& to) {
  std::atomic<bool>& unsupported = clones_unsupported;
  if (unsupported.load(std::memory_order_relaxed)) return false;
  const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
  if (in < 0) return false;
  struct stat st {};
  ::fstat(in, &st);
  const int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, st.st_mode & 07777);
  if (out < 0) {
    const int why = errno;
    ::close(in);
    errno = why;  // EEXIST: the caller replaces the file
    return false;
  }
  const bool cloned = ::ioctl(out, FICLONE, in) == 0;
  const int why = errno;
  ::close(out);
  ::close(in);
  if (!cloned) {
    ::unlink(to.c_str());
    // No reflinks on this file system (ext4, tmpfs) or across two: stop asking.
    if (why == EOPNOTSUPP || why == ENOTTY || why == EINVAL || why == EXDEV || why == ENOSYS) unsupported = true;
  }
  return cloned;
}

// `to`'s directory exists. A file already there (of another distribution)
// is replaced, as pip does; it is only looked for when linking fails.
Status place_in_made_directory(const fs::path& from, const fs::path& to, LinkMode mode) {
  if (mode == LinkMode::clone) {
    if (try_clone(from, to)) return {};
    if (errno == EEXIST && ::unlink(to.c_str()) == 0 && try_clone(from, to)) return {};
  }
  if (mode == LinkMode::clone || mode == LinkMode::hardlink) {
    if (::link(from.c_str(), to.c_str()) == 0) return {};
    if (errno == EEXIST && ::unlink(to.c_str()) == 0 && ::link(from.c_str(), to.c_str()) == 0) return {};
  }
  std::error_code ec;
  fs::copy_file(from, to, fs::copy_options::overwrite_existing, ec);
  if (ec) return Error(ErrorKind::install, "cannot install " + to.string() + ": " + ec.message());
  return {};
}

// Places the files of one installation directory by directory: the source
// and target directories are held open, so a file costs two lookups of one
// name each (fstatat, linkat) instead of walks of two deep paths. The
// manifest lists files sorted by path, so one open directory each suffices.
class Placer {
 public:
  explicit Placer(LinkMode mode) : mode_(mode) {}
  Placer(const Placer&) = delete;
  Placer& operator=(const Placer&) = delete;
  ~Placer() {
    if (source_.fd >= 0) ::close(source_.fd);
    if (target_.fd >= 0) ::close(target_.fd);
  }

  // stat(2) of a source file.
  bool stat_source(const fs::path& from, struct stat& st) {
    const int dir = open_dir(source_, from.parent_path());
    if (dir < 0) return ::stat(from.c_str(), &st) == 0;
    return ::fstatat(dir, from.filename().c_str(), &st, 0) == 0;
  }

  Status place(const fs::path& from, const fs::path& to) {
    UVAUTH_TRY(dirs_.ensure(to.parent_path()));
    const bool link = mode_ == LinkMode::hardlink || (mode_ == LinkMode::clone && clones_unsupported.load(std::memory_order_relaxed));
    if (link) {
      const int from_dir = open_dir(source_, from.parent_path());
      const int to_dir = open_dir(target_, to.parent_path());
      if (from_dir >= 0 && to_dir >= 0) {
        const fs::path from_file = from.filename(), to_file = to.filename();
        const char* from_name = from_file.c_str();
        const char* to_name = to_file.c_str();
        if (::linkat(from_dir, from_name, to_dir, to_name, 0) == 0) return {};
        if (errno == EEXIST && ::unlinkat(to_dir, to_name, 0) == 0 && ::linkat(from_dir, from_name, to_dir, to_name, 0) == 0) return {};
      }
    }
    return place_in_made_directory(from, to, link ? LinkMode::copy : mode_);
  }

 private:
  struct OpenDir {
    std::string path;
    int fd = -1;
  };
  static int open_dir(OpenDir& slot, const fs::path& dir) {
    if (slot.fd >= 0 && slot.path == dir.native()) return slot.fd;
    if (slot.fd >= 0) ::close(slot.fd);
    slot.path = dir.native();
    slot.fd = ::open(dir.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    return slot.fd;
  }
  LinkMode mode_;
  DirectoryMaker dirs_;
  OpenDir source_, target_;
};

}  // namespace

Status place_file(const fs::path& from, const fs::path& to, LinkMode mode) {
  DirectoryMaker dirs;
  UVAUTH_TRY(dirs.ensure(to.parent_path()));
  return place_in_made_directory(from, to, mode);
}

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
  // of the same name, as in pip), keyed by its path relative to `site`.
  std::map<std::string, std::string> record;  // path -> "hash,size"
  Placer placer(request.link_mode);
  for (const auto& [member, hash] : wheel.hashes) {
    if (member == wheel.dist_info + "/RECORD") continue;
    const fs::path from = wheel.root / member;
    fs::path to;
    bool script = false;
    if (member.rfind(data_prefix, 0) == 0) {
      const std::string rest = member.substr(data_prefix.size());
      const std::string kind = rest.substr(0, rest.find('/'));
      const std::string inner = rest.find('/') == std::string::npos ? "" : rest.substr(rest.find('/') + 1);
      if (inner.empty()) continue;
      if (kind == "purelib") to = layout.purelib / inner;
      else if (kind == "platlib") to = layout.platlib / inner;
      else if (kind == "scripts") { to = layout.scripts / inner; script = true; }
      else if (kind == "headers") to = layout.headers / project / inner;
      else if (kind == "data") to = layout.data / inner;
      else return Error(ErrorKind::install, wheel.dist_info + ": unknown .data directory '" + escape_nonprintable(kind) + "'");
    } else {
      to = (wheel.root_is_purelib ? layout.purelib : layout.platlib) / member;
    }
    // RECORD may name what the tree does not hold as a file (a directory, a
    // file left out): skipped. The file is looked at only when its mode or
    // time matters, or when placing it failed.
    struct stat st {};
    bool looked = false;
    auto regular = [&] {
      looked = true;
      return placer.stat_source(from, st) && S_ISREG(st.st_mode);
    };
    if ((script || request.verify_modified_after_ns) && !regular()) continue;
    if (script) {
      auto text = read_file(from);
      if (!text) return std::move(text).error();
      std::string content = *text;
      // A `#!python` first line (`#!pythonw` too) names the target
      // interpreter; the rest of that line goes, as in pip.
      if (content.rfind("#!python", 0) == 0) {
        const auto newline = content.find('\n');
        content = shebang_for(layout.python) + "\n" + (newline == std::string::npos ? std::string() : content.substr(newline + 1));
      }
      // The archive's permission bits stay (unpack adds +x for archives made on Windows).
      UVAUTH_TRY(write_text(to, content, (st.st_mode & 0111) != 0));
      record[relative_to(to, site)] = record_hash_of_hex(Sha256::hex_of(content)) + "," + std::to_string(content.size());
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
      auto digest = Sha256::hex_of_file(from);
      if (!digest || record_hash_of_hex(*digest) != hash) {
        return Error(ErrorKind::integrity, "the cached copy of " + member + " (" + wheel.dist_info +
                                               ") was modified after it was unpacked");
      }
    }
    if (auto placed = placer.place(from, to); !placed) {
      if (!looked && !regular()) continue;
      return std::move(placed).error();
    }
    record[relative_to(to, site)] = hash + "," + (recorded_size != wheel.sizes.end() ? std::to_string(recorded_size->second) : "");
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
    record[relative_to(to, site)] = record_hash_of_hex(Sha256::hex_of(text)) + "," + std::to_string(text.size());
  }
  const fs::path dist_info = site / wheel.dist_info;
  auto add_file = [&](const std::string& name, const std::string& content) -> Status {
    if (auto ok = write_text(dist_info / name, content); !ok) return ok;
    record[wheel.dist_info + "/" + name] = record_hash_of_hex(Sha256::hex_of(content)) + "," + std::to_string(content.size());
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
  std::string record_text;
  for (const auto& [path, hash_size] : record) record_text += csv_field(path) + "," + hash_size + "\n";
  record_text += csv_field(wheel.dist_info + "/RECORD") + ",,\n";
  UVAUTH_TRY(write_text(dist_info / "RECORD", record_text));
  for (const auto& [path, hash] : record) installed.files.push_back(path);
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
