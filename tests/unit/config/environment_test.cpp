#include "uvauth/config/environment.hpp"

#include <gtest/gtest.h>

#include "uvauth/config/locations.hpp"

#include "uvauth/net/client.hpp"

namespace uvauth {
namespace {

TEST(EnvironmentTest, SnapshotsTheProcess) {
  ::setenv("UVAUTH_ENV_TEST", "value", 1);
  const auto env = config::Environment::from_process();
  ::unsetenv("UVAUTH_ENV_TEST");
  EXPECT_EQ(env.get("UVAUTH_ENV_TEST"), "value");
  EXPECT_FALSE(config::Environment::from_process().get("UVAUTH_ENV_TEST").has_value());
}

TEST(EnvironmentTest, EmptyIsSetButNotNonEmpty) {
  config::Environment env;
  env.set("X", "");
  EXPECT_TRUE(env.get("X").has_value());
  EXPECT_FALSE(env.get_nonempty("X").has_value());
}

TEST(ClientOptionsTest, ReadsUvVariables) {
  config::Environment env;
  env.set("UV_CONCURRENT_DOWNLOADS", "7");
  env.set("UV_HTTP_TIMEOUT", "3");
  env.set("UV_HTTP_RETRIES", "0");
  env.set("UV_INSECURE_HOST", "a.example b.example:8443");
  auto options = config::network_settings(env);
  ASSERT_TRUE(options.ok()) << options.error().message;
  EXPECT_EQ(options->max_concurrent, 7U);
  EXPECT_EQ(options->idle_timeout.count(), 3);
  EXPECT_EQ(options->retries, 0U);
  EXPECT_EQ(options->insecure_hosts, (std::vector<std::string>{"a.example", "b.example:8443"}));
}

TEST(ClientOptionsTest, RejectsBadNumbersNamingTheVariable) {
  const std::pair<const char*, const char*> cases[] = {
      {"UV_CONCURRENT_DOWNLOADS", "0"}, {"UV_CONCURRENT_DOWNLOADS", "many"}, {"UV_HTTP_TIMEOUT", "-1"},
      {"UV_HTTP_RETRIES", "3x"}};
  for (const auto& [name, value] : cases) {
    config::Environment env;
    env.set(name, value);
    auto options = config::network_settings(env);
    ASSERT_FALSE(options.ok()) << name << "=" << value;
    EXPECT_EQ(options.error().kind, ErrorKind::config);
    EXPECT_NE(options.error().message.find(name), std::string::npos);
  }
}

TEST(ClientOptionsTest, IgnoresMissingCertificateFiles) {
  config::Environment env;
  env.set("SSL_CERT_FILE", "/nonexistent/ca.pem");
  auto options = config::network_settings(env);
  ASSERT_TRUE(options.ok());
  EXPECT_TRUE(options->ca_file.empty());
}

}  // namespace
}  // namespace uvauth
