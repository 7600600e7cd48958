// The code side of the tour page (tour_page.cpp): each step's main.cpp highlighted, the
// difference from the step before, and the library names a step uses for the first time.
// Highlighting is Pygments' (`pygmentize`, Debian's python3-pygments) and the difference GNU
// diff's; this file only runs them and puts their output together.
#pragma once

#include <map>
#include <set>
#include <string>
#include <vector>

namespace tour {

// Runs argv (looked up on PATH, no shell) and returns what it wrote on stdout; *status gets
// its exit status (-1 if it could not be started). Its stderr goes to ours.
std::string run(const std::vector<std::string>& argv, int* status);

// C++ sources highlighted by Pygments as HTML, one string per source line, each line with
// its <span>s closed (Pygments splits tokens at line ends), so lines can be taken apart.
// All sources go through one pygmentize run. Without pygmentize (or if it fails) the lines
// are only HTML-escaped, and ok() says so.
class Highlighted {
 public:
  explicit Highlighted(const std::vector<std::string>& sources);
  const std::vector<std::string>& lines(std::size_t source) const { return lines_.at(source); }
  bool ok() const { return ok_; }
  // The CSS for Pygments' classes under .highlight (empty without pygmentize).
  static std::string css();

 private:
  std::vector<std::vector<std::string>> lines_;
  bool ok_ = false;
};

// One line of a difference: ' ' the same in both, '-' only in the old file, '+' only in the
// new one; old_line/new_line are 0-based indices into the files' lines (-1 where absent).
struct DiffLine {
  char kind;
  int old_line;
  int new_line;
};

// Every line of both files in order, as GNU diff pairs them. Throws if diff cannot run.
std::vector<DiffLine> diff_files(const std::string& old_path, const std::string& new_path);

// The names from the library a step's program uses, written with their namespace
// (dezero::functions::sigmoid for F::sigmoid under `namespace F = dezero::functions;`,
// dezero::Variable for `using dezero::Variable;`), and the headers it includes from dezero/
// and np/ ("dezero/dezero.hpp"). Comments and string literals are left out.
std::set<std::string> library_names(const std::string& source);

std::string html(const std::string& text);

}  // namespace tour
