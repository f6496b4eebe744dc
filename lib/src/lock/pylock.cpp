#include "uvauth/lock/pylock.hpp"
#include "uvauth/pep/requirement.hpp"

#include <filesystem>


#include <algorithm>
#include <sstream>

#include "uvauth/config/toml.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/specifiers.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"
#include "uvauth/url.hpp"

namespace uvauth::lock {
namespace {

std::string without_userinfo_once(const std::string& location) {
  auto url = Url::parse(location);
  return url ? url->with_userinfo_removed().without_userinfo() : redact_userinfo_in_text(location);
}

}  // namespace

// Normalizing can reveal userinfo ("file:x@y" becomes "file://x@y"): repeated
// to a fixed point, so a lock read back from its own text is the same lock.
std::string without_userinfo(const std::string& location) {
  std::string current = location;
  for (int i = 0; i < 4; ++i) {
    std::string next = without_userinfo_once(current);
    if (next == current) break;
    current = std::move(next);
  }
  return current;
}

namespace {

Error bad(const std::string& source, const toml::node& node, const std::string& message) {
  std::string where = source;
  if (node.source().begin) where += ":" + std::to_string(node.source().begin.line);
  return Error(ErrorKind::parse, where + ": " + message);
}

}  // namespace

std::string environment_marker(const pep::MarkerEnvironment& env) {
  std::string out;
  for (const char* key : {"python_version", "sys_platform", "platform_machine", "implementation_name"}) {
    auto it = env.find(key);
    if (it == env.end() || it->second.empty()) continue;
    out += (out.empty() ? "" : " and ") + std::string(key) + " == \"" + it->second + "\"";
  }
  return out;
}

namespace {

// A local file's place as PEP 751 writes it: `path`, relative to the lock's
// directory. Empty when `url` is not a local file or there is no base.
std::string relative_file(const std::string& url, const std::string& base) {
  if (base.empty() || url.rfind("file://", 0) != 0) return {};
  const std::filesystem::path file(percent_decode(std::string_view(url).substr(7)));
  if (!file.is_absolute()) return {};
  return file.lexically_normal().lexically_relative(std::filesystem::path(base).lexically_normal()).string();
}

// The name a wheel or sdist entry leaves out: the last segment of its URL or path.
std::string file_name_of(std::string_view location, bool url) {
  if (url) location = location.substr(0, std::min(location.find('#'), location.find('?')));
  const auto slash = location.rfind('/');
  const std::string_view last = slash == std::string_view::npos ? location : location.substr(slash + 1);
  return url ? percent_decode(last) : std::string(last);
}

}  // namespace

std::string Lock::serialize(const std::string& base) const {
  toml::table document;
  document.insert("lock-version", lock_version);
  if (!environments.empty()) {
    toml::array envs;
    for (const auto& e : environments) envs.push_back(e);
    document.insert("environments", std::move(envs));
  }
  if (!requires_python.empty()) document.insert("requires-python", requires_python);
  if (!default_groups.empty()) {
    toml::array groups;
    for (const auto& g : default_groups) groups.push_back(g);
    document.insert("default-groups", std::move(groups));
  }
  document.insert("created-by", created_by);
  toml::array packages_array;
  std::vector<LockedPackage> sorted = packages;
  std::sort(sorted.begin(), sorted.end(), [](const LockedPackage& a, const LockedPackage& b) {
    if (a.name != b.name) return a.name < b.name;
    if (a.version != b.version) return a.version < b.version;
    return a.marker < b.marker;
  });
  for (const auto& p : sorted) {
    toml::table package;
    package.insert("name", p.name);
    package.insert("version", p.version.to_string());
    if (!p.marker.empty()) package.insert("marker", p.marker);
    if (!p.requires_python.empty()) package.insert("requires-python", p.requires_python);
    if (!p.index.empty()) package.insert("index", without_userinfo(p.index));
    toml::array wheels;
    for (const auto& w : p.wheels) {
      toml::table wheel;
      wheel.insert("name", w.name);
      if (const std::string path = relative_file(w.url, base); !path.empty()) {
        wheel.insert("path", path);
      } else {
        wheel.insert("url", without_userinfo(w.url));
      }
      if (w.size > 0) wheel.insert("size", static_cast<std::int64_t>(w.size));  // optional in PEP 751
      wheel.insert("hashes", toml::table{{"sha256", w.sha256}});
      wheels.push_back(std::move(wheel));
    }
    if (!wheels.empty() || (!p.sdist && !p.directory && !p.vcs)) package.insert("wheels", std::move(wheels));
    if (p.sdist) {
      toml::table sdist;
      sdist.insert("name", p.sdist->name);
      if (const std::string path = relative_file(p.sdist->url, base); !path.empty()) {
        sdist.insert("path", path);
      } else {
        sdist.insert("url", without_userinfo(p.sdist->url));
      }
      if (p.sdist->size > 0) sdist.insert("size", static_cast<std::int64_t>(p.sdist->size));
      sdist.insert("hashes", toml::table{{"sha256", p.sdist->sha256}});
      package.insert("sdist", std::move(sdist));
    }
    if (p.directory) {
      std::string path = p.directory->path;
      if (!base.empty() && std::filesystem::path(path).is_absolute()) {
        path = std::filesystem::path(path).lexically_relative(std::filesystem::path(base).lexically_normal()).string();
        if (path.empty()) path = ".";
      }
      toml::table directory{{"path", path}};
      if (p.directory->editable) directory.insert("editable", true);
      package.insert("directory", std::move(directory));
    }
    if (p.vcs) {
      toml::table vcs{{"type", p.vcs->type}, {"url", without_userinfo(p.vcs->url)}};
      if (!p.vcs->requested_revision.empty()) vcs.insert("requested-revision", p.vcs->requested_revision);
      vcs.insert("commit-id", p.vcs->commit_id);
      if (!p.vcs->subdirectory.empty()) vcs.insert("subdirectory", p.vcs->subdirectory);
      package.insert("vcs", std::move(vcs));
    }
    if (has_dependencies) {
      toml::array dependencies;
      for (const auto& d : p.dependencies) dependencies.push_back(toml::table{{"name", d}});
      package.insert("dependencies", std::move(dependencies));
    }
    packages_array.push_back(std::move(package));
  }
  document.insert("packages", std::move(packages_array));
  toml::array requested_array;
  std::vector<std::string> requested_sorted = requested;
  std::sort(requested_sorted.begin(), requested_sorted.end());
  requested_sorted.erase(std::unique(requested_sorted.begin(), requested_sorted.end()), requested_sorted.end());
  for (const auto& r : requested_sorted) requested_array.push_back(r);
  toml::table uvauth{{"inputs", inputs}, {"target", target}, {"requested", std::move(requested_array)}};
  if (!indexes.empty()) {
    std::vector<LockedIndex> sorted_indexes = indexes;
    std::sort(sorted_indexes.begin(), sorted_indexes.end(), [](const LockedIndex& a, const LockedIndex& b) { return a.url < b.url; });
    toml::array index_array;
    for (const auto& i : sorted_indexes) {
      toml::table entry{{"url", without_userinfo(i.url)}, {"authenticate", i.authenticate}};
      if (!i.name.empty()) entry.insert("name", i.name);
      index_array.push_back(std::move(entry));
    }
    uvauth.insert("indexes", std::move(index_array));
  }
  document.insert("tool", toml::table{{"uvauth", std::move(uvauth)}});
  std::ostringstream out;
  out << "# This file is @generated by uvauth: do not edit by hand.\n" << document << '\n';
  return out.str();
}

Result<Lock> Lock::parse(std::string_view text, const std::string& source) {
  auto parsed_document = config::parse_toml(text, source, ErrorKind::parse);
  if (!parsed_document) return std::move(parsed_document).error();
  toml::table& document = *parsed_document;
  Lock lock;
  auto version = document["lock-version"].value<std::string>();
  if (!version) return Error(ErrorKind::parse, source + ": no `lock-version`; is this a pylock.toml?");
  if (version->rfind("1.", 0) != 0) return Error(ErrorKind::parse, source + ": unsupported lock-version " + *version);
  lock.lock_version = *version;
  lock.created_by = document["created-by"].value_or(std::string());
  lock.requires_python = document["requires-python"].value_or(std::string());
  if (auto envs = document["environments"].as_array()) {
    for (const auto& e : *envs) {
      if (auto s = e.value<std::string>()) lock.environments.push_back(*s);
    }
  }
  if (const toml::node* groups = document.get("default-groups")) {
    const toml::array* list = groups->as_array();
    if (!list) return bad(source, *groups, "`default-groups` must be an array of group names");
    for (const auto& g : *list) {
      auto name = g.value<std::string>();
      if (!name) return bad(source, g, "`default-groups` must be an array of group names");
      lock.default_groups.push_back(pep::canonicalize_name(*name));
    }
  }
  if (auto tool = document["tool"]["uvauth"].as_table()) {
    lock.inputs = (*tool)["inputs"].value_or(std::string());
    lock.target = (*tool)["target"].value_or(std::string());
    if (auto requested = (*tool)["requested"].as_array()) {
      for (const auto& r : *requested) {
        if (auto s = r.value<std::string>()) lock.requested.push_back(*s);
      }
    }
    if (auto indexes = (*tool)["indexes"].as_array()) {
      for (const auto& node : *indexes) {
        const toml::table* t = node.as_table();
        if (!t) return bad(source, node, "[tool.uvauth] indexes must be tables");
        LockedIndex index{(*t)["name"].value_or(std::string()), (*t)["url"].value_or(std::string()),
                          (*t)["authenticate"].value_or(std::string("auto"))};
        if (index.url.empty() || (index.authenticate != "auto" && index.authenticate != "always" && index.authenticate != "never")) {
          return bad(source, node, "a [tool.uvauth] index needs a `url` and `authenticate` = auto, always or never");
        }
        lock.indexes.push_back(std::move(index));
      }
    }
  }
  const toml::array* packages = document["packages"].as_array();
  if (!packages) return Error(ErrorKind::parse, source + ": no [[packages]]");
  for (const auto& node : *packages) {
    const toml::table* table = node.as_table();
    if (!table) return bad(source, node, "each [[packages]] entry must be a table");
    LockedPackage p;
    auto name = (*table)["name"].value<std::string>();
    auto v = (*table)["version"].value<std::string>();
    // Entries uvauth cannot install yet are named, not misread.
    for (const char* kind : {"archive"}) {
      if (name && table->contains(kind) && !table->contains("wheels")) {
        return bad(source, node, "package " + escape_nonprintable(*name) + " is a `" + kind +
                                     "` entry, which uvauth cannot install yet");
      }
    }
    if (!name || !v) return bad(source, node, "a package needs `name` and `version`");
    if (pep::canonicalize_name(*name) != *name || name->empty() ||
        name->find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789-") != std::string::npos) {
      return bad(source, node, "package name '" + escape_nonprintable(*name) + "' is not a normalized project name");
    }
    p.name = *name;
    auto parsed = pep::Version::parse(*v);
    if (!parsed) return bad(source, node, parsed.error().message);
    p.version = *parsed;
    p.index = (*table)["index"].value_or(std::string());
    // An entry's marker decides where it is installed: a malformed one is
    // refused, never ignored.
    if (const toml::node* m = table->get("marker")) {
      auto text = m->value<std::string>();
      if (!text) return bad(source, *m, "the `marker` of " + p.name + " must be a string");
      auto marker = pep::Marker::parse(*text);
      if (!marker) return bad(source, *m, "the `marker` of " + p.name + " is not a PEP 508 marker: " + marker.error().message);
      p.marker = marker->to_string();
    }
    if (const toml::node* rp = table->get("requires-python")) {
      auto text = rp->value<std::string>();
      if (!text) return bad(source, *rp, "the `requires-python` of " + p.name + " must be a string");
      auto spec = pep::SpecifierSet::parse(*text);
      if (!spec) return bad(source, *rp, "the `requires-python` of " + p.name + " is not a version specifier: " + spec.error().message);
      p.requires_python = *text;
    }
    if (const toml::node* sdist_node = table->get("sdist")) {
      const toml::table* sd = sdist_node->as_table();
      if (!sd) return bad(source, *sdist_node, "the `sdist` of " + p.name + " must be a table");
      LockedSdist sdist;
      sdist.url = (*sd)["url"].value_or(std::string());
      sdist.path = (*sd)["path"].value_or(std::string());
      sdist.name = (*sd)["name"].value_or(std::string());
      if (sdist.name.empty() && !sdist.url.empty()) sdist.name = file_name_of(sdist.url, true);
      if (sdist.name.empty() && !sdist.path.empty()) sdist.name = file_name_of(sdist.path, false);
      sdist.size = static_cast<std::uint64_t>((*sd)["size"].value_or(std::int64_t{0}));
      const std::string hash = (*sd)["hashes"]["sha256"].value_or(std::string());
      const auto digest = Sha256Digest::parse(hash);
      if ((sdist.url.empty() && sdist.path.empty()) || !digest) {
        return bad(source, *sdist_node, "the `sdist` of " + p.name + " needs a `url` or `path` and a sha256 hash (64 hex digits)");
      }
      if (sdist.path.find('\0') != std::string::npos) return bad(source, *sdist_node, "the `path` of the `sdist` of " + p.name + " holds a NUL");
      sdist.sha256 = digest->hex();
      if (sdist.name.empty() || sdist.name.find_first_of("/\\") != std::string::npos || sdist.name.find('\0') != std::string::npos ||
          !pep::is_sdist_filename(sdist.name)) {
        return bad(source, *sdist_node, "the `sdist` of " + p.name + " has no usable file `name`: '" + escape_nonprintable(sdist.name) + "'");
      }
      p.sdist = std::move(sdist);
    }
    if (const toml::node* dir_node = table->get("directory")) {
      const toml::table* d = dir_node->as_table();
      auto path = d ? (*d)["path"].value<std::string>() : std::nullopt;
      if (!path || path->empty() || path->find('\0') != std::string::npos) {
        return bad(source, *dir_node, "the `directory` of " + p.name + " needs a `path`");
      }
      p.directory = LockedDirectory{*path, (*d)["editable"].value_or(false)};
    }
    if (const toml::node* vcs_node = table->get("vcs")) {
      const toml::table* v = vcs_node->as_table();
      if (!v) return bad(source, *vcs_node, "the `vcs` of " + p.name + " must be a table");
      LockedVcs vcs;
      vcs.type = (*v)["type"].value_or(std::string());
      vcs.url = (*v)["url"].value_or(std::string());
      vcs.requested_revision = (*v)["requested-revision"].value_or(std::string());
      vcs.commit_id = (*v)["commit-id"].value_or(std::string());
      vcs.subdirectory = (*v)["subdirectory"].value_or(std::string());
      if (vcs.type != "git") {
        return bad(source, *vcs_node, "the `vcs` of " + p.name + " is of type '" + escape_nonprintable(vcs.type) + "'; only \"git\" is supported");
      }
      const bool hex = vcs.commit_id.size() == 40 && std::all_of(vcs.commit_id.begin(), vcs.commit_id.end(), [](char c) {
                         return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
                       });
      if (!hex) return bad(source, *vcs_node, "the `vcs` of " + p.name + " needs a `commit-id` of 40 hex digits");
      if (vcs.url.empty()) return bad(source, *vcs_node, "the `vcs` of " + p.name + " needs a `url` (a `path` is not supported)");
      p.vcs = std::move(vcs);
    }
    const toml::array* wheels = (*table)["wheels"].as_array();
    if ((!wheels || wheels->empty()) && !p.sdist && !p.directory && !p.vcs) {
      return bad(source, node, "package " + p.name + " has no wheels, sdist, directory or vcs");
    }
    static const toml::array no_wheels;
    for (const auto& wnode : wheels ? *wheels : no_wheels) {
      const toml::table* w = wnode.as_table();
      if (!w) return bad(source, wnode, "each wheel must be a table");
      LockedWheel wheel;
      wheel.name = (*w)["name"].value_or(std::string());
      wheel.url = (*w)["url"].value_or(std::string());
      wheel.path = (*w)["path"].value_or(std::string());
      // PEP 751: `name` may be left out when the URL or path ends in the file name (uv's export does).
      if (wheel.name.empty() && !wheel.url.empty()) wheel.name = file_name_of(wheel.url, true);
      if (wheel.name.empty() && !wheel.path.empty()) wheel.name = file_name_of(wheel.path, false);
      wheel.size = static_cast<std::uint64_t>((*w)["size"].value_or(std::int64_t{0}));
      const std::string hash = (*w)["hashes"]["sha256"].value_or(std::string());
      if ((wheel.url.empty() && wheel.path.empty()) || hash.empty()) {
        return bad(source, wnode, "wheel " + escape_nonprintable(wheel.name) + " of " + p.name + " needs a `url` or `path` and a sha256 hash");
      }
      if (wheel.path.find('\0') != std::string::npos) {
        return bad(source, wnode, "the `path` of wheel " + escape_nonprintable(wheel.name) + " of " + p.name + " holds a NUL");
      }
      // Checked here, before anything can use it in a path or a comparison.
      const auto digest = Sha256Digest::parse(hash);
      if (!digest) {
        return bad(source, wnode, "wheel " + escape_nonprintable(wheel.name) + " of " + p.name +
                                      ": `hashes.sha256` is not a SHA-256 digest (64 hex digits): '" +
                                      escape_nonprintable(hash.substr(0, 80)) + "'");
      }
      wheel.sha256 = digest->hex();
      if (wheel.name.empty() || wheel.name.find_first_of("/\\") != std::string::npos || wheel.name.find('\0') != std::string::npos ||
          wheel.name == "." || wheel.name == "..") {
        return bad(source, wnode, "wheel of " + p.name + " has no usable file `name`: '" + escape_nonprintable(wheel.name) + "'");
      }
      p.wheels.push_back(std::move(wheel));
    }
    if (const toml::node* deps = table->get("dependencies")) {
      const toml::array* list = deps->as_array();
      if (!list) return bad(source, *deps, "`dependencies` of " + p.name + " must be an array of tables");
      for (const auto& d : *list) {
        auto dep = d.as_table() ? (*d.as_table())["name"].value<std::string>() : std::nullopt;
        if (!dep) return bad(source, d, "each of the `dependencies` of " + p.name + " needs a `name`");
        p.dependencies.push_back(pep::canonicalize_name(*dep));
      }
      std::sort(p.dependencies.begin(), p.dependencies.end());
      p.dependencies.erase(std::unique(p.dependencies.begin(), p.dependencies.end()), p.dependencies.end());
    } else {
      lock.has_dependencies = false;
    }
    lock.packages.push_back(std::move(p));
  }
  return lock;
}

void Lock::resolve_paths(const std::string& base) {
  // A local wheel or sdist (`path`): its file:// URL, as a resolution makes it.
  auto file_of = [&](const std::string& path) {
    std::filesystem::path file(path);
    if (!file.is_absolute()) file = std::filesystem::path(base) / file;
    return file_url(file.lexically_normal().string());
  };
  for (auto& p : packages) {
    for (auto& w : p.wheels) {
      if (w.url.empty() && !w.path.empty()) w.url = file_of(w.path);
    }
    if (p.sdist && p.sdist->url.empty() && !p.sdist->path.empty()) p.sdist->url = file_of(p.sdist->path);
  }
  for (auto& p : packages) {
    if (!p.directory || std::filesystem::path(p.directory->path).is_absolute()) continue;
    p.directory->path = (std::filesystem::path(base) / p.directory->path).lexically_normal().string();
    while (p.directory->path.size() > 1 && p.directory->path.back() == '/') p.directory->path.pop_back();
  }
}

std::string LockedVcs::requirement_url() const {
  std::string out = "git+" + without_userinfo(url);
  if (!requested_revision.empty()) out += "@" + percent_encode_url_part(requested_revision);
  if (!subdirectory.empty()) out += "#subdirectory=" + percent_encode_url_part(subdirectory);
  return out;
}

bool Lock::same_content(const Lock& other) const {
  // Dependencies count when both record them (an older lock has none).
  const bool dependencies = has_dependencies && other.has_dependencies;
  auto key = [dependencies](const Lock& lock) {
    std::vector<std::string> lines{lock.lock_version, lock.requires_python};
    for (const auto& e : lock.environments) lines.push_back("env " + e);
    for (const auto& g : lock.default_groups) lines.push_back("group " + g);
    for (const auto& p : lock.packages) {
      std::string line = "pkg " + p.name + " " + p.version.to_string() + " " + without_userinfo(p.index) + " marker " +
                         p.marker + " rp " + p.requires_python;
      for (const auto& w : p.wheels) line += " " + w.name + " " + without_userinfo(w.url) + " " + std::to_string(w.size) + " " + w.sha256;
      if (p.sdist) line += " sdist " + p.sdist->name + " " + without_userinfo(p.sdist->url) + " " + p.sdist->sha256;
      if (p.directory) line += " dir " + p.directory->path + (p.directory->editable ? " editable" : "");
      if (p.vcs) line += " vcs " + p.vcs->requirement_url() + " " + p.vcs->commit_id;
      if (dependencies) {
        for (const auto& d : p.dependencies) line += " dep " + d;
      }
      lines.push_back(std::move(line));
    }
    std::sort(lines.begin() + 2, lines.end());
    return lines;
  };
  return key(*this) == key(other);
}

Status Lock::check_target(const pep::MarkerEnvironment& environment, const std::string& source) const {
  // PEP 751: the lock fits when any one of its environments holds.
  std::string listed;
  for (const auto& e : environments) {
    auto marker = pep::Marker::parse(e);
    if (!marker) return Error(ErrorKind::parse, source + ": bad environment marker: " + marker.error().message);
    auto holds = marker->evaluate(environment);
    if (holds && *holds) return {};
    listed += (listed.empty() ? "" : "; ") + e;
  }
  if (environments.empty()) return {};
  const bool universal = is_universal();
  return Error(ErrorKind::resolution, source + " was made for " + (universal || target.empty() ? "the environments `" + listed + "`" : target) +
                                          ", not for this interpreter (" + environment_marker(environment) + ")")
      .with_hint(universal ? "lock again with an --environment that covers this target, or use a target the lock covers"
                           : "lock again for this interpreter (`uvauth lock`), or use the Python the lock was made for");
}

}  // namespace uvauth::lock
