# Compile options shared by every target of this project (never exported).
add_library(uvauth_compile_options INTERFACE)
target_compile_options(uvauth_compile_options INTERFACE -Wall -Wextra -Wpedantic)
if(UVAUTH_WARNINGS_AS_ERRORS)
  target_compile_options(uvauth_compile_options INTERFACE -Werror)
endif()
# GCC 12 at -O2 reports std::string copies inlined from libstdc++ as out of
# bounds (GCC bugs 105329, 105651): warnings about the standard library's
# code, not ours, that come and go with inlining (precompiled headers change
# it). They are off for GCC 12.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(uvauth_compile_options INTERFACE -Wno-array-bounds -Wno-stringop-overflow -Wno-stringop-overread -Wno-restrict)
endif()
if(UVAUTH_SANITIZE)
  target_compile_options(uvauth_compile_options INTERFACE
    -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(uvauth_compile_options INTERFACE -fsanitize=address,undefined)
  # Sanitized executables linked position-dependent: as PIEs they carry 1.7
  # million relative relocations (UBSan's check data), which the loader applies
  # at every start: 0.34 s of each run of the tool, which the tests run
  # thousands of times. Without them: 0.19 s. Not for the fuzz targets, which
  # start once (and whose LeakSanitizer, clang's, crashed once at exit so linked).
  if(NOT UVAUTH_BUILD_FUZZERS)
    target_link_options(uvauth_compile_options INTERFACE $<$<STREQUAL:$<TARGET_PROPERTY:TYPE>,EXECUTABLE>:-no-pie>)
  endif()
endif()
if(UVAUTH_BUILD_FUZZERS)
  # Coverage instrumentation everywhere; the fuzz targets add the libFuzzer main.
  target_compile_options(uvauth_compile_options INTERFACE -fsanitize=fuzzer-no-link)
endif()
