// The HTTP client against the real nginx fixture. Claims about what was sent
// are proved from nginx's access log.
#include "uvauth/net/client.hpp"

#include <gtest/gtest.h>

#include "uvauth/config/locations.hpp"

#include <chrono>
#include <filesystem>
#include <fstream>
#include <set>

#include "nginx_fixture.hpp"
#include "uvauth/sha256.hpp"

namespace uvauth::net {
namespace {

using uvauth::testing::NginxFixture;
using uvauth::testing::test_tag;

using testing::fx;

Request get(const std::string& url) {
  Request request;
  auto parsed = Url::parse(url);
  EXPECT_TRUE(parsed.ok()) << url;
  request.url = *parsed;
  return request;
}

ClientOptions fast_options() {
  ClientOptions options;
  options.retry_base_delay = std::chrono::milliseconds(20);
  options.ca_file = fx().ca_file;
  return options;
}

TEST(ClientTest, FetchesIntoMemoryWithSha256) {
  Client client(fast_options());
  auto response = client.fetch(get(fx().http("/public/hello.txt?" + test_tag())));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world\n");
  EXPECT_EQ(response->sha256, fx().sha256.at("hello.txt"));
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].auth, "no");
  EXPECT_EQ(log[0].user_agent.rfind("uvauth/", 0), 0U);
}

TEST(ClientTest, StreamsToFileWithSha256AndLeavesNoPartFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("uvauth-stream-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Client client(fast_options());
  Request request = get(fx().http("/public/big.bin?" + test_tag()));
  request.output_file = dir / "big.bin";
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->sha256, fx().sha256.at("big.bin"));
  EXPECT_EQ(response->body_size, 2U * 1024 * 1024);
  EXPECT_TRUE(response->body.empty());
  EXPECT_EQ(*Sha256::hex_of_file(dir / "big.bin"), fx().sha256.at("big.bin"));
  std::size_t entries = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(dir)) ++entries;
  EXPECT_EQ(entries, 1U);
  std::filesystem::remove_all(dir);
}

TEST(ClientTest, ErrorStatusNeverReachesTheOutputFile) {
  const auto dir = std::filesystem::temp_directory_path() / ("uvauth-404-" + std::to_string(::getpid()));
  std::filesystem::create_directories(dir);
  Client client(fast_options());
  Request request = get(fx().http("/public/missing.txt?" + test_tag()));
  request.output_file = dir / "out";
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 404);
  EXPECT_FALSE(std::filesystem::exists(dir / "out"));
  EXPECT_TRUE(std::filesystem::is_empty(dir));
  std::filesystem::remove_all(dir);
}

TEST(ClientTest, StreamsToACallback) {
  Client client(fast_options());
  std::string received;
  Request request = get(fx().http("/public/many/f007.txt?" + test_tag()));
  request.on_data = [&](std::string_view chunk) {
    received.append(chunk);
    return true;
  };
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(Sha256::hex_of(received), fx().sha256.at("many/f007.txt"));
  EXPECT_EQ(response->sha256, fx().sha256.at("many/f007.txt"));
}

TEST(ClientTest, HundredConcurrentDownloadsReuseConnections) {
  ClientOptions options = fast_options();
  options.max_concurrent = 10;
  Client client(options);
  std::vector<Request> requests;
  char name[32];
  for (int i = 0; i < 100; ++i) {
    std::snprintf(name, sizeof name, "many/f%03d.txt", i);
    requests.push_back(get(fx().http("/public/" + std::string(name) + "?" + test_tag())));
  }
  auto results = client.fetch_all(std::move(requests));
  for (int i = 0; i < 100; ++i) {
    std::snprintf(name, sizeof name, "many/f%03d.txt", i);
    ASSERT_TRUE(results[static_cast<std::size_t>(i)].ok()) << results[static_cast<std::size_t>(i)].error().message;
    EXPECT_EQ(results[static_cast<std::size_t>(i)]->sha256, fx().sha256.at(name));
  }
  const auto log = fx().requests(test_tag(), 100);
  ASSERT_EQ(log.size(), 100U);
  std::set<std::string> connections;
  for (const auto& e : log) connections.insert(e.connection);
  EXPECT_LE(connections.size(), 10U) << "at most max_concurrent connections";
  EXPECT_LE(client.stats().connections, 10U);
}

