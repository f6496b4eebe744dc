#include <string>
#include <string_view>

#include "budget.hpp"
#include "uvauth/auth/credential_helper.hpp"

// A credential helper's answer: never a crash; an error never quotes it (it
// may hold a token); accepted header values hold no line break.
extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  (void)uvauth::auth::parse_rfc3339(text);
  auto answer = uvauth::auth::parse_helper_answer(text, "helper", "index 'corp'");
  if (!answer) {
    // (Input made of the message's own words is no leak: only JSON-looking input counts.)
    const bool json_like = text.find_first_of("{\"") != std::string_view::npos;
    if (size >= 8 && json_like && answer.error().message.find(text) != std::string::npos) __builtin_trap();
    return 0;
  }
  for (const auto& [name, value] : answer->headers) {
    if (name.empty() || value.reveal().find_first_of("\r\n") != std::string::npos) __builtin_trap();
  }
  return 0;
}
