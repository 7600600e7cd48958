// tour_page: writes out/index.html, one page for the whole tour of the book. For each step
// it shows the title (the first comment line of steps/stepNN/main.cpp), our printout next to
// the book's (steps/stepNN/expected.txt) with the lines that differ marked, and every image
// the step wrote into out/stepNN/, each linked to the .dot or .gp file it was drawn from.
//
//   tour_page --root DIR [--out FILE] NN...
//
// DIR is the project's root (it holds steps/ and out/); FILE defaults to DIR/out/index.html.
// run.sh calls it after running the steps; each step's printout is out/stepNN/stdout.txt and
// its exit status out/stepNN/exit_status. The page is plain HTML and CSS with relative links,
// so it opens from the file system. Its one small script only counts the images that failed
// to load (the browser test reads the count); the page works the same without it.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "np/io.hpp"
#include "printout.hpp"

namespace fs = std::filesystem;

namespace {

std::string html(const std::string& text) {
  std::string out;
  for (char c : text) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string read_or_empty(const fs::path& path) {
  std::error_code ec;
  if (!fs::is_regular_file(path, ec)) return {};
  return printout::read_file(path.string());
}

// What steps/CMakeLists.txt says about comparing step NN: its RTOL and SKIP_AFTER words, and
// whether only the last numbers count (LAST: an unseeded run).
struct Comparison {
  double rtol = 1e-9;
  std::vector<std::string> skip_after;
  bool unseeded = false;
};

Comparison comparison_of(const std::string& cmake_text, const std::string& nn) {
  Comparison c;
  for (const auto& line : printout::split_lines(cmake_text)) {
    if (line.rfind("dezero_add_step(" + nn, 0) != 0) continue;
    std::istringstream words(line.substr(line.find('(') + 1));
    std::string option, word;
    while (words >> word) {
      if (!word.empty() && word.back() == ')') word.pop_back();
      if (word == "RTOL" || word == "SKIP_AFTER" || word == "LAST" || word == "WRITES" ||
          word == "TEST_ARGS" || word == "LABELS" || word == "TIMEOUT" || word == "EXIT_CODE") {
        option = word;
        if (word == "LAST") c.unseeded = true;
        continue;
      }
      if (option == "RTOL") c.rtol = std::stod(word);
      if (option == "SKIP_AFTER") c.skip_after.push_back(word);
    }
  }
  return c;
}

// The text of a line with its numbers taken out, and the numbers themselves.
std::string words_of(const std::string& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size();) {
    if (const std::size_t len = printout::number_at(line, i)) {
      out += '#';
      i += len;
    } else {
      out += line[i++];
    }
  }
  return out;
}

// How a line of ours compares with the book's line at the same place.
enum class Line { same, worded, numbers };

// Each line is `same`, `worded` differently with the same numbers (the book prints a
// Python class name, we print the C++ one), or has other `numbers` (outside the step's
// tolerance, or not the same count).
std::vector<Line> compare_lines(const std::vector<std::string>& ours,
                                const std::vector<std::string>& book, const Comparison& c) {
  std::vector<Line> result(std::max(ours.size(), book.size()), Line::numbers);
  for (std::size_t i = 0; i < result.size(); ++i) {
    const std::string mine = i < ours.size() ? ours[i] : "", theirs = i < book.size() ? book[i] : "";
    const auto a = printout::numbers({mine}, c.skip_after);
    const auto b = printout::numbers({theirs}, c.skip_after);
    bool same_numbers = a.size() == b.size();
    for (std::size_t k = 0; same_numbers && k < a.size(); ++k) {
      same_numbers = printout::same_number(b[k], a[k], c.rtol);
    }
    result[i] = !same_numbers ? Line::numbers
                : words_of(mine) == words_of(theirs) ? Line::same
                                                     : Line::worded;
  }
  return result;
}

std::string printout_block(const std::vector<std::string>& lines, const std::vector<Line>& marks) {
  std::string out = "<pre>";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string text = html(lines[i]) + "\n";
    const Line mark = i < marks.size() ? marks[i] : Line::same;
    out += mark == Line::numbers  ? "<mark>" + text + "</mark>"
           : mark == Line::worded ? "<mark class=\"worded\">" + text + "</mark>"
                                  : text;
  }
  return out + "</pre>";
}

std::string title_of(const fs::path& main_cpp, const std::string& nn) {
  const auto lines = printout::split_lines(read_or_empty(main_cpp));
  for (const auto& line : lines) {
    if (line.rfind("// Step ", 0) == 0) {
      std::string t = line.substr(3);
      if (!t.empty() && t.back() == '.') t.pop_back();
      return t;
    }
  }
  return "Step " + nn;
}

