# Every third-party dependency, found from the system (Debian bookworm packages).
# Why each one is here is written in docs/dependencies.md.
#
# _uvauth_require(<what> <debian-package> <find_package args...>)
# fails configuration with the Debian package to install when <what> is missing.
function(_uvauth_require what debian_package)
  find_package(${ARGN} QUIET)
  list(GET ARGN 0 package_name)
  if(NOT ${package_name}_FOUND)
    message(FATAL_ERROR
      "UvAuth needs ${what}, which was not found.\n"
      "hint: on Debian/Ubuntu run: apt-get install ${debian_package}")
  endif()
endfunction()

_uvauth_require("libcurl (OpenSSL flavour)" libcurl4-openssl-dev CURL)
_uvauth_require("OpenSSL libcrypto" libssl-dev OpenSSL COMPONENTS Crypto)
_uvauth_require("toml++" libtomlplusplus-dev tomlplusplus)
_uvauth_require("nlohmann-json" nlohmann-json3-dev nlohmann_json 3.10)
_uvauth_require("CLI11" libcli11-dev CLI11)
# libzip through pkg-config: Debian's libzip CMake package refers to the
# zipcmp/zipmerge tools, which live in another package (libzip-tools).
find_package(PkgConfig QUIET)
if(PkgConfig_FOUND)
  pkg_check_modules(LIBZIP QUIET IMPORTED_TARGET libzip>=1.7)
endif()
if(NOT LIBZIP_FOUND)
  message(FATAL_ERROR "UvAuth needs libzip (>= 1.7) and pkg-config, which were not found.\n"
    "hint: on Debian/Ubuntu run: apt-get install libzip-dev pkg-config")
endif()

# libdeflate: wheel members inflated whole (two to three times zlib's speed).
# Its static archive when there is one: one shared object less to load at
# every start of the tool.
if(PkgConfig_FOUND)
  pkg_check_modules(LIBDEFLATE QUIET libdeflate>=1.9)
endif()
if(NOT LIBDEFLATE_FOUND)
  message(FATAL_ERROR "UvAuth needs libdeflate (>= 1.9), which was not found.\n"
    "hint: on Debian/Ubuntu run: apt-get install libdeflate-dev")
endif()
find_library(UVAUTH_LIBDEFLATE_LIBRARY NAMES libdeflate.a deflate HINTS ${LIBDEFLATE_LIBRARY_DIRS})
if(NOT UVAUTH_LIBDEFLATE_LIBRARY)
  message(FATAL_ERROR "UvAuth: libdeflate's pkg-config file was found but not the library itself.\n"
    "hint: on Debian/Ubuntu run: apt-get install libdeflate-dev")
endif()
add_library(uvauth_libdeflate INTERFACE)
target_include_directories(uvauth_libdeflate SYSTEM INTERFACE ${LIBDEFLATE_INCLUDE_DIRS})
target_link_libraries(uvauth_libdeflate INTERFACE ${UVAUTH_LIBDEFLATE_LIBRARY})

# libarchive: source distributions (.tar.gz, .zip, ...), unpacked safely.
if(PkgConfig_FOUND)
  pkg_check_modules(LIBARCHIVE QUIET IMPORTED_TARGET libarchive>=3.4)
endif()
if(NOT LIBARCHIVE_FOUND)
  message(FATAL_ERROR "UvAuth needs libarchive (>= 3.4), which was not found.\n"
    "hint: on Debian/Ubuntu run: apt-get install libarchive-dev")
endif()

# The system keychain (uv's native-auth entries): libsecret on Linux.
# UVAUTH_KEYCHAIN: auto (libsecret when found), libsecret (required), none.
set(UVAUTH_KEYCHAIN "auto" CACHE STRING "System keychain backend: auto, libsecret or none")
set_property(CACHE UVAUTH_KEYCHAIN PROPERTY STRINGS auto libsecret none)
if(NOT UVAUTH_KEYCHAIN STREQUAL "none" AND PkgConfig_FOUND)
  pkg_check_modules(LIBSECRET QUIET IMPORTED_TARGET libsecret-1>=0.19)
endif()
if(UVAUTH_KEYCHAIN STREQUAL "libsecret" AND NOT LIBSECRET_FOUND)
  message(FATAL_ERROR "UVAUTH_KEYCHAIN=libsecret, but libsecret (>= 0.19) was not found.\n"
    "hint: on Debian/Ubuntu run: apt-get install libsecret-1-dev")
endif()
if(LIBSECRET_FOUND AND NOT UVAUTH_KEYCHAIN STREQUAL "none")
  set(UVAUTH_KEYCHAIN_BACKEND "libsecret")
else()
  if(UVAUTH_KEYCHAIN STREQUAL "auto")
    message(STATUS "UvAuth: libsecret not found; the system keychain (native-auth) is not built in "
      "(apt-get install libsecret-1-dev)")
  endif()
  set(UVAUTH_KEYCHAIN_BACKEND "none")
endif()

# libcurl must be the OpenSSL build: client certificates, CA files and the TLS
# error messages we document are those of OpenSSL.
include(CheckCXXSourceRuns)
if(NOT DEFINED UVAUTH_CURL_SSL_BACKEND)
  set(CMAKE_REQUIRED_LIBRARIES CURL::libcurl)
  file(WRITE "${CMAKE_BINARY_DIR}/CMakeFiles/uvauth_curl_ssl.cpp" [=[
#include <curl/curl.h>
#include <cstdio>
#include <cstring>
int main() {
  const curl_version_info_data* info = curl_version_info(CURLVERSION_NOW);
  std::printf("%s", info->ssl_version ? info->ssl_version : "none");
  return info->ssl_version && std::strncmp(info->ssl_version, "OpenSSL", 7) == 0 ? 0 : 1;
}
]=])
  try_run(run_result compile_result
    "${CMAKE_BINARY_DIR}/CMakeFiles/uvauth_curl_ssl"
    "${CMAKE_BINARY_DIR}/CMakeFiles/uvauth_curl_ssl.cpp"
    LINK_LIBRARIES CURL::libcurl
    RUN_OUTPUT_VARIABLE ssl_backend)
  if(NOT compile_result OR NOT run_result EQUAL 0)
    message(FATAL_ERROR "UvAuth needs libcurl built with OpenSSL, found TLS backend '${ssl_backend}'.\n"
      "hint: on Debian/Ubuntu run: apt-get install libcurl4-openssl-dev")
  endif()
  set(UVAUTH_CURL_SSL_BACKEND "${ssl_backend}" CACHE INTERNAL "TLS backend of libcurl")
endif()

if(UVAUTH_BUILD_TESTS)
  _uvauth_require("GoogleTest" googletest GTest)
endif()
