#include <gtest/gtest.h>

#include <sstream>

#include "uvauth/error.hpp"
#include "uvauth/log.hpp"
#include "uvauth/secret.hpp"

namespace uvauth {
namespace {

TEST(ErrorTest, ExitCodesFollowTheSpec) {
  EXPECT_EQ(Error(ErrorKind::resolution, "x").exit_code(), 1);
  EXPECT_EQ(Error(ErrorKind::install, "x").exit_code(), 1);
  for (auto kind : {ErrorKind::usage, ErrorKind::config, ErrorKind::network, ErrorKind::auth, ErrorKind::tls,
                    ErrorKind::timeout, ErrorKind::http}) {
    EXPECT_EQ(Error(kind, "x").exit_code(), 2);
  }
}

TEST(ErrorTest, HintsFollowTheMessage) {
  Error e = Error(ErrorKind::auth, "no credentials").with_hint("use netrc");
  EXPECT_EQ(e.to_string(), "no credentials\nhint: use netrc");
}

TEST(ResultTest, CarriesValueOrError) {
  Result<int> good = 5;
  Result<int> bad = Error(ErrorKind::parse, "bad");
  ASSERT_TRUE(good.ok());
  EXPECT_EQ(*good, 5);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().message, "bad");
  Status fine;
  EXPECT_TRUE(fine.ok());
}

TEST(SecretTest, PrintsAsStars) {
  Secret s("hunter2");
  std::ostringstream out;
  out << s;
  EXPECT_EQ(out.str(), "****");
  EXPECT_EQ(s.reveal(), "hunter2");
}

TEST(LoggerTest, RedactsUrlsAndHonoursVerbosity) {
  std::vector<std::string> lines;
  logger().set_sink([&](std::string_view line) { lines.emplace_back(line); });
  logger().set_verbosity(Verbosity::debug);
  UVAUTH_DEBUG("GET " << "https://u:pw@h/x");
  UVAUTH_TRACE("not shown at debug");
  logger().set_verbosity(Verbosity::normal);
  logger().set_sink({});
  ASSERT_EQ(lines.size(), 1U);
  EXPECT_EQ(lines[0], "debug: GET https://u:****@h/x");
}

}  // namespace
}  // namespace uvauth
