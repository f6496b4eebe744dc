#include <string>
#include <string_view>

#include "budget.hpp"
#include "uvauth/auth/netrc.hpp"

// A netrc file: never a crash, and an error never quotes a password of it.
extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto netrc = uvauth::auth::Netrc::parse(text, "fuzz.netrc");
  if (!netrc) {
    // Messages quote nothing of the file: no word of it that looks like a
    // secret (letters and digits, six or more) shows up in one.
    const std::string& message = netrc.error().message;
    std::size_t start = 0;
    while (start < text.size()) {
      const std::size_t end = std::min(text.find_first_of(" \t\r\n\"", start), text.size());
      const std::string_view word = text.substr(start, end - start);
      const bool secret_like = word.size() >= 6 && word.find_first_of("0123456789") != std::string_view::npos &&
                               word.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string_view::npos &&
                               word.find(':') == std::string_view::npos;
      if (secret_like && message.find(word) != std::string::npos) __builtin_trap();
      start = end + 1;
    }
  }
  return 0;
}
