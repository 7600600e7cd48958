#include "dezero/plot.hpp"

#include <algorithm>
#include <charconv>
#include <filesystem>
#include <iostream>
#include <map>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "np/io.hpp"

namespace dezero::utils {

namespace fs = std::filesystem;

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

Plot& Plot::marker(std::string name, double scale) {
  if (series_.empty() || !series_.back().points)
    throw std::invalid_argument("Plot::marker: no scatter series to mark yet");
  static const std::vector<std::string> known = {"o", "x", "+", "^", "v", "s", "."};
  if (std::find(known.begin(), known.end(), name) == known.end()) {
    throw std::invalid_argument("Plot::marker: unknown marker '" + name +
                                "' (o, x, +, ^, v, s or .)");
  }
  if (!(scale > 0)) {
    throw std::invalid_argument("Plot::marker: the scale must be positive, not " + number(scale));
  }
  series_.back().marker = std::move(name);
  series_.back().marker_scale = scale;
  return *this;
}

Plot& Plot::regions(const np::ndarray& x, const np::ndarray& y, const np::ndarray& z,
                    std::vector<std::string> colors) {
  const std::vector<double> xs = values_of(x, "x"), ys = values_of(y, "y");
  if (!z.defined()) throw std::invalid_argument("Plot::regions: the z array is None");
  if (z.ndim() != 2 || z.shape()[0] != static_cast<std::int64_t>(ys.size()) ||
      z.shape()[1] != static_cast<std::int64_t>(xs.size()) || xs.size() < 2 || ys.size() < 2) {
    throw np::shape_error("Plot::regions: z " + z.shape().str() + " must be (len(y), len(x)) = (" +
                          std::to_string(ys.size()) + ", " + std::to_string(xs.size()) +
                          ") with at least two values on each axis");
  }
  if (!np::is_integer(z.dtype())) {
    throw np::dtype_error("Plot::regions: z holds class numbers, so an integer dtype, not " +
                          std::string(np::dtype_name(z.dtype())));
  }
  Regions r;
  r.nx = static_cast<std::int64_t>(xs.size());
  r.ny = static_cast<std::int64_t>(ys.size());
  r.x0 = xs.front();
  r.y0 = ys.front();
  r.dx = (xs.back() - xs.front()) / static_cast<double>(r.nx - 1);
  r.dy = (ys.back() - ys.front()) / static_cast<double>(r.ny - 1);
  int classes = 0;
  for (const double v : z.to_vector<double>()) {
    if (v < 0) throw std::invalid_argument("Plot::regions: class " + number(v) + " is negative");
    r.z.push_back(static_cast<int>(v));
    classes = std::max(classes, r.z.back() + 1);
  }
  if (colors.empty()) {
    // the shades matplotlib's contourf gives classes 0, 1, 2 (viridis)
    if (classes <= 2) colors = {"#48186a", "#d8e219"};
    if (classes == 3) colors = {"#48186a", "#26828e", "#d8e219"};
  }
  if (static_cast<int>(colors.size()) < classes) {
    throw std::invalid_argument("Plot::regions: z has " + std::to_string(classes) +
                                " classes but " + std::to_string(colors.size()) +
                                " colours were given");
  }
  r.colors = std::move(colors);
  regions_ = std::move(r);
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
     << (regions_.z.empty() ? "set offsets graph 0.05, graph 0.05, graph 0.05, graph 0.05\n"
                            : "set offsets 0, 0, 0, 0\n")
     << "set autoscale fix\nset tics out nomirror\n";
  if (!title_.empty()) gp << "set title " << quoted(title_) << "\n";
  if (!xlabel_.empty()) gp << "set xlabel " << quoted(xlabel_) << "\n";
  if (!ylabel_.empty()) gp << "set ylabel " << quoted(ylabel_) << "\n";
  const bool has_regions = !regions_.z.empty();
  if (has_regions) {
    // One flat colour per class: a palette that steps at k +- 0.5, and the class numbers as a
    // matrix drawn as an image.
    const auto& r = regions_;
    gp << "set palette defined (";
    for (std::size_t k = 0; k < r.colors.size(); ++k) {
      gp << (k ? ", " : "") << number(k - 0.5) << " " << quoted(r.colors[k]) << ", "
         << number(k + 0.5) << " " << quoted(r.colors[k]);
    }
    gp << ")\nset cbrange [-0.5:" << number(r.colors.size() - 0.5) << "]\nunset colorbox\n"
       << "$regions << EOD\n";
    for (std::int64_t i = 0; i < r.ny; ++i) {
      for (std::int64_t j = 0; j < r.nx; ++j) gp << (j ? " " : "") << r.z[i * r.nx + j];
      gp << "\n";
    }
    gp << "EOD\n";
  }
  // matplotlib's markers as gnuplot point types
  auto point_type = [](const std::string& m) {
    static const std::map<std::string, int> types = {{"o", 7}, {"x", 2}, {"+", 1}, {"^", 9},
                                                     {"v", 11}, {"s", 5}, {".", 0}};
    return types.at(m);
  };
  gp << "plot ";
  if (has_regions) {
    const auto& r = regions_;
    gp << "$regions matrix using (" << number(r.x0) << " + $1 * " << number(r.dx) << "):("
       << number(r.y0) << " + $2 * " << number(r.dy) << "):3 with image notitle";
  }
  for (std::size_t i = 0; i < series_.size(); ++i) {
    const auto& s = series_[i];
    gp << (i || has_regions ? ", " : "") << "'-' using 1:2 with "
       << (s.points ? "points pointtype " + std::to_string(point_type(s.marker)) +
                          " pointsize " +
                          number((s.marker == "x" || s.marker == "+" ? 1.2 : 0.8) * s.marker_scale) +
                          (s.marker == "x" || s.marker == "+" ? " linewidth 2" : "")
                    : std::string("lines linewidth 1.5"))
       << " " << (s.color.empty() ? "" : "linecolor rgb " + quoted(s.color) + " ")
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
  if (series_.empty() && regions_.z.empty())
    throw std::invalid_argument("Plot::save: nothing to plot in " + path);
  fs::path script_file(path);
  script_file.replace_extension(".gp");
  np::write_file_atomically(script_file, script(fs::path(path).filename().string()), "Plot::save");
  draw_with({"gnuplot", "-e", "outfile='@OUT@'", script_file.string()}, path, "gnuplot-nox",
            "Plot::save");
}

// The classes `predict` gives on a grid over the 2-D points x, filled in the book's colours,
// with the points of each class on top (steps 48 and 49).
void plot_decision_regions(const std::function<Variable(const Variable&)>& predict,
                           const np::ndarray& x, const np::ndarray& t, const std::string& file) {
  // The book samples every 0.001; 0.004 is finer than the picture's pixels all the same.
  const double h = 0.004;
  const np::ndarray x0 = x[{np::slice(), 0}], x1 = x[{np::slice(), 1}];
  const np::ndarray xs = np::arange(x0.min().item<double>() - .1, x0.max().item<double>() + .1, h);
  const np::ndarray ys = np::arange(x1.min().item<double>() - .1, x1.max().item<double>() + .1, h);
  // np.c_[xx.ravel(), yy.ravel()] of the meshgrid: row i * nx + j is (xs[j], ys[i])
  const std::int64_t nx = xs.len(), ny = ys.len();
  np::ndarray grid({nx * ny, 2}, np::float64);
  double* g = grid.data<double>();
  for (std::int64_t i = 0; i < ny; ++i) {
    for (std::int64_t j = 0; j < nx; ++j) {
      g[2 * (i * nx + j)] = xs.flat(j);
      g[2 * (i * nx + j) + 1] = ys.flat(i);
    }
  }
  Variable score;
  {
    const auto guard = no_grad();
    score = predict(Variable(grid));
  }
  const np::ndarray predict_cls = np::argmax(score.data(), 1).reshape({ny, nx});

  Plot plot;
  plot.regions(xs, ys, predict_cls);
  // the book's 'o', 'x', '^' in matplotlib's orange, blue and green
  const std::vector<std::string> markers = {"o", "x", "^"};
  const std::vector<std::string> colors = {"#ffa500", "#0000ff", "#008000"};
  for (std::int64_t c = 0; c < 3; ++c) {
    const np::ndarray mine = t == np::ndarray(c);
    plot.scatter(x0[mine], x1[mine]).marker(markers[c], 1.5).color(colors[c]);
  }
  try {
    plot.save(file);
    std::cerr << "wrote " << file << "\n";
  } catch (const ToolError& e) {
    std::cerr << e.what() << "\n";
  }
}

}  // namespace dezero::utils
