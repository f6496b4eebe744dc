#include "progress.hpp"

#include <unistd.h>

#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <string>
#include <thread>

#include "uvauth/log.hpp"

namespace uvauth::tool {
namespace {

std::string megabytes(std::uint64_t bytes) {
  char text[32];
  std::snprintf(text, sizeof text, "%.1f MB", static_cast<double>(bytes) / 1e6);
  return text;
}

// The one display of the process: what is drawn, and a ticker that redraws
// the spinner and speeds while nothing else happens.
class Display {
 public:
  static Display& get() {
    static Display display;
    return display;
  }

  void start(bool quiet, bool tty, bool color) {
    {
      std::lock_guard lock(mutex_);
      quiet_ = quiet;
      tty_ = tty;
      color_ = color;
    }
    // (The logger's lock is taken before ours when it logs: never the other way.)
    if (!quiet) logger().set_sink([this](std::string_view line) { log(line); });
  }

  void resolve(const app::ResolveEvent& event) {
    std::unique_lock lock(mutex_);
    if (quiet_) return;
    if (!event.done) {
      resolving_ = true;
      resolve_started_ = std::chrono::steady_clock::now();
      if (tty_) {
        redraw_locked();
        start_ticker_locked();
      }
      return;
    }
    resolving_ = false;
    clear_locked();
    if (!event.failed) {
      char seconds[32];
      std::snprintf(seconds, sizeof seconds, "%.2f", event.seconds);
      std::cerr << "Resolved " << event.packages << " package" << (event.packages == 1 ? "" : "s") << " in " << seconds << "s\n";
    }
    redraw_locked();
  }

  void sync(const install::SyncProgress& p) {
    std::lock_guard lock(mutex_);
    if (quiet_) return;
    sync_ = p;
    have_sync_ = true;
    if (tty_) {
      start_ticker_locked();
      redraw_locked();
      return;
    }
    // Plain lines, each event once: downloading starts, a large file ends,
    // every quarter of the installs.
    if (p.to_download > 0 && !said_downloading_) {
      said_downloading_ = true;
      std::cerr << "Downloading " << p.to_download << (p.to_download == 1 ? " wheel" : " wheels")
                << (p.sizes_known && p.bytes_to_download > 0 ? " (" + megabytes(p.bytes_to_download) + ")" : std::string()) << "\n";
    }
    if (!p.finished_large.empty()) std::cerr << "Downloaded " << p.finished_large << "\n";
    const std::size_t quarter = std::max<std::size_t>(1, p.to_install / 4);
    if (p.installed > last_installed_said_ && (p.installed % quarter == 0 || p.installed == p.to_install)) {
      last_installed_said_ = p.installed;
      std::cerr << "Installed " << p.installed << "/" << p.to_install << "\n";
    }
  }

  void log(std::string_view line) {
    std::lock_guard lock(mutex_);
    clear_locked();
    if (color_ && line.rfind("warning: ", 0) == 0) {
      std::cerr << "\033[1;33mwarning\033[0m" << line.substr(7) << '\n';
    } else {
      std::cerr << line << '\n';
    }
    redraw_locked();
  }

  void finish() {
    logger().set_sink({});
    std::unique_lock lock(mutex_);
    stop_ = true;
    wake_.notify_all();
    std::thread ticker = std::move(ticker_);
    lock.unlock();
    if (ticker.joinable()) ticker.join();
    lock.lock();
    clear_locked();
    std::cerr << std::flush;
    have_sync_ = false;
    resolving_ = false;
    stop_ = false;
  }

 private:
  void start_ticker_locked() {
    if (ticker_.joinable()) return;
    ticker_ = std::thread([this] {
      std::unique_lock lock(mutex_);
      while (!stop_) {
        wake_.wait_for(lock, std::chrono::milliseconds(100));
        if (stop_) break;
        ++frame_;
        redraw_locked();
      }
    });
  }

  // Erases the lines drawn (cursor at the start of the first one after).
  void clear_locked() {
    if (!tty_ || drawn_ == 0) return;
    std::string out = "\r\033[2K";
    for (int i = 1; i < drawn_; ++i) out += "\033[1A\033[2K";
    std::cerr << out << std::flush;
    drawn_ = 0;
  }

  void redraw_locked() {
    if (!tty_ || quiet_) return;
    std::vector<std::string> lines;
    static const char* const spinner[] = {"|", "/", "-", "\\"};
    if (resolving_) lines.push_back(std::string(spinner[frame_ % 4]) + " Resolving dependencies...");
    if (have_sync_) {
      lines.push_back(install::render_progress(sync_));
      const auto now = std::chrono::steady_clock::now();
      for (const auto& d : sync_.large) {
        const double seconds = std::max(0.001, std::chrono::duration<double>(now - d.started).count());
        char line[512];
        std::snprintf(line, sizeof line, "  %s  %s / %s  %.1f MB/s", d.name.substr(0, 200).c_str(), megabytes(d.received).c_str(),
                      megabytes(d.size).c_str(), static_cast<double>(d.received) / 1e6 / seconds);
        lines.emplace_back(line);
      }
    }
    if (lines.empty()) return;
    std::string out = "\r\033[2K";
    for (int i = 1; i < drawn_; ++i) out += "\033[1A\033[2K";
    for (std::size_t i = 0; i < lines.size(); ++i) out += (i ? "\n" : "") + lines[i];
    std::cerr << out << std::flush;
    drawn_ = static_cast<int>(lines.size());
  }

  std::mutex mutex_;
  std::condition_variable wake_;
  std::thread ticker_;
  bool stop_ = false;
  bool quiet_ = true;
  bool tty_ = false;
  bool color_ = false;
  bool resolving_ = false;
  bool have_sync_ = false;
  bool said_downloading_ = false;
  std::size_t last_installed_said_ = 0;
  install::SyncProgress sync_;
  std::chrono::steady_clock::time_point resolve_started_;
  int drawn_ = 0;  // lines on screen now
  unsigned frame_ = 0;
};

}  // namespace

void start_progress(const GlobalOptions& options) {
  Display::get().start(options.quiet, ::isatty(STDERR_FILENO) != 0, options.use_color);
}

std::function<void(const app::ResolveEvent&)> resolve_display() {
  return [](const app::ResolveEvent& event) { Display::get().resolve(event); };
}

std::function<void(const install::SyncProgress&)> progress_display(const GlobalOptions& options) {
  if (options.quiet) return {};
  return [](const install::SyncProgress& p) { Display::get().sync(p); };
}

void finish_progress() { Display::get().finish(); }

}  // namespace uvauth::tool
