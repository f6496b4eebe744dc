// Libraries loaded when first used, not at start-up.
//
// libcurl (with everything Debian's build of it links: GnuTLS for librtmp,
// Kerberos, LDAP, libssh2...), libarchive (libxml2, ICU) and libsecret
// (GLib, GIO) are 45 of the tool's 57 shared objects. Mapping and relocating
// them took 15 ms of every process, also of a no-op `uvauth sync` that needs
// none of them. Each is now opened with dlopen() the first time one of its
// functions is called, through forwarding definitions of exactly the
// functions libuvauth uses (curl_shim.cpp, archive_shim.cpp,
// libsecret_shim.cpp): callers keep calling the libraries' own API.
#pragma once

#include <string>

namespace uvauth::lazy {

// The handle of `soname`, opened once (RTLD_NOW | RTLD_LOCAL); nullptr with
// `why_not` set when it cannot be loaded.
void* try_open(const char* soname, std::string* why_not = nullptr);
// The same for a library the process cannot go on without: when it is
// missing, the message names it and the package, and the process exits 2.
void* open_or_exit(const char* soname, const char* package);
// A function of an opened library; a missing one exits 2 with the names.
void* symbol_or_exit(void* handle, const char* soname, const char* name);

}  // namespace uvauth::lazy

// Defines `accessor()`: the handle of `soname`, opened on the first call
// (a missing library exits naming the Debian package).
#define UVAUTH_LAZY_LIBRARY(accessor, soname, package)                          \
  namespace {                                                                 \
  void* accessor() {                                                          \
    static void* const handle = ::uvauth::lazy::open_or_exit(soname, package); \
    return handle;                                                            \
  }                                                                           \
  }

// The library's own function `name`, found once per call site (thread-safe).
#define UVAUTH_LAZY_FUNCTION(handle_expr, soname, name)                                                               \
  ([]() {                                                                                                              \
    static const auto uvauth_lazy_fn_ = reinterpret_cast<decltype(&::name)>(                                           \
        ::uvauth::lazy::symbol_or_exit((handle_expr), (soname), #name));                                               \
    return uvauth_lazy_fn_;                                                                                            \
  }())
