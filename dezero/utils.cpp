#include "dezero/utils.hpp"

#include <curl/curl.h>
#include <fcntl.h>
#include <pwd.h>
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

// ===================================== data files ===========================================

std::filesystem::path cache_dir() {
  if (const char* home = std::getenv("DEZERO_HOME"); home && *home) return fs::path(home);
  const char* home = std::getenv("HOME");
  if (!home || !*home) {
    const passwd* pw = getpwuid(getuid());
    home = pw ? pw->pw_dir : nullptr;
  }
  if (!home) {
    throw std::runtime_error(
        "cache_dir: neither DEZERO_HOME nor HOME is set, so there is no data cache");
  }
  return fs::path(home) / ".dezero";
}

// --- MD5 (RFC 1321) --------------------------------------------------------------------------

namespace {
constexpr std::uint32_t md5_k[64] = {
    0xd76aa478, 0xe8c7b756, 0x242070db, 0xc1bdceee, 0xf57c0faf, 0x4787c62a, 0xa8304613,
    0xfd469501, 0x698098d8, 0x8b44f7af, 0xffff5bb1, 0x895cd7be, 0x6b901122, 0xfd987193,
    0xa679438e, 0x49b40821, 0xf61e2562, 0xc040b340, 0x265e5a51, 0xe9b6c7aa, 0xd62f105d,
    0x02441453, 0xd8a1e681, 0xe7d3fbc8, 0x21e1cde6, 0xc33707d6, 0xf4d50d87, 0x455a14ed,
    0xa9e3e905, 0xfcefa3f8, 0x676f02d9, 0x8d2a4c8a, 0xfffa3942, 0x8771f681, 0x6d9d6122,
    0xfde5380c, 0xa4beea44, 0x4bdecfa9, 0xf6bb4b60, 0xbebfbc70, 0x289b7ec6, 0xeaa127fa,
    0xd4ef3085, 0x04881d05, 0xd9d4d039, 0xe6db99e5, 0x1fa27cf8, 0xc4ac5665, 0xf4292244,
    0x432aff97, 0xab9423a7, 0xfc93a039, 0x655b59c3, 0x8f0ccc92, 0xffeff47d, 0x85845dd1,
    0x6fa87e4f, 0xfe2ce6e0, 0xa3014314, 0x4e0811a1, 0xf7537e82, 0xbd3af235, 0x2ad7d2bb,
    0xeb86d391};
constexpr int md5_shift[64] = {7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
                               5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20, 5, 9,  14, 20,
                               4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
                               6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21};
}  // namespace

Md5::Md5() : state_{0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476}, buffer_{} {}

void Md5::block(const unsigned char* p) {
  std::uint32_t m[16];
  for (int i = 0; i < 16; ++i) {
    m[i] = static_cast<std::uint32_t>(p[4 * i]) | static_cast<std::uint32_t>(p[4 * i + 1]) << 8 |
           static_cast<std::uint32_t>(p[4 * i + 2]) << 16 |
           static_cast<std::uint32_t>(p[4 * i + 3]) << 24;
  }
  std::uint32_t a = state_[0], b = state_[1], c = state_[2], d = state_[3];
  for (int i = 0; i < 64; ++i) {
    std::uint32_t f;
    int g;
    if (i < 16) {
      f = (b & c) | (~b & d);
      g = i;
    } else if (i < 32) {
      f = (d & b) | (~d & c);
      g = (5 * i + 1) % 16;
    } else if (i < 48) {
      f = b ^ c ^ d;
      g = (3 * i + 5) % 16;
    } else {
      f = c ^ (b | ~d);
      g = (7 * i) % 16;
    }
    const std::uint32_t sum = a + f + md5_k[i] + m[g];
    a = d;
    d = c;
    c = b;
    b += (sum << md5_shift[i]) | (sum >> (32 - md5_shift[i]));
  }
  state_[0] += a;
  state_[1] += b;
  state_[2] += c;
  state_[3] += d;
}

Md5& Md5::update(const void* data, std::size_t size) {
  const auto* p = static_cast<const unsigned char*>(data);
  length_ += size;
  while (size > 0) {
    const std::size_t n = std::min(size, sizeof buffer_ - buffered_);
    std::memcpy(buffer_ + buffered_, p, n);
    buffered_ += n;
    p += n;
    size -= n;
    if (buffered_ == sizeof buffer_) {
      block(buffer_);
      buffered_ = 0;
    }
  }
  return *this;
}

std::string Md5::hex_digest() {
  const std::uint64_t bits = length_ * 8;
  const unsigned char one = 0x80, zero = 0;
  update(&one, 1);
  while (buffered_ != 56) update(&zero, 1);
  unsigned char tail[8];
  for (int i = 0; i < 8; ++i) tail[i] = static_cast<unsigned char>(bits >> (8 * i));
  update(tail, 8);
  static const char digits[] = "0123456789abcdef";
  std::string out;
  for (const std::uint32_t word : state_) {
    for (int i = 0; i < 4; ++i) {
      const unsigned byte = (word >> (8 * i)) & 0xff;
      out += digits[byte >> 4];
      out += digits[byte & 15];
    }
  }
  return out;
}

