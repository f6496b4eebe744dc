#include "uvauth/auth/session.hpp"

#include "uvauth/auth/keychain.hpp"
#include "uvauth/log.hpp"

namespace uvauth::auth {

NamedUrl split_index_argument(std::string_view text) {
  const auto eq = text.find('=');
  if (eq != std::string_view::npos) {
    const std::string_view name = text.substr(0, eq);
    if (!name.empty() && name.find_first_of(":/") == std::string_view::npos) {
      return NamedUrl{std::string(name), std::string(text.substr(eq + 1))};
    }
  }
  return NamedUrl{"", std::string(text)};
}

Result<bool> native_auth_enabled(const SessionOptions& options, const config::Settings& settings,
                                 const config::Environment& env) {
  return config::preview_enabled("native-auth", options.preview, options.no_preview, env, settings.preview);
}

Result<std::unique_ptr<Session>> Session::open(const SessionOptions& options, const config::Environment& env) {
  std::unique_ptr<Session> session(new Session());
  if (options.settings) {
    session->settings_ = *options.settings;
  } else {
    auto settings = config::load_settings(options.settings_source);
    if (!settings) return std::move(settings).error();
    session->settings_ = std::move(settings).value();
  }

  auto network = config::network_settings(env);
  if (!network) return std::move(network).error();
  std::optional<net::ClientOptions> client_options = net::ClientOptions::from(*network);
  std::vector<std::string> insecure = options.allow_insecure_hosts;
  insecure.insert(insecure.end(), session->settings_.allow_insecure_hosts.begin(), session->settings_.allow_insecure_hosts.end());
  for (const auto& host : insecure) {
    if (host.find("://") == std::string::npos) {
      client_options->insecure_hosts.push_back(host);
      continue;
    }
    auto url = Url::parse(host);
    if (!url) return Error(ErrorKind::usage, "--allow-insecure-host: " + url.error().message);
    client_options->insecure_hosts.push_back(url->host_port());
  }

  auto locations = config::credential_locations(env);
  if (!locations) return std::move(locations).error();
  std::optional<AuthSettings> auth_settings = AuthSettings::from(*locations);
  std::optional<std::string> keyring = options.keyring_provider;
  if (!keyring && !locations->keyring_provider) keyring = session->settings_.keyring_provider;
  if (keyring) {
    if (*keyring == "subprocess") {
      auth_settings->keyring_executable = "keyring";
    } else {
      auth_settings->keyring_executable.reset();
    }
  }
  UVAUTH_TRY_ASSIGN(auth_settings->system_keychain, native_auth_enabled(options, session->settings_, env));
  if (options.authenticate) {
    auto policy = parse_policy(*options.authenticate);
    if (!policy) return Error(ErrorKind::usage, "--authenticate must be auto, always or never");
    auth_settings->default_policy = *policy;
  }

  // -v: where credentials are looked for (paths only, never what is in them).
  if (logger().enabled(Verbosity::debug)) {
    std::error_code ec;
    auto where = [&ec](const std::optional<std::filesystem::path>& file) {
      if (!file) return std::string("none");
      return file->string() + (std::filesystem::exists(*file, ec) ? "" : " (not there)");
    };
    UVAUTH_DEBUG("credentials: netrc file " << where(auth_settings->netrc_file) << "; credentials store "
                                           << where(auth_settings->store_file) << "; system keychain "
                                           << (auth_settings->system_keychain ? std::string(SystemKeychain::backend())
                                                                              : std::string("off (native-auth preview not enabled)"))
                                           << "; keyring "
                                           << (auth_settings->keyring_executable ? "`" + *auth_settings->keyring_executable + "` (subprocess)"
                                                                                 : std::string("disabled")));
  }

  // Configured indexes first: a command-line URL under the same root then
  // takes the configured index's policy and credentials.
  IndexSet indexes;
  std::vector<config::IndexDeclaration> declarations = session->settings_.indexes;
  declarations.insert(declarations.end(), options.declared_indexes.begin(), options.declared_indexes.end());
  for (const auto& declared : declarations) {
    auto url = Url::parse(declared.url);
    if (!url) return Error(ErrorKind::config, declared.origin + ": " + url.error().message);
    const AuthPolicy policy = parse_policy(declared.authenticate.value_or("auto")).value_or(AuthPolicy::automatic);
    auto variables = config::read_index_variables(env, declared.name);
    if (!variables) return std::move(variables).error();
    if (!variables->credential_helper) variables->credential_helper = declared.credential_helper;  // the variable wins
    auto added = indexes.add(declared.name, *url, policy, *variables);
    if (!added) return Error(ErrorKind::config, declared.origin + ": " + added.error().message);
  }
  for (const auto& argument : options.indexes) {
    const NamedUrl index = split_index_argument(argument);
    auto url = Url::parse(index.url);
    if (!url) return Error(ErrorKind::usage, "--index " + redact_userinfo_in_text(argument) + ": " + url.error().message);
    auto variables = config::read_index_variables(env, index.name);
    if (!variables) return std::move(variables).error();
    auto added = indexes.add(index.name, *url, AuthPolicy::automatic, *variables);
    if (!added) return std::move(added).error();
  }

  session->auth_ = std::make_shared<AuthMiddleware>(std::move(auth_settings).value(), std::move(indexes));
  session->client_ = std::make_unique<net::Client>(std::move(client_options).value());
  session->client_->set_middleware(session->auth_);
  return session;
}

}  // namespace uvauth::auth
