// The resolver's view of package indexes: which versions of a project can
// be installed on the target (wheels whose tags fit, Requires-Python,
// yanked and pre-release rules), from which index (uv's first-index
// strategy; explicit indexes serve only packages pinned to them), and what
// each version requires.
#pragma once

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "uvauth/index/index_client.hpp"
#include "uvauth/pep/tags.hpp"
#include "uvauth/pep/target.hpp"
#include "uvauth/resolve/resolver.hpp"
#include "uvauth/resolve/source_builder.hpp"

namespace uvauth::resolve {

enum class PrereleaseMode { disallow, allow, if_necessary, explicit_only, if_necessary_or_explicit };
Result<PrereleaseMode> parse_prerelease_mode(std::string_view text);

struct IndexDescriptor {
  std::string name;  // may be empty
  Url url;
  bool is_explicit = false;
};

struct ProviderOptions {
  std::vector<IndexDescriptor> indexes;            // highest priority first
  std::vector<std::string> find_links;
  std::map<std::string, std::string> pinned_index;  // canonical project -> index name
  pep::Target target;
  PrereleaseMode prereleases = PrereleaseMode::if_necessary_or_explicit;
  std::set<std::string> explicit_prereleases;  // projects whose direct requirement names a pre-release
  std::set<std::string> exact_pins;            // projects pinned with == in direct requirements (yanked allowed)
  std::map<std::string, std::string> direct_urls;  // project -> the wheel URL a requirement names (`name @ url`)
  // uv's override-dependencies: a requirement on a project named here, in any
  // package's metadata (and at the root), is replaced by these.
  std::map<std::string, std::vector<pep::Requirement>> overrides;
  // Universal resolution: every wheel of a version counts, whatever its tags
  // (available_in() says where), and Requires-Python is left to the resolver.
  bool universal = false;
  // Source builds: who reads a source's metadata (nullptr: wheels only), and when building is allowed.
  SourceBuilder* builder = nullptr;
  BuildPolicy build;
  std::set<std::string> editable;  // projects whose direct requirement is `-e`
  // Git requirements the previous lock resolved: project -> (requirement URL
  // without userinfo, commit). The same URL keeps its commit (no fetch), as uv
  // keeps a locked commit until --upgrade(-package).
  std::map<std::string, std::pair<std::string, std::string>> git_pins;
  // The previous lock's versions (canonical name -> version): the version
  // whose dependencies are fetched ahead is the one the resolver will
  // probably keep.
  std::map<std::string, pep::Version> preferences;
  // Constraints (-c, constraint-dependencies): the likely version is one they allow.
  std::vector<pep::Requirement> constraints;
};

// `requirements` with every requirement on an overridden project replaced by its overrides.
[[nodiscard]] std::vector<pep::Requirement> apply_overrides(const std::vector<pep::Requirement>& requirements,
                                                            const std::map<std::string, std::vector<pep::Requirement>>& overrides);

// The wheel chosen for a version, and where it came from (for the lock).
struct Candidate {
  pep::Version version;
  index::DistributionFile file;
  std::string index_url;  // the index (or find-links location) that listed it
  bool directory = false;  // a local project directory (file.url is its file:// URL)
  bool editable = false;
  std::string git_url{};   // a Git requirement's URL as written (file is unused)
  std::string git_commit{};  // the full commit it resolved to
  [[nodiscard]] bool is_source() const { return directory || !git_url.empty() || !file.is_wheel(); }
};

class IndexProvider : public Provider {
 public:
  IndexProvider(index::IndexClient& client, ProviderOptions options);
  ~IndexProvider() override;
  IndexProvider(const IndexProvider&) = delete;
  IndexProvider& operator=(const IndexProvider&) = delete;

  Result<std::vector<pep::Version>> versions(const std::string& name) override;
  Result<std::vector<pep::Requirement>> requirements(const std::string& name, const pep::Version& version) override;
  std::vector<std::string> excluded(const std::string& name) override;
  std::string not_found(const std::string& name) override;
  // Indexes that answered 404/410 for every project asked and had none: their
  // URL is probably wrong. One hint line each.
  [[nodiscard]] std::vector<std::string> indexes_with_nothing() const;
  // Indexes that answered 404 to a request carrying credentials: hints that
  // the credentials may have expired (CodeArtifact answers so).
  [[nodiscard]] std::vector<std::string> not_found_with_credentials() const;
  // The extras a version's metadata provides (after its requirements were read).
  [[nodiscard]] std::optional<std::vector<std::string>> provided_extras(const std::string& name, const pep::Version& version) const;
  void prefetch(const std::vector<pep::Requirement>& requirements) override;
  void prefetch_versions(const std::string& name, const std::vector<pep::Version>& versions) override;
  // Waits until fetching ahead has nothing queued or running (for tests: what
  // was fetched ahead can then be read off the server's log).
  void settle();

