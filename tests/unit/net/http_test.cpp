#include "uvauth/net/http.hpp"

#include <gtest/gtest.h>

#include "net/transfer.hpp"

namespace uvauth::net {
namespace {

TEST(HeadersTest, LookupIsCaseInsensitive) {
  Headers headers{{"content-type", "text/html"}, {"ETag", "\"x\""}};
  EXPECT_EQ(find_header(headers, "Content-Type"), "text/html");
  EXPECT_EQ(find_header(headers, "etag"), "\"x\"");
  EXPECT_FALSE(find_header(headers, "location").has_value());
  remove_header(headers, "ETAG");
  EXPECT_EQ(headers.size(), 1U);
}

TEST(StatusErrorTest, NamesStatusAndRedactedUrl) {
  Response response;
  response.status = 401;
  response.url = *Url::parse("https://u:pw@h/simple/");
  const Error error = status_error(response);
  EXPECT_EQ(error.kind, ErrorKind::auth);
  EXPECT_EQ(error.message, "HTTP 401 Unauthorized for https://u:****@h/simple/");
  EXPECT_FALSE(error.hints.empty());
}

struct InsecureCase {
  const char* url;
  std::vector<std::string> allowed;
  bool insecure;
};

TEST(TlsOptionsTest, InsecureHostsMatchHostOrHostAndPort) {
  const InsecureCase cases[] = {
      {"https://a.example/x", {"a.example"}, true},
      {"https://a.example:8443/x", {"a.example"}, true},
      {"https://a.example:8443/x", {"a.example:8443"}, true},
      {"https://a.example/x", {"a.example:8443"}, false},
      {"https://b.example/x", {"a.example"}, false},
      {"https://a.example.evil/x", {"a.example"}, false},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(detail::is_insecure_host(*Url::parse(c.url), c.allowed), c.insecure) << c.url;
  }
}

}  // namespace
}  // namespace uvauth::net
