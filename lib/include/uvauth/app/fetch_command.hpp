// `uvauth fetch URL [-o FILE] [--index NAME=URL]...`: one GET through the
// authenticated client, like `curl -n` with every credential source.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "uvauth/auth/session.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"

namespace uvauth::app {

struct FetchArguments {
  std::string url;
  std::optional<std::filesystem::path> output;  // -o: written atomically; else the body is returned
  std::vector<std::string> indexes;             // --index NAME=URL or URL
  auth::SessionOptions session;                 // the global flags
};

struct FetchOutcome {
  std::string body;  // empty with -o
  std::uint64_t size = 0;
  std::string sha256;
};

Result<FetchOutcome> run_fetch(const FetchArguments& arguments, const config::Environment& env);

}  // namespace uvauth::app
