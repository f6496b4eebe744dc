// The auth layer through the library API: concurrency and the index that
// linked a file.
#include <gtest/gtest.h>

#include "uvauth/config/locations.hpp"

#include <algorithm>

#include "nginx_fixture.hpp"
#include "temp_home.hpp"
#include "uvauth/auth/middleware.hpp"

namespace uvauth::auth {
namespace {

using testing::NginxFixture;
using testing::TempHome;
using testing::test_tag;

using testing::fx;

using testing::client_options;

net::Request get(const std::string& url, std::string linked_by = {}) {
  net::Request request;
  request.url = *Url::parse(url);
  request.tag = std::move(linked_by);
  return request;
}

TEST(LibraryAuthTest, FiftyConcurrentRequestsToAPrivateRealmCauseOneLookup) {
  TempHome home;
  const std::string index_url = fx().http("/private/simple/");
  home.install_keyring(index_url, "alice", fx().password("alice"));
  AuthSettings settings;
  settings.keyring_executable = home.keyring_executable().string();
  IndexSet indexes;
  config::Environment env;
  env.set("UV_INDEX_CORP_USERNAME", "alice");
  ASSERT_TRUE(indexes.add("corp", *Url::parse(index_url), AuthPolicy::always, config::index_variables(env, "corp")).ok());
  auto middleware = std::make_shared<AuthMiddleware>(settings, std::move(indexes));
  net::Client client(client_options());
  client.set_middleware(middleware);

  std::vector<net::Request> requests;
  for (int i = 0; i < 50; ++i) {
    requests.push_back(get(fx().http("/private/many/f" + std::string(i < 10 ? "00" : "0") + std::to_string(i) +
                                     ".txt?" + test_tag())));
  }
  for (auto& result : client.fetch_all(std::move(requests))) {
    ASSERT_TRUE(result.ok()) << result.error().message;
    EXPECT_EQ(result->status, 200);
  }
  EXPECT_EQ(middleware->lookups(), 1);
  EXPECT_EQ(home.keyring_log(), "get|" + index_url + "|alice|\n");
  const auto log = fx().requests(test_tag(), 50);
  ASSERT_EQ(log.size(), 50U);
  for (const auto& e : log) {
    EXPECT_EQ(e.status, "200");
    EXPECT_EQ(e.user, "alice");
  }
}

TEST(LibraryAuthTest, AMissThenAnotherAskerReusesTheAnswer) {
  TempHome home;  // empty netrc path, no store, no keyring
  AuthSettings settings;
  settings.netrc_file = home.path() / ".netrc";
  auto middleware = std::make_shared<AuthMiddleware>(settings, IndexSet{});
  net::Client client(client_options());
  client.set_middleware(middleware);
  std::vector<net::Request> requests;
  for (int i = 0; i < 20; ++i) requests.push_back(get(fx().http("/private/hello.txt?" + test_tag() + std::to_string(i))));
  for (auto& result : client.fetch_all(std::move(requests))) {
    ASSERT_TRUE(result.ok());
    EXPECT_EQ(result->status, 401);
  }
  EXPECT_EQ(middleware->lookups(), 1) << "a miss is remembered too";
}

// Artifactory: the index page is under /api/pypi/<repo>/simple, the files under
// /<repo>/... — outside the index root, same realm.
TEST(LibraryAuthTest, FilesLinkedFromAnAlwaysIndexAreAuthenticatedOutsideItsRoot) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + fx().password("alice") + "\n");
  AuthSettings settings;
  settings.netrc_file = home.path() / ".netrc";
  IndexSet indexes;
  const std::string index_url = fx().http("/api/pypi/repo/simple/");
  ASSERT_TRUE(indexes.add("art", *Url::parse(index_url), AuthPolicy::always, config::index_variables(config::Environment{}, "art")).ok());
  auto middleware = std::make_shared<AuthMiddleware>(settings, std::move(indexes));
  net::Client client(client_options());
  client.set_middleware(middleware);

  auto linked = client.fetch(get(fx().http("/private/hello.txt?linked-" + test_tag()), index_url));
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  EXPECT_EQ(linked->status, 200);
  const auto linked_log = fx().requests("linked-" + test_tag());
  ASSERT_EQ(linked_log.size(), 1U) << "policy `always` of the linking index: no unauthenticated attempt";
  EXPECT_EQ(linked_log[0].user, "alice");
}

