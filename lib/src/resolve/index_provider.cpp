#include "uvauth/resolve/index_provider.hpp"

#include <algorithm>
#include <filesystem>
#include <set>


#include "uvauth/free_later.hpp"
#include "uvauth/git/git.hpp"
#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/requirement.hpp"
#include "uvauth/pep/tag_markers.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/text.hpp"

namespace uvauth::resolve {

Result<PrereleaseMode> parse_prerelease_mode(std::string_view text) {
  if (text == "disallow") return PrereleaseMode::disallow;
  if (text == "allow") return PrereleaseMode::allow;
  if (text == "if-necessary") return PrereleaseMode::if_necessary;
  if (text == "explicit") return PrereleaseMode::explicit_only;
  if (text == "if-necessary-or-explicit") return PrereleaseMode::if_necessary_or_explicit;
  return Error(ErrorKind::usage, "--prerelease must be allow, disallow, if-necessary, explicit or if-necessary-or-explicit");
}

std::vector<pep::Requirement> apply_overrides(const std::vector<pep::Requirement>& requirements,
                                              const std::map<std::string, std::vector<pep::Requirement>>& overrides) {
  if (overrides.empty()) return requirements;
  std::vector<pep::Requirement> out;
  std::set<std::string> replaced;
  for (const auto& r : requirements) {
    const std::string name = pep::canonicalize_name(r.name);
    auto it = overrides.find(name);
    if (it == overrides.end()) {
      out.push_back(r);
      continue;
    }
    // Each requirement on the project becomes the overrides, once, keeping
    // the extras it asked for (as uv does).
    if (!replaced.insert(name).second) continue;
    for (pep::Requirement o : it->second) {
      o.extras.insert(o.extras.end(), r.extras.begin(), r.extras.end());
      out.push_back(std::move(o));
    }
  }
  return out;
}

IndexProvider::IndexProvider(index::IndexClient& client, ProviderOptions options)
    : client_(client), options_(std::move(options)), tags_(pep::compatible_tags(options_.target.interpreter)) {
  for (const auto& tag : pep::compatible_tags(options_.target.interpreter)) {
    python_abi_ok_.insert(tag.interpreter + "-" + tag.abi);
    platform_ok_.insert(tag.platform);
  }
}

Result<IndexProvider::Project> IndexProvider::load(const std::string& name) {
  Project project;
  if (auto direct = options_.direct_urls.find(name); direct != options_.direct_urls.end()) {
    if (git::is_git_url(direct->second)) return load_direct(name, direct->second);
    // `name @ url`: that wheel and nothing else.
    auto url = Url::parse(direct->second);
    if (!url) return Error(ErrorKind::usage, name + " @ " + redact_userinfo_in_text(direct->second) + ": " + url.error().message);
    index::DistributionFile file;
    file.url = url->with_fragment_removed();
    file.filename = percent_decode(file.url.path().substr(file.url.path().rfind('/') + 1));
    if (!url->fragment().empty()) index::add_hash_fragment(file, url->fragment());
    if (!file.is_wheel()) return load_direct(name, direct->second);
    auto wheel = pep::WheelFilename::parse(file.filename);
    if (!wheel) return Error(ErrorKind::resolution, name + " @ " + url->redacted() + ": " + wheel.error().message);
    if (wheel->name != name) {
      return Error(ErrorKind::resolution, name + " @ " + url->redacted() + " is a wheel of " + wheel->name + ", not of " + name);
    }
    if (!options_.universal && !tags_.best(wheel->tags)) {
      return Error(ErrorKind::resolution, name + " @ " + url->redacted() + " does not fit the target (" +
                                              options_.target.description + ")");
    }
    project.candidates[wheel->version] = Candidate{wheel->version, file, ""};
    project.wheels[wheel->version].push_back(Candidate{wheel->version, file, ""});
    return project;
  }
  std::vector<std::pair<index::DistributionFile, std::string>> files;  // file, listing source
  // First index that has the project wins (uv's first-index strategy).
  const auto pinned = options_.pinned_index.find(name);
  std::vector<std::string> asked;  // where it was not found, for the message
  for (const auto& idx : options_.indexes) {
    if (pinned != options_.pinned_index.end() ? idx.name != pinned->second : idx.is_explicit) continue;
    auto page = client_.project_page(idx.url, name);
    if (!page) return std::move(page).error();
    {
      std::lock_guard lock(mutex_);
      auto& [found, missing] = index_answers_[idx.url.without_userinfo()];
      ++(page->status == index::PageResult::Status::not_found ? missing : found);
      if (page->status == index::PageResult::Status::not_found && page->sent_credentials) {
        not_found_with_credentials_.insert(idx.url.without_userinfo());
      }
    }
    if (page->status == index::PageResult::Status::not_found || page->page.files.empty()) {
      const std::string answer = page->status == index::PageResult::Status::not_found ? std::to_string(page->http_status) : "no files";
      asked.push_back(idx.name.empty() ? "index " + idx.url.redacted() + " (" + answer + ")"
                                       : "index '" + idx.name + "' (" + idx.url.redacted() + ": " + answer + ")");
      continue;
    }
    const std::string source = idx.url.with_userinfo_removed().without_userinfo();
    files.reserve(files.size() + page->page.files.size());
    for (auto& f : page->page.files) files.emplace_back(std::move(f), source);
    break;
  }
  {
    std::lock_guard flat_lock(flat_mutex_);
    if (!flat_loaded_) {
      for (const auto& location : options_.find_links) {
        auto page = client_.find_links(location);
        if (!page) return std::move(page).error();
        flat_.push_back(std::move(page).value());
      }
      flat_loaded_ = true;
    }
  }
  for (std::size_t i = 0; i < flat_.size(); ++i) {
    for (const auto& f : flat_[i].files) {
      auto wheel = pep::WheelFilename::parse(f.filename);
      if (wheel && wheel->name == name) files.emplace_back(f, options_.find_links[i]);
    }
  }

  if (files.empty() && !asked.empty()) {
    for (std::size_t i = 0; i < asked.size(); ++i) project.not_found += (i ? (i + 1 == asked.size() ? " or " : ", ") : "") + asked[i];
    if (!options_.find_links.empty()) project.not_found += " (nor in the find-links locations)";
  }
  const pep::Version python = options_.target.python_full_version();
  std::map<pep::Version, std::size_t> best_rank;
  std::map<pep::Version, std::vector<pep::Tag>> unfit;  // tags of wheels that fit no compatible tag
  std::map<pep::Version, Candidate> sdists;  // one per version: .tar.gz before .zip
  std::set<pep::Version> with_wheel;
  const bool wheels_allowed = options_.build.may_use_wheels(name);
  for (auto& [file, source] : files) {
    if (!file.is_wheel()) {
      auto split = pep::split_sdist_filename(file.filename);
      if (!split || pep::canonicalize_name(split->first) != name) continue;
      auto version = pep::Version::parse(split->second);
      if (!version) continue;
      auto it = sdists.find(*version);
      const bool better = it == sdists.end() || (file.filename.size() > 7 && file.filename.substr(file.filename.size() - 7) == ".tar.gz" &&
                                                 it->second.file.filename.substr(it->second.file.filename.size() - 7) != ".tar.gz");
      if (better) sdists[*version] = Candidate{*version, file, source, false, false};
      continue;
    }
    if (!wheels_allowed) continue;
    auto wheel = pep::WheelFilename::parse(file.filename);
    if (!wheel || wheel->name != name) continue;
    with_wheel.insert(wheel->version);
    auto rank = tags_.best(wheel->tags);
    if (options_.universal) {
      // Any wheel counts; the one for metadata is a pure one when there is one.
      bool pure = false;
      for (const auto& t : wheel->tags) pure = pure || t.platform == "any";
      rank = pure ? 0 : 1;
    }
    if (!rank) {
      auto& list = unfit[wheel->version];
      for (const auto& t : wheel->tags) {
        if (list.size() < 64) list.push_back(t);
      }
      continue;
    }
    if (file.requires_python && !options_.universal) {
      auto rp = pep::SpecifierSet::parse(*file.requires_python);
      if (rp && !rp->contains(python, true)) {
        project.excluded.push_back(wheel->version.to_string() + " needs Python " + *file.requires_python);
        continue;
      }
    }
    if (file.yanked && !options_.exact_pins.count(name)) {
      project.excluded.push_back(wheel->version.to_string() + " is yanked" + (file.yanked->empty() ? "" : " (" + *file.yanked + ")"));
      continue;
    }
    Candidate candidate{wheel->version, std::move(file), source};  // `files` is not read again
    auto it = best_rank.find(wheel->version);
    if (it == best_rank.end() || *rank < it->second) {
      best_rank[wheel->version] = *rank;
      project.candidates.insert_or_assign(wheel->version, candidate);
    }
    project.wheels[wheel->version].push_back(std::move(candidate));
  }
  // Versions without a fitting wheel, and why: the Python/ABI tag or the platform.
  for (const auto& [version, tags] : unfit) {
    if (best_rank.count(version)) continue;  // another wheel of it fits
    std::set<std::string> pythons;
    std::set<std::string> platforms;
    bool python_fits = false;
    bool platform_fits = false;
    for (const auto& t : tags) {
      pythons.insert(t.interpreter == t.abi || t.abi == "none" ? t.interpreter : t.interpreter + "-" + t.abi);
      platforms.insert(t.platform);
      python_fits = python_fits || python_abi_ok_.count(t.interpreter + "-" + t.abi) > 0;
      platform_fits = platform_fits || platform_ok_.count(t.platform) > 0;
    }
    auto join = [](const std::set<std::string>& items) {
      std::string out;
      std::size_t n = 0;
      for (const auto& i : items) {
        if (++n > 6) {
          out += ", ...";
          break;
        }
        out += (out.empty() ? "" : ", ") + escape_nonprintable(i);
      }
      return out;
    };
    const auto& interpreter = options_.target.interpreter;
    const std::string python_name = (interpreter.implementation == "cpython" ? "CPython " : interpreter.implementation + " ") +
                                    std::to_string(interpreter.major) + "." + std::to_string(interpreter.minor);
    const std::string platform = interpreter.platforms.empty() ? std::string("this platform") : interpreter.platforms.front();
    std::string why;
    if (platform_fits && !python_fits) {
      why = join(pythons) + " wheels only; the target is " + python_name;
    } else if (python_fits && !platform_fits) {
      why = "wheels for " + join(platforms) + " only; the target is " + platform;
    } else {
      why = "wheels for " + join(pythons) + " on " + join(platforms) + " only; the target is " + python_name + " on " + platform;
    }
    project.excluded.push_back(version.to_string() + " has " + why);
  }
  // Source distributions: a version with no wheel that fits is built from its sdist.
  const bool may_build = options_.build.may_build(name) && options_.builder != nullptr;
  for (const auto& [version, sdist] : sdists) {
    project.sdists.emplace(version, sdist);
    if (project.candidates.count(version)) continue;  // a wheel fits: wheels stay preferred
    const std::string v = version.to_string();
    if (!may_build) {
      if (!with_wheel.count(version) || !wheels_allowed) {
        project.excluded.push_back(v + " has only a source distribution, and building is off" +
                                   std::string(options_.build.no_build ? " (--no-build or --only-binary :all:)" : options_.builder ? " (--no-build-package or --only-binary)" : ""));
      }
      continue;
    }
    if (sdist.file.requires_python && !options_.universal) {
      auto rp = pep::SpecifierSet::parse(*sdist.file.requires_python);
      if (rp && !rp->contains(python, true)) {
        project.excluded.push_back(v + " needs Python " + *sdist.file.requires_python);
        continue;
      }
    }
    if (sdist.file.yanked && !options_.exact_pins.count(name)) {
      project.excluded.push_back(v + " is yanked" + (sdist.file.yanked->empty() ? "" : " (" + *sdist.file.yanked + ")"));
      continue;
    }
    // Versions whose only wheels do not fit lose their "has wheels for ..." line: they are built.
    project.excluded.erase(std::remove_if(project.excluded.begin(), project.excluded.end(),
                                          [&](const std::string& line) { return line.rfind(v + " has ", 0) == 0; }),
                           project.excluded.end());
    project.candidates[version] = sdist;
  }
  // Pre-releases.
  bool any_final = false;
  for (const auto& [v, c] : project.candidates) any_final = any_final || !v.is_prerelease();
  const bool named = options_.explicit_prereleases.count(name) > 0;
  bool keep_pre = false;
  switch (options_.prereleases) {
    case PrereleaseMode::allow: keep_pre = true; break;
    case PrereleaseMode::disallow: keep_pre = false; break;
    case PrereleaseMode::if_necessary: keep_pre = !any_final; break;
    case PrereleaseMode::explicit_only: keep_pre = named; break;
    case PrereleaseMode::if_necessary_or_explicit: keep_pre = named || !any_final; break;
  }
  if (!keep_pre) {
    for (auto it = project.candidates.begin(); it != project.candidates.end();) {
      if (it->first.is_prerelease()) {
        project.wheels.erase(it->first);
        project.excluded.push_back(it->first.to_string() + " is a pre-release");
        it = project.candidates.erase(it);
      } else {
        ++it;
      }
    }
  }
  return project;
}

Result<IndexProvider::Project> IndexProvider::load_direct(const std::string& name, const std::string& text) {
  if (git::is_git_url(text)) {
    auto ref = git::GitReference::parse(text);
    if (!ref) return Error(ErrorKind::resolution, name + ": " + ref.error().message);
    Candidate c;
    c.git_url = text;
    const std::string label = name + " @ " + ref->requirement_url();
    UVAUTH_TRY(may_build(name, label, "Git repository"));
    if (auto pin = options_.git_pins.find(name); pin != options_.git_pins.end() && pin->second.first == ref->requirement_url()) {
      c.git_commit = pin->second.second;
      UVAUTH_DEBUG(label << ": the locked commit " << c.git_commit);
    } else {
      UVAUTH_TRY_ASSIGN(c.git_commit, options_.builder->git_commit(name, text));
      UVAUTH_DEBUG(label << " is commit " << c.git_commit);
    }
    return load_source(name, std::move(c), label);
  }
  auto url = Url::parse(text);
  if (!url) return Error(ErrorKind::usage, name + " @ " + redact_userinfo_in_text(text) + ": " + url.error().message);
  Candidate c;
  c.file.url = url->with_fragment_removed();
  std::string path = percent_decode(c.file.url.path());
  while (path.size() > 1 && path.back() == '/') path.pop_back();
  c.file.filename = path.substr(path.rfind('/') + 1);
  if (!url->fragment().empty()) index::add_hash_fragment(c.file, url->fragment());
  std::error_code ec;
  if (url->scheme() == "file" && std::filesystem::is_directory(path, ec)) {
    c.directory = true;
    c.editable = options_.editable.count(name) > 0;
  } else if (!pep::is_sdist_filename(c.file.filename)) {
    return Error(ErrorKind::resolution, name + " @ " + url->redacted() + " is neither a wheel, a source archive nor a project directory");
  } else if (url->scheme() == "file" && !std::filesystem::exists(path, ec)) {
    return Error(ErrorKind::resolution, name + " @ " + url->redacted() + ": no such file");
  }
  const std::string label = name + " @ " + url->redacted();
  UVAUTH_TRY(may_build(name, label, c.directory ? "project directory" : "source distribution"));
  return load_source(name, std::move(c), label);
}

Status IndexProvider::may_build(const std::string& name, const std::string& label, const std::string& what) const {
  if (!options_.builder) return Error(ErrorKind::resolution, label + " must be built, and this command builds nothing");
  if (!options_.build.may_build(name)) {
    return Error(ErrorKind::resolution, label + " is a " + what + " and must be built, but building is off (" +
                                            (options_.build.no_build ? "--no-build or --only-binary :all:" : "--no-build-package or --only-binary " + name) + ")");
  }
  return {};
}

Result<IndexProvider::Project> IndexProvider::load_source(const std::string& name, Candidate c, const std::string& label) {
  UVAUTH_TRY_ASSIGN(auto metadata, source_metadata(name, c));
  if (pep::canonicalize_name(metadata.name) != name) {
    return Error(ErrorKind::resolution, label + " is a project named " + escape_nonprintable(metadata.name) + ", not " + name);
  }
  c.version = metadata.version;
  Project project;
  project.candidates[c.version] = c;
  {
    std::lock_guard lock(mutex_);
    requirements_[{name, c.version.to_string()}] = apply_overrides(metadata.requires_dist, options_.overrides);
    provides_extra_[{name, c.version.to_string()}] = metadata.provides_extra;
    if (metadata.requires_python) source_requires_python_[{name, c.version.to_string()}] = metadata.requires_python->to_string();
  }
  if (metadata.requires_python && !options_.universal && !metadata.requires_python->contains(options_.target.python_full_version(), true)) {
    return Error(ErrorKind::resolution, label + " needs Python " + metadata.requires_python->to_string() + "; the target is " +
                                            options_.target.description);
  }
  return project;
}

Result<pep::CoreMetadata> IndexProvider::source_metadata(const std::string& name, const Candidate& candidate) {
  SourceRef ref;
  ref.name = name;
  ref.file = candidate.file;
  ref.index_url = candidate.index_url;
  ref.directory = candidate.directory;
  ref.editable = candidate.editable;
  ref.git_url = candidate.git_url;
  ref.git_commit = candidate.git_commit;
  auto metadata = options_.builder->metadata(ref);
  if (!metadata) return std::move(metadata).error();
  for (const auto& warning : metadata->warnings) UVAUTH_DEBUG(warning);
  return metadata;
}

std::optional<Candidate> IndexProvider::sdist(const std::string& name, const pep::Version& version) const {
  std::lock_guard lock(mutex_);
  auto it = projects_.find(name);
  if (it == projects_.end()) return std::nullopt;
  auto c = it->second.sdists.find(version);
  if (c == it->second.sdists.end()) return std::nullopt;
  return c->second;
}

Result<IndexProvider::Project*> IndexProvider::project(const std::string& name) {
  std::unique_lock lock(mutex_);
  // Fetched without the lock, so pages come side by side; a page already
  // being fetched (ahead, on a worker) is waited for, not asked again.
  for (;;) {
    if (auto it = projects_.find(name); it != projects_.end()) return &it->second;
    if (auto it = failures_.find(name); it != failures_.end()) return it->second;
    if (!loading_.count(name)) break;
    fetched_.wait(lock);
  }
  loading_.insert(name);
  lock.unlock();
  Result<Project> loaded = Error(ErrorKind::resolution, "the page of " + name + " was not read");
  try {
    loaded = load(name);
  } catch (...) {
    lock.lock();
    loading_.erase(name);
    fetched_.notify_all();
    throw;
  }
  lock.lock();
  loading_.erase(name);
  fetched_.notify_all();
  if (!loaded) {
    failures_.emplace(name, loaded.error());
    return std::move(loaded).error();
  }
  return &projects_.emplace(name, std::move(loaded).value()).first->second;
}

Result<std::vector<pep::Version>> IndexProvider::versions(const std::string& name) {
  auto p = project(name);
  if (!p) return std::move(p).error();
  std::vector<pep::Version> out;
  for (const auto& [v, c] : (*p)->candidates) out.push_back(v);
  return out;
}

std::string IndexProvider::not_found(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = projects_.find(name);
  return it == projects_.end() ? std::string() : it->second.not_found;
}

std::optional<std::vector<std::string>> IndexProvider::provided_extras(const std::string& name, const pep::Version& version) const {
  std::lock_guard lock(mutex_);
  auto it = provides_extra_.find({name, version.to_string()});
  if (it == provides_extra_.end()) return std::nullopt;
  return it->second;
}

std::vector<std::string> IndexProvider::not_found_with_credentials() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& idx : options_.indexes) {
    if (!not_found_with_credentials_.count(idx.url.without_userinfo())) continue;
    const std::string label = (idx.name.empty() ? "index " : "index '" + idx.name + "' ") + idx.url.redacted();
    out.push_back(label + " answered 404 to a request that carried credentials; some servers (AWS CodeArtifact, Nexus) "
                          "answer so when credentials are wrong or expired: refresh them and try again");
  }
  return out;
}

