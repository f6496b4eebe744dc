// uvauth: the command-line tool. It parses arguments, calls the library and
// prints; all behaviour lives in libuvauth.
#include <CLI/CLI.hpp>

#include <algorithm>
#include <iostream>
#include <thread>

#include "commands.hpp"
#include "uvauth/net/client.hpp"
#include "uvauth/process.hpp"
#include "uvauth/text.hpp"
#include "uvauth/url.hpp"
#include "uvauth/version.hpp"

namespace {

// The deepest subcommand the command line chose (the app itself if none).
CLI::App* chosen_command(CLI::App& app) {
  CLI::App* at = &app;
  for (int depth = 0; depth < 8; ++depth) {
    auto parsed = at->get_subcommands();
    if (parsed.empty()) break;
    at = parsed.front();
  }
  return at;
}

// "did you mean" for words the parser did not take: a flag among the
// command's (and the global) flags, a word among its subcommands.
std::string suggestion(CLI::App& app, const std::vector<std::string>& words) {
  CLI::App* command = chosen_command(app);
  std::vector<std::string> flags;
  std::vector<std::string> commands;
  for (CLI::App* at : {command, &app}) {
    for (const CLI::Option* o : at->get_options()) {
      for (const auto& name : o->get_lnames()) flags.push_back("--" + name);
    }
  }
  for (const CLI::App* sub : command->get_subcommands([](CLI::App*) { return true; })) commands.push_back(sub->get_name());
  for (const auto& word : words) {
    const bool flag = word.rfind("--", 0) == 0;
    const std::string key = flag ? word.substr(0, word.find('=')) : word;
    const auto& pool = flag ? flags : commands;
    const std::vector<std::string_view> candidates(pool.begin(), pool.end());
    // An exact match is a known word used wrongly (a missing value): no suggestion.
    if (std::find(pool.begin(), pool.end(), key) != pool.end()) continue;
    std::string best = uvauth::closest_match(key, candidates, key.size() <= 4 ? 1 : 2);
    if (best.empty() && key.size() >= 5) {  // a word cut short: the one candidate it begins
      std::vector<std::string> longer;
      for (const auto& c : pool) {
        if (c.rfind(key, 0) == 0 && std::find(longer.begin(), longer.end(), c) == longer.end()) longer.push_back(c);
      }
      if (longer.size() == 1) best = longer.front();
    }
    if (!best.empty()) return "did you mean `" + best + "`? (`" + uvauth::escape_nonprintable(key) + "` is not a " +
                              (flag ? "flag of " : "command of ") + (command == &app ? "uvauth" : "`" + command->get_name() + "`") + ")";
  }
  return {};
}

// The first word of the command line that is neither a flag nor a flag's value.
std::string first_plain_word(CLI::App& app, int argc, char** argv) {
  for (int i = 1; i < argc; ++i) {
    const std::string word = argv[i];
    if (word.empty()) continue;
    if (word[0] != '-') return word;
    if (word.find('=') != std::string::npos) continue;
    const CLI::Option* option = app.get_option_no_throw(word);
    if (option && option->get_type_size() != 0) ++i;  // its value
  }
  return {};
}

// What to type instead of one of uv's commands that uvauth names otherwise
// (`uv pip install` is `uvauth install`) or does not have; empty for others.
std::string instead_of_uv(const std::string& command, const std::string& next) {
  const std::string all = "uvauth's commands: fetch, auth, lock, sync, install, tree, list, export, cache";
  if (command == "pip") {
    if (next == "install") return "`uv pip install` is `uvauth install REQ... --target DIR | --venv DIR`";
    if (next == "sync") return "`uv pip sync` is `uvauth sync --lock pylock.toml --venv DIR --exact` (from a lock), or `uvauth install -r FILE --venv DIR --exact`";
    if (next == "compile") return "`uv pip compile` is `uvauth lock -r FILE -o pylock.toml` (then `uvauth export` for a requirements.txt)";
    if (next == "list" || next == "freeze") return "`uv pip " + next + "` is `uvauth list --venv DIR" + (next == "freeze" ? " --format freeze`" : "`");
    if (next == "tree") return "`uv pip tree` is `uvauth tree`";
    return "uvauth has no `pip` command: `uv pip install` is `uvauth install`, `uv pip sync` is `uvauth sync`, `uv pip compile` is `uvauth lock`, `uv pip list` is `uvauth list`";
  }
  if (command == "venv") return "uvauth has no `venv` command: `uvauth sync --venv DIR` or `uvauth install --venv DIR` creates the venv";
  if (command == "compile") return "`uv pip compile` is `uvauth lock -r FILE -o pylock.toml`";
  for (const char* uv_only : {"add", "remove", "run", "init", "python", "tool", "build", "publish", "self", "version"}) {
    if (command == uv_only) return "uv's `" + command + "` has no counterpart in uvauth; " + all;
  }
  return {};
}

// The global flags, listed under every subcommand's --help.
std::string global_flags_footer(CLI::App& app) {
  std::string out = "Global flags (before or after the command):\n";
  for (const CLI::Option* o : app.get_options()) {
    if (o->get_lnames().empty()) continue;
    std::string name = o->get_name(false, true);
    if (o->get_type_size() != 0) name += " " + o->get_type_name();
    out += "  " + name;
    if (name.size() < 32) out += std::string(32 - name.size(), ' ');
    out += " " + o->get_description() + "\n";
  }
  return out;
}

void add_footer(CLI::App* command, const std::string& footer) {
  for (CLI::App* sub : command->get_subcommands([](CLI::App*) { return true; })) {
    sub->footer(footer);
    add_footer(sub, footer);
  }
}

using Register = void (*)(CLI::App&, uvauth::tool::RunState&);
struct Command {
  const char* name;
  Register add;
  // Always sends requests (sync does not when its wheels are cached), and
  // asks nothing of the interpreter first: libcurl is loaded at once. `lock`
  // and `install` load it themselves, just after the interpreter query's
  // thread is made (net::start_loading_curl says why).
  bool network;
};
constexpr Command commands[] = {
    {"fetch", uvauth::tool::register_fetch, true},      {"auth", uvauth::tool::register_auth, false},
    {"lock", uvauth::tool::register_lock, false},       {"sync", uvauth::tool::register_sync, false},
    {"install", uvauth::tool::register_install, false}, {"tree", uvauth::tool::register_tree, false},
    {"list", uvauth::tool::register_list, false},       {"export", uvauth::tool::register_export, false},
    {"cache", uvauth::tool::register_cache, false},
};

// The one command a command line can name: the only word of argv that is a
// command's name (none when two such words appear, as a command and a value).
const Command* sole_command(int argc, char** argv) {
  const Command* found = nullptr;
  for (int i = 1; i < argc; ++i) {
    for (const Command& c : commands) {
      if (std::string_view(argv[i]) != c.name) continue;
      if (found) return nullptr;
      found = &c;
    }
  }
  return found;
}

constexpr int retry_with_every_command = -1;

// Parses and runs. With `only`, just that command is registered (setting up
// every command's flags is a tenth of a no-op `uvauth sync`); a command line
// it does not take (help, a typo, a command word used as a value) comes back
// as retry_with_every_command before anything ran, and is parsed again with
// every command, whose messages and suggestions name them all.
int run(int argc, char** argv, const Command* only) {
  CLI::App app{"uvauth: authenticated Python package fetching, locking and installing for CMake projects", "uvauth"};
  app.set_version_flag("-V,--version", std::string("uvauth ") + uvauth::version);
  app.require_subcommand(1);
  app.fallthrough();  // global flags are accepted after the subcommand too

  uvauth::tool::RunState state;
  state.env = uvauth::config::Environment::from_process();  // the one snapshot every command reads
  uvauth::tool::add_global_options(app, state.global);
  for (const Command& c : commands) {
    if (!only || only == &c) c.add(app, state);
  }
  add_footer(&app, global_flags_footer(app));

  try {
    app.parse(argc, argv);
  } catch (const CLI::Error&) {
    if (only && !state.started) return retry_with_every_command;
    try {
      throw;
    } catch (const CLI::CallForHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
      return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
      return app.exit(e);
    } catch (const CLI::ParseError& e) {
      const std::string what = e.what();
      const bool no_command = what.find("subcommand is required") != std::string::npos;
      // A word where the command goes that is none: named, as uv names it.
      std::string word = first_plain_word(app, argc, argv);
      const bool is_command = std::any_of(std::begin(commands), std::end(commands), [&](const Command& c) { return word == c.name; });
      if (is_command) word.clear();
      if (!word.empty()) {
        std::cerr << "error: unrecognized subcommand '" << uvauth::escape_nonprintable(uvauth::redact_userinfo_in_text(word)) << "'\n";
        std::string next;
        for (int i = 1; i + 1 < argc; ++i) {
          if (argv[i] == word) {
            next = argv[i + 1];
            break;
          }
        }
        if (const std::string instead = instead_of_uv(word, next); !instead.empty()) {
          std::cerr << "hint: " << instead << '\n';
          std::cerr << "hint: run `uvauth --help` for usage\n";
          return 2;
        }
      } else if (CLI::App* chosen = chosen_command(app); no_command && chosen != &app) {
        // `uvauth cache size`: the word after the command is not one of its subcommands.
        std::string sub;
        bool after = false;
        for (int i = 1; i < argc && sub.empty(); ++i) {
          const std::string w = argv[i];
          if (after && !w.empty() && w[0] != '-') sub = w;
          if (w == chosen->get_name()) after = true;
        }
        if (sub.empty()) {
          std::cerr << "error: `uvauth " << chosen->get_name() << "` needs a subcommand\n";
        } else {
          std::cerr << "error: unrecognized subcommand '" << uvauth::escape_nonprintable(uvauth::redact_userinfo_in_text(sub)) << "' of `uvauth "
                    << chosen->get_name() << "`\n";
        }
        std::string subs;
        for (const CLI::App* c : chosen->get_subcommands([](CLI::App*) { return true; })) subs += (subs.empty() ? "" : ", ") + c->get_name();
        if (!subs.empty()) std::cerr << "hint: `uvauth " << chosen->get_name() << "` takes: " << subs << '\n';
      } else {
        std::cerr << "error: " << uvauth::escape_nonprintable(uvauth::redact_userinfo_in_text(what)) << '\n';
      }
      // The words the parser named, or (a missing subcommand) every plain word.
      std::vector<std::string> words;
      for (int i = 1; i < argc; ++i) {
        const std::string word = argv[i];
        if (word.empty()) continue;
        if (no_command ? word[0] != '-' : what.find(word) != std::string::npos) words.push_back(word);
      }
      const std::string hint = suggestion(app, words);
      if (!hint.empty()) std::cerr << "hint: " << hint << '\n';
      std::string path;
      for (const CLI::App* at = chosen_command(app); at && at != &app; at = at->get_parent()) path = at->get_name() + " " + path;
      std::cerr << "hint: run `uvauth " << path << "--help` for usage\n";
      return 2;
    }
  }
  return state.exit_code;
}

}  // namespace

int main(int argc, char** argv) {
  uvauth::pin_time_zone();  // before any thread: setenv is not thread-safe
  // `uvauth help [COMMAND]`, as `uv help [COMMAND]`: that command's --help.
  std::vector<char*> args(argv, argv + argc);
  static char help_flag[] = "--help";
  if (argc >= 2 && std::string_view(argv[1]) == "help") {
    args.erase(args.begin() + 1);
    args.push_back(help_flag);
    argc = static_cast<int>(args.size());
    argv = args.data();
  }
  const Command* only = sole_command(argc, argv);
  // libcurl and the 20-odd libraries under it take 10-15 ms to map and
  // initialise: for a command that goes to the network that happens on a
  // second thread while the settings are read and the interpreter is found.
  if (only && only->network) uvauth::net::start_loading_curl();
  int code = retry_with_every_command;
  if (only) code = run(argc, argv, only);
  if (code == retry_with_every_command) code = run(argc, argv, nullptr);
  uvauth::net::finish_loading_curl();
  return code;
}
