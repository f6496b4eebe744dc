#include "uvauth/index/index_client.hpp"

#include <algorithm>
#include <future>

#include "uvauth/fs.hpp"
#include "uvauth/index/remote_zip.hpp"
#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/requirement.hpp"
#include "uvauth/pep/wheel_filename.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::index {
namespace {

bool is_json(std::string_view content_type) {
  return to_lower_ascii(content_type).find("application/vnd.pypi.simple.v1+json") != std::string::npos;
}

Result<ProjectPage> parse_page(const std::string& body, std::string_view content_type, const Url& url) {
  return is_json(content_type) ? parse_json_page(body, url) : parse_html_page(body, url);
}

Result<PageResult> found(const Url& url, const std::string& body, std::string_view content_type, bool from_cache) {
  auto page = parse_page(body, content_type, url);
  if (!page) return std::move(page).error();
  for (const auto& warning : page->warnings) UVAUTH_DEBUG(warning);
  PageResult result;
  result.url = url;
  result.page = std::move(page).value();
  result.from_cache = from_cache;
  return result;
}

// Decoded pages are capped far below the client's memory limit: the pages
// of the largest projects on PyPI are a few MB.
constexpr std::uint64_t max_page_bytes = std::uint64_t{64} << 20;

Status check_hash(const std::map<std::string, std::string>& expected, const std::string& actual_sha256,
                  const Url& url) {
  auto it = expected.find("sha256");
  if (it == expected.end() || it->second == actual_sha256) return {};
  return Error(ErrorKind::integrity, "hash mismatch for " + url.redacted() + ": expected sha256 " + it->second +
                                         ", got " + actual_sha256)
      .with_hint("the index or a proxy served something else; try again, or report it to the index's owner");
}

}  // namespace

namespace {
// Runs `work(i)` for i in [0, n), at most `width` at a time, keeping order.
template <class T, class F>
std::vector<T> bounded_parallel(std::size_t n, std::size_t width, F work) {
  std::vector<T> results;
  results.reserve(n);
  for (std::size_t start = 0; start < n; start += width) {
    std::vector<std::future<T>> batch;
    for (std::size_t i = start; i < std::min(n, start + width); ++i) batch.push_back(std::async(std::launch::async, work, i));
    for (auto& f : batch) results.push_back(f.get());
  }
  return results;
}

Result<Url> page_url_of(const Url& index_url, std::string_view project) {
  std::string path = index_url.path();
  if (path.empty() || path.back() != '/') path += '/';
  return index_url.join(path + pep::canonicalize_name(project) + "/");
}

}  // namespace

namespace {

// The one wheel whose metadata is the same whatever the target: the newest
// version `wanted` allows (wheels and sdists counted, no pre-release, none
// yanked) when it has exactly one wheel, `none-any`, with a hashed
// .metadata file.
std::optional<DistributionFile> newest_pure_wheel(const ProjectPage& page, const std::string& project,
                                                  const IndexClient::WarmWanted& wanted) {
  std::optional<pep::Version> newest;
  for (const auto& f : page.files) {
    if (f.yanked) continue;
    std::optional<pep::Version> version;
    if (f.is_wheel()) {
      if (auto w = pep::WheelFilename::parse(f.filename)) version = w->version;
    } else if (auto split = pep::split_sdist_filename(f.filename)) {
      if (auto v = pep::Version::parse(split->second)) version = *v;
    }
    if (!version || version->is_prerelease() || (newest && !(*newest < *version))) continue;
    if (wanted(project, *version, f.requires_python)) newest = *version;
  }
  if (!newest) return std::nullopt;
  std::optional<DistributionFile> only;
  for (const auto& f : page.files) {
    if (!f.is_wheel()) continue;
    auto w = pep::WheelFilename::parse(f.filename);
    if (!w || !(w->version == *newest)) continue;
    if (only) return std::nullopt;  // several wheels: which one depends on the target
    const bool pure = std::all_of(w->tags.begin(), w->tags.end(), [](const pep::Tag& t) { return t.abi == "none" && t.platform == "any"; }) &&
                      std::any_of(w->tags.begin(), w->tags.end(), [](const pep::Tag& t) { return t.interpreter == "py3"; });
    if (!pure || f.yanked || !f.core_metadata || !f.core_metadata_hashes.count("sha256")) return std::nullopt;
    only = f;
  }
  return only;
}

}  // namespace