  [[nodiscard]] std::optional<Candidate> candidate(const std::string& name, const pep::Version& version) const;
  // The version's sdist, when the index lists one (universal locks record it beside the wheels).
  [[nodiscard]] std::optional<Candidate> sdist(const std::string& name, const pep::Version& version) const;
  // Universal: every wheel of the version, ordered by file name.
  [[nodiscard]] std::vector<Candidate> wheels(const std::string& name, const pep::Version& version) const;
  std::optional<std::string> requires_python(const std::string& name, const pep::Version& version) override;
  std::optional<pep::MarkerTree> available_in(const std::string& name, const pep::Version& version) override;

 private:
  struct Project {
    std::map<pep::Version, Candidate> candidates;
    std::map<pep::Version, std::vector<Candidate>> wheels;  // universal: all of them
    std::map<pep::Version, Candidate> sdists;               // the preferred sdist of each version
    std::vector<std::string> excluded;
    std::string not_found;  // where it was looked for, when nothing has it
  };
  Result<Project> load(const std::string& name);
  Result<Project> load_direct(const std::string& name, const std::string& url);
  // A source's one candidate: its metadata (static, or from the builder), its requirements.
  Result<Project> load_source(const std::string& name, Candidate candidate, const std::string& label);
  [[nodiscard]] Status may_build(const std::string& name, const std::string& label, const std::string& what) const;
  Result<pep::CoreMetadata> source_metadata(const std::string& name, const Candidate& candidate);
  Result<Project*> project(const std::string& name);

  // Fetching ahead, on a few worker threads: a project's page, then the
  // metadata of the version the resolver will probably pick (the
  // previous lock's, else the newest wheel), then, transitively, the pages
  // of what that version requires on this target. What the resolver asked
  // for (prefetch, prefetch_versions) goes before what was guessed. The
  // resolver's own calls wait for a fetch already running instead of
  // sending the same request again.
  struct Ahead {
    std::string name;
    std::optional<pep::Version> version;  // nullopt: the page, then the likely version's metadata
    pep::SpecifierSet allowed{};          // the page: what the requirement that named it allows
    bool guessed = false;
    std::vector<std::string> extras{};    // the page: the extras the requirement asked for (their dependencies come next)
  };
  void ahead(std::vector<Ahead> tasks);  // queues them at once (each project or version once); takes mutex_
  void fetch_ahead(const Ahead& task);
  void work_ahead();
  [[nodiscard]] bool applies_here(const pep::Requirement& r, const std::vector<std::string>& extras = {}) const;

  index::IndexClient& client_;
  ProviderOptions options_;
  pep::TagPriority tags_;
  // The halves of the compatible tags, to say why a wheel does not fit.
  std::set<std::string> not_found_with_credentials_;  // index URLs, guarded by mutex_
  std::set<std::string> python_abi_ok_;  // "cp312-cp312", "py3-none", ...
  std::set<std::string> platform_ok_;    // "manylinux_2_17_x86_64", "any", ...
  mutable std::mutex mutex_;
  std::map<std::string, Project> projects_;
  std::map<std::string, Error> failures_;
  std::map<std::pair<std::string, std::string>, std::vector<pep::Requirement>> requirements_;
  std::mutex flat_mutex_;
  std::vector<index::ProjectPage> flat_;  // find-links pages, read once
  bool flat_loaded_ = false;
  std::map<std::string, std::pair<int, int>> index_answers_;  // index URL -> (found, not found)
  std::map<std::pair<std::string, std::string>, std::vector<std::string>> provides_extra_;  // (name, version) -> extras
  std::map<std::pair<std::string, std::string>, std::string> source_requires_python_;  // built sources' Requires-Python
  // Fetches under way (guarded by mutex_), and the signal that one ended.
  std::set<std::string> loading_;
  std::set<std::pair<std::string, std::string>> reading_;
  std::condition_variable fetched_;
  // Fetching ahead (guarded by mutex_).
  std::deque<Ahead> asked_;
  std::deque<Ahead> guessed_;
  std::set<std::string> queued_;
  std::set<std::pair<std::string, std::string>> queued_versions_;
  std::condition_variable work_;
  bool stopping_ = false;
  std::size_t running_ = 0;  // tasks a worker is on
  std::vector<std::thread> workers_;  // last: stopped and joined before the rest goes
};

}  // namespace uvauth::resolve
