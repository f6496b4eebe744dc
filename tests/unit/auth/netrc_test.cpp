#include "uvauth/auth/netrc.hpp"

#include <gtest/gtest.h>

namespace uvauth::auth {
namespace {

std::string user_of(const std::optional<Credentials>& c) { return c && c->username ? *c->username : "<none>"; }
std::string password_of(const std::optional<Credentials>& c) {
  return c && c->password ? c->password->reveal() : "<none>";
}

struct GrammarCase {
  const char* name;
  const char* text;
  const char* host;
  const char* login;
  const char* password;
};

TEST(NetrcTest, ParsesTheGrammar) {
  const GrammarCase cases[] = {
      {"one line", "machine h login u password p", "h", "u", "p"},
      {"several lines", "machine h\n  login u\n  password p\n", "h", "u", "p"},
      {"user is login", "machine h user u password p", "h", "u", "p"},
      {"account is read", "machine h login u account a password p", "h", "u", "p"},
      {"port is ignored", "machine h port 8080 login u password p", "h", "u", "p"},
      {"quoted values", "machine h login \"u s\" password \"p w\\\"q\"", "h", "u s", "p w\"q"},
      {"comments", "# all mine\nmachine h # the host\nlogin u\n#password x\npassword p\n", "h", "u", "p"},
      {"macdef is skipped", "macdef init\ncd /pub\nls\n\nmachine h login u password p", "h", "u", "p"},
      {"second machine", "machine a login x password y\nmachine h login u password p", "h", "u", "p"},
      {"default after machines", "machine a login x password y\ndefault login u password p", "other", "u", "p"},
      {"last entry for a host wins", "machine h login old password o\nmachine h login u password p", "h", "u", "p"},
      {"missing password is empty", "machine h login u", "h", "u", ""},
      {"tabs and CRLF", "machine\th\r\n\tlogin\tu\r\n\tpassword\tp\r\n", "h", "u", "p"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto netrc = Netrc::parse(c.text, "test.netrc");
    ASSERT_TRUE(netrc.ok()) << netrc.error().message;
    auto found = netrc->find(c.host, std::nullopt);
    EXPECT_EQ(user_of(found), c.login);
    EXPECT_EQ(password_of(found), c.password);
  }
}

struct ErrorCase {
  const char* text;
  const char* message;  // expected "file:line: ..." text
};

TEST(NetrcTest, MalformedFilesNameFileAndLine) {
  const ErrorCase cases[] = {
      {"machine", "test.netrc:1: 'machine' needs a host name"},
      {"machine h login", "test.netrc:1: 'login' needs a value"},
      {"machine h\nlogin u\nfrobnicate x",
       "test.netrc:3: expected `login`, `password`, `account` or `port` in the entry of a `machine`, found another word (not shown: it may be a secret)"},
      {"\n\nhello", "test.netrc:3: expected `machine`, `default` or `macdef`, found another word (not shown: it may be a secret)"},
      {"machine h login \"unterminated", "test.netrc:1: unterminated quoted string"},
      {"machine h password machine", "test.netrc:1: 'password' needs a value"},
  };
  for (const auto& c : cases) {
    auto netrc = Netrc::parse(c.text, "test.netrc");
    ASSERT_FALSE(netrc.ok()) << c.text;
    EXPECT_EQ(netrc.error().message, c.message);
  }
}

// Seen: `machine h` / `login alice` / `s3cret` (the `password` keyword
// missing) printed the password in the warning.
TEST(NetrcTest, AMalformedNetrcNeverQuotesItsWords) {
  for (const char* text : {"machine h\nlogin alice\ns3cret\n", "machine h login alice password p1 s3cret", "s3cret"}) {
    auto netrc = Netrc::parse(text, "/home/u/.netrc");
    ASSERT_FALSE(netrc.ok()) << text;
    EXPECT_EQ(netrc.error().message.find("s3cret"), std::string::npos) << netrc.error().message;
    EXPECT_NE(netrc.error().message.find("/home/u/.netrc:"), std::string::npos) << netrc.error().message;
  }
}

TEST(NetrcTest, MatchesByHostOnlyPortIgnored) {
  auto netrc = Netrc::parse("machine pypi.example.com login u password p", "n");
  ASSERT_TRUE(netrc.ok());
  EXPECT_TRUE(netrc->find("pypi.example.com", std::nullopt).has_value());
  EXPECT_FALSE(netrc->find("example.com", std::nullopt).has_value());
  EXPECT_FALSE(netrc->find("other.example.com", std::nullopt).has_value());
}

TEST(NetrcTest, MachineWithPortDoesNotMatchTheHost) {
  auto netrc = Netrc::parse("machine 127.0.0.1:8080 login u password p", "n");
  ASSERT_TRUE(netrc.ok());
  EXPECT_FALSE(netrc->find("127.0.0.1", std::nullopt).has_value());
}

TEST(NetrcTest, DefaultEntryMatchesAnyHost) {
  auto netrc = Netrc::parse("default login anyone password p", "n");
  ASSERT_TRUE(netrc.ok());
  EXPECT_EQ(user_of(netrc->find("anything.example", std::nullopt)), "anyone");
}

TEST(NetrcTest, RequestedUserMustEqualTheLogin) {
  auto netrc = Netrc::parse("machine h login alice password a\ndefault login bob password b", "n");
  ASSERT_TRUE(netrc.ok());
  EXPECT_EQ(user_of(netrc->find("h", std::string("alice"))), "alice");
  EXPECT_FALSE(netrc->find("h", std::string("carol")).has_value()) << "a host entry exists: no fall back to default";
  EXPECT_EQ(user_of(netrc->find("other", std::string("bob"))), "bob");
  EXPECT_FALSE(netrc->find("other", std::string("carol")).has_value());
}

TEST(NetrcTest, RequestedUserPicksAmongEntriesForOneHost) {
  auto netrc = Netrc::parse("machine h login alice password a\nmachine h login bob password b", "n");
  ASSERT_TRUE(netrc.ok());
  EXPECT_EQ(password_of(netrc->find("h", std::string("alice"))), "a");
  EXPECT_EQ(password_of(netrc->find("h", std::nullopt)), "b");
}

TEST(NetrcTest, MissingFileIsNoNetrc) {
  auto netrc = Netrc::load("/nonexistent/netrc");
  ASSERT_TRUE(netrc.ok());
  EXPECT_FALSE(netrc->has_value());
}

}  // namespace
}  // namespace uvauth::auth
