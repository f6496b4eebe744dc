#include "uvauth/process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>

extern char** environ;  // NOLINT: POSIX

namespace uvauth {

namespace {

constexpr std::string_view pinned_time_zone = "TZ=:/etc/localtime";
bool time_zone_pinned = false;  // written once, before any thread starts

Result<ProcessResult> run(const std::vector<std::string>& argv, const std::string* input, const ProcessOptions& options) {
  const std::chrono::milliseconds timeout = options.timeout;
  const std::size_t max_output = options.max_output;
  if (argv.empty()) return Error(ErrorKind::usage, "run_process: empty command");
  int in_pipe[2] = {-1, -1};
  if (input && ::pipe2(in_pipe, O_CLOEXEC) != 0) return Error(ErrorKind::io, std::string("pipe: ") + std::strerror(errno));
  int out_pipe[2];
  int err_pipe[2];
  if (::pipe2(out_pipe, O_CLOEXEC) != 0) return Error(ErrorKind::io, std::string("pipe: ") + std::strerror(errno));
  if (::pipe2(err_pipe, O_CLOEXEC) != 0) {
    ::close(out_pipe[0]);
    ::close(out_pipe[1]);
    return Error(ErrorKind::io, std::string("pipe: ") + std::strerror(errno));
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  if (input) {
    posix_spawn_file_actions_adddup2(&actions, in_pipe[0], 0);
  } else {
    posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
  }
  posix_spawn_file_actions_adddup2(&actions, out_pipe[1], 1);
  posix_spawn_file_actions_adddup2(&actions, options.merge_output ? out_pipe[1] : err_pipe[1], 2);
  if (!options.cwd.empty()) posix_spawn_file_actions_addchdir_np(&actions, options.cwd.c_str());
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
  posix_spawnattr_setpgroup(&attributes, 0);
  std::vector<std::string> args = argv;
  std::vector<char*> raw;
  for (auto& a : args) raw.push_back(a.data());
  raw.push_back(nullptr);
  std::vector<std::string> env_copy;
  std::vector<char*> env_raw;
  if (options.environment) {
    env_copy = *options.environment;
    for (auto& e : env_copy) env_raw.push_back(e.data());
  } else {
    for (char** entry = environ; entry && *entry; ++entry) {
      if (!is_pinned_time_zone(*entry)) env_raw.push_back(*entry);
    }
  }
  env_raw.push_back(nullptr);
  pid_t pid = 0;
  const int rc = ::posix_spawnp(&pid, raw[0], &actions, &attributes, raw.data(), env_raw.data());
  posix_spawn_file_actions_destroy(&actions);
  posix_spawnattr_destroy(&attributes);
  ::close(out_pipe[1]);
  ::close(err_pipe[1]);
  if (input) ::close(in_pipe[0]);
  if (rc != 0) {
    ::close(out_pipe[0]);
    ::close(err_pipe[0]);
    if (input) ::close(in_pipe[1]);
    return Error(ErrorKind::io, "cannot run `" + argv[0] + "`: " + std::strerror(rc));
  }
  if (input) {
    // Small requests fit the pipe; a child that never reads gets EPIPE, not us a hang.
    ::signal(SIGPIPE, SIG_IGN);
    std::size_t written = 0;
    while (written < input->size()) {
      const ssize_t n = ::write(in_pipe[1], input->data() + written, input->size() - written);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;
      written += static_cast<std::size_t>(n);
    }
    ::close(in_pipe[1]);
  }

  ProcessResult result;
  std::array<pollfd, 2> fds{pollfd{out_pipe[0], POLLIN, 0}, pollfd{err_pipe[0], POLLIN, 0}};
  std::array<std::string*, 2> sinks{&result.out, &result.err};
  int open_fds = 2;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  bool timed_out = false;
  std::array<char, 8192> buffer{};
  while (open_fds > 0) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      timed_out = true;
      break;
    }
    const int ready = ::poll(fds.data(), fds.size(), static_cast<int>(left.count()));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    for (std::size_t i = 0; i < fds.size(); ++i) {
      if (fds[i].fd < 0 || !(fds[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      const ssize_t n = ::read(fds[i].fd, buffer.data(), buffer.size());
      if (n > 0) {
        if (options.on_output) options.on_output(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
        const std::size_t room = max_output > sinks[i]->size() ? max_output - sinks[i]->size() : 0;
        sinks[i]->append(buffer.data(), std::min(room, static_cast<std::size_t>(n)));
      } else if (n == 0 || errno != EINTR) {
        ::close(fds[i].fd);
        fds[i].fd = -1;
        --open_fds;
      }
    }
  }
  for (auto& f : fds) {
    if (f.fd >= 0) ::close(f.fd);
  }
  if (timed_out) {
    ::kill(-pid, SIGKILL);  // the group: what the child started too
    ::kill(pid, SIGKILL);
  }
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (timed_out) {
    return Error(ErrorKind::timeout, "`" + argv[0] + "` did not finish within " +
                                         std::to_string(timeout.count() / 1000) + " s and was stopped");
  }
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return result;
}

}  // namespace

Result<ProcessResult> run_process(const std::vector<std::string>& argv, std::chrono::milliseconds timeout) {
  ProcessOptions options;
  options.timeout = timeout;
  return run(argv, nullptr, options);
}

Result<ProcessResult> run_process_with_input(const std::vector<std::string>& argv, const std::string& input,
                                             std::chrono::milliseconds timeout, std::size_t max_output) {
  ProcessOptions options;
  options.timeout = timeout;
  options.max_output = max_output;
  return run(argv, &input, options);
}

Result<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options) {
  return run(argv, nullptr, options);
}

void pin_time_zone() {
  if (time_zone_pinned || std::getenv("TZ") != nullptr) return;
  if (::setenv("TZ", std::string(pinned_time_zone.substr(3)).c_str(), 0) == 0) time_zone_pinned = true;
}

bool is_pinned_time_zone(std::string_view environment_entry) { return time_zone_pinned && environment_entry == pinned_time_zone; }

}  // namespace uvauth
