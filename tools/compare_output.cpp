// compare_output: runs one step program and compares its printout with the reference's,
// number by number, the way ../shared/tools/compare_output.py does. Each step's ctest is
//
//   compare_output --expected steps/step35/expected.txt [options] -- ./step35 [args]
//
// Numbers are taken in order from both texts; a pair matches when
// |actual - expected| <= atol + rtol * |expected|, where atol is half a unit in the last
// decimal the reference printed (so a '%.2f' figure allows 0.005) and rtol defaults to 1e-9.
// The reference file's first line ('# stepNN.py: exit_code=E ...') gives the expected exit
// status; its '# ---- stderr' tail is not part of the printout.
//
// Options:
//   --rtol R            relative tolerance (default 1e-9)
//   --last N            compare only the last N numbers (unseeded training runs)
//   --skip-after WORD   drop the number right after WORD on a line (e.g. 'time:')
//   --exit-code N       expected exit status (default: from the reference header, else 0)
//   --writes FILE       the step must write FILE (non-empty); removed before the run
//   --actual FILE       compare FILE instead of running a command
// Exit status 0 when everything matches, 77 when the step itself exits with 77 (it could not
// run here, e.g. missing pretrained weights: ctest counts it as skipped), 1 otherwise.

#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "dezero/utils.hpp"

namespace {

struct Number {
  double value;
  int decimals;
  std::string text;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("compare_output: cannot read " + path);
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

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word(char c) {
  return is_digit(c) || c == '_' || std::isalpha(static_cast<unsigned char>(c));
}

// Length of the number starting at line[i] (0 if none), by the same grammar as the Python
// tool's regular expression: [-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)? or [-+]?nan/inf
// standing alone as a word.
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
  for (std::string line : lines) {
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
      out.push_back({std::strtod(token.c_str(), nullptr), decimals, token});
      i += len;
    }
  }
  return out;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string expected_path, actual_path;
  double rtol = 1e-9;
  std::size_t last = 0;
  std::optional<int> exit_code;
  std::vector<std::string> skip_after, writes, command;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::runtime_error("compare_output: " + arg + " needs a value");
      return argv[++i];
    };
    if (arg == "--") {
      command.assign(argv + i + 1, argv + argc);
      break;
    }
    if (arg == "--expected")
      expected_path = value();
    else if (arg == "--actual")
      actual_path = value();
    else if (arg == "--rtol")
      rtol = std::stod(value());
    else if (arg == "--last")
      last = std::stoul(value());
    else if (arg == "--exit-code")
      exit_code = std::stoi(value());
    else if (arg == "--skip-after")
      skip_after.push_back(value());
    else if (arg == "--writes")
      writes.push_back(value());
    else
      throw std::runtime_error("compare_output: unknown option " + arg);
  }
  if (expected_path.empty() || (command.empty() == actual_path.empty())) {
    std::cerr
        << "usage: compare_output --expected FILE [options] (-- COMMAND ARGS... | --actual FILE)\n";
    return 2;
  }

  // The reference printout: header line and stderr tail removed.
  std::vector<std::string> reference;
  int reference_exit = 0;
  for (const auto& line : split_lines(read_file(expected_path))) {
    if (reference.empty() && line.rfind("# step", 0) == 0) {
      if (const auto p = line.find("exit_code="); p != std::string::npos) {
        reference_exit = std::atoi(line.c_str() + p + 10);
      }
      continue;
    }
    if (line.rfind("# ---- stderr", 0) == 0) break;
    reference.push_back(line);
  }

  std::string output;
  bool ok = true;
  if (!command.empty()) {
    for (const auto& f : writes) std::filesystem::remove(f);
    const int status = dezero::utils::run_program(command, dezero::utils::Stream::out, output);
    const int wanted = exit_code.value_or(reference_exit);
    if (status == 77 && wanted != 77) {
      // The step could not run here (a missing data file it names on stderr): a skip.
      std::cout << "skipped: the step exited with status 77\n";
      return 77;
    }
    if (status != wanted) {
      std::cout << "exit status " << status << ", expected " << wanted << "\n";
      ok = false;
    }
    for (const auto& f : writes) {
      std::error_code ec;
      const auto size = std::filesystem::file_size(f, ec);
      if (ec || size == 0) {
        std::cout << "the step did not write " << f << "\n";
        ok = false;
      }
    }
  } else {
    output = read_file(actual_path);
  }

  auto ref = numbers(reference, skip_after);
  auto act = numbers(split_lines(output), skip_after);
  if (last) {
    if (ref.size() > last) ref.erase(ref.begin(), ref.end() - static_cast<std::ptrdiff_t>(last));
    if (act.size() > last) act.erase(act.begin(), act.end() - static_cast<std::ptrdiff_t>(last));
  }
  std::size_t bad = 0;
  for (std::size_t i = 0; i < std::min(ref.size(), act.size()); ++i) {
    const Number& r = ref[i];
    const Number& x = act[i];
    const double atol = r.decimals ? 0.5 * std::pow(10.0, -r.decimals) : 0.0;
    bool same;
    if (std::isnan(r.value) || std::isnan(x.value)) {
      same = std::isnan(r.value) && std::isnan(x.value);
    } else if (std::isinf(r.value) || std::isinf(x.value)) {
      same = r.value == x.value;
    } else {
      same = std::abs(x.value - r.value) <= atol + rtol * std::abs(r.value);
    }
    if (!same) {
      if (++bad <= 5)
        std::cout << "number " << i << ": reference " << r.text << ", actual " << x.text << "\n";
    }
  }
  if (ref.size() != act.size()) {
    std::cout << "count differs: reference has " << ref.size() << " numbers, actual " << act.size()
              << "\n";
    ok = false;
  }
  std::cout << std::min(ref.size(), act.size()) - bad << "/" << ref.size() << " numbers match\n";
  ok = ok && bad == 0;
  if (!ok && !command.empty()) {
    std::cout << "---- the step printed ----\n" << output;
    if (!output.empty() && output.back() != '\n') std::cout << "\n";
  }
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << e.what() << "\n";
  return 2;
}
