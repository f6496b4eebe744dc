// From requirements to a lock: resolve over the indexes for one target and
// record, for each package, the wheel that fits and where it came from.
#pragma once

#include <optional>
#include <vector>

#include "uvauth/index/index_client.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/resolve/index_provider.hpp"

namespace uvauth::resolve {

struct LockInputs {
  std::vector<pep::Requirement> requirements;
  std::vector<pep::Requirement> constraints;
  ProviderOptions provider;              // indexes, find-links, target, pre-release mode
  std::optional<lock::Lock> previous;    // its pins are kept while still allowed
};

// A fingerprint of everything that decides the lock's content.
[[nodiscard]] std::string inputs_fingerprint(const LockInputs& inputs);

Result<lock::Lock> make_lock(index::IndexClient& client, LockInputs inputs);

}  // namespace uvauth::resolve
