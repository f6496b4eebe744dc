#include "uvauth/git/git.hpp"

#include <unistd.h>

#include <openssl/evp.h>

#include <algorithm>

#include "uvauth/fs.hpp"
#include "uvauth/log.hpp"
#include "uvauth/process.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::git {
namespace fs = std::filesystem;
namespace {

constexpr std::string_view kAskpass = R"(#!/bin/sh
# Written by uvauth as GIT_ASKPASS for its git processes: git never prompts,
# and nothing but what uvauth found (sent as a header) is ever used.
exit 1
)";

bool has_control_or_space(std::string_view text) {
  return std::any_of(text.begin(), text.end(), [](char c) {
    const auto u = static_cast<unsigned char>(c);
    return u <= 0x20 || u == 0x7f;
  });
}

bool is_hex(std::string_view text) {
  return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

// The last lines of git's output, escaped and without userinfo, for an error.
std::string tail_of(const std::string& output, std::size_t lines) {
  std::vector<std::string> all;
  std::size_t start = 0;
  while (start < output.size()) {
    auto end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (!line.empty()) all.push_back(line);
    start = end + 1;
  }
  std::string out;
  for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    out += "\n    " + escape_nonprintable(redact_userinfo_in_text(all[i]));
  }
  return out;
}

}  // namespace

bool is_git_url(std::string_view text) {
  return text.rfind("git+https://", 0) == 0 || text.rfind("git+http://", 0) == 0 || text.rfind("git+ssh://", 0) == 0 ||
         text.rfind("git+file://", 0) == 0;
}

Result<GitReference> GitReference::parse(std::string_view text) {
  const std::string shown = escape_nonprintable(redact_userinfo_in_text(text));
  auto bad = [&](const std::string& why) { return Error(ErrorKind::usage, "the Git URL '" + shown + "' " + why); };
  if (!is_git_url(text)) return bad("is not a git+https, git+http, git+ssh or git+file URL");
  if (has_control_or_space(text)) return bad("has white space or control characters");
  if (text.size() > 4096) return bad("is longer than 4096 characters");
  GitReference ref;
  std::string_view rest = text.substr(4);
  const auto colon = rest.find("://");
  ref.scheme = std::string(rest.substr(0, colon));
  std::string_view fragment;
  if (auto hash = rest.find('#'); hash != std::string_view::npos) {
    fragment = rest.substr(hash + 1);
    rest = rest.substr(0, hash);
  }
  // #subdirectory=sub (other fragment parts, such as egg=, are ignored as pip does).
  while (!fragment.empty()) {
    auto amp = fragment.find('&');
    std::string_view part = fragment.substr(0, amp);
    fragment = amp == std::string_view::npos ? std::string_view{} : fragment.substr(amp + 1);
    if (part.rfind("subdirectory=", 0) == 0) {
      ref.subdirectory = percent_decode(part.substr(13));
    } else if (part.rfind("egg=", 0) != 0 && !part.empty()) {
      // A hash pin (#sha256=...) cannot be checked on a Git checkout: refused, not ignored.
      return bad("has '#" + escape_nonprintable(part.substr(0, 40)) + "'; a Git URL takes only #subdirectory= (pin a commit with @REV)");
    }
  }
  if (!ref.subdirectory.empty()) {
    if (has_control_or_space(ref.subdirectory)) return bad("has a subdirectory with white space or control characters");
    const fs::path sub(ref.subdirectory);
    if (sub.is_absolute()) return bad("names an absolute subdirectory");
    for (const auto& part : sub) {
      if (part == "..") return bad("has a subdirectory that leaves the repository (..)");
    }
    while (ref.subdirectory.size() > 1 && ref.subdirectory.back() == '/') ref.subdirectory.pop_back();
    if (ref.subdirectory == ".") ref.subdirectory.clear();
  }
  std::string_view after_scheme = rest.substr(colon + 3);
  const auto slash = after_scheme.find('/');
  std::string_view authority = after_scheme.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : after_scheme.substr(slash);
  // The revision follows the path's last '@' (as pip reads it), so branch
  // names with slashes work: @feature/x. An '@' left in the path would make
  // the URL mean something else once printed again: it is refused.
  if (auto at = path.rfind('@'); at != std::string_view::npos) {
    ref.rev = percent_decode(path.substr(at + 1));
    path = path.substr(0, at);
    if (ref.rev.empty()) return bad("has an empty revision after '@'");
    if (ref.rev[0] == '-' || ref.rev.find(':') != std::string::npos || ref.rev.find("..") != std::string::npos ||
        has_control_or_space(ref.rev)) {
      return bad("has a revision that is not a tag, branch or commit name");
    }
  }
  if (path.find('@') != std::string_view::npos) return bad("has '@' in its path besides the one before the revision; write it as %40");
  std::string userinfo;
  if (auto at = authority.rfind('@'); at != std::string_view::npos) {
    userinfo = std::string(authority.substr(0, at));
    authority = authority.substr(at + 1);
  }
  if (ref.scheme != "file" && authority.empty()) return bad("has no host");
  if (path.empty() || path == "/") return bad("names no repository path");
  if (!userinfo.empty()) {
    const auto sep = userinfo.find(':');
    ref.username = percent_decode(userinfo.substr(0, sep));
    if (sep != std::string::npos) ref.password = Secret(percent_decode(userinfo.substr(sep + 1)));
    if (ref.scheme == "ssh" && ref.password) return bad("has a password; ssh authenticates with your keys and agent");
    if (ref.scheme == "file") return bad("has userinfo in a file URL");
  }
  // ssh keeps its user name (git@host): it is part of the address, not a secret.
  ref.repository = ref.scheme + "://" + (ref.scheme == "ssh" && !userinfo.empty() ? userinfo + "@" : std::string()) +
                   std::string(authority) + std::string(path);
  if (ref.is_http()) {
    auto url = Url::parse(ref.repository);
    if (!url) return bad(": " + url.error().message);
  }
  return ref;
}

