// dezero/utils: the book's utils.py: graph drawings (get_dot_graph, plot_dot_graph and the
// DEZERO_GRAPH recorder), gradient checking, the array helpers of the functions' backward
// passes and the convolution sizes (dezero/conv_sizes.hpp). The book's sum_to is np::sum_to
// (F::sum_to as a function). What stands in for other Python libraries has its own header:
// dezero/plot.hpp for matplotlib, dezero/process.hpp for running Graphviz and gnuplot.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <stdexcept>
#include <string>
#include <vector>

#include "dezero/conv_sizes.hpp"
#include "dezero/core.hpp"
#include "dezero/process.hpp"

namespace dezero::utils {

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
// (default 400) how large one may be; what is skipped is said once on stderr. It observes
// Variable::backward (dezero::add_backward_observer) when DEZERO_GRAPH is set at start-up;
// otherwise backward does not call it at all.
void record_backward_graph(const Variable& output);

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
