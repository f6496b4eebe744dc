#include "uvauth/index/remote_zip.hpp"

#include <zip.h>

#include <algorithm>
#include <charconv>
#include <cstring>
#include <map>
#include <memory>

namespace uvauth::index {
namespace {

constexpr std::uint64_t block_size = 64 * 1024;
constexpr std::uint64_t max_member_size = 64ULL << 20;  // METADATA larger than this is not metadata

// "bytes 100-199/2000" -> 2000
std::optional<std::uint64_t> total_from_content_range(std::string_view header) {
  const auto slash = header.rfind('/');
  if (slash == std::string_view::npos) return std::nullopt;
  std::uint64_t total = 0;
  const auto text = header.substr(slash + 1);
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), total);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return total;
}

struct RangeSource {
  RangeSource(net::Client& c, Url u, std::string linked, RemoteZipStats& s)
      : client(c), url(std::move(u)), linked_by(std::move(linked)), stats(s) {}

  net::Client& client;
  Url url;
  std::string linked_by;
  RemoteZipStats& stats;
  std::uint64_t size = 0;
  std::uint64_t offset = 0;
  std::map<std::uint64_t, std::string> blocks;  // block start -> bytes
  std::optional<Error> failure;
  zip_error_t error{};

  Result<std::string> fetch_range(std::uint64_t first, std::uint64_t last) {
    net::Request request;
    request.url = url;
    request.tag = linked_by;
    request.range = std::to_string(first) + "-" + std::to_string(last);
    ++stats.range_requests;
    auto response = client.fetch(std::move(request));
    if (!response) return std::move(response).error();
    if (response->status != 206) return net::status_error(*response);
    return std::move(response->body);
  }

  bool ensure_block(std::uint64_t start) {
    if (blocks.count(start)) return true;
    const std::uint64_t last = std::min(start + block_size, size) - 1;
    auto bytes = fetch_range(start, last);
    if (!bytes) {
      failure = std::move(bytes).error();
      return false;
    }
    blocks.emplace(start, std::move(bytes).value());
    return true;
  }

  zip_int64_t read(void* data, zip_uint64_t length) {
    std::uint64_t done = 0;
    auto* out = static_cast<char*>(data);
    while (done < length && offset < size) {
      const std::uint64_t start = offset - offset % block_size;
      if (!ensure_block(start)) {
        zip_error_set(&error, ZIP_ER_READ, EIO);
        return -1;
      }
      const std::string& block = blocks[start];
      const std::uint64_t within = offset - start;
      if (within >= block.size()) break;
      const std::uint64_t n = std::min<std::uint64_t>(length - done, block.size() - within);
      std::memcpy(out + done, block.data() + within, n);
      done += n;
      offset += n;
    }
    return static_cast<zip_int64_t>(done);
  }

  static zip_int64_t callback(void* self, void* data, zip_uint64_t length, zip_source_cmd_t command) {
    auto* source = static_cast<RangeSource*>(self);
    switch (command) {
      case ZIP_SOURCE_OPEN:
        source->offset = 0;
        return 0;
      case ZIP_SOURCE_READ:
        return source->read(data, length);
      case ZIP_SOURCE_CLOSE:
        return 0;
      case ZIP_SOURCE_STAT: {
        auto* st = static_cast<zip_stat_t*>(data);
        zip_stat_init(st);
        st->size = source->size;
        st->valid |= ZIP_STAT_SIZE;
        return sizeof(zip_stat_t);
      }
      case ZIP_SOURCE_ERROR:
        return zip_error_to_data(&source->error, data, length);
      case ZIP_SOURCE_FREE:
        return 0;
      case ZIP_SOURCE_SEEK: {
        const zip_int64_t to = zip_source_seek_compute_offset(source->offset, source->size, data, length, &source->error);
        if (to < 0) return -1;
        source->offset = static_cast<std::uint64_t>(to);
        return 0;
      }
      case ZIP_SOURCE_TELL:
        return static_cast<zip_int64_t>(source->offset);
      case ZIP_SOURCE_SUPPORTS:
        return zip_source_make_command_bitmap(ZIP_SOURCE_OPEN, ZIP_SOURCE_READ, ZIP_SOURCE_CLOSE, ZIP_SOURCE_STAT,
                                              ZIP_SOURCE_ERROR, ZIP_SOURCE_FREE, ZIP_SOURCE_SEEK, ZIP_SOURCE_TELL,
                                              ZIP_SOURCE_SUPPORTS, -1);
      default:
        zip_error_set(&source->error, ZIP_ER_OPNOTSUPP, 0);
        return -1;
    }
  }
};

