// uvauth cache dir|clean|prune
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "commands.hpp"
#include "uvauth/app/cache_command.hpp"

namespace uvauth::tool {

void register_cache(CLI::App& app, RunState& state) {
  CLI::App* cache = app.add_subcommand("cache", "Manage the cache");
  cache->require_subcommand(1);
  static std::vector<std::string> packages;  // `cache clean NAME...`
  auto run = [&state](app::CacheAction action) {
    return [action, &state] {
      auto outcome = app::run_cache(action, state.global.cache_dir.empty() ? std::nullopt
                                                                           : std::optional<std::filesystem::path>(state.global.cache_dir),
                                    state.env, packages);
      if (!outcome) return report(outcome.error(), state.global);
      if (!outcome->stdout_text.empty()) std::cout << outcome->stdout_text;
      if (!outcome->stderr_text.empty() && !state.global.quiet) std::cerr << outcome->stderr_text;
      return 0;
    };
  };
  set_runner(cache->add_subcommand("dir", "Print the cache directory"), state, run(app::CacheAction::dir));
  CLI::App* clean = cache->add_subcommand("clean", "Remove everything in the cache, or (as `uv cache clean NAME`) only what belongs to the named projects");
  clean->add_option("package", packages, "Projects whose pages, metadata, wheels, unpacked trees and sdists go (all of the cache when none)");
  set_runner(clean, state, run(app::CacheAction::clean));
  set_runner(cache->add_subcommand("prune", "Remove what no current layout uses (old layout versions, leftovers)"), state,
             run(app::CacheAction::prune));
}

}  // namespace uvauth::tool