std::vector<std::string> IndexProvider::indexes_with_nothing() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& idx : options_.indexes) {
    auto it = index_answers_.find(idx.url.without_userinfo());
    if (it == index_answers_.end() || it->second.first > 0 || it->second.second == 0) continue;
    const std::string label = (idx.name.empty() ? "index " : "index '" + idx.name + "' ") + idx.url.redacted();
    out.push_back(it->second.second == 1 ? label + " answered 404 for the only project asked: if it is there, the index URL is probably wrong"
                                         : label + " answered 404 for every project asked (" + std::to_string(it->second.second) +
                                               "): its URL is probably wrong");
  }
  return out;
}

std::vector<std::string> IndexProvider::excluded(const std::string& name) {
  std::lock_guard lock(mutex_);
  auto it = projects_.find(name);
  if (it == projects_.end()) return {};
  std::vector<std::string> out = it->second.excluded;
  if (out.size() > 3) {
    out.resize(3);
    out.push_back("...");
  }
  return out;
}

std::optional<Candidate> IndexProvider::candidate(const std::string& name, const pep::Version& version) const {
  std::lock_guard lock(mutex_);
  auto it = projects_.find(name);
  if (it == projects_.end()) return std::nullopt;
  auto c = it->second.candidates.find(version);
  if (c == it->second.candidates.end()) return std::nullopt;
  return c->second;
}

