// dezero/datasets: data sets that hand out (x, t) samples (the book's datasets.py):
//
//   namespace D = dezero::datasets;
//   D::Spiral train_set(true);                 // reseeds the global generator, as the book
//   auto [x, t] = train_set[0];                // x (2,) float32, t 0-d int64
//   D::MNIST mnist(false);                     // the test split, x (784,) float32 in [0, 1]
//
// A data set holds all its samples in two arrays, data (N, ...) and label (N, ...), filled by
// the constructor (the book's prepare()); ds[i] applies the transforms to row i. Data sets
// are not copied around: data loaders keep a reference to theirs.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "dezero/image.hpp"
#include "dezero/transforms.hpp"
#include "np/np.hpp"

namespace dezero::datasets {

using transforms::Transform;

// One sample, or a batch of them: structured bindings give `auto [x, t] = ds[i];`. t is None
// (an undefined array) for a data set without labels.
struct Example {
  np::ndarray x;
  np::ndarray t;
};

// A data file that is missing, unreadable or not what it should be; what() names the file
// and, where it can, what to install or where to put it.
struct DataError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

class Dataset {
 public:
  // The book's Dataset(train, transform, target_transform); empty transforms are identities.
  explicit Dataset(bool train = true, Transform transform = {}, Transform target_transform = {});
  // A data set of given arrays (label may be None): len(label) must equal len(data).
  static Dataset from_arrays(np::ndarray data, np::ndarray label, Transform transform = {},
                             Transform target_transform = {});
  virtual ~Dataset() = default;
  Dataset(const Dataset&) = default;
  Dataset& operator=(const Dataset&) = default;
  Dataset(Dataset&&) = default;
  Dataset& operator=(Dataset&&) = default;

  // ds[i]: (transform(data[i]), target_transform(label[i])); a negative i counts from the
  // end, as in NumPy; np::index_error outside.
  Example operator[](std::int64_t index) const;
  // len(ds): the number of samples.
  std::int64_t len() const { return data_.defined() ? data_.len() : 0; }

  // The samples at `indices` stacked along a new first axis, as the book's DataLoader builds
  // np.array([ds[i][0] for i in indices]): x (B, ...) and t (B, ...). When a transform can
  // work on a whole stack (the library's transforms can), the rows are gathered and
  // transformed at once, without an array per sample; the result is the same.
  Example batch(std::span<const std::int64_t> indices) const;

  bool train() const { return train_; }
  const np::ndarray& data() const { return data_; }
  const np::ndarray& label() const { return label_; }
  const Transform& transform() const { return transform_; }
  const Transform& target_transform() const { return target_transform_; }

 protected:
  // Checks that data and label agree in length; subclasses call it once they are filled.
  void check_arrays(const std::string& what) const;

  np::ndarray data_;   // (N, ...)
  np::ndarray label_;  // (N, ...) or None

 private:
  std::int64_t checked_index(std::int64_t index) const;

