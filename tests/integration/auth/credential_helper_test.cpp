// Credential helpers (Bazel's protocol) against the nginx fixture: a real
// helper script, run as the tool runs it.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include <chrono>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "tool_runner.hpp"
#include "uvauth/auth/credential_helper.hpp"
#include "uvauth/auth/middleware.hpp"
#include "uvauth/fs.hpp"

namespace uvauth::auth {
namespace {

using testing::NginxFixture;
using testing::run_tool;
using testing::TempHome;
using testing::test_tag;

using testing::fx;

std::string base64(const std::string& in) {
  static const char* table = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  unsigned value = 0;
  int bits = -6;
  for (unsigned char c : in) {
    value = (value << 8) + c;
    bits += 8;
    while (bits >= 0) {
      out.push_back(table[(value >> bits) & 0x3F]);
      bits -= 6;
    }
  }
  if (bits > -6) out.push_back(table[((value << 8) >> (bits + 8)) & 0x3F]);
  while (out.size() % 4) out.push_back('=');
  return out;
}

// A helper that logs each run (its arguments and the request it read) and
// answers with the headers in `answer_file` (rewritten by the test).
std::filesystem::path install_helper(const TempHome& home) {
  return home.write("bin/helper",
                    "#!/usr/bin/env python3\n"
                    "import sys, os\n"
                    "root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))\n"
                    "request = sys.stdin.read()\n"
                    "with open(os.path.join(root, 'helper.log'), 'a') as log:\n"
                    "    log.write(' '.join(sys.argv[1:]) + ' ' + request + '\\n')\n"
                    "answers = open(os.path.join(root, 'answers')).read().split('\\n---\\n')\n"
                    "runs = sum(1 for _ in open(os.path.join(root, 'helper.log')))\n"
                    "sys.stdout.write(answers[min(runs, len(answers)) - 1])\n",
                    true);
}

std::string answer(const std::string& header, const std::string& value, const std::string& expires = "") {
  nlohmann::json j{{"headers", {{header, {value}}}}};
  if (!expires.empty()) j["expires"] = expires;
  return j.dump();
}

int runs(const TempHome& home) {
  std::ifstream in(home.path() / "helper.log");
  int n = 0;
  for (std::string line; std::getline(in, line);) ++n;
  return n;
}

using testing::client_options;

TEST(CredentialHelperTest, FiftyConcurrentRequestsRunTheHelperOnce) {
  TempHome home;
  const auto helper = install_helper(home);
  home.write("answers", answer("Authorization", "Basic " + base64("alice:" + fx().password("alice")), "2999-01-01T00:00:00Z"));
  config::IndexVariables variables;
  variables.credential_helper = helper.string();
  IndexSet indexes;
  ASSERT_TRUE(indexes.add("corp", *Url::parse(fx().http("/private/simple/")), AuthPolicy::always, variables).ok());
  auto middleware = std::make_shared<AuthMiddleware>(AuthSettings{}, std::move(indexes));
  net::Client client(client_options());
  client.set_middleware(middleware);
  std::vector<net::Request> requests;
  for (int i = 0; i < 50; ++i) {
    net::Request r;
    r.url = *Url::parse(fx().http("/private/many/f" + std::string(i < 10 ? "00" : "0") + std::to_string(i) + ".txt?" + test_tag()));
    requests.push_back(std::move(r));
  }
  for (auto& result : client.fetch_all(std::move(requests))) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->status, 200);
  }
  EXPECT_EQ(runs(home), 1);
  const auto log = read_file(home.path() / "helper.log");
  ASSERT_TRUE(log.ok());
  EXPECT_EQ(log->rfind("get {\"uri\":\"" + fx().http("/private/many/f0"), 0), 0U) << *log;
  const auto seen = fx().requests(test_tag(), 50, std::chrono::seconds(5));
  EXPECT_EQ(seen.size(), 50U);
  for (const auto& r : seen) EXPECT_EQ(r.auth, "basic") << "not one request went without the helper's header";
}

TEST(CredentialHelperTest, ARefusedAnswerRunsTheHelperOnceMoreAndExpiryIsHonoured) {
  TempHome home;
  const auto helper = install_helper(home);
  // First answer: a stale token (refused); second: the right one, already expired; third: right, valid.
  home.write("answers", answer("Authorization", "Basic " + base64("alice:stale")) + "\n---\n" +
                            answer("Authorization", "Basic " + base64("alice:" + fx().password("alice")), "2001-01-01T00:00:00Z") +
                            "\n---\n" + answer("Authorization", "Basic " + base64("alice:" + fx().password("alice"))));
  CredentialHelper direct(helper.string(), "index 'corp'");
  config::IndexVariables variables;
  variables.credential_helper = helper.string();
  IndexSet indexes;
  ASSERT_TRUE(indexes.add("corp", *Url::parse(fx().http("/private/simple/")), AuthPolicy::automatic, variables).ok());
  auto middleware = std::make_shared<AuthMiddleware>(AuthSettings{}, std::move(indexes));
  net::Client client(client_options());
  client.set_middleware(middleware);
  net::Request first;
  first.url = *Url::parse(fx().http("/private/hello.txt?" + test_tag()));
  auto response = client.fetch(std::move(first));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200) << "refused once, the helper was asked again";
  EXPECT_EQ(runs(home), 2);
  // The second answer had expired: the next request asks again.
  net::Request second;
  second.url = *Url::parse(fx().http("/private/hello.txt?" + test_tag()));
  ASSERT_EQ(client.fetch(std::move(second))->status, 200);
  EXPECT_EQ(runs(home), 3);
  net::Request third;
  third.url = *Url::parse(fx().http("/private/hello.txt?" + test_tag()));
  ASSERT_EQ(client.fetch(std::move(third))->status, 200);
  EXPECT_EQ(runs(home), 3) << "a valid answer is kept";
}

