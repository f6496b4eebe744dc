#include <gtest/gtest.h>

#include "uvauth/config/locations.hpp"

#include "uvauth/auth/cache.hpp"
#include "uvauth/auth/credentials.hpp"
#include "uvauth/auth/index.hpp"
#include "uvauth/auth/session.hpp"

namespace uvauth::auth {
namespace {

Url url(const char* text) { return *Url::parse(text); }

struct PrefixCase {
  const char* prefix;
  const char* path;
  bool covers;
};

TEST(RealmTest, PathPrefixesAreWholeSegments) {
  const PrefixCase cases[] = {
      {"/api", "/api", true},        {"/api", "/api/x", true},   {"/api", "/apiary", false},
      {"/api/", "/api/x", true},     {"/", "/anything", true},   {"/api/x", "/api", false},
      {"/a/b", "/a/b/c/d", true},    {"/a/b", "/a/bc", false},   {"", "/x", true},
  };
  for (const auto& c : cases) EXPECT_EQ(is_path_prefix(c.prefix, c.path), c.covers) << c.prefix << " " << c.path;
}

TEST(RealmTest, RealmIsSchemeHostAndEffectivePort) {
  EXPECT_EQ(Realm::of(url("https://h/x")), Realm::of(url("https://h:443/y")));
  EXPECT_NE(Realm::of(url("https://h/x")), Realm::of(url("http://h/x")));
  EXPECT_NE(Realm::of(url("https://h/x")), Realm::of(url("https://h:8443/x")));
  EXPECT_NE(Realm::of(url("https://h/x")), Realm::of(url("https://g/x")));
}

TEST(CredentialsTest, FromUrlDecodesUserinfo) {
  auto none = Credentials::from_url(url("https://h/"));
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->has_value());
  auto token = Credentials::from_url(url("https://:tok@h/"));
  ASSERT_TRUE(token.ok() && token->has_value());
  EXPECT_FALSE((*token)->username.has_value()) << "an empty user name is no user name, as in uv";
  EXPECT_EQ((*token)->password->reveal(), "tok");
  auto user_only = Credentials::from_url(url("https://alice@h/"));
  ASSERT_TRUE(user_only.ok() && user_only->has_value());
  EXPECT_FALSE((*user_only)->is_authenticated());
  auto encoded = Credentials::from_url(url("https://us%C3%A9r:p%40ss@h/"));
  ASSERT_TRUE(encoded.ok());
  EXPECT_EQ((*encoded)->username, "us\xC3\xA9r");
  EXPECT_EQ((*encoded)->password->reveal(), "p@ss");
}

TEST(CredentialsTest, InvalidUtf8InTheUrlIsAClearError) {
  auto bad = Credentials::from_url(url("https://u:%FF%FEsecret@h/"));
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.error().message.find("not valid UTF-8"), std::string::npos);
  EXPECT_EQ(bad.error().message.find("secret"), std::string::npos);
}

TEST(CredentialsTest, PoliciesParseUvNames) {
  EXPECT_EQ(parse_policy("auto"), AuthPolicy::automatic);
  EXPECT_EQ(parse_policy("always"), AuthPolicy::always);
  EXPECT_EQ(parse_policy("never"), AuthPolicy::never);
  EXPECT_FALSE(parse_policy("sometimes").has_value());
  EXPECT_EQ(to_string(AuthPolicy::automatic), "auto");
}

struct EnvNameCase {
  const char* name;
  const char* prefix;
};

TEST(IndexTest, EnvNamesAreUpperCaseWithUnderscores) {
  const EnvNameCase cases[] = {
      {"internal-proxy", "UV_INDEX_INTERNAL_PROXY"}, {"my.registry", "UV_INDEX_MY_REGISTRY"},
      {"azure_artifacts", "UV_INDEX_AZURE_ARTIFACTS"}, {"Corp 2", "UV_INDEX_CORP_2"}, {"a/b:c", "UV_INDEX_A_B_C"},
  };
  for (const auto& c : cases) EXPECT_EQ(index_env_prefix(c.name), c.prefix);
}

struct RootCase {
  const char* url;
  const char* root;
};

TEST(IndexTest, RootDropsAFinalSimpleSegment) {
  const RootCase cases[] = {
      {"https://h/simple", "https://h/"},
      {"https://h/simple/", "https://h/"},
      {"https://h/api/pypi/repo/simple/", "https://h/api/pypi/repo"},
      {"https://h/root/pypi/+simple/", "https://h/root/pypi"},
      {"https://h/SIMPLE", "https://h/"},
      {"https://h/whl/cpu", "https://h/whl/cpu"},
      {"https://u:p@h/simple", "https://h/"},
  };
  for (const auto& c : cases) EXPECT_EQ(index_root(url(c.url)).without_userinfo(), c.root) << c.url;
}