std::string GitReference::requirement_url() const {
  std::string out = "git+" + repository;
  if (!rev.empty()) out += "@" + percent_encode_url_part(rev);
  if (!subdirectory.empty()) out += "#subdirectory=" + percent_encode_url_part(subdirectory);
  return out;
}

Result<Url> GitReference::http_url() const { return Url::parse(repository); }

bool GitReference::rev_is_commit() const { return rev.size() == 40 && is_hex(rev); }

GitCache::GitCache(GitOptions options) : options_(std::move(options)) {}

fs::path GitCache::repo_dir(const GitReference& ref) const {
  return options_.bucket / "repos" / Sha256::hex_of(ref.repository).substr(0, 24);
}

Result<std::string> GitCache::helper_script() {
  const fs::path file = options_.bucket / "askpass-v1.sh";
  if (auto existing = read_file(file); existing && *existing == kAskpass) return file.string();
  UVAUTH_TRY(write_file_atomically(file, kAskpass, fs::perms::owner_all));
  return file.string();
}

Result<std::string> GitCache::run(const std::vector<std::string>& args, const GitReference& ref,
                                  const std::optional<GitCredentials>& credentials, const std::string& what, bool network) {
  std::vector<std::string> env;
  for (const auto& entry : options_.environment) {
    const std::string name = entry.substr(0, entry.find('='));
    // git's own variables of the caller (GIT_DIR from a hook, config
    // parameters, traces) do not reach these git processes; ssh's do.
    if (name.rfind("GIT_", 0) == 0 && name != "GIT_SSH" && name != "GIT_SSH_COMMAND" && name != "GIT_SSH_VARIANT" &&
        name != "GIT_PROXY_COMMAND" && name != "GIT_SSL_CAINFO" && name != "GIT_SSL_CAPATH") {
      continue;
    }
    if (name == "LC_ALL" || name == "LANGUAGE" || name.rfind("UVAUTH_GIT_", 0) == 0) continue;
    if (ref.is_http() && name == "SSH_ASKPASS") continue;
    env.push_back(entry);
  }
  env.push_back("LC_ALL=C");  // messages this code reads
  env.push_back("GIT_TERMINAL_PROMPT=0");
  if (network && ref.is_http()) {
    UVAUTH_TRY_ASSIGN(auto askpass, helper_script());
    env.push_back("GIT_ASKPASS=" + askpass);
    // Configuration for this one process, from its environment (never argv,
    // never a config file): the user's credential helpers are off, and the
    // credentials found go as a header on every request to this URL, with
    // redirects refused, so they reach no other host and no request goes
    // without them (git would otherwise probe unauthenticated first).
    std::vector<std::pair<std::string, std::string>> config{{"credential.helper", ""}};
    if (credentials) {
      const std::string pair = credentials->username + ":" + credentials->password.reveal();
      std::string encoded(4 * ((pair.size() + 2) / 3) + 1, '\0');
      const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()), reinterpret_cast<const unsigned char*>(pair.data()),
                                    static_cast<int>(pair.size()));
      encoded.resize(n > 0 ? static_cast<std::size_t>(n) : 0);
      config.emplace_back("http.extraHeader", "Authorization: Basic " + encoded);
      config.emplace_back("http.followRedirects", "false");
    }
    env.push_back("GIT_CONFIG_COUNT=" + std::to_string(config.size()));
    for (std::size_t i = 0; i < config.size(); ++i) {
      env.push_back("GIT_CONFIG_KEY_" + std::to_string(i) + "=" + config[i].first);
      env.push_back("GIT_CONFIG_VALUE_" + std::to_string(i) + "=" + config[i].second);
    }
  }
  std::vector<std::string> argv{options_.git};
  argv.insert(argv.end(), args.begin(), args.end());
  ProcessOptions process;
  process.timeout = options_.timeout;
  process.environment = std::move(env);
  process.max_output = std::size_t{4} << 20;
  auto result = run_process(argv, process);
  if (!result) {
    if (result.error().kind == ErrorKind::timeout) {
      return Error(ErrorKind::network, what + ": git did not finish within " + std::to_string(options_.timeout.count()) + " s");
    }
    return Error(ErrorKind::install, what + ": " + result.error().message)
        .with_hint("Git requirements need the git executable on PATH (Debian: apt-get install git)");
  }
  if (result->exit_code != 0) {
    const std::string& err = result->err;
    const bool asked = err.find("could not read Username") != std::string::npos || err.find("could not read Password") != std::string::npos ||
                       err.find("terminal prompts disabled") != std::string::npos;
    if (err.find("Authentication failed") != std::string::npos || err.find("HTTP Basic: Access denied") != std::string::npos ||
        (asked && credentials)) {
      return Error(ErrorKind::auth, what + ": " + ref.repository + " refused " +
                                        (credentials ? "user '" + credentials->username + "' (credentials from " + credentials->source + ")"
                                                     : std::string("the request")) +
                                        " (HTTP 401)")
          .with_hint("nothing was retried; check the password in " + (credentials ? credentials->source : std::string("your credentials")));
    }
    if (asked) {
      return Error(ErrorKind::auth, "Missing credentials for " + ref.repository + ": the server asks for them, and none were found")
          .with_hint("provide credentials in netrc (machine " + (Url::parse(ref.repository) ? Url::parse(ref.repository)->host() : std::string("HOST")) +
                     "), in the index variables UV_INDEX_<NAME>_USERNAME / _PASSWORD of an index whose URL covers it, or with `uvauth auth login`");
    }
    Error error(network ? ErrorKind::network : ErrorKind::install,
                what + ": git exited with " + std::to_string(result->exit_code) + tail_of(err.empty() ? result->out : err, 8));
    if (credentials && err.find("returned error: 30") != std::string::npos) {
      error.with_hint("the server redirected; credentials go to the URL given only, so redirects are refused: use the URL it redirects to");
    }
    return error;
  }
  return result->out;
}

