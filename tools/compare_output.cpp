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
//   --writes FILE       the step must write FILE (non-empty; a .png must decode as a PNG);
//                       removed before the run
//   --actual FILE       compare FILE instead of running a command
//   --atol A            also accept numbers within A of the reference's (unseeded runs that
//                       must land near the reference, e.g. a final accuracy within 0.02)
//   --layout            check the layout instead of the values: every printed line must be
//                       the reference's line of the same place with other numbers in it, and
//                       the printout may stop early (a run of fewer epochs); no numbers are
//                       compared unless --last is given too
//   --rising WORD       the numbers right after WORD must grow from one line to the next
//                       among the lines of the same kind (the same text before WORD), e.g.
//                       'accuracy:' on the train and on the test lines of each epoch;
//                       'PREFIX*WORD' looks only at the lines that begin with PREFIX
//                       ('train*accuracy:': a test accuracy may dip for an epoch)
//   --falling WORD      the last number right after WORD must be lower than the first,
//                       among the lines of the same kind: a noisy training loss that has
//                       fallen overall (e.g. 'loss' of an unseeded run of a few epochs)
// Exit status 0 when everything matches, 77 when the step itself exits with 77 (it could not
// run here, e.g. missing pretrained weights: ctest counts it as skipped), 1 otherwise.

#include <algorithm>
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

#include "dezero/image.hpp"
#include "dezero/process.hpp"
#include "printout.hpp"

using namespace printout;

namespace {

// The line with every number replaced by '#': what --layout compares.
std::string masked(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    if (const std::size_t len = number_at(line, i)) {
      out += '#';
      i += len;
    } else {
      out += line[i++];
    }
  }
  return out;
}

bool layout_matches(const std::vector<std::string>& reference, const std::vector<std::string>& actual) {
  if (actual.empty()) {
    std::cout << "layout: the step printed nothing\n";
    return false;
  }
  if (actual.size() > reference.size()) {
    std::cout << "layout: " << actual.size() << " lines, the reference has only "
              << reference.size() << "\n";
    return false;
  }
  for (std::size_t i = 0; i < actual.size(); ++i) {
    if (masked(actual[i]) != masked(reference[i])) {
      std::cout << "layout: line " << i + 1 << " is '" << actual[i] << "', the reference's is '"
                << reference[i] << "'\n";
      return false;
    }
  }
  std::cout << "layout: " << actual.size() << "/" << reference.size() << " lines match\n";
  return true;
}

// The WORD of 'PREFIX*WORD' (or the word itself), as the messages name it.
std::string bare(const std::string& word) { return word.substr(word.find('*') + 1); }

// The numbers right after `word`, grouped by the kind of line (the masked text before word),
// in the order of the lines. A word 'PREFIX*WORD' takes only the lines that begin with PREFIX.
using Groups = std::vector<std::pair<std::string, std::vector<double>>>;
Groups numbers_after(const std::vector<std::string>& lines, const std::string& pattern) {
  const std::size_t star = pattern.find('*');
  const std::string prefix = star == std::string::npos ? "" : pattern.substr(0, star);
  const std::string word = bare(pattern);
  Groups groups;
  for (const auto& line : lines) {
    if (!line.starts_with(prefix)) continue;
    const std::size_t p = line.find(word);
    if (p == std::string::npos) continue;
    std::size_t q = p + word.size();
    while (q < line.size() && std::isspace(static_cast<unsigned char>(line[q]))) ++q;
    const std::size_t len = number_at(line, q);
    if (!len) continue;
    const std::string kind = masked(line.substr(0, p));
    auto it = std::find_if(groups.begin(), groups.end(), [&](const auto& g) { return g.first == kind; });
    if (it == groups.end()) it = groups.insert(groups.end(), {kind, {}});
    it->second.push_back(std::strtod(line.c_str() + q, nullptr));
  }
  return groups;
}

// The numbers after `word`, grouped by the kind of line, must increase within each group.
bool rising(const std::vector<std::string>& lines, const std::string& word) {
  const Groups groups = numbers_after(lines, word);
  bool ok = true, compared = false;
  for (const auto& [kind, values] : groups) {
    for (std::size_t i = 1; i < values.size(); ++i) {
      compared = true;
      if (!(values[i] > values[i - 1])) {
        std::cout << "rising: '" << kind << bare(word) << "' went from " << values[i - 1] << " to "
                  << values[i] << "\n";
        ok = false;
      }
    }
  }
  if (!compared) {
    std::cout << "rising: no two lines of one kind with '" << bare(word) << "' to compare\n";
    return false;
  }
  if (ok) std::cout << "rising: the numbers after '" << bare(word) << "' grow\n";
  return ok;
}