Result<std::vector<pep::Requirement>> IndexProvider::requirements(const std::string& name, const pep::Version& version) {
  const auto key = std::make_pair(name, version.to_string());
  {
    std::unique_lock lock(mutex_);
    for (;;) {
      if (auto it = requirements_.find(key); it != requirements_.end()) return it->second;
      if (!reading_.count(key)) break;
      fetched_.wait(lock);  // a worker is reading it ahead
    }
    reading_.insert(key);
  }
  auto done = [&] {
    std::lock_guard lock(mutex_);
    reading_.erase(key);
    fetched_.notify_all();
  };
  Result<pep::CoreMetadata> metadata = Error(ErrorKind::resolution, name + "==" + version.to_string() + " is not available");
  std::optional<Candidate> c;
  try {
    c = candidate(name, version);
    if (c) metadata = c->is_source() ? source_metadata(name, *c) : client_.metadata(c->file, c->index_url);
  } catch (...) {
    done();
    throw;
  }
  if (!c || !metadata) {
    done();
    return std::move(metadata).error();
  }
  for (const auto& warning : metadata->warnings) UVAUTH_DEBUG(warning);
  if (pep::canonicalize_name(metadata->name) != name || !(metadata->version == version)) {
    done();
    return Error(ErrorKind::parse, "the metadata of " + c->file.filename + " says " + metadata->name + " " +
                                       metadata->version.to_string());
  }
  std::vector<pep::Requirement> requires_dist = apply_overrides(metadata->requires_dist, options_.overrides);
  std::lock_guard lock(mutex_);
  reading_.erase(key);
  fetched_.notify_all();
  provides_extra_[key] = metadata->provides_extra;
  if (c->is_source() && metadata->requires_python) source_requires_python_[key] = metadata->requires_python->to_string();
  return requirements_.emplace(key, std::move(requires_dist)).first->second;
}