Result<PageResult> IndexClient::project_page(const Url& index_url, std::string_view project) {
  std::shared_future<Result<PageResult>> warmed;
  if (auto url = page_url_of(index_url, project)) {
    std::lock_guard lock(mutex_);
    if (auto it = warmed_.find(url->without_userinfo()); it != warmed_.end()) {
      warmed = std::move(it->second);
      warmed_.erase(it);
    }
  }
  // The warmed answer came from the same path, errors included: asking
  // again would only double the retries against a server that is down.
  if (warmed.valid()) return warmed.get();
  return fetch_page(index_url, project);
}

void IndexClient::warm_pages(const Url& index_url, const std::vector<std::string>& projects) {
  warm_pages(index_url, projects, nullptr);
}

void IndexClient::warm_pages(const Url& index_url, const std::vector<std::string>& projects, WarmWanted wanted) {
  if (offline_) return;
  if (!metadata_cache_) wanted = nullptr;
  std::vector<std::string> names;
  std::vector<std::shared_ptr<std::promise<Result<PageResult>>>> answers;
  {
    std::lock_guard lock(mutex_);
    for (const auto& project : projects) {
      auto url = page_url_of(index_url, project);
      if (!url || warmed_.count(url->without_userinfo())) continue;
      auto answer = std::make_shared<std::promise<Result<PageResult>>>();
      warmed_.emplace(url->without_userinfo(), answer->get_future().share());
      names.push_back(project);
      answers.push_back(std::move(answer));
    }
  }
  if (names.empty()) return;
  warming_.push_back(std::async(std::launch::async, [this, index_url, names, answers, wanted] {
    (void)bounded_parallel<int>(names.size(), 16, [&](std::size_t i) {
      try {
        auto page = fetch_page(index_url, names[i]);
        std::optional<DistributionFile> wheel;
        std::promise<void> fetched;
        if (wanted && page && page->status == PageResult::Status::found) wheel = newest_pure_wheel(page->page, names[i], wanted);
        if (wheel) {
          // Registered before the page is handed over, so the resolver
          // waits for this fetch rather than asking again.
          std::lock_guard lock(mutex_);
          wheel = warming_metadata_.emplace(wheel->url.without_userinfo(), fetched.get_future().share()).second ? wheel : std::nullopt;
        }
        answers[i]->set_value(std::move(page));
        if (wheel) {
          try {
            (void)metadata_now(*wheel, index_url.with_userinfo_removed().without_userinfo());  // a guess: failures are the resolver's to meet
          } catch (...) {
          }
          {
            std::lock_guard lock(mutex_);
            warming_metadata_.erase(wheel->url.without_userinfo());
          }
          fetched.set_value();
        }
      } catch (...) {
        answers[i]->set_value(Error(ErrorKind::network, "the page of " + names[i] + " on " + index_url.redacted() + " was not read"));
      }
      return 0;
    });
  }));
}

Result<PageResult> IndexClient::fetch_page(const Url& index_url, std::string_view project) {
  auto url = page_url_of(index_url, project);
  if (!url) return std::move(url).error();

  auto cached = cache_.load(*url);
  if (offline_) {
    if (!cached) {
      return Error(ErrorKind::network, "offline: no cached page for " + url->redacted())
          .with_hint("run once without --offline to fill the cache");
    }
    return found(*url, cached->body, cached->content_type, true);
  }
  const bool refreshed = refresh_all_ || refresh_projects_.count(pep::canonicalize_name(project)) != 0;
  const auto overridden = page_cache_control_.find(index_url.identity());
  const auto now = std::chrono::system_clock::now();
  bool fresh = cached && !refreshed && cached->fresh(now);
  if (fresh && overridden != page_cache_control_.end()) {
    // Stored under the index's own headers: held to the configured freshness.
    net::Response as_configured;
    as_configured.headers = {{"cache-control", overridden->second}};
    if (!cached->last_modified.empty()) as_configured.headers.emplace_back("last-modified", cached->last_modified);
    const auto lifetime = cache::freshness_seconds(as_configured);
    fresh = cached->fresh_until <= std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count() + lifetime;
  }
  if (fresh) {
    UVAUTH_DEBUG("fresh cached page for " << url->redacted());
    return found(*url, cached->body, cached->content_type, true);
  }

  net::Request request;
  request.url = *url;
  request.tag = index_url.with_userinfo_removed().without_userinfo();
  request.headers.emplace_back("Accept", simple_api_accept);
  request.max_memory_body = max_page_bytes;
  request.hash_body = false;
  if (cached) cache::HttpCache::add_validators(request, *cached);
  auto response = client_.fetch(std::move(request));
  if (!response) return std::move(response).error();
  if (overridden != page_cache_control_.end()) {
    std::erase_if(response->headers, [](const auto& h) { return to_lower_ascii(h.first) == "cache-control"; });
    response->headers.emplace_back("cache-control", overridden->second);
  }
  if (response->status == 304 && cached) {
    ++stats_.pages_revalidated;
    UVAUTH_DEBUG("cached page for " << url->redacted() << " is still current (304)");
    cache_.refresh(*url, *cached, *response);
    return found(*url, cached->body, cached->content_type, true);
  }
  if (response->status == 404 || response->status == 410) {
    PageResult result;
    result.status = PageResult::Status::not_found;
    result.url = *url;
    result.http_status = response->status;
    result.sent_credentials = response->sent_credentials;
    return result;
  }
  if (response->status == 401 || response->status == 403) {
    // Names the index, the user and source refused, and where credentials go.
    net::Response refused = *response;
    if (refused.authority.empty()) refused.authority = "index " + index_url.redacted();
    return net::status_error(refused);
  }
  if (!response->ok()) return net::status_error(*response);
  cache_.store(*url, *response);
  return found(*url, response->body, response->header("content-type").value_or(""), false);
}

