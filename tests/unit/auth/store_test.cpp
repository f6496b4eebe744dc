#include "uvauth/auth/store.hpp"

#include <gtest/gtest.h>

#include "uvauth/config/locations.hpp"
#include <sys/stat.h>

#include <filesystem>

#include "uvauth/fs.hpp"

namespace uvauth::auth {
namespace {

Url service_url(const char* text) { return *Url::parse(text); }

// As `uv auth login` writes it (uv's own test data shape).
constexpr const char* uv_written = R"(
[[credential]]
service = "https://example.com/"
username = "testuser"
scheme = "basic"
password = "testpass"

[[credential]]
service = "https://test.org"
username = "user2"
password = "pass2"

[[credential]]
service = "https://tokens.example/api"
scheme = "bearer"
token = "tok-123"
)";

TEST(CredentialStoreTest, ReadsAStoreWrittenByUv) {
  auto store = CredentialStore::parse(uv_written, "credentials.toml");
  ASSERT_TRUE(store.ok()) << store.error().message;
  ASSERT_EQ(store->entries().size(), 3U);
  auto a = store->find(service_url("https://example.com/simple/pkg/"), std::nullopt);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->username, "testuser");
  EXPECT_EQ(a->password->reveal(), "testpass");
  auto b = store->find(service_url("https://test.org/"), std::nullopt);
  ASSERT_TRUE(b.has_value());
  EXPECT_EQ(b->username, "user2");
  auto c = store->find(service_url("https://tokens.example/api/simple/"), std::nullopt);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->scheme, Credentials::Scheme::bearer);
  EXPECT_EQ(c->password->reveal(), "tok-123");
}

struct BadStore {
  const char* text;
  const char* message;
};

TEST(CredentialStoreTest, InvalidEntriesNameFileLineAndRule) {
  const BadStore cases[] = {
      {"[[credential]]\nservice = \"https://h\"\npassword = \"p\"\n",
       "credentials.toml:1: `username` is required with `scheme = basic`"},
      {"[[credential]]\nservice = \"https://h\"\nusername = \"u\"\ntoken = \"t\"\n",
       "credentials.toml:1: `token` cannot be provided with `scheme = basic`"},
      {"[[credential]]\nservice = \"https://h\"\nscheme = \"bearer\"\n",
       "credentials.toml:1: `token` is required with `scheme = bearer`"},
      {"[[credential]]\nservice = \"https://h\"\nscheme = \"bearer\"\nusername = \"u\"\ntoken = \"t\"\n",
       "credentials.toml:1: `username` cannot be provided with `scheme = bearer`"},
      {"[[credential]]\nusername = \"u\"\n", "credentials.toml:1: [[credential]] needs a `service` string"},
      {"[[credential]]\nservice = \"https://h\"\nscheme = \"digest\"\nusername = \"u\"\n",
       "credentials.toml:1: unknown `scheme = \"digest\"` (expected basic or bearer)"},
      {"credential = 3\n", "credentials.toml:1: `credential` must be an array of tables ([[credential]])"},
  };
  for (const auto& c : cases) {
    auto store = CredentialStore::parse(c.text, "credentials.toml");
    ASSERT_FALSE(store.ok()) << c.text;
    EXPECT_EQ(store.error().message, c.message);
  }
  auto broken = CredentialStore::parse("[[credential]\nservice=", "credentials.toml");
  ASSERT_FALSE(broken.ok());
  EXPECT_EQ(broken.error().message.rfind("credentials.toml:1: ", 0), 0U) << broken.error().message;
}

TEST(CredentialStoreTest, LongestPathPrefixInTheRealmWins) {
  CredentialStore store;
  store.insert(service_url("https://h/"), Credentials::basic("root", Secret("r")));
  store.insert(service_url("https://h/api"), Credentials::basic("api", Secret("a")));
  store.insert(service_url("https://h/api/pypi/team"), Credentials::basic("team", Secret("t")));
  EXPECT_EQ(store.find(service_url("https://h/api/pypi/team/simple/x/"), std::nullopt)->username, "team");
  EXPECT_EQ(store.find(service_url("https://h/api/pypi/other/"), std::nullopt)->username, "api");
  EXPECT_EQ(store.find(service_url("https://h/apiary/"), std::nullopt)->username, "root") << "whole segments only";
  EXPECT_FALSE(store.find(service_url("http://h/api/"), std::nullopt).has_value()) << "another realm (scheme)";
  EXPECT_FALSE(store.find(service_url("https://h:8443/api/"), std::nullopt).has_value()) << "another realm (port)";
}

TEST(CredentialStoreTest, TwoUsersWithoutARequestedUserFindNothing) {
  CredentialStore store;
  store.insert(service_url("https://h/"), Credentials::basic("alice", Secret("a")));
  store.insert(service_url("https://h/"), Credentials::basic("bob", Secret("b")));
  EXPECT_FALSE(store.find(service_url("https://h/simple/"), std::nullopt).has_value());
  EXPECT_EQ(store.find(service_url("https://h/simple/"), std::string("bob"))->password->reveal(), "b");
}