IndexProvider::~IndexProvider() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    asked_.clear();
    guessed_.clear();
  }
  work_.notify_all();
  for (auto& worker : workers_) worker.join();  // each finishes the fetch it is in (bounded by the client's timeouts)
  // Every project's candidates and every version's requirements: freed on
  // a thread of their own while this one goes on to write the lock.
  struct Garbage {
    std::map<std::string, Project> projects;
    std::map<std::pair<std::string, std::string>, std::vector<pep::Requirement>> requirements;
  };
  free_in_background(std::make_unique<Garbage>(Garbage{std::move(projects_), std::move(requirements_)}));
}

// Workers fetching ahead: enough requests in flight to hide the round
// trips, few enough not to crowd the resolver's own.
constexpr std::size_t ahead_workers = 8;

void IndexProvider::ahead(std::vector<Ahead> tasks) {
  std::lock_guard lock(mutex_);
  if (stopping_) return;
  for (auto& task : tasks) {
    if (task.version) {
      auto key = std::make_pair(task.name, task.version->to_string());
      if (requirements_.count(key) || !queued_versions_.insert(std::move(key)).second) continue;
    } else if (projects_.count(task.name) || failures_.count(task.name) || !queued_.insert(task.name).second) {
      continue;
    }
    (task.guessed ? guessed_ : asked_).push_back(std::move(task));
  }
  while (workers_.size() < ahead_workers && workers_.size() < asked_.size() + guessed_.size() + running_) {
    workers_.emplace_back([this] { work_ahead(); });
  }
  work_.notify_all();
}

