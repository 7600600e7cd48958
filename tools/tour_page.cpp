// tour_page: writes the tour of the book into out/: index.html (every stage and step, and the
// examples) and one page per step, stepNN.html. A step's page shows its title (the first
// comment line of steps/stepNN/main.cpp); what its main.cpp changes from the step before
// (added and removed lines marked, long unchanged stretches folded); for the steps that link
// the library, the library names it uses for the first time; its whole main.cpp; a link to
// the book's Python file for the step; our printout beside the book's
// (steps/stepNN/expected.txt) with the lines that differ marked; and every image the step
// wrote into out/stepNN/, each linked to the .dot or .gp file it was drawn from. Each example
// (examples/NAME/main.cpp) that has run into out/NAME/ gets a page too: example-NAME.html.
//
//   tour_page --root DIR [--out FILE] [NN...]
//
// DIR is the project's root (it holds steps/, docs/, examples/ and out/); FILE is the index
// page, DIR/out/index.html by default, and the other pages go beside it. Without NN, every
// step in DIR/steps/ gets a page ("not run yet" where out/stepNN/stdout.txt is missing).
// Highlighting is Pygments' and the differences GNU diff's (tour_code.hpp). The pages are
// plain HTML and CSS with relative links, so they open from the file system with no
// network. Their one small script only records, for the browser test, how many images failed
// to load and how wide the page is; the pages work the same without it.

#include <algorithm>
#include <filesystem>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "np/io.hpp"
#include "printout.hpp"
#include "tour_code.hpp"

namespace fs = std::filesystem;
using tour::html;

namespace {

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
  std::string out = "<pre class=\"out\">";
  for (std::size_t i = 0; i < lines.size(); ++i) {
    const std::string text = html(lines[i]) + "\n";
    const Line mark = i < marks.size() ? marks[i] : Line::same;
    out += mark == Line::numbers  ? "<mark>" + text + "</mark>"
           : mark == Line::worded ? "<mark class=\"worded\">" + text + "</mark>"
                                  : text;
  }
  return out + "</pre>";
}

// The first comment line of a program ("// Step 5: ...", "// An example: ..."), its period
// dropped.
std::string title_of(const std::string& source, const std::string& fallback) {
  for (const auto& line : printout::split_lines(source)) {
    if (line.rfind("// ", 0) == 0 && line.size() > 3) {
      std::string t = line.substr(3);
      if (!t.empty() && t.back() == '.') t.pop_back();
      return t;
    }
  }
  return fallback;
}

// A stage of the book, as docs/stageN.md's first line names it:
// "# Stage 1: automatic differentiation (steps 01–10)".
struct Stage {
  std::string title;  // "Stage 1: automatic differentiation"
  int first = 0, last = 0;
};

std::vector<Stage> stages_of(const fs::path& docs) {
  std::vector<Stage> stages;
  static const std::regex heading(R"(^# (Stage \d+: .*) \(steps (\d+)\D+(\d+)\)\s*$)");
  for (int n = 1; n < 20; ++n) {
    const auto lines = printout::split_lines(read_or_empty(docs / ("stage" + std::to_string(n) + ".md")));
    std::smatch m;
    if (lines.empty() || !std::regex_match(lines[0], m, heading)) continue;
    stages.push_back({m[1].str(), std::stoi(m[2].str()), std::stoi(m[3].str())});
  }
  return stages;
}

// What the tour knows of one step or example.
struct Program {
  std::string name;   // "step05", or the example's folder name
  std::string nn;     // "05" (empty for an example)
  std::string title;
  std::string page;   // "step05.html"
  fs::path source;    // its main.cpp
  std::string text;   // its main.cpp's text
  bool uses_library;  // it includes dezero/ (steps 23 on, and the examples)
};

