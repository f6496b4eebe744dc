// libzip's functions that libuvauth calls (reading wheels), forwarded to the
// library opened on first use (lazy_library.hpp says why: libzip also brings
// libcrypto and libbz2, 3 of the 6 shared objects left at start-up).
#include <zip.h>

#include <cstdarg>

#include "lazy/lazy_library.hpp"

UVAUTH_LAZY_LIBRARY(zip_library, UVAUTH_ZIP_SONAME, "libzip4")

#define UVAUTH_ZIP_FN(name) UVAUTH_LAZY_FUNCTION(zip_library(), UVAUTH_ZIP_SONAME, name)

// As in curl_shim.cpp: va_start after an int-sized enum, as libzip itself does.
#if defined(__clang__)
#pragma clang diagnostic ignored "-Wvarargs"
#endif

extern "C" {

void zip_error_init(zip_error_t* error) { UVAUTH_ZIP_FN(zip_error_init)(error); }
void zip_error_fini(zip_error_t* error) { UVAUTH_ZIP_FN(zip_error_fini)(error); }
void zip_error_set(zip_error_t* error, int ze, int se) { UVAUTH_ZIP_FN(zip_error_set)(error, ze, se); }
const char* zip_error_strerror(zip_error_t* error) { return UVAUTH_ZIP_FN(zip_error_strerror)(error); }
zip_int64_t zip_error_to_data(const zip_error_t* error, void* data, zip_uint64_t length) {
  return UVAUTH_ZIP_FN(zip_error_to_data)(error, data, length);
}

zip_t* zip_open_from_source(zip_source_t* source, int flags, zip_error_t* error) {
  return UVAUTH_ZIP_FN(zip_open_from_source)(source, flags, error);
}
void zip_discard(zip_t* archive) { UVAUTH_ZIP_FN(zip_discard)(archive); }
const char* zip_strerror(zip_t* archive) { return UVAUTH_ZIP_FN(zip_strerror)(archive); }
zip_int64_t zip_get_num_entries(zip_t* archive, zip_flags_t flags) { return UVAUTH_ZIP_FN(zip_get_num_entries)(archive, flags); }
const char* zip_get_name(zip_t* archive, zip_uint64_t index, zip_flags_t flags) {
  return UVAUTH_ZIP_FN(zip_get_name)(archive, index, flags);
}
void zip_stat_init(zip_stat_t* stat) { UVAUTH_ZIP_FN(zip_stat_init)(stat); }
int zip_stat_index(zip_t* archive, zip_uint64_t index, zip_flags_t flags, zip_stat_t* stat) {
  return UVAUTH_ZIP_FN(zip_stat_index)(archive, index, flags, stat);
}
int zip_file_get_external_attributes(zip_t* archive, zip_uint64_t index, zip_flags_t flags, zip_uint8_t* system,
                                     zip_uint32_t* attributes) {
  return UVAUTH_ZIP_FN(zip_file_get_external_attributes)(archive, index, flags, system, attributes);
}

zip_file_t* zip_fopen_index(zip_t* archive, zip_uint64_t index, zip_flags_t flags) {
  return UVAUTH_ZIP_FN(zip_fopen_index)(archive, index, flags);
}
zip_int64_t zip_fread(zip_file_t* file, void* buffer, zip_uint64_t length) { return UVAUTH_ZIP_FN(zip_fread)(file, buffer, length); }
int zip_fclose(zip_file_t* file) { return UVAUTH_ZIP_FN(zip_fclose)(file); }
const char* zip_file_strerror(zip_file_t* file) { return UVAUTH_ZIP_FN(zip_file_strerror)(file); }

zip_source_t* zip_source_buffer_create(const void* data, zip_uint64_t length, int free_data, zip_error_t* error) {
  return UVAUTH_ZIP_FN(zip_source_buffer_create)(data, length, free_data, error);
}
zip_source_t* zip_source_function_create(zip_source_callback callback, void* user, zip_error_t* error) {
  return UVAUTH_ZIP_FN(zip_source_function_create)(callback, user, error);
}
void zip_source_free(zip_source_t* source) { UVAUTH_ZIP_FN(zip_source_free)(source); }
zip_int64_t zip_source_seek_compute_offset(zip_uint64_t offset, zip_uint64_t length, void* data, zip_uint64_t data_length,
                                           zip_error_t* error) {
  return UVAUTH_ZIP_FN(zip_source_seek_compute_offset)(offset, length, data, data_length, error);
}
// Variadic, so not forwarded: the bitmap of the commands listed before -1,
// as libzip documents it (ZIP_SOURCE_MAKE_COMMAND_BITMASK of each).
zip_int64_t zip_source_make_command_bitmap(zip_source_cmd_t first, ...) {
  zip_int64_t bitmap = ZIP_SOURCE_MAKE_COMMAND_BITMASK(first);
  va_list args;
  va_start(args, first);
  for (int command = va_arg(args, int); command >= 0; command = va_arg(args, int)) bitmap |= ZIP_SOURCE_MAKE_COMMAND_BITMASK(command);
  va_end(args);
  return bitmap;
}

}  // extern "C"
