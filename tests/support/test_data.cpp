#include "test_data.hpp"

#include <fstream>
#include <stdexcept>

namespace uvauth::testing {

std::string data_path(const std::string& relative) { return std::string(UVAUTH_TEST_DATA_DIR) + "/" + relative; }

std::vector<std::string> split(const std::string& text, char separator) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (;;) {
    const auto end = text.find(separator, start);
    out.push_back(text.substr(start, end == std::string::npos ? std::string::npos : end - start));
    if (end == std::string::npos) return out;
    start = end + 1;
  }
}

std::vector<std::vector<std::string>> read_table(const std::string& relative) {
  std::ifstream in(data_path(relative));
  if (!in) throw std::runtime_error("cannot read test data " + data_path(relative));
  std::vector<std::vector<std::string>> rows;
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    rows.push_back(split(line, '\t'));
  }
  return rows;
}

}  // namespace uvauth::testing
