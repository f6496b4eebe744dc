// The auth middleware's decision table, without a server: policy x URL
// userinfo x index credentials x each source's answer x the response status
// -> what is attached, whether it is sent again, or which error ends it.
// The sources are fakes behind the credential-source interface; the
// "server" is a function of the request.
#include "uvauth/auth/middleware.hpp"

#include <gtest/gtest.h>

#include <functional>
#include <map>

namespace uvauth::auth {
namespace {

Url url(const std::string& text) { return *Url::parse(text); }

// A source that knows credentials per host, and counts what it was asked.
class FakeSource final : public CredentialSource {
 public:
  FakeSource(std::string name, std::map<std::string, Credentials> by_host) : name_(std::move(name)), by_host_(std::move(by_host)) {}
  [[nodiscard]] std::string describe() const override { return name_; }
  std::optional<Credentials> find(const Url& u, const LookupContext& context, const std::optional<std::string>& username) override {
    ++asked;
    last_index = context.index;
    last_username = username;
    auto it = by_host_.find(u.host());
    if (it == by_host_.end()) return std::nullopt;
    if (username && it->second.username != username) return std::nullopt;
    return it->second;
  }
  int asked = 0;
  const AuthIndex* last_index = nullptr;
  std::optional<std::string> last_username;

 private:
  std::string name_;
  std::map<std::string, Credentials> by_host_;
};

Credentials basic(const std::string& user, const std::string& password) { return Credentials::basic(user, Secret(password)); }

// What one exchange did.
struct Outcome {
  std::optional<Error> error;                 // before_send refused: nothing (more) was sent
  std::vector<std::string> sent;              // per attempt: "-" unauthenticated, "user:password", "user:" (no password)
  long status = 0;                            // the final response
  std::string rejected;                       // the final response's list of refused sources
};

std::string shown(const std::optional<net::Authorization>& a) {
  if (!a) return "-";
  if (a->scheme == net::Authorization::Scheme::bearer) return "bearer:" + a->secret.reveal();
  return a->username + ":" + a->secret.reveal();
}

// The client's loop for one URL, no redirects: before_send before every
// attempt, should_resend after each non-2xx, on_success / on_final_response.
Outcome exchange(AuthMiddleware& middleware, const Url& target, const std::function<long(const net::Request&)>& server) {
  Outcome out;
  net::Request request;
  request.url = target;
  net::Exchange exchange;
  exchange.original_url = target;
  for (int attempt = 0; attempt < 8; ++attempt) {
    if (auto ok = middleware.before_send(request, exchange); !ok) {
      out.error = ok.error();
      break;
    }
    out.sent.push_back(shown(request.authorization));
    net::Response response;
    response.status = server(request);
    response.url = target;
    if (response.status >= 200 && response.status < 300) {
      middleware.on_success(request, response, exchange);
      out.status = response.status;
      break;
    }
    if (!middleware.should_resend(request, response, exchange)) {
      middleware.on_final_response(request, response, exchange);
      out.status = response.status;
      out.rejected = response.rejected;
      break;
    }
    ++exchange.resend;
  }
  middleware.on_complete(exchange);
  return out;
}

// A server that wants exactly these credentials; `missing` is its answer
// to a request without any (401, or 404 as some registries do).
std::function<long(const net::Request&)> wants(const std::string& user, const std::string& password, long missing = 401) {
  return [=](const net::Request& r) -> long {
    if (!r.authorization) return missing;
    return r.authorization->username == user && r.authorization->secret.reveal() == password ? 200 : 401;
  };
}
long public_server(const net::Request&) { return 200; }

struct World {
  AuthPolicy policy = AuthPolicy::automatic;
  std::string index_url = "http://idx.test/simple/";
  config::IndexVariables index_variables;
  std::map<std::string, Credentials> netrc;
  std::map<std::string, Credentials> store;
  std::map<std::string, Credentials> keychain;
  // (Setters rather than designated initializers: g++ 12 warns on omitted fields.)
  World& with_policy(AuthPolicy p) { policy = p; return *this; }
  World& with_index_url(std::string u) { index_url = std::move(u); return *this; }
  World& with_variables(config::IndexVariables v) { index_variables = std::move(v); return *this; }
  World& in_netrc(const std::string& host, Credentials c) { netrc.emplace(host, std::move(c)); return *this; }
  World& in_store(const std::string& host, Credentials c) { store.emplace(host, std::move(c)); return *this; }
  World& in_keychain(const std::string& host, Credentials c) { keychain.emplace(host, std::move(c)); return *this; }
};

struct Built {
  std::shared_ptr<AuthMiddleware> middleware;
  FakeSource* netrc;
  FakeSource* store;
  FakeSource* keychain;
  [[nodiscard]] int asked() const { return netrc->asked + store->asked + keychain->asked; }
};

Built build(const World& setup) {
  IndexSet indexes;
  EXPECT_TRUE(indexes.add("corp", url(setup.index_url), setup.policy, setup.index_variables).ok());
  CredentialSources sources;
  auto netrc = std::make_unique<FakeSource>("netrc file N", setup.netrc);
  auto store = std::make_unique<FakeSource>("the credentials store S", setup.store);
  auto keychain = std::make_unique<FakeSource>("the system keychain K", setup.keychain);
  Built built{nullptr, netrc.get(), store.get(), keychain.get()};
  sources.push_back(std::move(netrc));
  sources.push_back(std::move(store));
  sources.push_back(std::move(keychain));
  built.middleware = std::make_shared<AuthMiddleware>(AuthSettings{}, std::move(indexes), std::move(sources));
  return built;
}

const std::string page = "http://idx.test/simple/pkg/";

// ---- auto ----

TEST(MiddlewareTableTest, AutoPublicIndexSendsOneUnauthenticatedRequestAndAsksNoSource) {
  auto b = build(World().in_netrc("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url(page), public_server);
  EXPECT_EQ(out.sent, (std::vector<std::string>{"-"}));
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(b.asked(), 0);
}

TEST(MiddlewareTableTest, AutoAfterA401TheFirstSourceWithAnAnswerIsUsedOnce) {
  auto b = build(World().in_netrc("idx.test", basic("alice", "pw")).in_store("idx.test", basic("bob", "pw2")));
  auto out = exchange(*b.middleware, url(page), wants("alice", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"-", "alice:pw"}));
  EXPECT_EQ(out.status, 200);
  EXPECT_EQ(b.store->asked, 0) << "the chain stops at the first answer";
  EXPECT_EQ(b.netrc->last_index->name, "corp") << "sources are told the index";
  // The next request of the index carries what worked, asking no source.
  const int before = b.asked();
  auto again = exchange(*b.middleware, url("http://idx.test/simple/other/"), wants("alice", "pw"));
  EXPECT_EQ(again.sent, (std::vector<std::string>{"alice:pw"}));
  EXPECT_EQ(b.asked(), before);
}

TEST(MiddlewareTableTest, AutoA404WithoutCredentialsLooksUpAndRetries) {
  auto b = build(World().in_store("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url(page), wants("alice", "pw", 404));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"-", "alice:pw"}));
  EXPECT_EQ(out.status, 200);
}

TEST(MiddlewareTableTest, AutoARefusedSourceIsFollowedByTheNextSourceThenTheAnswerStands) {
  auto b = build(World().in_netrc("idx.test", basic("alice", "old")).in_store("idx.test", basic("alice", "new")).in_keychain("idx.test", basic("alice", "newest")));
  auto out = exchange(*b.middleware, url(page), wants("alice", "new"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"-", "alice:old", "alice:new"}));
  EXPECT_EQ(out.status, 200);

  auto none = build(World().in_netrc("idx.test", basic("alice", "a")).in_store("idx.test", basic("alice", "b")));
  auto refused = exchange(*none.middleware, url(page), wants("alice", "c"));
  EXPECT_EQ(refused.sent, (std::vector<std::string>{"-", "alice:a", "alice:b"}));
  EXPECT_EQ(refused.status, 401);
  EXPECT_EQ(refused.rejected, "user 'alice' from netrc file N, then user 'alice' from the credentials store S");
}

TEST(MiddlewareTableTest, AutoNoSourceHasAnythingTheFirstAnswerIsFinal) {
  auto b = build(World());
  auto out = exchange(*b.middleware, url(page), wants("alice", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"-"}));
  EXPECT_EQ(out.status, 401);
  EXPECT_EQ(b.netrc->asked, 1);
  EXPECT_EQ(b.store->asked, 1);
  EXPECT_EQ(b.keychain->asked, 1);
}

TEST(MiddlewareTableTest, AutoAUserNameInTheUrlIsLookedUpBeforeTheFirstRequest) {
  auto b = build(World().in_store("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url("http://alice@idx.test/simple/pkg/"), wants("alice", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"alice:pw"}));
  EXPECT_EQ(b.store->last_username, "alice");
}

TEST(MiddlewareTableTest, AutoAUserNameWithoutAPasswordAnywhereIsSentAlone) {
  auto b = build(World().in_store("idx.test", basic("bob", "pw")));
  auto out = exchange(*b.middleware, url("http://alice@idx.test/simple/pkg/"), wants("alice", "pw"));
  ASSERT_FALSE(out.sent.empty());
  EXPECT_EQ(out.sent.front(), "alice:");
  EXPECT_EQ(out.status, 401);
}

// ---- credentials given explicitly ----

TEST(MiddlewareTableTest, CompleteUrlCredentialsAreSentFirstAndNotReplacedAfterA401) {
  auto b = build(World().in_netrc("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url("http://bob:x@idx.test/simple/pkg/"), wants("alice", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"bob:x"}));
  EXPECT_EQ(out.status, 401);
  EXPECT_EQ(b.asked(), 0);
}

TEST(MiddlewareTableTest, IndexCredentialsFromTheVariablesAreSentFirstAndNoSourceIsAsked) {
  auto b = build(World().with_variables(config::IndexVariables{std::string("carol"), std::string("v"), std::nullopt}).in_netrc("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url(page), wants("carol", "v"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"carol:v"}));
  EXPECT_EQ(b.asked(), 0);
}

TEST(MiddlewareTableTest, AnIndexUserNameAloneIsCompletedFromTheSources) {
  auto b = build(World().with_variables(config::IndexVariables{std::string("alice"), std::nullopt, std::nullopt}).in_keychain("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url(page), wants("alice", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"alice:pw"}));
  EXPECT_EQ(b.keychain->last_username, "alice");
}

// ---- always ----

TEST(MiddlewareTableTest, AlwaysLooksUpBeforeTheFirstRequest) {
  auto b = build(World().with_policy(AuthPolicy::always).in_keychain("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url(page), wants("alice", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"alice:pw"}));
}

TEST(MiddlewareTableTest, AlwaysWithNothingFoundSendsNothing) {
  auto b = build(World().with_policy(AuthPolicy::always));
  auto out = exchange(*b.middleware, url(page), public_server);
  EXPECT_TRUE(out.sent.empty());
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("Missing credentials for http://idx.test/simple/pkg/"), std::string::npos) << out.error->message;
}

TEST(MiddlewareTableTest, AlwaysWithAUserAndNoPasswordIsIncomplete) {
  auto b = build(World().with_policy(AuthPolicy::always).in_store("idx.test", basic("bob", "pw")));
  auto out = exchange(*b.middleware, url("http://alice@idx.test/simple/pkg/"), public_server);
  EXPECT_TRUE(out.sent.empty());
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("Incomplete credentials"), std::string::npos) << out.error->message;
}

TEST(MiddlewareTableTest, AlwaysCoversFilesUnderTheIndexRootOutsideItsSimplePath) {
  // Artifactory-style: the page links /files/..., outside /simple/.
  auto b = build(World().with_policy(AuthPolicy::always).with_index_url("http://idx.test/api/pypi/simple/"));
  auto out = exchange(*b.middleware, url("http://idx.test/api/pypi/files/pkg-1.0.whl"), public_server);
  EXPECT_TRUE(out.sent.empty()) << "a file under the index root is the index's";
  ASSERT_TRUE(out.error);
}

// ---- never ----

TEST(MiddlewareTableTest, NeverAttachesNothingAndAsksNoSource) {
  auto b = build(World().with_policy(AuthPolicy::never).in_netrc("idx.test", basic("alice", "pw")));
  auto out = exchange(*b.middleware, url(page), wants("alice", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"-"}));
  EXPECT_EQ(out.status, 401);
  EXPECT_EQ(b.asked(), 0);
}

TEST(MiddlewareTableTest, NeverWithCredentialsInTheUrlIsAnError) {
  auto b = build(World().with_policy(AuthPolicy::never));
  auto out = exchange(*b.middleware, url("http://bob:x@idx.test/simple/pkg/"), public_server);
  EXPECT_TRUE(out.sent.empty());
  ASSERT_TRUE(out.error);
  EXPECT_NE(out.error->message.find("authenticate = \"never\""), std::string::npos);
  EXPECT_EQ(out.error->message.find("x@"), std::string::npos) << "no password in the message";
}

// ---- outside every index ----

TEST(MiddlewareTableTest, AUrlOutsideEveryIndexIsLookedUpForItsOwnHost) {
  auto b = build(World().in_netrc("files.test", basic("dave", "pw")).in_netrc("idx.test", basic("alice", "x")));
  auto out = exchange(*b.middleware, url("http://files.test/pkg-1.0.whl"), wants("dave", "pw"));
  EXPECT_EQ(out.sent, (std::vector<std::string>{"-", "dave:pw"}));
  EXPECT_EQ(b.netrc->last_index, nullptr);
}

// ---- the look-up runs once per index and user ----

TEST(MiddlewareTableTest, AMissIsRememberedForTheIndex) {
  auto b = build(World());
  (void)exchange(*b.middleware, url(page), wants("alice", "pw"));
  (void)exchange(*b.middleware, url("http://idx.test/simple/b/"), wants("alice", "pw"));
  EXPECT_EQ(b.netrc->asked, 1);
  EXPECT_EQ(b.middleware->lookups(), 1);
}

}  // namespace
}  // namespace uvauth::auth

namespace uvauth::auth {
namespace {

TEST(KeychainSourceTest, ServiceNamesAreUvs) {
  EXPECT_EQ(KeychainSource::service_name(url("https://pypi.example.com/simple/")), "uv:pypi.example.com");
  EXPECT_EQ(KeychainSource::service_name(url("https://pypi.example.com:8443/a/b")), "uv:pypi.example.com:8443");
  EXPECT_EQ(KeychainSource::service_name(url("http://127.0.0.1:8080/simple")), "uv:http://127.0.0.1:8080");
  EXPECT_EQ(KeychainSource::service_name(url("http://localhost/")), "uv:http://localhost");
}

}  // namespace
}  // namespace uvauth::auth