// The reference repository has a Python file for every step except the three chapters that
// have no code of their own.
std::string book_link(const std::string& nn) {
  if (nn == "25" || nn == "30" || nn == "31") {
    return "<span class=\"book none\">the book has no program for step " + nn +
           " (the chapter has no code)</span>";
  }
  const std::string url =
      "https://github.com/oreilly-japan/deep-learning-from-scratch-3/blob/master/steps/step" +
      nn + ".py";
  return "<a class=\"book\" href=\"" + url + "\">the book's steps/step" + nn + ".py</a>";
}

// The lines of a difference, grouped: long unchanged stretches and long removals (step 23
// drops step 22's whole framework) are folded into <details>; changes stay visible with
// `context` unchanged lines around them.
std::string diff_block(const std::vector<tour::DiffLine>& diff, const std::vector<std::string>& old_lines,
                       const std::vector<std::string>& new_lines) {
  constexpr std::size_t context = 3, longest_removal = 30;
  const auto line = [&](const tour::DiffLine& d) {
    const char* cls = d.kind == '+' ? "add" : d.kind == '-' ? "del" : "same";
    const int number = d.kind == '-' ? d.old_line : d.new_line;
    const std::string& text = d.kind == '-' ? old_lines.at(d.old_line) : new_lines.at(d.new_line);
    return "<div class=\"" + std::string(cls) + "\"><span class=\"lnum\">" +
           std::to_string(number + 1) + "</span>" + text + "</div>";
  };
  const auto fold = [&](std::size_t from, std::size_t to, const std::string& what) {
    std::string s = "<details class=\"fold\"><summary>" + std::to_string(to - from) + " " + what +
                    "</summary>";
    for (std::size_t i = from; i < to; ++i) s += line(diff[i]);
    return s + "</details>";
  };
  std::string out = "<div class=\"diff highlight\">";
  for (std::size_t i = 0; i < diff.size();) {
    std::size_t j = i;
    while (j < diff.size() && diff[j].kind == diff[i].kind) ++j;
    const std::size_t n = j - i;
    if (diff[i].kind == ' ') {
      const std::size_t head = i == 0 ? 0 : context, tail = j == diff.size() ? 0 : context;
      if (n > head + tail + 2) {
        for (std::size_t k = i; k < i + head; ++k) out += line(diff[k]);
        out += fold(i + head, j - tail, "unchanged lines");
        for (std::size_t k = j - tail; k < j; ++k) out += line(diff[k]);
      } else {
        for (std::size_t k = i; k < j; ++k) out += line(diff[k]);
      }
    } else if (diff[i].kind == '-' && n > longest_removal) {
      out += fold(i, j, "lines removed");
    } else {
      for (std::size_t k = i; k < j; ++k) out += line(diff[k]);
    }
    i = j;
  }
  return out + "</div>";
}

std::string code_block(const std::vector<std::string>& lines) {
  std::string out = "<pre class=\"code highlight\">";
  for (const auto& l : lines) out += l + "\n";
  return out + "</pre>";
}

// Every image in a program's out/ folder and one level below (DEZERO_GRAPH=graphs puts
// graphs there), each linked to the text it was drawn from; `name` is that folder as seen
// from the page.
std::string images_of(const fs::path& dir, const std::string& name) {
  std::vector<fs::path> images;
  std::error_code ec;
  for (auto it = fs::recursive_directory_iterator(dir, ec); it != fs::recursive_directory_iterator();
       it.increment(ec)) {
    if (it.depth() > 0) it.disable_recursion_pending();
    const auto ext = it->path().extension();
    if (it->is_regular_file() && (ext == ".png" || ext == ".svg")) images.push_back(it->path());
  }
  if (images.empty()) return {};
  std::sort(images.begin(), images.end());
  std::ostringstream s;
  s << "<h2>Images</h2>\n<div class=\"images\">\n";
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
  s << "</div>\n";
  return s.str();
}

// The printout of a step beside the book's, and a one-line verdict (also for the index).
struct Printout {
  std::string verdict;  // HTML
  std::string blocks;   // HTML
};