bool member_matches(std::string_view name, const std::string& suffix) {
  if (name.size() < suffix.size() || name.substr(name.size() - suffix.size()) != suffix) return false;
  return std::count(name.begin(), name.end(), '/') == std::count(suffix.begin(), suffix.end(), '/');
}

// Opens `source` with libzip and reads the member; takes ownership of `source`.
Result<std::string> extract(zip_source_t* source, const std::string& suffix, const std::string& source_name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_t* archive = zip_open_from_source(source, ZIP_RDONLY, &error);
  if (!archive) {
    const std::string why = zip_error_strerror(&error);
    zip_error_fini(&error);
    zip_source_free(source);
    return Error(ErrorKind::parse, source_name + " is not a readable zip archive: " + why);
  }
  std::unique_ptr<zip_t, decltype(&zip_discard)> guard(archive, &zip_discard);
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  for (zip_int64_t i = 0; i < count; ++i) {
    const char* name = zip_get_name(archive, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_RAW);
    if (!name || !member_matches(name, suffix)) continue;
    zip_stat_t st;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) break;
    if (st.size > max_member_size) return Error(ErrorKind::parse, source_name + ": " + name + " is implausibly large");
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), 0);
    if (!file) return Error(ErrorKind::parse, source_name + ": cannot open " + name + ": " + zip_strerror(archive));
    std::string content(static_cast<std::size_t>(st.size), '\0');
    const zip_int64_t read = zip_fread(file, content.data(), st.size);
    const std::string why = zip_file_strerror(file);
    zip_fclose(file);
    if (read < 0 || static_cast<zip_uint64_t>(read) != st.size) {
      return Error(ErrorKind::parse, source_name + ": cannot read " + name + ": " + why);
    }
    return content;
  }
  return Error(ErrorKind::parse, source_name + " has no *" + suffix + " member");
}

}  // namespace

Result<std::string> read_zip_member(const std::string& archive, const std::string& suffix, const std::string& source_name) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_buffer_create(archive.data(), archive.size(), 0, &error);
  if (!source) {
    zip_error_fini(&error);
    return Error(ErrorKind::io, "out of memory reading " + source_name);
  }
  return extract(source, suffix, source_name);
}

Result<std::string> read_remote_zip_member(net::Client& client, const Url& url, const std::string& linked_by,
                                           const std::string& suffix, RemoteZipStats& stats) {
  // The tail first: the central directory of a wheel is at its end.
  net::Request tail;
  tail.url = url;
  tail.tag = linked_by;
  tail.range = "-" + std::to_string(block_size);
  ++stats.range_requests;
  auto response = client.fetch(std::move(tail));
  if (!response) return std::move(response).error();
  if (response->status == 200) {
    stats.server_ignored_ranges = true;
    return read_zip_member(response->body, suffix, url.redacted());
  }
  if (response->status != 206) return net::status_error(*response);
  const auto total = total_from_content_range(response->header("content-range").value_or(""));
  if (!total || *total < response->body.size()) {
    return Error(ErrorKind::parse, "bad Content-Range from " + url.redacted() + " for a range request");
  }
  auto state = std::make_unique<RangeSource>(client, url, linked_by, stats);
  state->size = *total;
  // File the tail under the blocks it covers (it ends at the file's end).
  const std::uint64_t tail_start = *total - response->body.size();
  for (std::uint64_t block = (tail_start + block_size - 1) / block_size * block_size; block < *total; block += block_size) {
    state->blocks.emplace(block, response->body.substr(block - tail_start, std::min(block_size, *total - block)));
  }
  zip_error_init(&state->error);
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* source = zip_source_function_create(&RangeSource::callback, state.get(), &error);
  if (!source) return Error(ErrorKind::io, "out of memory reading " + url.redacted());
  auto member = extract(source, suffix, url.redacted());
  if (!member && state->failure) return std::move(*state->failure);
  return member;
}

}  // namespace uvauth::index