Result<pep::CoreMetadata> IndexClient::metadata(const DistributionFile& file, const std::string& linked_by) {
  std::shared_future<void> warming;
  {
    std::lock_guard lock(mutex_);
    if (auto it = warming_metadata_.find(file.url.without_userinfo()); it != warming_metadata_.end()) warming = it->second;
  }
  if (warming.valid()) warming.wait();  // then answered from the metadata cache
  return metadata_now(file, linked_by);
}

Result<pep::CoreMetadata> IndexClient::metadata_now(const DistributionFile& file, const std::string& linked_by) {
  // A METADATA whose hash the index gave is immutable: answer from the cache.
  const auto known_hash = file.core_metadata_hashes.find("sha256");
  if (metadata_cache_ && file.core_metadata && known_hash != file.core_metadata_hashes.end()) {
    if (auto cached = metadata_cache_->load(known_hash->second)) {
      ++stats_.metadata_cached;
      return pep::CoreMetadata::parse(*cached, file.url.redacted() + ".metadata");
    }
  }
  if (file.core_metadata) {
    auto metadata_url = Url::parse(file.url.without_userinfo() + ".metadata");
    if (!metadata_url) return std::move(metadata_url).error();
    net::Request request;
    request.url = *metadata_url;
    request.tag = linked_by;
    request.max_memory_body = max_page_bytes;
    auto response = client_.fetch(std::move(request));
    if (!response) return std::move(response).error();
    if (response->ok()) {
      if (auto hashed = check_hash(file.core_metadata_hashes, response->sha256, *metadata_url); !hashed) {
        return std::move(hashed).error();
      }
      ++stats_.metadata_files;
      if (metadata_cache_ && known_hash != file.core_metadata_hashes.end()) metadata_cache_->store(known_hash->second, response->body);
      return pep::CoreMetadata::parse(response->body, metadata_url->redacted());
    }
    if (response->status != 404) return net::status_error(*response);
    UVAUTH_DEBUG("no .metadata file at " << metadata_url->redacted() << " despite the index saying so");
  }
  if (!file.is_wheel()) {
    return Error(ErrorKind::resolution, file.filename + " is not a wheel; uvauth installs wheels only");
  }
  if (file.url.scheme() == "file") {  // a local wheel (find-links directory, flat index, `name @ file://`)
    const std::filesystem::path path = percent_decode(file.url.path());
    std::error_code ec;
    if (!std::filesystem::is_regular_file(path, ec)) return Error(ErrorKind::io, "cannot read " + path.string() + ": not a regular file");
    auto bytes = read_file(path);
    if (!bytes) return std::move(bytes).error();
    UVAUTH_TRY(check_hash(file.hashes, Sha256::hex_of(*bytes), file.url));
    auto member = read_zip_member(*bytes, ".dist-info/METADATA", path.string());
    if (!member) return std::move(member).error();
    return pep::CoreMetadata::parse(*member, path.string() + "#METADATA");
  }
  if (!ranges_known_unsupported(file.url)) {
    RemoteZipStats stats;
    auto member = read_remote_zip_member(client_, file.url, linked_by, ".dist-info/METADATA", stats);
    if (stats.server_ignored_ranges) {
      remember_no_ranges(file.url);
      ++stats_.full_downloads;
    } else if (member) {
      ++stats_.range_reads;
    }
    if (member) return pep::CoreMetadata::parse(*member, file.url.redacted() + "#METADATA");
    if (member.error().kind == ErrorKind::auth || member.error().kind == ErrorKind::tls) return std::move(member).error();
    UVAUTH_DEBUG("range requests failed for " << file.url.redacted() << " (" << member.error().message
                                              << "); downloading the whole wheel");
  }
  return metadata_from_whole_wheel(file, linked_by);
}

