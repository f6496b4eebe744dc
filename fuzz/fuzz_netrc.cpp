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
    const std::string& message = netrc.error().message;
    // A word after `password` must never show up in a message.
    const auto at = text.find("password ");
    if (at != std::string_view::npos) {
      std::string_view word = text.substr(at + 9);
      word = word.substr(0, word.find_first_of(" \t\r\n"));
      // Passwords of the seeds mix letters and digits; the messages' own
      // words have no digits, and their line numbers no letters.
      const bool secret_like = word.size() >= 6 && word.find_first_of("0123456789") != std::string_view::npos &&
                               word.find_first_of("abcdefghijklmnopqrstuvwxyz") != std::string_view::npos;
      if (secret_like && message.find(word) != std::string::npos) __builtin_trap();
    }
  }
  return 0;
}
