# Compile options shared by every target of this project (never exported).
add_library(uvauth_compile_options INTERFACE)
target_compile_options(uvauth_compile_options INTERFACE -Wall -Wextra -Wpedantic)
if(UVAUTH_WARNINGS_AS_ERRORS)
  target_compile_options(uvauth_compile_options INTERFACE -Werror)
endif()
if(UVAUTH_SANITIZE)
  target_compile_options(uvauth_compile_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(uvauth_compile_options INTERFACE -fsanitize=address,undefined)
endif()
if(UVAUTH_BUILD_FUZZERS)
  # Coverage instrumentation everywhere; the fuzz targets add the libFuzzer main.
  target_compile_options(uvauth_compile_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
