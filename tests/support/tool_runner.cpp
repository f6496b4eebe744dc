#include "tool_runner.hpp"
#include "uvauth/lock/pylock.hpp"

#include <cstdlib>

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>

extern char** environ;  // NOLINT: POSIX

namespace uvauth::testing {
namespace {

std::string slurp(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

}  // namespace

// UVAUTH_TEST_TOOL runs the tests against another build of the tool (e.g.
// an older one, to see a regression test fail there).
std::string tool_path() {
  if (const char* other = std::getenv("UVAUTH_TEST_TOOL"); other && *other) return other;
  return UVAUTH_TOOL_PATH;
}

ToolRun run_tool(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                 const std::string& stdin_text, const std::string& working_directory) {
  namespace fs = std::filesystem;
  std::array<char, 64> name_template{};
  std::snprintf(name_template.data(), name_template.size(), "/tmp/uvauth-tool-XXXXXX");
  if (!mkdtemp(name_template.data())) throw std::runtime_error("mkdtemp failed");
  const fs::path dir(name_template.data());
  std::ofstream(dir / "stdin") << stdin_text;

  // The environment: ours, with `env` applied.
  std::map<std::string, std::string> merged;
  for (char** e = environ; e && *e; ++e) {
    std::string entry(*e);
    const auto eq = entry.find('=');
    if (eq != std::string::npos) merged[entry.substr(0, eq)] = entry.substr(eq + 1);
  }
  for (const auto& [k, v] : env) {
    if (v.empty()) merged.erase(k); else merged[k] = v;
  }
  std::vector<std::string> env_strings;
  for (const auto& [k, v] : merged) env_strings.push_back(k + "=" + v);
  std::vector<char*> envp;
  for (auto& s : env_strings) envp.push_back(s.data());
  envp.push_back(nullptr);

  std::vector<std::string> argv_strings{tool_path()};
  argv_strings.insert(argv_strings.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (auto& s : argv_strings) argv.push_back(s.data());
  argv.push_back(nullptr);

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 0, (dir / "stdin").c_str(), O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, 1, (dir / "stdout").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_addopen(&actions, 2, (dir / "stderr").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (!working_directory.empty()) posix_spawn_file_actions_addchdir_np(&actions, working_directory.c_str());
  pid_t pid = 0;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error(std::string("cannot run uvauth: ") + std::strerror(rc));
  int status = 0;
  waitpid(pid, &status, 0);

  ToolRun run;
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  run.out = slurp(dir / "stdout");
  run.err = slurp(dir / "stderr");
  fs::remove_all(dir);
  return run;
}

std::string locked_pins(const std::string& lock_file) {
  std::ifstream in(lock_file);
  std::stringstream text;
  text << in.rdbuf();
  auto lock = lock::Lock::parse(text.str(), lock_file);
  if (!lock) return "unreadable: " + lock.error().message;
  std::string out;
  for (const auto& p : lock->packages) out += (out.empty() ? "" : " ") + p.name + "==" + p.version.to_string();
  return out;
}

}  // namespace uvauth::testing
