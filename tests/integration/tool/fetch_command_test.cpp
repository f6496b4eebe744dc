// `uvauth fetch`, run as a user runs it.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "nginx_fixture.hpp"
#include "tool_runner.hpp"
#include "uvauth/sha256.hpp"

namespace uvauth {
namespace {

using testing::NginxFixture;
using testing::run_tool;
using testing::test_tag;

using testing::fx;

TEST(FetchCommandTest, PrintsTheBodyOnStdout) {
  auto run = run_tool({"fetch", fx().http("/public/hello.txt?" + test_tag())});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_EQ(run.out, "hello world\n");
}

TEST(FetchCommandTest, WritesToAFile) {
  const auto out = std::filesystem::temp_directory_path() / ("uvauth-fetch-" + std::to_string(::getpid()) + ".bin");
  auto run = run_tool({"fetch", fx().http("/public/big.bin?" + test_tag()), "-o", out.string()});
  EXPECT_EQ(run.exit_code, 0) << run.err;
  EXPECT_TRUE(run.out.empty());
  EXPECT_EQ(*Sha256::hex_of_file(out), fx().sha256.at("big.bin"));
  std::filesystem::remove(out);
}

TEST(FetchCommandTest, HttpErrorsExitTwoNamingTheRedactedUrl) {
  const std::string url = "http://alice:" + fx().password("alice") + "@127.0.0.1:" + std::to_string(fx().http_port) +
                          "/status/404?" + test_tag();
  auto run = run_tool({"fetch", url});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("HTTP 404 Not Found for http://alice:****@127.0.0.1"), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find(fx().password("alice")), std::string::npos);
}

TEST(FetchCommandTest, VerboseLogsEachRequestAndStatusWithoutSecrets) {
  const std::string url = "http://alice:" + fx().password("alice") + "@127.0.0.1:" + std::to_string(fx().http_port) +
                          "/chain/3?" + test_tag();
  for (const char* flag : {"-v", "-vv"}) {
    auto run = run_tool({"fetch", url, flag});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("302 Found for http://alice:****@127.0.0.1"), std::string::npos) << run.err;
    EXPECT_NE(run.err.find("200 OK for"), std::string::npos) << run.err;
    EXPECT_EQ(run.err.find(fx().password("alice")), std::string::npos) << run.err;
    EXPECT_EQ(run.out.find(fx().password("alice")), std::string::npos);
  }
}

TEST(FetchCommandTest, UntrustedTlsExplainsTheWayOut) {
  auto run = run_tool({"fetch", fx().https("/public/hello.txt?" + test_tag())}, {{"SSL_CERT_FILE", ""}});
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("TLS verification failed for host localhost"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("hint: "), std::string::npos);

  auto trusted = run_tool({"fetch", fx().https("/public/hello.txt?" + test_tag())}, {{"SSL_CERT_FILE", fx().ca_file}});
  EXPECT_EQ(trusted.exit_code, 0) << trusted.err;
  EXPECT_EQ(trusted.out, "hello world\n");

  auto insecure = run_tool({"fetch", fx().https("/public/hello.txt?" + test_tag()), "--allow-insecure-host",
                            "localhost:" + std::to_string(fx().tls_port)},
                           {{"SSL_CERT_FILE", ""}});
  EXPECT_EQ(insecure.exit_code, 0) << insecure.err;
}

TEST(FetchCommandTest, BadUrlAndBadUsageExitTwo) {
  auto bad_url = run_tool({"fetch", "not a url"});
  EXPECT_EQ(bad_url.exit_code, 2);
  EXPECT_NE(bad_url.err.find("invalid URL"), std::string::npos);
  auto no_command = run_tool({});
  EXPECT_EQ(no_command.exit_code, 2);
  auto bad_flag = run_tool({"fetch", "--authenticate", "sometimes", fx().http("/public/hello.txt")});
  EXPECT_EQ(bad_flag.exit_code, 2);
}

TEST(FetchCommandTest, PrintsItsVersion) {
  auto run = run_tool({"--version"});
  EXPECT_EQ(run.exit_code, 0);
  EXPECT_EQ(run.out.rfind("uvauth 0.1", 0), 0U) << run.out;
}

}  // namespace
}  // namespace uvauth
