// uvauth auth login|logout|token|dir|list: flags in, app::run_auth, print.
#include <iostream>
#include <memory>

#include "commands.hpp"
#include "prompt.hpp"
#include "uvauth/app/auth_command.hpp"

namespace uvauth::tool {
namespace {

// A subcommand that takes SERVICE and --username.
CLI::App* add_service_command(CLI::App* auth, const char* name, const char* description, app::AuthArguments& args,
                              const char* username_help) {
  CLI::App* cmd = auth->add_subcommand(name, description);
  cmd->add_option("service", args.service, "The index or host, e.g. pypi.example.com or https://host/simple")->required();
  cmd->add_option("--username,-u", args.username, username_help);
  return cmd;
}

}  // namespace

void register_auth(CLI::App& app, RunState& state) {
  CLI::App* auth = app.add_subcommand("auth", "Manage credentials in uv's credentials store (the system keychain under --preview-features native-auth)");
  auth->require_subcommand(1);
  auto args = std::make_shared<app::AuthArguments>();
  auto run = [args, &state](app::AuthAction action) {
    return [action, args, &state] {
      const app::AuthTerminal terminal{can_prompt, prompt_line, read_stdin_line};
      args->session = session_options(state.global);
      auto outcome = app::run_auth(action, *args, state.env, terminal);
      if (!outcome) return report(outcome.error(), state.global);
      if (outcome->secret) std::cout << outcome->secret->reveal() << '\n';
      std::cout << outcome->stdout_text << std::flush;
      if (!state.global.quiet) std::cerr << outcome->stderr_text;
      return 0;
    };
  };

  CLI::App* login = add_service_command(auth, "login", "Store credentials for a service", *args, "The user name");
  login->add_option("--password", args->password, "The password, or - to read it from stdin");
  login->add_option("--token,-t", args->token, "A token (user __token__), or - to read it from stdin");
  set_runner(login, state, run(app::AuthAction::login));
  set_runner(add_service_command(auth, "logout", "Remove stored credentials for a service", *args, "The user name (default __token__)"),
             state, run(app::AuthAction::logout));
  set_runner(add_service_command(auth, "token", "Print the stored secret for a service on stdout", *args, "The user name (default __token__)"),
             state, run(app::AuthAction::token));
  set_runner(auth->add_subcommand("dir", "Print the credentials store directory"), state, run(app::AuthAction::dir));
  set_runner(auth->add_subcommand("list", "List stored services and user names (never secrets)"), state, run(app::AuthAction::list));
}

}  // namespace uvauth::tool
