#include "uvauth/app/cache_command.hpp"

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>

#include "uvauth/cache/cache_dir.hpp"
#include "uvauth/config/locations.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/requirement.hpp"
#include "uvauth/text.hpp"
#include "uvauth/url.hpp"

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

// The first `limit` bytes of a file (entries are small; pages may not be).
std::string head_of(const fs::path& file, std::size_t limit) {
  std::error_code ec;
  const auto size = fs::file_size(file, ec);  // a buffer of the file's size, not of the limit, for each of thousands of pages
  if (ec) return {};
  limit = static_cast<std::size_t>(std::min<std::uintmax_t>(limit, size));
  std::ifstream in(file, std::ios::binary);
  std::string out(limit, '\0');
  in.read(out.data(), static_cast<std::streamsize>(limit));
  out.resize(static_cast<std::size_t>(std::max<std::streamsize>(0, in.gcount())));
  return out;
}

// Every 64-hex-digit word of `text`: the digests of a page's files.
void collect_digests(std::string_view text, std::set<std::string>& out) {
  std::size_t run = 0;
  for (std::size_t i = 0; i <= text.size(); ++i) {
    const bool hex = i < text.size() && std::isxdigit(static_cast<unsigned char>(text[i])) != 0;
    if (hex) {
      ++run;
      continue;
    }
    if (run == 64) out.insert(to_lower_ascii(text.substr(i - 64, 64)));
    run = 0;
  }
}

// A project's name from an unpacked tree's `name-version.dist-info`.
std::string project_of_tree(const fs::path& tree) {
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(tree, ec)) {
    const std::string leaf = entry.path().filename().string();
    if (leaf.size() > 10 && leaf.compare(leaf.size() - 10, 10, ".dist-info") == 0) {
      const std::string stem = leaf.substr(0, leaf.size() - 10);
      return pep::canonicalize_name(stem.substr(0, stem.rfind('-')));
    }
  }
  return {};
}

Result<CacheOutcome> clean_packages(const fs::path& root, const std::vector<std::string>& packages) {
  std::set<std::string> names;
  for (const auto& p : packages) {
    if (!pep::is_valid_name(p)) return Error(ErrorKind::usage, "cache clean: '" + escape_nonprintable(p) + "' is not a project name");
    names.insert(pep::canonicalize_name(p));
  }
  std::uint64_t freed = 0;
  int removed = 0;
  std::error_code ec;  // a bucket that is not there is skipped: each loop starts afresh
  auto remove = [&](const fs::path& path) {
    std::error_code e;
    freed += fs::is_directory(path, e) ? size_of(path) : fs::file_size(path, e);
    if (fs::remove_all(path, e) > 0) ++removed;
  };
  std::set<std::string> digests;  // of the projects' files
  // Index pages: the URL they were fetched from names the project.
  ec.clear();
  for (const auto& entry : fs::directory_iterator(root / cache::bucket_name(cache::Bucket::simple_pages), ec)) {
    const std::string text = head_of(entry.path(), std::size_t{8} << 20);
    const auto line = text.find('\n');
    const auto header = nlohmann::json::parse(text.substr(0, line), nullptr, false);
    if (!header.is_object() || !header.contains("url") || !header["url"].is_string()) continue;
    auto url = Url::parse(header["url"].get<std::string>());
    if (!url) continue;
    std::string path = url->path();
    while (!path.empty() && path.back() == '/') path.pop_back();
    if (!names.count(pep::canonicalize_name(path.substr(path.rfind('/') + 1)))) continue;
    if (line != std::string::npos) collect_digests(std::string_view(text).substr(line + 1), digests);
    remove(entry.path());
  }
  // Unpacked trees: their .dist-info names the project (and the wheel's digest is the tree's name).
  const fs::path unpacked = root / cache::bucket_name(cache::Bucket::unpacked);
  ec.clear();
  for (const auto& entry : fs::directory_iterator(unpacked, ec)) {
    const std::string digest = entry.path().filename().string().substr(0, 64);
    if (!digests.count(digest) && !names.count(project_of_tree(entry.path()))) continue;
    digests.insert(digest);
    remove(entry.path());
  }
  // Wheels and metadata files, by digest; metadata also by its Name.
  for (auto bucket : {cache::Bucket::wheels, cache::Bucket::metadata}) {
    std::vector<fs::path> doomed;
    ec.clear();
    for (auto it = fs::recursive_directory_iterator(root / cache::bucket_name(bucket), ec); !ec && it != fs::recursive_directory_iterator();
         it.increment(ec)) {
      if (!it->is_regular_file(ec)) continue;
      const std::string leaf = it->path().filename().string();
      bool mine = digests.count(leaf.substr(0, 64)) > 0;
      if (!mine && bucket == cache::Bucket::metadata) {
        const std::string text = head_of(it->path(), 4096);
        const auto at = text.find("\nName:");
        if (at != std::string::npos) {
          const auto end = text.find('\n', at + 1);
          mine = names.count(pep::canonicalize_name(trim(std::string_view(text).substr(at + 6, end - at - 6)))) > 0;
        }
      }
      if (mine) doomed.push_back(it->path());
    }
    for (const auto& path : doomed) remove(path);
  }
  // Downloaded sdists (and their unpacked sources): the archive's name says the project.
  ec.clear();
  for (const auto& entry : fs::directory_iterator(root / cache::bucket_name(cache::Bucket::sdists), ec)) {
    bool mine = digests.count(entry.path().filename().string().substr(0, 64)) > 0;
    std::error_code e;
    for (const auto& file : fs::directory_iterator(entry.path(), e)) {
      if (auto split = pep::split_sdist_filename(file.path().filename().string()); split && names.count(pep::canonicalize_name(split->first))) mine = true;
    }
    if (mine) remove(entry.path());
  }
  std::string which;
  for (const auto& n : names) which += (which.empty() ? "" : ", ") + n;
  CacheOutcome out;
  out.stderr_text = removed == 0 ? "No cache entries for " + which + " in " + root.string() + "\n"
                                 : "Cleaned " + std::to_string(removed) + " entr" + (removed == 1 ? "y" : "ies") + " of " + which + ", " +
                                       megabytes(freed) + " freed in " + root.string() + "\n";
  return out;
}

}  // namespace

Result<CacheOutcome> run_cache(CacheAction action, std::optional<fs::path> cache_dir, const config::Environment& env,
                               const std::vector<std::string>& packages) {
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
  if (action == CacheAction::clean && !packages.empty()) return clean_packages(root, packages);
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
