// From requirements to a lock: resolve over the indexes for one target and
// record, for each package, the wheel that fits and where it came from.
#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "uvauth/index/index_client.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/resolve/index_provider.hpp"

namespace uvauth::resolve {

// The hashes requirements allow for one project (pip's hash-checking mode).
struct AllowedHashes {
  std::set<std::string> sha256;  // lower-case hex
  std::string origin;            // "requirements.txt:3", for messages
};

struct LockInputs {
  std::vector<pep::Requirement> requirements;
  std::vector<pep::Requirement> constraints;
  ProviderOptions provider;              // indexes, find-links, target, pre-release mode
  std::optional<lock::Lock> previous;    // its pins are kept while still allowed...
  bool upgrade_all = false;              // ...unless --upgrade
  std::set<std::string> upgrade;         // ...or --upgrade-package (canonical names)
  bool no_deps = false;                  // --no-deps: the requirements alone
  // Hash-checking mode (pip's and uv's): on when any requirement or
  // constraint has a --hash, or --require-hashes. Then every locked wheel's
  // sha256 must be one its project's lines allow.
  std::map<std::string, AllowedHashes> hashes;  // canonical name -> allowed
  bool require_hashes = false;
  // Universal lock (uv's `uv lock`): one resolution for every environment
  // within `requires_python` (a specifier set, ">=3.11") and the declared
  // `environments` (markers; none: all), forking where requirements differ.
  // Each `required_environments` marker must have a wheel of every package
  // that applies there.
  bool universal = false;
  std::string requires_python;
  std::vector<std::string> environments;
  std::vector<std::string> required_environments;
  // "path fingerprint" of each local project directory (its pyproject.toml,
  // setup.cfg, setup.py): a changed project is locked again.
  std::vector<std::string> source_fingerprints;
};

// A fingerprint of everything that decides the lock's content.
[[nodiscard]] std::string inputs_fingerprint(const LockInputs& inputs);

Result<lock::Lock> make_lock(index::IndexClient& client, LockInputs inputs);

}  // namespace uvauth::resolve
