#include <string>
#include <string_view>

#include "budget.hpp"
#include "uvauth/cache/http_cache.hpp"

// A response's caching headers (Cache-Control, Expires, Date, Age,
// Last-Modified), one `name: value` a line, as a hostile index may send
// them: never a crash, and a freshness between none and a year.
extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  uvauth::net::Response response;
  response.status = 200;
  std::size_t start = 0;
  while (start < text.size() && response.headers.size() < 64) {
    const std::size_t end = std::min(text.find('\n', start), text.size());
    const std::string_view line = text.substr(start, end - start);
    const std::size_t colon = line.find(':');
    if (colon != std::string_view::npos) {
      std::string_view value = line.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.remove_prefix(1);
      response.headers.emplace_back(std::string(line.substr(0, colon)), std::string(value));
    }
    start = end + 1;
  }
  const auto seconds = uvauth::cache::freshness_seconds(response);
  if (seconds < 0 || seconds > 365LL * 24 * 3600) __builtin_trap();
  return 0;
}
