#include "uvauth/install/unpack.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libdeflate.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <atomic>
#include <fstream>
#include <memory>
#include <set>
#include <sstream>

#include "uvauth/fs.hpp"
#include "uvauth/pep/names.hpp"
#include "uvauth/sha256.hpp"
#include "uvauth/text.hpp"

namespace uvauth::install {
namespace fs = std::filesystem;
namespace {

// Members up to this size are inflated whole with libdeflate (two to three
// times zlib's speed) from their compressed bytes into one buffer; larger
// ones stream through libzip's zlib, so a worker's two buffers (compressed
// and inflated) never hold more than twice this.
constexpr std::size_t whole_member_limit = std::size_t{4} << 20;

// A worker's libdeflate state and buffers, kept between members and wheels.
struct WholeMemberBuffers {
  struct FreeDecompressor {
    void operator()(libdeflate_decompressor* d) const { libdeflate_free_decompressor(d); }
  };
  std::unique_ptr<libdeflate_decompressor, FreeDecompressor> decompressor{libdeflate_alloc_decompressor()};
  std::unique_ptr<char[]> in, out;
  std::size_t in_capacity = 0, out_capacity = 0;
  static void reserve(std::unique_ptr<char[]>& buffer, std::size_t& capacity, std::size_t size) {
    if (size <= capacity) return;
    capacity = std::max(size, std::size_t{64} << 10);
    buffer.reset(new char[capacity]);  // not zeroed: every byte used is written first
  }
};

std::string base64url_nopad(const std::string& bytes) {
  static constexpr char table[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                       static_cast<unsigned char>(bytes[i + 2]);
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += table[(n >> 6) & 63];
    out += table[n & 63];
  }
  if (i + 1 == bytes.size()) {
    const unsigned n = static_cast<unsigned char>(bytes[i]) << 16;
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
  } else if (i + 2 == bytes.size()) {
    const unsigned n = (static_cast<unsigned char>(bytes[i]) << 16) | (static_cast<unsigned char>(bytes[i + 1]) << 8);
    out += table[(n >> 18) & 63];
    out += table[(n >> 12) & 63];
    out += table[(n >> 6) & 63];
  }
  return out;
}

// A path inside the archive that stays inside the tree.
bool safe_member(std::string_view name) {
  if (name.empty() || name.front() == '/' || name.find('\\') != std::string_view::npos || name.find('\0') != std::string_view::npos) {
    return false;
  }
  if (name.size() > 1 && name[1] == ':') return false;  // C:...
  std::size_t start = 0;
  while (start <= name.size()) {
    const std::size_t end = std::min(name.find('/', start), name.size());
    const std::string_view part = name.substr(start, end - start);
    if (part == "..") return false;
    start = end + 1;
  }
  return true;
}

std::string unique_suffix() {
  static std::atomic<unsigned> counter{0};
  return std::to_string(::getpid()) + "-" + std::to_string(++counter);
}

}  // namespace

std::map<std::string, RecordLine> parse_record(const std::string& text) {
  std::map<std::string, RecordLine> out;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    std::vector<std::string> fields;
    std::string field;
    bool quoted = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
      const char c = line[i];
      if (quoted) {
        if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
          field += '"';
          ++i;
        } else if (c == '"') {
          quoted = false;
        } else {
          field += c;
        }
      } else if (c == '"') {
        quoted = true;
      } else if (c == ',') {
        fields.push_back(field);
        field.clear();
      } else {
        field += c;
      }
    }
    fields.push_back(field);
    out[fields[0]] = RecordLine{fields.size() > 1 ? fields[1] : "", fields.size() > 2 ? fields[2] : ""};
  }
  return out;
}

std::string record_hash_of_hex(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  return "sha256=" + base64url_nopad(bytes);
}

