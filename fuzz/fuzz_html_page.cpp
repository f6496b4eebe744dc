#include <string_view>

#include "budget.hpp"

#include "uvauth/index/simple_page.hpp"

extern "C" int LLVMFuzzerTestOneInput(const unsigned char* data, std::size_t size) {
  const LinearBudget budget(size);
  static const uvauth::Url page = *uvauth::Url::parse("https://index.example/simple/pkg/");
  (void)uvauth::index::parse_html_page(std::string_view(reinterpret_cast<const char*>(data), size), page);
  return 0;
}
