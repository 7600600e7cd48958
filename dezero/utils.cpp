#include "dezero/utils.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <mutex>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "np/io.hpp"

namespace dezero::utils {

namespace {

namespace fs = std::filesystem;

std::string dtype_label(const Variable& v) {
  return v.shape().str() + " " + std::string(np::dtype_name(v.dtype()));
}

}  // namespace

// ===================================== graphs ===============================================

namespace {
// Text inside a DOT label: quotes and backslashes escaped, lines ended with \l (left-aligned)
// when there is more than one. A line may end in \n, \r\n or \r. Other control characters
// become '?': Graphviz stops at a NUL with a syntax error. Graphviz reads no quoted string of
// more than 16384 bytes either, so a longer label goes in pieces joined by DOT's "a" + "b"
// (cut between characters, never inside an escape or a UTF-8 sequence).
std::string dot_escape(const std::string& text) {
  constexpr std::size_t piece = 16000;
  std::string out;
  std::size_t piece_start = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (out.size() - piece_start >= piece && (static_cast<unsigned char>(c) & 0xC0) != 0x80) {
      out += "\" + \"";
      piece_start = out.size();
    }
    if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\\l";
      continue;
    }
    if (c == '"' || c == '\\') {
      out += '\\';
    } else if ((static_cast<unsigned char>(c) < 0x20 && c != '\t') || c == 0x7f) {
      out += '?';
      continue;
    }
    out += c;
  }
  return out;
}

// An array for a graph label: NumPy's own print when it is small, else its range.
std::string array_label(const np::ndarray& a) {
  if (!a.defined()) return "None";
  if (a.size() <= 6) return np::str(a);
  if (a.size() == 0) return "(empty)";
  std::ostringstream os;
  os.precision(4);
  os << "min " << a.astype(np::float64).min().item<double>() << ", max "
     << a.astype(np::float64).max().item<double>();
  return os.str();
}

// The order in which Variable::backward takes the functions (its walk, following every input).
std::unordered_map<const Function*, int> backward_order(const Variable& output) {
  std::unordered_map<const Function*, int> order;
  GraphWalk walk(GraphWalk::Order::generation);
  walk.add(output.creator());
  while (const auto f = walk.next()) {
    order.emplace(f.get(), static_cast<int>(order.size()) + 1);
    for (const auto& x : f->inputs()) walk.add(x.creator());
  }
  return order;
}
}  // namespace

std::string get_dot_graph(const Variable& output, bool verbose) {
  return get_dot_graph(output, DotOptions{.verbose = verbose});
}

std::string get_dot_graph(const Variable& output, const DotOptions& options) {
  // Stable ids: each node gets the next number the first time the text mentions it.
  std::unordered_map<const void*, int> ids;
  auto id = [&](const void* p) {
    return ids.emplace(p, static_cast<int>(ids.size()) + 1).first->second;
  };
  const auto order =
      options.order ? backward_order(output) : std::unordered_map<const Function*, int>{};

  std::string txt;
  auto dot_var = [&](const Variable& v) {
    std::string label = v.name();
    if (options.verbose && v.data().defined()) {
      if (!label.empty()) label += ": ";
      label += dtype_label(v);
    }
    if (options.values) label += (label.empty() ? "" : "\n") + array_label(v.data());
    if (options.grads && v.grad()) label += "\ngrad " + array_label(v.grad().data());
    if (label.find_first_of("\r\n") != std::string::npos) label += '\n';
    txt += std::to_string(id(v.id())) + " [label=\"" + dot_escape(label) +
           "\", color=orange, style=filled]\n";
  };
  auto dot_func = [&](const Function& f) {
    const int fid = id(f.id());
    std::string label = f.type();
    if (const auto it = order.find(&f); it != order.end()) {
      label = "#" + std::to_string(it->second) + " " + label;
    }
    txt += std::to_string(fid) + " [label=\"" + dot_escape(label) +
           "\", color=lightblue, style=filled, shape=box]\n";
    for (const auto& x : f.inputs())
      txt += std::to_string(id(x.id())) + " -> " + std::to_string(fid) + "\n";
    for (const auto& y : f.outputs())
      txt += std::to_string(fid) + " -> " + std::to_string(id(y ? y.id() : nullptr)) + "\n";
  };

  // Functions are taken last-in first-out, without sorting, as in the book.
  GraphWalk walk(GraphWalk::Order::lifo);
  walk.add(output.creator());
  dot_var(output);
  while (const auto f = walk.next()) {
    dot_func(*f);
    for (const auto& x : f->inputs()) {
      dot_var(x);
      walk.add(x.creator());
    }
  }
  return "digraph g {\n" + txt + "}";
}

