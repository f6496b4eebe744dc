#pragma once

#include <string>
#include <string_view>

namespace greet {

// "Bonjour, Ada!" for ("fr", "Ada"); English when the language is unknown.
std::string greeting(std::string_view language, std::string_view name);

}  // namespace greet
