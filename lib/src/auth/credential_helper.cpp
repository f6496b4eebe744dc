#include "uvauth/auth/credential_helper.hpp"

#include <nlohmann/json.hpp>

#include <cctype>
#include <ctime>
#include <map>
#include <memory>

#include "uvauth/log.hpp"
#include "uvauth/process.hpp"
#include "uvauth/fs.hpp"
#include "uvauth/sha256.hpp"

namespace uvauth::auth {
namespace {

bool is_token(std::string_view name) {
  if (name.empty() || name.size() > 256) return false;
  for (unsigned char c : name) {
    if (!(std::isalnum(c) || std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos)) return false;
  }
  return true;
}

std::vector<std::string> split_command(const std::string& command) {
  std::vector<std::string> out;
  std::string current;
  for (char c : command) {
    if (c == ' ' || c == '\t') {
      if (!current.empty()) out.push_back(std::move(current));
      current.clear();
    } else {
      current += c;
    }
  }
  if (!current.empty()) out.push_back(std::move(current));
  return out;
}

int digits(std::string_view text, std::size_t at, std::size_t count) {
  if (at + count > text.size()) return -1;
  int value = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return -1;
    value = value * 10 + (text[i] - '0');
  }
  return value;
}

}  // namespace

std::optional<std::chrono::system_clock::time_point> parse_rfc3339(std::string_view t) {
  // YYYY-MM-DDTHH:MM:SS[.frac](Z|+HH:MM|-HH:MM)
  if (t.size() < 20 || t[4] != '-' || t[7] != '-' || (t[10] != 'T' && t[10] != 't' && t[10] != ' ') || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  const int year = digits(t, 0, 4), month = digits(t, 5, 2), day = digits(t, 8, 2);
  const int hour = digits(t, 11, 2), minute = digits(t, 14, 2), second = digits(t, 17, 2);
  if (year < 1970 || month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return std::nullopt;
  std::size_t at = 19;
  if (at < t.size() && t[at] == '.') {
    ++at;
    const std::size_t start = at;
    while (at < t.size() && std::isdigit(static_cast<unsigned char>(t[at])) && at - start < 12) ++at;
    if (at == start) return std::nullopt;
  }
  int offset = 0;
  if (at < t.size() && (t[at] == 'Z' || t[at] == 'z') && at + 1 == t.size()) {
    offset = 0;
  } else if (at + 6 == t.size() && (t[at] == '+' || t[at] == '-') && t[at + 3] == ':') {
    const int oh = digits(t, at + 1, 2), om = digits(t, at + 4, 2);
    if (oh < 0 || oh > 23 || om < 0 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * 60 * (t[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = year - 1900;
  tm.tm_mon = month - 1;
  tm.tm_mday = day;
  tm.tm_hour = hour;
  tm.tm_min = minute;
  tm.tm_sec = second;
  // Far future ("never expires" in practice): past what the clock can count.
  if (year >= 2200) return std::chrono::system_clock::time_point::max();
  const std::time_t utc = ::timegm(&tm);
  if (utc == static_cast<std::time_t>(-1)) return std::nullopt;
  return std::chrono::system_clock::from_time_t(utc - offset);
}

Result<HelperAnswer> parse_helper_answer(std::string_view text, const std::string& helper, const std::string& index) {
  auto bad = [&](const std::string& why) {
    return Error(ErrorKind::auth, "the credential helper `" + helper + "` of " + index + " answered " + why +
                                      " (its output is not shown: it may hold secrets)");
  };
  const auto json = nlohmann::json::parse(text, nullptr, false);
  if (json.is_discarded() || !json.is_object()) return bad("something that is not a JSON object");
  HelperAnswer answer;
  if (json.contains("headers")) {
    const auto& headers = json["headers"];
    if (!headers.is_object()) return bad("a `headers` that is not an object");
    if (headers.size() > 64) return bad("more than 64 headers");
    for (const auto& [name, values] : headers.items()) {
      if (!is_token(name)) return bad("a header name that is not an HTTP token");
      if (!values.is_array()) return bad("header values that are not an array of strings");
      for (const auto& v : values) {
        if (!v.is_string()) return bad("header values that are not an array of strings");
        const std::string value = v.get<std::string>();
        if (value.find_first_of("\r\n") != std::string::npos || value.find('\0') != std::string::npos || value.size() > 16384) {
          return bad("a header value with a line break, a NUL or over 16 KiB");
        }
        answer.headers.emplace_back(name, Secret(value));
      }
    }
  }
  if (json.contains("x-uvauth-cache")) {
    if (!json["x-uvauth-cache"].is_string()) return bad("an `x-uvauth-cache` that is not a string");
    const std::string mode = json["x-uvauth-cache"].get<std::string>();
    if (mode != "shared" && mode != "process") return bad("an `x-uvauth-cache` that is neither \"shared\" nor \"process\"");
    answer.shared = mode == "shared";
  }
  if (json.contains("expires")) {
    if (!json["expires"].is_string()) return bad("an `expires` that is not an RFC 3339 string");
    answer.expires = parse_rfc3339(json["expires"].get<std::string>());
    if (!answer.expires) return bad("an `expires` that is not an RFC 3339 time");
  }
  return answer;
}

std::shared_ptr<CredentialHelper> CredentialHelper::shared(const std::string& command, const std::string& index) {
  static std::mutex mutex;
  // Kept for the life of the process (a handful at most), so that sessions
  // one after another (`install`) share the answer.
  static std::map<std::pair<std::string, std::string>, std::shared_ptr<CredentialHelper>> helpers;
  std::lock_guard lock(mutex);
  auto& slot = helpers[{command, index}];
  if (!slot) slot = std::make_shared<CredentialHelper>(command, index);
  return slot;
}

namespace {
std::mutex shared_directory_mutex;
std::optional<std::filesystem::path> shared_directory;

std::string rfc3339(std::chrono::system_clock::time_point t) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(t);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &utc);
  return text;
}
}  // namespace

void CredentialHelper::set_shared_directory(std::optional<std::filesystem::path> directory) {
  std::lock_guard lock(shared_directory_mutex);
  shared_directory = std::move(directory);
}

std::optional<std::filesystem::path> CredentialHelper::shared_file() const {
  std::lock_guard lock(shared_directory_mutex);
  if (!shared_directory) return std::nullopt;
  return *shared_directory / (Sha256::hex_of(command_ + '\0' + index_).substr(0, 32) + ".json");
}

CredentialHelper::CredentialHelper(std::string command, std::string index, std::chrono::milliseconds timeout)
    : command_(std::move(command)), index_(std::move(index)), timeout_(timeout) {}

int CredentialHelper::runs() const {
  std::lock_guard lock(mutex_);
  return runs_;
}

Result<SecretHeaders> CredentialHelper::headers(const Url& uri, bool refresh) {
  std::lock_guard lock(mutex_);  // one run at a time; the others wait for its answer
  const auto now = std::chrono::system_clock::now();
  if (!refresh && kept_ && (!kept_->expires || *kept_->expires > now)) return kept_->headers;
  const auto file = shared_file();
  std::error_code ec;
  if (file && refresh) std::filesystem::remove(*file, ec);
  if (file && !refresh) {
    // Another process's answer, kept because the helper said it may be.
    if (auto text = read_file(*file, max_text_input)) {
      auto kept = parse_helper_answer(*text, command_, index_);
      if (kept && kept->shared && kept->expires && *kept->expires > now) {
        UVAUTH_DEBUG("using the kept answer of the credential helper `" << command_ << "` of " << index_ << " (until "
                                                                         << rfc3339(*kept->expires) << ")");
        kept_ = std::move(kept).value();
        return kept_->headers;
      }
      std::filesystem::remove(*file, ec);
    }
  }
  std::vector<std::string> argv = split_command(command_);
  if (argv.empty()) return Error(ErrorKind::config, index_ + " has an empty credential-helper");
  argv.push_back("get");
  ++runs_;
  UVAUTH_DEBUG("running the credential helper `" << command_ << "` of " << index_ << (refresh ? " again (refresh)" : ""));
  const std::string request = nlohmann::json{{"uri", uri.with_userinfo_removed().without_userinfo()}}.dump();
  auto run = run_process_with_input(argv, request, timeout_, std::size_t{1} << 20);
  if (!run) {
    return Error(run.error().kind == ErrorKind::timeout ? ErrorKind::timeout : ErrorKind::auth,
                 "the credential helper `" + command_ + "` of " + index_ + " failed: " + run.error().message);
  }
  if (run->exit_code != 0) {
    return Error(ErrorKind::auth, "the credential helper `" + command_ + "` of " + index_ + " exited with status " +
                                      std::to_string(run->exit_code) + " (its output is not shown: it may hold secrets)");
  }
  UVAUTH_TRY_ASSIGN(HelperAnswer answer, parse_helper_answer(run->out, command_, index_));
  if (answer.expires && *answer.expires <= now) {
    UVAUTH_DEBUG("the credential helper of " << index_ << " gave headers that have already expired; using them for this request only");
    kept_.reset();
    return answer.headers;
  }
  kept_ = answer;
  if (file && answer.shared && answer.expires) {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : answer.headers) headers[name].push_back(value.reveal());
    const nlohmann::json kept{{"headers", headers}, {"expires", rfc3339(*answer.expires)}, {"x-uvauth-cache", "shared"}};
    std::filesystem::create_directories(file->parent_path(), ec);
    std::filesystem::permissions(file->parent_path(), std::filesystem::perms::owner_all, ec);
    if (auto written = write_file_atomically(*file, kept.dump()); !written) {
      UVAUTH_DEBUG("not keeping the credential helper's answer: " << written.error().message);
    }
  }
  return kept_->headers;
}

}  // namespace uvauth::auth