TEST(ClientTest, Http2MultiplexesOverTls) {
  ClientOptions options = fast_options();
  Client client(options);
  std::vector<Request> requests;
  for (int i = 0; i < 100; ++i) {
    requests.push_back(get(fx().https("/public/hello.txt?" + test_tag() + "&i=" + std::to_string(i))));
  }
  auto results = client.fetch_all(std::move(requests));
  for (auto& r : results) {
    ASSERT_TRUE(r.ok()) << r.error().message;
    EXPECT_EQ(r->http_version, "2");
  }
  const auto log = fx().requests(test_tag(), 100);
  std::set<std::string> connections;
  for (const auto& e : log) {
    EXPECT_EQ(e.protocol, "HTTP/2.0");
    connections.insert(e.connection);
  }
  EXPECT_LE(connections.size(), 3U) << "HTTP/2 streams share a connection";
}

TEST(ClientTest, FollowsRelativeRedirects) {
  Client client(fast_options());
  auto response = client.fetch(get(fx().http("/rel/hello.txt?" + test_tag())));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body, "hello world\n");
  EXPECT_EQ(response->redirects, 1);
  EXPECT_EQ(response->url.path(), "/public/hello.txt");
}

TEST(ClientTest, FollowsAChainOfMixedRedirectStatuses) {
  Client client(fast_options());
  auto response = client.fetch(get(fx().http("/chain/3?" + test_tag())));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "hello world\n");
  EXPECT_EQ(response->redirects, 3);
}

TEST(ClientTest, SeeOtherTurnsIntoGet) {
  Client client(fast_options());
  auto response = client.fetch(get(fx().http("/see-other/hello.txt?" + test_tag())));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->body, "hello world\n");
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1].method, "GET");
}

TEST(ClientTest, StopsAfterTenRedirects) {
  Client client(fast_options());
  auto response = client.fetch(get(fx().http("/loop?" + test_tag())));
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().message.find("too many redirects"), std::string::npos);
  const auto log = fx().requests(test_tag(), 11);
  EXPECT_EQ(log.size(), 11U) << "the first request and ten redirects, no more";
}

TEST(ClientTest, RetriesTransientFailuresThenSucceeds) {
  Client client(fast_options());
  auto response = client.fetch(get(fx().http("/flaky/ok-" + test_tag() + "?fail=2&" + test_tag())));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  const auto log = fx().requests(test_tag(), 3);
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[0].status, "503");
  EXPECT_EQ(log[1].status, "503");
  EXPECT_EQ(log[2].status, "200");
  EXPECT_EQ(client.stats().retries, 2U);
}

TEST(ClientTest, RetriesAreBounded) {
  ClientOptions options = fast_options();
  options.retries = 2;
  Client client(options);
  auto response = client.fetch(get(fx().http("/flaky/never-" + test_tag() + "?fail=100&" + test_tag())));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 503);
  EXPECT_EQ(fx().requests(test_tag(), 3).size(), 3U);
  // The final error says how hard it tried.
  EXPECT_NE(status_error(*response).message.find("(after 2 retries)"), std::string::npos) << status_error(*response).message;
}

// Seen: https:// to a plain-http server said "verification failed".
TEST(ClientTest, HttpsToAPlainHttpServerSaysItIsNotTls) {
  Client client(fast_options());
  const std::string url = "https://127.0.0.1:" + std::to_string(fx().http_port) + "/public/hello.txt";
  auto response = client.fetch(get(url));
  ASSERT_FALSE(response.ok());
  EXPECT_NE(response.error().message.find("does not speak TLS"), std::string::npos) << response.error().message;
  EXPECT_EQ(response.error().message.find("verification failed"), std::string::npos) << response.error().message;
}

TEST(ClientTest, HonoursRetryAfterOn429) {
  ClientOptions options = fast_options();
  options.retries = 1;
  Client client(options);
  auto response = client.fetch(get(fx().http("/status/429?" + test_tag())));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 429);
  EXPECT_EQ(fx().requests(test_tag(), 2).size(), 2U);
}

