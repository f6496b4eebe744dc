#include "uvauth/app/source_build.hpp"

#include <unistd.h>

#include <algorithm>
#include <cctype>

#include "uvauth/build/archive.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/pep/tags.hpp"
#include "uvauth/resolve/lock_workflow.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::app {
namespace fs = std::filesystem;

bool is_credential_variable(std::string_view name, std::string_view value) {
  auto starts = [&](std::string_view prefix) { return name.substr(0, prefix.size()) == prefix; };
  auto ends = [&](std::string_view suffix) { return name.size() >= suffix.size() && name.substr(name.size() - suffix.size()) == suffix; };
  if (starts("UV_INDEX") || starts("UV_DEFAULT_INDEX") || starts("UV_EXTRA_INDEX_URL") || starts("UV_FIND_LINKS") ||
      starts("UV_PUBLISH_") || starts("PIP_INDEX_URL") || starts("PIP_EXTRA_INDEX_URL") || starts("PIP_FIND_LINKS") ||
      starts("UVAUTH_TEST_PASSWORD")) {
    return true;
  }
  if (ends("_PASSWORD") || ends("_TOKEN") || ends("_SECRET") || ends("_API_KEY") || name == "NETRC_PASSWORD") return true;
  // A URL with userinfo anywhere in the value (a proxy, a mirror).
  const auto scheme = value.find("://");
  if (scheme != std::string_view::npos) {
    const auto rest = value.substr(scheme + 3);
    const auto at = rest.find('@');
    const auto slash = rest.find('/');
    if (at != std::string_view::npos && (slash == std::string_view::npos || at < slash)) return true;
  }
  return false;
}

std::chrono::seconds build_timeout(const config::Environment& env) {
  auto text = env.get_nonempty("UVAUTH_BUILD_TIMEOUT");
  if (!text) return std::chrono::seconds(600);
  try {
    std::size_t used = 0;
    const long value = std::stol(*text, &used);
    if (used == text->size() && value > 0) return std::chrono::seconds(value);
  } catch (const std::exception&) {
  }
  UVAUTH_WARN("UVAUTH_BUILD_TIMEOUT=" << escape_nonprintable(*text) << " is not a number of seconds; using 600");
  return std::chrono::seconds(600);
}

std::vector<std::string> backend_environment(const config::Environment& env) {
  std::vector<std::string> out;
  for (const auto& [name, value] : env.values()) {
    if (is_credential_variable(name, value)) continue;
    out.push_back(name + "=" + value);
  }
  return out;
}

SourceBuilder::SourceBuilder(index::IndexClient& index_client, net::Client& client, SourceBuildSettings settings)
    : index_client_(index_client), client_(client), settings_(std::move(settings)) {}

Result<build::Frontend*> SourceBuilder::frontend() {
  std::lock_guard lock(mutex_);
  if (frontend_) return frontend_.get();
  const auto& target = settings_.provider.target;
  if (target.executable.empty()) {
    return Error(ErrorKind::install, "building from source needs the target interpreter; a cross target (" + target.description +
                                         ") has none")
        .with_hint("lock on the target machine, or use packages with wheels for it");
  }
  build::FrontendOptions options;
  options.python = target.executable;
  const auto tags = pep::compatible_tags(target.interpreter);
  options.interpreter_key = (tags.empty() ? std::string("none") : tags.front().interpreter + "-" + tags.front().abi + "-" + tags.front().platform) +
                            " " + target.executable;
  options.cache = settings_.cache;
  options.timeout = settings_.timeout;
  options.show_output = settings_.show_output;
  options.installer = this;
  options.environment = settings_.environment;
  frontend_ = std::make_unique<build::Frontend>(std::move(options));
  return frontend_.get();
}

