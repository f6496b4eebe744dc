// The system keychain shared with uv (native-auth), against a real Secret
// Service: gnome-keyring-daemon in a private dbus-daemon, with Debian's
// secret-tool (a client this project did not write) on the other side.
// Skipped, with the reason, where those programs are missing.
#include <gtest/gtest.h>

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <thread>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "test_data.hpp"
#include "tool_runner.hpp"
#include "uvauth/index/interpreter.hpp"
#include "uvauth/process.hpp"
#include "uvauth/url.hpp"

extern char** environ;  // NOLINT: POSIX

namespace uvauth {
namespace {

using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::test_tag;
using testing::ToolRun;

using testing::fx;
using testing::alice;
std::string mallory() { return "mallory-pw-71c2e"; }  // a second user's password, never right

bool on_path(const std::string& name) {
  const char* path = std::getenv("PATH");
  return index::find_on_path(name, path ? path : "/usr/bin:/bin").has_value();
}

// A private session bus with an unlocked GNOME Keyring on it.
class SecretService {
 public:
  static std::string missing() {
    for (const char* program : {"dbus-daemon", "gnome-keyring-daemon", "secret-tool"}) {
      if (!on_path(program)) {
        return std::string(program) + " is not installed (apt-get install dbus-daemon gnome-keyring libsecret-tools)";
      }
    }
    return "";
  }

