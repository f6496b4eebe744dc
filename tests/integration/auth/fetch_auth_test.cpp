// Every credential source and policy, through `uvauth fetch` as a user runs
// it, proved from nginx's access log. Every run is also grepped for secrets.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "tool_runner.hpp"
#include "uvauth/process.hpp"

namespace uvauth {
namespace {

using testing::LogEntry;
using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::test_tag;
using testing::ToolRun;

using testing::fx;
using testing::alice;
std::string bob() { return fx().password("bob"); }

std::size_t count_status(const std::vector<LogEntry>& log, const std::string& status) {
  return static_cast<std::size_t>(std::count_if(log.begin(), log.end(), [&](const LogEntry& e) { return e.status == status; }));
}

// Runs `uvauth fetch` at -vv and checks no secret reached any output.
ToolRun fetch(const TempHome& home, std::vector<std::string> args, std::map<std::string, std::string> env = {}) {
  args.insert(args.begin(), "fetch");
  args.push_back("-vv");
  args.push_back("--no-config");
  ToolRun run = run_tool(args, home.env(std::move(env)));
  for (const std::string& secret : {alice(), bob(), std::string("tok-bearer-5e1f")}) {
    EXPECT_EQ(run.out.find(secret), std::string::npos) << "secret on stdout";
    EXPECT_EQ(run.err.find(secret), std::string::npos) << "secret on stderr:\n" << run.err;
  }
  return run;
}

std::string http_with(const std::string& userinfo, const std::string& path) {
  return "http://" + userinfo + "@127.0.0.1:" + std::to_string(fx().http_port) + path;
}

TEST(FetchAuthTest, UrlCredentialsSendNoUnauthenticatedRequest) {
  TempHome home;
  auto run = fetch(home, {http_with("alice:" + alice(), "/private/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "hello world\n");
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].user, "alice");
  EXPECT_NE(run.err.find("http://alice:****@127.0.0.1"), std::string::npos) << run.err;
}

TEST(FetchAuthTest, EnvCredentialsForANamedIndexSendNoUnauthenticatedRequest) {
  TempHome home;
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag()), "--index",
                          "internal-proxy=" + fx().http("/private/simple/")},
                   {{"UV_INDEX_INTERNAL_PROXY_USERNAME", "alice"}, {"UV_INDEX_INTERNAL_PROXY_PASSWORD", alice()}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].status, "200");
  EXPECT_EQ(log[0].user, "alice");
}

// Container secrets: UV_INDEX_<NAME>_PASSWORD_FILE names a file holding it.
TEST(FetchAuthTest, APasswordFileVariableIsReadAndAMissingFileIsANamedError) {
  TempHome home;
  const auto secret = home.write("run/secrets/corp", alice() + "\n");
  const std::map<std::string, std::string> env{{"UV_INDEX_CORP_USERNAME", "alice"},
                                               {"UV_INDEX_CORP_PASSWORD_FILE", secret.string()}};
  auto run = fetch(home, {"--index", "corp=" + fx().http("/private/"), fx().http("/private/hello.txt?" + test_tag())}, env);
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].user, "alice");
  auto missing = fetch(home, {"--index", "corp=" + fx().http("/private/"), fx().http("/private/hello.txt")},
                       {{"UV_INDEX_CORP_PASSWORD_FILE", (home.path() / "nowhere").string()}});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_NE(missing.err.find("UV_INDEX_CORP_PASSWORD_FILE names " + (home.path() / "nowhere").string() +
                             ", which is not a readable file"),
            std::string::npos)
      << missing.err;
  auto both = fetch(home, {"--index", "corp=" + fx().http("/private/"), fx().http("/private/hello.txt")},
                    {{"UV_INDEX_CORP_PASSWORD_FILE", secret.string()}, {"UV_INDEX_CORP_PASSWORD", "x"}});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("both UV_INDEX_CORP_PASSWORD and UV_INDEX_CORP_PASSWORD_FILE are set"), std::string::npos) << both.err;
}

TEST(FetchAuthTest, NetrcInAutoSucceedsAfterOne401) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1\n  login alice\n  password " + alice() + "\n");
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].status, "401");
  EXPECT_EQ(log[0].auth, "no");
  EXPECT_EQ(log[1].status, "200");
  EXPECT_EQ(log[1].user, "alice");
  EXPECT_NE(run.err.find("in netrc file"), std::string::npos) << "-v explains where credentials came from";
}

