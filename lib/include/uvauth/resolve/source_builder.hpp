// What resolution needs from source builds, declared below the build layer
// (uv's BuildContext idea): "the metadata of this source". The app layer
// implements it with the PEP 517 frontend (build/) and the installer, so the
// resolver never depends on them.
#pragma once

#include <set>
#include <string>

#include "uvauth/error.hpp"
#include "uvauth/index/simple_page.hpp"
#include "uvauth/pep/metadata.hpp"

namespace uvauth::resolve {

// A source distribution or a local project directory.
struct SourceRef {
  std::string name;               // canonical; empty for a directory not read yet
  index::DistributionFile file;   // archive: its URL (http(s) or file) and hashes; directory: its file:// URL
  std::string index_url;          // the index that listed it (for credentials); empty for a direct reference
  bool directory = false;
  bool editable = false;
  // A Git requirement: its URL as written (git+https://...@rev#subdirectory=...,
  // userinfo possibly) and the full commit it resolved to; file is unused.
  std::string git_url;
  std::string git_commit;
};

class SourceBuilder {
 public:
  virtual ~SourceBuilder() = default;
  // The source's core metadata: static when it can be (a directory's
  // [project], an sdist's PKG-INFO at Metadata 2.2+ without Dynamic
  // requirements), else from the backend's prepare_metadata hook, else a build.
  virtual Result<pep::CoreMetadata> metadata(const SourceRef& source) = 0;
  // The full commit id a Git requirement's revision names now (git_url as
  // written). A builder without Git support refuses.
  virtual Result<std::string> git_commit(const std::string& name, const std::string& git_url) {
    return Error(ErrorKind::resolution, name + " @ " + git_url + ": this command does not fetch Git repositories");
  }
};

// --no-build, --no-build-package, --no-binary.
struct BuildPolicy {
  bool no_build = false;
  std::set<std::string> no_build_packages;  // canonical
  bool no_binary_all = false;
  std::set<std::string> no_binary;          // canonical

  [[nodiscard]] bool may_build(const std::string& name) const { return !no_build && !no_build_packages.count(name); }
  [[nodiscard]] bool may_use_wheels(const std::string& name) const { return !no_binary_all && !no_binary.count(name); }
};

}  // namespace uvauth::resolve