TEST(CredentialHelperTest, TheToolUsesItForEveryRequestAndNeverShowsTheHeaders) {
  TempHome home;
  const auto helper = install_helper(home);
  const std::string token = "Bearer helper-token-8d1f";
  home.write("answers", answer("Authorization", token));
  // A public index: the access log shows the bearer header was sent with each request.
  const std::string tag = "credential-helper-" + std::to_string(::getpid());
  const std::string index = "corp=" + fx().http("/tagged/" + tag + "/public/index-html/simple/");
  auto run = run_tool({"install", "alpha", "--index", index, "--target", (home.path() / "t").string(), "--no-config", "-vv",
                       "--cache-dir", (home.path() / "cache").string()},
                      home.env({{"UV_INDEX_CORP_CREDENTIAL_HELPER", helper.string()}}));
  ASSERT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(runs(home), 1);
  EXPECT_EQ(run.err.find("helper-token-8d1f"), std::string::npos) << "secret shown";
  EXPECT_NE(run.err.find("> Authorization: ****"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("from the credential helper of index 'corp'"), std::string::npos) << run.err;
  const auto seen = fx().requests("/tagged/" + tag + "/", 6, std::chrono::seconds(5));
  ASSERT_GE(seen.size(), 6U) << "pages and wheels";
  for (const auto& r : seen) EXPECT_EQ(r.auth, "bearer") << r.uri;
}

TEST(CredentialHelperTest, AFailingOrHangingHelperIsANamedErrorWithoutItsOutput) {
  TempHome home;
  const auto failing = home.write("bin/failing", "#!/bin/sh\necho 'secret-in-output-77' >&2\necho 'secret-in-output-77'\nexit 3\n", true);
  auto run = run_tool({"fetch", fx().http("/private/hello.txt"), "--index", "corp=" + fx().http("/private/simple/")},
                      home.env({{"UV_INDEX_CORP_CREDENTIAL_HELPER", failing.string()}}));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("the credential helper `" + failing.string() + "` of index 'corp' exited with status 3"), std::string::npos)
      << run.err;
  EXPECT_EQ(run.err.find("secret-in-output-77"), std::string::npos);
  const auto garbage = home.write("bin/garbage", "#!/bin/sh\necho '{\"headers\": {\"Bad Name\": [\"secret-in-output-77\"]}}'\n", true);
  auto bad = run_tool({"fetch", fx().http("/private/hello.txt"), "--index", "corp=" + fx().http("/private/simple/")},
                      home.env({{"UV_INDEX_CORP_CREDENTIAL_HELPER", garbage.string()}}));
  EXPECT_NE(bad.err.find("a header name that is not an HTTP token"), std::string::npos) << bad.err;
  EXPECT_EQ(bad.err.find("secret-in-output-77"), std::string::npos);
  const auto slow = home.write("bin/slow", "#!/bin/sh\nexec sleep 30\n", true);
  CredentialHelper hanging(slow.string(), "index 'corp'", std::chrono::milliseconds(300));
  const auto start = std::chrono::steady_clock::now();
  auto answer = hanging.headers(*Url::parse(fx().http("/private/hello.txt")));
  ASSERT_FALSE(answer.ok());
  EXPECT_EQ(answer.error().kind, ErrorKind::timeout);
  EXPECT_NE(answer.error().message.find("did not finish within"), std::string::npos) << answer.error().message;
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(5));
}

TEST(CredentialHelperTest, SettingsFilesNameAHelperRelativeToThemselves) {
  TempHome home;
  install_helper(home);
  home.write("answers", answer("Authorization", "Basic " + base64("alice:" + fx().password("alice"))));
  const auto config = home.write("uv.toml", "[[index]]\nname = \"corp\"\nurl = \"" + fx().http("/private/index-html/simple/") +
                                                "\"\ndefault = true\nauthenticate = \"always\"\ncredential-helper = \"./bin/helper\"\n");
  auto run = run_tool({"lock", "alpha", "--config-file", config.string(), "-o", (home.path() / "pylock.toml").string(), "--cache-dir",
                       (home.path() / "cache").string()},
                      home.env());
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(runs(home), 1);
}