void draw_dot(const std::string& dot_text, const std::string& to_file) {
  const fs::path image(to_file);
  const std::string format = image.extension().string();
  if (format.size() < 2) {
    throw std::invalid_argument("plot_dot_graph: '" + to_file +
                                "' has no extension to choose the image format (.png, .svg, .pdf)");
  }
  fs::path dot_file = image;
  dot_file.replace_extension(".dot");
  np::write_file_atomically(dot_file, dot_text, "plot_dot_graph");
  draw_with({"dot", dot_file.string(), "-T", format.substr(1), "-o", "@OUT@"}, image, "graphviz",
            "plot_dot_graph");
}

void plot_dot_graph(const Variable& output, bool verbose, const std::string& to_file) {
  draw_dot(get_dot_graph(output, verbose), to_file);
}

void plot_dot_graph(const Variable& output, const DotOptions& options, const std::string& to_file) {
  draw_dot(get_dot_graph(output, options), to_file);
}

namespace {
long env_count(const char* name, long fallback) {
  const char* text = std::getenv(name);
  if (!text || !*text) return fallback;
  long n = 0;
  const auto [end, ec] = std::from_chars(text, text + std::strlen(text), n);
  if (ec != std::errc() || *end != '\0' || n < 0) {
    std::cerr << "dezero: ignoring " << name << "='" << text << "' (not a count); using "
              << fallback << "\n";
    return fallback;
  }
  return n;
}

std::size_t graph_size(const Variable& output) {
  std::unordered_set<const void*> nodes{output.id()};
  GraphWalk walk(GraphWalk::Order::lifo);
  walk.add(output.creator());
  while (const auto f = walk.next()) {
    nodes.insert(f.get());
    for (const auto& x : f->inputs()) {
      nodes.insert(x.id());
      walk.add(x.creator());
    }
  }
  return nodes.size();
}

// DEZERO_GRAPH=folder: the recorder observes every backward pass. This file is linked into
// every program that differentiates (core's Variable methods call the functions, whose
// backward passes call the helpers below), so a statically linked program installs it too.
void observe_backward(const Variable& output, const BackwardOptions&) {
  record_backward_graph(output);
}
[[maybe_unused]] const bool recorder_installed = [] {
  if (std::getenv("DEZERO_GRAPH") != nullptr) add_backward_observer(&observe_backward);
  return true;
}();
}  // namespace

void record_backward_graph(const Variable& output) {
  struct Recorder {
    fs::path folder;
    long limit = env_count("DEZERO_GRAPH_LIMIT", 20);
    long max_nodes = env_count("DEZERO_GRAPH_MAX_NODES", 400);
    long seen = 0, written = 0;
    bool told_limit = false, told_dot = false;
  };
  static Recorder recorder = [] {
    Recorder r;
    r.folder = std::getenv("DEZERO_GRAPH");
    return r;
  }();
  const long number = ++recorder.seen;
  if (recorder.written >= recorder.limit) {
    if (!recorder.told_limit) {
      std::cerr << "DEZERO_GRAPH: " << recorder.written
                << " graphs written; the later backward passes are not drawn "
                   "(DEZERO_GRAPH_LIMIT raises the cap)\n";
      recorder.told_limit = true;
    }
    return;
  }
  char stem[32];
  std::snprintf(stem, sizeof stem, "backward_%03ld", number);
  if (const std::size_t size = graph_size(output); size > std::size_t(recorder.max_nodes)) {
    std::cerr << "DEZERO_GRAPH: " << stem << " skipped: its graph has " << size
              << " nodes (DEZERO_GRAPH_MAX_NODES is " << recorder.max_nodes << ")\n";
    return;
  }
  try {
    fs::create_directories(recorder.folder);
    ++recorder.written;
    const std::string dot = get_dot_graph(output, {.verbose = true, .values = true, .grads = true,
                                                   .order = true});
    draw_dot(dot, (recorder.folder / (std::string(stem) + ".png")).string());
  } catch (const std::exception& e) {
    // The drawing is a help for the reader: the program goes on without it.
    if (!recorder.told_dot) {
      std::cerr << "DEZERO_GRAPH: " << e.what() << "\n";
      recorder.told_dot = true;
    }
  }
}