TEST(ClientTest, TimesOutOnAStalledServer) {
  ClientOptions options = fast_options();
  options.idle_timeout = std::chrono::seconds(1);
  Client client(options);
  const auto start = std::chrono::steady_clock::now();
  auto response = client.fetch(get(fx().http("/slow/" + test_tag() + "?delay=8")));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::timeout);
  EXPECT_NE(response.error().message.find("timed out"), std::string::npos);
  EXPECT_LT(elapsed, std::chrono::seconds(5));
}

TEST(ClientTest, ConnectionRefusedIsRetriedThenReported) {
  ClientOptions options = fast_options();
  options.retries = 1;
  Client client(options);
  // The fixture's backend port is taken by the backend; port 1 is never listening.
  auto response = client.fetch(get("http://127.0.0.1:1/x"));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::network);
  EXPECT_NE(response.error().message.find("could not connect to 127.0.0.1:1"), std::string::npos);
  EXPECT_EQ(client.stats().retries, 1U);
}

TEST(ClientTest, TlsFailsForAnUntrustedCertificate) {
  ClientOptions options = fast_options();
  options.ca_file.clear();  // the system store does not know the test CA
  Client client(options);
  auto response = client.fetch(get(fx().https("/public/hello.txt?" + test_tag())));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().kind, ErrorKind::tls);
  EXPECT_NE(response.error().message.find("localhost"), std::string::npos);
  const std::string hints = response.error().to_string();
  EXPECT_NE(hints.find("SSL_CERT_FILE"), std::string::npos);
  EXPECT_NE(hints.find("--allow-insecure-host"), std::string::npos);
}

TEST(ClientTest, TlsPassesWithTheCaFromSslCertFile) {
  config::Environment env;
  env.set("SSL_CERT_FILE", fx().ca_file);
  auto options = config::network_settings(env);
  ASSERT_TRUE(options.ok());
  Client client(ClientOptions::from(*options));
  auto response = client.fetch(get(fx().https("/public/hello.txt?" + test_tag())));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "hello world\n");
}

TEST(ClientTest, InsecureHostSkipsVerificationForThatHostOnly) {
  ClientOptions options;
  options.insecure_hosts = {"localhost"};
  Client client(options);
  auto allowed = client.fetch(get(fx().https("/public/hello.txt?" + test_tag())));
  ASSERT_TRUE(allowed.ok()) << allowed.error().message;
  auto other = client.fetch(get("https://127.0.0.1:" + std::to_string(fx().tls_port) + "/public/hello.txt"));
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, ErrorKind::tls);
}

TEST(ClientTest, RangeRequestsReturnPartialContent) {
  Client client(fast_options());
  Request request = get(fx().http("/public/hello.txt?" + test_tag()));
  request.range = "-6";
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 206);
  EXPECT_EQ(response->body, "world\n");
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].range, "bytes=-6");
}

TEST(ClientTest, HeadSendsNoBody) {
  Client client(fast_options());
  Request request = get(fx().http("/public/big.bin?" + test_tag()));
  request.method = Method::head;
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(response->body_size, 0U);
  EXPECT_EQ(response->header("content-length"), std::to_string(2 * 1024 * 1024));
  EXPECT_EQ(fx().requests(test_tag())[0].method, "HEAD");
}

TEST(ClientTest, NeverSendsUserinfoFromTheUrlByItself) {
  Client client(fast_options());
  auto url = "http://alice:" + fx().password("alice") + "@127.0.0.1:" + std::to_string(fx().http_port) +
             "/private/hello.txt?" + test_tag();
  auto response = client.fetch(get(url));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 401);
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].auth, "no");
}

TEST(ClientTest, SendsExactlyTheCredentialsItIsGiven) {
  Client client(fast_options());
  Request request = get(fx().http("/private/hello.txt?" + test_tag()));
  request.authorization = Authorization{Authorization::Scheme::basic, "alice", Secret(fx().password("alice"))};
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].auth, "basic");
  EXPECT_EQ(log[0].user, "alice");
}