std::string md5_hex(const std::string& bytes) { return Md5().update(bytes.data(), bytes.size()).hex_digest(); }

std::string md5_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("md5_file: cannot read " + path.string());
  Md5 md5;
  std::vector<char> buffer(1 << 16);
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    md5.update(buffer.data(), static_cast<std::size_t>(in.gcount()));
  }
  if (in.bad()) throw std::runtime_error("md5_file: error reading " + path.string());
  return md5.hex_digest();
}

// --- get_file ----------------------------------------------------------------------------------

namespace {

// Ctrl-C or a termination request during a download: noted here, so that the transfer stops
// and the partial file is removed before the signal takes its usual course.
volatile std::sig_atomic_t download_signal = 0;
void note_download_signal(int sig) { download_signal = sig; }

// Catches SIGINT and SIGTERM for as long as it lives, and puts the old handlers back.
class SignalCatcher {
 public:
  SignalCatcher() {
    download_signal = 0;
    struct sigaction action {};
    action.sa_handler = note_download_signal;
    sigemptyset(&action.sa_mask);
    sigaction(SIGINT, &action, &old_int_);
    sigaction(SIGTERM, &action, &old_term_);
  }
  ~SignalCatcher() { restore(); }
  void restore() {
    if (restored_) return;
    sigaction(SIGINT, &old_int_, nullptr);
    sigaction(SIGTERM, &old_term_, nullptr);
    restored_ = true;
  }
  SignalCatcher(const SignalCatcher&) = delete;
  SignalCatcher& operator=(const SignalCatcher&) = delete;

 private:
  struct sigaction old_int_ {}, old_term_ {};
  bool restored_ = false;
};

// What the libcurl callbacks share with get_file.
struct Transfer {
  std::FILE* out = nullptr;
  Md5 md5;
  std::uint64_t received = 0;
  std::string write_error;
  std::string last_bar;
  bool drew_bar = false;
};

std::size_t write_chunk(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  const std::size_t n = size * count;
  if (std::fwrite(data, 1, n, t->out) != n) {
    t->write_error = std::strerror(errno);
    return 0;  // libcurl stops with CURLE_WRITE_ERROR
  }
  t->md5.update(data, n);
  t->received += n;
  return n;
}

// The book's show_progress: 30 characters of '#' and '.', and the percentage.
void draw_bar(Transfer* t, curl_off_t total, curl_off_t now) {
  std::string bar;
  if (total > 0) {
    const double fraction = std::min(1.0, static_cast<double>(now) / static_cast<double>(total));
    const int done = std::min(30, static_cast<int>(fraction * 30));
    char percent[16];
    std::snprintf(percent, sizeof percent, "%.2f%%", fraction * 100);
    bar = "[" + std::string(done, '#') + std::string(30 - done, '.') + "] " + percent;
  } else if (now > 0) {
    bar = "[" + std::to_string(now / 1024) + " KiB]";
  }
  if (!bar.empty() && bar != t->last_bar) {
    std::cerr << "\r" << bar << std::flush;
    t->last_bar = bar;
    t->drew_bar = true;
  }
}

int show_progress(void* user, curl_off_t total, curl_off_t now, curl_off_t, curl_off_t) {
  if (download_signal) return 1;  // abort: CURLE_ABORTED_BY_CALLBACK
  draw_bar(static_cast<Transfer*>(user), total, now);
  return 0;
}

bool is_md5_hex(const std::string& s) {
  return s.size() == 32 && std::all_of(s.begin(), s.end(), [](char c) {
           return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
         });
}

}  // namespace

