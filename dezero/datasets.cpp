#include "dezero/datasets.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <vector>

#include "dezero/archive.hpp"
#include "dezero/download.hpp"
#include "dezero/utils.hpp"

namespace dezero::datasets {

namespace fs = std::filesystem;
using np::detail::msg;

// ===================================== Dataset ==============================================

Dataset::Dataset(bool train, Transform transform, Transform target_transform)
    : train_(train), transform_(std::move(transform)), target_transform_(std::move(target_transform)) {}

Dataset Dataset::from_arrays(np::ndarray data, np::ndarray label, Transform transform,
                             Transform target_transform) {
  Dataset ds(true, std::move(transform), std::move(target_transform));
  ds.data_ = std::move(data);
  ds.label_ = std::move(label);
  ds.check_arrays("Dataset::from_arrays");
  return ds;
}

void Dataset::check_arrays(const std::string& what) const {
  if (!data_.defined()) throw std::invalid_argument(what + ": the data array is None");
  if (data_.ndim() == 0) {
    throw np::shape_error(what + ": data must have a first axis of samples, not shape ()");
  }
  if (label_.defined() && (label_.ndim() == 0 || label_.len() != data_.len())) {
    throw np::shape_error(msg(what, ": ", data_.len(), " samples (data ", data_.shape(),
                              ") but labels of shape ", label_.shape()));
  }
}

std::int64_t Dataset::checked_index(std::int64_t index) const {
  const std::int64_t n = len();
  const std::int64_t i = index < 0 ? index + n : index;
  if (i < 0 || i >= n) {
    throw np::index_error(msg("Dataset: index ", index, " is out of range for ", n, " samples"));
  }
  return i;
}

Example Dataset::operator[](std::int64_t index) const {
  const std::int64_t i = checked_index(index);
  Example e;
  e.x = transform_(data_[i]);
  if (label_.defined()) e.t = target_transform_(label_[i]);
  return e;
}

namespace {

// Rows `indices` of `a` into a new array (B, ...): one allocation, one copy per row.
np::ndarray gather(const np::ndarray& a, std::span<const std::int64_t> indices) {
  np::Shape shape = a.shape();
  shape[0] = static_cast<std::int64_t>(indices.size());
  np::ndarray out = np::ndarray::uninitialized(shape, a.dtype());
  const std::size_t row = a.len() ? a.nbytes() / static_cast<std::size_t>(a.len()) : 0;
  const auto* src = static_cast<const std::byte*>(a.raw_data());
  auto* dst = static_cast<std::byte*>(out.raw_data());
  for (const std::int64_t i : indices) {
    std::memcpy(dst, src + static_cast<std::size_t>(i) * row, row);
    dst += row;
  }
  return out;
}

// np.array([f(a[i]) for i in indices]) for a transform that works sample by sample.
np::ndarray stack_each(const np::ndarray& a, std::span<const std::int64_t> indices,
                       const Transform& f) {
  std::vector<np::ndarray> samples;
  samples.reserve(indices.size());
  for (const std::int64_t i : indices) samples.push_back(f(a[i]));
  try {
    return np::stack(samples);
  } catch (const np::shape_error& e) {
    throw np::shape_error(std::string("Dataset::batch: the samples cannot be stacked into one "
                                      "array (a transform gave them different shapes): ") +
                          e.what());
  }
}

np::ndarray assemble(const np::ndarray& a, std::span<const std::int64_t> indices,
                     const Transform& f) {
  if (f.is_identity()) return gather(a, indices);
  if (f.batchable() && a.ndim() >= 2) return f.apply_batch(gather(a, indices));
  return stack_each(a, indices, f);
}

}  // namespace

Example Dataset::batch(std::span<const std::int64_t> indices) const {
  if (indices.empty()) throw std::invalid_argument("Dataset::batch: no indices");
  std::vector<std::int64_t> checked(indices.begin(), indices.end());
  for (auto& i : checked) i = checked_index(i);
  Example e;
  e.x = assemble(data_, checked, transform_);
  if (label_.defined()) e.t = assemble(label_, checked, target_transform_);
  return e;
}

// ===================================== toy data sets ========================================

std::pair<np::ndarray, np::ndarray> get_spiral(bool train) {
  np::random::seed(train ? 1984 : 2020);
  constexpr int num_data = 100, num_class = 3, input_dim = 2;
  constexpr int data_size = num_class * num_data;
  np::ndarray x = np::zeros({data_size, input_dim}, np::float32);
  np::ndarray t = np::zeros({data_size}, np::int64);
  float* px = x.data<float>();
  std::int64_t* pt = t.data<std::int64_t>();
  auto& rng = np::random::global_state();
  for (int j = 0; j < num_class; ++j) {
    for (int i = 0; i < num_data; ++i) {
      // the book's expression, term by term, in float64; only the result is float32
      const double rate = static_cast<double>(i) / num_data;
      const double radius = 1.0 * rate;
      const double theta = j * 4.0 + 4.0 * rate + rng.next_gauss() * 0.2;
      const int ix = num_data * j + i;
      px[ix * input_dim] = static_cast<float>(radius * std::sin(theta));
      px[ix * input_dim + 1] = static_cast<float>(radius * std::cos(theta));
      pt[ix] = j;
    }
  }
  const np::ndarray indices = np::random::permutation(data_size);
  return {x[indices], t[indices]};
}

Spiral::Spiral(bool train, Transform transform, Transform target_transform)
    : Dataset(train, std::move(transform), std::move(target_transform)) {
  std::tie(data_, label_) = get_spiral(train);
}

SinCurve::SinCurve(bool train, Transform transform, Transform target_transform)
    : Dataset(train, std::move(transform), std::move(target_transform)) {
  constexpr std::int64_t num_data = 1000;
  const np::ndarray x = np::linspace(0, 2 * np::pi, num_data);
  const np::ndarray noise = np::random::uniform(-0.05, 0.05, x.shape());
  const np::ndarray y = (train ? np::sin(x) + noise : np::cos(x)).astype(np::float64);
  data_ = y[{np::slice(np::none, -1)}].reshape({num_data - 1, 1});
  label_ = y[{np::slice(1)}].reshape({num_data - 1, 1});
}

// ===================================== IDX files ============================================

namespace {

std::uint32_t big_endian(const unsigned char* p) {
  return static_cast<std::uint32_t>(p[0]) << 24 | static_cast<std::uint32_t>(p[1]) << 16 |
         static_cast<std::uint32_t>(p[2]) << 8 | static_cast<std::uint32_t>(p[3]);
}

}  // namespace

np::ndarray read_idx_gz(const fs::path& path, int ndim) {
  if (ndim < 1 || ndim > np::Shape::max_ndim) {
    throw std::invalid_argument(msg("read_idx_gz: ", ndim, " axes is not an IDX layout"));
  }
  archive::GzipReader in(path);
  const std::string name = path.string();
  unsigned char magic[4];
  if (in.read(magic, 4) < 4) throw DataError(name + " is too short for an IDX header");
  if (magic[0] != 0 || magic[1] != 0 || magic[2] != 0x08 || magic[3] != ndim) {
    char got[16], want[16];
    std::snprintf(got, sizeof got, "0x%02x%02x%02x%02x", magic[0], magic[1], magic[2], magic[3]);
    std::snprintf(want, sizeof want, "0x000008%02x", static_cast<unsigned>(ndim));
    throw DataError(msg(name, " is not an IDX file of unsigned bytes with ", ndim,
                        " axes: its magic number is ", got, ", expected ", want));
  }
  std::vector<unsigned char> dims(4 * static_cast<std::size_t>(ndim));
  if (in.read(dims.data(), dims.size()) < dims.size()) {
    throw DataError(name + " is too short for its IDX header");
  }
  np::Shape shape;
  std::uint64_t count = 1;
  for (int i = 0; i < ndim; ++i) {
    const std::uint32_t d = big_endian(&dims[4 * static_cast<std::size_t>(i)]);
    shape.push_back(d);
    count *= d;
    if (count > (std::uint64_t{1} << 40)) throw DataError(name + ": its IDX header announces an impossible size");
  }
  // The array is allocated before the data is read, so a header must not ask for more than
  // the file can hold: deflate packs at most 1032 bytes into one (zlib's stated limit).
  std::error_code ec;
  const std::uintmax_t file_size = fs::file_size(path, ec);
  if (!ec && count > 1032 * static_cast<std::uint64_t>(file_size) + 64) {
    throw DataError(msg(name, ": its IDX header announces ", shape, " = ", count,
                        " bytes, more than its ", file_size,
                        " bytes of gzip data can hold (at most 1032 bytes per byte)"));
  }
  np::ndarray out = np::ndarray::uninitialized(shape, np::uint8);
  const std::size_t got = in.read(out.raw_data(), static_cast<std::size_t>(count));
  if (got < count) {
    throw DataError(msg(name, " has ", got, " bytes of data, but its header announces ", shape,
                        " = ", count, " bytes"));
  }
  unsigned char extra[4096];
  std::uint64_t more = 0;
  for (std::size_t n; (n = in.read(extra, sizeof extra)) > 0;) more += n;
  if (more > 0) {
    throw DataError(msg(name, " has ", more, " bytes after the ", count,
                        " that its header announces (", shape, ")"));
  }
  return out;
}

// ===================================== MNIST ================================================

namespace {

struct SplitFiles {
  const char* images;
  const char* images_md5;
  const char* labels;
  const char* labels_md5;
};

// The published checksums of the files (as torchvision and Zalando list them).
constexpr SplitFiles mnist_train = {"train-images-idx3-ubyte.gz", "f68b3c2dcbeaaa9fbdd348bbdeb94873",
                                    "train-labels-idx1-ubyte.gz", "d53e105ee54ea40749a09fcbcd1e9432"};
constexpr SplitFiles mnist_test = {"t10k-images-idx3-ubyte.gz", "9fb629c4189551a2d022fa330f9573f3",
                                   "t10k-labels-idx1-ubyte.gz", "ec29112dd5afa0611ce80d1b7f02629c"};
constexpr SplitFiles fashion_train = {"train-images-idx3-ubyte.gz", "8d4fb7e6c68d591d4c3dfef9ec88bf0d",
                                      "train-labels-idx1-ubyte.gz", "25c81989df183df01b3e8a0aad5dffbe"};
constexpr SplitFiles fashion_test = {"t10k-images-idx3-ubyte.gz", "bef4ecab320f06d8554ea6380940ec79",
                                     "t10k-labels-idx1-ubyte.gz", "bb300cfdad3c16e7a12a480ee83cd310"};

// Images (N, 1, 28, 28) and labels (N,) of one split, checked against each other.
std::pair<np::ndarray, np::ndarray> load_split(const fs::path& images, const fs::path& labels) {
  np::ndarray x = read_idx_gz(images, 3);
  if (x.shape()[1] != 28 || x.shape()[2] != 28) {
    throw DataError(msg(images.string(), " holds images of ", x.shape()[1], "x", x.shape()[2],
                        " pixels, not MNIST's 28x28"));
  }
  np::ndarray t = read_idx_gz(labels, 1);
  if (t.len() != x.len()) {
    throw DataError(msg(images.string(), " has ", x.len(), " images but ", labels.string(), " has ",
                        t.len(), " labels"));
  }
  const auto* p = t.data<std::uint8_t>();
  if (const auto* bad = std::find_if(p, p + t.size(), [](std::uint8_t v) { return v > 9; });
      bad != p + t.size()) {
    throw DataError(msg(labels.string(), ": label ", int{*bad}, " at ", bad - p,
                        " is not a class 0-9"));
  }
  return {x.reshape({x.len(), 1, 28, 28}), t};
}

bool both_in(const fs::path& dir, const SplitFiles& f) {
  return fs::exists(dir / f.images) && fs::exists(dir / f.labels);
}

// Mirrors that could not be reached in this process, with the reason: the test split does
// not wait for a second timeout after the training split's.
std::mutex failed_mutex;
std::map<std::string, std::string> failed_mirrors;

}  // namespace

Transform MNIST::default_transform() {
  return transforms::Compose({transforms::Flatten(), transforms::ToFloat(),
                              transforms::Normalize(0., 255.)});
}

std::map<int, std::string> MNIST::labels() {
  std::map<int, std::string> out;
  for (int i = 0; i < 10; ++i) out[i] = std::to_string(i);
  return out;
}

MNIST::MNIST(bool train, Transform transform, Transform target_transform)
    : Dataset(train, std::move(transform), std::move(target_transform)) {
  const SplitFiles& f = train ? mnist_train : mnist_test;
  const fs::path cache = utils::cache_dir();
  std::string why;
  if (both_in(cache, f)) {
    std::tie(data_, label_) = load_split(cache / f.images, cache / f.labels);
    return;
  }
  {
    const std::lock_guard lock(failed_mutex);
    if (const auto it = failed_mirrors.find(mirror); it != failed_mirrors.end())
      why = "not tried again after: " + it->second;
  }
  if (why.empty()) {
    try {
      const fs::path images = utils::get_file(mirror + f.images, {}, f.images_md5);
      const fs::path labels = utils::get_file(mirror + f.labels, {}, f.labels_md5);
      std::tie(data_, label_) = load_split(images, labels);
      return;
    } catch (const utils::DownloadError& e) {
      why = e.what();
      const std::lock_guard lock(failed_mutex);
      failed_mirrors[mirror] = why;
    }
  }
  const fs::path fashion = FashionMNIST::system_dir;
  if (both_in(fashion, f)) {
    std::cerr << "MNIST: " << f.images << " and " << f.labels << " are not in " << cache.string()
              << " and could not be downloaded (" << why << ")\n"
              << "MNIST: using Fashion-MNIST from " << fashion.string()
              << " instead (the same format: 28x28 grey images of 10 classes)\n";
    std::tie(data_, label_) = load_split(fashion / f.images, fashion / f.labels);
    source_ = "Fashion-MNIST";
    return;
  }
  throw DataError(
      "MNIST: " + std::string(f.images) + " and " + f.labels + " are not in the data cache " +
      cache.string() + " and could not be downloaded (" + why + "), and there is no " +
      "Fashion-MNIST to use instead in " + fashion.string() + ". Either put the MNIST files " +
      "(from " + mirror + ") into " + cache.string() + " (or the folder $DEZERO_HOME names), " +
      "or install Fashion-MNIST: sudo apt-get install dataset-fashion-mnist");
}

std::map<int, std::string> FashionMNIST::labels() {
  return {{0, "T-shirt/top"}, {1, "Trouser"}, {2, "Pullover"}, {3, "Dress"}, {4, "Coat"},
          {5, "Sandal"},      {6, "Shirt"},   {7, "Sneaker"},  {8, "Bag"},   {9, "Ankle boot"}};
}

FashionMNIST::FashionMNIST(bool train, Transform transform, Transform target_transform)
    : Dataset(train, std::move(transform), std::move(target_transform)) {
  const SplitFiles& f = train ? fashion_train : fashion_test;
  const fs::path system = system_dir;
  if (both_in(system, f)) {
    std::tie(data_, label_) = load_split(system / f.images, system / f.labels);
    return;
  }
  const std::string sub = "fashion-mnist/";
  try {
    const fs::path images = utils::get_file(mirror + f.images, sub + f.images, f.images_md5);
    const fs::path labels = utils::get_file(mirror + f.labels, sub + f.labels, f.labels_md5);
    std::tie(data_, label_) = load_split(images, labels);
  } catch (const utils::DownloadError& e) {
    throw DataError("FashionMNIST: " + std::string(f.images) + " and " + f.labels +
                    " are neither in " + system.string() + " nor in " +
                    (utils::cache_dir() / sub).string() + ", and could not be downloaded (" +
                    e.what() + "). Install them with: sudo apt-get install dataset-fashion-mnist");
  }
}


// ===================================== Shakespeare ==========================================

namespace {

// The length of the UTF-8 sequence that starts with byte c, or 0 when c cannot start one.
std::size_t utf8_length(unsigned char c) {
  if (c < 0x80) return 1;
  if (c >= 0xC2 && c <= 0xDF) return 2;
  if (c >= 0xE0 && c <= 0xEF) return 3;
  if (c >= 0xF0 && c <= 0xF4) return 4;
  return 0;
}

}  // namespace

Shakespeare::Shakespeare(bool train, Transform transform, Transform target_transform)
    : Dataset(train, std::move(transform), std::move(target_transform)) {
  fs::path path;
  try {
    path = utils::get_file(url, file_name);
  } catch (const utils::DownloadError& e) {
    throw DataError("Shakespeare: " + file_name + " is not in the data cache " +
                    utils::cache_dir().string() + " and could not be downloaded (" + e.what() +
                    "); put the text from " + url + " there under that name");
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw DataError("Shakespeare: cannot open " + path.string() + ": " + std::strerror(errno));
  const std::string text{std::istreambuf_iterator<char>(in), {}};
  if (in.bad()) throw DataError("Shakespeare: error reading " + path.string());
  std::vector<std::int64_t> ids;
  ids.reserve(text.size());
  for (std::size_t at = 0; at < text.size();) {
    std::size_t n = utf8_length(static_cast<unsigned char>(text[at]));
    for (std::size_t k = 1; n > 0 && k < n; ++k) {
      if (at + k >= text.size() || (static_cast<unsigned char>(text[at + k]) & 0xC0) != 0x80) n = 0;
    }
    if (n == 0) {
      throw DataError(msg("Shakespeare: ", path.string(), " is not UTF-8 text (byte ", at, ")"));
    }
    const std::string c = text.substr(at, n);
    const auto [it, added] = char_to_id_.try_emplace(c, static_cast<std::int64_t>(id_to_char_.size()));
    if (added) id_to_char_.push_back(c);
    ids.push_back(it->second);
    at += n;
  }
  if (ids.size() < 2) {
    throw DataError(msg("Shakespeare: ", path.string(), " has ", ids.size(),
                        " characters; at least 2 are needed for one (input, next) pair"));
  }
  const auto n = static_cast<std::int64_t>(ids.size());
  const np::ndarray indices = np::array(ids, np::Shape{n});
  data_ = indices[{np::slice(np::none, -1)}];
  label_ = indices[{np::slice(1)}];
}

// ===================================== pictures of samples ==================================

Image show(const Dataset& dataset, std::int64_t rows, std::int64_t cols) {
  if (rows <= 0 || cols <= 0) {
    throw std::invalid_argument(msg("show: ", rows, " x ", cols, " tiles: need positive counts"));
  }
  if (dataset.len() == 0) throw std::invalid_argument("show: the data set has no samples");
  const np::ndarray& data = dataset.data();
  const std::int64_t n = std::min(dataset.len(), rows * cols);
  np::ndarray first = data[{np::slice(0, n)}];
  // (N, 784) rows of square images, as MNIST's flattened samples, become (N, 28, 28)
  if (first.ndim() == 2) {
    const auto side = static_cast<std::int64_t>(std::lround(std::sqrt(static_cast<double>(first.shape()[1]))));
    if (side * side == first.shape()[1]) first = first.reshape({n, side, side});
  }
  return image_grid(first, rows, cols);
}

}  // namespace dezero::datasets