Result<pep::CoreMetadata> IndexClient::metadata_from_whole_wheel(const DistributionFile& file, const std::string& linked_by) {
  net::Request request;
  request.url = file.url;
  request.tag = linked_by;
  request.max_body_size = file.size;
  auto response = client_.fetch(std::move(request));
  if (!response) return std::move(response).error();
  if (!response->ok()) return net::status_error(*response);
  UVAUTH_TRY(check_hash(file.hashes, response->sha256, file.url));
  ++stats_.full_downloads;
  auto member = read_zip_member(response->body, ".dist-info/METADATA", file.url.redacted());
  if (!member) return std::move(member).error();
  return pep::CoreMetadata::parse(*member, file.url.redacted() + "#METADATA");
}

Result<ProjectPage> IndexClient::find_links(std::string_view location) {
  const std::string text(location);
  if (text.find("://") != std::string::npos && text.rfind("file://", 0) != 0) {
    auto url = Url::parse(text);
    if (!url) return std::move(url).error();
    net::Request request;
    request.url = *url;
    request.tag = url->with_userinfo_removed().without_userinfo();
    request.max_memory_body = max_page_bytes;
    auto response = client_.fetch(std::move(request));
    if (!response) return std::move(response).error();
    if (!response->ok()) return net::status_error(*response);
    return parse_html_page(response->body, response->url);
  }
  const std::filesystem::path dir = text.rfind("file://", 0) == 0 ? std::filesystem::path(percent_decode(text.substr(7)))
                                                                  : std::filesystem::path(text);
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return Error(ErrorKind::config, "--find-links " + text + ": not a directory or an http(s) URL");
  }
  ProjectPage page;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    const std::string name = entry.path().filename().string();
    if (!entry.is_regular_file() || (name.size() < 5 || (name.substr(name.size() - 4) != ".whl" &&
                                                         name.find(".tar.gz") == std::string::npos && name.substr(name.size() - 4) != ".zip"))) {
      continue;
    }
    auto url = Url::parse("file://" + std::filesystem::absolute(entry.path()).string());
    if (!url) {
      page.warnings.push_back("skipped " + entry.path().string() + ": " + url.error().message);
      continue;
    }
    DistributionFile file;
    file.filename = name;
    file.url = *url;
    page.files.push_back(std::move(file));
  }
  if (ec) return Error(ErrorKind::io, "cannot list " + dir.string() + ": " + ec.message());
  std::sort(page.files.begin(), page.files.end(),
            [](const DistributionFile& a, const DistributionFile& b) { return a.filename < b.filename; });
  return page;
}

Result<std::pair<std::string, std::uint64_t>> IndexClient::hash_of(const DistributionFile& file, const std::string& linked_by) {
  if (file.url.scheme() == "file") {
    const std::filesystem::path path = percent_decode(file.url.path());
    auto digest = Sha256::hex_of_file(path);
    if (!digest) return std::move(digest).error();
    std::error_code ec;
    return std::make_pair(*digest, static_cast<std::uint64_t>(std::filesystem::file_size(path, ec)));
  }
  net::Request request;
  request.url = file.url;
  request.tag = linked_by;
  request.on_data = [](std::string_view) { return true; };  // only the hash is kept
  request.max_body_size = file.size;
  auto response = client_.fetch(std::move(request));
  if (!response) return std::move(response).error();
  if (!response->ok()) return net::status_error(*response);
  return std::make_pair(response->sha256, response->body_size);
}


std::vector<Result<PageResult>> IndexClient::project_pages(const Url& index_url, const std::vector<std::string>& projects) {
  return bounded_parallel<Result<PageResult>>(projects.size(), 16, [&](std::size_t i) { return project_page(index_url, projects[i]); });
}

std::vector<Result<pep::CoreMetadata>> IndexClient::metadata_many(const std::vector<DistributionFile>& files,
                                                                  const std::string& linked_by) {
  return bounded_parallel<Result<pep::CoreMetadata>>(files.size(), 16, [&](std::size_t i) { return metadata(files[i], linked_by); });
}

bool IndexClient::ranges_known_unsupported(const Url& url) const {
  std::lock_guard lock(mutex_);
  return no_range_origins_.count(url.origin()) > 0;
}

void IndexClient::remember_no_ranges(const Url& url) {
  std::lock_guard lock(mutex_);
  if (no_range_origins_.insert(url.origin()).second) {
    UVAUTH_DEBUG(url.origin() << " does not support range requests; whole wheels will be fetched for metadata");
  }
}

}  // namespace uvauth::index