Result<git::GitCache*> SourceBuilder::git_cache() {
  std::lock_guard lock(git_mutex_);
  if (git_) return git_.get();
  if (!settings_.cache.enabled()) return Error(ErrorKind::install, "Git requirements need a cache directory (not --no-cache)");
  git::GitOptions options;
  options.bucket = *settings_.cache.bucket(cache::Bucket::git);
  options.offline = settings_.offline;
  options.timeout = settings_.timeout;
  options.environment = settings_.environment;
  git_ = std::make_unique<git::GitCache>(std::move(options));
  return git_.get();
}

Result<std::optional<git::GitCredentials>> SourceBuilder::git_credentials(const git::GitReference& ref) {
  if (!ref.is_http()) return std::optional<git::GitCredentials>{};  // ssh: the user's agent and config; file: none
  if (ref.password) return std::optional<git::GitCredentials>(git::GitCredentials{ref.username, *ref.password, "the URL"});
  if (!settings_.auth) return std::optional<git::GitCredentials>{};
  auto url = ref.http_url();
  if (!url) return std::move(url).error();
  Url asked = *url;
  if (!ref.username.empty()) {
    // The user name the URL gives is the one to look up.
    std::string user;
    for (unsigned char c : ref.username) {
      if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
        user += static_cast<char>(c);
      } else {
        static const char* hex = "0123456789ABCDEF";
        user += '%';
        user += hex[c >> 4];
        user += hex[c & 15];
      }
    }
    auto with_user = Url::parse(ref.scheme + "://" + user + "@" + ref.repository.substr(ref.scheme.size() + 3));
    if (with_user) asked = *with_user;
  }
  UVAUTH_TRY_ASSIGN(auto found, settings_.auth->credentials_for(asked));
  if (!found) return std::optional<git::GitCredentials>{};
  if (found->credentials.scheme != auth::Credentials::Scheme::basic || !found->credentials.password) {
    return Error(ErrorKind::auth, ref.repository + ": the credentials found (" + found->source + ") are a token; git takes a user name and password");
  }
  return std::optional<git::GitCredentials>(
      git::GitCredentials{found->credentials.username.value_or(ref.username), *found->credentials.password, found->source});
}

Result<std::string> SourceBuilder::git_commit(const std::string& name, const std::string& git_url) {
  auto ref = git::GitReference::parse(git_url);
  if (!ref) return std::move(ref).error();
  UVAUTH_TRY_ASSIGN(auto* cache, git_cache());
  UVAUTH_TRY_ASSIGN(auto credentials, git_credentials(*ref));
  auto commit = cache->resolve(*ref, credentials);
  if (!commit) {
    Error error = std::move(commit).error();
    error.message = name + " @ " + ref->requirement_url() + ": " + error.message;  // hints kept
    return error;
  }
  return commit;
}

Result<fs::path> SourceBuilder::git_tree(const git::GitReference& ref, const std::string& commit, const std::string& label) {
  UVAUTH_TRY_ASSIGN(auto* cache, git_cache());
  // Credentials are looked up only when the checkout needs a fetch.
  std::optional<git::GitCredentials> credentials;
  if (!cache->has_commit(ref, commit)) {
    UVAUTH_TRY_ASSIGN(credentials, git_credentials(ref));
  }
  auto checkout = cache->checkout(ref, commit, credentials);
  if (!checkout) {
    Error error = std::move(checkout).error();
    error.message = label + ": " + error.message;  // hints kept
    return error;
  }
  fs::path dir = *checkout;
  if (!ref.subdirectory.empty()) dir /= ref.subdirectory;
  std::error_code ec;
  // The subdirectory must stay inside the checkout (no symlink out of it).
  const fs::path real = fs::weakly_canonical(dir, ec);
  const fs::path root = fs::weakly_canonical(*checkout, ec);
  const auto rel = real.lexically_relative(root);
  if (rel.empty() || *rel.begin() == "..") return Error(ErrorKind::install, label + ": the subdirectory leaves the repository");
  if (!fs::is_directory(real, ec)) {
    return Error(ErrorKind::install, label + ": the repository has no directory '" + escape_nonprintable(ref.subdirectory) + "' at " + commit);
  }
  if (!fs::exists(real / "pyproject.toml", ec) && !fs::exists(real / "setup.py", ec)) {
    return Error(ErrorKind::install, label + ": " + (ref.subdirectory.empty() ? std::string("the repository's root") : "'" + escape_nonprintable(ref.subdirectory) + "'") +
                                         " at " + commit.substr(0, 12) + " has no pyproject.toml or setup.py: not a Python project")
        .with_hint("name the project's directory with #subdirectory=");
  }
  return real;
}

