// What a lock installs on one target, per PEP 751: the lock's
// `environments` and `requires-python` must cover the target; each
// [[packages]] entry whose `marker` holds there (with the lock's
// `default-groups` for `dependency_groups` markers) is selected, and each
// name must narrow to exactly one entry; of its wheels, the one the target's
// tags rank best. Everything else is an error naming the package, the
// target and what the lock has -- never a silent skip or a first-wheel guess.
#pragma once

#include <string>

#include "uvauth/error.hpp"
#include "uvauth/lock/pylock.hpp"
#include "uvauth/pep/target.hpp"

namespace uvauth::lock {

// The lock narrowed to `target`: the selected entries, each with the one
// wheel to install. `source` names the lock file in messages.
Result<Lock> select_for_target(const Lock& lock, const pep::Target& target, const std::string& source);

}  // namespace uvauth::lock
