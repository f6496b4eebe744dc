#include "uvauth/auth/store.hpp"

#include "uvauth/config/toml.hpp"


#include <sstream>

#include "uvauth/log.hpp"
#include "uvauth/text.hpp"

namespace uvauth::auth {
namespace fs = std::filesystem;
namespace {

bool same_service(const Url& a, const Url& b) {
  return Realm::of(a) == Realm::of(b) && a.path() == b.path();
}

std::string service_text(const Url& service) { return service.with_userinfo_removed().without_userinfo(); }

Error entry_error(const std::string& source, const toml::node& node, const std::string& message) {
  std::string where = source;
  if (node.source().begin) where += ":" + std::to_string(node.source().begin.line);
  return Error(ErrorKind::config, where + ": " + message);
}

std::optional<std::string> string_field(const toml::table& table, std::string_view key) {
  if (auto value = table[key].value<std::string>()) return *value;
  return std::nullopt;
}

}  // namespace


Result<Url> CredentialStore::normalize_service(std::string_view text, bool to_root) {
  std::string input(trim(text));
  if (input.find("://") == std::string::npos) input = "https://" + input;
  auto url = Url::parse(input);
  if (!url) return Error(ErrorKind::usage, "invalid service: " + url.error().message);
  if (url->scheme() != "https") {
    if (url->scheme() != "http" || (url->host() != "localhost" && url->host() != "127.0.0.1")) {
      return Error(ErrorKind::usage, "invalid service " + url->redacted() + ": HTTPS is required for non-local hosts");
    }
  }
  if (!to_root) return url->with_path(url->path());
  // Drop a final `simple` / `+simple` segment: credentials belong to the index root.
  Url normalized = url->with_path(url->path());
  std::string path = url->path();
  if (path.size() > 1 && path.back() == '/') path.pop_back();
  const auto slash = path.rfind('/');
  const std::string last = to_lower_ascii(path.substr(slash + 1));
  if (last == "simple" || last == "+simple") {
    path = path.substr(0, slash);
    normalized = url->with_path(path.empty() ? "/" : path);
  }
  return normalized;
}

Result<CredentialStore> CredentialStore::parse(std::string_view text, const std::string& source) {
  auto parsed_document = config::parse_toml(text, source);
  if (!parsed_document) return std::move(parsed_document).error();
  toml::table& document = *parsed_document;
  CredentialStore store;
  const toml::node* credentials = document.get("credential");
  if (!credentials) return store;
  const toml::array* array = credentials->as_array();
  if (!array) return entry_error(source, *credentials, "`credential` must be an array of tables ([[credential]])");
  for (const toml::node& node : *array) {
    const toml::table* table = node.as_table();
    if (!table) return entry_error(source, node, "each [[credential]] must be a table");
    auto service_string = string_field(*table, "service");
    if (!service_string) return entry_error(source, node, "[[credential]] needs a `service` string");
    auto service = Url::parse(*service_string);
    if (!service) return entry_error(source, node, "bad `service`: " + service.error().message);
    const std::string scheme = string_field(*table, "scheme").value_or("basic");
    auto username = string_field(*table, "username");
    auto password = string_field(*table, "password");
    auto token = string_field(*table, "token");
    Credentials credentials;
    if (scheme == "basic") {
      if (!username) return entry_error(source, node, "`username` is required with `scheme = basic`");
      if (token) return entry_error(source, node, "`token` cannot be provided with `scheme = basic`");
      std::optional<Secret> secret;
      if (password) secret = Secret(*password);
      credentials = Credentials::basic(*username, std::move(secret));
    } else if (scheme == "bearer") {
      if (username) return entry_error(source, node, "`username` cannot be provided with `scheme = bearer`");
      if (password) return entry_error(source, node, "`password` cannot be provided with `scheme = bearer`");
      if (!token) return entry_error(source, node, "`token` is required with `scheme = bearer`");
      credentials = Credentials::bearer(Secret(*token));
    } else {
      return entry_error(source, node, "unknown `scheme = \"" + scheme + "\"` (expected basic or bearer)");
    }
    store.insert(*service, std::move(credentials));
  }
  return store;
}

Result<CredentialStore> CredentialStore::load(const fs::path& file) {
  std::error_code ec;
  if (!fs::exists(file, ec)) return CredentialStore();
  auto text = read_file(file, max_text_input);
  if (!text) return std::move(text).error();
  return parse(*text, file.string());
}

std::string CredentialStore::serialize() const {
  toml::array array;
  for (const auto& entry : entries_) {
    toml::table table;
    table.insert("service", service_text(entry.service));
    if (entry.credentials.scheme == Credentials::Scheme::bearer) {
      table.insert("scheme", "bearer");
      table.insert("token", entry.credentials.password.value_or(Secret()).reveal());
    } else {
      table.insert("scheme", "basic");
      table.insert("username", entry.credentials.username.value_or(""));
      if (entry.credentials.password) table.insert("password", entry.credentials.password->reveal());
    }
    array.push_back(std::move(table));
  }
  toml::table document;
  document.insert("credential", std::move(array));
  std::ostringstream out;
  out << document << '\n';
  return out.str();
}

Status CredentialStore::save(const fs::path& file) const { return write_file_atomically(file, serialize()); }

Result<FileLock> CredentialStore::lock(const fs::path& file) {
  return FileLock::acquire(file.string() + ".lock", "credentials store");
}

std::optional<Credentials> CredentialStore::find(const Url& url, const std::optional<std::string>& username) const {
  // Exactly this service and user first.
  for (const auto& entry : entries_) {
    if (same_service(entry.service, url) && entry.credentials.username == username) return entry.credentials;
  }
  const Realm realm = Realm::of(url);
  const StoreEntry* best = nullptr;
  bool ambiguous = false;
  for (const auto& entry : entries_) {
    if (Realm::of(entry.service) != realm || !is_path_prefix(entry.service.path(), url.path())) continue;
    if (username && entry.credentials.username != username) continue;
    if (!best || entry.service.path().size() > best->service.path().size()) {
      best = &entry;
      ambiguous = false;
    } else if (entry.service.path().size() == best->service.path().size()) {
      ambiguous = true;
    }
  }
  if (ambiguous) {
    UVAUTH_DEBUG("the credentials store has several users for " << url.redacted()
                                                                << "; none is used (name one with a user name)");
    return std::nullopt;
  }
  if (!best) return std::nullopt;
  return best->credentials;
}

void CredentialStore::insert(const Url& service, Credentials credentials) {
  const Url clean = service.with_userinfo_removed();
  for (auto& entry : entries_) {
    if (same_service(entry.service, clean) && entry.credentials.username == credentials.username) {
      entry.credentials = std::move(credentials);
      return;
    }
  }
  entries_.push_back(StoreEntry{clean, std::move(credentials)});
}

bool CredentialStore::remove(const Url& service, const std::string& username) {
  const auto removed = std::erase_if(entries_, [&](const StoreEntry& entry) {
    return same_service(entry.service, service) && entry.credentials.username.value_or("") == username;
  });
  return removed > 0;
}

}  // namespace uvauth::auth
