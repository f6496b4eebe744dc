// uvauth fetch URL [-o FILE] [--index NAME=URL]...: flags in, app::run_fetch, print.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "uvauth/app/fetch_command.hpp"

namespace uvauth::tool {

void register_fetch(CLI::App& app, RunState& state) {
  auto args = std::make_shared<app::FetchArguments>();
  auto output = std::make_shared<std::string>();
  CLI::App* cmd = app.add_subcommand("fetch", "Authenticated GET of one URL (like `curl -n`, with every credential source)");
  cmd->add_option("url", args->url, "The URL to fetch")->required();
  cmd->add_option("-o,--output", *output, "Write the body to this file (atomically) instead of stdout");
  cmd->add_option("--index", args->indexes, "An index, NAME=URL or URL (repeatable); its policy and credentials apply")
      ->expected(1)->allow_extra_args(false)->take_all();
  set_runner(cmd, state, [args, output, &state] {
    app::FetchArguments arguments = *args;
    if (!output->empty()) arguments.output = *output;
    arguments.session = session_options(state.global);
    auto outcome = app::run_fetch(arguments, state.env);
    if (!outcome) return report(outcome.error(), state.global);
    std::cout.write(outcome->body.data(), static_cast<std::streamsize>(outcome->body.size()));
    std::cout.flush();
    return 0;
  });
}

}  // namespace uvauth::tool
