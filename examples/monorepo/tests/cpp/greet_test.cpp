// The generated table reached the library.
#include <cstdio>
#include <string>

#include "greet.hpp"

int main() {
  int failures = 0;
  auto expect = [&](const std::string& got, const std::string& want) {
    if (got != want) {
      std::printf("FAIL: got '%s', want '%s'\n", got.c_str(), want.c_str());
      ++failures;
    }
  };
  expect(greet::greeting("fr", "Ada"), "Bonjour, Ada!");
  expect(greet::greeting("es", "Grace"), "Hola, Grace!");
  expect(greet::greeting("xx", "Linus"), "Hello, Linus!");
  std::printf("%s\n", failures ? "greet: FAILED" : "greet: ok");
  return failures ? 1 : 0;
}
