#include "nginx_fixture.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>

namespace uvauth::testing {

const NginxFixture& NginxFixture::get() {
  static const NginxFixture fixture = [] {
    const char* path = std::getenv("UVAUTH_TEST_FIXTURE");
    if (!path) throw std::runtime_error("UVAUTH_TEST_FIXTURE is not set: run the integration tests through ctest");
    std::ifstream in(path);
    if (!in) throw std::runtime_error(std::string("cannot read the nginx fixture description ") + path);
    const auto json = nlohmann::json::parse(in);
    NginxFixture f;
    f.http_port = json["ports"]["http"];
    f.redirect_port = json["ports"]["redirect"];
    f.tls_port = json["ports"]["tls"];
    f.ca_file = json["ca_file"];
    f.access_log = json["access_log"];
    f.data_dir = json["data_dir"];
    f.users = json["users"].get<std::map<std::string, std::string>>();
    f.sha256 = json["sha256"].get<std::map<std::string, std::string>>();
    for (const auto& [name, wheel] : json["wheels"].items()) f.wheel_sha256[name] = wheel["sha256"];
    return f;
  }();
  return fixture;
}

std::string NginxFixture::http(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(http_port) + path;
}
std::string NginxFixture::http_localhost(const std::string& path) const {
  return "http://localhost:" + std::to_string(http_port) + path;
}
std::string NginxFixture::redirector(const std::string& path) const {
  return "http://127.0.0.1:" + std::to_string(redirect_port) + path;
}
std::string NginxFixture::https(const std::string& path) const {
  return "https://localhost:" + std::to_string(tls_port) + path;
}

std::vector<LogEntry> NginxFixture::requests(const std::string& needle, std::size_t at_least,
                                             std::chrono::milliseconds wait) const {
  const auto deadline = std::chrono::steady_clock::now() + wait;
  for (;;) {
    std::vector<LogEntry> found;
    std::ifstream in(access_log);
    for (std::string line; std::getline(in, line);) {
      if (line.find(needle) == std::string::npos) continue;
      const auto json = nlohmann::json::parse(line, nullptr, false);
      if (json.is_discarded()) continue;
      LogEntry e;
      e.port = std::stoi(json.value("port", "0"));
      e.method = json.value("method", "");
      e.uri = json.value("uri", "");
      if (e.uri.find(needle) == std::string::npos) continue;
      e.status = json.value("status", "");
      e.user = json.value("user", "");
      e.auth = json.value("auth", "");
      e.range = json.value("range", "");
      e.if_none_match = json.value("inm", "");
      e.connection = json.value("conn", "");
      e.connection_request = std::stoi(json.value("conn_req", "0"));
      e.protocol = json.value("proto", "");
      e.user_agent = json.value("ua", "");
      e.cookie = json.value("cookie", "");
      found.push_back(std::move(e));
    }
    if (found.size() >= at_least || std::chrono::steady_clock::now() >= deadline) return found;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
}

std::string test_tag() {
  const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
  std::string tag = "t=";
  tag += info ? std::string(info->test_suite_name()) + "." + info->name() : "none";
  tag += "." + std::to_string(::getpid());
  return tag;
}

std::string unique_path_tag(const std::string& prefix) {
  static std::atomic<int> counter{0};
  return prefix + std::to_string(::getpid()) + "n" + std::to_string(++counter);
}

}  // namespace uvauth::testing