// Within each group, the last number after `word` must be lower than the first: a training
// loss that has fallen overall, though a noisy one may rise for a while on the way.
bool falling(const std::vector<std::string>& lines, const std::string& word) {
  const Groups groups = numbers_after(lines, word);
  bool ok = true, compared = false;
  for (const auto& [kind, values] : groups) {
    if (values.size() < 2) continue;
    compared = true;
    if (!(values.back() < values.front())) {
      std::cout << "falling: '" << kind << bare(word) << "' went from " << values.front() << " to "
                << values.back() << " over " << values.size() << " lines\n";
      ok = false;
    }
  }
  if (!compared) {
    std::cout << "falling: no two lines of one kind with '" << bare(word) << "' to compare\n";
    return false;
  }
  if (ok) std::cout << "falling: the numbers after '" << bare(word) << "' end lower than they start\n";
  return ok;
}

}  // namespace

int main(int argc, char** argv) try {
  std::string expected_path, actual_path;
  double rtol = 1e-9;
  std::size_t last = 0;
  std::optional<int> exit_code;
  double atol = 0.0;
  bool layout = false;
  std::vector<std::string> skip_after, writes, command, rising_words, falling_words;
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
    else if (arg == "--atol")
      atol = std::stod(value());
    else if (arg == "--layout")
      layout = true;
    else if (arg == "--rising")
      rising_words.push_back(value());
    else if (arg == "--falling")
      falling_words.push_back(value());
    else
      throw std::runtime_error("compare_output: unknown option " + arg);
  }
  if (expected_path.empty() || (command.empty() == actual_path.empty())) {
    std::cerr
        << "usage: compare_output --expected FILE [options] (-- COMMAND ARGS... | --actual FILE)\n";
    return 2;
  }

  // The reference printout: header line and stderr tail removed.
  int reference_exit = 0;
  const std::vector<std::string> reference =
      reference_lines(read_file(expected_path), &reference_exit);

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
      } else if (std::filesystem::path(f).extension() == ".png") {
        try {
          dezero::Image::open(f);  // decodes every pixel: a cut or damaged PNG fails
        } catch (const dezero::ImageError& e) {
          std::cout << "the step wrote " << f << ", but it is not a valid PNG: " << e.what() << "\n";
          ok = false;
        }
      }
    }
  } else {
    output = read_file(actual_path);
  }

  const std::vector<std::string> actual_lines = split_lines(output);
  if (layout) ok = layout_matches(reference, actual_lines) && ok;
  for (const auto& word : rising_words) ok = rising(actual_lines, word) && ok;
  for (const auto& word : falling_words) ok = falling(actual_lines, word) && ok;
  auto ref = numbers(reference, skip_after);
  auto act = numbers(actual_lines, skip_after);
  if (layout && !last) {
    ref.clear();  // the layout alone
    act.clear();
  }
  if (last) {
    if (ref.size() > last) ref.erase(ref.begin(), ref.end() - static_cast<std::ptrdiff_t>(last));
    if (act.size() > last) act.erase(act.begin(), act.end() - static_cast<std::ptrdiff_t>(last));
  }
  std::size_t bad = 0;
  for (std::size_t i = 0; i < std::min(ref.size(), act.size()); ++i) {
    const Number& r = ref[i];
    const Number& x = act[i];
    const bool same = same_number(r, x, rtol) || std::abs(x.value - r.value) <= atol;
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
  if (!ref.empty() || !layout)
    std::cout << std::min(ref.size(), act.size()) - bad << "/" << ref.size() << " numbers match\n";
  ok = ok && bad == 0;
  if (!ok && !command.empty()) {
    std::cout << "---- the step printed ----\n" << output;
    if (!output.empty() && output.back() != '\n') std::cout << "\n";
  }
  return ok ? 0 : 1;
} catch (const std::exception& e) {
  std::cerr << e.what() << "\n";
  return 1;
}
