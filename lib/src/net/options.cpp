#include "uvauth/net/client.hpp"

namespace uvauth::net {

ClientOptions ClientOptions::from(const config::NetworkSettings& settings) {
  ClientOptions options;
  options.max_concurrent = settings.max_concurrent;
  options.idle_timeout = settings.idle_timeout;
  options.retries = settings.retries;
  options.ca_file = settings.ca_file;
  options.ca_dir = settings.ca_dir;
  options.client_certificate = settings.client_certificate;
  options.insecure_hosts = settings.insecure_hosts;
  return options;
}

}  // namespace uvauth::net
