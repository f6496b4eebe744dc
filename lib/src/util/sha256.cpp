#include "uvauth/sha256.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

// OpenSSL's SHA256_* functions rather than EVP: the same assembly, without
// the provider and configuration start-up that EVP's first use costs (5 M
// instructions, a third of a no-op `uvauth sync`). Deprecated in OpenSSL 3,
// not removed.
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <array>
#include <fstream>

namespace uvauth {

struct Sha256::State {
  SHA256_CTX ctx{};
};

Sha256::Sha256() : state_(std::make_unique<State>()) { reset(); }
Sha256::~Sha256() = default;
Sha256::Sha256(Sha256&&) noexcept = default;
Sha256& Sha256::operator=(Sha256&&) noexcept = default;

void Sha256::reset() { SHA256_Init(&state_->ctx); }

void Sha256::update(std::string_view data) { SHA256_Update(&state_->ctx, data.data(), data.size()); }

std::string Sha256::hex_digest() {
  std::array<unsigned char, SHA256_DIGEST_LENGTH> digest{};
  const unsigned int length = SHA256_DIGEST_LENGTH;
  SHA256_Final(digest.data(), &state_->ctx);
  static constexpr char hex[] = "0123456789abcdef";
  std::string out;
  out.reserve(length * 2);
  for (unsigned i = 0; i < length; ++i) {
    out += hex[digest[i] >> 4];
    out += hex[digest[i] & 0xf];
  }
  reset();
  return out;
}

std::string Sha256::hex_of(std::string_view data) {
  Sha256 h;
  h.update(data);
  return h.hex_digest();
}

Result<std::string> Sha256::hex_of_file(const std::filesystem::path& file) {
  // A regular file only: a lock or a link naming a device (file:///dev/zero)
  // or a FIFO would otherwise be read for ever.
  const int fd = ::open(file.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
  if (fd < 0) return Error(ErrorKind::io, "cannot read " + file.string() + ": " + std::strerror(errno));
  struct stat st {};
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
    ::close(fd);
    return Error(ErrorKind::io, "cannot read " + file.string() + ": not a regular file");
  }
  Sha256 h;
  std::array<char, 1 << 16> buffer{};
  for (;;) {
    const ssize_t n = ::read(fd, buffer.data(), buffer.size());
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) {
      const std::string why = std::strerror(errno);
      ::close(fd);
      return Error(ErrorKind::io, "error reading " + file.string() + ": " + why);
    }
    if (n == 0) break;
    h.update(std::string_view(buffer.data(), static_cast<std::size_t>(n)));
  }
  ::close(fd);
  return h.hex_digest();
}

std::optional<Sha256Digest> Sha256Digest::parse(std::string_view text) {
  if (text.size() != 64) return std::nullopt;
  std::string hex(text);
  for (char& c : hex) {
    if (c >= 'A' && c <= 'F') c = static_cast<char>(c - 'A' + 'a');
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return std::nullopt;
  }
  return Sha256Digest(std::move(hex));
}

}  // namespace uvauth
