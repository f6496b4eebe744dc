// `uvauth auth login|logout|token|dir|list`: uv's credentials store (or,
// under uv's native-auth preview, the system keychain), with uv's rules and
// messages, through the credential-source interface (auth/source.hpp). The tool parses flags and gives the terminal
// (prompts, stdin) through AuthTerminal; this returns what to print.
#pragma once

#include <functional>
#include <optional>
#include <string>

#include "uvauth/auth/session.hpp"
#include "uvauth/config/environment.hpp"
#include "uvauth/error.hpp"
#include "uvauth/secret.hpp"

namespace uvauth::app {

enum class AuthAction { login, logout, token, dir, list };

struct AuthArguments {
  std::string service;                  // login/logout/token
  std::optional<std::string> username;  // --username
  std::optional<std::string> password;  // --password (login; "-" reads stdin)
  std::optional<std::string> token;     // --token (login; "-" reads stdin)
  // The global flags (settings file, --preview-features): whether the
  // keychain (native-auth) or the text store is written.
  auth::SessionOptions session;
};

// How a command talks to the person at the terminal; empty functions mean
// nobody can be asked.
struct AuthTerminal {
  std::function<bool()> can_prompt;
  std::function<std::optional<std::string>(const std::string& prompt, bool secret)> prompt;
  std::function<std::string()> read_stdin_line;
};

struct AuthOutcome {
  std::string stdout_text;      // dir, list
  std::string stderr_text;      // "Stored credentials for ..."
  std::optional<Secret> secret;  // token: printed on stdout by the tool, nowhere else
};

Result<AuthOutcome> run_auth(AuthAction action, const AuthArguments& arguments, const config::Environment& env,
                             const AuthTerminal& terminal = {});

}  // namespace uvauth::app
