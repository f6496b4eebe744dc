// SystemKeychain on the Secret Service, through libsecret's synchronous API.
// Each call runs with a GCancellable that a watchdog cancels at the time limit.
#include <libsecret/secret.h>

#include "lazy/lazy_library.hpp"

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "uvauth/auth/keychain.hpp"
#include "uvauth/text.hpp"

namespace uvauth::auth {
namespace {

std::atomic<long long> time_limit_ms{10'000};

// uv's items carry no xdg:schema attribute, so the schema does not match by name.
const SecretSchema* schema() {
  static const SecretSchema value = {
      "org.uvauth.Credential",
      SECRET_SCHEMA_DONT_MATCH_NAME,
      {
          {"service", SECRET_SCHEMA_ATTRIBUTE_STRING},
          {"username", SECRET_SCHEMA_ATTRIBUTE_STRING},
          {"target", SECRET_SCHEMA_ATTRIBUTE_STRING},
          {"application", SECRET_SCHEMA_ATTRIBUTE_STRING},
          {nullptr, SECRET_SCHEMA_ATTRIBUTE_STRING},
      },
      0, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr};
  return &value;
}

// A string-to-string table whose strings outlive it.
struct Attributes {
  GHashTable* table = g_hash_table_new(g_str_hash, g_str_equal);
  Attributes() = default;
  Attributes(const Attributes&) = delete;
  Attributes& operator=(const Attributes&) = delete;
  ~Attributes() { g_hash_table_unref(table); }
  void set(const char* key, const std::string& value) {
    g_hash_table_insert(table, const_cast<char*>(key), const_cast<char*>(value.c_str()));
  }
};

std::optional<std::string> attribute(GHashTable* table, const char* key) {
  const auto* value = static_cast<const char*>(g_hash_table_lookup(table, key));
  if (!value) return std::nullopt;
  return std::string(value);
}

// Runs `call(cancellable, &error)`; turns a GError into an Error.
template <class Call>
auto guarded(const std::string& what, Call&& call) -> Result<decltype(call(nullptr, nullptr))> {
  GCancellable* cancellable = g_cancellable_new();
  std::mutex mutex;
  std::condition_variable finished;
  bool done = false;
  const auto limit = std::chrono::milliseconds(time_limit_ms.load());
  std::thread watchdog([&] {
    std::unique_lock lock(mutex);
    if (!finished.wait_for(lock, limit, [&] { return done; })) g_cancellable_cancel(cancellable);
  });
  GError* error = nullptr;
  auto value = call(cancellable, &error);
  {
    std::lock_guard lock(mutex);
    done = true;
  }
  finished.notify_one();
  watchdog.join();
  const bool cancelled = g_cancellable_is_cancelled(cancellable);
  g_object_unref(cancellable);
  if (error) {
    const long long ms = limit.count();
    std::string message = cancelled ? "it did not answer within " + (ms % 1000 ? std::to_string(ms) + " ms" : std::to_string(ms / 1000) + " s")
                                    : escape_nonprintable(error->message ? error->message : "unknown error");
    g_error_free(error);
    return Error(ErrorKind::auth, "the system keychain (Secret Service) could not " + what + ": " + message);
  }
  return value;
}

// libsecret is opened on first use (lazy/lazy_library.hpp): a machine
// without it gets an error from the keychain, not from every command.
Status loadable() {
#ifdef UVAUTH_LIBSECRET_SONAME
  std::string why;
  if (!lazy::try_open(UVAUTH_LIBSECRET_SONAME, &why)) {
    return Error(ErrorKind::auth, std::string("the system keychain (Secret Service) is not available: cannot load ") +
                                      UVAUTH_LIBSECRET_SONAME + " (" + escape_nonprintable(why) + ")")
        .with_hint("install libsecret (Debian: apt-get install libsecret-1-0)");
  }
#endif
  return {};
}

}  // namespace

bool SystemKeychain::built_in() { return true; }
std::string_view SystemKeychain::backend() { return "Secret Service (libsecret)"; }

void SystemKeychain::set_time_limit(std::chrono::milliseconds limit) { time_limit_ms = limit.count(); }

Result<std::vector<KeychainItem>> SystemKeychain::find(const std::string& service, const std::optional<std::string>& username) {
  UVAUTH_TRY(loadable());
  Attributes query;
  query.set("service", service);
  if (username) query.set("username", *username);
  const auto flags = static_cast<SecretSearchFlags>(SECRET_SEARCH_ALL | SECRET_SEARCH_UNLOCK | SECRET_SEARCH_LOAD_SECRETS);
  UVAUTH_TRY_ASSIGN(GList * found, guarded("search for " + escape_nonprintable(service), [&](GCancellable* c, GError** e) {
                      return secret_password_searchv_sync(schema(), query.table, flags, c, e);
                    }));
  std::vector<KeychainItem> out;
  Status failed;
  for (GList* node = found; node; node = node->next) {
    auto* item = static_cast<SecretRetrievable*>(node->data);
    GHashTable* attributes = secret_retrievable_get_attributes(item);
    const auto target = attribute(attributes, "target");
    KeychainItem entry{service, attribute(attributes, "username").value_or(""), std::nullopt};
    g_hash_table_unref(attributes);
    // uv's "default" target, or no target (written by older uv).
    if (target && *target != "default") continue;
    auto value = guarded("read the secret of " + escape_nonprintable(service), [&](GCancellable* c, GError** e) {
      return secret_retrievable_retrieve_secret_sync(item, c, e);
    });
    if (!value) {
      failed = std::move(value).error();
      break;
    }
    if (*value) {
      const char* text = secret_value_get_text(*value);
      if (text) entry.password = Secret(text);
      secret_value_unref(*value);
    }
    out.push_back(std::move(entry));
  }
  g_list_free_full(found, g_object_unref);
  if (!failed) return std::move(failed).error();
  return out;
}

Status SystemKeychain::store(const std::string& service, const std::string& username, const Secret& password,
                             const std::string& label) {
  UVAUTH_TRY(loadable());
  Attributes attributes;
  const std::string target = "default";
  const std::string application = "uv";
  attributes.set("service", service);
  attributes.set("username", username);
  attributes.set("target", target);
  attributes.set("application", application);
  UVAUTH_TRY_ASSIGN(gboolean stored, guarded("store credentials for " + escape_nonprintable(service), [&](GCancellable* c, GError** e) {
                      return secret_password_storev_sync(schema(), attributes.table, SECRET_COLLECTION_DEFAULT, label.c_str(),
                                                         password.reveal().c_str(), c, e);
                    }));
  if (!stored) return Error(ErrorKind::auth, "the system keychain (Secret Service) did not store credentials for " + escape_nonprintable(service));
  return {};
}

Result<bool> SystemKeychain::remove(const std::string& service, const std::string& username) {
  UVAUTH_TRY(loadable());
  Attributes attributes;
  const std::string target = "default";
  attributes.set("service", service);
  attributes.set("username", username);
  attributes.set("target", target);
  UVAUTH_TRY_ASSIGN(gboolean removed, guarded("remove credentials for " + escape_nonprintable(service), [&](GCancellable* c, GError** e) {
                      return secret_password_clearv_sync(schema(), attributes.table, c, e);
                    }));
  return removed != FALSE;
}

Result<std::vector<KeychainItem>> SystemKeychain::list() {
  UVAUTH_TRY(loadable());
  Attributes query;
  const std::string application = "uv";
  query.set("application", application);
  UVAUTH_TRY_ASSIGN(GList * found, guarded("list its items", [&](GCancellable* c, GError** e) {
                      return secret_password_searchv_sync(schema(), query.table, SECRET_SEARCH_ALL, c, e);
                    }));
  std::vector<KeychainItem> out;
  for (GList* node = found; node; node = node->next) {
    GHashTable* attributes = secret_retrievable_get_attributes(static_cast<SecretRetrievable*>(node->data));
    const auto target = attribute(attributes, "target");
    if (!target || *target == "default") {
      out.push_back(KeychainItem{attribute(attributes, "service").value_or(""), attribute(attributes, "username").value_or(""), std::nullopt});
    }
    g_hash_table_unref(attributes);
  }
  g_list_free_full(found, g_object_unref);
  return out;
}

}  // namespace uvauth::auth
