// The printouts of step programs, read the way ../shared/tools/compare_output.py reads them:
// the numbers in order, each with the decimals it was printed with. Shared by compare_output
// (each step's ctest) and tour_page (out/index.html).
#pragma once

#include <string>
#include <vector>

namespace printout {

struct Number {
  double value;
  int decimals;
  std::string text;
  std::size_t line;  // which line it stands on (0-based)
};

std::string read_file(const std::string& path);
std::vector<std::string> split_lines(const std::string& text);

// Length of the number starting at line[i] (0 if none), by the Python tool's grammar:
// [-+]?(\d+\.\d*|\.\d+|\d+)([eE][-+]?\d+)? or [-+]?nan/inf standing alone as a word.
std::size_t number_at(const std::string& line, std::size_t i);

// Every number of `lines`, after dropping the number right after each word of skip_after.
std::vector<Number> numbers(const std::vector<std::string>& lines,
                            const std::vector<std::string>& skip_after = {});

// Whether `actual` matches the reference number `expected`: |a - e| <= atol + rtol * |e|,
// atol being half a unit in the last decimal the reference printed; nan and inf exactly.
bool same_number(const Number& expected, const Number& actual, double rtol);

// A reference printout file: the header line ('# stepNN.py: exit_code=E ...') and the
// '# ---- stderr' tail removed; its exit status is put in *exit_code.
std::vector<std::string> reference_lines(const std::string& text, int* exit_code = nullptr);

}  // namespace printout
