#include "temp_home.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "nginx_fixture.hpp"

namespace uvauth::testing {
namespace fs = std::filesystem;

TempHome::TempHome() {
  static std::atomic<int> counter{0};
  root_ = fs::temp_directory_path() /
          ("uvauth-home-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(root_);
  fs::create_directories(root_ / "bin");
}

TempHome::~TempHome() {
  std::error_code ec;
  fs::remove_all(root_, ec);
}

fs::path TempHome::write(const std::string& relative, const std::string& content, bool executable) const {
  const fs::path file = root_ / relative;
  fs::create_directories(file.parent_path());
  std::ofstream(file, std::ios::binary) << content;
  if (executable) fs::permissions(file, fs::perms::owner_all, fs::perm_options::add);
  return file;
}

void TempHome::install_keyring(const std::string& service, const std::string& user, const std::string& password,
                               bool supports_mode) {
  std::ostringstream script;
  script << "#!/bin/sh\n"
         << "printf '%s|' \"$@\" >> '" << (root_ / "keyring.log").string() << "'\n"
         << "echo >> '" << (root_ / "keyring.log").string() << "'\n"
         << "[ \"$1\" = get ] || exit 2\n";
  if (!supports_mode) {
    script << "if [ \"$3\" = --mode ]; then echo 'keyring: error: unrecognized arguments: --mode creds' >&2; exit 2; fi\n";
  }
  script << "if [ \"$2\" = '" << service << "' ] && [ \"$3\" = --mode ]; then printf '%s\\n%s\\n' '" << user << "' '"
         << password << "'; exit 0; fi\n"
         << "if [ \"$2\" = '" << service << "' ] && [ \"$3\" = '" << user << "' ]; then printf '%s\\n' '" << password
         << "'; exit 0; fi\n"
         << "exit 1\n";
  write("bin/keyring", script.str(), true);
}

std::string TempHome::keyring_log() const {
  std::ifstream in(root_ / "keyring.log");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

std::map<std::string, std::string> TempHome::env(std::map<std::string, std::string> extra) const {
  const char* path = std::getenv("PATH");
  std::map<std::string, std::string> env{
      {"HOME", root_.string()},
      {"NETRC", (root_ / ".netrc").string()},
      {"UV_CREDENTIALS_DIR", (root_ / "credentials").string()},
      {"PATH", (root_ / "bin").string() + ":" + (path ? path : "/usr/bin:/bin")},
      {"SSL_CERT_FILE", NginxFixture::get().ca_file},
      {"XDG_DATA_HOME", ""},
      {"UV_KEYRING_PROVIDER", ""},
      {"UV_HTTP_RETRIES", "0"},
  };
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

}  // namespace uvauth::testing