TEST(FetchAuthTest, NetrcDefaultEntryInAutoSucceedsAfterOne401) {
  TempHome home;
  home.write_netrc("machine elsewhere.example login x password y\ndefault login bob password " + bob() + "\n");
  auto run = fetch(home, {fx().http("/private2/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1].user, "bob");
}

TEST(FetchAuthTest, NetrcMachineWithPortDoesNotMatch) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1:" + std::to_string(fx().http_port) + " login alice password " + alice() + "\n");
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag())});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("HTTP 401 Unauthorized"), std::string::npos) << run.err;
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].auth, "no");
}

TEST(FetchAuthTest, NetrcForAnotherUserDoesNotApply) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  auto run = fetch(home, {http_with("bob", "/private/hello.txt?" + test_tag())});
  EXPECT_EQ(run.exit_code, 2);
  for (const auto& e : fx().requests(test_tag())) EXPECT_NE(e.user, "alice") << "alice's password went out";
}

TEST(FetchAuthTest, UrlCredentialsBeatNetrc) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login bob password " + bob() + "\n");
  auto run = fetch(home, {http_with("alice:" + alice(), "/private/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].user, "alice");
}

TEST(FetchAuthTest, MalformedNetrcIsIgnoredWithAWarningAtVerbose) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1\nlogin alice\nbogus token\n");
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag())});
  EXPECT_EQ(run.exit_code, 2) << "the netrc is ignored, so the 401 stands";
  EXPECT_NE(run.err.find(".netrc:3: expected `login`, `password`, `account` or `port` in the entry of a `machine`"),
            std::string::npos)
      << run.err;
}

// Seen: `machine h` / `login alice` / `s3cret` (the `password` keyword
// missing) printed the password at -v.
TEST(FetchAuthTest, AMalformedNetrcNeverPrintsItsPassword) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1\nlogin alice\n" + fx().password("alice") + "\n");
  for (const char* verbosity : {"-v", "-vv"}) {
    auto run = fetch(home, {verbosity, fx().http("/private/hello.txt?" + test_tag())});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_NE(run.err.find(".netrc:3: expected"), std::string::npos) << run.err;
    EXPECT_EQ((run.out + run.err).find(fx().password("alice")), std::string::npos) << run.err;
  }
}

TEST(FetchAuthTest, AlwaysWithCredentialsSendsNo401) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag()), "--authenticate", "always"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(count_status(log, "401"), 0U);
  EXPECT_EQ(log[0].user, "alice");
}

TEST(FetchAuthTest, AlwaysWithoutCredentialsSendsNothing) {
  TempHome home;
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag()), "--authenticate", "always"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("Missing credentials for http://127.0.0.1"), std::string::npos) << run.err;
  EXPECT_TRUE(fx().requests(test_tag(), 1, std::chrono::milliseconds(300)).empty()) << "no request at all";
}

TEST(FetchAuthTest, AlwaysWithOnlyAUserNameIsIncomplete) {
  TempHome home;
  auto run = fetch(home, {http_with("carol", "/private/hello.txt?" + test_tag()), "--authenticate", "always"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("Incomplete credentials for"), std::string::npos) << run.err;
  EXPECT_TRUE(fx().requests(test_tag(), 1, std::chrono::milliseconds(300)).empty());
}

TEST(FetchAuthTest, NeverDoesNotRetry) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag()), "--authenticate", "never"});
  EXPECT_EQ(run.exit_code, 2);
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].auth, "no");
}

TEST(FetchAuthTest, NeverRefusesCredentialsGivenInTheUrl) {
  TempHome home;
  auto run = fetch(home, {http_with("alice:" + alice(), "/private/hello.txt?" + test_tag()), "--authenticate", "never"});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("authenticate = \"never\""), std::string::npos) << run.err;
  EXPECT_TRUE(fx().requests(test_tag(), 1, std::chrono::milliseconds(300)).empty());
}

TEST(FetchAuthTest, NotFoundHidingLocationWithNetrcSucceeds) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  auto run = fetch(home, {fx().http("/hidden/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].status, "404");
  EXPECT_EQ(log[1].status, "200");
}

TEST(FetchAuthTest, CrossOriginRedirectDropsAuthorization) {
  TempHome home;
  const std::string url = "http://alice:" + alice() + "@127.0.0.1:" + std::to_string(fx().redirect_port) +
                          "/to-public/hello.txt?" + test_tag();
  auto run = fetch(home, {url});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].port, fx().redirect_port);
  EXPECT_EQ(log[0].auth, "basic");
  EXPECT_EQ(log[1].port, fx().http_port);
  EXPECT_EQ(log[1].auth, "no") << "the redirect target must not see the first origin's credentials";
}

