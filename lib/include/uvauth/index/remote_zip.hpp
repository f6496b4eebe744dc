// Reading one member of a remote zip (a wheel's METADATA) with HTTP range
// requests: libzip parses the archive through a zip source whose bytes come
// from ranges fetched on demand (the tail first, then what libzip asks for).
#pragma once

#include <optional>
#include <string>

#include "uvauth/error.hpp"
#include "uvauth/net/client.hpp"

namespace uvauth::index {

struct RemoteZipStats {
  int range_requests = 0;
  bool server_ignored_ranges = false;  // answered 200 with the whole file
};

// The content of the first member whose name ends with `suffix` (e.g.
// ".dist-info/METADATA") at the top level plus one directory. `linked_by`
// is passed to the auth layer (the index whose page linked the file).
Result<std::string> read_remote_zip_member(net::Client& client, const Url& url, const std::string& linked_by,
                                           const std::string& suffix, RemoteZipStats& stats);

// The same for a zip already in memory.
Result<std::string> read_zip_member(const std::string& archive, const std::string& suffix, const std::string& source_name);

}  // namespace uvauth::index
