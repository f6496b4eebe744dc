// Reading the committed vector tables under tests/data: one case per line,
// tab-separated columns, '#' lines are comments.
#pragma once

#include <string>
#include <vector>

namespace uvauth::testing {

std::string data_path(const std::string& relative);
// Each non-comment line split on tabs. A line of one column keeps its spaces.
std::vector<std::vector<std::string>> read_table(const std::string& relative);
std::vector<std::string> split(const std::string& text, char separator);

}  // namespace uvauth::testing