TEST(CredentialHelperTest, NoHeadersUnderAlwaysSendNothing) {
  TempHome home;
  const auto helper = install_helper(home);
  home.write("answers", "{}");
  const std::string tag = "credential-helper-empty-" + std::to_string(::getpid());
  const auto config = home.write("uv.toml", "[[index]]\nname = \"corp\"\nurl = \"" + fx().http("/tagged/" + tag + "/private/simple/") +
                                                "\"\nauthenticate = \"always\"\n");
  auto run = run_tool({"fetch", fx().http("/tagged/" + tag + "/private/hello.txt"), "--config-file", config.string()},
                      home.env({{"UV_INDEX_CORP_CREDENTIAL_HELPER", helper.string()}}));
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("gave no headers"), std::string::npos) << run.err;
  EXPECT_TRUE(fx().requests("/tagged/" + tag + "/", 0, std::chrono::milliseconds(300)).empty()) << "not one request";
}

TEST(CredentialHelperTest, AnswersAreCheckedAndTimesParsed) {
  EXPECT_TRUE(parse_rfc3339("2026-12-02T10:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2026-12-02T10:00:00.123+01:00"));
  EXPECT_EQ(*parse_rfc3339("2026-12-02T10:00:00+01:00"), *parse_rfc3339("2026-12-02T09:00:00Z"));
  for (const char* bad : {"", "2026-12-02", "2026-13-02T10:00:00Z", "2026-12-02T10:00:00", "2026-12-02T10:00:00+1:00", "yesterday"}) {
    EXPECT_FALSE(parse_rfc3339(bad)) << bad;
  }
  EXPECT_TRUE(parse_helper_answer(R"({"headers": {"X-Token": ["a", "b"]}})", "h", "i").ok());
  EXPECT_EQ(parse_helper_answer(R"({"headers": {"X-Token": ["a", "b"]}})", "h", "i")->headers.size(), 2U);
  EXPECT_TRUE(parse_helper_answer(R"({})", "h", "i").ok());
  for (const char* bad : {"", "[]", R"({"headers": []})", R"({"headers": {"X": "a"}})", R"({"headers": {"X": [1]}})",
                          R"({"headers": {"X": ["a\r\nInjected: 1"]}})", R"({"expires": "soon"})"}) {
    EXPECT_FALSE(parse_helper_answer(bad, "h", "i").ok()) << bad;
  }
}

}  // namespace
}  // namespace uvauth::auth

namespace uvauth::auth {
namespace {

// Two helpers for the same command and index stand for two processes.
TEST(CredentialHelperTest, AnAnswerIsSharedAcrossProcessesOnlyWhenTheHelperSaysSo) {
  TempHome home;
  const auto helper = install_helper(home);
  const auto dir = home.path() / "cache" / "credential-helpers";
  CredentialHelper::set_shared_directory(dir);
  const Url uri = *Url::parse(fx().http("/private/hello.txt"));
  nlohmann::json shared = nlohmann::json::parse(answer("Authorization", "Bearer tok-shared-1", "2999-01-01T00:00:00Z"));
  shared["x-uvauth-cache"] = "shared";
  home.write("answers", shared.dump() + "\n---\n" + shared.dump());
  {
    CredentialHelper first(helper.string(), "index 'corp'");
    ASSERT_TRUE(first.headers(uri).ok());
    CredentialHelper second(helper.string(), "index 'corp'");
    auto kept = second.headers(uri);
    ASSERT_TRUE(kept.ok()) << kept.error().message;
    ASSERT_EQ(kept->size(), 1U);
    EXPECT_EQ((*kept)[0].second.reveal(), "Bearer tok-shared-1");
    EXPECT_EQ(runs(home), 1) << "the second process used the kept answer";
    std::vector<std::filesystem::path> files(std::filesystem::directory_iterator(dir), {});
    ASSERT_EQ(files.size(), 1U);
    EXPECT_EQ(std::filesystem::status(files[0]).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
    // A refresh (after a 401) drops the kept answer and asks the helper.
    ASSERT_TRUE(second.headers(uri, true).ok());
    EXPECT_EQ(runs(home), 2);
  }
  // Without the helper's word, nothing is kept on disk.
  std::filesystem::remove_all(dir);
  home.write("answers", answer("Authorization", "Bearer tok-2", "2999-01-01T00:00:00Z"));
  CredentialHelper a(helper.string(), "index 'other'");
  CredentialHelper b(helper.string(), "index 'other'");
  ASSERT_TRUE(a.headers(uri).ok());
  ASSERT_TRUE(b.headers(uri).ok());
  EXPECT_EQ(runs(home), 4);
  EXPECT_FALSE(std::filesystem::exists(dir) && !std::filesystem::is_empty(dir));
  CredentialHelper::set_shared_directory(std::nullopt);
  // A bad value of the extension is refused like any bad answer.
  EXPECT_FALSE(parse_helper_answer(R"({"headers":{},"x-uvauth-cache":"forever"})", "h", "index 'x'").ok());
}

}  // namespace
}  // namespace uvauth::auth