Status check_dist_info(const std::string& dist_info, const ExpectedDistribution& expected, const std::string& source) {
  const std::string stem = dist_info.size() > 10 ? dist_info.substr(0, dist_info.size() - 10) : "";
  const auto dash = stem.rfind('-');
  auto version = dash == std::string::npos ? Result<pep::Version>(Error()) : pep::Version::parse(stem.substr(dash + 1));
  if (dash == std::string::npos || !version || pep::canonicalize_name(stem.substr(0, dash)) != expected.name ||
      !(*version == expected.version)) {
    return Error(ErrorKind::install, source + ": it holds " + escape_nonprintable(dist_info) + ", not " + expected.name + " " +
                                         expected.version.to_string() + " as its name says; it is not installed");
  }
  return {};
}

Result<UnpackedWheel> unpack_wheel(const fs::path& wheel, const fs::path& destination, const std::string& source,
                                   const UnpackLimits& limits, const std::optional<ExpectedDistribution>& expected) {
  auto fail = [&](const std::string& message) { return Error(ErrorKind::install, source + ": " + message); };
  // The wheel is mapped and read from memory: no seek and read per member.
  const int fd = ::open(wheel.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return fail("cannot open " + wheel.string() + ": " + std::generic_category().message(errno));
  struct stat wheel_stat {};
  if (::fstat(fd, &wheel_stat) != 0 || !S_ISREG(wheel_stat.st_mode)) {
    ::close(fd);
    return fail("not a regular file");
  }
  const auto mapped_size = static_cast<std::size_t>(wheel_stat.st_size);
  void* mapped = mapped_size == 0 ? MAP_FAILED : ::mmap(nullptr, mapped_size, PROT_READ, MAP_PRIVATE, fd, 0);
  ::close(fd);
  if (mapped == MAP_FAILED) return fail("not a readable wheel (zip): " + std::string(mapped_size == 0 ? "the file is empty" : "cannot map it"));
  struct Unmap {
    void* at;
    std::size_t size;
    ~Unmap() { ::munmap(at, size); }
  } unmap{mapped, mapped_size};
  zip_error_t open_error;
  zip_error_init(&open_error);
  zip_source_t* source_buffer = zip_source_buffer_create(mapped, mapped_size, 0, &open_error);
  zip_t* archive = source_buffer ? zip_open_from_source(source_buffer, ZIP_RDONLY | ZIP_CHECKCONS, &open_error) : nullptr;
  if (!archive) {
    if (source_buffer) zip_source_free(source_buffer);
    const std::string why = zip_error_strerror(&open_error);
    zip_error_fini(&open_error);
    return fail("not a readable wheel (zip): " + why);
  }
  zip_error_fini(&open_error);
  std::unique_ptr<zip_t, decltype(&zip_discard)> guard(archive, &zip_discard);
  const zip_int64_t count = zip_get_num_entries(archive, 0);
  if (count < 0 || static_cast<std::uint64_t>(count) > limits.max_entries) return fail("too many entries");

  const fs::path staging = destination.string() + ".tmp-" + unique_suffix();
  std::error_code ec;
  fs::create_directories(staging, ec);
  if (ec) return fail("cannot create " + staging.string() + ": " + ec.message());
  struct Cleanup {
    fs::path path;
    bool keep = false;
    ~Cleanup() {
      std::error_code ignored;
      if (!keep) fs::remove_all(path, ignored);
    }
  } cleanup{staging};

  // What the archive declares, checked before anything is written: a bomb
  // is refused for its directory, not after gigabytes reached the disk.
  std::uint64_t declared = 0;
  std::set<std::string> dist_infos;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &st) != 0 || !(st.valid & ZIP_STAT_NAME) ||
        !(st.valid & ZIP_STAT_SIZE)) {
      return fail("cannot read its directory");
    }
    declared += st.size;
    if (st.size > limits.max_total_bytes || declared > limits.max_total_bytes) {
      return fail("its entries declare more than " + std::to_string(limits.max_total_bytes) + " bytes; it is not unpacked");
    }
    const std::string_view name(st.name);
    const auto slash = name.find('/');
    if (slash != std::string_view::npos && slash > 10 && name.substr(slash - 10, 10) == ".dist-info") {
      dist_infos.insert(std::string(name.substr(0, slash)));
    }
  }
  if (dist_infos.size() > 1) {
    return fail("it has " + std::to_string(dist_infos.size()) + " .dist-info directories (" + escape_nonprintable(*dist_infos.begin()) +
                ", " + escape_nonprintable(*std::next(dist_infos.begin())) + "); a wheel has exactly one");
  }
  if (expected && !dist_infos.empty()) {
    UVAUTH_TRY(check_dist_info(*dist_infos.begin(), *expected, source));
  }

  UnpackedWheel result;
  // Everything is made relative to the staging directory, held open: no walk
  // of its (long) path per file, one mkdirat per directory.
  const int staging_fd = ::open(staging.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (staging_fd < 0) return fail("cannot open " + staging.string() + ": " + std::generic_category().message(errno));
  struct CloseStaging {
    int fd;
    ~CloseStaging() { ::close(fd); }
  } close_staging{staging_fd};
  DirectoryMaker dirs(staging_fd, staging.string());
  std::map<std::string, std::string> computed;  // member -> record hash
  std::uint64_t total = 0;
  std::array<char, 1 << 16> buffer{};
  thread_local WholeMemberBuffers whole_buffers;
  for (zip_int64_t i = 0; i < count; ++i) {
    zip_stat_t st;
    if (zip_stat_index(archive, static_cast<zip_uint64_t>(i), 0, &st) != 0) return fail("cannot read its directory");
    const std::string name = st.name;
    if (!safe_member(name)) return fail("the entry '" + escape_nonprintable(name) + "' would be written outside the install directory");
    zip_uint8_t os = 0;
    zip_uint32_t attributes = 0;
    zip_file_get_external_attributes(archive, static_cast<zip_uint64_t>(i), 0, &os, &attributes);
    const mode_t mode = static_cast<mode_t>(attributes >> 16);
    if (os == ZIP_OPSYS_UNIX && S_ISLNK(mode)) return fail("the entry '" + name + "' is a symbolic link, which wheels may not contain");
    if (name.back() == '/') {
      if (auto made = dirs.ensure(std::string_view(name).substr(0, name.size() - 1)); !made) return fail(made.error().message);
      continue;
    }
    total += st.size;
    if (total > limits.max_total_bytes) return fail("it unpacks to more than " + std::to_string(limits.max_total_bytes) + " bytes");
    if (const auto slash = name.rfind('/'); slash != std::string::npos) {
      if (auto made = dirs.ensure(std::string_view(name).substr(0, slash)); !made) return fail(made.error().message);
    }
    // Executable when the archive says so; scripts of archives made elsewhere
    // (Windows zips carry no Unix modes) are made executable, as PEP 427 says.
    const bool data_script = name.find(".data/scripts/") != std::string::npos && name.find('/') == name.find(".data/scripts/") + 5;
    const bool executable = (os == ZIP_OPSYS_UNIX && S_ISREG(mode) && (mode & 0111)) || (os != ZIP_OPSYS_UNIX && data_script);
    // A deflated member small enough is read compressed and inflated whole;
    // its CRC and size are checked here, as libzip checks those it inflates.
    const bool whole = (st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method == ZIP_CM_DEFLATE && (st.valid & ZIP_STAT_COMP_SIZE) &&
                       (st.valid & ZIP_STAT_CRC) && (st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method == ZIP_EM_NONE &&
                       st.size <= whole_member_limit && st.comp_size <= whole_member_limit && whole_buffers.decompressor;
    zip_file_t* file = zip_fopen_index(archive, static_cast<zip_uint64_t>(i), whole ? ZIP_FL_COMPRESSED : 0);
    if (!file) return fail("cannot read '" + name + "': " + zip_strerror(archive));
    const int out = ::openat(staging_fd, name.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, executable ? 0777 : 0666);
    auto out_path = [&] { return staging / name; };
    if (out < 0) {
      const int why = errno;
      zip_fclose(file);
      return fail("cannot write " + out_path().string() + ": " + std::generic_category().message(why));
    }
    struct CloseOut {
      int fd;
      ~CloseOut() { ::close(fd); }
    } close_out{out};
    Sha256 hasher;
    std::uint64_t written = 0;
    // Hashes and writes `n` bytes; an error message, or empty.
    auto emit = [&](const char* data, std::size_t n) -> std::string {
      hasher.update(std::string_view(data, n));
      for (std::size_t done = 0; done < n;) {
        const ssize_t w = ::write(out, data + done, n - done);
        if (w < 0 && errno == EINTR) continue;
        if (w <= 0) return "cannot write " + out_path().string() + ": " + std::generic_category().message(errno);
        done += static_cast<std::size_t>(w);
      }
      return {};
    };
    if (whole) {
      const auto in_size = static_cast<std::size_t>(st.comp_size);
      const auto out_size = static_cast<std::size_t>(st.size);
      WholeMemberBuffers::reserve(whole_buffers.in, whole_buffers.in_capacity, in_size);
      WholeMemberBuffers::reserve(whole_buffers.out, whole_buffers.out_capacity, out_size);
      const zip_int64_t got = in_size == 0 ? 0 : zip_fread(file, whole_buffers.in.get(), in_size);
      std::string why = got < 0 ? std::string(zip_file_strerror(file)) : std::string();
      zip_fclose(file);
      if (got < 0) return fail("'" + name + "' is corrupt: " + why);
      if (static_cast<std::size_t>(got) != in_size) return fail("'" + name + "' is corrupt: its compressed data is cut short");
      std::size_t produced = 0;
      const libdeflate_result inflated = libdeflate_deflate_decompress(whole_buffers.decompressor.get(), whole_buffers.in.get(), in_size,
                                                                       whole_buffers.out.get(), out_size, &produced);
      if (inflated == LIBDEFLATE_INSUFFICIENT_SPACE) return fail("'" + name + "' is larger than its directory says");
      if (inflated != LIBDEFLATE_SUCCESS) return fail("'" + name + "' is corrupt: its compressed data is invalid");
      if (produced != out_size) return fail("'" + name + "' is smaller than its directory says");
      if (libdeflate_crc32(0, whole_buffers.out.get(), produced) != st.crc) return fail("'" + name + "' is corrupt: CRC error");
      written = produced;
      if (why = emit(whole_buffers.out.get(), produced); !why.empty()) return fail(why);
    } else {
      for (;;) {
        const zip_int64_t n = zip_fread(file, buffer.data(), buffer.size());
        if (n < 0) {
          const std::string why = zip_file_strerror(file);
          zip_fclose(file);
          return fail("'" + name + "' is corrupt: " + why);
        }
        if (n == 0) break;
        written += static_cast<std::uint64_t>(n);
        if (written > st.size) {
          zip_fclose(file);
          return fail("'" + name + "' is larger than its directory says");
        }
        if (const std::string why = emit(buffer.data(), static_cast<std::size_t>(n)); !why.empty()) {
          zip_fclose(file);
          return fail(why);
        }
      }
      zip_fclose(file);
    }
    computed[name] = record_hash_of_hex(hasher.hex_digest());
    result.sizes[name] = written;
    constexpr std::string_view record_suffix = ".dist-info/RECORD";
    if (name.find('/') == name.rfind('/') && name.size() > record_suffix.size() &&
        std::string_view(name).substr(name.size() - record_suffix.size()) == record_suffix) {
      result.dist_info = name.substr(0, name.find('/'));
    }
  }
  if (result.dist_info.empty()) return fail("no *.dist-info/RECORD: not a wheel");

  // WHEEL: a version we understand, and where the root goes.
  auto wheel_text = read_file(staging / result.dist_info / "WHEEL");
  if (!wheel_text) return fail("no " + result.dist_info + "/WHEEL");
  std::istringstream lines(*wheel_text);
  for (std::string line; std::getline(lines, line);) {
    const auto colon = line.find(':');
    if (colon == std::string::npos) continue;
    const std::string key = to_lower_ascii(trim(line.substr(0, colon)));
    const std::string value = std::string(trim(line.substr(colon + 1)));
    if (key == "wheel-version" && value.rfind("1.", 0) != 0) return fail("unsupported Wheel-Version " + value);
    if (key == "root-is-purelib") result.root_is_purelib = to_lower_ascii(value) == "true";
  }

  // Every file must be in RECORD with its hash (RECORD itself and signatures aside).
  auto record_text = read_file(staging / result.dist_info / "RECORD");
  if (!record_text) return fail("cannot read RECORD");
  const auto record = parse_record(*record_text);
  for (const auto& [name, hash] : computed) {
    const std::string file_name = name.substr(name.rfind('/') + 1);
    if (name == result.dist_info + "/RECORD" || name == result.dist_info + "/RECORD.jws" || name == result.dist_info + "/RECORD.p7s") continue;
    auto it = record.find(name);
    if (it == record.end()) return fail("'" + name + "' is not listed in RECORD");
    if (it->second.hash.empty()) return fail("RECORD has no hash for '" + name + "'");
    if (it->second.hash.rfind("sha256=", 0) == 0 && it->second.hash != hash) {
      return fail("hash mismatch for '" + name + "': RECORD says " + it->second.hash + ", the file has " + hash);
    }
    // The size, when RECORD gives one, must be the file's: an installed tree is checked against it later.
    if (!it->second.size.empty() && it->second.size != std::to_string(result.sizes[name])) {
      return fail("size mismatch for '" + name + "': RECORD says " + escape_nonprintable(it->second.size) + " bytes, the file has " +
                  std::to_string(result.sizes[name]));
    }
  }
  result.hashes = std::move(computed);

  // Publish: rename into place; if another process won the race, use theirs.
  fs::rename(staging, destination, ec);
  if (ec) {
    if (fs::exists(destination / result.dist_info / "RECORD")) return read_unpacked(destination);
    return fail("cannot move the unpacked tree into " + destination.string() + ": " + ec.message());
  }
  cleanup.keep = true;
  result.root = destination;
  return result;
}

Result<UnpackedWheel> read_unpacked(const fs::path& root, const std::optional<ExpectedDistribution>& expected) {
  UnpackedWheel result;
  result.root = root;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(root, ec)) {
    const std::string name = entry.path().filename().string();
    if (name.size() > 10 && name.substr(name.size() - 10) == ".dist-info") result.dist_info = name;
  }
  if (result.dist_info.empty()) return Error(ErrorKind::install, root.string() + ": no .dist-info in the unpacked tree");
  if (expected) {
    UVAUTH_TRY(check_dist_info(result.dist_info, *expected, root.string()));
  }
  auto wheel_text = read_file(root / result.dist_info / "WHEEL");
  if (wheel_text) result.root_is_purelib = to_lower_ascii(*wheel_text).find("root-is-purelib: false") == std::string::npos;
  auto record_text = read_file(root / result.dist_info / "RECORD");
  if (!record_text) return std::move(record_text).error();
  for (const auto& [name, line] : parse_record(*record_text)) {
    result.hashes[name] = line.hash;
    std::uint64_t size = 0;
    const auto [end, code] = std::from_chars(line.size.data(), line.size.data() + line.size.size(), size);
    if (code == std::errc() && end == line.size.data() + line.size.size()) result.sizes[name] = size;
  }
  return result;
}

}  // namespace uvauth::install
