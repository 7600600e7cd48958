#include "printout.hpp"

#include <cctype>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace printout {

namespace {
bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) {
  return is_digit(c) || c == '_' || std::isalpha(static_cast<unsigned char>(c));
}
}  // namespace

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

std::vector<std::string> split_lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::size_t number_at(const std::string& line, std::size_t i) {
  const std::size_t n = line.size();
  std::size_t j = i;
  if (j < n && (line[j] == '-' || line[j] == '+')) ++j;
  const std::size_t body = j;
  while (j < n && is_digit(line[j])) ++j;
  const bool int_digits = j > body;
  if (j < n && line[j] == '.') {
    std::size_t k = j + 1;
    while (k < n && is_digit(line[k])) ++k;
    if (int_digits || k > j + 1) j = k;
  }
  if (j > body) {
    if (j < n && (line[j] == 'e' || line[j] == 'E')) {
      std::size_t k = j + 1;
      if (k < n && (line[k] == '-' || line[k] == '+')) ++k;
      const std::size_t digits = k;
      while (k < n && is_digit(line[k])) ++k;
      if (k > digits) j = k;
    }
    return j - i;
  }
  for (const char* word : {"nan", "inf"}) {
    if (line.compare(body, 3, word) == 0 && (body == 0 || !is_word(line[body - 1])) &&
        (body + 3 >= n || !is_word(line[body + 3]))) {
      return body + 3 - i;
    }
  }
  return 0;
}

std::vector<Number> numbers(const std::vector<std::string>& lines,
                            const std::vector<std::string>& skip_after) {
  std::vector<Number> out;
  for (std::size_t index = 0; index < lines.size(); ++index) {
    std::string line = lines[index];
    // Drop the number right after each skip word (machine-dependent figures like times).
    for (const auto& word : skip_after) {
      for (std::size_t p = line.find(word); p != std::string::npos;
           p = line.find(word, p + word.size())) {
        std::size_t q = p + word.size();
        while (q < line.size() && std::isspace(static_cast<unsigned char>(line[q]))) ++q;
        if (const std::size_t len = number_at(line, q))
          line.erase(p + word.size(), q + len - p - word.size());
      }
    }
    for (std::size_t i = 0; i < line.size();) {
      const std::size_t len = number_at(line, i);
      if (!len) {
        ++i;
        continue;
      }
      const std::string token = line.substr(i, len);
      int decimals = 0;
      if (const auto dot = token.find('.'); dot != std::string::npos) {
        const auto e = token.find_first_of("eE", dot);
        decimals = static_cast<int>((e == std::string::npos ? token.size() : e) - dot - 1);
      }
      out.push_back({std::strtod(token.c_str(), nullptr), decimals, token, index});
      i += len;
    }
  }
  return out;
}

bool same_number(const Number& expected, const Number& actual, double rtol) {
  const double atol = expected.decimals ? 0.5 * std::pow(10.0, -expected.decimals) : 0.0;
  if (std::isnan(expected.value) || std::isnan(actual.value)) {
    return std::isnan(expected.value) && std::isnan(actual.value);
  }
  if (std::isinf(expected.value) || std::isinf(actual.value)) return expected.value == actual.value;
  return std::abs(actual.value - expected.value) <= atol + rtol * std::abs(expected.value);
}

std::vector<std::string> reference_lines(const std::string& text, int* exit_code) {
  std::vector<std::string> lines;
  int status = 0;
  for (const auto& line : split_lines(text)) {
    if (lines.empty() && line.rfind("# step", 0) == 0) {
      if (const auto p = line.find("exit_code="); p != std::string::npos) {
        status = std::atoi(line.c_str() + p + 10);
      }
      continue;
    }
    if (line.rfind("# ---- stderr", 0) == 0) break;
    lines.push_back(line);
  }
  if (exit_code) *exit_code = status;
  return lines;
}

}  // namespace printout
