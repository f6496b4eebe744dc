// uvauth auth login|logout|token|dir|list: uv's credentials store, with
// uv's rules and messages.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "uvauth/config/locations.hpp"
#include "prompt.hpp"
#include "uvauth/auth/store.hpp"

namespace uvauth::tool {
namespace {

using auth::CredentialStore;
using auth::Credentials;

struct AuthArgs {
  std::string service;
  std::optional<std::string> username;
  std::optional<std::string> password;
  std::optional<std::string> token;
};

Result<std::filesystem::path> store_file(const config::Environment& env) {
  auto dir = config::credentials_store_directory(env);
  if (!dir) return std::move(dir).error();
  return CredentialStore::file_in(*dir);
}

Error usage(std::string message) { return Error(ErrorKind::usage, std::move(message)); }

// The user name from --username or the service URL (not both), else `fallback`.
Result<std::optional<std::string>> choose_username(const AuthArgs& args, const Url& service,
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

int run_login(const AuthArgs& args) {
  const auto env = config::Environment::from_process();
  auto service = CredentialStore::normalize_service(args.service);
  if (!service) return report(service.error());
  auto chosen = choose_username(args, *service, args.token ? std::optional<std::string>("__token__") : std::nullopt);
  if (!chosen) return report(chosen.error());
  std::optional<std::string> username = *chosen;
  if (args.token && username && *username != "__token__") {
    return report(usage("When using `--token`, a username cannot be provided; found: " + *username));
  }
  if (!username) {
    if (!can_prompt()) return report(usage("No username provided; did you mean to provide `--username` or `--token`?"));
    username = prompt_line("username: ", false);
    if (!username) return report(usage("No username provided"));
  }
  if (username->empty()) return report(usage("Username cannot be empty"));

  const std::optional<std::string> url_password =
      service->has_password() ? std::optional<std::string>(service->password().reveal()) : std::nullopt;
  if (args.password && url_password) return report(usage("Cannot specify a password both via the URL and CLI"));
  if (args.password && args.token) return report(usage("Cannot specify a password via `--password` when using `--token`"));
  if (url_password && args.token) return report(usage("Cannot include a password in the URL when using `--token`"));
  std::optional<std::string> secret = args.token ? args.token : args.password ? args.password : url_password;
  if (secret && *secret == "-" && !url_password) secret = read_stdin_line();
  if (!secret) {
    if (!can_prompt()) return report(usage("No password provided; did you mean to provide `--password` or `--token`?"));
    secret = prompt_line("password: ", true);
    if (!secret) return report(usage("No password provided"));
  }
  if (secret->empty()) return report(usage("Password cannot be empty"));

  auto file = store_file(env);
  if (!file) return report(file.error());
  auto lock = CredentialStore::lock(*file);
  if (!lock) return report(lock.error());
  auto store = CredentialStore::load(*file);
  if (!store) return report(store.error());
  store->insert(*service, Credentials::basic(*username, Secret(std::move(*secret))));
  if (auto saved = store->save(*file); !saved) return report(saved.error());
  std::cerr << "Stored credentials for " << display(*username, *service) << '\n';
  return 0;
}

// What logout and token both start from: the service, the user (default
// __token__, as in uv) and the store file.
struct ServiceUser {
  Url service;
  std::string username;
  std::filesystem::path file;
};

Result<ServiceUser> service_user(const AuthArgs& args, bool to_root) {
  auto service = CredentialStore::normalize_service(args.service, to_root);
  if (!service) return std::move(service).error();
  auto chosen = choose_username(args, *service, std::string("__token__"));
  if (!chosen) return std::move(chosen).error();
  const std::string username = chosen->value_or("__token__");
  if (username.empty()) return usage("Username cannot be empty");
  auto file = store_file(config::Environment::from_process());
  if (!file) return std::move(file).error();
  return ServiceUser{std::move(service).value(), username, std::move(file).value()};
}

int run_logout(const AuthArgs& args) {
  auto target = service_user(args, true);
  if (!target) return report(target.error());
  const auto& [service, username, file] = *target;
  auto lock = CredentialStore::lock(file);
  if (!lock) return report(lock.error());
  auto store = CredentialStore::load(file);
  if (!store) return report(store.error());
  if (!store->remove(service, username)) {
    return report(usage("No matching entry found for " + display(username, service)));
  }
  if (auto saved = store->save(file); !saved) return report(saved.error());
  std::cerr << "Removed credentials for " << display(username, service) << '\n';
  return 0;
}

int run_token(const AuthArgs& args) {
  auto target = service_user(args, false);
  if (!target) return report(target.error());
  const auto& [service, username, file] = *target;
  auto store = CredentialStore::load(file);
  if (!store) return report(store.error());
  auto found = store->find(service.with_userinfo_removed(), username);
  if (!found) return report(Error(ErrorKind::auth, "Failed to fetch credentials for " + display(username, service)));
  if (!found->password) {
    return report(Error(ErrorKind::auth, std::string("No ") + (username == "__token__" ? "token" : "password") +
                                             " found for " + display(username, service)));
  }
  std::cout << found->password->reveal() << '\n';
  return 0;
}

int run_dir() {
  auto dir = config::credentials_store_directory(config::Environment::from_process());
  if (!dir) return report(dir.error());
  std::cout << dir->string() << '\n';
  return 0;
}

int run_list() {
  auto file = store_file(config::Environment::from_process());
  if (!file) return report(file.error());
  auto store = CredentialStore::load(*file);
  if (!store) return report(store.error());
  if (store->entries().empty()) std::cerr << "No credentials stored in " << file->string() << '\n';
  for (const auto& entry : store->entries()) {
    std::cout << entry.service.without_userinfo() << ' '
              << (entry.credentials.scheme == Credentials::Scheme::bearer ? std::string("(bearer token)")
                                                                          : entry.credentials.username.value_or(""))
              << '\n';
  }
  return 0;
}

// A subcommand that takes SERVICE and --username.
CLI::App* add_service_command(CLI::App* auth, const char* name, const char* description, AuthArgs& args,
                              const char* username_help) {
  CLI::App* cmd = auth->add_subcommand(name, description);
  cmd->add_option("service", args.service, "The index or host, e.g. pypi.example.com or https://host/simple")
      ->required();
  cmd->add_option("--username,-u", args.username, username_help);
  return cmd;
}

}  // namespace

void register_auth(CLI::App& app, RunState& state) {
  CLI::App* auth = app.add_subcommand("auth", "Manage credentials in uv's credentials store");
  auth->require_subcommand(1);
  auto args = std::make_shared<AuthArgs>();

  CLI::App* login = add_service_command(auth, "login", "Store credentials for a service", *args, "The user name");
  login->add_option("--password", args->password, "The password, or - to read it from stdin");
  login->add_option("--token,-t", args->token, "A token (user __token__), or - to read it from stdin");
  set_runner(login, state, [args] { return run_login(*args); });

  CLI::App* logout = add_service_command(auth, "logout", "Remove stored credentials for a service", *args,
                                         "The user name (default __token__)");
  set_runner(logout, state, [args] { return run_logout(*args); });

  CLI::App* token = add_service_command(auth, "token", "Print the stored secret for a service on stdout", *args,
                                        "The user name (default __token__)");
  set_runner(token, state, [args] { return run_token(*args); });

  set_runner(auth->add_subcommand("dir", "Print the credentials store directory"), state, run_dir);
  set_runner(auth->add_subcommand("list", "List stored services and user names (never secrets)"), state, run_list);
}

}  // namespace uvauth::tool
