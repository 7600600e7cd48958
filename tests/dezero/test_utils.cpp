// Graph drawings and plots (utils): get_dot_graph's exact text for small graphs, the graphs
// of book steps 26, 27 and 35 against the reference's DOT files (node ids are Python object
// addresses there, so the comparison is structural), plot_dot_graph with and without
// Graphviz, and utils::Plot with and without gnuplot.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

#ifndef DEZERO_TEST_DATA_DIR
#error "DEZERO_TEST_DATA_DIR must name the directory of the reference DOT files"
#endif

namespace {

namespace F = dezero::functions;
namespace fs = std::filesystem;
using dezero::Variable;
using dezero::utils::get_dot_graph;
using dezero::utils::plot_dot_graph;
using dezero::utils::ToolError;
using dztest::throws_with;

// ===================================== DOT helpers ==========================================

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string reference_dot(const std::string& name) {
  return read_file(fs::path(DEZERO_TEST_DATA_DIR) / name);
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// One line of the graph part of a DOT text: a node or an edge.
struct DotLine {
  bool is_edge = false;
  std::string from, to;  // an edge's ends; a node's id is `from`
  std::string label;
  bool is_function = false;  // a node drawn as a box
};

// Parses the text get_dot_graph writes (and the reference wrote); fails the test on anything
// else.
std::vector<DotLine> parse_dot(const std::string& text) {
  std::vector<DotLine> out;
  const auto lines = lines_of(text);
  EXPECT_GE(lines.size(), 2u);
  if (lines.size() < 2) return out;
  EXPECT_EQ(lines.front(), "digraph g {");
  EXPECT_EQ(lines.back(), "}");
  for (std::size_t i = 1; i + 1 < lines.size(); ++i) {
    const std::string& line = lines[i];
    DotLine d;
    if (const auto arrow = line.find(" -> "); arrow != std::string::npos) {
      d.is_edge = true;
      d.from = line.substr(0, arrow);
      d.to = line.substr(arrow + 4);
    } else {
      const auto open = line.find(" [label=\"");
      const auto close = line.find("\", color=");
      EXPECT_TRUE(open != std::string::npos && close != std::string::npos) << line;
      if (open == std::string::npos || close == std::string::npos) continue;
      d.from = line.substr(0, open);
      d.label = line.substr(open + 9, close - open - 9);
      const std::string rest = line.substr(close);
      d.is_function = rest == "\", color=lightblue, style=filled, shape=box]";
      EXPECT_TRUE(d.is_function || rest == "\", color=orange, style=filled]") << line;
    }
    out.push_back(d);
  }
  return out;
}

// The text with its node ids renumbered 1, 2, 3, ... in order of first mention, which is how
// get_dot_graph numbers them; applied to the reference's text it replaces Python's addresses.
std::string renumbered(const std::string& text) {
  std::map<std::string, int> ids;
  auto id = [&](const std::string& s) {
    return std::to_string(ids.emplace(s, static_cast<int>(ids.size()) + 1).first->second);
  };
  std::string out = "digraph g {\n";
  for (const auto& d : parse_dot(text)) {
    if (d.is_edge) {
      const std::string from = id(d.from);
      out += from + " -> " + id(d.to) + "\n";
    } else {
      out += id(d.from) + " [label=\"" + d.label + "\", color=" +
             (d.is_function ? "lightblue, style=filled, shape=box]\n" : "orange, style=filled]\n");
    }
  }
  return out + "}";
}

// A graph read back from DOT text, in terms that do not depend on node ids.
struct Structure {
  std::map<std::string, int> node_lines;                     // label -> lines
  std::map<std::pair<std::string, std::string>, int> edges;  // (label, label) -> count
  std::map<std::string, int> canonical_nodes;                // canonical form -> distinct ids
  std::string output;                                        // canonical form of the output
};

Structure structure_of(const std::string& text) {
  const auto lines = parse_dot(text);
  std::map<std::string, std::string> label;
  std::map<std::string, bool> is_function;
  std::map<std::string, std::vector<std::string>> inputs;  // function -> inputs in order
  std::map<std::string, std::string> creator;              // variable -> function
  Structure s;
  for (const auto& d : lines) {
    if (d.is_edge) continue;
    ++s.node_lines[(d.is_function ? "box:" : "var:") + d.label];
    // A variable drawn twice must be drawn the same way.
    if (label.count(d.from)) {
      EXPECT_EQ(label[d.from], d.label) << "node " << d.from;
    }
    label[d.from] = d.label;
    is_function[d.from] = d.is_function;
  }
  for (const auto& d : lines) {
    if (!d.is_edge) continue;
    EXPECT_TRUE(label.count(d.from) && label.count(d.to)) << d.from << " -> " << d.to;
    ++s.edges[{label[d.from], label[d.to]}];
    if (is_function[d.to]) {
      inputs[d.to].push_back(d.from);
    } else {
      EXPECT_FALSE(creator.count(d.to)) << "two creators of " << d.to;
      creator[d.to] = d.from;
    }
  }
  // Canonical form: a variable is its label and its creator's form; a function is its name
  // and its inputs' forms in order. Together with the number of distinct nodes of each form,
  // this pins the graph down up to the choice of ids.
  std::map<std::string, std::string> memo;
  std::function<std::string(const std::string&)> canonical = [&](const std::string& id) {
    if (const auto it = memo.find(id); it != memo.end()) return it->second;
    std::string form;
    if (is_function[id]) {
      form = label[id] + "(";
      for (std::size_t i = 0; i < inputs[id].size(); ++i)
        form += (i ? ", " : "") + canonical(inputs[id][i]);
      form += ")";
    } else {
      form = "'" + label[id] + "'";
      if (creator.count(id)) form += " = " + canonical(creator[id]);
    }
    return memo[id] = form;
  };
  for (const auto& [id, l] : label) ++s.canonical_nodes[canonical(id)];
  if (!lines.empty()) s.output = canonical(lines.front().from);
  return s;
}

void expect_same_structure(const std::string& ours, const std::string& reference) {
  const Structure a = structure_of(ours), b = structure_of(reference);
  EXPECT_EQ(a.node_lines, b.node_lines);
  EXPECT_EQ(a.edges, b.edges);
  EXPECT_EQ(a.canonical_nodes, b.canonical_nodes);
  EXPECT_EQ(a.output, b.output);
}

// ===================================== small graphs =========================================

// z = x * y + x
Variable small_graph(Variable& x, Variable& y) {
  x = Variable(np::array(1.0), "x");
  y = Variable(np::array(2.0), "y");
  Variable z = x * y + x;
  z.set_name("z");
  return z;
}

TEST(DotGraph, SmallGraphExactText) {
  Variable x, y;
  const Variable z = small_graph(x, y);
  EXPECT_EQ(get_dot_graph(z, /*verbose=*/false),
            "digraph g {\n"
            "1 [label=\"z\", color=orange, style=filled]\n"
            "2 [label=\"Add\", color=lightblue, style=filled, shape=box]\n"
            "3 -> 2\n"
            "4 -> 2\n"
            "2 -> 1\n"
            "3 [label=\"\", color=orange, style=filled]\n"
            "4 [label=\"x\", color=orange, style=filled]\n"
            "5 [label=\"Mul\", color=lightblue, style=filled, shape=box]\n"
            "4 -> 5\n"
            "6 -> 5\n"
            "5 -> 3\n"
            "4 [label=\"x\", color=orange, style=filled]\n"
            "6 [label=\"y\", color=orange, style=filled]\n"
            "}");
  EXPECT_EQ(get_dot_graph(z, /*verbose=*/true),
            "digraph g {\n"
            "1 [label=\"z: () float64\", color=orange, style=filled]\n"
            "2 [label=\"Add\", color=lightblue, style=filled, shape=box]\n"
            "3 -> 2\n"
            "4 -> 2\n"
            "2 -> 1\n"
            "3 [label=\"() float64\", color=orange, style=filled]\n"
            "4 [label=\"x: () float64\", color=orange, style=filled]\n"
            "5 [label=\"Mul\", color=lightblue, style=filled, shape=box]\n"
            "4 -> 5\n"
            "6 -> 5\n"
            "5 -> 3\n"
            "4 [label=\"x: () float64\", color=orange, style=filled]\n"
            "6 [label=\"y: () float64\", color=orange, style=filled]\n"
            "}");
  // The default is verbose, and the text is the same every time.
  EXPECT_EQ(get_dot_graph(z), get_dot_graph(z, true));
}

// A variable without a creator is a graph of one node (the book's code would queue None and
// fail).
TEST(DotGraph, VariableWithoutCreator) {
  const Variable x(np::array({1.0, 2.0}), "x");
  EXPECT_EQ(get_dot_graph(x, false), "digraph g {\n1 [label=\"x\", color=orange, style=filled]\n}");
  EXPECT_EQ(get_dot_graph(x),
            "digraph g {\n1 [label=\"x: (2,) float64\", color=orange, style=filled]\n}");
  // Without data, verbose adds nothing.
  const Variable none(np::ndarray(), "n");
  EXPECT_EQ(get_dot_graph(none), "digraph g {\n1 [label=\"n\", color=orange, style=filled]\n}");
}

// Values and gradients on the nodes, and the functions numbered in backward's order.
TEST(DotGraph, ValuesGradsAndOrderExactText) {
  const Variable x(np::array({1.0, 2.0}), "x");
  Variable y = x * 2;
  y.set_name("y");
  y.backward({.retain_grad = true});
  EXPECT_EQ(get_dot_graph(y, {.verbose = true, .values = true, .grads = true, .order = true}),
            "digraph g {\n"
            "1 [label=\"y: (2,) float64\\l[2. 4.]\\lgrad [1. 1.]\\l\", color=orange, style=filled]\n"
            "2 [label=\"#1 Mul\", color=lightblue, style=filled, shape=box]\n"
            "3 -> 2\n"
            "4 -> 2\n"
            "2 -> 1\n"
            "3 [label=\"x: (2,) float64\\l[1. 2.]\\lgrad [2. 2.]\\l\", color=orange, style=filled]\n"
            "4 [label=\"() int64\\l2\\l\", color=orange, style=filled]\n"
            "}");
  // Values without verbose, no gradients asked for: the data alone, on one line.
  EXPECT_EQ(get_dot_graph(x, {.verbose = false, .values = true}),
            "digraph g {\n1 [label=\"x\\l[1. 2.]\\l\", color=orange, style=filled]\n}");
  const Variable anonymous(np::array({3, 4}));
  EXPECT_EQ(get_dot_graph(anonymous, {.verbose = false, .values = true}),
            "digraph g {\n1 [label=\"[3 4]\", color=orange, style=filled]\n}");
  // The defaults of the options struct are the book's graph.
  EXPECT_EQ(get_dot_graph(y, dezero::utils::DotOptions{}), get_dot_graph(y, true));
}

// A large array shows its range; quotes and backslashes in names are escaped.
TEST(DotGraph, LargeValuesAndEscapedNames) {
  const Variable x(np::arange(0.0, 10.0, 0.5), "say \"hi\" \\");
  EXPECT_EQ(get_dot_graph(x, {.verbose = true, .values = true}),
            "digraph g {\n1 [label=\"say \\\"hi\\\" \\\\: (20,) float64\\lmin 0, max 9.5\\l\", "
            "color=orange, style=filled]\n}");
}

// Names that broke the DOT text (found by tests/fuzz/fuzz_dot_label): a carriage return is
// a line break like \n, a NUL (Graphviz stops at it) and other control characters show as
// '?', and a label longer than Graphviz's 16384-byte strings goes in "joined" + "pieces".
TEST(DotGraph, ControlCharactersAndLongNames) {
  const Variable x(np::array(1.0), std::string("a\rb\r\nc\0d\x1b", 9));
  EXPECT_EQ(get_dot_graph(x, false),
            "digraph g {\n1 [label=\"a\\lb\\lc?d?\\l\", color=orange, style=filled]\n}");
  const Variable y(np::array(1.0), std::string(40000, 'y'));
  const std::string text = get_dot_graph(y, false);
  EXPECT_EQ(text, "digraph g {\n1 [label=\"" + std::string(16000, 'y') + "\" + \"" +
                      std::string(16000, 'y') + "\" + \"" + std::string(8000, 'y') +
                      "\", color=orange, style=filled]\n}");
}

// The numbers follow backward's order (latest generation first), not the drawing's LIFO
// order: in y = exp(x)^2 + sin(exp(x)) the Add is visited first and the shared Exp last.
TEST(DotGraph, OrderFollowsBackward) {
  const Variable x(np::array(0.5), "x");
  const Variable a = F::exp(x);
  const Variable b = pow(a, 2);
  const Variable c = F::sin(a);
  const Variable y = b + c;
  const std::string text = get_dot_graph(y, {.verbose = false, .order = true});
  EXPECT_NE(text.find("[label=\"#1 Add\""), std::string::npos) << text;
  EXPECT_NE(text.find("[label=\"#4 Exp\""), std::string::npos) << text;
  // Pow and Sin share generation 2; both come before Exp.
  const bool pow_sin = text.find("#2 Pow") != std::string::npos &&
                       text.find("#3 Sin") != std::string::npos;
  const bool sin_pow = text.find("#2 Sin") != std::string::npos &&
                       text.find("#3 Pow") != std::string::npos;
  EXPECT_TRUE(pow_sin || sin_pow) << text;
}

// The reference's verbose example: y = sum(matmul(x, W) + b) with float64 x and float32 W.
TEST(DotGraph, VerboseLabelsMatchTheReferenceExample) {
  np::random::seed(0);
  const Variable x(np::random::randn({2, 3}), "x");
  const Variable W(np::random::randn({3, 1}).astype(np::float32));
  Variable y = F::sum(F::matmul(x, W) + np::array(1.0));
  y.set_name("y");
  const std::string text = get_dot_graph(y, /*verbose=*/true);
  EXPECT_EQ(text,
            "digraph g {\n"
            "1 [label=\"y: () float64\", color=orange, style=filled]\n"
            "2 [label=\"Sum\", color=lightblue, style=filled, shape=box]\n"
            "3 -> 2\n"
            "2 -> 1\n"
            "3 [label=\"(2, 1) float64\", color=orange, style=filled]\n"
            "4 [label=\"Add\", color=lightblue, style=filled, shape=box]\n"
            "5 -> 4\n"
            "6 -> 4\n"
            "4 -> 3\n"
            "5 [label=\"(2, 1) float64\", color=orange, style=filled]\n"
            "6 [label=\"() float64\", color=orange, style=filled]\n"
            "7 [label=\"MatMul\", color=lightblue, style=filled, shape=box]\n"
            "8 -> 7\n"
            "9 -> 7\n"
            "7 -> 5\n"
            "8 [label=\"x: (2, 3) float64\", color=orange, style=filled]\n"
            "9 [label=\"(3, 1) float32\", color=orange, style=filled]\n"
            "}");
  const std::string reference = reference_dot("dot_verbose_example.dot");
  EXPECT_EQ(text, renumbered(reference));
  expect_same_structure(text, reference);
}

// ===================================== the book's graphs ====================================

Variable goldstein(const Variable& x, const Variable& y) {
  return (1 +
          pow(x + y + 1, 2) * (19 - 14 * x + 3 * pow(x, 2) - 14 * y + 6 * x * y + 3 * pow(y, 2))) *
         (30 + pow(2 * x - 3 * y, 2) *
                   (18 - 32 * x + 12 * pow(x, 2) + 48 * y - 36 * x * y + 27 * pow(y, 2)));
}

double factorial(int n) {
  double f = 1.0;
  for (int k = 2; k <= n; ++k) f *= k;
  return f;
}

// Step 27's Maclaurin series of sin, stopping at the first term below the threshold.
Variable my_sin(const Variable& x, double threshold = 0.0001) {
  Variable y;  // Python's y = 0
  for (int i = 0; i < 100000; ++i) {
    const double c = (i % 2 ? -1.0 : 1.0) / factorial(2 * i + 1);
    const Variable t = c * pow(x, 2 * i + 1);
    y = y ? y + t : 0 + t;
    if (std::abs(t.item()) < threshold) break;
  }
  return y;
}

TEST(BookGraphs, Step26Goldstein) {
  const Variable x(np::array(1.0)), y(np::array(1.0));
  Variable z = goldstein(x, y);
  z.backward();
  EXPECT_EQ(z.item(), 1876.0);  // the step's printout
  EXPECT_EQ(x.grad().item(), -5376.0);
  EXPECT_EQ(y.grad().item(), 8064.0);
  x.set_name("x");
  y.set_name("y");
  z.set_name("z");
  const std::string text = get_dot_graph(z, /*verbose=*/false);
  const std::string reference = reference_dot("step26_tmp_graph.dot");
  expect_same_structure(text, reference);
  EXPECT_EQ(text, renumbered(reference));
  EXPECT_EQ(lines_of(text).size(), 219u);
}

TEST(BookGraphs, Step27MySin) {
  const Variable x(np::array(np::pi / 4));
  Variable y = my_sin(x);
  y.backward();
  EXPECT_EQ(np::float_repr(y.item()), "0.7071064695751781");
  EXPECT_EQ(np::float_repr(x.grad().item()), "0.7071032148228457");
  x.set_name("x");
  y.set_name("y");
  const std::string text = get_dot_graph(y, /*verbose=*/false);
  const std::string reference = reference_dot("step27_tmp_graph.dot");
  expect_same_structure(text, reference);
  EXPECT_EQ(text, renumbered(reference));
}

TEST(BookGraphs, Step35TanhSecondDerivative) {
  const Variable x(np::array(1.0));
  Variable y = F::tanh(x);
  x.set_name("x");
  y.set_name("y");
  y.backward({.create_graph = true});
  for (int i = 0; i < 1; ++i) {
    const Variable gx = x.grad();
    x.cleargrad();
    gx.backward({.create_graph = true});
  }
  Variable gx = x.grad();
  gx.set_name("gx2");
  const std::string text = get_dot_graph(gx, /*verbose=*/false);
  const std::string reference = reference_dot("step35_tmp_graph.dot");
  expect_same_structure(text, reference);
  EXPECT_EQ(text, renumbered(reference));
  // tanh''(1) = -2 t (1 - t^2)
  const double t = std::tanh(1.0);
  EXPECT_NEAR(gx.item(), -2 * t * (1 - t * t), 1e-15);
  x.cleargrad();  // the recorded gradient refers back to x: a cycle until it is cleared
}

// The structural comparison itself notices a changed graph.
TEST(BookGraphs, StructuralComparisonDetectsDifferences) {
  const Variable x(np::array(1.0), "x"), y(np::array(1.0), "y");
  const Structure a = structure_of(get_dot_graph(x * y + x, false));
  const Structure b = structure_of(get_dot_graph(x * y + y, false));
  const Structure c = structure_of(get_dot_graph(y * x + x, false));  // inputs swapped
  EXPECT_NE(a.node_lines, b.node_lines);
  EXPECT_NE(a.edges, b.edges);
  EXPECT_NE(a.output, b.output);
  EXPECT_EQ(a.node_lines, c.node_lines);
  EXPECT_EQ(a.edges, c.edges);
  EXPECT_NE(a.output, c.output);
  // Sharing: x used twice versus two different variables named x.
  const Variable x2(np::array(1.0), "x");
  const Structure d = structure_of(get_dot_graph(x * y + x2, false));
  EXPECT_EQ(a.output, d.output);
  EXPECT_NE(a.canonical_nodes, d.canonical_nodes);
}

// ===================================== rendering ============================================

// A fresh directory that is removed with everything in it at the end of the test.
class TempDir {
 public:
  TempDir() {
    static std::atomic<int> counter{0};
    path_ = fs::temp_directory_path() /
            ("dezero_tests_" + std::to_string(getpid()) + "_" + std::to_string(counter++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  ~TempDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }
  std::vector<std::string> entries() const {
    std::vector<std::string> names;
    for (const auto& e : fs::directory_iterator(path_)) names.push_back(e.path().filename());
    std::sort(names.begin(), names.end());
    return names;
  }

 private:
  fs::path path_;
};

// Sets PATH for the scope and restores it (or its absence) afterwards.
class PathGuard {
 public:
  explicit PathGuard(const std::string& value) {
    if (const char* old = std::getenv("PATH")) old_ = old;
    setenv("PATH", value.c_str(), 1);
  }
  ~PathGuard() {
    if (old_)
      setenv("PATH", old_->c_str(), 1);
    else
      unsetenv("PATH");
  }
  PathGuard(const PathGuard&) = delete;
  PathGuard& operator=(const PathGuard&) = delete;

 private:
  std::optional<std::string> old_;
};

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  if (!path) return false;
  std::istringstream dirs(path);
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// A PNG file: the 8-byte signature, then the IHDR chunk with the width and height.
struct Png {
  bool valid = false;
  std::uint32_t width = 0, height = 0;
};

Png read_png(const fs::path& path) {
  const std::string bytes = read_file(path);
  Png png;
  if (bytes.size() < 24 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0 ||
      bytes.compare(12, 4, "IHDR") != 0) {
    return png;
  }
  auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  png.valid = true;
  png.width = u32(16);
  png.height = u32(20);
  return png;
}

TEST(PlotDotGraph, WritesTheDotFileAndAPng) {
  if (!on_path("dot")) GTEST_SKIP() << "Graphviz's dot is not installed (apt-get install graphviz)";
  TempDir dir;
  Variable x, y;
  const Variable z = small_graph(x, y);
  const fs::path image = dir.path() / "graph.png";
  plot_dot_graph(z, /*verbose=*/true, image.string());
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"graph.dot", "graph.png"}));
  EXPECT_EQ(read_file(dir.path() / "graph.dot"), get_dot_graph(z, true));
  const Png png = read_png(image);
  EXPECT_TRUE(png.valid);
  EXPECT_GT(png.width, 0u);
  EXPECT_GT(png.height, 0u);
  EXPECT_GT(fs::file_size(image), 100u);

  // Another format, chosen by the extension.
  plot_dot_graph(z, /*verbose=*/false, (dir.path() / "g2.svg").string());
  EXPECT_NE(read_file(dir.path() / "g2.svg").find("<svg"), std::string::npos);
  EXPECT_EQ(read_file(dir.path() / "g2.dot"), get_dot_graph(z, false));
}

TEST(PlotDotGraph, MissingGraphvizIsAToolErrorAndLeavesNoImage) {
  TempDir dir;
  const fs::path empty_bin = dir.path() / "empty_bin";
  fs::create_directories(empty_bin);
  Variable x, y;
  const Variable z = small_graph(x, y);
  const fs::path image = dir.path() / "graph.png";
  {
    const PathGuard guard(empty_bin.string());
    EXPECT_TRUE(throws_with<ToolError>([&] { plot_dot_graph(z, false, image.string()); },
                                       {"`dot`", "apt-get install graphviz", "graph.png"}));
  }
  // The DOT text was written all the same; no image, no temporary file.
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"empty_bin", "graph.dot"}));
  EXPECT_EQ(read_file(dir.path() / "graph.dot"), get_dot_graph(z, false));
  EXPECT_NE(std::getenv("PATH"), nullptr);
  EXPECT_NE(std::string(std::getenv("PATH")), empty_bin.string());
}