  bool train_ = true;
  Transform transform_;
  Transform target_transform_;
};

// ===================================== toy data sets ========================================

// The three-armed spiral of the book: 100 points per class, x (300, 2) float32 and t (300,)
// int64, shuffled. It reseeds the global generator (1984 for the training set, 2020 for the
// test set) and draws one randn per point in class order, then permutation(300), so the
// generator goes on from there exactly as after the book's get_spiral.
std::pair<np::ndarray, np::ndarray> get_spiral(bool train = true);

class Spiral : public Dataset {
 public:
  explicit Spiral(bool train = true, Transform transform = {}, Transform target_transform = {});
};

// A sine curve for the RNN steps: 1000 points of linspace(0, 2 pi) with uniform(-0.05, 0.05)
// noise from the global generator (drawn for both splits, as the book); the training set is
// sin + noise, the test set a clean cosine. data = y[:-1] and label = y[1:], (999, 1) float64.
class SinCurve : public Dataset {
 public:
  explicit SinCurve(bool train = true, Transform transform = {}, Transform target_transform = {});
};

// ===================================== MNIST ================================================

// Reads a gzip-compressed IDX file of unsigned bytes (the MNIST format: magic 0x0000080D
// with D the number of axes, D big-endian sizes, the elements) into a uint8 array of that
// shape. DataError naming the file when it is not gzip, truncated, corrupt, not an IDX
// file of `ndim` axes of bytes, or when its size disagrees with its header.
np::ndarray read_idx_gz(const std::filesystem::path& path, int ndim);

// The 60 000 training or 10 000 test images of handwritten digits, data (N, 1, 28, 28) uint8
// and label (N,) uint8; the default transform makes each x a (784,) float32 vector in [0, 1].
//
// The four files (train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz,
// t10k-images-idx3-ubyte.gz, t10k-labels-idx1-ubyte.gz) are read from the data cache
// (utils::cache_dir(): $DEZERO_HOME or ~/.dezero); a missing one is downloaded from the book's
// mirror and kept when its MD5 checksum is right. When they can be neither found nor
// downloaded, Fashion-MNIST (same format, clothes instead of digits) is read from Debian's
// dataset-fashion-mnist package instead, with a notice on stderr, which is what the
// reference's printouts were made with; with neither, DataError says what to do.
class MNIST : public Dataset {
 public:
  explicit MNIST(bool train = true, Transform transform = default_transform(),
                 Transform target_transform = {});

  // Compose({Flatten(), ToFloat(), Normalize(0., 255.)}), the book's default.
  static Transform default_transform();
  // 0 -> "0" ... 9 -> "9".
  static std::map<int, std::string> labels();
  // Where the samples came from: "MNIST", or "Fashion-MNIST" after the fallback.
  const std::string& source() const { return source_; }

  // The mirror the files are downloaded from (the book's); tests point it elsewhere.
  static inline std::string mirror = "https://ossci-datasets.s3.amazonaws.com/mnist/";

 private:
  std::string source_ = "MNIST";
};

// Zalando's Fashion-MNIST, MNIST's drop-in replacement: the same shapes, dtypes and default
// transform, labels T-shirt/top ... Ankle boot. Read from Debian's dataset-fashion-mnist
// package (system_dir), else from the data cache's fashion-mnist/ folder, downloading there
// from Zalando's mirror (MD5-checked) what is missing.
class FashionMNIST : public Dataset {
 public:
  explicit FashionMNIST(bool train = true, Transform transform = MNIST::default_transform(),
                        Transform target_transform = {});

  static std::map<int, std::string> labels();

  // Where Debian's dataset-fashion-mnist package puts the files; tests point it elsewhere.
  static inline std::string system_dir = "/usr/share/datasets/fashion-mnist";
  static inline std::string mirror = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";
};


// ===================================== the data cache's .npz copies =========================

// The book's load_cache_npz: the arrays `data` and `label` of `<name>.train.npz` (or
// `.test.npz`) in the data cache, where `name` is a URL's last part (a whole URL may be given);
// both None when there is no such file. A file that is there but unreadable or lacks either
// array is a DataError naming it (the file is left as it is).
Example load_cache_npz(const std::string& name, bool train = false);
// The book's save_cache_npz: writes data and label (compressed) to that file, atomically, with
// "Saving: <file>" and " Done" on stderr, and returns its path; a file already there is kept.
std::filesystem::path save_cache_npz(const np::ndarray& data, const np::ndarray& label,
                                     const std::string& name, bool train = false);

// ===================================== CIFAR ================================================

// The 50 000 training or 10 000 test colour photographs of 32x32 pixels in 10 classes: data
// (N, 3, 32, 32) uint8 (channels R, G, B, rows from the top) and label (N,) int64. The default
// transform makes each x float32 (x - 0.5) / 0.5, the book's Compose([ToFloat(),
// Normalize(0.5, 0.5)]) (which assumes [0, 1] data but gets [0, 255]: kept as the book has it).
//
// The data comes from the official binary archive, cifar-10-binary.tar.gz (162 MB: the same
// images as the Python pickles the book reads, as records of one label byte and 3072 pixel
// bytes), downloaded once into the data cache and checked (its size and MD5); the decoded
// arrays are then kept there as cifar-10-binary.tar.gz.train.npz / .test.npz, which later
// runs read instead, as the book's load_cache_npz. A damaged archive or cache file is a
// DataError naming it, and the cache is left as it was.
class CIFAR10 : public Dataset {
 public:
  explicit CIFAR10(bool train = true, Transform transform = default_transform(),
                   Transform target_transform = {});