TEST(CredentialStoreTest, InsertReplacesAndRemoveRemoves) {
  CredentialStore store;
  store.insert(service_url("https://h/"), Credentials::basic("alice", Secret("old")));
  store.insert(service_url("https://h"), Credentials::basic("alice", Secret("new")));
  ASSERT_EQ(store.entries().size(), 1U);
  EXPECT_EQ(store.find(service_url("https://h/"), std::string("alice"))->password->reveal(), "new");
  EXPECT_FALSE(store.remove(service_url("https://h/"), "bob"));
  EXPECT_TRUE(store.remove(service_url("https://h/"), "alice"));
  EXPECT_TRUE(store.entries().empty());
}

TEST(CredentialStoreTest, RoundTripsAwkwardSecrets) {
  CredentialStore store;
  const std::string awkward = "p'a\"s\\s w\tö#=[x]";
  store.insert(service_url("https://h/a"), Credentials::basic("us'er", Secret(awkward)));
  store.insert(service_url("https://h/b"), Credentials::bearer(Secret("tok\"en")));
  auto reread = CredentialStore::parse(store.serialize(), "roundtrip");
  ASSERT_TRUE(reread.ok()) << reread.error().message << "\n" << store.serialize();
  EXPECT_EQ(reread->find(service_url("https://h/a"), std::nullopt)->password->reveal(), awkward);
  EXPECT_EQ(reread->find(service_url("https://h/a"), std::nullopt)->username, "us'er");
  EXPECT_EQ(reread->find(service_url("https://h/b"), std::nullopt)->password->reveal(), "tok\"en");
}

TEST(CredentialStoreTest, SavesAtomicallyWithMode0600) {
  const auto dir = std::filesystem::temp_directory_path() / ("uvauth-store-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir);
  const auto file = CredentialStore::file_in(dir / "nested");
  CredentialStore store;
  store.insert(service_url("https://h/"), Credentials::basic("u", Secret("p")));
  {
    auto lock = CredentialStore::lock(file);
    ASSERT_TRUE(lock.ok()) << lock.error().message;
    ASSERT_TRUE(store.save(file).ok());
  }
  struct stat info {};
  ASSERT_EQ(::stat(file.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600U);
  EXPECT_TRUE(std::filesystem::exists(file.string() + ".lock"));
  auto loaded = CredentialStore::load(file);
  ASSERT_TRUE(loaded.ok());
  EXPECT_EQ(loaded->entries().size(), 1U);
  std::size_t files = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(file.parent_path())) ++files;
  EXPECT_EQ(files, 2U) << "no temporary file left behind";
  std::filesystem::remove_all(dir);
}

TEST(CredentialStoreTest, LockExcludesASecondHolder) {
  const auto file = std::filesystem::temp_directory_path() / ("uvauth-lock-" + std::to_string(::getpid()) + ".toml");
  auto first = CredentialStore::lock(file);
  ASSERT_TRUE(first.ok());
  auto second = FileLock::acquire(file.string() + ".lock", "credentials store", std::chrono::milliseconds(100));
  ASSERT_FALSE(second.ok());
  EXPECT_NE(second.error().message.find("timed out waiting for the lock"), std::string::npos);
  std::filesystem::remove(file.string() + ".lock");
}

struct ServiceCase {
  const char* input;
  const char* expected;  // without_userinfo(), or an error fragment starting with '!'
};

TEST(CredentialStoreTest, NormalizesServicesLikeUvAuthLogin) {
  const ServiceCase cases[] = {
      {"example.com", "https://example.com/"},
      {"https://example.com/simple", "https://example.com/"},
      {"https://example.com/simple/", "https://example.com/"},
      {"https://h/api/pypi/team/simple/", "https://h/api/pypi/team"},
      {"https://h/root/+simple", "https://h/root"},
      {"https://h/other/", "https://h/other/"},
      {"http://localhost:8080/simple", "http://localhost:8080/"},
      {"http://127.0.0.1:9/x", "http://127.0.0.1:9/x"},
      {"http://example.com/", "!HTTPS is required for non-local hosts"},
      {"ftp://example.com/", "!unsupported scheme"},
  };
  for (const auto& c : cases) {
    auto service = CredentialStore::normalize_service(c.input);
    if (c.expected[0] == '!') {
      ASSERT_FALSE(service.ok()) << c.input;
      EXPECT_NE(service.error().message.find(c.expected + 1), std::string::npos) << service.error().message;
    } else {
      ASSERT_TRUE(service.ok()) << c.input << ": " << service.error().message;
      EXPECT_EQ(service->without_userinfo(), c.expected) << c.input;
    }
  }
}

TEST(CredentialStoreTest, DirectoryFollowsUvVariables) {
  config::Environment env;
  env.set("HOME", "/home/me");
  EXPECT_EQ(*config::credentials_store_directory(env), "/home/me/.local/share/uv/credentials");
  env.set("XDG_DATA_HOME", "/xdg");
  EXPECT_EQ(*config::credentials_store_directory(env), "/xdg/uv/credentials");
  env.set("UV_CREDENTIALS_DIR", "/creds");
  EXPECT_EQ(*config::credentials_store_directory(env), "/creds");
}

}  // namespace
}  // namespace uvauth::auth