TEST(IndexTest, FindsTheIndexWhoseRootCoversTheUrl) {
  IndexSet set;
  config::Environment env;
  ASSERT_TRUE(set.add("top", url("https://h/simple"), AuthPolicy::automatic, config::index_variables(env, "top")).ok());
  ASSERT_TRUE(set.add("team", url("https://h/api/pypi/team/simple/"), AuthPolicy::always, config::index_variables(env, "team")).ok());
  EXPECT_EQ(set.find(url("https://h/api/pypi/team/simple/pkg/"))->name, "team");
  EXPECT_EQ(set.find(url("https://h/api/pypi/team/files/x.whl"))->name, "team");
  EXPECT_EQ(set.find(url("https://h/packages/x.whl"))->name, "top");
  EXPECT_EQ(set.find(url("https://other/simple/")), nullptr);
  EXPECT_EQ(set.find(url("http://h/simple/")), nullptr) << "another realm";
}

TEST(IndexTest, TheLinkingIndexAppliesInItsRealmEvenOutsideItsRoot) {
  IndexSet set;
  config::Environment env;
  ASSERT_TRUE(set.add("art", url("https://art/api/pypi/x/simple"), AuthPolicy::always, config::index_variables(env, "art")).ok());
  const Url file = url("https://art/pypi/x/files/a.whl");
  EXPECT_EQ(set.find(file), nullptr);
  EXPECT_EQ(set.find(file, "https://art/api/pypi/x/simple")->name, "art");
  EXPECT_EQ(set.find(url("https://cdn/a.whl"), "https://art/api/pypi/x/simple"), nullptr) << "not in another realm";
}

TEST(IndexTest, EnvVariablesReplaceUrlUserinfo) {
  config::Environment env;
  env.set("UV_INDEX_CORP_PASSWORD", "from-env");
  IndexSet set;
  auto index = set.add("corp", url("https://user:from-url@h/simple"), AuthPolicy::automatic, config::index_variables(env, "corp"));
  ASSERT_TRUE(index.ok());
  EXPECT_EQ((*index)->credentials->username, "user");
  EXPECT_EQ((*index)->credentials->password->reveal(), "from-env");
  EXPECT_FALSE((*index)->url.has_userinfo());
  env.set("UV_INDEX_OTHER_USERNAME", "oauth2accesstoken");
  auto other = set.add("other", url("https://g/simple"), AuthPolicy::automatic, config::index_variables(env, "other"));
  ASSERT_TRUE(other.ok());
  EXPECT_EQ((*other)->credentials->username, "oauth2accesstoken");
  EXPECT_FALSE((*other)->credentials->is_authenticated());
}

TEST(CacheTest, UrlEntriesCoverWholeSegmentsInTheirRealm) {
  CredentialsCache cache;
  cache.insert(url("https://h/api/simple/"), Credentials::basic("alice", Secret("a")));
  EXPECT_TRUE(cache.by_url(url("https://h/api/simple/pkg/"), std::nullopt).has_value());
  EXPECT_FALSE(cache.by_url(url("https://h/api/simpler/"), std::nullopt).has_value());
  EXPECT_FALSE(cache.by_url(url("https://h/other/"), std::nullopt).has_value());
  EXPECT_FALSE(cache.by_url(url("https://h:444/api/simple/"), std::nullopt).has_value());
  EXPECT_FALSE(cache.by_url(url("https://h/api/simple/pkg/"), std::string("bob")).has_value());
  EXPECT_TRUE(cache.by_realm(Realm::of(url("https://h/anything")), std::nullopt).has_value());
  EXPECT_TRUE(cache.by_realm(Realm::of(url("https://h/")), std::string("alice")).has_value());
  EXPECT_FALSE(cache.by_realm(Realm::of(url("https://g/")), std::nullopt).has_value());
}

TEST(SessionTest, IndexArgumentsAreNameEqualsUrlOrAUrl) {
  EXPECT_EQ(split_index_argument("corp=https://h/simple").name, "corp");
  EXPECT_EQ(split_index_argument("corp=https://h/simple").url, "https://h/simple");
  EXPECT_EQ(split_index_argument("https://h/simple?a=b").name, "");
  EXPECT_EQ(split_index_argument("https://h/simple?a=b").url, "https://h/simple?a=b");
}

}  // namespace
}  // namespace uvauth::auth