void IndexProvider::work_ahead() {
  for (;;) {
    Ahead task;
    {
      std::unique_lock lock(mutex_);
      work_.wait(lock, [&] { return stopping_ || !asked_.empty() || !guessed_.empty(); });
      if (stopping_) return;
      auto& queue = asked_.empty() ? guessed_ : asked_;
      task = std::move(queue.front());
      queue.pop_front();
      ++running_;
    }
    try {
      fetch_ahead(task);
    } catch (...) {
      // Fetching ahead is only a hint: what failed fails again, with its
      // message, when the resolver asks.
    }
    std::lock_guard lock(mutex_);
    --running_;
    fetched_.notify_all();
  }
}

void IndexProvider::settle() {
  std::unique_lock lock(mutex_);
  fetched_.wait(lock, [&] { return stopping_ || (asked_.empty() && guessed_.empty() && running_ == 0); });
}

// With `extras`: a dependency of the project's requested extras applies too
// (`pydantic[email]` brings `email-validator; extra == "email"`).
bool IndexProvider::applies_here(const pep::Requirement& r, const std::vector<std::string>& extras) const {
  if (!r.marker) return true;
  if (options_.universal) {
    auto tree = pep::MarkerTree::from(*r.marker);
    if (!tree) return true;
    if (!tree->with_extra("").is_false()) return true;
    return std::any_of(extras.begin(), extras.end(), [&](const std::string& e) { return !tree->with_extra(e).is_false(); });
  }
  pep::MarkerContext context;
  auto value = r.marker->evaluate(options_.target.markers, context);
  if (!value || *value) return true;
  for (const auto& e : extras) {
    context.extra = e;
    value = r.marker->evaluate(options_.target.markers, context);
    if (!value || *value) return true;
  }
  return false;
}