TEST(ClientTest, CrossOriginRedirectDropsAuthorizationAndCookie) {
  Client client(fast_options());
  Request request = get(fx().redirector("/to-public/hello.txt?" + test_tag()));
  request.authorization = Authorization{Authorization::Scheme::basic, "alice", Secret(fx().password("alice"))};
  request.headers.emplace_back("Cookie", "session=abc");
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->body, "hello world\n");
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[0].port, fx().redirect_port);
  EXPECT_EQ(log[0].auth, "basic");
  EXPECT_EQ(log[0].cookie, "yes");
  EXPECT_EQ(log[1].port, fx().http_port);
  EXPECT_EQ(log[1].auth, "no") << "credentials must not follow a redirect to another origin";
  EXPECT_EQ(log[1].cookie, "no");
}

TEST(ClientTest, SameOriginRedirectKeepsAuthorization) {
  Client client(fast_options());
  Request request = get(fx().http("/same-origin/hello.txt?" + test_tag()));
  request.authorization = Authorization{Authorization::Scheme::basic, "alice", Secret(fx().password("alice"))};
  auto response = client.fetch(std::move(request));
  ASSERT_TRUE(response.ok());
  EXPECT_EQ(response->status, 200);
  const auto log = fx().requests(test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1].auth, "basic");
  EXPECT_EQ(log[1].user, "alice");
}

// A middleware that records what it sees and adds credentials on 401:
// the hook the auth layer builds on.
class RecordingMiddleware : public Middleware {
 public:
  Status before_send(Request& request, Exchange& exchange) override {
    // A hop to another origin than the exchange's first URL (the client's own rule).
    const bool cross = exchange.hop > 0 && !request.url.same_origin(exchange.original_url);
    seen.push_back(request.url.path() + "#hop" + std::to_string(exchange.hop) + (cross ? "-cross" : ""));
    return {};
  }
  bool should_resend(Request& request, const Response& response, Exchange&) override {
    if (response.status != 401 || request.authorization) return false;
    request.authorization = Authorization{Authorization::Scheme::basic, "alice", Secret(password)};
    return true;
  }
  void on_success(const Request&, const Response&, Exchange&) override { ++successes; }
  std::string password;
  std::vector<std::string> seen;
  int successes = 0;
};

TEST(ClientTest, MiddlewareSeesEveryHopAndMayResend) {
  Client client(fast_options());
  auto middleware = std::make_shared<RecordingMiddleware>();
  middleware->password = fx().password("alice");
  client.set_middleware(middleware);
  auto response = client.fetch(get(fx().redirector("/to-private/hello.txt?" + test_tag())));
  ASSERT_TRUE(response.ok()) << response.error().message;
  EXPECT_EQ(response->status, 200);
  EXPECT_EQ(middleware->seen,
            (std::vector<std::string>{"/to-private/hello.txt#hop0", "/private/hello.txt#hop1-cross",
                                      "/private/hello.txt#hop1-cross"}));
  EXPECT_EQ(middleware->successes, 1);
  const auto log = fx().requests(test_tag(), 3);
  ASSERT_EQ(log.size(), 3U);
  EXPECT_EQ(log[1].status, "401");
  EXPECT_EQ(log[2].status, "200");
}

class RefusingMiddleware : public Middleware {
 public:
  Status before_send(Request& request, Exchange&) override {
    return Error(ErrorKind::auth, "Missing credentials for " + request.url.redacted());
  }
  bool should_resend(Request&, const Response&, Exchange&) override { return false; }
  void on_success(const Request&, const Response&, Exchange&) override {}
};

TEST(ClientTest, MiddlewareErrorSendsNothing) {
  Client client(fast_options());
  client.set_middleware(std::make_shared<RefusingMiddleware>());
  auto response = client.fetch(get(fx().http("/private/hello.txt?" + test_tag())));
  ASSERT_FALSE(response.ok());
  EXPECT_EQ(response.error().message.rfind("Missing credentials for", 0), 0U);
  EXPECT_TRUE(fx().requests(test_tag(), 1, std::chrono::milliseconds(300)).empty());
}

}  // namespace
}  // namespace uvauth::net
