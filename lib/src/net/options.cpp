#include <charconv>
#include <filesystem>
#include <sstream>

#include "uvauth/log.hpp"
#include "uvauth/net/client.hpp"

namespace uvauth::net {
namespace {

Result<unsigned long> whole_number(const config::Environment& env, const char* name, unsigned long minimum,
                                   unsigned long fallback) {
  auto text = env.get_nonempty(name);
  if (!text) return fallback;
  unsigned long value = 0;
  const auto [end, ec] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (ec != std::errc() || end != text->data() + text->size() || value < minimum) {
    return Error(ErrorKind::config, std::string(name) + " must be a whole number of at least " + std::to_string(minimum) +
                                        ", got '" + *text + "'");
  }
  return value;
}

// uv ignores a certificate path that does not exist, with a warning; so do we.
std::string existing_path(const config::Environment& env, const char* name) {
  auto path = env.get_nonempty(name);
  if (!path) return {};
  std::error_code ec;
  if (!std::filesystem::exists(*path, ec)) {
    UVAUTH_WARN("ignoring " << name << "='" << *path << "': no such file or directory");
    return {};
  }
  return *path;
}

}  // namespace

Result<ClientOptions> ClientOptions::from_environment(const config::Environment& env) {
  ClientOptions options;
  auto concurrency = whole_number(env, "UV_CONCURRENT_DOWNLOADS", 1, options.max_concurrent);
  if (!concurrency) return std::move(concurrency).error();
  options.max_concurrent = *concurrency;

  const char* timeout_name = env.get_nonempty("UV_HTTP_TIMEOUT") ? "UV_HTTP_TIMEOUT" : "UV_REQUEST_TIMEOUT";
  auto timeout = whole_number(env, timeout_name, 1, static_cast<unsigned long>(options.idle_timeout.count()));
  if (!timeout) return std::move(timeout).error();
  options.idle_timeout = std::chrono::seconds(*timeout);

  auto retries = whole_number(env, "UV_HTTP_RETRIES", 0, options.retries);
  if (!retries) return std::move(retries).error();
  options.retries = static_cast<unsigned>(*retries);

  options.ca_file = existing_path(env, "SSL_CERT_FILE");
  options.ca_dir = existing_path(env, "SSL_CERT_DIR");
  options.client_certificate = existing_path(env, "SSL_CLIENT_CERT");

  if (auto hosts = env.get_nonempty("UV_INSECURE_HOST")) {
    std::istringstream words(*hosts);
    for (std::string host; words >> host;) options.insecure_hosts.push_back(host);
  }
  return options;
}

}  // namespace uvauth::net
