// libcurl's functions that libuvauth calls, forwarded to the library opened
// on first use (lazy_library.hpp says why).
#include <curl/curl.h>

#include <cstdarg>

#include "lazy/lazy_library.hpp"

#undef curl_easy_setopt
#undef curl_easy_getinfo
#undef curl_multi_setopt

UVAUTH_LAZY_LIBRARY(curl_library, UVAUTH_CURL_SONAME, "libcurl4")

#define UVAUTH_CURL_FN(name) UVAUTH_LAZY_FUNCTION(curl_library(), UVAUTH_CURL_SONAME, name)

namespace {
// The variadic setters take one value whose type the option's number tells
// (CURLOPTTYPE_*: long, object pointer, function pointer, curl_off_t, blob).
template <class Result, class Handle, class Option>
Result forward_option(Result (*fn)(Handle*, Option, ...), Handle* handle, Option option, va_list& args) {
  const long kind = static_cast<long>(option);
  if (kind < CURLOPTTYPE_OBJECTPOINT) return fn(handle, option, va_arg(args, long));
  if (kind < CURLOPTTYPE_FUNCTIONPOINT) return fn(handle, option, va_arg(args, void*));
  if (kind < CURLOPTTYPE_OFF_T) return fn(handle, option, va_arg(args, void (*)()));
  if (kind < CURLOPTTYPE_BLOB) return fn(handle, option, va_arg(args, curl_off_t));
  return fn(handle, option, va_arg(args, void*));
}
}  // namespace

// curl declares the option before `...` as an enum; clang warns that va_start
// after an enum is undefined in general. These enums are int-sized and the
// ABI passes them as int, as curl itself relies on.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wvarargs"
#endif

extern "C" {

CURLcode curl_global_init(long flags) { return UVAUTH_CURL_FN(curl_global_init)(flags); }
CURL* curl_easy_init(void) { return UVAUTH_CURL_FN(curl_easy_init)(); }
void curl_easy_cleanup(CURL* curl) { UVAUTH_CURL_FN(curl_easy_cleanup)(curl); }
const char* curl_easy_strerror(CURLcode code) { return UVAUTH_CURL_FN(curl_easy_strerror)(code); }
void curl_free(void* p) { UVAUTH_CURL_FN(curl_free)(p); }
time_t curl_getdate(const char* text, const time_t* unused) { return UVAUTH_CURL_FN(curl_getdate)(text, unused); }

CURLcode curl_easy_setopt(CURL* curl, CURLoption option, ...) {
  va_list args;
  va_start(args, option);
  const CURLcode result = forward_option(UVAUTH_CURL_FN(curl_easy_setopt), curl, option, args);
  va_end(args);
  return result;
}

CURLcode curl_easy_getinfo(CURL* curl, CURLINFO info, ...) {
  auto fn = UVAUTH_CURL_FN(curl_easy_getinfo);
  va_list args;
  va_start(args, info);
  void* out = va_arg(args, void*);  // every CURLINFO takes a pointer to where the answer goes
  va_end(args);
  return fn(curl, info, out);
}

CURLM* curl_multi_init(void) { return UVAUTH_CURL_FN(curl_multi_init)(); }
CURLMcode curl_multi_cleanup(CURLM* multi) { return UVAUTH_CURL_FN(curl_multi_cleanup)(multi); }
CURLMcode curl_multi_add_handle(CURLM* multi, CURL* curl) { return UVAUTH_CURL_FN(curl_multi_add_handle)(multi, curl); }
CURLMcode curl_multi_remove_handle(CURLM* multi, CURL* curl) { return UVAUTH_CURL_FN(curl_multi_remove_handle)(multi, curl); }
CURLMsg* curl_multi_info_read(CURLM* multi, int* msgs_in_queue) { return UVAUTH_CURL_FN(curl_multi_info_read)(multi, msgs_in_queue); }
CURLMcode curl_multi_perform(CURLM* multi, int* running) { return UVAUTH_CURL_FN(curl_multi_perform)(multi, running); }
CURLMcode curl_multi_poll(CURLM* multi, struct curl_waitfd extra_fds[], unsigned int extra_nfds, int timeout_ms, int* ret) {
  return UVAUTH_CURL_FN(curl_multi_poll)(multi, extra_fds, extra_nfds, timeout_ms, ret);
}
CURLMcode curl_multi_timeout(CURLM* multi, long* milliseconds) { return UVAUTH_CURL_FN(curl_multi_timeout)(multi, milliseconds); }
CURLMcode curl_multi_wakeup(CURLM* multi) { return UVAUTH_CURL_FN(curl_multi_wakeup)(multi); }

CURLMcode curl_multi_setopt(CURLM* multi, CURLMoption option, ...) {
  va_list args;
  va_start(args, option);
  const CURLMcode result = forward_option(UVAUTH_CURL_FN(curl_multi_setopt), multi, option, args);
  va_end(args);
  return result;
}

struct curl_slist* curl_slist_append(struct curl_slist* list, const char* data) { return UVAUTH_CURL_FN(curl_slist_append)(list, data); }
void curl_slist_free_all(struct curl_slist* list) { UVAUTH_CURL_FN(curl_slist_free_all)(list); }

CURLU* curl_url(void) { return UVAUTH_CURL_FN(curl_url)(); }
void curl_url_cleanup(CURLU* handle) { UVAUTH_CURL_FN(curl_url_cleanup)(handle); }
CURLUcode curl_url_get(CURLU* handle, CURLUPart what, char** part, unsigned int flags) {
  return UVAUTH_CURL_FN(curl_url_get)(handle, what, part, flags);
}
CURLUcode curl_url_set(CURLU* handle, CURLUPart what, const char* part, unsigned int flags) {
  return UVAUTH_CURL_FN(curl_url_set)(handle, what, part, flags);
}
const char* curl_url_strerror(CURLUcode code) { return UVAUTH_CURL_FN(curl_url_strerror)(code); }

}  // extern "C"