void IndexProvider::fetch_ahead(const Ahead& task) {
  if (task.version) {
    (void)requirements(task.name, *task.version);
    return;
  }
  auto p = project(task.name);
  if (!p || (*p)->candidates.empty()) return;
  {
    // Resolved meanwhile: the metadata guessed next would only delay the end.
    std::lock_guard lock(mutex_);
    if (stopping_) return;
  }
  // The version the resolver will probably pick: the previous lock's, if
  // the requirement and the constraints allow it, else the newest they allow.
  const auto allowed = [&](const pep::Version& v) {
    if (!task.allowed.contains(v, true)) return false;
    return std::none_of(options_.constraints.begin(), options_.constraints.end(), [&](const pep::Requirement& c) {
      return pep::canonicalize_name(c.name) == task.name && applies_here(c) && !c.specifier.contains(v, true);
    });
  };
  const auto& candidates = (*p)->candidates;
  auto likely = candidates.end();
  if (auto preferred = options_.preferences.find(task.name); preferred != options_.preferences.end()) {
    if (auto it = candidates.find(preferred->second); it != candidates.end() && allowed(it->first)) likely = it;
  }
  for (auto it = candidates.rbegin(); likely == candidates.end() && it != candidates.rend(); ++it) {
    if (allowed(it->first)) likely = std::prev(it.base());
  }
  if (likely == candidates.end()) return;
  // A source's metadata may need a build: only when the resolver asked.
  if (task.guessed && likely->second.is_source()) return;
  auto requirements_of = requirements(task.name, likely->first);
  if (!requirements_of) return;
  std::vector<Ahead> next;
  for (const auto& r : *requirements_of) {
    if (r.url || !applies_here(r, task.extras)) continue;
    next.push_back(Ahead{pep::canonicalize_name(r.name), std::nullopt, r.specifier, true, r.extras});
  }
  ahead(std::move(next));
}

