// uvauth fetch URL [-o FILE] [--index NAME=URL]...: one GET through the
// authenticated client, like `curl -n` with every credential source.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "uvauth/log.hpp"

namespace uvauth::tool {
namespace {

struct FetchArgs {
  std::string url;
  std::string output;
  std::vector<std::string> indexes;
};

int run_fetch(const FetchArgs& args, const GlobalOptions& global) {
  const auto env = config::Environment::from_process();
  auto url = Url::parse(args.url);
  if (!url) return report(Error(ErrorKind::usage, url.error().message));
  auto session = auth::Session::open(session_options(global, args.indexes), env);
  if (!session) return report(session.error());

  net::Request request;
  request.url = *url;
  if (!args.output.empty()) request.output_file = args.output;
  auto response = (*session)->client().fetch(std::move(request));
  if (!response) return report(response.error());
  if (!response->ok()) return report(net::status_error(*response));
  if (args.output.empty()) {
    std::cout.write(response->body.data(), static_cast<std::streamsize>(response->body.size()));
    std::cout.flush();
  }
  UVAUTH_DEBUG("fetched " << response->body_size << " bytes, sha256 " << response->sha256);
  return 0;
}

}  // namespace

void register_fetch(CLI::App& app, RunState& state) {
  auto args = std::make_shared<FetchArgs>();
  CLI::App* cmd = app.add_subcommand("fetch", "Authenticated GET of one URL (like `curl -n`, with every credential source)");
  cmd->add_option("url", args->url, "The URL to fetch")->required();
  cmd->add_option("-o,--output", args->output, "Write the body to this file (atomically) instead of stdout");
  cmd->add_option("--index", args->indexes, "An index, NAME=URL or URL (repeatable); its policy and credentials apply")->expected(1)->allow_extra_args(false)->take_all();
  set_runner(cmd, state, [args, &state] { return run_fetch(*args, state.global); });
}

}  // namespace uvauth::tool