TEST(PlotDotGraph, UnknownFormatAndMissingExtension) {
  TempDir dir;
  Variable x, y;
  const Variable z = small_graph(x, y);
  // No extension: nothing says which format, and nothing is written.
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { plot_dot_graph(z, false, (dir.path() / "graph").string()); }, {"extension"}));
  EXPECT_TRUE(dir.entries().empty());

  if (!on_path("dot")) GTEST_SKIP() << "Graphviz's dot is not installed (apt-get install graphviz)";
  // A format dot does not know: dot fails, its message is passed on, no partial image stays.
  EXPECT_TRUE(throws_with<ToolError>(
      [&] { plot_dot_graph(z, false, (dir.path() / "graph.nosuchformat").string()); },
      {"`dot` failed", "nosuchformat"}));
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"graph.dot"}));
}

// A stand-in for a tool: an executable shell script in dir/bin.
fs::path fake_tool(const TempDir& dir, const std::string& name, const std::string& body) {
  const fs::path bin = dir.path() / "bin";
  fs::create_directories(bin);
  const fs::path tool = bin / name;
  std::ofstream(tool) << "#!/bin/sh\n" << body;
  fs::permissions(tool, fs::perms::owner_all);
  return bin;
}

// dot writes part of the image and fails: the error carries its exit status and message,
// and neither the partial image nor a temporary file stays; an older image is kept.
TEST(PlotDotGraph, FailingGraphvizLeavesNoPartialImage) {
  TempDir dir;
  // dot FILE -T FORMAT -o OUT
  const fs::path bin =
      fake_tool(dir, "dot", "echo partial > \"$5\"\necho 'dot: out of memory' >&2\nexit 3\n");
  const fs::path image = dir.path() / "graph.png";
  std::ofstream(image) << "an older image";
  Variable x, y;
  const Variable z = small_graph(x, y);
  {
    const PathGuard guard(bin.string());
    EXPECT_TRUE(throws_with<ToolError>([&] { plot_dot_graph(z, false, image.string()); },
                                       {"`dot` failed", "exit status 3", "dot: out of memory"}));
  }
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"bin", "graph.dot", "graph.png"}));
  EXPECT_EQ(read_file(image), "an older image");
}

