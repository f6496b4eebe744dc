#include "uvauth/url.hpp"

#include <gtest/gtest.h>

#include <sstream>

namespace uvauth {
namespace {

struct ParseCase {
  const char* input;
  const char* scheme;
  const char* host;
  int port;
  bool explicit_port;
  const char* path;
  const char* query;
};

TEST(UrlTest, ParsesComponentsWithEffectivePort) {
  const ParseCase cases[] = {
      {"https://pypi.org/simple/", "https", "pypi.org", 443, false, "/simple/", ""},
      {"http://127.0.0.1:8080/a/b?x=1", "http", "127.0.0.1", 8080, true, "/a/b", "x=1"},
      {"HTTPS://PyPI.Example.COM/Simple", "https", "pypi.example.com", 443, false, "/Simple", ""},
      {"http://[::1]:9000/", "http", "[::1]", 9000, true, "/", ""},
      {"https://host", "https", "host", 443, false, "/", ""},
      {"https://host:443/x", "https", "host", 443, true, "/x", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.input);
    auto url = Url::parse(c.input);
    ASSERT_TRUE(url.ok()) << url.error().message;
    EXPECT_EQ(url->scheme(), c.scheme);
    EXPECT_EQ(url->host(), c.host);
    EXPECT_EQ(url->port(), c.port);
    EXPECT_EQ(url->has_explicit_port(), c.explicit_port);
    EXPECT_EQ(url->path(), c.path);
    EXPECT_EQ(url->query(), c.query);
  }
}

TEST(UrlTest, DecodesUserinfoAndKeepsItOffTheWire) {
  auto url = Url::parse("https://us%40er:p%3Ass%2Fw@host.example/simple/#frag");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->username(), "us@er");
  EXPECT_EQ(url->password().reveal(), "p:ss/w");
  EXPECT_EQ(url->request_target(), "https://host.example/simple/");
  EXPECT_EQ(url->without_userinfo(), "https://host.example/simple/#frag");
  EXPECT_EQ(url->redacted(), "https://us%40er:****@host.example/simple/#frag");
}

TEST(UrlTest, EmptyUserWithTokenPassword) {
  auto url = Url::parse("https://:tok3n@host/");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->username(), "");
  EXPECT_TRUE(url->has_password());
  EXPECT_EQ(url->password().reveal(), "tok3n");
  EXPECT_EQ(url->redacted(), "https://:****@host/");
}

TEST(UrlTest, LoneUsernameIsRedactedBecauseItIsOftenAToken) {
  auto url = Url::parse("https://ghp_abcdef@host/simple");
  ASSERT_TRUE(url.ok());
  EXPECT_EQ(url->username(), "ghp_abcdef");
  EXPECT_EQ(url->redacted(), "https://****@host/simple");
}

TEST(UrlTest, StreamingPrintsRedacted) {
  auto url = Url::parse("https://u:secret@host/");
  ASSERT_TRUE(url.ok());
  std::ostringstream out;
  out << *url;
  EXPECT_EQ(out.str().find("secret"), std::string::npos);
}

TEST(UrlTest, RejectsBadInputWithoutEchoingThePassword) {
  const char* cases[] = {"", "not a url", "ftp://host/x", "/relative/path", "https://", "https://u:topsecret@host:99999/",
                         "http://host/with space"};
  for (const char* c : cases) {
    SCOPED_TRACE(c);
    auto url = Url::parse(c);
    ASSERT_FALSE(url.ok());
    EXPECT_EQ(url.error().kind, ErrorKind::parse);
    EXPECT_NE(url.error().message.find("invalid URL"), std::string::npos);
    EXPECT_EQ(url.error().message.find("topsecret"), std::string::npos) << url.error().message;
  }
}

struct JoinCase {
  const char* base;
  const char* reference;
  const char* expected;
};

TEST(UrlTest, JoinsReferencesLikeABrowser) {
  const JoinCase cases[] = {
      {"http://h/simple/pkg/", "pkg-1.0-py3-none-any.whl", "http://h/simple/pkg/pkg-1.0-py3-none-any.whl"},
      {"http://h/simple/pkg/", "../../files/a.whl#sha256=00", "http://h/files/a.whl#sha256=00"},
      {"http://h/rel/hello.txt", "../public/hello.txt", "http://h/public/hello.txt"},
      {"http://h:81/a/b", "/c", "http://h:81/c"},
      {"http://h/a", "https://other/x", "https://other/x"},
      {"http://h/a?q=1", "?q=2", "http://h/a?q=2"},
      {"https://h/a", "//cdn.example/x", "https://cdn.example/x"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(std::string(c.base) + " + " + c.reference);
    auto base = Url::parse(c.base);
    ASSERT_TRUE(base.ok());
    auto joined = base->join(c.reference);
    ASSERT_TRUE(joined.ok()) << joined.error().message;
    EXPECT_EQ(joined->without_userinfo(), c.expected);
  }
}

TEST(UrlTest, JoinDoesNotInheritUserinfo) {
  auto base = Url::parse("https://u:p@h/simple/x/");
  ASSERT_TRUE(base.ok());
  auto joined = base->join("file.whl");
  ASSERT_TRUE(joined.ok());
  EXPECT_FALSE(joined->has_userinfo());
}

TEST(UrlTest, JoinTakesUserinfoFromAnAbsoluteReference) {
  auto base = Url::parse("https://h/a");
  ASSERT_TRUE(base.ok());
  auto joined = base->join("https://bob:pw@other/x");
  ASSERT_TRUE(joined.ok());
  EXPECT_EQ(joined->username(), "bob");
  EXPECT_EQ(joined->password().reveal(), "pw");
}

TEST(UrlTest, OriginComparesSchemeHostAndEffectivePort) {
  auto a = Url::parse("https://h/x");
  auto b = Url::parse("https://h:443/y");
  auto c = Url::parse("https://h:8443/x");
  auto d = Url::parse("http://h/x");
  auto e = Url::parse("https://H/z");
  ASSERT_TRUE(a && b && c && d && e);
  EXPECT_TRUE(a->same_origin(*b));
  EXPECT_FALSE(a->same_origin(*c));
  EXPECT_FALSE(a->same_origin(*d));
  EXPECT_TRUE(a->same_origin(*e));
  EXPECT_EQ(a->origin(), "https://h:443");
}

struct RedactCase {
  const char* input;
  const char* expected;
};

TEST(RedactTest, HidesPasswordsInFreeText) {
  const RedactCase cases[] = {
      {"GET https://user:pw@host/x failed", "GET https://user:****@host/x failed"},
      {"see http://tok@h and https://a:b@c/d", "see http://****@h and https://a:****@c/d"},
      {"no urls here", "no urls here"},
      {"https://host/path@notuser", "https://host/path@notuser"},
      {"'https://u:p@h'", "'https://u:****@h'"},
      {"https://u:p@ss@host/", "https://u:****@host/"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(redact_userinfo_in_text(c.input), c.expected) << c.input;
  }
}

}  // namespace
}  // namespace uvauth