std::string step_section(const fs::path& root, const std::string& cmake_text, const std::string& nn) {
  const std::string name = "step" + nn;
  const fs::path dir = root / "out" / name;
  std::ostringstream s;
  s << "<section id=\"" << name << "\">\n<h2>" << html(title_of(root / "steps" / name / "main.cpp", nn))
    << "</h2>\n";

  int book_exit = 0;
  const auto book = printout::reference_lines(read_or_empty(root / "steps" / name / "expected.txt"),
                                              &book_exit);
  std::error_code ec;
  if (!fs::is_regular_file(dir / "stdout.txt", ec)) {
    s << "<p class=\"status\">not run yet: <code>./run.sh " << nn << "</code></p>\n</section>\n";
    return s.str();
  }
  const auto ours = printout::split_lines(read_or_empty(dir / "stdout.txt"));
  const Comparison c = comparison_of(cmake_text, nn);
  const auto marks = compare_lines(ours, book, c);
  const auto differing = std::count(marks.begin(), marks.end(), Line::numbers);
  const auto worded = std::count(marks.begin(), marks.end(), Line::worded);
  std::string status = read_or_empty(dir / "exit_status");
  while (!status.empty() && std::isspace(static_cast<unsigned char>(status.back()))) status.pop_back();

  s << "<p class=\"status\">";
  if (status == "77") {
    s << "skipped (the step could not run here; see its stderr)";
  } else if (!status.empty() && status != std::to_string(book_exit)) {
    s << "<span class=\"bad\">exit status " << html(status) << ", the book's " << book_exit << "</span>";
  } else if (differing == 0) {
    s << "<span class=\"good\">the book's numbers</span>";
    if (worded) s << "; " << worded << " line" << (worded == 1 ? "" : "s") << " worded differently";
  } else if (c.unseeded) {
    s << differing << " of " << marks.size()
      << " lines differ: the book does not seed this run, so its numbers change from run to run";
  } else {
    s << "<span class=\"bad\">" << differing << " of " << marks.size() << " lines differ</span>";
  }
  s << "</p>\n<div class=\"pair\">\n<div><h3>dezero-cpp</h3>" << printout_block(ours, marks)
    << "</div>\n<div><h3>the book (Python)</h3>" << printout_block(book, {}) << "</div>\n</div>\n";

  std::vector<fs::path> images;
  // The step's own folder and one level below (DEZERO_GRAPH=graphs puts graphs there).
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it.depth() > 0) it.disable_recursion_pending();
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".png" || ext == ".svg")) images.push_back(it->path());
  }
  std::sort(images.begin(), images.end());
  if (!images.empty()) s << "<div class=\"images\">\n";
  for (const auto& image : images) {
    const std::string file = fs::relative(image, dir).generic_string();
    std::string source;  // the text it was drawn from
    for (const char* ext : {".dot", ".gp"}) {
      fs::path p = image;
      p.replace_extension(ext);
      if (fs::is_regular_file(p, ec)) source = fs::relative(p, dir).generic_string();
    }
    const std::string href = name + "/" + (source.empty() ? file : source);
    s << "<figure><a href=\"" << html(href) << "\"><img src=\"" << html(name + "/" + file)
      << "\" alt=\"" << html(file) << "\"></a><figcaption>" << html(file)
      << (source.empty() ? "" : " (from <a href=\"" + html(href) + "\">" + html(source) + "</a>)")
      << "</figcaption></figure>\n";
  }
  if (!images.empty()) s << "</div>\n";
  s << "</section>\n";
  return s.str();
}

const char* const style = R"(body { font-family: sans-serif; margin: 2em auto; padding: 0 1em; max-width: 110em; color: #222; }
nav a { margin-right: 0.6em; }
section { border-top: 1px solid #ccc; padding-top: 0.5em; }
.pair { display: flex; gap: 1em; }
.pair > div { flex: 1; min-width: 0; }
pre { background: #f6f6f6; padding: 0.5em; overflow: auto; max-height: 30em; font-size: 85%; }
mark { background: #ffd7d7; }
mark.worded { background: #fff3c4; }
.good { color: #1a7f37; }
.bad { color: #c62828; font-weight: bold; }
.images { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; }
img { max-width: 40em; max-height: 30em; border: 1px solid #ddd; })";

// Counts the images that did not load into <html data-images="...">, for the browser test.
const char* const check_script = R"(<script>
window.addEventListener("load", function () {
  var all = document.images, broken = 0;
  for (var i = 0; i < all.length; i++) if (!all[i].complete || all[i].naturalWidth === 0) broken++;
  document.documentElement.setAttribute("data-images", all.length + " images, " + broken + " broken");
});
</script>)";

}  // namespace

int main(int argc, char** argv) try {
  fs::path root, out;
  std::vector<std::string> steps;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if ((arg == "--root" || arg == "--out") && i + 1 < argc) {
      (arg == "--root" ? root : out) = argv[++i];
    } else if (arg.size() == 2 && std::isdigit(static_cast<unsigned char>(arg[0])) &&
               std::isdigit(static_cast<unsigned char>(arg[1]))) {
      steps.push_back(arg);
    } else {
      std::cerr << "tour_page: unknown argument '" << arg
                << "'\nusage: tour_page --root DIR [--out FILE] NN...\n";
      return 2;
    }
  }
  if (root.empty() || steps.empty()) {
    std::cerr << "usage: tour_page --root DIR [--out FILE] NN...\n";
    return 2;
  }
  if (out.empty()) out = root / "out" / "index.html";
  const std::string cmake_text = read_or_empty(root / "steps" / "CMakeLists.txt");

  std::ostringstream page;
  page << "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
       << "<title>dezero-cpp: the steps of the book</title>\n<style>\n" << style << "\n</style>\n"
       << check_script << "\n</head>\n<body>\n<h1>dezero-cpp: the steps of the book</h1>\n"
       << "<p>Each step's printout beside the book's and the images it drew; click an image "
          "for the text it was drawn from. Lines with other numbers are marked "
          "<mark>red</mark>, lines with the same numbers in other words "
          "<mark class=\"worded\">yellow</mark>.</p>\n<nav>";
  for (const auto& nn : steps) page << "<a href=\"#step" << nn << "\">" << nn << "</a>";
  page << "</nav>\n";
  for (const auto& nn : steps) page << step_section(root, cmake_text, nn);
  page << "</body>\n</html>\n";
  np::write_file_atomically(out, page.str(), "tour_page");
  std::cerr << "wrote " << out.string() << "\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "tour_page: " << e.what() << "\n";
  return 1;
}
