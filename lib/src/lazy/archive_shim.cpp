// libarchive's functions that libuvauth calls (sdists only), forwarded to the
// library opened on first use (lazy_library.hpp says why).
#include <archive.h>
#include <archive_entry.h>

#include "lazy/lazy_library.hpp"

UVAUTH_LAZY_LIBRARY(archive_library, UVAUTH_ARCHIVE_SONAME, "libarchive13")

#define UVAUTH_ARCHIVE_FN(name) UVAUTH_LAZY_FUNCTION(archive_library(), UVAUTH_ARCHIVE_SONAME, name)
#define UVAUTH_ARCHIVE_SIMPLE(type, name, arg_type) \
  type name(arg_type a) { return UVAUTH_ARCHIVE_FN(name)(a); }

extern "C" {

struct archive* archive_read_new(void) { return UVAUTH_ARCHIVE_FN(archive_read_new)(); }
UVAUTH_ARCHIVE_SIMPLE(int, archive_read_free, struct archive*)
UVAUTH_ARCHIVE_SIMPLE(int, archive_read_support_filter_bzip2, struct archive*)
UVAUTH_ARCHIVE_SIMPLE(int, archive_read_support_filter_gzip, struct archive*)
UVAUTH_ARCHIVE_SIMPLE(int, archive_read_support_filter_xz, struct archive*)
UVAUTH_ARCHIVE_SIMPLE(int, archive_read_support_format_gnutar, struct archive*)
UVAUTH_ARCHIVE_SIMPLE(int, archive_read_support_format_tar, struct archive*)
UVAUTH_ARCHIVE_SIMPLE(int, archive_read_support_format_zip, struct archive*)
UVAUTH_ARCHIVE_SIMPLE(const char*, archive_error_string, struct archive*)
int archive_read_open_filename(struct archive* a, const char* filename, size_t block_size) {
  return UVAUTH_ARCHIVE_FN(archive_read_open_filename)(a, filename, block_size);
}
int archive_read_next_header(struct archive* a, struct archive_entry** entry) {
  return UVAUTH_ARCHIVE_FN(archive_read_next_header)(a, entry);
}
la_ssize_t archive_read_data(struct archive* a, void* buffer, size_t size) { return UVAUTH_ARCHIVE_FN(archive_read_data)(a, buffer, size); }

UVAUTH_ARCHIVE_SIMPLE(__LA_MODE_T, archive_entry_filetype, struct archive_entry*)
UVAUTH_ARCHIVE_SIMPLE(__LA_MODE_T, archive_entry_perm, struct archive_entry*)
UVAUTH_ARCHIVE_SIMPLE(const char*, archive_entry_hardlink, struct archive_entry*)
UVAUTH_ARCHIVE_SIMPLE(const char*, archive_entry_pathname, struct archive_entry*)
UVAUTH_ARCHIVE_SIMPLE(const char*, archive_entry_symlink, struct archive_entry*)

}  // extern "C"
