// The environments a wheel can be installed in, as a marker: what its tags
// imply (cp312-cp312-manylinux_2_17_x86_64 is CPython 3.12 on Linux x86_64).
// For universal locks: which wheels of a version a part of the marker space
// can use. Tags this does not know imply nothing (the marker holds
// everywhere), so a wheel is never dropped for a tag read wrongly.
#pragma once

#include <vector>

#include "uvauth/pep/marker_algebra.hpp"
#include "uvauth/pep/tags.hpp"

namespace uvauth::pep {

// One tag's environments.
[[nodiscard]] MarkerTree tag_marker(const Tag& tag);
// The union over a wheel's tags.
[[nodiscard]] MarkerTree wheel_marker(const std::vector<Tag>& tags);

}  // namespace uvauth::pep