TEST(FetchAuthTest, CrossOriginRedirectLooksUpTheTargetsOwnCredentialsInNetrc) {
  TempHome home;
  // The first origin's credentials are alice's; the target wants bob and netrc has him.
  home.write_netrc("machine localhost login bob password " + bob() + "\n");
  const std::string url = "http://alice:" + alice() + "@127.0.0.1:" + std::to_string(fx().redirect_port) +
                          "/to-private2/hello.txt?" + test_tag();
  auto run = fetch(home, {url});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "hello world\n");
  const auto log = fx().requests(test_tag(), 3);
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[1].status, "401");
  EXPECT_EQ(log[1].auth, "no");
  EXPECT_EQ(log[2].status, "200");
  EXPECT_EQ(log[2].user, "bob");
}

TEST(FetchAuthTest, UserinfoInLocationIsUsed) {
  TempHome home;
  auto run = fetch(home, {fx().redirector("/with-userinfo/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1].user, "alice");
  EXPECT_EQ(log[1].status, "200");
}

TEST(FetchAuthTest, SameOriginRedirectKeepsAuthorization) {
  TempHome home;
  auto run = fetch(home, {http_with("alice:" + alice(), "/same-origin/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1].user, "alice");
  EXPECT_EQ(count_status(log, "401"), 0U);
}

// Seen: `machine 127.0.0.1 login alice` in netrc shadowed a store login for
// bob on another port of the same host; bob was never tried.
TEST(FetchAuthTest, CredentialsRejectedFromOneSourceAreFollowedByTheNextSources) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  auto login = run_tool({"auth", "login", fx().http("/private2/"), "--username", "bob", "--password", "-"}, home.env(), bob() + "\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  auto run = fetch(home, {fx().http("/private2/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag(), 3);
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[0].auth, "no");
  EXPECT_EQ(log[1].user, "alice");
  EXPECT_EQ(log[1].status, "401");
  EXPECT_EQ(log[2].user, "bob");
  EXPECT_EQ(log[2].status, "200");
}

TEST(FetchAuthTest, ARejectionNamesTheUserAndTheSource) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  auto run = fetch(home, {fx().http("/private2/hello.txt?" + test_tag())});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("user 'alice' from netrc file " + (home.path() / ".netrc").string() + " was rejected"), std::string::npos)
      << run.err;
  EXPECT_EQ(count_status(fx().requests(test_tag(), 2), "401"), 2U) << "one try per source, no storm";
}

// Seen: a warm re-lock with netrc sent every revalidation without
// credentials first (each a 401, then again with credentials).
TEST(FetchAuthTest, OneProbePerIndexThenCredentialsUpFront) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  const std::string tag = "probe" + std::to_string(::getpid());
  const std::string index = fx().http("/tagged/" + tag + "/private/index-html/simple/");
  for (int run = 0; run < 2; ++run) {  // cold, then warm (--refresh: revalidations of pages still fresh)
    std::vector<std::string> args{"lock", "--no-config", "--cache-dir", (home.path() / "cache").string(), "-o",
                                  (home.path() / "pylock.toml").string(), "--index-url", index, "alpha[fast]", "dia-a", "dia-b", "eta"};
    if (run == 1) args.push_back("--refresh");
    auto locked = run_tool(args, home.env());
    ASSERT_EQ(locked.exit_code, 0) << locked.err;
  }
  const auto log = fx().requests("/tagged/" + tag + "/", 16);
  EXPECT_EQ(count_status(log, "401"), 2U) << "one 401 per process, for the first request only";
  EXPECT_GE(count_status(log, "304"), 7U) << "the warm run revalidated";
  for (const auto& e : log) {
    if (e.status != "401") {
      EXPECT_EQ(e.auth, "basic") << e.uri;
    }
  }
}

TEST(FetchAuthTest, StoreLoginFetchLogoutRoundTrip) {
  TempHome home;
  const std::string service = fx().http("/private/simple/");
  auto login = run_tool({"auth", "login", service, "--username", "alice", "--password", "-"}, home.env(), alice() + "\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  EXPECT_EQ(login.err, "Stored credentials for alice@" + fx().http("/private") + "\n");

  auto list = run_tool({"auth", "list"}, home.env());
  EXPECT_EQ(list.out, fx().http("/private") + " alice\n");
  EXPECT_EQ(list.out.find(alice()), std::string::npos);

  auto token = run_tool({"auth", "token", service, "--username", "alice"}, home.env());
  EXPECT_EQ(token.exit_code, 0) << token.err;
  EXPECT_EQ(token.out, alice() + "\n");

  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag()), "--authenticate", "always"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_NE(run.err.find("in the credentials store"), std::string::npos);

  auto logout = run_tool({"auth", "logout", service, "--username", "alice"}, home.env());
  ASSERT_EQ(logout.exit_code, 0) << logout.err;
  EXPECT_EQ(logout.err, "Removed credentials for alice@" + fx().http("/private") + "\n");
  auto again = run_tool({"auth", "logout", service, "--username", "alice"}, home.env());
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("No matching entry found for alice@"), std::string::npos);

  auto after = fetch(home, {fx().http("/private/hello.txt?" + test_tag() + "-after"), "--authenticate", "always"});
  EXPECT_EQ(after.exit_code, 2);
}