std::filesystem::path get_file(const std::string& url, const std::string& file_name,
                               const std::string& md5) {
  std::string name = file_name;
  if (name.empty()) name = url.substr(url.rfind('/') + 1);
  if (name.empty()) {
    throw std::invalid_argument("get_file: the URL '" + url +
                                "' ends in '/', so give the file name to save it as");
  }
  if (!md5.empty() && !is_md5_hex(md5)) {
    throw std::invalid_argument("get_file: '" + md5 + "' is not an MD5 checksum (32 hex digits)");
  }
  const fs::path path = cache_dir() / name;
  if (fs::exists(path)) return path;
  if (const char* offline = std::getenv("DEZERO_OFFLINE");
      offline && *offline && std::string(offline) != "0") {
    throw DownloadError("get_file: " + path.string() + " is not in the data cache, and " +
                        "downloads are switched off (DEZERO_OFFLINE is set), so " + url +
                        " was not fetched");
  }

  std::error_code ec;
  // The folders made for the file go again if the download fails.
  fs::path made = path.parent_path();
  while (!made.parent_path().empty() && made.parent_path() != made &&
         !fs::exists(made.parent_path()))
    made = made.parent_path();
  if (fs::exists(made)) made.clear();
  fs::create_directories(path.parent_path(), ec);
  if (ec) {
    throw DownloadError("get_file: cannot create the data cache " + path.parent_path().string() +
                        ": " + ec.message());
  }
  // One download at a time: the signal handlers are process-wide.
  static std::mutex one_at_a_time;
  const std::lock_guard lock(one_at_a_time);
  static std::once_flag curl_ready;
  std::call_once(curl_ready, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });

  // The temporary file is in the cache folder itself, so that the final rename cannot cross
  // file systems; its name starts with '.' and ends with a random part.
  std::string tmp = (path.parent_path() / ("." + path.filename().string() + ".download-XXXXXX")).string();
  const int fd = mkstemp(tmp.data());
  if (fd < 0) {
    throw DownloadError("get_file: cannot create a temporary file in " +
                        path.parent_path().string() + ": " + std::strerror(errno));
  }
  Transfer transfer;
  transfer.out = fdopen(fd, "wb");
  auto fail = [&](const std::string& why) -> DownloadError {
    if (transfer.out) std::fclose(transfer.out);
    transfer.out = nullptr;
    fs::remove(tmp, ec);
    // the folders made above, as long as they are empty
    for (fs::path dir = path.parent_path(); !made.empty(); dir = dir.parent_path()) {
      if (!fs::remove(dir, ec) || dir == made) break;
    }
    if (transfer.drew_bar) std::cerr << "\n";
    return DownloadError("get_file: downloading " + url + " failed: " + why +
                         "; nothing was saved to " + path.string());
  };
  if (!transfer.out) {
    close(fd);
    throw fail(std::strerror(errno));
  }

  std::cerr << "Downloading: " << name << "\n";
  CURL* curl = curl_easy_init();
  if (!curl) throw fail("libcurl could not start");
  char curl_error[CURL_ERROR_SIZE] = "";
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, write_chunk);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
  curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, show_progress);
  curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
  curl_easy_setopt(curl, CURLOPT_FAILONERROR, 1L);  // HTTP 4xx/5xx is an error, not a file
  curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(curl, CURLOPT_MAXREDIRS, 10L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_USERAGENT, "dezero-cpp");
  // Give up on a server that does not answer, or a transfer that stalls, instead of hanging.
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 20L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 100L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, 30L);

  SignalCatcher catcher;
  const CURLcode result = curl_easy_perform(curl);
  curl_off_t expected = -1;
  curl_easy_getinfo(curl, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &expected);
  long status = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
  curl_easy_cleanup(curl);

  if (const int sig = download_signal) {
    const DownloadError error = fail("interrupted by signal " + std::to_string(sig));
    catcher.restore();
    std::raise(sig);  // the signal's own effect (by default, the end of the program)
    throw error;
  }
  catcher.restore();
  if (result != CURLE_OK) {
    std::string why;
    if (result == CURLE_WRITE_ERROR && !transfer.write_error.empty()) {
      why = "cannot write " + tmp + ": " + transfer.write_error;
    } else if (result == CURLE_HTTP_RETURNED_ERROR) {
      why = "the server answered HTTP " + std::to_string(status);
    } else if (result == CURLE_PARTIAL_FILE) {
      why = "the connection broke after " + std::to_string(transfer.received) +
            (expected >= 0 ? " of " + std::to_string(expected) : std::string()) + " bytes";
    } else {
      why = *curl_error ? curl_error : curl_easy_strerror(result);
    }
    throw fail(why);
  }
  if (expected >= 0 && transfer.received != static_cast<std::uint64_t>(expected)) {
    throw fail("received " + std::to_string(transfer.received) + " of " +
               std::to_string(expected) + " bytes");
  }
  if (std::fflush(transfer.out) != 0 || fsync(fileno(transfer.out)) != 0) {
    throw fail("cannot write " + tmp + ": " + std::strerror(errno));
  }
  const int closed = std::fclose(transfer.out);
  transfer.out = nullptr;
  if (closed != 0) throw fail("cannot write " + tmp + ": " + std::strerror(errno));
  if (!md5.empty()) {
    std::string want = md5;
    std::transform(want.begin(), want.end(), want.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    const std::string got = transfer.md5.hex_digest();
    if (got != want) throw fail("its MD5 checksum is " + got + ", expected " + want);
  }
  fs::rename(tmp, path, ec);
  if (ec) throw fail("cannot rename it to " + path.string() + ": " + ec.message());
  // the last progress call may have come before the last bytes
  if (expected > 0) draw_bar(&transfer, expected, expected);
  if (transfer.drew_bar) std::cerr << "\n";
  std::cerr << " Done\n";
  return path;
}

}  // namespace dezero::utils
