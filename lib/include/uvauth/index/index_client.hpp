// Talking to a package index through the authenticated client: project
// pages (PEP 691 JSON asked first, PEP 503 HTML accepted by content type),
// kept in the HTTP cache and revalidated; and a wheel's core metadata, from
// the PEP 658/714 `.metadata` file (hash-checked) when offered, else from
// range requests that read only the zip's directory and METADATA, else from
// the whole wheel. A server that ignores ranges is remembered for the run.
#pragma once

#include <atomic>
#include <functional>
#include <future>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/cache/http_cache.hpp"
#include "uvauth/index/simple_page.hpp"
#include "uvauth/net/client.hpp"
#include "uvauth/pep/metadata.hpp"

namespace uvauth::index {

struct PageResult {
  enum class Status { found, not_found };
  Status status = Status::found;
  Url url;  // the page's URL
  long http_status = 200;  // 404 or 410 for not_found
  bool sent_credentials = false;  // the request carried credentials (a 404 may then mean they are wrong: CodeArtifact)
  ProjectPage page;
  bool from_cache = false;
};

class IndexClient {
 public:
  IndexClient(net::Client& client, const cache::HttpCache& cache, bool offline,
              const cache::ContentCache* metadata_cache = nullptr)
      : client_(client), cache_(cache), offline_(offline), metadata_cache_(metadata_cache) {}

  // uv's --refresh / --refresh-package: these projects' cached pages (every
  // page with `all`) are revalidated even while fresh. Set before fetching.
  void refresh(bool all, std::set<std::string> projects) {
    refresh_all_ = all;
    refresh_projects_ = std::move(projects);
  }

  // uv's `[[tool.uv.index]] cache-control = { api = "..." }`: the pages of
  // this index (by identity: the same index however its URL is spelled) are
  // taken to carry this Cache-Control instead of their own. A page cached
  // under a longer freshness is held to the new one. Set before fetching.
  void override_page_cache_control(const Url& index_url, std::string cache_control) {
    page_cache_control_[index_url.identity()] = std::move(cache_control);
  }

  // `index_url` is the index's base (…/simple/). 404/410 give not_found (the
  // next index may have it); 401/403 are errors that name the index.
  Result<PageResult> project_page(const Url& index_url, std::string_view project);

  // Starts fetching these projects' pages in the background (while the
  // target interpreter is still being asked, say); project_page() then takes
  // each answer, errors included, instead of asking again. Nothing when
  // offline.
  void warm_pages(const Url& index_url, const std::vector<std::string>& projects);

  // Which versions a warmed page's newest wheel may come from, before the
  // target is known: (project, version, the file's requires-python).
  using WarmWanted = std::function<bool(const std::string&, const pep::Version&, const std::optional<std::string>&)>;
  // As warm_pages, and for each project whose newest wanted version (wheels
  // and sdists counted) has a single wheel, pure Python (`none-any`, the
  // same whatever the target), with a hashed `.metadata` file: that file is
  // fetched into the metadata cache too. metadata() of that wheel waits for
  // it rather than asking again. Nothing without a metadata cache.
  void warm_pages(const Url& index_url, const std::vector<std::string>& projects, WarmWanted wanted);

  // `linked_by` is the URL of the index whose page listed the file, so the
  // auth layer applies that index's policy and credentials.
  Result<pep::CoreMetadata> metadata(const DistributionFile& file, const std::string& linked_by);

  // A find-links location: a local directory of wheels, or a page of links
  // (an HTML page such as a web server's directory listing).
  Result<ProjectPage> find_links(std::string_view location);

  // The sha256 and size of a file the index gave no hash for (downloads it;
  // a file:// URL is read from disk).
  Result<std::pair<std::string, std::uint64_t>> hash_of(const DistributionFile& file, const std::string& linked_by);

  // Many at once, through the client's concurrent transfers (bounded).
  std::vector<Result<PageResult>> project_pages(const Url& index_url, const std::vector<std::string>& projects);
  std::vector<Result<pep::CoreMetadata>> metadata_many(const std::vector<DistributionFile>& files,
                                                       const std::string& linked_by);

  struct Stats {
    std::atomic<int> metadata_files{0};    // .metadata files read
    std::atomic<int> range_reads{0};       // METADATA read with range requests
    std::atomic<int> full_downloads{0};    // whole wheels fetched for metadata
    std::atomic<int> pages_revalidated{0};
    std::atomic<int> metadata_cached{0};   // METADATA answered from the cache
  };
  [[nodiscard]] const Stats& stats() const { return stats_; }

 private:
  Result<PageResult> fetch_page(const Url& index_url, std::string_view project);
  Result<pep::CoreMetadata> metadata_from_whole_wheel(const DistributionFile& file, const std::string& linked_by);
  [[nodiscard]] bool ranges_known_unsupported(const Url& url) const;
  void remember_no_ranges(const Url& url);

  net::Client& client_;
  const cache::HttpCache& cache_;
  bool offline_;
  const cache::ContentCache* metadata_cache_;
  bool refresh_all_ = false;
  std::set<std::string> refresh_projects_;  // canonical names
  std::map<std::string, std::string> page_cache_control_;  // index identity -> Cache-Control its pages are taken to have
  Stats stats_;
  mutable std::mutex mutex_;
  std::set<std::string> no_range_origins_;
  std::map<std::string, std::shared_future<Result<PageResult>>> warmed_;  // page URL -> its answer (guarded by mutex_)
  std::map<std::string, std::shared_future<void>> warming_metadata_;       // wheel URL -> its .metadata being fetched (mutex_)
  Result<pep::CoreMetadata> metadata_now(const DistributionFile& file, const std::string& linked_by);
  std::vector<std::future<void>> warming_;  // last: waited for before the rest goes
};

}  // namespace uvauth::index