void IndexProvider::prefetch(const std::vector<pep::Requirement>& requirements) {
  std::vector<Ahead> tasks;
  for (const auto& r : requirements) tasks.push_back(Ahead{pep::canonicalize_name(r.name), std::nullopt, r.specifier, false, r.extras});
  ahead(std::move(tasks));
}

void IndexProvider::prefetch_versions(const std::string& name, const std::vector<pep::Version>& versions) {
  std::vector<Ahead> tasks;
  for (const auto& v : versions) tasks.push_back(Ahead{name, v, {}, false});
  ahead(std::move(tasks));
}

}  // namespace uvauth::resolve

namespace uvauth::resolve {

std::vector<Candidate> IndexProvider::wheels(const std::string& name, const pep::Version& version) const {
  std::lock_guard lock(mutex_);
  auto it = projects_.find(name);
  if (it == projects_.end()) return {};
  auto w = it->second.wheels.find(version);
  if (w == it->second.wheels.end()) return {};
  std::vector<Candidate> out = w->second;
  std::sort(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.file.filename < b.file.filename; });
  out.erase(std::unique(out.begin(), out.end(), [](const Candidate& a, const Candidate& b) { return a.file.filename == b.file.filename; }),
            out.end());
  return out;
}

std::optional<std::string> IndexProvider::requires_python(const std::string& name, const pep::Version& version) {
  auto c = candidate(name, version);
  if (!c) return std::nullopt;
  if (c->is_source()) {
    (void)requirements(name, version);  // reads (or builds) the metadata once
    std::lock_guard lock(mutex_);
    auto it = source_requires_python_.find({name, version.to_string()});
    if (it != source_requires_python_.end() && !it->second.empty()) return it->second;
    return c->file.requires_python && c->file.requires_python->find_first_not_of(" \t") != std::string::npos ? c->file.requires_python
                                                                                                               : std::nullopt;
  }
  if (c->file.requires_python) {
    if (c->file.requires_python->find_first_not_of(" \t") == std::string::npos) return std::nullopt;
    return c->file.requires_python;
  }
  // Not on the index page: the metadata says it (read for its requirements anyway).
  auto metadata = client_.metadata(c->file, c->index_url);
  if (!metadata || !metadata->requires_python) return std::nullopt;
  const std::string text = metadata->requires_python->to_string();
  if (text.empty()) return std::nullopt;
  return text;
}

std::optional<pep::MarkerTree> IndexProvider::available_in(const std::string& name, const pep::Version& version) {
  // An sdist builds anywhere.
  if (options_.builder && options_.build.may_build(name) && sdist(name, version)) return std::nullopt;
  if (auto c = candidate(name, version); c && c->is_source()) return std::nullopt;
  pep::MarkerTree out = pep::MarkerTree::never();
  for (const auto& c : wheels(name, version)) {
    auto parsed = pep::WheelFilename::parse(c.file.filename);
    if (!parsed) return std::nullopt;
    auto joined = out.disjoin(pep::wheel_marker(parsed->tags));
    if (!joined) return std::nullopt;
    out = std::move(joined).value();
  }
  if (out.is_false()) return std::nullopt;  // no wheel recorded: nothing to say
  return out;
}

}  // namespace uvauth::resolve
