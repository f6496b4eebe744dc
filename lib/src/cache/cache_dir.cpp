#include "uvauth/cache/cache_dir.hpp"

namespace uvauth::cache {
namespace fs = std::filesystem;

std::string_view bucket_name(Bucket bucket) {
  switch (bucket) {
    case Bucket::simple_pages: return "simple-v1";
    case Bucket::wheels: return "wheels-v1";
    case Bucket::unpacked: return "unpacked-v1";
    case Bucket::interpreters: return "interpreters-v2";
    case Bucket::metadata: return "metadata-v1";
    case Bucket::sdists: return "sdists-v1";
    case Bucket::built: return "built-wheels-v1";
    case Bucket::build_envs: return "build-envs-v1";
    case Bucket::git: return "git-v1";
  }
  return "misc-v1";
}


std::optional<fs::path> CacheDir::bucket(Bucket bucket) const {
  if (!root_) return std::nullopt;
  const fs::path dir = *root_ / bucket_name(bucket);
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    fs::create_directories(dir, ec);
    fs::permissions(dir, fs::perms::owner_all, fs::perm_options::replace, ec);
  }
  return dir;
}

fs::path digest_path(const fs::path& bucket_dir, const Sha256Digest& digest, Fanout fanout, std::string_view suffix) {
  const std::string& hex = digest.hex();
  const fs::path name = hex + std::string(suffix);
  return fanout == Fanout::two_digits ? bucket_dir / hex.substr(0, 2) / name : bucket_dir / name;
}

}  // namespace uvauth::cache