// A fresh process (uvauth sync) whose first request is a linked file: the
// store entry of the index (its service is the index URL) covers the file.
TEST(LibraryAuthTest, TheStoreEntryOfAnIndexCoversAFileItLinkedOutsideItsPath) {
  TempHome home;
  const std::string index_url = fx().http("/api/pypi/repo/simple/");
  const auto store = home.write("credentials/credentials.toml",
                                "[[credential]]\nservice = \"" + fx().http("/api/pypi/repo") +
                                    "\"\nusername = \"alice\"\nscheme = \"basic\"\npassword = \"" +
                                    fx().password("alice") + "\"\n");
  AuthSettings settings;
  settings.netrc_file = home.path() / ".netrc";
  settings.store_file = store;
  IndexSet indexes;
  ASSERT_TRUE(indexes.add("art", *Url::parse(index_url), AuthPolicy::always, config::index_variables(config::Environment{}, "art")).ok());
  auto middleware = std::make_shared<AuthMiddleware>(settings, std::move(indexes));
  net::Client client(client_options());
  client.set_middleware(middleware);

  auto linked = client.fetch(get(fx().http("/private/hello.txt?" + test_tag()), index_url));
  ASSERT_TRUE(linked.ok()) << linked.error().message;
  EXPECT_EQ(linked->status, 200);
  const auto log = fx().requests(test_tag());
  ASSERT_EQ(log.size(), 1U);
  EXPECT_EQ(log[0].user, "alice");
}

TEST(LibraryAuthTest, WorkingCredentialsAreReusedForTheRealmOfAnIndex) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + fx().password("alice") + "\n");
  AuthSettings settings;
  settings.netrc_file = home.path() / ".netrc";
  IndexSet indexes;
  ASSERT_TRUE(indexes.add("corp", *Url::parse(fx().http("/private/simple/")), AuthPolicy::automatic,
                          config::IndexVariables{}).ok());
  auto middleware = std::make_shared<AuthMiddleware>(settings, std::move(indexes));
  net::Client client(client_options());
  client.set_middleware(middleware);
  ASSERT_TRUE(client.fetch(get(fx().http("/private/hello.txt?first-" + test_tag()))).ok());
  auto second = client.fetch(get(fx().http("/private/many/f001.txt?second-" + test_tag())));
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->status, 200);
  EXPECT_EQ(fx().requests("first-" + test_tag(), 2).size(), 2U) << "401, then 200";
  const auto log = fx().requests("second-" + test_tag());
  ASSERT_EQ(log.size(), 1U) << "credentials known for the index: sent at once";
  EXPECT_EQ(log[0].user, "alice");
}

TEST(LibraryAuthTest, RangeAndHeadRequestsAreAuthenticatedToo) {
  TempHome home;
  home.write_netrc("machine 127.0.0.1 login alice password " + fx().password("alice") + "\n");
  AuthSettings settings;
  settings.netrc_file = home.path() / ".netrc";
  auto middleware = std::make_shared<AuthMiddleware>(settings, IndexSet{});
  net::Client client(client_options());
  client.set_middleware(middleware);
  net::Request range = get(fx().http("/private/big.bin?range-" + test_tag()));
  range.range = "-1024";
  auto ranged = client.fetch(std::move(range));
  ASSERT_TRUE(ranged.ok());
  EXPECT_EQ(ranged->status, 206);
  EXPECT_EQ(ranged->body.size(), 1024U);
  net::Request head = get(fx().http("/private/big.bin?head-" + test_tag()));
  head.method = net::Method::head;
  auto headed = client.fetch(std::move(head));
  ASSERT_TRUE(headed.ok());
  EXPECT_EQ(headed->status, 200);
  const auto log = fx().requests("range-" + test_tag(), 2);
  ASSERT_EQ(log.size(), 2U);
  EXPECT_EQ(log[1].range, "bytes=-1024");
  EXPECT_EQ(log[1].user, "alice");
}

}  // namespace
}  // namespace uvauth::auth
