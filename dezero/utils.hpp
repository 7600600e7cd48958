// dezero/utils: graph drawings, plots, gradient checking and the book's array helpers
// (the book's utils.py).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "dezero/conv_sizes.hpp"
#include "dezero/core.hpp"

namespace dezero::utils {

// (The convolution sizes, Pair, pair, get_conv_outsize and get_deconv_outsize, are in
// dezero/conv_sizes.hpp, included above.)

// ===================================== graphs ===============================================
// What a graph drawing shows. The defaults draw exactly the book's graph.
//   utils::plot_dot_graph(loss, {.values = true, .grads = true}, "loss.png");
struct DotOptions {
  bool verbose = true;  // a variable's shape and dtype after its name: `x: (2, 3) float64`
  bool values = false;  // its data: small arrays as NumPy prints them, large ones as min/max
  bool grads = false;   // the gradient the last backward left on it (when it kept one)
  bool order = false;   // each function numbered in the order backward visits it: `#1 Mul`
};

// DOT text of the graph that leads to `output`, in the book's format: variables as orange
// ellipses (`x: (2, 3) float64` with verbose), functions as light blue boxes named by their
// class, edges from inputs to functions and from functions to outputs. Node ids are numbered
// in the order they first appear, so the same graph always gives the same text.
std::string get_dot_graph(const Variable& output, bool verbose = true);
std::string get_dot_graph(const Variable& output, const DotOptions& options);

// Writes DOT text to `<stem>.dot` beside `to_file` and draws it with Graphviz's `dot` in the
// format of to_file's extension (png, svg, pdf, ...). Throws ToolError when `dot` is missing
// or fails; the .dot file is written in any case.
void draw_dot(const std::string& dot_text, const std::string& to_file);

// Writes the DOT text beside the image (`goldstein.dot` next to `goldstein.png`) and runs
// Graphviz's `dot` to draw it in the format of to_file's extension (png, svg, pdf, ...).
// Throws ToolError when `dot` is missing or fails; the .dot file is written in any case.
void plot_dot_graph(const Variable& output, bool verbose = true,
                    const std::string& to_file = "graph.png");
void plot_dot_graph(const Variable& output, const DotOptions& options,
                    const std::string& to_file = "graph.png");

// With the environment variable DEZERO_GRAPH set to a folder, every backward() writes the
// graph it has just differentiated there (backward_001.dot and .png, with values and
// gradients), so that any step's graphs can be seen without changing its code.
// DEZERO_GRAPH_LIMIT (default 20) caps how many are written and DEZERO_GRAPH_MAX_NODES
// (default 400) how large one may be; what is skipped is said once on stderr. Called by
// Variable::backward; costs one flag test when the variable is not set.
void record_backward_graph(const Variable& output);

// Writes `text` to a temporary file beside `path` and renames it into place, so that a
// reader never sees a half-written file, even if the program dies midway.
void write_file_atomically(const std::string& path, const std::string& text);

// An external program (Graphviz, gnuplot) was missing or failed; what() says which and how
// to install it.
struct ToolError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Runs a program with an argument vector (no shell, so any file name is safe), capturing
// its standard output or its standard error into `captured`; the other stream is inherited
// and stdin is /dev/null. Returns the exit status (128 + signal when killed). Throws
// ToolError when the program cannot be started, naming the Debian `package` if given.
enum class Stream { out, err };
int run_program(const std::vector<std::string>& argv, Stream capture, std::string& captured,
                const std::string& package = {});

// ===================================== plots ================================================
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

// ===================================== numerical checks =====================================
// Central-difference gradient of sum(f(x)) with eps = 1e-4, one element at a time.
np::ndarray numerical_grad(const std::function<Variable(const Variable&)>& f, const np::ndarray& x);
// Backpropagation against numerical_grad at float64 (the book's tolerances). On a mismatch
// it prints both gradients to stderr and returns false.
bool gradient_check(const std::function<Variable(const Variable&)>& f, const np::ndarray& x,
                    double rtol = 1e-4, double atol = 1e-5);
// np.allclose / np.array_equal with Variables or arrays on either side.
bool array_allclose(const Variable& a, const Variable& b, double rtol = 1e-4, double atol = 1e-5);
bool array_equal(const Variable& a, const Variable& b);

// ===================================== array helpers ========================================
// Re-inserts the axes a sum removed (unless keepdims), so that its gradient broadcasts back.
Variable reshape_sum_backward(const Variable& gy, const np::Shape& x_shape, const np::Axes& axes,
                              bool keepdims);

// log(sum(exp(x), axis, keepdims=True)), computed as max + log(sum(exp(x - max))) so that
// large inputs do not overflow.
np::ndarray logsumexp(const np::ndarray& x, np::Axes axis = 1);
// The shape of max/min's result with the reduced axes kept as 1 (negative axes allowed).
np::Shape max_backward_shape(const np::Shape& x_shape, const np::Axes& axes);

// ===================================== data files ===========================================
// The data cache, where get_file keeps what it downloads: $DEZERO_HOME when set, else
// ~/.dezero (as the book's cache_dir). Created when a download needs it.
std::filesystem::path cache_dir();

// A download that failed: what() names the URL and why (HTTP status, broken connection,
// checksum). No file is left behind.
struct DownloadError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The book's get_file: the path of `file_name` (default: the URL's last part) in the data
// cache; downloaded with libcurl first when it is not there yet, with "Downloading: name", a
// progress bar and " Done" on stderr. The download goes to a temporary file in the cache that
// is renamed into place only when it is complete and, given `md5` (32 hex digits), when its MD5
// checksum matches; on any failure, also Ctrl-C, the temporary file is removed. A file that is
// already in the cache is returned as it is, without any network access (so files can be put
// there by hand). With the environment variable DEZERO_OFFLINE set (to anything but 0),
// nothing is downloaded: a missing file is a DownloadError at once.
std::filesystem::path get_file(const std::string& url, const std::string& file_name = {},
                               const std::string& md5 = {});

// MD5 (RFC 1321), to check downloads against their published checksums (integrity only: MD5
// is no protection against tampering).
class Md5 {
 public:
  Md5();
  Md5& update(const void* data, std::size_t size);
  std::string hex_digest();  // 32 lower-case hex digits; ends the computation

 private:
  void block(const unsigned char* p);
  std::uint32_t state_[4];
  std::uint64_t length_ = 0;
  unsigned char buffer_[64];
  std::size_t buffered_ = 0;
};
std::string md5_hex(const std::string& bytes);
// The MD5 of a file's contents; std::runtime_error naming the file when it cannot be read.
std::string md5_file(const std::filesystem::path& path);

}  // namespace dezero::utils
