#include "uvauth/auth/keyring.hpp"

#include <atomic>
#include <iostream>

#include "uvauth/log.hpp"
#include "uvauth/process.hpp"

namespace uvauth::auth {
namespace {

std::string first_line(std::string_view text, std::size_t* rest = nullptr) {
  const auto end = text.find('\n');
  std::string line(text.substr(0, end));
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (rest) *rest = end == std::string_view::npos ? text.size() : end + 1;
  return line;
}

}  // namespace

std::optional<Credentials> KeyringProvider::fetch(const Url& url, const std::optional<std::string>& username) const {
  const Url clean = url.with_userinfo_removed().with_fragment_removed();
  UVAUTH_DEBUG("checking keyring for " << (username ? *username + "@" : "") << clean.redacted());
  if (auto found = fetch_service(clean.without_userinfo(), username)) return found;
  const std::string host = url.host_port();
  UVAUTH_DEBUG("checking keyring for host " << host);
  if (auto found = fetch_service(host, username)) return found;
  if (url.scheme() != "https") {
    const std::string scheme_host = url.scheme() + "://" + host;
    UVAUTH_DEBUG("checking keyring for " << scheme_host);
    return fetch_service(scheme_host, username);
  }
  return std::nullopt;
}

std::optional<Credentials> KeyringProvider::fetch_service(const std::string& service,
                                                          const std::optional<std::string>& username) const {
  std::vector<std::string> argv{executable_, "get", service};
  if (username) {
    argv.push_back(*username);
  } else {
    argv.push_back("--mode");
    argv.push_back("creds");
  }
  auto run = run_process(argv, std::chrono::seconds(60));
  if (!run) {
    UVAUTH_WARN("failure running the `keyring` command: " << run.error().message);
    return std::nullopt;
  }
  if (run->exit_code != 0) {
    if (run->err.find("unrecognized arguments: --mode") != std::string::npos) {
      static std::atomic<bool> warned{false};
      if (!warned.exchange(true)) {
        UVAUTH_WARN("Attempted to fetch credentials using the `keyring` command, but it does not support "
                    "`--mode creds`; upgrade to `keyring>=v25.2.1` or provide a username");
      }
    } else if (!run->err.empty()) {
      UVAUTH_DEBUG("keyring: " << first_line(run->err));
    }
    return std::nullopt;
  }
  if (!run->err.empty()) std::cerr << run->err;  // keyring's own messages, as uv shows them
  std::string user;
  std::string password;
  if (username) {
    user = *username;
    password = first_line(run->out);
  } else {
    std::size_t rest = 0;
    user = first_line(run->out, &rest);
    if (rest >= run->out.size()) {
      UVAUTH_WARN("got a user name without password for `" << service << "` from the `keyring` command");
      return std::nullopt;
    }
    password = first_line(std::string_view(run->out).substr(rest));
  }
  if (password.empty()) UVAUTH_WARN("got an empty password for `" << user << "@" << service << "` from the `keyring` command");
  UVAUTH_DEBUG("found credentials in keyring for " << user << "@" << service);
  return Credentials::basic(user, Secret(password));
}

}  // namespace uvauth::auth