// ===================================== Plot =================================================

dezero::utils::Plot sample_plot() {
  const np::ndarray xs = np::linspace(-np::pi, np::pi, 50);
  dezero::utils::Plot plot;
  plot.title("sin \"and\" cos").xlabel("x").ylabel("y").legend("bottom right");
  plot.line(xs, np::sin(xs), "y=sin(x)").scatter(xs, np::cos(xs), "y=cos(x)");
  return plot;
}

TEST(Plot, ScriptHoldsTheSettingsAndTheData) {
  const std::string gp = sample_plot().script("out.png");
  EXPECT_NE(gp.find("set terminal pngcairo size 800,600"), std::string::npos);
  EXPECT_NE(gp.find("outfile = \"out.png\""), std::string::npos);
  EXPECT_NE(gp.find("set title \"sin \\\"and\\\" cos\""), std::string::npos);
  EXPECT_NE(gp.find("set xlabel \"x\""), std::string::npos);
  EXPECT_NE(gp.find("set key bottom right"), std::string::npos);
  EXPECT_NE(gp.find("with lines linewidth 1.5 title \"y=sin(x)\""), std::string::npos);
  EXPECT_NE(gp.find(", '-' using 1:2 with points"), std::string::npos);
  // The first point of each series, with shortest round-trip numbers, and 2 x 50 data lines.
  EXPECT_NE(gp.find("\n-3.141592653589793 -1.2246467991473532e-16\n"), std::string::npos);
  EXPECT_NE(gp.find("\n-3.141592653589793 -1\n"), std::string::npos);
  std::size_t data_lines = 0;
  for (const auto& line : lines_of(gp)) {
    if (!line.empty() && (line[0] == '-' || std::isdigit(static_cast<unsigned char>(line[0]))))
      ++data_lines;
  }
  EXPECT_EQ(data_lines, 100u);
}