Printout printout_of(const fs::path& root, const std::string& cmake_text, const std::string& nn) {
  const std::string name = "step" + nn;
  const fs::path dir = root / "out" / name;
  std::error_code ec;
  if (!fs::is_regular_file(dir / "stdout.txt", ec)) {
    return {"not run yet: <code>./run.sh " + nn + "</code>", ""};
  }
  int book_exit = 0;
  const auto book = printout::reference_lines(read_or_empty(root / "steps" / name / "expected.txt"),
                                              &book_exit);
  const auto ours = printout::split_lines(read_or_empty(dir / "stdout.txt"));
  const Comparison c = comparison_of(cmake_text, nn);
  const auto marks = compare_lines(ours, book, c);
  const auto differing = std::count(marks.begin(), marks.end(), Line::numbers);
  const auto worded = std::count(marks.begin(), marks.end(), Line::worded);
  std::string status = read_or_empty(dir / "exit_status");
  while (!status.empty() && std::isspace(static_cast<unsigned char>(status.back()))) status.pop_back();

  std::ostringstream s;
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
  const std::string blocks = "<div class=\"pair\">\n<div><h3>dezero-cpp</h3>" +
                             printout_block(ours, marks) + "</div>\n<div><h3>the book (Python)</h3>" +
                             printout_block(book, {}) + "</div>\n</div>\n";
  return {s.str(), blocks};
}

const char* const style = R"(* { box-sizing: border-box; }
body { margin: 0; font-family: sans-serif; color: #222; line-height: 1.4;
       display: grid; grid-template-columns: 17rem minmax(0, 1fr); }
