// The marker algebra on any marker: the tree (or a clean "too complex"),
// printed and read back to the same tree text, agreeing with the PEP 508
// evaluator on a few environments, and its negation disagreeing everywhere.
// Bounded by the algebra's size limit rather than linear (no LinearBudget):
// libFuzzer's -timeout catches a run-away.
#include <string_view>

#include "uvauth/pep/marker_algebra.hpp"

namespace {
uvauth::pep::MarkerEnvironment environment(const char* full, const char* minor, const char* platform, const char* machine) {
  // platform_system as Python reports it beside sys_platform (the algebra
  // reads `platform_system == 'Windows'` as `sys_platform == 'win32'`).
  const std::string_view p(platform);
  const char* system = p == "linux" ? "Linux" : p == "darwin" ? "Darwin" : p == "win32" ? "Windows" : "Other";
  return {{"python_version", minor},        {"python_full_version", full},
          {"os_name", "posix"},             {"sys_platform", platform},
          {"platform_machine", machine},    {"platform_system", system},
          {"platform_release", "6.1.0"},    {"platform_version", "#1 SMP"},
          {"implementation_name", "cpython"}, {"implementation_version", full},
          {"platform_python_implementation", "CPython"}};
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  using namespace uvauth::pep;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto marker = Marker::parse(text);
  if (!marker) return 0;
  auto tree = MarkerTree::from(*marker);
  if (!tree) return 0;  // too complex: refused, not run
  const std::string printed = tree->to_string();
  auto again = MarkerTree::parse(printed);
  if (!again || again->to_string() != printed) __builtin_trap();
  auto negated = tree->negate();
  static const MarkerEnvironment environments[] = {
      environment("3.11.7", "3.11", "linux", "x86_64"), environment("3.8.2", "3.8", "darwin", "arm64"),
      environment("3.13.0", "3.13", "win32", "AMD64")};
  for (const auto& env : environments) {
    for (const char* extra : {"", "test"}) {
      const MarkerContext context{extra, std::set<std::string>{"a"}, std::set<std::string>{"dev"}};
      auto expected = marker->evaluate(env, context);
      if (!expected) continue;  // undefined comparisons stay undefined
      auto got = tree->evaluate(env, context);
      if (!got || *got != *expected) __builtin_trap();
      auto reread = again->evaluate(env, context);
      if (!reread || *reread != *expected) __builtin_trap();
      if (negated) {
        auto opposite = negated->evaluate(env, context);
        if (!opposite || *opposite == *expected) __builtin_trap();
      }
    }
  }
  return 0;
}