// A series' colour goes into its plot clause; with no labels at all there is no legend box.
TEST(Plot, ColourAndNoLegendWithoutLabels) {
  dezero::utils::Plot plot;
  plot.scatter(np::array({1.0, 2.0}), np::array({3.0, 4.0}));
  plot.line(np::array({1.0, 2.0}), np::array({3.0, 4.0})).color("red");
  const std::string gp = plot.script("out.png");
  EXPECT_NE(gp.find("set key off"), std::string::npos);
  EXPECT_EQ(gp.find("set key top right"), std::string::npos);
  EXPECT_NE(gp.find("with lines linewidth 1.5 linecolor rgb \"red\" notitle"), std::string::npos)
      << gp;
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [] { dezero::utils::Plot().color("red"); }, {"Plot::color", "no series"}));
}

TEST(Plot, SaveWritesAPngAndTheScript) {
  if (!on_path("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  TempDir dir;
  const auto plot = sample_plot();
  const fs::path png_file = dir.path() / "plot.png";
  plot.save(png_file.string());
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"plot.gp", "plot.png"}));
  EXPECT_EQ(read_file(dir.path() / "plot.gp"), plot.script("plot.png"));
  const Png png = read_png(png_file);
  EXPECT_TRUE(png.valid);
  EXPECT_EQ(png.width, 800u);
  EXPECT_EQ(png.height, 600u);
}

