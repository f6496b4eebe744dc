// Credential helpers (the protocol of Bazel's and EngFlow's
// --credential_helper): `helper get` reads {"uri": "..."} on stdin and
// prints {"headers": {"Name": ["value", ...]}, "expires": "RFC 3339"}. The
// headers go on every request under the index that names the helper. One
// answer is kept for the process until it expires; a refresh (after a
// 401/403) runs the helper again. Header values are secrets throughout.
//
// Across processes only when the helper asks: an answer with an `expires`
// and `"x-uvauth-cache": "shared"` (uvauth's extension; helpers that do not
// know it are never cached on disk) is kept in the cache directory
// (`credential-helpers/`, mode 0600) until it expires, so that one CMake
// configure running uvauth many times runs the helper once.
#pragma once

#include <chrono>
#include <filesystem>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "uvauth/error.hpp"
#include "uvauth/secret.hpp"
#include "uvauth/url.hpp"

namespace uvauth::auth {

using SecretHeaders = std::vector<std::pair<std::string, Secret>>;

struct HelperAnswer {
  SecretHeaders headers;
  std::optional<std::chrono::system_clock::time_point> expires;
  bool shared = false;  // "x-uvauth-cache": "shared"
};

// The helper's stdout, checked: a JSON object whose `headers` map names to
// arrays of strings (header names must be tokens, values must not hold line
// breaks), and an optional RFC 3339 `expires`. Errors never quote the text.
Result<HelperAnswer> parse_helper_answer(std::string_view text, const std::string& helper, const std::string& index);

// "2026-12-02T10:00:00Z", "...+01:00", fractional seconds allowed.
std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view text);

class CredentialHelper {
 public:
  // `command`: a path or a name on PATH, then arguments split at spaces (no
  // shell). `index`: "index 'corp'", for messages.
  CredentialHelper(std::string command, std::string index, std::chrono::milliseconds timeout = std::chrono::seconds(30));
  // The process's helper for this command and index: every session of the
  // process (`install` locks, then syncs) shares its kept answer.
  static std::shared_ptr<CredentialHelper> shared(const std::string& command, const std::string& index);

  // The headers for `uri`: the kept answer while it has not expired, else
  // the helper's (concurrent callers wait for one run). `refresh` runs it
  // again whatever is kept.
  Result<SecretHeaders> headers(const Url& uri, bool refresh = false);

  // Where answers that may be shared across processes are kept (the cache
  // directory's `credential-helpers/`); none (the default, or --no-cache): not kept.
  static void set_shared_directory(std::optional<std::filesystem::path> directory);

  [[nodiscard]] const std::string& command() const { return command_; }
  [[nodiscard]] int runs() const;  // how many times the helper ran (tests)

 private:
  std::string command_;
  std::string index_;
  std::chrono::milliseconds timeout_;
  mutable std::mutex mutex_;
  std::optional<HelperAnswer> kept_;
  int runs_ = 0;

  [[nodiscard]] std::optional<std::filesystem::path> shared_file() const;
};

}  // namespace uvauth::auth