TEST(FetchAuthTest, ReadsAStoreWrittenByUv) {
  TempHome home;
  home.write("credentials/credentials.toml", "[[credential]]\nservice = \"" + fx().http("/private2") +
                                                 "\"\nusername = \"bob\"\nscheme = \"basic\"\npassword = \"" + bob() +
                                                 "\"\n");
  auto run = fetch(home, {fx().http("/private2/hello.txt?" + test_tag())});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(fx().requests(test_tag(), 2).back().user, "bob");
}

TEST(FetchAuthTest, BearerTokensFromTheStoreAreSent) {
  TempHome home;
  home.write("credentials/credentials.toml", "[[credential]]\nservice = \"" + fx().http("/public") +
                                                 "\"\nscheme = \"bearer\"\ntoken = \"tok-bearer-5e1f\"\n");
  auto run = fetch(home, {fx().http("/public/hello.txt?" + test_tag()), "--authenticate", "always"});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].auth, "bearer");
}

TEST(FetchAuthTest, TokenLoginStoresUserToken) {
  TempHome home;
  auto login = run_tool({"auth", "login", "localhost:1234", "--token", "tok-bearer-5e1f"}, home.env());
  EXPECT_EQ(login.exit_code, 0) << login.err;
  EXPECT_EQ(login.err, "Stored credentials for https://localhost:1234/\n") << "no scheme means https";
  auto ok = run_tool({"auth", "login", "https://pypi.example.com/simple", "--token", "-"}, home.env(), "tok-bearer-5e1f\n");
  ASSERT_EQ(ok.exit_code, 0) << ok.err;
  EXPECT_EQ(ok.err, "Stored credentials for https://pypi.example.com/\n");
  auto token = run_tool({"auth", "token", "pypi.example.com"}, home.env());
  EXPECT_EQ(token.out, "tok-bearer-5e1f\n");
  auto http = run_tool({"auth", "login", "http://pypi.example.com", "--token", "x"}, home.env());
  EXPECT_EQ(http.exit_code, 2);
  EXPECT_NE(http.err.find("HTTPS is required for non-local hosts"), std::string::npos);
  auto both = run_tool({"auth", "login", "https://u@h.example", "--username", "v", "--password", "p"}, home.env());
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("Cannot specify a username both via the URL and CLI"), std::string::npos);
  auto no_password = run_tool({"auth", "login", "h.example", "--username", "v"}, home.env());
  EXPECT_EQ(no_password.exit_code, 2);
  EXPECT_NE(no_password.err.find("No password provided"), std::string::npos);
}

TEST(FetchAuthTest, KeyringIsCalledWithTheExpectedArgvOnce) {
  TempHome home;
  const std::string index = fx().http("/private/simple/");
  home.install_keyring(index, "alice", alice());
  auto run = fetch(home, {fx().http("/private/hello.txt?" + test_tag()), "--index", "corp=" + index,
                          "--keyring-provider", "subprocess"},
                   {{"UV_INDEX_CORP_USERNAME", "alice"}});
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(home.keyring_log(), "get|" + index + "|alice|\n");
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U) << "a user name is known, so the keyring is asked before the first request";
  EXPECT_EQ(log[0].user, "alice");
}

