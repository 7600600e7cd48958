// dezero/plot: the book's matplotlib figures, drawn by gnuplot (Debian's gnuplot-nox) into
// PNG files, as dezero/image stands in for PIL.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "dezero/core.hpp"
#include "dezero/process.hpp"

namespace dezero::utils {

// A small plotting interface in place of the book's matplotlib figures, drawn by gnuplot
// (Debian's gnuplot-nox) into a PNG:
//
//   utils::Plot plot;
//   plot.line(x, y, "y=sin(x)").legend("bottom right");
//   plot.save("step34.png");   // also writes step34.gp, the gnuplot script it ran
class Plot {
 public:
  Plot& title(std::string text);
  Plot& xlabel(std::string text);
  Plot& ylabel(std::string text);
  // Where the legend goes, in gnuplot's words: "bottom right", "top left", ...
  Plot& legend(std::string position);
  // A curve through the points (x[i], y[i]); x and y are 1-D (or (N, 1)) arrays.
  Plot& line(const np::ndarray& x, const np::ndarray& y, std::string label = {});
  // Points at (x[i], y[i]).
  Plot& scatter(const np::ndarray& x, const np::ndarray& y, std::string label = {});
  // The colour of the series added last, as gnuplot names it ("red", "#d62728"); the default
  // is matplotlib's colour cycle.
  Plot& color(std::string name);
  // The marker of the scatter series added last: "o" (a filled circle, the default), "x",
  // "+", "^", "v", "s" (a filled square) or "." (a dot), as matplotlib names them; `scale`
  // enlarges (> 1) or shrinks it.
  Plot& marker(std::string name, double scale = 1.0);
  // Regions coloured by class, as matplotlib's contourf(xx, yy, Z) of predicted classes: z is
  // (ny, nx) integers in [0, K) on the grid of x (nx,) by y (ny,) evenly spaced values, and
  // class k is filled with colors[k] (default: the viridis shades matplotlib gives up to three
  // classes). Drawn below the other series, and the axes end at the grid's edges.
  Plot& regions(const np::ndarray& x, const np::ndarray& y, const np::ndarray& z,
                std::vector<std::string> colors = {});

  // The gnuplot script, data included, that draws the figure into `png_file`.
  std::string script(const std::string& png_file) const;
  // Writes `<stem>.gp` and draws `<path>` (a .png) with gnuplot; ToolError when gnuplot is
  // missing or fails.
  void save(const std::string& path) const;

 private:
  struct Series {
    std::vector<double> x, y;
    std::string label;
    bool points;
    std::string color = {};
    std::string marker = "o";
    double marker_scale = 1.0;
  };
  struct Regions {
    double x0 = 0, dx = 1, y0 = 0, dy = 1;
    std::int64_t nx = 0, ny = 0;
    std::vector<int> z;  // row-major, (ny, nx)
    std::vector<std::string> colors;
  };
  std::string title_, xlabel_, ylabel_, legend_ = "top right";
  std::vector<Series> series_;
  Regions regions_;
};

// The decision regions of a classifier of 2-D points, as steps 48 and 49 draw them: the class
// `predict` gives (the argmax of its scores) on a grid over x (N, 2), filled in the book's
// colours, and the points of each of the three classes t on top, as `file` (a PNG). A missing
// gnuplot is said on stderr; the program goes on.
void plot_decision_regions(const std::function<Variable(const Variable&)>& predict,
                           const np::ndarray& x, const np::ndarray& t, const std::string& file);

}  // namespace dezero::utils