// ===================================== numerical checks =====================================

np::ndarray numerical_grad(const std::function<Variable(const Variable&)>& f,
                           const np::ndarray& x) {
  constexpr double eps = 1e-4;
  np::ndarray grad = np::zeros_like(x);
  np::ndarray probe = x.copy();
  for (std::int64_t i = 0; i < probe.size(); ++i) {
    const double tmp = probe.flat(i);
    probe.set_flat(i, tmp + eps);
    const np::ndarray y1 = f(Variable(probe)).data().copy();
    probe.set_flat(i, tmp - eps);
    const np::ndarray y2 = f(Variable(probe)).data().copy();
    const double diff = (y1 - y2).sum().item<double>();
    grad.set_flat(i, diff / (2 * eps));
    probe.set_flat(i, tmp);
  }
  return grad;
}

bool gradient_check(const std::function<Variable(const Variable&)>& f, const np::ndarray& x,
                    double rtol, double atol) {
  const np::ndarray x64 = x.astype(np::float64);
  const np::ndarray num_grad = numerical_grad(f, x64);
  const Variable v(x64);
  const Variable y = f(v);
  y.backward();
  const np::ndarray bp_grad = v.grad().data();
  if (!(bp_grad.shape() == num_grad.shape())) {
    throw std::logic_error("gradient_check: backprop gave shape " + bp_grad.shape().str() +
                           ", numerical differentiation " + num_grad.shape().str());
  }
  const bool ok = np::allclose(num_grad, bp_grad, rtol, atol);
  if (!ok) {
    std::cerr << "========== FAILED (Gradient Check) ==========\n"
              << "Numerical Grad\n shape: " << num_grad.shape() << "\n values: " << num_grad
              << "\nBackprop Grad\n shape: " << bp_grad.shape() << "\n values: " << bp_grad << "\n";
  }
  return ok;
}

bool array_allclose(const Variable& a, const Variable& b, double rtol, double atol) {
  return np::allclose(a.data(), b.data(), rtol, atol);
}

bool array_equal(const Variable& a, const Variable& b) {
  return np::array_equal(a.data(), b.data());
}

// ===================================== array helpers ========================================

Variable reshape_sum_backward(const Variable& gy, const np::Shape& x_shape, const np::Axes& axes,
                              bool keepdims) {
  const int ndim = x_shape.ndim();
  if (ndim == 0 || axes.is_none() || keepdims) return gy;
  std::vector<int> actual;
  for (int a : axes.axes()) actual.push_back(a >= 0 ? a : a + ndim);
  std::sort(actual.begin(), actual.end());
  np::Shape shape = gy.shape();
  for (int a : actual) shape.insert(a, 1);
  return gy.reshape(shape);
}

np::ndarray logsumexp(const np::ndarray& x, np::Axes axis) {
  const np::ndarray m = x.max(axis, /*keepdims=*/true);
  const np::ndarray s = np::exp(x - m).sum(axis, /*keepdims=*/true);
  return m + np::log(s);
}

np::Shape max_backward_shape(const np::Shape& x_shape, const np::Axes& axes) {
  const int ndim = x_shape.ndim();
  np::Shape shape = x_shape;
  if (axes.is_none()) {
    for (auto& d : shape) d = 1;
    return shape;
  }
  for (int a : axes.axes()) {
    if (a < -ndim || a >= ndim) {
      throw np::axis_error("max_backward_shape: axis " + std::to_string(a) +
                           " is out of bounds for an array of dimension " + std::to_string(ndim));
    }
    // The book compares the raw axis with 0..ndim-1, so a negative axis kept its length and
    // broadcasting failed; it is normalised here.
    shape[static_cast<std::size_t>(a < 0 ? a + ndim : a)] = 1;
  }
  return shape;
}

}  // namespace dezero::utils
