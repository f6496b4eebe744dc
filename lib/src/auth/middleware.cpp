#include "uvauth/auth/middleware.hpp"

#include "uvauth/log.hpp"

namespace uvauth::auth {
namespace {

// What the auth layer remembers about one request across its hops and attempts.
struct ExchangeState {
  int looked_up_on_hop = -1;        // a look-up retry was made on this hop
  bool remember_on_success = false;  // the attached credentials are to be cached if they work
  bool explicit_credentials = false; // complete credentials came with the URL or the index
  std::string probe_key;             // this exchange is the first to its index or realm
  std::vector<Credentials> refused;  // rejected with 401/403 in this exchange
  std::vector<std::string> refused_sources;  // "user 'alice' from netrc file ...", for the error
  std::string current_source;        // where the attached credentials came from
  bool helper_refresh = false;       // the next before_send runs the credential helper afresh
  bool helper_refreshed = false;     // it did, in this exchange
};

ExchangeState& state_of(net::Exchange& exchange) {
  if (!exchange.state.has_value()) exchange.state = ExchangeState{};
  return std::any_cast<ExchangeState&>(exchange.state);
}

std::string describe(const AuthIndex* index) {
  if (!index) return "URLs outside every index";
  return index->name.empty() ? "index " + index->url.redacted() : "index '" + index->name + "'";
}

void attach(net::Request& request, const Credentials& credentials) {
  request.authorization = credentials.to_authorization();
}

// Where credentials for `url` can be put, in commands that work as written:
// the index's own variables and a login for the index's root (which the
// store then matches), or the URL's origin outside every index.
std::string where_credentials_go(const Url& url, const AuthIndex* index) {
  const std::string variables = index && !index->name.empty()
                                    ? index_env_prefix(index->name) + "_USERNAME / " + index_env_prefix(index->name) + "_PASSWORD"
                                    : std::string("UV_INDEX_<NAME>_USERNAME / _PASSWORD (for a named index)");
  std::string service = index ? index->root.without_userinfo() : url.origin();
  if (service.empty() || service.back() != '/') service += '/';
  return "provide credentials in netrc (machine " + url.host() + "), in " + variables + ", or with `uvauth auth login " +
         service + " --username USER`";
}

// Under `always`, nothing found: nothing is sent.
Error missing_credentials(const Url& url, const AuthIndex* index, const std::optional<std::string>& username) {
  if (username) {
    return Error(ErrorKind::auth, "Incomplete credentials for " + url.redacted() + ": user '" + *username +
                                      "' has no password in any source")
        .with_hint(where_credentials_go(url, index));
  }
  return Error(ErrorKind::auth, "Missing credentials for " + url.redacted())
      .with_hint((index ? describe(index) + " has" : std::string("the default policy (--authenticate) is")) +
                 " authenticate = \"always\", so nothing was sent without credentials")
      .with_hint(where_credentials_go(url, index));
}

bool is_auth_status(long status) { return status == 401 || status == 403 || status == 404; }

}  // namespace

AuthSettings AuthSettings::from(const config::CredentialLocations& locations) {
  AuthSettings settings;
  settings.netrc_file = locations.netrc_file;
  if (locations.store_directory) settings.store_file = CredentialStore::file_in(*locations.store_directory);
  if (locations.keyring_provider == "subprocess") settings.keyring_executable = "keyring";
  return settings;
}

CredentialSources default_sources(const AuthSettings& settings) {
  CredentialSources sources;
  if (settings.netrc_file) sources.push_back(std::make_unique<NetrcSource>(*settings.netrc_file));
  if (settings.store_file) sources.push_back(std::make_unique<TextStoreSource>(*settings.store_file));
  if (settings.system_keychain) sources.push_back(std::make_unique<KeychainSource>());
  if (settings.keyring_executable) sources.push_back(std::make_unique<KeyringSource>(*settings.keyring_executable));
  return sources;
}

AuthMiddleware::AuthMiddleware(AuthSettings settings, IndexSet indexes)
    : settings_(std::move(settings)), indexes_(std::move(indexes)), sources_(default_sources(settings_)) {}

AuthMiddleware::AuthMiddleware(AuthSettings settings, IndexSet indexes, CredentialSources sources)
    : settings_(std::move(settings)), indexes_(std::move(indexes)), sources_(std::move(sources)) {}

int AuthMiddleware::lookups() const {
  std::lock_guard lock(lookup_mutex_);
  return lookups_;
}

AuthMiddleware::Target AuthMiddleware::target_of(const net::Request& request) const {
  Target target;
  target.index = indexes_.find(request.url, request.tag);
  target.policy = target.index ? target.index->policy : settings_.default_policy;
  return target;
}

Status AuthMiddleware::before_send(net::Request& request, net::Exchange& exchange) {
  ExchangeState& state = state_of(exchange);
  const Url& url = request.url;
  const Target target = target_of(request);

  if (target.policy == AuthPolicy::never) {
    request.authorization.reset();
    if (url.has_userinfo()) {
      return Error(ErrorKind::auth, "credentials were given in " + url.redacted() + ", but " +
                                        describe(target.index) + " has authenticate = \"never\"")
          .with_hint("remove them from the URL, or set authenticate to \"auto\" or \"always\"");
    }
    UVAUTH_DEBUG("authenticate = never for " << url.redacted() << ": no credentials");
    return {};
  }
  // A credential helper answers for its index: its headers, nothing else.
  if (target.index && target.index->helper) {
    if (!request.secret_headers.empty() && exchange.hop > 0) return {};  // same origin: kept
    UVAUTH_TRY_ASSIGN(auto headers, target.index->helper->headers(url, state.helper_refresh));
    state.helper_refresh = false;
    if (headers.empty() && target.policy == AuthPolicy::always) {
      return Error(ErrorKind::auth, "Missing credentials for " + url.redacted() + ": the credential helper `" +
                                        target.index->helper->command() + "` of " + describe(target.index) + " gave no headers")
          .with_hint(describe(target.index) + " has authenticate = \"always\", so nothing was sent without credentials");
    }
    request.authorization.reset();
    request.secret_headers = std::move(headers);
    UVAUTH_DEBUG("using " << request.secret_headers.size() << " header" << (request.secret_headers.size() == 1 ? "" : "s")
                          << " from the credential helper of " << describe(target.index) << " for " << url.redacted());
    state.current_source = "the credential helper `" + target.index->helper->command() + "`";
    return {};
  }
  // A resend after a look-up, or a redirect within the origin, carries its credentials already.
  if (request.authorization && (exchange.resend > 0 || exchange.hop > 0)) return {};

  auto from_url = Credentials::from_url(url);
  if (!from_url) return std::move(from_url).error();
  std::optional<std::string> username;
  if (*from_url) {
    if ((*from_url)->is_authenticated()) {
      UVAUTH_DEBUG("using " << (*from_url)->describe() << " from the URL " << url.redacted());
      attach(request, **from_url);
      state.current_source = "the URL";
      state.remember_on_success = true;
      state.explicit_credentials = true;
      return {};
    }
    username = (*from_url)->username;
  } else if (target.index && target.index->credentials) {
    const Credentials& own = *target.index->credentials;
    if (own.is_authenticated()) {
      UVAUTH_DEBUG("using " << own.describe() << " of " << describe(target.index)
                            << " (from its URL or UV_INDEX_*) for " << url.redacted());
      attach(request, own);
      state.current_source = target.index->name.empty() ? std::string("the index URL")
                                                        : index_env_prefix(target.index->name) + "_* or the index URL";
      state.remember_on_success = true;
      state.explicit_credentials = true;
      return {};
    }
    username = own.username;
  }

  if (auto cached = known(url, target.index, username); cached && cached->is_authenticated()) {
    UVAUTH_DEBUG("using cached " << cached->describe() << " for " << url.redacted());
    attach(request, *cached);
    state.current_source = "credentials that worked for this host";
    return {};
  }

  if (target.policy == AuthPolicy::always || username) {
    if (auto found = lookup(url, target, username); found && found->credentials.is_authenticated()) {
      attach(request, found->credentials);
      state.current_source = found->source;
      state.remember_on_success = true;
      return {};
    }
    if (target.policy == AuthPolicy::always) return missing_credentials(url, target.index, username);
    UVAUTH_DEBUG("no password found for user '" << *username << "'; sending the user name alone to "
                                                << url.redacted());
    attach(request, Credentials::basic(username, std::nullopt));
    return {};
  }
  UVAUTH_DEBUG("sending an unauthenticated request to " << url.redacted() << " (authenticate = auto)");
  return {};
}

Result<std::optional<SourcedCredentials>> AuthMiddleware::credentials_for(const Url& url) {
  net::Request request;
  request.url = url;
  const Target target = target_of(request);
  if (target.policy == AuthPolicy::never) {
    if (url.has_userinfo()) {
      return Error(ErrorKind::auth, "credentials were given in " + url.redacted() + ", but " + describe(target.index) +
                                        " has authenticate = \"never\"")
          .with_hint("remove them from the URL, or set authenticate to \"auto\" or \"always\"");
    }
    return std::optional<SourcedCredentials>{};
  }
  if (target.index && target.index->helper) {
    return Error(ErrorKind::auth, url.redacted() + " is under " + describe(target.index) + ", whose credentials come from the helper `" +
                                      target.index->helper->command() + "` as HTTP headers; git takes only a user name and password")
        .with_hint("give git's host its own credentials (netrc, the credentials store), outside the helper's index");
  }
  auto from_url = Credentials::from_url(url);
  if (!from_url) return std::move(from_url).error();
  std::optional<std::string> username;
  if (*from_url) {
    if ((*from_url)->is_authenticated()) return std::optional<SourcedCredentials>(SourcedCredentials{**from_url, "the URL"});
    username = (*from_url)->username;
  } else if (target.index && target.index->credentials) {
    const Credentials& own = *target.index->credentials;
    if (own.is_authenticated()) {
      return std::optional<SourcedCredentials>(SourcedCredentials{
          own, target.index->name.empty() ? std::string("the index URL") : index_env_prefix(target.index->name) + "_* or the index URL"});
    }
    username = own.username;
  }
  if (auto cached = known(url, target.index, username); cached && cached->is_authenticated()) {
    return std::optional<SourcedCredentials>(SourcedCredentials{*cached, "credentials that worked for this host"});
  }
  if (auto found = lookup(url, target, username); found && found->credentials.is_authenticated()) {
    return std::optional<SourcedCredentials>(SourcedCredentials{found->credentials, found->source});
  }
  if (target.policy == AuthPolicy::always) return missing_credentials(url, target.index, username);
  return std::optional<SourcedCredentials>{};
}

bool AuthMiddleware::should_resend(net::Request& request, const net::Response& response, net::Exchange& exchange) {
  if (!is_auth_status(response.status)) return false;
  const Target target = target_of(request);
  if (target.policy == AuthPolicy::never) return false;
  ExchangeState& state = state_of(exchange);
  if (target.index && target.index->helper) {
    // Refused: the helper is asked once more (a token refresh), then the answer stands.
    if ((response.status != 401 && response.status != 403) || state.helper_refreshed) {
      if (response.status == 401 || response.status == 403) {
        state.refused_sources.push_back("the answer of the credential helper `" + target.index->helper->command() + "`");
      }
      return false;
    }
    UVAUTH_DEBUG("HTTP " << response.status << " from " << request.url.redacted() << ": asking the credential helper again");
    state.helper_refreshed = true;
    state.helper_refresh = true;
    request.secret_headers.clear();
    return true;
  }
  const bool rejected = response.status == 401 || response.status == 403;
  if (request.authorization && rejected) {
    const Credentials sent = Credentials::from_authorization(*request.authorization);
    state.refused.push_back(sent);
    state.refused_sources.push_back((sent.username ? "user '" + *sent.username + "'" : std::string("a token")) + " from " +
                                    (state.current_source.empty() ? std::string("the request") : state.current_source));
  }
  if (state.explicit_credentials && request.authorization) {
    UVAUTH_DEBUG("HTTP " << response.status << " from " << request.url.redacted()
                         << " with the credentials given explicitly; not looking further");
    return false;
  }
  // A 404 with credentials is an answer (the project is not there); only
  // one look-up follows an unauthenticated 404 on each hop.
  if (!rejected || !request.authorization) {
    if (state.looked_up_on_hop == exchange.hop) return false;
    state.looked_up_on_hop = exchange.hop;
  }
  std::optional<std::string> username;
  if (request.authorization && !request.authorization->username.empty()) username = request.authorization->username;
  auto usable = [&](const Credentials& candidate) {
    return candidate.is_authenticated() &&
           (!request.authorization || Credentials::from_authorization(*request.authorization) != candidate) &&
           std::find(state.refused.begin(), state.refused.end(), candidate) == state.refused.end();
  };
  // Something other than what was refused: what worked in the realm, else
  // the look-up chain, else (after a rejection) the chain's next source.
  std::optional<Sourced> found;
  if (auto cached = cache_.by_realm(Realm::of(request.url), username); cached && usable(*cached)) {
    found = Sourced{*cached, "credentials that worked for this host"};
  }
  if (!found) {
    if (auto first = lookup(request.url, target, username); first && usable(first->credentials)) found = first;
  }
  if (!found && rejected && !state.refused.empty()) {
    // Another user of another source too, unless the URL or the index named the user.
    const bool user_named = request.url.has_username() ||
                            (target.index && target.index->credentials && target.index->credentials->username);
    std::lock_guard lock(lookup_mutex_);
    found = chain(request.url, target, username, state.refused);
    if (!found && username && !user_named) found = chain(request.url, target, std::nullopt, state.refused);
    if (found && !found->credentials.is_authenticated()) found.reset();
  }
  if (!found) {
    UVAUTH_DEBUG("HTTP " << response.status << " from " << request.url.redacted() << ": no other credentials found");
    return false;
  }
  UVAUTH_DEBUG("HTTP " << response.status << " from " << request.url.redacted() << ": retrying with "
                       << found->credentials.describe() << " from " << found->source);
  attach(request, found->credentials);
  state.current_source = found->source;
  state.remember_on_success = true;
  return true;
}

void AuthMiddleware::on_final_response(const net::Request& request, net::Response& response, net::Exchange& exchange) {
  if (response.status != 401 && response.status != 403) return;
  const Target target = target_of(request);
  if (target.index) {
    response.authority = target.index->name.empty() ? "index " + target.index->url.without_userinfo()
                                                    : "index '" + target.index->name + "'";
  }
  response.credentials_hint = where_credentials_go(request.url, target.index);
  if (!exchange.state.has_value()) return;
  const ExchangeState& state = state_of(exchange);
  std::string text;
  for (const auto& s : state.refused_sources) text += (text.empty() ? "" : ", then ") + s;
  response.rejected = text;
}

bool AuthMiddleware::hold(net::Request& request, net::Exchange& exchange) {
  const Target target = target_of(request);
  if (target.policy != AuthPolicy::automatic || request.url.has_userinfo()) return false;
  if (target.index && target.index->helper) return false;  // the helper answers; nothing to probe
  if (target.index && target.index->credentials) return false;
  if (known(request.url, target.index, std::nullopt)) return false;
  const std::string key = target.index ? "index " + target.index->url.identity() : "realm " + Realm::of(request.url).to_string();
  std::lock_guard lock(probe_mutex_);
  auto [it, first] = probes_.emplace(key, true);
  if (first) {
    state_of(exchange).probe_key = key;  // this one finds out
    return false;
  }
  return it->second;  // wait while the probe is out
}

void AuthMiddleware::on_complete(net::Exchange& exchange) {
  if (!exchange.state.has_value()) return;
  const std::string& key = state_of(exchange).probe_key;
  if (key.empty()) return;
  std::lock_guard lock(probe_mutex_);
  probes_[key] = false;
}

void AuthMiddleware::on_success(const net::Request& request, const net::Response&, net::Exchange& exchange) {
  if (!request.authorization || !state_of(exchange).remember_on_success) return;
  const Credentials credentials = Credentials::from_authorization(*request.authorization);
  if (!credentials.is_authenticated()) return;
  UVAUTH_TRACE("remembering " << credentials.describe() << " for " << request.url.redacted());
  cache_.insert(request.url, credentials);
}

std::optional<Credentials> AuthMiddleware::known(const Url& url, const AuthIndex* index,
                                                 const std::optional<std::string>& username) const {
  if (auto cached = cache_.by_url(url, username)) return cached;
  // Under a known index, whatever worked in its realm is known for it too.
  if (index) return cache_.by_realm(Realm::of(url), username);
  return std::nullopt;
}

std::optional<AuthMiddleware::Sourced> AuthMiddleware::lookup(const Url& url, const Target& target,
                                                              const std::optional<std::string>& username) {
  const std::string key = (target.index ? "index " + target.index->url.without_userinfo()
                                        : "realm " + Realm::of(url).to_string()) +
                          " user " + username.value_or("*");
  std::lock_guard lock(lookup_mutex_);
  if (auto it = looked_up_.find(key); it != looked_up_.end()) {
    UVAUTH_TRACE("reusing the look-up for " << key << (it->second ? "" : " (nothing found)"));
    return it->second;
  }
  ++lookups_;
  UVAUTH_DEBUG("looking up credentials for " << url.redacted() << (username ? " (user '" + *username + "')" : ""));
  auto found = chain(url, target, username, {});
  if (!found) UVAUTH_DEBUG("no credentials found for " << url.redacted());
  looked_up_[key] = found;
  return found;
}

std::optional<AuthMiddleware::Sourced> AuthMiddleware::chain(const Url& url, const Target& target,
                                                             const std::optional<std::string>& username,
                                                             const std::vector<Credentials>& refused) {
  const LookupContext context{target.index, target.policy};
  for (const auto& source : sources_) {
    auto found = source->find(url, context, username);
    if (found && std::find(refused.begin(), refused.end(), *found) == refused.end()) {
      return Sourced{std::move(*found), source->describe()};
    }
  }
  return std::nullopt;
}

}  // namespace uvauth::auth
