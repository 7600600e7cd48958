#include "dezero/utils.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

extern char** environ;

namespace dezero::utils {

namespace {

namespace fs = std::filesystem;

// Writes through a temporary file and renames it into place, so that a reader never sees a
// half-written file, even if the program dies midway.
void write_file_atomically(const fs::path& path, const std::string& text) {
  const fs::path tmp = path.string() + ".tmp";
  {
    std::ofstream out(tmp, std::ios::binary | std::ios::trunc);
    if (!out)
      throw std::runtime_error("cannot write " + tmp.string() + ": " + std::strerror(errno));
    out << text;
    out.close();
    if (!out) {
      fs::remove(tmp);
      throw std::runtime_error("cannot write " + tmp.string());
    }
  }
  fs::rename(tmp, path);
}

// Runs `argv` to draw `target`: the program writes to a temporary name (put where an
// argument says @OUT@) that is renamed into place only when it succeeded.
void draw_with(std::vector<std::string> argv, const fs::path& target, const std::string& package,
               const std::string& what) {
  const std::string tmp = target.string() + ".tmp";
  for (auto& a : argv) {
    if (const auto p = a.find("@OUT@"); p != std::string::npos) a.replace(p, 5, tmp);
  }
  std::string errors;
  int status = 0;
  try {
    status = run_program(argv, Stream::err, errors, package);
  } catch (const ToolError& e) {
    throw ToolError(what + ": " + target.string() + " was not drawn: " + e.what());
  }
  if (status != 0 || !fs::exists(tmp)) {
    fs::remove(tmp);
    throw ToolError(what + ": `" + argv[0] + "` failed (exit status " + std::to_string(status) +
                    ") drawing " + target.string() + (errors.empty() ? "" : ": " + errors));
  }
  fs::rename(tmp, target);
}

std::string dtype_label(const Variable& v) {
  return v.shape().str() + " " + std::string(np::dtype_name(v.dtype()));
}

}  // namespace

int run_program(const std::vector<std::string>& argv, Stream capture, std::string& captured,
                const std::string& package) {
  if (argv.empty()) throw std::invalid_argument("run_program: no program given");
  int fds[2];
  if (pipe(fds) != 0) throw std::runtime_error("run_program: pipe failed");
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1],
                                   capture == Stream::out ? STDOUT_FILENO : STDERR_FILENO);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  const int err = posix_spawnp(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  if (err != 0) {
    close(fds[0]);
    throw ToolError("`" + argv[0] + "` could not be started (" + std::strerror(err) + ")" +
                    (package.empty() ? "" : "; install it with: apt-get install " + package));
  }
  char buffer[65536];
  for (ssize_t n; (n = read(fds[0], buffer, sizeof buffer)) > 0;) {
    captured.append(buffer, static_cast<std::size_t>(n));
  }
  close(fds[0]);
  int status = 0;
  waitpid(pid, &status, 0);
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

// ===================================== graphs ===============================================

std::string get_dot_graph(const Variable& output, bool verbose) {
  // Stable ids: each node gets the next number the first time the text mentions it.
  std::unordered_map<const void*, int> ids;
  auto id = [&](const void* p) {
    return ids.emplace(p, static_cast<int>(ids.size()) + 1).first->second;
  };

  std::string txt;
  auto dot_var = [&](const Variable& v) {
    std::string label = v.name();
    if (verbose && v.data().defined()) {
      if (!label.empty()) label += ": ";
      label += dtype_label(v);
    }
    txt += std::to_string(id(v.id())) + " [label=\"" + label + "\", color=orange, style=filled]\n";
  };
  auto dot_func = [&](const Function& f) {
    const int fid = id(f.id());
    txt += std::to_string(fid) + " [label=\"" + f.name() +
           "\", color=lightblue, style=filled, shape=box]\n";
    for (const auto& x : f.inputs())
      txt += std::to_string(id(x.id())) + " -> " + std::to_string(fid) + "\n";
    for (const auto& y : f.outputs())
      txt += std::to_string(fid) + " -> " + std::to_string(id(y ? y.id() : nullptr)) + "\n";
  };

  // Functions are taken last-in first-out, without sorting, as in the book.
  std::vector<std::shared_ptr<Function>> funcs;
  std::unordered_set<const Function*> seen;
  auto add_func = [&](const std::shared_ptr<Function>& f) {
    if (f && seen.insert(f.get()).second) funcs.push_back(f);
  };
  add_func(output.creator());
  dot_var(output);
  while (!funcs.empty()) {
    const auto f = funcs.back();
    funcs.pop_back();
    dot_func(*f);
    for (const auto& x : f->inputs()) {
      dot_var(x);
      add_func(x.creator());
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
  write_file_atomically(dot_file, dot_text);
  draw_with({"dot", dot_file.string(), "-T", format.substr(1), "-o", "@OUT@"}, image, "graphviz",
            "plot_dot_graph");
}

void plot_dot_graph(const Variable& output, bool verbose, const std::string& to_file) {
  draw_dot(get_dot_graph(output, verbose), to_file);
}

// ===================================== plots ================================================

Plot& Plot::title(std::string text) {
  title_ = std::move(text);
  return *this;
}
Plot& Plot::xlabel(std::string text) {
  xlabel_ = std::move(text);
  return *this;
}
Plot& Plot::ylabel(std::string text) {
  ylabel_ = std::move(text);
  return *this;
}
Plot& Plot::legend(std::string position) {
  legend_ = std::move(position);
  return *this;
}

namespace {
std::vector<double> values_of(const np::ndarray& a, const char* what) {
  if (!a.defined())
    throw std::invalid_argument(std::string("Plot: the ") + what + " array is None");
  return a.to_vector<double>();
}

// A gnuplot string literal.
std::string quoted(const std::string& s) {
  std::string out = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') out += '\\';
    out += c;
  }
  return out + "\"";
}

std::string number(double v) {
  char buf[32];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}
}  // namespace

Plot& Plot::line(const np::ndarray& x, const np::ndarray& y, std::string label) {
  Series s{values_of(x, "x"), values_of(y, "y"), std::move(label), false};
  if (s.x.size() != s.y.size()) {
    throw std::invalid_argument("Plot::line: x has " + std::to_string(s.x.size()) +
                                " values but y has " + std::to_string(s.y.size()));
  }
  series_.push_back(std::move(s));
  return *this;
}

Plot& Plot::scatter(const np::ndarray& x, const np::ndarray& y, std::string label) {
  Series s{values_of(x, "x"), values_of(y, "y"), std::move(label), true};
  if (s.x.size() != s.y.size()) {
    throw std::invalid_argument("Plot::scatter: x has " + std::to_string(s.x.size()) +
                                " values but y has " + std::to_string(s.y.size()));
  }
  series_.push_back(std::move(s));
  return *this;
}

Plot& Plot::color(std::string name) {
  if (series_.empty()) throw std::invalid_argument("Plot::color: no series to colour yet");
  series_.back().color = std::move(name);
  return *this;
}

std::string Plot::script(const std::string& png_file) const {
  std::ostringstream gp;
  gp << "# Drawn by dezero::utils::Plot; run `gnuplot <this file>` to draw it again.\n"
     << "set terminal pngcairo size 800,600 noenhanced font \",11\"\n"
     << "if (!exists(\"outfile\")) outfile = " << quoted(png_file) << "\n"
     << "set output outfile\n"
     << (std::any_of(series_.begin(), series_.end(), [](const Series& s) { return !s.label.empty(); })
             ? "set key " + legend_ + " box opaque reverse Left\n"
             : std::string("set key off\n"))
     // matplotlib's default colours and margins, so the figure looks like the book's
     << "set linetype 1 lc rgb '#1f77b4'\nset linetype 2 lc rgb '#ff7f0e'\n"
     << "set linetype 3 lc rgb '#2ca02c'\nset linetype 4 lc rgb '#d62728'\n"
     << "set linetype 5 lc rgb '#9467bd'\nset linetype 6 lc rgb '#8c564b'\n"
     << "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
     << "set autoscale fix\nset tics out nomirror\n";
  if (!title_.empty()) gp << "set title " << quoted(title_) << "\n";
  if (!xlabel_.empty()) gp << "set xlabel " << quoted(xlabel_) << "\n";
  if (!ylabel_.empty()) gp << "set ylabel " << quoted(ylabel_) << "\n";
  gp << "plot ";
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const auto& s = series_[i];
    gp << (i ? ", " : "") << "'-' using 1:2 with "
       << (s.points ? "points pointtype 7 pointsize 0.8" : "lines linewidth 1.5") << " "
       << (s.color.empty() ? "" : "linecolor rgb " + quoted(s.color) + " ")
       << (s.label.empty() ? "notitle" : "title " + quoted(s.label));
  }
  gp << "\n";
  for (const auto& s : series_) {
    for (std::size_t i = 0; i < s.x.size(); ++i)
      gp << number(s.x[i]) << " " << number(s.y[i]) << "\n";
    gp << "e\n";
  }
  return gp.str();
}

void Plot::save(const std::string& path) const {
  if (series_.empty()) throw std::invalid_argument("Plot::save: nothing to plot in " + path);
  fs::path script_file(path);
  script_file.replace_extension(".gp");
  write_file_atomically(script_file, script(fs::path(path).filename().string()));
  draw_with({"gnuplot", "-e", "outfile='@OUT@'", script_file.string()}, path, "gnuplot-nox",
            "Plot::save");
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

// ===================================== step programs ========================================

std::map<std::string, long> step_options(int argc, char** argv,
                                         std::map<std::string, long> defaults) {
  const std::string program = argc > 0 ? std::filesystem::path(argv[0]).filename().string() : "step";
  auto usage = [&](const std::string& problem) {
    std::cerr << program << ": " << problem << "\nusage: " << program;
    for (const auto& [name, value] : defaults) std::cerr << " [--" << name << " N]";
    std::cerr << "\n";
    std::exit(2);
  };
  std::map<std::string, long> options = defaults;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg.rfind("--", 0) != 0 || !defaults.contains(arg.substr(2))) {
      usage("unknown option '" + arg + "'");
    }
    if (i + 1 >= argc) usage("option " + arg + " needs a value");
    const std::string value = argv[++i];
    long n = 0;
    const auto [end, ec] = std::from_chars(value.data(), value.data() + value.size(), n);
    if (ec != std::errc() || end != value.data() + value.size() || n < 0) {
      usage("option " + arg + " needs a count (a non-negative integer), not '" + value + "'");
    }
    options[arg.substr(2)] = n;
  }
  return options;
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