std::string SourceBuilder::key(const std::string& kind, const std::string& id) const {
  const auto tags = pep::compatible_tags(settings_.provider.target.interpreter);
  const std::string interpreter =
      (tags.empty() ? std::string("none") : tags.front().interpreter + "-" + tags.front().abi + "-" + tags.front().platform) + " " +
      settings_.provider.target.executable;
  return kind + "-" + Sha256::hex_of(interpreter + "\n" + id).substr(0, 40);
}

Result<fs::path> SourceBuilder::fetch(const index::DistributionFile& file, const std::string& index_url, const std::string& sha256,
                                      const std::string& label, std::string& digest_out) {
  std::error_code ec;
  if (!settings_.cache.enabled()) return Error(ErrorKind::install, "internal: source builds need a cache directory");
  const fs::path bucket = *settings_.cache.bucket(cache::Bucket::sdists);
  auto safe_name = [&] {
    std::string n = file.filename;
    for (auto& c : n) {
      if (c == '/' || c == '\\' || c == '\0') c = '_';
    }
    return n.empty() || n == "." || n == ".." ? std::string("source") : n;
  }();
  if (!sha256.empty()) {
    auto digest = Sha256Digest::parse(sha256);
    if (!digest) return Error(ErrorKind::integrity, label + ": the sha256 " + escape_nonprintable(sha256.substr(0, 80)) + " is not a SHA-256 digest");
    const fs::path cached = bucket / digest->hex() / safe_name;
    if (fs::exists(cached, ec)) {
      digest_out = digest->hex();
      return cached;
    }
  }
  const fs::path part = bucket / ("download-" + std::to_string(::getpid()) + "-" + Sha256::hex_of(file.url.without_userinfo()).substr(0, 12));
  std::string got;
  if (file.url.scheme() == "file") {
    const fs::path local = percent_decode(file.url.path());
    auto digest = Sha256::hex_of_file(local);
    if (!digest) return std::move(digest).error();
    fs::copy_file(local, part, fs::copy_options::overwrite_existing, ec);
    if (ec) return Error(ErrorKind::io, "cannot copy " + local.string() + " into the cache: " + ec.message());
    got = *digest;
  } else {
    net::Request request;
    request.url = file.url;
    request.tag = index_url;
    request.output_file = part;
    if (file.size) request.max_body_size = *file.size;
    auto response = client_.fetch(std::move(request));
    if (!response) {
      fs::remove(part, ec);
      return std::move(response).error();
    }
    if (!response->ok()) {
      fs::remove(part, ec);
      return net::status_error(*response);
    }
    got = response->sha256;
  }
  if (!sha256.empty() && to_lower_ascii(sha256) != got) {
    fs::remove(part, ec);
    return Error(ErrorKind::integrity, "hash mismatch for " + escape_nonprintable(file.filename) + " (" + file.url.redacted() +
                                           "): expected sha256 " + to_lower_ascii(sha256) + ", the file has " + got);
  }
  const fs::path dir = bucket / got;
  fs::create_directories(dir, ec);
  fs::rename(part, dir / safe_name, ec);
  if (ec) return Error(ErrorKind::io, "cannot move the sdist into " + dir.string() + ": " + ec.message());
  digest_out = got;
  return dir / safe_name;
}