TEST(Plot, MissingGnuplotIsAToolError) {
  TempDir dir;
  const fs::path empty_bin = dir.path() / "empty_bin";
  fs::create_directories(empty_bin);
  const fs::path png_file = dir.path() / "plot.png";
  {
    const PathGuard guard(empty_bin.string());
    EXPECT_TRUE(throws_with<ToolError>([&] { sample_plot().save(png_file.string()); },
                                       {"gnuplot", "apt-get install gnuplot-nox"}));
  }
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"empty_bin", "plot.gp"}));
}

TEST(Plot, FailingGnuplotIsAToolError) {
  TempDir dir;
  const fs::path bin = fake_tool(dir, "gnuplot", "echo 'gnuplot: bad script' >&2\nexit 1\n");
  const fs::path png_file = dir.path() / "plot.png";
  {
    const PathGuard guard(bin.string());
    EXPECT_TRUE(throws_with<ToolError>([&] { sample_plot().save(png_file.string()); },
                                       {"`gnuplot` failed", "exit status 1", "bad script"}));
  }
  EXPECT_EQ(dir.entries(), (std::vector<std::string>{"bin", "plot.gp"}));
}

TEST(Plot, BadInput) {
  dezero::utils::Plot plot;
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.save("never.png"); }, {"nothing"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.line(np::zeros({3}), np::zeros({4})); },
                                                 {"3", "4"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { plot.scatter(np::zeros({2}), np::ndarray()); }, {"None"}));
  EXPECT_FALSE(fs::exists("never.png"));
  EXPECT_FALSE(fs::exists("never.gp"));
}

}  // namespace
