#include <string_view>

#include "uvauth/pep/markers.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto marker = uvauth::pep::Marker::parse(text);
  if (marker) {
    const uvauth::pep::MarkerEnvironment env{{"python_version", "3.11"},        {"python_full_version", "3.11.7"},
                                             {"os_name", "posix"},              {"sys_platform", "linux"},
                                             {"platform_machine", "x86_64"},    {"platform_system", "Linux"},
                                             {"platform_release", "6.1.0"},     {"platform_version", "#1 SMP"},
                                             {"implementation_name", "cpython"}, {"implementation_version", "3.11.7"},
                                             {"platform_python_implementation", "CPython"}};
    (void)marker->evaluate(env, uvauth::pep::MarkerContext{"test", std::set<std::string>{"a"}, std::set<std::string>{}});
    auto again = uvauth::pep::Marker::parse(marker->to_string());
    if (!again || again->to_string() != marker->to_string()) __builtin_trap();
  }
  return 0;
}
