#include "transfer.hpp"

namespace uvauth::net::detail {

bool is_insecure_host(const Url& url, const std::vector<std::string>& insecure_hosts) {
  const std::string host_port = url.host() + ":" + std::to_string(url.port());
  for (const auto& entry : insecure_hosts) {
    if (entry == url.host() || entry == host_port) return true;
  }
  return false;
}

void apply_tls_options(CURL* easy, const Url& url, const ClientOptions& options) {
  if (!options.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, options.ca_file.c_str());
  if (!options.ca_dir.empty()) curl_easy_setopt(easy, CURLOPT_CAPATH, options.ca_dir.c_str());
  if (!options.client_certificate.empty()) {
    // uv's SSL_CLIENT_CERT is one PEM file holding the certificate and its key.
    curl_easy_setopt(easy, CURLOPT_SSLCERT, options.client_certificate.c_str());
    curl_easy_setopt(easy, CURLOPT_SSLKEY, options.client_certificate.c_str());
  }
  const bool verify = !is_insecure_host(url, options.insecure_hosts);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, verify ? 1L : 0L);
  curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, verify ? 2L : 0L);
}

bool is_tls_error(CURLcode code) {
  switch (code) {
    case CURLE_PEER_FAILED_VERIFICATION:
    case CURLE_SSL_CONNECT_ERROR:
    case CURLE_SSL_CERTPROBLEM:
    case CURLE_SSL_CIPHER:
    case CURLE_SSL_CACERT_BADFILE:
    case CURLE_SSL_ISSUER_ERROR:
    case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
    case CURLE_SSL_INVALIDCERTSTATUS:
    case CURLE_SSL_CRL_BADFILE:
    case CURLE_SSL_ENGINE_INITFAILED:
      return true;
    default:
      return false;
  }
}

Error tls_error(CURLcode code, const Url& url, std::string_view detail, const ClientOptions& options) {
  const std::string what = detail.empty() ? std::string(curl_easy_strerror(code)) : std::string(detail);
  const std::string host = url.host_port();
  if (code == CURLE_SSL_CERTPROBLEM) {
    return Error(ErrorKind::tls, "the client certificate '" + options.client_certificate +
                                     "' could not be used for " + url.redacted() + ": " + what)
        .with_hint("SSL_CLIENT_CERT must name one PEM file holding the certificate and its private key");
  }
  if (code == CURLE_SSL_CACERT_BADFILE) {
    return Error(ErrorKind::tls, "the CA bundle '" + options.ca_file + "' could not be read for " + url.redacted() +
                                     ": " + what)
        .with_hint("check that SSL_CERT_FILE names a readable PEM file");
  }
  // OpenSSL's "wrong version number": what came back was not TLS at all.
  if (what.find("wrong version number") != std::string::npos || what.find("packet length too long") != std::string::npos) {
    return Error(ErrorKind::tls, host + " does not speak TLS (" + url.redacted() + "): it is probably a plain http server")
        .with_hint("use http:// for it, if it really serves plain http");
  }
  Error error(ErrorKind::tls, "TLS verification failed for host " + host + " (" + url.redacted() + "): " + what);
  if (code == CURLE_PEER_FAILED_VERIFICATION) {
    error.with_hint("if " + url.host() + " uses a private certificate authority, set SSL_CERT_FILE to a PEM bundle that contains it");
    error.with_hint("to skip verification for this host only (not recommended): --allow-insecure-host " + host);
  }
  return error;
}

}  // namespace uvauth::net::detail