  explicit SecretService(const TempHome& home) : home_(home) {
    runtime_ = home.path() / "run";
    std::filesystem::create_directories(runtime_);
    std::filesystem::permissions(runtime_, std::filesystem::perms::owner_all);
    // A session bus without service activation: nothing but our daemon may
    // own org.freedesktop.secrets (an activated, locked one would race it).
    std::ofstream(home.path() / "bus.conf")
        << "<!DOCTYPE busconfig PUBLIC \"-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN\"\n"
           " \"http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd\">\n"
           "<busconfig><type>session</type><listen>unix:tmpdir=/tmp</listen>\n"
           "<policy context=\"default\"><allow send_destination=\"*\" eavesdrop=\"true\"/>"
           "<allow eavesdrop=\"true\"/><allow own=\"*\"/></policy></busconfig>\n";
    auto bus = run_process({"dbus-daemon", "--config-file=" + (home.path() / "bus.conf").string(), "--fork", "--print-address=1", "--print-pid=1",
                            "--address=unix:path=" + (runtime_ / "bus").string()},
                           std::chrono::seconds(20));
    if (!bus || bus->exit_code != 0) {
      error_ = "dbus-daemon did not start: " + (bus ? bus->err : bus.error().message);
      return;
    }
    std::istringstream lines(bus->out);
    std::getline(lines, address_);
    std::string pid;
    std::getline(lines, pid);
    bus_pid_ = std::atoi(pid.c_str());
    // gnome-keyring-daemon in the foreground, unlocked with a password on stdin.
    std::ofstream(home.path() / "keyring-password") << "test";
    std::vector<std::string> argv_strings{"/usr/bin/env"};
    for (const auto& [k, v] : env()) argv_strings.push_back(k + "=" + v);
    for (const char* a : {"gnome-keyring-daemon", "--foreground", "--unlock", "--components=secrets"}) argv_strings.push_back(a);
    std::vector<char*> argv;
    for (auto& s : argv_strings) argv.push_back(s.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 0, (home.path() / "keyring-password").c_str(), O_RDONLY, 0);
    posix_spawn_file_actions_addopen(&actions, 1, (home.path() / "keyring.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_addopen(&actions, 2, (home.path() / "keyring.log").c_str(), O_WRONLY | O_APPEND, 0600);
    if (posix_spawn(&keyring_pid_, argv[0], &actions, nullptr, argv.data(), environ) != 0) keyring_pid_ = 0;
    posix_spawn_file_actions_destroy(&actions);
    // Ready when the unlocked login collection takes an item (the daemon
    // creates it from the password a moment after it answers on the bus).
    for (int i = 0; i < 100; ++i) {
      if (secret_tool({"store", "--label=probe", "service", "uvauth-probe"}, "x").exit_code == 0) {
        ready_ = secret_tool({"clear", "service", "uvauth-probe"}).exit_code == 0;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (!ready_) error_ = "gnome-keyring-daemon did not come up";
  }

  ~SecretService() {
    if (keyring_pid_ > 0) {
      ::kill(keyring_pid_, SIGTERM);
      ::waitpid(keyring_pid_, nullptr, 0);
    }
    if (bus_pid_ > 0) ::kill(bus_pid_, SIGTERM);
  }
  SecretService(const SecretService&) = delete;
  SecretService& operator=(const SecretService&) = delete;

  [[nodiscard]] bool ready() const { return ready_; }
  [[nodiscard]] const std::string& error() const { return error_; }

  [[nodiscard]] std::map<std::string, std::string> env(std::map<std::string, std::string> extra = {}) const {
    auto out = home_.env(std::move(extra));
    out["DBUS_SESSION_BUS_ADDRESS"] = address_;
    out["XDG_RUNTIME_DIR"] = runtime_.string();
    out["XDG_DATA_HOME"] = (home_.path() / "data").string();
    out["HOME"] = home_.path().string();
    out["DISPLAY"] = "";
    // Under the asan preset: GIO's process-lifetime proxies are not uvauth's leaks.
    const char* asan = std::getenv("ASAN_OPTIONS");
    out["ASAN_OPTIONS"] = std::string(asan ? asan : "") + ":fast_unwind_on_malloc=0";
    out["LSAN_OPTIONS"] = "suppressions=" + testing::data_path("lsan-libsecret.supp");
    return out;
  }

  ToolRun secret_tool(const std::vector<std::string>& args, const std::string& input = "") const {
    std::vector<std::string> argv{"env"};
    for (const auto& [k, v] : env()) {
      if (!v.empty()) argv.push_back(k + "=" + v);
    }
    argv.emplace_back("secret-tool");
    argv.insert(argv.end(), args.begin(), args.end());
    auto run = run_process_with_input(argv, input, std::chrono::seconds(20));
    if (!run) return ToolRun{-1, "", run.error().message};
    return ToolRun{run->exit_code, run->out, run->err};
  }

 private:
  const TempHome& home_;
  std::filesystem::path runtime_;
  std::string address_;
  int bus_pid_ = 0;
  pid_t keyring_pid_ = 0;
  bool ready_ = false;
  std::string error_;
};

#define REQUIRE_SECRET_SERVICE(service)                                         \
  if (const std::string why = SecretService::missing(); !why.empty()) GTEST_SKIP() << why; \
  SecretService service(home);                                                  \
  ASSERT_TRUE(service.ready()) << service.error()

const std::map<std::string, std::string> native{{"UV_PREVIEW_FEATURES", "native-auth"}};

// Runs the tool at -vv and checks no password reached any output.
ToolRun uvauth(const SecretService& service, std::vector<std::string> args, std::map<std::string, std::string> extra = native,
               const std::string& input = "") {
  args.push_back("-vv");
  ToolRun run = run_tool(args, service.env(std::move(extra)), input);
  for (const std::string& secret : {alice(), mallory()}) {
    EXPECT_EQ(run.err.find(secret), std::string::npos) << "secret on stderr:\n" << run.err;
    if (args.front() != "auth" || args[1] != "token") {
      EXPECT_EQ(run.out.find(secret), std::string::npos) << "secret on stdout";
    }
  }
  return run;
}

std::string tls_service() { return "uv:" + Url::parse(fx().https("/"))->host_port(); }
std::string http_service() { return "uv:http://127.0.0.1:" + std::to_string(fx().http_port); }

TEST(KeychainTest, LoginStoresWithUvsAttributesAndSecretToolReadsIt) {
  TempHome home;
  REQUIRE_SECRET_SERVICE(service);
  auto login = uvauth(service, {"auth", "login", fx().https("/private/simple/"), "--username", "alice", "--password", "-"},
                      native, alice() + "\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_NE(login.err.find("Stored credentials for alice@" + fx().https("/")), std::string::npos) << login.err;
  auto lookup = service.secret_tool({"lookup", "service", tls_service(), "username", "alice"});
  ASSERT_EQ(lookup.exit_code, 0) << lookup.err;
  EXPECT_EQ(lookup.out, alice());
  // uv's attributes, in the default collection.
  auto search = service.secret_tool({"search", "--all", "service", tls_service()});
  const std::string shown = search.out + search.err;  // secret-tool prints attributes on stderr
  EXPECT_NE(shown.find("attribute.target = default"), std::string::npos) << shown;
  EXPECT_NE(shown.find("attribute.application = uv"), std::string::npos) << shown;
  EXPECT_NE(shown.find("attribute.username = alice"), std::string::npos) << shown;
  // Nothing went to the text store.
  EXPECT_FALSE(std::filesystem::exists(home.path() / "credentials" / "credentials.toml"));

  auto token = uvauth(service, {"auth", "token", fx().https("/private/simple/"), "--username", "alice"});
  ASSERT_EQ(token.exit_code, 0) << token.err;
  EXPECT_EQ(token.out, alice() + "\n");
  auto list = uvauth(service, {"auth", "list"});
  EXPECT_NE(list.out.find(tls_service().substr(3) + " alice"), std::string::npos) << list.out;

  auto logout = uvauth(service, {"auth", "logout", fx().https("/private/simple/"), "--username", "alice"});
  ASSERT_EQ(logout.exit_code, 0) << logout.err;
  EXPECT_EQ(service.secret_tool({"lookup", "service", tls_service(), "username", "alice"}).exit_code, 1);
  auto again = uvauth(service, {"auth", "logout", fx().https("/private/simple/"), "--username", "alice"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("No matching entry found"), std::string::npos) << again.err;
}

TEST(KeychainTest, AnEntryWrittenBySecretToolIsUsedByFetchWithoutAUserName) {
  TempHome home;
  REQUIRE_SECRET_SERVICE(service);
  auto store = service.secret_tool({"store", "--label=uv", "service", http_service(), "username", "alice", "target",
                                    "default", "application", "uv"},
                                   alice());
  ASSERT_EQ(store.exit_code, 0) << store.err;
  const std::string url = fx().http("/private/hello.txt?" + test_tag());
  auto run = uvauth(service, {"fetch", "--no-config", url});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "hello world\n");
  EXPECT_NE(run.err.find("found user 'alice' in the system keychain"), std::string::npos) << run.err;
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].status, "401");
  EXPECT_EQ(log[1].status, "200");
  EXPECT_EQ(log[1].user, "alice");

  // The same under --preview-features, and not at all without native-auth.
  auto flag = uvauth(service, {"fetch", "--no-config", "--preview-features", "native-auth", fx().http("/private/hello.txt")}, {});
  EXPECT_EQ(flag.exit_code, 0) << flag.err;
  auto off = uvauth(service, {"fetch", "--no-config", fx().http("/private/hello.txt")}, {});
  EXPECT_NE(off.exit_code, 0);
  EXPECT_NE(off.err.find("system keychain off"), std::string::npos) << off.err;
}

TEST(KeychainTest, TwoUsersForOneServiceNeedAName) {
  TempHome home;
  REQUIRE_SECRET_SERVICE(service);
  for (const auto& [user, password] : {std::pair{"alice", alice()}, std::pair{"mallory", mallory()}}) {
    ASSERT_EQ(service.secret_tool({"store", "--label=uv", "service", http_service(), "username", user, "target", "default",
                                   "application", "uv"},
                                  password)
                  .exit_code,
              0);
  }
  auto ambiguous = uvauth(service, {"fetch", "--no-config", fx().http("/private/hello.txt")});
  EXPECT_NE(ambiguous.exit_code, 0);
  EXPECT_NE(ambiguous.err.find("has 2 users for " + http_service()), std::string::npos) << ambiguous.err;
  auto named = uvauth(service, {"fetch", "--no-config", "http://alice@127.0.0.1:" + std::to_string(fx().http_port) + "/private/hello.txt"});
  EXPECT_EQ(named.exit_code, 0) << named.err;
}

TEST(KeychainTest, UvsOlderEntryForTheIndexUrlIsFound) {
  TempHome home;
  REQUIRE_SECRET_SERVICE(service);
  const std::string index = fx().http("/private/simple/");
  ASSERT_EQ(service.secret_tool({"store", "--label=uv", "service", "uv:" + index, "username", "alice", "application", "uv"},
                                alice())
                .exit_code,
            0);
  auto run = uvauth(service, {"fetch", "--no-config", "--index", "corp=" + index, fx().http("/private/hello.txt")});
  EXPECT_EQ(run.exit_code, 0) << run.err;
}

TEST(KeychainTest, NoSecretServiceIsANoteForLookupsAndAnErrorForLogin) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1\n  login alice\n  password " + alice() + "\n");
  auto env = home.env(native);
  env["DBUS_SESSION_BUS_ADDRESS"] = "unix:path=" + (home.path() / "no-bus").string();
  env["DISPLAY"] = "";
  // netrc answers first: the keychain is not even asked.
  auto run = run_tool({"fetch", "--no-config", "-v", fx().http("/private/hello.txt")}, env);
  EXPECT_EQ(run.exit_code, 0) << run.err;
  // Nothing in netrc for this host: the keychain is asked, cannot answer, and says so at -v only.
  auto quiet = run_tool({"fetch", "--no-config", fx().http_localhost("/private/hello.txt")}, env);
  EXPECT_NE(quiet.exit_code, 0);
  EXPECT_EQ(quiet.err.find("keychain"), std::string::npos) << quiet.err;
  auto noted = run_tool({"fetch", "--no-config", "-v", fx().http_localhost("/private/hello.txt")}, env);
  EXPECT_NE(noted.err.find("not using the system keychain: the system keychain (Secret Service) could not search"),
            std::string::npos)
      << noted.err;
  auto login = run_tool({"auth", "login", fx().https("/"), "--username", "alice", "--password", mallory()}, env);
  EXPECT_EQ(login.exit_code, 2) << login.err;
  for (const ToolRun* r : {&run, &quiet, &noted, &login}) {
    EXPECT_EQ(r->err.find(alice()), std::string::npos) << r->err;
    EXPECT_EQ(r->err.find(mallory()), std::string::npos) << r->err;
    EXPECT_EQ(r->out.find(alice()), std::string::npos);
  }
  EXPECT_NE(login.err.find("the system keychain (Secret Service) could not store credentials for " + tls_service()),
            std::string::npos)
      << login.err;
}

}  // namespace
}  // namespace uvauth
