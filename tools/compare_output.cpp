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
#include "printout.hpp"

using namespace printout;

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
    const bool same = same_number(r, x, rtol);
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
