#include "greet.hpp"

#include <algorithm>

#include "greetings.hpp"

namespace greet {

std::string greeting(std::string_view language, std::string_view name) {
  const auto& table = generated::greetings;
  auto it = std::find_if(table.begin(), table.end(), [&](const auto& g) { return g.language == language; });
  if (it == table.end()) it = std::find_if(table.begin(), table.end(), [](const auto& g) { return g.language == "en"; });
  return std::string(it->word) + ", " + std::string(name) + "!";
}

}  // namespace greet
