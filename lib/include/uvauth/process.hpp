// Running a helper program (keyring, the target Python) with a time limit,
// capturing what it prints.
#pragma once

#include <chrono>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "uvauth/error.hpp"

namespace uvauth {

struct ProcessResult {
  int exit_code = -1;  // 128+signal when killed
  std::string out;
  std::string err;
};

// Runs argv[0] (looked up on PATH) with stdin from /dev/null. Errors only
// when it cannot be started or outlives `timeout` (it is then killed).
Result<ProcessResult> run_process(const std::vector<std::string>& argv,
                                  std::chrono::milliseconds timeout = std::chrono::seconds(60));

// The same with `input` on stdin (small: it is written before the output is
// read) and the output capped at `max_output` bytes per stream (the rest is
// read and dropped).
Result<ProcessResult> run_process_with_input(const std::vector<std::string>& argv, const std::string& input,
                                             std::chrono::milliseconds timeout, std::size_t max_output = std::size_t{1} << 20);

// A child with more said about how it runs (a PEP 517 build backend).
struct ProcessOptions {
  std::chrono::milliseconds timeout = std::chrono::seconds(60);
  std::filesystem::path cwd;                            // empty: this process's
  std::optional<std::vector<std::string>> environment;  // "NAME=value" entries; nullopt: this process's
  std::size_t max_output = std::size_t{64} << 20;       // per stream; the rest is read and dropped
  bool merge_output = false;                            // stderr into stdout, in order (a build log)
  // Called with each chunk of output as it arrives (a -v display).
  std::function<void(std::string_view)> on_output;
};

// The child runs in a process group of its own: on timeout the whole group
// (a backend's compilers too) is killed.
Result<ProcessResult> run_process(const std::vector<std::string>& argv, const ProcessOptions& options);

// With TZ unset, glibc stats /etc/localtime on every mktime(), and libzip
// calls mktime twice per wheel member (central and local header): 41,000
// stats in a cold install of 20,000 files. Called first thing in main (no
// thread yet), this sets TZ=:/etc/localtime (the same zone) when TZ is unset.
// Children never see it: run_process and Environment::from_process leave the
// entry out, so their environment is exactly the user's.
void pin_time_zone();
// True for the "TZ=..." entry pin_time_zone added (false when the user set TZ).
bool is_pinned_time_zone(std::string_view environment_entry);

}  // namespace uvauth