TEST(FetchAuthTest, KeyringModeCredsWithAlwaysAndNoUserName) {
  TempHome home;
  const std::string index = fx().http("/private/simple/");
  home.install_keyring(index, "alice", alice());
  home.write("uv.toml", "[[index]]\nname = \"corp\"\nurl = \"" + index + "\"\nauthenticate = \"always\"\n");
  std::vector<std::string> args{"fetch", fx().http("/private/hello.txt?" + test_tag()), "-vv", "--config-file",
                                (home.path() / "uv.toml").string()};
  auto run = run_tool(args, home.env({{"UV_KEYRING_PROVIDER", "subprocess"}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(home.keyring_log(), "get|" + index + "|--mode|creds|\n");
  EXPECT_EQ(run.err.find(alice()), std::string::npos);
  EXPECT_EQ(fx().requests(test_tag()).size(), 1U);
}

TEST(FetchAuthTest, OldKeyringWithoutModeGetsUvsUpgradeWarning) {
  TempHome home;
  const std::string index = fx().http("/private/simple/");
  home.install_keyring(index, "alice", alice(), /*supports_mode=*/false);
  home.write("uv.toml", "[[index]]\nurl = \"" + index + "\"\nauthenticate = \"always\"\n");
  auto configured = run_tool({"fetch", fx().http("/private/hello.txt?" + test_tag()), "--config-file",
                              (home.path() / "uv.toml").string(), "--keyring-provider", "subprocess"},
                             home.env());
  EXPECT_EQ(configured.exit_code, 2);
  EXPECT_NE(configured.err.find("does not support `--mode creds`; upgrade to `keyring>=v25.2.1` or provide a username"),
            std::string::npos)
      << configured.err;
}

TEST(FetchAuthTest, PolicyFollowsTheUrlWhateverNamedIt) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + alice() + "\n");
  const std::string index = fx().http("/private/simple");
  home.write("uv.toml", "[[index]]\nname = \"corp\"\nurl = \"" + index + "\"\nauthenticate = \"always\"\n");
  // The same index URL again from the command line, with a trailing slash and no name.
  auto run = run_tool({"fetch", fx().http("/private/hello.txt?" + test_tag()), "--config-file",
                       (home.path() / "uv.toml").string(), "--index", index + "/"},
                      home.env());
  ASSERT_EQ(run.exit_code, 0) << run.err;
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(count_status(log, "401"), 0U) << "the configured `always` applies, so no unauthenticated request";
}

TEST(FetchAuthTest, BadConfigFileIsAClearError) {
  TempHome home;
  home.write("uv.toml", "[[index]]\nurl = \"https://h/simple\"\nauthenticate = \"sometimes\"\n");
  auto run = run_tool({"fetch", fx().http("/public/hello.txt"), "--config-file", (home.path() / "uv.toml").string()},
                      home.env());
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("uv.toml:3: index `authenticate` must be"), std::string::npos) << run.err;
}

}  // namespace
}  // namespace uvauth

namespace uvauth {
namespace {

// uv reads its store with a strict TOML parser and these schema rules; check
// what `uvauth auth login` writes the same way (Python's tomllib stands in for
// uv's reader here).
TEST(StoreInteropTest, WhatWeWriteIsReadableByUv) {
  testing::TempHome home;
  auto login = testing::run_tool({"auth", "login", "https://pypi.example.com/simple/", "--username", "al'ice",
                                  "--password", "-"},
                                 home.env(), "p\"a'ss\\word\n");
  ASSERT_EQ(login.exit_code, 0) << login.err;
  auto token = testing::run_tool({"auth", "login", "https://tok.example.com/", "--token", "t0k"}, home.env());
  ASSERT_EQ(token.exit_code, 0) << token.err;
  const std::string script =
      "import sys, tomllib\n"
      "doc = tomllib.load(open(sys.argv[1], 'rb'))\n"
      "entries = doc['credential']\n"
      "assert len(entries) == 2, entries\n"
      "for e in entries:\n"
      "    scheme = e.get('scheme', 'basic')\n"
      "    assert scheme == 'basic', e\n"
      "    assert 'username' in e and 'token' not in e, e\n"
      "a = [e for e in entries if e['service'] == 'https://pypi.example.com/'][0]\n"
      "assert a['username'] == \"al'ice\" and a['password'] == 'p\"a\\'ss\\\\word', a\n"
      "t = [e for e in entries if e['service'] == 'https://tok.example.com/'][0]\n"
      "assert t['username'] == '__token__' and t['password'] == 't0k', t\n"
      "print('ok')\n";
  const auto script_file = home.write("check.py", script);
  auto run = uvauth::run_process({"python3", script_file.string(), (home.path() / "credentials" / "credentials.toml").string()});
  ASSERT_TRUE(run.ok()) << run.error().message;
  EXPECT_EQ(run->exit_code, 0) << run->err;
  EXPECT_EQ(run->out, "ok\n");
}

}  // namespace
}  // namespace uvauth