nav.side { position: sticky; top: 0; height: 100vh; overflow-y: auto; padding: 0.8rem 0.6rem;
           background: #f3f4f7; border-right: 1px solid #dde; font-size: 88%; }
nav.side .home { font-weight: bold; font-size: 110%; margin-bottom: 0.5em; }
nav.side a { display: block; text-decoration: none; padding: 1px 0.4em 1px 2em; text-indent: -1.6em;
             border-radius: 3px; color: #124; overflow-wrap: anywhere; }
nav.side a:hover { background: #e2e6f0; }
nav.side a.here { background: #d3defa; font-weight: bold; }
nav.side summary { cursor: pointer; font-weight: bold; margin: 0.5em 0 0.2em; color: #333; }
nav.side ol { list-style: none; margin: 0; padding: 0 0 0 0.3em; }
main { min-width: 0; max-width: 76rem; padding: 0.5rem 2rem 2rem; }
h1 { font-size: 150%; margin: 0.4em 0; }
h2 { font-size: 120%; margin: 1.2em 0 0.4em; border-bottom: 1px solid #ddd; }
h3 { font-size: 100%; margin: 0.5em 0 0.3em; }
.bar { display: flex; flex-wrap: wrap; gap: 0.4em 1.2em; padding: 0.4em 0; font-size: 92%; }
.bar .off { color: #999; }
.meta { color: #444; }
.hint { color: #555; font-size: 90%; margin: 0.2em 0; }
pre, .diff { background: #f8f8f8; border: 1px solid #e4e4e4; padding: 0.4em; overflow: auto;
             font-size: 82%; font-family: monospace; margin: 0; }
pre.out { max-height: 30em; }
.diff > div, .diff details > div { white-space: pre; min-width: 100%; width: max-content; }
.diff .add { background: #e3f8e6; }
.diff .del { background: #fde8e8; }
.diff .add .lnum::after { content: " +"; }
.diff .del .lnum::after { content: " -"; }
.diff .same .lnum::after { content: "  "; }
.lnum { display: inline-block; width: 4.5em; color: #999; text-align: right; padding-right: 0.6em;
        user-select: none; }
.diff summary { color: #555; font-style: italic; cursor: pointer; padding-left: 2em; font-family: sans-serif; }
details.fold[open] summary { border-bottom: 1px dashed #ccc; }
.names code { background: #eef2fb; padding: 0 0.3em; border-radius: 3px; margin-right: 0.2em;
              white-space: nowrap; line-height: 1.8; }
.pair { display: flex; gap: 1em; }
.pair > div { flex: 1; min-width: 0; }
mark { background: #ffd7d7; }
mark.worded { background: #fff3c4; }
.good { color: #1a7f37; }
.bad { color: #c62828; font-weight: bold; }
.images { display: flex; flex-wrap: wrap; gap: 1em; }
figure { margin: 0; max-width: 100%; }
img { max-width: 100%; max-height: 30em; border: 1px solid #ddd; }
table.steps { border-collapse: collapse; width: 100%; font-size: 92%; }
table.steps td { border-top: 1px solid #e4e4e4; padding: 0.15em 0.5em; vertical-align: top; }
table.steps td:first-child { width: 50%; }
@media (max-width: 50rem) { body { display: block; } nav.side { position: static; height: auto; } }
)";

// Records how many images failed to load and how wide the page is, for the browser test.
const char* const check_script = R"(<script>
window.addEventListener("load", function () {
  var all = document.images, broken = 0;
  for (var i = 0; i < all.length; i++) if (!all[i].complete || all[i].naturalWidth === 0) broken++;
  var root = document.documentElement;
  root.setAttribute("data-images", all.length + " images, " + broken + " broken");
  root.setAttribute("data-width", String(root.scrollWidth));
});
</script>)";

class Tour {
 public:
  Tour(fs::path root, fs::path out_dir, const std::vector<std::string>& step_numbers)
      : root_(std::move(root)), out_(std::move(out_dir)) {
    cmake_text_ = read_or_empty(root_ / "steps" / "CMakeLists.txt");
    stages_ = stages_of(root_ / "docs");
    for (const auto& nn : step_numbers) {
      const fs::path source = root_ / "steps" / ("step" + nn) / "main.cpp";
      const std::string text = read_or_empty(source);
      steps_.push_back({"step" + nn, nn, title_of(text, "Step " + nn), "step" + nn + ".html",
                        source, text, text.find("#include \"dezero/") != std::string::npos});
    }
    // The examples: examples/NAME/main.cpp, run by ./run.sh NAME into out/NAME/.
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root_ / "examples", ec)) {
      const fs::path source = entry.path() / "main.cpp";
      if (!fs::is_regular_file(source, ec)) continue;
      const std::string name = entry.path().filename().string();
      const std::string text = read_or_empty(source);
      examples_.push_back({name, "", title_of(text, name), "example-" + name + ".html", source,
                           text, true});
    }
    std::sort(examples_.begin(), examples_.end(),
              [](const Program& a, const Program& b) { return a.name < b.name; });
    std::vector<std::string> sources;
    for (const auto& p : steps_) sources.push_back(p.text);
    for (const auto& p : examples_) sources.push_back(p.text);
    code_ = std::make_unique<tour::Highlighted>(sources);
    if (!code_->ok()) {
      std::cerr << "tour_page: warning: pygmentize (Debian's python3-pygments) did not run; "
                   "the code is shown without highlighting\n";
    }
  }

  void write() {
    np::write_file_atomically(out_ / "tour.css", std::string(style) + tour::Highlighted::css(),
                              "tour_page");
    std::set<std::string> seen;  // library names used by the steps so far
    for (std::size_t i = 0; i < steps_.size(); ++i) {
      write_page(steps_[i], step_page(i, seen));
    }
    for (std::size_t i = 0; i < examples_.size(); ++i) {
      write_page(examples_[i], example_page(i));
    }
  }

  std::string index_page() const {
    std::ostringstream s;
    s << "<h1>dezero-cpp: the steps of the book</h1>\n"
      << "<p>The C++ companion to <i>Deep Learning from Scratch 3</i>, one page per step: what "
         "its program adds to the step before, the whole program, its printout beside the "
         "book's (lines with other numbers marked <mark>red</mark>, lines with the same "
         "numbers in other words <mark class=\"worded\">yellow</mark>) and the images it drew. "
         "Steps 01&ndash;22 each carry their own copy of the framework, so their differences "
         "show it growing; from step 23 on the steps link the library in <code>dezero/</code>."
         "</p>\n";
    for (const auto& group : groups()) {
      s << "<h2>" << html(group.first) << "</h2>\n<table class=\"steps\">\n";
      for (const std::size_t i : group.second) {
        const Program& p = steps_[i];
        s << "<tr><td><a href=\"" << p.page << "\">" << html(p.title) << "</a></td><td>"
          << printout_of(root_, cmake_text_, p.nn).verdict << "</td><td>" << book_link(p.nn)
          << "</td></tr>\n";
      }
      s << "</table>\n";
    }
    if (!examples_.empty()) {
      s << "<h2>Examples</h2>\n<table class=\"steps\">\n";
      for (const auto& p : examples_) {
        s << "<tr><td><a href=\"" << p.page << "\">" << html(p.name) << "</a></td><td>"
          << html(p.title) << "</td><td>" << (ran(p) ? "" : "not run yet: <code>./run.sh " + html(p.name) + "</code>")
          << "</td></tr>\n";
      }
      s << "</table>\n";
    }
    return page("dezero-cpp: the steps of the book", nullptr, s.str());
  }

  const fs::path& out() const { return out_; }

 private:
  // The program's out/ folder, relative to the pages.
  std::string folder(const Program& p) const {
    return fs::relative(root_ / "out" / p.name, out_).generic_string();
  }

  bool ran(const Program& p) const {
    std::error_code ec;
    return fs::is_regular_file(root_ / "out" / p.name / "stdout.txt", ec);
  }

  // The steps by stage (docs/stageN.md); steps outside every stage go under "Other steps".
  std::vector<std::pair<std::string, std::vector<std::size_t>>> groups() const {
    std::vector<std::pair<std::string, std::vector<std::size_t>>> out;
    std::vector<bool> placed(steps_.size());
    for (const auto& stage : stages_) {
      out.push_back({stage.title + " (" + std::to_string(stage.first) + "\xe2\x80\x93" +
                         std::to_string(stage.last) + ")",
                     {}});
      for (std::size_t i = 0; i < steps_.size(); ++i) {
        const int n = std::stoi(steps_[i].nn);
        if (!placed[i] && n >= stage.first && n <= stage.last) {
          out.back().second.push_back(i);
          placed[i] = true;
        }
      }
      if (out.back().second.empty()) out.pop_back();
    }
    std::vector<std::size_t> rest;
    for (std::size_t i = 0; i < steps_.size(); ++i) if (!placed[i]) rest.push_back(i);
    if (!rest.empty()) out.push_back({stages_.empty() ? "Steps" : "Other steps", rest});
    return out;
  }

  std::string sidebar(const Program* here) const {
    std::ostringstream s;
    s << "<nav class=\"side\">\n<a class=\"home" << (here ? "" : " here")
      << "\" href=\"index.html\">dezero-cpp: the tour</a>\n";
    const auto link = [&](const Program& p, const std::string& label) {
      return "<li><a href=\"" + p.page + "\"" + (&p == here ? " class=\"here\"" : "") +
             " title=\"" + html(p.title) + "\">" + html(label) + "</a></li>\n";
    };
    for (const auto& group : groups()) {
      bool open = here == nullptr;
      for (const std::size_t i : group.second) open = open || &steps_[i] == here;
      s << "<details" << (open ? " open" : "") << "><summary>" << html(group.first) << "</summary><ol>\n";
      for (const std::size_t i : group.second) {
        const Program& p = steps_[i];
        std::string label = p.title;  // "Step 5: backpropagation" -> "05 backpropagation"
        if (const auto colon = label.find(": "); label.rfind("Step ", 0) == 0 && colon != std::string::npos) {
          label = label.substr(colon + 2);
        }
        s << link(p, p.nn + " " + label);
      }
      s << "</ol></details>\n";
    }
    if (!examples_.empty()) {
      bool open = here == nullptr;
      for (const auto& p : examples_) open = open || &p == here;
      s << "<details" << (open ? " open" : "") << "><summary>Examples</summary><ol>\n";
      for (const auto& p : examples_) s << link(p, p.name);
      s << "</ol></details>\n";
    }
    return s.str() + "</nav>\n";
  }

  // The first / previous / next bar of a list of pages.
  static std::string bar(const std::vector<Program>& list, std::size_t i) {
    const auto to = [&](std::size_t k, const std::string& label) {
      return "<a href=\"" + list[k].page + "\">" + label + "</a>";
    };
    const auto off = [](const std::string& label) { return "<span class=\"off\">" + label + "</span>"; };
    std::string s = "<div class=\"bar\">";
    s += i > 0 ? to(0, "&laquo; first") : off("&laquo; first");
    s += i > 0 ? to(i - 1, "&lsaquo; previous: " + html(list[i - 1].title)) : off("&lsaquo; previous");
    s += i + 1 < list.size() ? to(i + 1, "next: " + html(list[i + 1].title) + " &rsaquo;")
                             : off("next &rsaquo;");
    s += "<a href=\"index.html\">contents</a>";
    return s + "</div>\n";
  }

  std::string page(const std::string& title, const Program* here, const std::string& body) const {
    return "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
           "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>" +
           html(title) + "</title>\n<link rel=\"stylesheet\" href=\"tour.css\">\n" + check_script +
           "\n</head>\n<body>\n" + sidebar(here) + "<main>\n" + body + "</main>\n</body>\n</html>\n";
  }

  void write_page(const Program& p, const std::string& body) const {
    np::write_file_atomically(out_ / p.page, page(p.title, &p, body), "tour_page");
  }

  std::string step_page(std::size_t i, std::set<std::string>& seen) const {
    const Program& p = steps_[i];
    const auto& code = code_->lines(i);
    std::ostringstream s;
    s << bar(steps_, i) << "<section class=\"step\" id=\"" << p.name << "\" data-step=\"" << p.nn
      << "\">\n<h1>" << html(p.title) << "</h1>\n";
    const Printout printout = printout_of(root_, cmake_text_, p.nn);
    s << "<p class=\"meta\">" << book_link(p.nn) << " &middot; printout: " << printout.verdict
      << " &middot; <a href=\"#program\">the whole program</a></p>\n";

    // What the step takes from the library that no step before it took (steps 23 on).
    if (p.uses_library) {
      const auto names = tour::library_names(p.text);
      std::vector<std::string> fresh;
      for (const auto& name : names) {
        if (seen.insert(name).second) fresh.push_back(name);
      }
      s << "<h2>Library parts used for the first time</h2>\n<p class=\"hint\">The library headers "
           "it includes and the names it writes with their namespace (<code>F::sin</code> is "
           "<code>dezero::functions::sin</code>) that no step before it used.</p>\n<p class=\"names\">";
      if (fresh.empty()) s << "none: every library name it writes with its namespace, an earlier step used already.";
      for (const auto& name : fresh) s << "<code>" << html(name) << "</code> ";
      s << "</p>\n";
    }
    if (i == 0) {
      s << "<h2>What this step adds</h2>\n<p class=\"diff first\">The first step of the tour: its "
           "whole program, at the end of the page, is new.</p>\n";
    } else {
      const Program& before = steps_[i - 1];
      const auto diff = tour::diff_files(before.source.string(), p.source.string());
      const auto changed = std::count_if(diff.begin(), diff.end(), [](const auto& d) { return d.kind != ' '; });
      s << "<h2>What changed since step " << before.nn << "</h2>\n";
      if (!before.uses_library && p.uses_library) {
        s << "<p>From here on the step's program links the library instead of carrying its own "
             "copy of the framework; the framework of step " << before.nn
          << " lives on in <code>dezero/</code>.</p>\n";
      }
      if (changed == 0) {
        s << "<p class=\"diff\">The same program as step " << before.nn << ".</p>\n";
      } else {
        s << diff_block(diff, code_->lines(i - 1), code);
      }
    }
    const auto rel = fs::relative(p.source, root_).generic_string();
    // The whole program last, so that the printout and the images stay near the changes.
    s << "<h2>Printout</h2>\n";
    if (printout.blocks.empty()) {
      s << "<p>" << printout.verdict << "</p>\n";
    } else {
      s << printout.blocks;
    }
    s << images_of(root_ / "out" / p.name, folder(p));
    s << "<h2 id=\"program\">The whole program: <code>" << html(rel) << "</code></h2>\n"
      << code_block(code) << "</section>\n" << bar(steps_, i);
    return s.str();
  }

  std::string example_page(std::size_t i) const {
    const Program& p = examples_[i];
    std::ostringstream s;
    s << bar(examples_, i) << "<section class=\"example\" id=\"" << html(p.name) << "\">\n<h1>"
      << html(p.title) << "</h1>\n";
    const auto rel = fs::relative(p.source, root_).generic_string();
    s << "<h2>The program: <code>" << html(rel) << "</code></h2>\n"
      << code_block(code_->lines(steps_.size() + i)) << "<h2>Printout</h2>\n";
    if (ran(p)) {
      s << printout_block(printout::split_lines(read_or_empty(root_ / "out" / p.name / "stdout.txt")), {});
    } else {
      s << "<p>not run yet: <code>./run.sh " << html(p.name) << "</code></p>\n";
    }
    s << images_of(root_ / "out" / p.name, folder(p)) << "</section>\n";
    return s.str();
  }

  fs::path root_, out_;
  std::string cmake_text_;
  std::vector<Stage> stages_;
  std::vector<Program> steps_, examples_;
  std::unique_ptr<tour::Highlighted> code_;
};

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
                << "'\nusage: tour_page --root DIR [--out FILE] [NN...]\n";
      return 2;
    }
  }
  if (root.empty()) {
    std::cerr << "usage: tour_page --root DIR [--out FILE] [NN...]\n";
    return 2;
  }
  if (out.empty()) out = root / "out" / "index.html";
  if (steps.empty()) {  // every step there is
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator(root / "steps", ec)) {
      const std::string name = entry.path().filename().string();
      if (name.size() == 6 && name.rfind("step", 0) == 0 && fs::is_regular_file(entry.path() / "main.cpp")) {
        steps.push_back(name.substr(4));
      }
    }
    if (steps.empty()) throw std::runtime_error("no steps/stepNN/main.cpp under " + root.string());
  }
  std::sort(steps.begin(), steps.end());
  steps.erase(std::unique(steps.begin(), steps.end()), steps.end());
  for (const auto& nn : steps) {
    if (!fs::is_regular_file(root / "steps" / ("step" + nn) / "main.cpp")) {
      throw std::runtime_error("there is no " + (root / "steps" / ("step" + nn) / "main.cpp").string());
    }
  }
  fs::create_directories(out.parent_path().empty() ? fs::path(".") : out.parent_path());
  Tour tour(root, out.parent_path().empty() ? fs::path(".") : out.parent_path(), steps);
  tour.write();
  np::write_file_atomically(out, tour.index_page(), "tour_page");
  std::cerr << "wrote " << out.string() << " and a page for each of " << steps.size() << " steps\n";
  return 0;
} catch (const std::exception& e) {
  std::cerr << "tour_page: " << e.what() << "\n";
  return 1;
}
