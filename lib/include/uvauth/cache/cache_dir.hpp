// Where cached things live: the root config::cache_root found
// ($UVAUTH_CACHE_DIR, else $XDG_CACHE_HOME/uvauth, else ~/.cache/uvauth;
// --cache-dir beats all; --no-cache uses none).
// Each bucket carries a layout version in its name, so a changed layout
// never reads an old one.
#pragma once

#include <filesystem>
#include <optional>
#include <string_view>

#include "uvauth/error.hpp"
#include "uvauth/sha256.hpp"

namespace uvauth::cache {

// sdists: downloaded source archives by sha256; built: wheels built from
// sources (by source fingerprint and interpreter); build_envs: PEP 517
// build environments by their requirement set; git: bare clones of Git
// repositories (by URL, without credentials) and checkouts by commit.
enum class Bucket { simple_pages, wheels, unpacked, interpreters, metadata, sdists, built, build_envs, git };

class CacheDir {
 public:
  // nullopt root: caching disabled.
  explicit CacheDir(std::optional<std::filesystem::path> root) : root_(std::move(root)) {}

  [[nodiscard]] bool enabled() const { return root_.has_value(); }
  [[nodiscard]] const std::optional<std::filesystem::path>& root() const { return root_; }
  // The bucket's directory (created, mode 0700), or nullopt when disabled.
  [[nodiscard]] std::optional<std::filesystem::path> bucket(Bucket bucket) const;

 private:
  std::optional<std::filesystem::path> root_;
};

[[nodiscard]] std::string_view bucket_name(Bucket bucket);

// The one place a cache path is made from a digest: it takes only a checked
// digest, so nothing read from a lock or a server can step out of the cache.
// `fanout`: under a directory named by the digest's first two digits.
enum class Fanout { none, two_digits };
[[nodiscard]] std::filesystem::path digest_path(const std::filesystem::path& bucket_dir, const Sha256Digest& digest,
                                                Fanout fanout, std::string_view suffix = {});

}  // namespace uvauth::cache
