#include "uvauth/app/inspect_command.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <map>
#include <set>

#include "uvauth/fs.hpp"
#include "uvauth/install/sync.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/text.hpp"
#include "uvauth/url.hpp"

namespace uvauth::app {
namespace fs = std::filesystem;
namespace {

struct Graph {
  std::map<std::string, const lock::LockedPackage*> packages;
  std::map<std::string, std::vector<std::string>> edges;  // name -> children
};

Graph graph_of(const lock::Lock& lock, bool invert) {
  Graph g;
  for (const auto& p : lock.packages) {
    g.packages[p.name] = &p;
    g.edges[p.name];
  }
  for (const auto& p : lock.packages) {
    for (const auto& d : p.dependencies) {
      if (!g.packages.count(d)) continue;
      if (invert) {
        g.edges[d].push_back(p.name);
      } else {
        g.edges[p.name].push_back(d);
      }
    }
  }
  for (auto& [name, children] : g.edges) std::sort(children.begin(), children.end());
  return g;
}

// Depth-first, iterative (a hostile lock may be deep): each subtree is
// printed once; later mentions end in "(*)"; a cycle ends in "(cycle)". The
// ancestors are kept in a set (entered and left), so a deep graph costs no
// more than its lines; the output is capped.
constexpr std::size_t max_tree_output = std::size_t{16} << 20;

void render(const Graph& g, const std::string& root, const TreeOptions& options, std::set<std::string>& shown, std::string& out) {
  struct Frame {
    std::string name;
    std::string prefix;  // what goes before the branch of this line
    bool last = true;
    int depth = 0;
    bool leave = false;  // the marker that ends this name's subtree
  };
  std::vector<Frame> stack{{root, "", true, 0, false}};
  std::set<std::string> ancestors;
  while (!stack.empty()) {
    Frame f = std::move(stack.back());
    stack.pop_back();
    if (f.leave) {
      ancestors.erase(f.name);
      continue;
    }
    if (out.size() > max_tree_output) {
      out += "... (the tree is cut here: it is larger than 16 MiB)\n";
      return;
    }
    const auto* p = g.packages.at(f.name);
    std::string line = f.depth == 0 ? "" : f.prefix + (f.last ? "└── " : "├── ");
    line += f.name + " v" + p->version.to_string();
    const auto& children = g.edges.at(f.name);
    const bool cycle = ancestors.count(f.name) > 0;
    const bool repeated = !cycle && shown.count(f.name) && !children.empty();
    if (cycle) line += " (cycle)";
    if (repeated) line += " (*)";
    out += line + "\n";
    if (cycle || repeated) continue;
    shown.insert(f.name);
    if (options.depth && f.depth >= *options.depth) continue;
    const std::string child_prefix = f.depth == 0 ? "" : f.prefix + (f.last ? "    " : "│   ");
    ancestors.insert(f.name);
    stack.push_back({f.name, "", true, f.depth, true});
    for (std::size_t i = children.size(); i-- > 0;) {
      stack.push_back({children[i], child_prefix, i + 1 == children.size(), f.depth + 1, false});
    }
  }
}

}  // namespace

Result<lock::Lock> read_lock_file(const fs::path& file) {
  auto text = read_file(file, max_text_input);
  if (!text) {
    std::error_code ec;
    if (fs::exists(file, ec)) return Error(ErrorKind::usage, "the lock: " + text.error().message);
    return Error(ErrorKind::usage, "cannot read the lock " + file.string()).with_hint("create it with `uvauth lock`");
  }
  auto lock = lock::Lock::parse(*text, file.string());
  if (lock) lock->resolve_paths(fs::absolute(file).parent_path().string());  // `path` entries are relative to the lock
  return lock;
}

Result<std::string> render_tree(const lock::Lock& lock, const TreeOptions& options, const std::string& source) {
  const Graph g = graph_of(lock, options.invert);
  std::vector<std::string> roots;
  if (!options.packages.empty()) {
    for (const auto& name : options.packages) {
      const std::string wanted = pep::canonicalize_name(name);
      if (!g.packages.count(wanted)) {
        return Error(ErrorKind::usage, "--package " + escape_nonprintable(name) + ": " + source + " locks no such package");
      }
      roots.push_back(wanted);
    }
  } else if (options.invert) {
    // The packages that require nothing, each with what requires it below.
    for (const auto& p : lock.packages) {
      if (std::none_of(p.dependencies.begin(), p.dependencies.end(), [&](const auto& d) { return g.packages.count(d) > 0; })) {
        roots.push_back(p.name);
      }
    }
  } else {
    for (const auto& r : lock.requested) {
      if (g.packages.count(r) && std::find(roots.begin(), roots.end(), r) == roots.end()) roots.push_back(r);
    }
    // Packages nothing reaches (a lock without `requested`): roots too.
    std::set<std::string> reached(roots.begin(), roots.end());
    for (const auto& p : lock.packages) {
      for (const auto& d : p.dependencies) reached.insert(d);
    }
    for (const auto& p : lock.packages) {
      if (!reached.count(p.name)) roots.push_back(p.name);
    }
  }
  std::string out;
  std::set<std::string> shown;
  for (const auto& root : roots) render(g, root, options, shown, out);
  if (!lock.has_dependencies) {
    out += "(" + source + " records no dependencies, so every package is shown as a root; `uvauth lock` records them)\n";
  }
  return out;
}

Result<std::string> export_lock(const lock::Lock& lock, const ExportOptions& options, const std::string& source) {
  if (options.format != "requirements.txt" && options.format != "requirements-txt") {
    return Error(ErrorKind::usage, "--format " + escape_nonprintable(options.format) + ": the only format is requirements.txt");
  }
  std::string out = "# This file was exported by uvauth from " + escape_nonprintable(source) + "\n";
  if (!lock.environments.empty()) out += "# for: " + lock.environments.front() + "\n";
  // A URL as exported: never with userinfo (a hand-written lock may carry some).
  const auto clean = [](const std::string& url) { return lock::without_userinfo(url); };
  for (const auto& p : lock.packages) {
    // Where it comes from, as pip reads it: not from an index when the lock
    // says otherwise (a Git commit, a local project, one file by URL).
    if (p.vcs) {
      std::string url = "git+" + clean(p.vcs->url) + "@" + p.vcs->commit_id;
      if (!p.vcs->subdirectory.empty()) url += "#subdirectory=" + percent_encode_url_part(p.vcs->subdirectory);
      out += p.name + " @ " + url;
    } else if (p.directory) {
      out += (p.directory->editable ? "-e " : "") + p.directory->path;
    } else if (p.index.empty() && p.wheels.size() + (p.sdist ? 1 : 0) == 1) {
      out += p.name + " @ " + clean(p.wheels.empty() ? p.sdist->url : p.wheels.front().url);
    } else {
      out += p.name + "==" + p.version.to_string();
    }
    if (options.hashes) {
      for (const auto& w : p.wheels) out += " \\\n    --hash=sha256:" + w.sha256;
      if (p.sdist) out += " \\\n    --hash=sha256:" + p.sdist->sha256;  // pip may take the sdist where no wheel fits
    }
    out += "\n";
  }
  return out;
}

Result<std::vector<ListedDistribution>> list_installed(const fs::path& dir, bool is_venv) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) return Error(ErrorKind::usage, dir.string() + " is not a directory");
  fs::path site = dir;
  if (is_venv) {
    const fs::path lib = dir / "lib";
    site.clear();
    for (const auto& entry : fs::directory_iterator(lib, ec)) {
      const std::string name = entry.path().filename().string();
      if (name.rfind("python", 0) == 0 && fs::is_directory(entry.path() / "site-packages", ec)) site = entry.path() / "site-packages";
    }
    if (site.empty()) return Error(ErrorKind::usage, dir.string() + " is not a virtual environment (no lib/python*/site-packages)");
  }
  // Where uvauth put each package from (its stamp), when it did.
  const auto from = install::recorded_sources(dir);
  std::vector<ListedDistribution> out;
  for (const auto& entry : fs::directory_iterator(site, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() <= 10 || name.substr(name.size() - 10) != ".dist-info" || !entry.is_directory(ec)) continue;
    const std::string stem = name.substr(0, name.size() - 10);
    const auto dash = stem.rfind('-');
    if (dash == std::string::npos) continue;
    ListedDistribution d;
    d.name = pep::canonicalize_name(stem.substr(0, dash));
    d.version = stem.substr(dash + 1);
    if (auto installer = read_file(entry.path() / "INSTALLER")) {
      d.installer = std::string(trim(installer->substr(0, std::min<std::size_t>(installer->find('\n'), 100))));
    }
    if (auto it = from.find(d.name); it != from.end() && it->second.version == d.version && d.installer == "uvauth") {
      d.from = it->second.from;
    } else if (auto direct = read_file(entry.path() / "direct_url.json")) {
      auto j = nlohmann::json::parse(*direct, nullptr, false);
      if (j.is_object() && j.value("url", nlohmann::json()).is_string()) d.from = redact_userinfo_in_text(j["url"].get<std::string>());
    }
    d.name = escape_nonprintable(d.name);
    d.version = escape_nonprintable(d.version);
    d.installer = escape_nonprintable(d.installer);
    d.from = escape_nonprintable(d.from);
    out.push_back(std::move(d));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  return out;
}

}  // namespace uvauth::app
