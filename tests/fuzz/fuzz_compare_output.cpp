// The printout reader that compare_output and tour_page share (tools/printout.*) on any
// text, taken both as a step's printout and as a reference file, and compared the way
// compare_output compares them. Its functions throw nothing for any text, so nothing is caught.
//
// Promises checked: every number found is a token of its line that number_at reads whole,
// standing on a line that exists; a number matches itself; a reference's lines are a run of
// the text's lines.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.hpp"
#include "printout.hpp"

namespace {

void check_numbers(const std::vector<std::string>& lines, const std::vector<printout::Number>& nums,
                   bool skipped) {
  std::size_t last_line = 0;
  for (const auto& num : nums) {
    if (num.line >= lines.size()) fuzz::violated("numbers: a line past the end");
    if (num.line < last_line) fuzz::violated("numbers: out of order");
    last_line = num.line;
    if (num.text.empty() || printout::number_at(num.text, 0) != num.text.size()) {
      fuzz::violated("numbers: a token that is not one number", num.text);
    }
    // (with skip words the line was edited first, so the token need not stand in it as is)
    if (!skipped && lines[num.line].find(num.text) == std::string::npos) {
      fuzz::violated("numbers: a token not in its line", num.text);
    }
    if (num.decimals < 0 || static_cast<std::size_t>(num.decimals) >= num.text.size() + 1) {
      fuzz::violated("numbers: impossible decimals", num.text);
    }
    if (!printout::same_number(num, num, 1e-9)) fuzz::violated("same_number: a number differs from itself", num.text);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  // As the step's printout.
  const std::vector<std::string> actual = printout::split_lines(text);
  check_numbers(actual, printout::numbers(actual), false);
  check_numbers(actual, printout::numbers(actual, {"time:", "loss", "e"}), true);
  // As the reference file, with its header and stderr tail.
  int exit_code = -1;
  const std::vector<std::string> expected = printout::reference_lines(text, &exit_code);
  if (expected.size() > actual.size()) fuzz::violated("reference_lines: more lines than the text");
  const auto e = printout::numbers(expected, {"time:"});
  check_numbers(expected, e, true);
  // The comparison loop of compare_output, number by number.
  const auto a = printout::numbers(actual, {"time:"});
  std::size_t matched = 0;
  for (std::size_t i = 0; i < e.size() && i < a.size(); ++i) matched += printout::same_number(e[i], a[i], 1e-9);
  (void)matched;
  return 0;
}