  // Compose({ToFloat(), Normalize(0.5, 0.5)}).
  static Transform default_transform();
  // 0 "airplane" ... 9 "truck" (the book misspells the first as "ariplane").
  static std::map<int, std::string> labels();

  // Where the archive comes from and what it must be; tests point them at a local server.
  static inline std::string url = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
  static inline std::string md5 = "c32a1d4ab5d03f1284b67883e8d87530";
  static inline std::uint64_t archive_size = 170052171;
};

// CIFAR-100: the same photographs' format in 100 fine classes grouped into 20 coarse ones;
// label_type "fine" or "coarse" picks which labels (N,) int64 hold. From the official
// cifar-100-binary.tar.gz (records of a coarse and a fine label byte and 3072 pixel bytes),
// cached as cifar-100-binary.tar.gz.<label_type>.train.npz (the book's cache does not tell the
// label types apart, so switching them gave the old labels).
class CIFAR100 : public Dataset {
 public:
  explicit CIFAR100(bool train = true, Transform transform = CIFAR10::default_transform(),
                    Transform target_transform = {}, const std::string& label_type = "fine");

  // The 100 fine names ("apple" ... "worm", which the book leaves empty) or the 20 coarse
  // ones ("aquatic mammals" ... "vehicles 2"); std::invalid_argument for another label_type.
  static std::map<int, std::string> labels(const std::string& label_type = "fine");
  const std::string& label_type() const { return label_type_; }

  static inline std::string url = "https://www.cs.toronto.edu/~kriz/cifar-100-binary.tar.gz";
  static inline std::string md5 = "03b5dce01913d631647c71ecec9e9cb8";
  static inline std::uint64_t archive_size = 168513733;

 private:
  std::string label_type_;
};

// ===================================== text =================================================

// Andrej Karpathy's tiny Shakespeare (1.1 MB of plays) for character-level RNNs: each distinct
// character gets an id in order of first appearance (char_to_id, id_to_char); data is the ids
// of the text without its last character and label without its first, (N - 1,) int64 each,
// so that label[i] is the character that follows data[i]. Batches for a recurrent network
// come from dataloaders::SeqDataLoader. The text is read from the data cache's
// shakespear.txt (the book's name for it), downloaded when missing; it must be UTF-8 (a
// character is a code point, as Python's str, kept as its UTF-8 bytes).
class Shakespeare : public Dataset {
 public:
  explicit Shakespeare(bool train = true, Transform transform = {}, Transform target_transform = {});

  const std::map<std::string, std::int64_t>& char_to_id() const { return char_to_id_; }
  const std::vector<std::string>& id_to_char() const { return id_to_char_; }

  static inline std::string url =
      "https://raw.githubusercontent.com/karpathy/char-rnn/master/data/tinyshakespeare/input.txt";
  static inline std::string file_name = "shakespear.txt";

 private:
  std::map<std::string, std::int64_t> char_to_id_;
  std::vector<std::string> id_to_char_;
};
using Shakespear = Shakespeare;  // the book's spelling

// ===================================== pictures of samples ==================================

// The first rows x cols samples of a data set's data as one picture (the book's MNIST.show()
// and CIFAR10.show(), which draw random samples into a window): samples (1, H, W) or (H, W)
// become grey tiles, (3, H, W) colour ones; the values are taken as [0, 255] (see image_grid).
Image show(const Dataset& dataset, std::int64_t rows = 10, std::int64_t cols = 10);

}  // namespace dezero::datasets
