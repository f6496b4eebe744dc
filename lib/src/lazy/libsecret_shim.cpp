// libsecret's functions (and the GLib ones that go with them) that the
// keychain backend calls, forwarded to libsecret opened on first use
// (lazy_library.hpp says why). GLib's functions are looked up through the
// libsecret handle, which loaded them.
#include <libsecret/secret.h>

#include "lazy/lazy_library.hpp"

UVAUTH_LAZY_LIBRARY(secret_library, UVAUTH_LIBSECRET_SONAME, "libsecret-1-0")

#define UVAUTH_SECRET_FN(name) UVAUTH_LAZY_FUNCTION(secret_library(), UVAUTH_LIBSECRET_SONAME, name)

extern "C" {

gboolean secret_password_clearv_sync(const SecretSchema* schema, GHashTable* attributes, GCancellable* cancellable, GError** error) {
  return UVAUTH_SECRET_FN(secret_password_clearv_sync)(schema, attributes, cancellable, error);
}
GList* secret_password_searchv_sync(const SecretSchema* schema, GHashTable* attributes, SecretSearchFlags flags, GCancellable* cancellable,
                                    GError** error) {
  return UVAUTH_SECRET_FN(secret_password_searchv_sync)(schema, attributes, flags, cancellable, error);
}
gboolean secret_password_storev_sync(const SecretSchema* schema, GHashTable* attributes, const gchar* collection, const gchar* label,
                                     const gchar* password, GCancellable* cancellable, GError** error) {
  return UVAUTH_SECRET_FN(secret_password_storev_sync)(schema, attributes, collection, label, password, cancellable, error);
}
GHashTable* secret_retrievable_get_attributes(SecretRetrievable* self) { return UVAUTH_SECRET_FN(secret_retrievable_get_attributes)(self); }
SecretValue* secret_retrievable_retrieve_secret_sync(SecretRetrievable* self, GCancellable* cancellable, GError** error) {
  return UVAUTH_SECRET_FN(secret_retrievable_retrieve_secret_sync)(self, cancellable, error);
}
const gchar* secret_value_get_text(SecretValue* value) { return UVAUTH_SECRET_FN(secret_value_get_text)(value); }
void secret_value_unref(gpointer value) { UVAUTH_SECRET_FN(secret_value_unref)(value); }

void g_cancellable_cancel(GCancellable* cancellable) { UVAUTH_SECRET_FN(g_cancellable_cancel)(cancellable); }
gboolean g_cancellable_is_cancelled(GCancellable* cancellable) { return UVAUTH_SECRET_FN(g_cancellable_is_cancelled)(cancellable); }
GCancellable* g_cancellable_new(void) { return UVAUTH_SECRET_FN(g_cancellable_new)(); }
void g_error_free(GError* error) { UVAUTH_SECRET_FN(g_error_free)(error); }
gboolean g_hash_table_insert(GHashTable* table, gpointer key, gpointer value) { return UVAUTH_SECRET_FN(g_hash_table_insert)(table, key, value); }
gpointer g_hash_table_lookup(GHashTable* table, gconstpointer key) { return UVAUTH_SECRET_FN(g_hash_table_lookup)(table, key); }
GHashTable* g_hash_table_new(GHashFunc hash, GEqualFunc equal) { return UVAUTH_SECRET_FN(g_hash_table_new)(hash, equal); }
void g_hash_table_unref(GHashTable* table) { UVAUTH_SECRET_FN(g_hash_table_unref)(table); }
void g_list_free_full(GList* list, GDestroyNotify free_func) { UVAUTH_SECRET_FN(g_list_free_full)(list, free_func); }
void g_object_unref(gpointer object) { UVAUTH_SECRET_FN(g_object_unref)(object); }
guint g_str_hash(gconstpointer v) { return UVAUTH_SECRET_FN(g_str_hash)(v); }
gboolean(g_str_equal)(gconstpointer a, gconstpointer b) { return UVAUTH_SECRET_FN(g_str_equal)(a, b); }

}  // extern "C"