Result<fs::path> SourceBuilder::unpacked(const fs::path& archive, const std::string& digest, const std::string& label) {
  const fs::path bucket = *settings_.cache.bucket(cache::Bucket::sdists);
  const fs::path tree_dir = bucket / digest / "src";
  std::error_code ec;
  auto root_of = [](const fs::path& dir) -> fs::path {
    std::error_code e;
    fs::path only;
    int count = 0;
    for (const auto& entry : fs::directory_iterator(dir, e)) {
      ++count;
      only = entry.path();
    }
    return count == 1 && fs::is_directory(fs::symlink_status(only, e)) ? only : dir;
  };
  if (fs::exists(tree_dir, ec)) return root_of(tree_dir);
  const fs::path staging = bucket / digest / ("src-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  auto unpacked = build::unpack_sdist(archive, staging, label);
  if (!unpacked) {
    fs::remove_all(staging, ec);
    return std::move(unpacked).error();
  }
  fs::rename(staging, tree_dir, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    if (!fs::exists(tree_dir)) return Error(ErrorKind::io, "cannot unpack into " + tree_dir.string());
  }
  return root_of(tree_dir);
}

Result<pep::CoreMetadata> SourceBuilder::metadata(const resolve::SourceRef& source) {
  if (!source.git_url.empty()) {
    auto ref = git::GitReference::parse(source.git_url);
    if (!ref) return std::move(ref).error();
    const std::string label = (source.name.empty() ? std::string("the project") : source.name) + " (" + ref->requirement_url() + ")";
    UVAUTH_TRY_ASSIGN(auto dir, git_tree(*ref, source.git_commit, label));
    if (auto fixed = build::static_metadata(dir)) {
      UVAUTH_DEBUG("metadata of " << label << ": static, from pyproject.toml at " << source.git_commit.substr(0, 12));
      return *fixed;
    }
    UVAUTH_TRY_ASSIGN(auto* fe, frontend());
    return fe->metadata(dir, label, false, key("git", ref->repository + " " + source.git_commit + " " + ref->subdirectory));
  }
  const std::string label = (source.name.empty() ? std::string("the project") : source.name) + " (" +
                            (source.directory ? percent_decode(source.file.url.path()) : source.file.url.redacted()) + ")";
  if (source.directory) {
    std::string dir = percent_decode(source.file.url.path());
    while (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (auto fixed = build::static_metadata(dir)) {
      UVAUTH_DEBUG("metadata of " << label << ": static, from pyproject.toml");
      return *fixed;
    }
    UVAUTH_TRY_ASSIGN(auto* fe, frontend());
    const std::string id = "dir " + dir + " " + build::tree_fingerprint(dir, source.editable);
    return fe->metadata(dir, label, source.editable, key("dir", id));
  }
  std::string digest;
  std::unique_lock fetching(fetch_mutex_);  // one download and unpack of an sdist at a time (the resolver asks from several threads)
  UVAUTH_TRY_ASSIGN(auto archive, fetch(source.file, source.index_url, source.file.sha256().value_or(""), label, digest));
  UVAUTH_TRY_ASSIGN(auto tree, unpacked(archive, digest, label));
  fetching.unlock();
  // PKG-INFO at Metadata 2.2+ with nothing that matters Dynamic: no build.
  if (auto text = read_file(tree / "PKG-INFO")) {
    auto parsed = pep::CoreMetadata::parse(*text, label + " PKG-INFO");
    if (parsed && !parsed->metadata_version.empty() && parsed->metadata_version >= "2.2" &&
        std::none_of(parsed->dynamic.begin(), parsed->dynamic.end(),
                     [](const std::string& d) { return d == "requires-dist" || d == "requires-python" || d == "provides-extra"; })) {
      UVAUTH_DEBUG("metadata of " << label << ": PKG-INFO " << parsed->metadata_version << ", nothing dynamic");
      return parsed;
    }
  }
  UVAUTH_TRY_ASSIGN(auto* fe, frontend());
  return fe->metadata(tree, label, false, key("sdist", digest));
}

Result<install::BuiltSource> SourceBuilder::wheel_for(const lock::LockedPackage& p) {
  const std::string label = p.name + " " + p.version.to_string();
  UVAUTH_TRY_ASSIGN(auto* fe, frontend());
  Result<build::BuiltWheel> built = Error(ErrorKind::install, "internal: nothing to build for " + label);
  if (p.vcs) {
    auto ref = git::GitReference::parse(p.vcs->requirement_url());
    if (!ref) return Error(ErrorKind::install, label + ": the lock's vcs entry: " + ref.error().message);
    const std::string id = ref->repository + " " + p.vcs->commit_id + " " + ref->subdirectory;
    if (auto hit = fe->cached(key("git", id), false)) {
      built = *hit;
    } else {
      UVAUTH_TRY_ASSIGN(auto dir, git_tree(*ref, p.vcs->commit_id, label + " (" + ref->requirement_url() + ")"));
      built = fe->build(dir, label + " (" + ref->requirement_url() + " at " + p.vcs->commit_id.substr(0, 12) + ")", false, key("git", id));
    }
  } else if (p.directory) {
    const std::string& dir = p.directory->path;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
      return Error(ErrorKind::install, label + ": the project directory " + dir + " the lock names does not exist");
    }
    const std::string id = "dir " + dir + " " + build::tree_fingerprint(dir, p.directory->editable);
    built = fe->build(dir, label + " (" + dir + ")", p.directory->editable, key("dir", id));
  } else if (p.sdist) {
    auto url = Url::parse(p.sdist->url);
    if (!url) return Error(ErrorKind::install, label + ": the lock's sdist URL: " + url.error().message);
    index::DistributionFile file;
    file.url = *url;
    file.filename = p.sdist->name;
    if (p.sdist->size) file.size = p.sdist->size;
    std::string digest;
    std::unique_lock fetching(fetch_mutex_);
    UVAUTH_TRY_ASSIGN(auto archive, fetch(file, p.index, p.sdist->sha256, label, digest));
    if (auto hit = fe->cached(key("sdist", digest), false)) {
      built = *hit;
    } else {
      UVAUTH_TRY_ASSIGN(auto tree, unpacked(archive, digest, label));
      fetching.unlock();
      built = fe->build(tree, label, false, key("sdist", digest));
    }
  }
  if (!built) return std::move(built).error();
  return install::BuiltSource{built->file, built->filename, built->sha256, built->size};
}

Status SourceBuilder::install(const std::vector<pep::Requirement>& requirements, const fs::path& venv, const std::string& why) {
  if (settings_.depth >= 4) {
    return Error(ErrorKind::install, why + ": build requirements nested more than 4 deep (a build needs a build that needs a build...)")
        .with_hint("a package that needs itself to build? publish a wheel of one of them to the index");
  }
  UVAUTH_DEBUG("installing " << why << " into " << venv.string());
  SourceBuildSettings nested = settings_;
  ++nested.depth;
  nested.provider.direct_urls.clear();
  nested.provider.editable.clear();
  nested.provider.exact_pins.clear();
  nested.provider.explicit_prereleases.clear();
  nested.provider.overrides.clear();
  nested.provider.universal = false;
  SourceBuilder child(index_client_, client_, nested);
  resolve::LockInputs inputs;
  inputs.requirements = requirements;
  inputs.provider = nested.provider;
  inputs.provider.builder = &child;
  auto lock = resolve::make_lock(index_client_, std::move(inputs));
  if (!lock) return Error(lock.error().kind, why + ": " + lock.error().message);
  install::SyncOptions options;
  options.lock = std::move(lock).value();
  options.lock_digest = Sha256::hex_of(options.lock.serialize());
  options.kind = install::TargetKind::venv;
  options.dir = venv;
  options.python = settings_.provider.target.executable;
  options.python_version = settings_.provider.target.python_full_version().to_string();
  options.from_lock_file = false;
  options.exact = true;
  options.build_source = [&child](const lock::LockedPackage& p) { return child.wheel_for(p); };
  for (const auto& r : requirements) options.requested.insert(pep::canonicalize_name(r.name));
  auto synced = install::sync(client_, settings_.cache, options);
  if (!synced) return Error(synced.error().kind, why + ": " + synced.error().message);
  return {};
}

}  // namespace uvauth::app