Status GitCache::ensure_repository(const fs::path& bare, const GitReference& ref) {
  std::error_code ec;
  if (fs::exists(bare / "HEAD", ec)) return {};
  const fs::path staging = bare.parent_path() / (bare.filename().string() + ".tmp-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  fs::create_directories(staging.parent_path(), ec);
  auto made = run({"init", "--quiet", "--bare", "--", staging.string()}, ref, std::nullopt, "creating the cache of " + ref.repository, false);
  if (!made) {
    fs::remove_all(staging, ec);
    return std::move(made).error();
  }
  fs::rename(staging, bare, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    if (!fs::exists(bare / "HEAD")) return Error(ErrorKind::io, "cannot create " + bare.string());
  }
  return {};
}

Status GitCache::fetch(const fs::path& bare, const GitReference& ref, const std::optional<GitCredentials>& credentials,
                       const std::vector<std::string>& refspecs) {
  if (options_.offline) {
    return Error(ErrorKind::network, "fetching " + ref.requirement_url() + " needs the network, and --offline is set")
        .with_hint("the cache has no commit for this revision yet; run once online, or lock with a full commit id the cache has");
  }
  std::vector<std::string> args{"--git-dir=" + bare.string(), "fetch", "--quiet", "--force", "--no-tags", "--prune", "--", ref.repository};
  args.insert(args.end(), refspecs.begin(), refspecs.end());
  UVAUTH_DEBUG("git fetch " << ref.repository << (credentials ? " (user '" + credentials->username + "' from " + credentials->source + ")" : std::string()));
  auto fetched = run(args, ref, credentials, "fetching " + ref.repository, true);
  if (!fetched) return std::move(fetched).error();
  return {};
}

std::optional<std::string> GitCache::rev_parse(const fs::path& bare, const std::string& expression) {
  GitReference none;
  auto out = run({"--git-dir=" + bare.string(), "rev-parse", "--verify", "--quiet", expression}, none, std::nullopt,
                 "reading the cache", false);
  if (!out) return std::nullopt;
  std::string id = *out;
  while (!id.empty() && (id.back() == '\n' || id.back() == '\r')) id.pop_back();
  if (id.size() != 40 || !is_hex(id)) return std::nullopt;
  return id;
}

Result<std::string> GitCache::resolve(const GitReference& ref, const std::optional<GitCredentials>& credentials) {
  const fs::path bare = repo_dir(ref);
  std::error_code ec;
  fs::create_directories(bare.parent_path(), ec);
  UVAUTH_TRY_ASSIGN(auto lock, FileLock::acquire(bare.string() + ".lock", "Git cache of " + ref.repository, std::chrono::seconds(600)));
  UVAUTH_TRY(ensure_repository(bare, ref));
  if (ref.rev_is_commit()) {
    if (auto id = rev_parse(bare, ref.rev + "^{commit}")) return *id;
  }
  auto lookup = [&]() -> std::optional<std::string> {
    if (ref.rev.empty()) return rev_parse(bare, "refs/remotes/origin/HEAD^{commit}");
    if (auto id = rev_parse(bare, "refs/tags/" + ref.rev + "^{commit}")) return id;
    if (auto id = rev_parse(bare, "refs/remotes/origin/" + ref.rev + "^{commit}")) return id;
    if (ref.rev.size() >= 4 && ref.rev.size() <= 40 && is_hex(ref.rev)) return rev_parse(bare, ref.rev + "^{commit}");
    return std::nullopt;
  };
  if (options_.offline) {
    if (auto id = lookup()) {
      UVAUTH_DEBUG("offline: " << ref.requirement_url() << " is " << *id << " as the cache last saw it");
      return *id;
    }
  }
  // The remote HEAD only when the default branch is asked for: a server whose
  // HEAD names a branch that does not exist (a bare repository made with
  // another default branch) still serves its tags and branches.
  std::vector<std::string> refspecs{"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"};
  if (ref.rev.empty()) refspecs.emplace_back("+HEAD:refs/remotes/origin/HEAD");
  auto fetched = fetch(bare, ref, credentials, refspecs);
  if (!fetched) {
    if (ref.rev.empty() && fetched.error().message.find("couldn't find remote ref HEAD") != std::string::npos) {
      return Error(ErrorKind::resolution, ref.repository + " has no default branch (its HEAD names a branch that does not exist)")
          .with_hint("name a branch, tag or commit: " + ref.requirement_url() + "@BRANCH");
    }
    return std::move(fetched).error();
  }
  if (auto id = lookup()) return *id;
  if (ref.rev_is_commit()) {
    // Not on any branch or tag: ask for the commit itself (servers that allow it).
    if (fetch(bare, ref, credentials, {ref.rev})) {
      if (auto id = rev_parse(bare, ref.rev + "^{commit}")) return *id;
    }
  }
  return Error(ErrorKind::resolution, ref.repository + " has no " +
                                          (ref.rev.empty() ? std::string("default branch") : "branch, tag or commit '" + escape_nonprintable(ref.rev) + "'"));
}

bool GitCache::has_commit(const GitReference& ref, const std::string& commit) {
  if (commit.size() != 40 || !is_hex(commit)) return false;
  std::error_code ec;
  if (fs::exists(options_.bucket / "checkouts" / repo_dir(ref).filename() / commit / ".git", ec)) return true;
  const fs::path bare = repo_dir(ref);
  return fs::exists(bare / "HEAD", ec) && rev_parse(bare, commit + "^{commit}").has_value();
}

Result<fs::path> GitCache::checkout(const GitReference& ref, const std::string& commit, const std::optional<GitCredentials>& credentials) {
  if (commit.size() != 40 || !is_hex(commit)) {
    return Error(ErrorKind::parse, ref.requirement_url() + ": '" + escape_nonprintable(commit.substr(0, 80)) + "' is not a full commit id");
  }
  const fs::path bare = repo_dir(ref);
  const fs::path dir = options_.bucket / "checkouts" / bare.filename() / commit;
  std::error_code ec;
  // Submodules are not fetched: said every time, not only when first checked out.
  auto warn_submodules = [&] {
    std::error_code e;
    if (fs::exists(dir / ".gitmodules", e)) {
      UVAUTH_WARN(ref.repository << " at " << commit.substr(0, 12)
                                 << " has submodules (.gitmodules); uvauth does not fetch them, so a build sees their directories empty");
    }
    return dir;
  };
  if (fs::exists(dir / ".git", ec)) return warn_submodules();
  fs::create_directories(dir.parent_path(), ec);
  UVAUTH_TRY_ASSIGN(auto lock, FileLock::acquire(bare.string() + ".lock", "Git cache of " + ref.repository, std::chrono::seconds(600)));
  if (fs::exists(dir / ".git", ec)) return warn_submodules();
  UVAUTH_TRY(ensure_repository(bare, ref));
  if (!rev_parse(bare, commit + "^{commit}")) {
    UVAUTH_TRY(fetch(bare, ref, credentials, {"+refs/heads/*:refs/remotes/origin/*", "+refs/tags/*:refs/tags/*"}));
    if (!rev_parse(bare, commit + "^{commit}")) {
      auto direct = fetch(bare, ref, credentials, {commit});
      if (!rev_parse(bare, commit + "^{commit}")) {
        return Error(ErrorKind::resolution, ref.repository + " has no commit " + commit +
                                                (direct ? std::string() : " (asked for it directly: " + direct.error().message + ")"))
            .with_hint("was the history rewritten? lock again to take the branch's current commit");
      }
    }
  }
  const fs::path staging = dir.parent_path() / (".tmp-" + commit + "-" + std::to_string(::getpid()));
  fs::remove_all(staging, ec);
  GitReference local = ref;
  local.scheme = "file";
  auto cloned = run({"clone", "--quiet", "--no-checkout", "--shared", "--", bare.string(), staging.string()}, local, std::nullopt,
                    "checking out " + ref.repository + " at " + commit, false);
  if (cloned) {
    cloned = run({"-C", staging.string(), "-c", "advice.detachedHead=false", "checkout", "--quiet", "--detach", commit}, local, std::nullopt,
                 "checking out " + ref.repository + " at " + commit, false);
  }
  if (!cloned) {
    fs::remove_all(staging, ec);
    return std::move(cloned).error();
  }
  fs::rename(staging, dir, ec);
  if (ec) {
    fs::remove_all(staging, ec);
    if (!fs::exists(dir / ".git")) return Error(ErrorKind::io, "cannot move the checkout into " + dir.string() + ": " + ec.message());
  }
  return warn_submodules();
}

}  // namespace uvauth::git
