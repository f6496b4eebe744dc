#include "lazy/lazy_library.hpp"

#include <dlfcn.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <mutex>

namespace uvauth::lazy {
namespace {
struct Opened {
  void* handle = nullptr;
  std::string error;
};
std::mutex& opened_mutex() {
  static auto* m = new std::mutex;  // never destroyed: shims may run during static destruction
  return *m;
}
std::map<std::string, Opened>& opened() {
  static auto* libraries = new std::map<std::string, Opened>;
  return *libraries;
}
}  // namespace

void* try_open(const char* soname, std::string* why_not) {
  std::lock_guard guard(opened_mutex());
  auto [it, inserted] = opened().try_emplace(soname);
  if (inserted) {
    it->second.handle = ::dlopen(soname, RTLD_NOW | RTLD_LOCAL);
    if (!it->second.handle) {
      const char* error = ::dlerror();
      it->second.error = error ? error : "dlopen failed";
    }
  }
  if (!it->second.handle && why_not) *why_not = it->second.error;
  return it->second.handle;
}

void* open_or_exit(const char* soname, const char* package) {
  std::string why;
  void* handle = try_open(soname, &why);
  if (!handle) {
    std::fprintf(stderr, "error: uvauth cannot load %s: %s\nhint: install it (Debian: apt-get install %s)\n", soname, why.c_str(),
                 package);
    std::fflush(stderr);
    std::_Exit(2);
  }
  return handle;
}

void* symbol_or_exit(void* handle, const char* soname, const char* name) {
  ::dlerror();
  void* fn = ::dlsym(handle, name);
  if (!fn) {
    std::fprintf(stderr, "error: %s has no function %s (uvauth was built against another version of it)\n", soname, name);
    std::fflush(stderr);
    std::_Exit(2);
  }
  return fn;
}

}  // namespace uvauth::lazy
