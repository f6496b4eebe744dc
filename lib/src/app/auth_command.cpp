#include "uvauth/app/auth_command.hpp"

#include "uvauth/app/configuration.hpp"
#include "uvauth/auth/source.hpp"
#include "uvauth/auth/store.hpp"
#include "uvauth/config/locations.hpp"
#include "uvauth/text.hpp"

namespace uvauth::app {
namespace {

using auth::CredentialStore;
using auth::Credentials;

Result<std::filesystem::path> store_file(const config::Environment& env) {
  auto dir = config::credentials_store_directory(env);
  if (!dir) return std::move(dir).error();
  return CredentialStore::file_in(*dir);
}

Error usage(std::string message) { return Error(ErrorKind::usage, std::move(message)); }

// Where auth commands read and write: the system keychain under uv's
// native-auth preview, else uv's credentials store.
Result<std::unique_ptr<auth::CredentialSource>> backend(const AuthArguments& args, const config::Environment& env) {
  auth::SessionOptions session = args.session;
  std::optional<std::string> project;
  std::optional<std::filesystem::path> cache_dir;
  bool no_cache = false;
  bool offline = false;
  const CommonOptions common{&session, &project, &cache_dir, &no_cache, &offline};
  UVAUTH_TRY_ASSIGN(auto configuration, configure(common, env));
  UVAUTH_TRY_ASSIGN(bool native, auth::native_auth_enabled(session, configuration.settings, env));
  if (native) return std::unique_ptr<auth::CredentialSource>(std::make_unique<auth::KeychainSource>());
  UVAUTH_TRY_ASSIGN(auto file, store_file(env));
  return std::unique_ptr<auth::CredentialSource>(std::make_unique<auth::TextStoreSource>(file));
}

// The Listed entry's service as a URL (the keychain's "host:port" is https).
std::optional<Url> listed_url(const std::string& service) {
  auto url = Url::parse(service.find("://") == std::string::npos ? "https://" + service : service);
  if (!url) return std::nullopt;
  return std::move(url).value();
}

// The user name from --username or the service URL (not both), else `fallback`.
Result<std::optional<std::string>> choose_username(const AuthArguments& args, const Url& service,
                                                   std::optional<std::string> fallback) {
  std::optional<std::string> from_url;
  if (service.has_username()) from_url = service.username();
  if (args.username && from_url) {
    return usage("Cannot specify a username both via the URL and CLI; found `--username " + *args.username +
                 "` and `" + *from_url + "`");
  }
  if (args.username) return std::optional<std::string>(args.username);
  if (from_url) return std::optional<std::string>(from_url);
  return fallback;
}

std::string display(const std::string& username, const Url& service) {
  const std::string url = service.with_userinfo_removed().without_userinfo();
  return username == "__token__" ? url : username + "@" + url;
}

// The users stored for the host of `service` (any path), for "did you mean".
std::vector<std::string> users_for(auth::CredentialSource& source, const Url& service) {
  std::vector<std::string> out;
  auto listed = source.list();
  if (!listed) return out;
  for (const auto& entry : *listed) {
    const auto url = listed_url(entry.service);
    if (!url || url->scheme() != service.scheme() || url->host_port() != service.host_port()) continue;
    std::string line = "`" + entry.username + "` for " + escape_nonprintable(entry.service);
    if (std::find(out.begin(), out.end(), line) == out.end()) out.push_back(std::move(line));
  }
  return out;
}

// The error for a missing entry, with the users that are stored for the
// host when none was named.
Error not_found(Error error, const AuthArguments& args, auth::CredentialSource& source, const Url& service) {
  if (args.username || service.has_username()) return error;
  const auto users = users_for(source, service);
  if (users.empty()) return error;
  std::string list;
  for (std::size_t i = 0; i < users.size(); ++i) list += (i ? ", " : "") + users[i];
  return std::move(error)
      .with_hint("no --username was given, so the user `__token__` was looked for; stored for this host: " + list)
      .with_hint("pass `--username USER`");
}

Result<AuthOutcome> login(const AuthArguments& args, const config::Environment& env, const AuthTerminal& terminal) {
  const bool can_prompt = terminal.can_prompt && terminal.prompt && terminal.can_prompt();
  UVAUTH_TRY_ASSIGN(Url service, CredentialStore::normalize_service(args.service));
  UVAUTH_TRY_ASSIGN(std::optional<std::string> username,
                    choose_username(args, service, args.token ? std::optional<std::string>("__token__") : std::nullopt));
  if (args.token && username && *username != "__token__") {
    return usage("When using `--token`, a username cannot be provided; found: " + *username);
  }
  if (!username) {
    if (!can_prompt) return usage("No username provided; did you mean to provide `--username` or `--token`?");
    username = terminal.prompt("username: ", false);
    if (!username) return usage("No username provided");
  }
  if (username->empty()) return usage("Username cannot be empty");

  const std::optional<std::string> url_password =
      service.has_password() ? std::optional<std::string>(service.password().reveal()) : std::nullopt;
  if (args.password && url_password) return usage("Cannot specify a password both via the URL and CLI");
  if (args.password && args.token) return usage("Cannot specify a password via `--password` when using `--token`");
  if (url_password && args.token) return usage("Cannot include a password in the URL when using `--token`");
  std::optional<std::string> secret = args.token ? args.token : args.password ? args.password : url_password;
  if (secret && *secret == "-" && !url_password) {
    secret = terminal.read_stdin_line ? terminal.read_stdin_line() : std::string();
  }
  if (!secret) {
    if (!can_prompt) return usage("No password provided; did you mean to provide `--password` or `--token`?");
    secret = terminal.prompt("password: ", true);
    if (!secret) return usage("No password provided");
  }
  if (secret->empty()) return usage("Password cannot be empty");

  UVAUTH_TRY_ASSIGN(auto source, backend(args, env));
  UVAUTH_TRY(source->store(service.with_userinfo_removed(), Credentials::basic(*username, Secret(std::move(*secret)))));
  AuthOutcome out;
  out.stderr_text = "Stored credentials for " + display(*username, service) + "\n";
  return out;
}

// What logout and token both start from: the service, the user (default
// __token__, as in uv) and the store file.
struct ServiceUser {
  Url service;
  std::string username;
  std::unique_ptr<auth::CredentialSource> source;
};

Result<ServiceUser> service_user(const AuthArguments& args, bool to_root, const config::Environment& env) {
  UVAUTH_TRY_ASSIGN(Url service, CredentialStore::normalize_service(args.service, to_root));
  UVAUTH_TRY_ASSIGN(auto chosen, choose_username(args, service, std::string("__token__")));
  const std::string username = chosen.value_or("__token__");
  if (username.empty()) return usage("Username cannot be empty");
  UVAUTH_TRY_ASSIGN(auto source, backend(args, env));
  return ServiceUser{std::move(service), username, std::move(source)};
}

Result<AuthOutcome> logout(const AuthArguments& args, const config::Environment& env) {
  UVAUTH_TRY_ASSIGN(auto target, service_user(args, true, env));
  UVAUTH_TRY_ASSIGN(bool removed, target.source->remove(target.service.with_userinfo_removed(), target.username));
  if (!removed) {
    return not_found(usage("No matching entry found for " + display(target.username, target.service)), args,
                     *target.source, target.service);
  }
  AuthOutcome out;
  out.stderr_text = "Removed credentials for " + display(target.username, target.service) + "\n";
  return out;
}

Result<AuthOutcome> token(const AuthArguments& args, const config::Environment& env) {
  UVAUTH_TRY_ASSIGN(auto target, service_user(args, false, env));
  auto found = target.source->find(target.service.with_userinfo_removed(), {}, target.username);
  if (!found) {
    return not_found(Error(ErrorKind::auth, "Failed to fetch credentials for " + display(target.username, target.service)),
                     args, *target.source, target.service);
  }
  if (!found->password) {
    return Error(ErrorKind::auth, std::string("No ") + (target.username == "__token__" ? "token" : "password") +
                                      " found for " + display(target.username, target.service));
  }
  AuthOutcome out;
  out.secret = *found->password;
  return out;
}

Result<AuthOutcome> list(const AuthArguments& args, const config::Environment& env) {
  UVAUTH_TRY_ASSIGN(auto source, backend(args, env));
  UVAUTH_TRY_ASSIGN(auto entries, source->list());
  AuthOutcome out;
  if (entries.empty()) out.stderr_text = "No credentials stored in " + source->describe() + "\n";
  for (const auto& entry : entries) out.stdout_text += escape_nonprintable(entry.service + " " + entry.username) + "\n";
  return out;
}

}  // namespace

Result<AuthOutcome> run_auth(AuthAction action, const AuthArguments& arguments, const config::Environment& env,
                             const AuthTerminal& terminal) {
  switch (action) {
    case AuthAction::login: return login(arguments, env, terminal);
    case AuthAction::logout: return logout(arguments, env);
    case AuthAction::token: return token(arguments, env);
    case AuthAction::list: return list(arguments, env);
    case AuthAction::dir: {
      UVAUTH_TRY_ASSIGN(auto dir, config::credentials_store_directory(env));
      return AuthOutcome{dir.string() + "\n", "", std::nullopt};
    }
  }
  return Error(ErrorKind::usage, "unknown auth action");
}

}  // namespace uvauth::app
