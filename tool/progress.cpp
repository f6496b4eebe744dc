#include "progress.hpp"

#include <unistd.h>

#include <atomic>
#include <iostream>

namespace uvauth::tool {
namespace {
std::atomic<bool> bar_drawn{false};
}  // namespace

std::function<void(const install::SyncProgress&)> progress_display(const GlobalOptions& options) {
  if (options.quiet) return {};
  if (::isatty(STDERR_FILENO)) {
    return [](const install::SyncProgress& p) {
      std::cerr << "\r\033[2K" << install::render_progress(p) << std::flush;
      bar_drawn = true;
    };
  }
  // Plain lines: when downloading starts, then every quarter of the installs.
  return [](const install::SyncProgress& p) {
    const std::size_t quarter = std::max<std::size_t>(1, p.to_install / 4);
    if (p.installed == 0 && p.downloaded == 1) std::cerr << "Downloading " << p.to_download << (p.to_download == 1 ? " wheel\n" : " wheels\n");
    if (p.installed > 0 && (p.installed % quarter == 0 || p.installed == p.to_install)) {
      std::cerr << "Installed " << p.installed << "/" << p.to_install << "\n";
    }
  };
}

void finish_progress() {
  if (bar_drawn.exchange(false)) std::cerr << "\r\033[2K" << std::flush;
}

}  // namespace uvauth::tool
