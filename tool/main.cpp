// uvauth: the command-line tool. It parses arguments, calls the library and
// prints; all behaviour lives in libuvauth.
#include <CLI/CLI.hpp>

#include <iostream>

#include "commands.hpp"
#include "uvauth/text.hpp"
#include "uvauth/url.hpp"
#include "uvauth/version.hpp"

int main(int argc, char** argv) {
  CLI::App app{"uvauth: authenticated Python package fetching, locking and installing for CMake projects"};
  app.set_version_flag("-V,--version", std::string("uvauth ") + uvauth::version);
  app.require_subcommand(1);
  app.fallthrough();  // global flags are accepted after the subcommand too

  uvauth::tool::RunState state;
  uvauth::tool::add_global_options(app, state.global);
  uvauth::tool::register_fetch(app, state);
  uvauth::tool::register_auth(app, state);
  uvauth::tool::register_lock(app, state);
  uvauth::tool::register_sync(app, state);
  uvauth::tool::register_install(app, state);
  uvauth::tool::register_cache(app, state);

  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForVersion& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    std::cerr << "error: " << uvauth::escape_nonprintable(uvauth::redact_userinfo_in_text(e.what())) << "\nhint: run `uvauth --help` for usage\n";
    return 2;
  }
  return state.exit_code;
}
