#include "uvauth/app/fetch_command.hpp"

#include "uvauth/log.hpp"

namespace uvauth::app {

Result<FetchOutcome> run_fetch(const FetchArguments& a, const config::Environment& env) {
  auto url = Url::parse(a.url);
  if (!url) return Error(ErrorKind::usage, "URL: " + url.error().message);
  auth::SessionOptions options = a.session;
  options.indexes.insert(options.indexes.end(), a.indexes.begin(), a.indexes.end());
  UVAUTH_TRY_ASSIGN(auto session, auth::Session::open(options, env));

  net::Request request;
  request.url = *url;
  if (a.output) request.output_file = *a.output;
  UVAUTH_TRY_ASSIGN(auto response, session->client().fetch(std::move(request)));
  if (!response.ok()) return net::status_error(response);
  UVAUTH_DEBUG("fetched " << response.body_size << " bytes, sha256 " << response.sha256);
  return FetchOutcome{a.output ? std::string() : std::move(response.body), response.body_size, response.sha256};
}

}  // namespace uvauth::app
