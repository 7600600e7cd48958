// One test per row of docs/errors.md: each kind of bad input a reader can give, the exception
// type it raises and the key words of its message. File rows also check that nothing on disk
// changed (same bytes, no temporary file left) and that a layer's weights stayed as they were.
//
// With DEZERO_ERRORS_LOG=file set, every caught message is appended to that file with the
// test's name and the exception's dynamic type, which is how the table's messages were copied.
#include <cxxabi.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "dezero/dezero.hpp"
#include "step_options.hpp"
#include "tests/dezero/gzip_files.hpp"
#include "tests/dezero/helpers.hpp"
#include "tests/np/files.hpp"

namespace {

namespace F = dezero::functions;
namespace L = dezero::layers;
namespace D = dezero::datasets;
namespace utils = dezero::utils;
namespace fs = std::filesystem;
using dztest::be32;
using dztest::write_gz;
using dezero::Variable;
using nptest::read_bytes;
using nptest::ScratchDir;
using nptest::write_bytes;

std::string demangled(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 ? name.get() : type.name();
}

// The message of the E that f throws; a test failure (and "") when it throws nothing or
// something else.
template <class E, class Fn>
std::string message_of(Fn&& f) {
  try {
    f();
  } catch (const std::exception& e) {
    if (const char* log = std::getenv("DEZERO_ERRORS_LOG")) {
      const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
      std::ofstream(log, std::ios::app)
          << info->test_suite_name() << "." << info->name() << "\t" << demangled(typeid(e))
          << "\t" << e.what() << "\n";
    }
    if (dynamic_cast<const E*>(&e) == nullptr) {
      ADD_FAILURE() << "expected " << demangled(typeid(E)) << ", got " << demangled(typeid(e))
                    << ": " << e.what();
      return "";
    }
    return e.what();
  }
  ADD_FAILURE() << "expected " << demangled(typeid(E)) << ", nothing was thrown";
  return "";
}

// The message contains every one of `parts` (the key words of a row of docs/errors.md).
::testing::AssertionResult has_all(const std::string& message, const std::vector<std::string>& parts) {
  for (const std::string& p : parts) {
    if (message.find(p) == std::string::npos)
      return ::testing::AssertionFailure() << "\"" << message << "\" lacks \"" << p << "\"";
  }
  return ::testing::AssertionSuccess();
}

np::ndarray ones(const np::Shape& shape) { return np::ones(shape, np::float64); }

// An environment variable set for one scope and put back afterwards.
class ScopedEnv {
 public:
  ScopedEnv(const char* name, const std::optional<std::string>& value) : name_(name) {
    if (const char* old = std::getenv(name)) old_ = old;
    if (value)
      setenv(name, value->c_str(), 1);
    else
      unsetenv(name);
  }
  ~ScopedEnv() {
    if (old_)
      setenv(name_, old_->c_str(), 1);
    else
      unsetenv(name_);
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;

 private:
  const char* name_;
  std::optional<std::string> old_;
};

// A file size limit for one scope: a write past `bytes` fails with EFBIG, as on a full disk
// (also for root, whom folder permissions do not stop).
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    ::getrlimit(RLIMIT_FSIZE, &old_);
    old_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    struct rlimit limit = old_;
    limit.rlim_cur = bytes;
    ::setrlimit(RLIMIT_FSIZE, &limit);
  }
  ~FileSizeLimit() {
    ::setrlimit(RLIMIT_FSIZE, &old_);
    std::signal(SIGXFSZ, old_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  struct rlimit old_ {};
  void (*old_handler_)(int) = nullptr;
};

// =================================== shapes in operators ====================================

TEST(ErrorsShape, Add) {
  const Variable a(ones({2, 3})), b(ones({4}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { a + b; }),
                      {"Add", "(2, 3)", "(4,)", "broadcast"}));
}

TEST(ErrorsShape, Sub) {
  const Variable a(ones({2, 3})), b(ones({3, 2}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { a - b; }),
                      {"Sub", "(2, 3)", "(3, 2)"}));
}

TEST(ErrorsShape, Mul) {
  const Variable a(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { a* ones({2, 2}); }),
                      {"Mul", "(2, 3)", "(2, 2)"}));
}

TEST(ErrorsShape, Div) {
  const Variable a(ones({5}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { ones({3}) / a; }),
                      {"Div", "(5,)", "(3,)"}));
}

TEST(ErrorsShape, Matmul) {
  const Variable x(ones({2, 3})), W(ones({4, 5}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { F::matmul(x, W); }),
                      {"MatMul", "dot", "(2, 3)", "(4, 5)", "not aligned"}));
}

TEST(ErrorsShape, ReshapeToAnotherSize) {
  const Variable x(ones({3, 2}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { F::reshape(x, {4}); }),
                      {"Reshape", "size 6", "(4,)"}));
}

TEST(ErrorsShape, MeanSquaredErrorOfDifferentShapes) {
  const Variable a(ones({3, 2})), b(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { F::mean_squared_error(a, b); }),
                      {"mean_squared_error", "different shapes", "(3, 2)", "(2, 3)"}));
}

// ===================================== shapes in layers =====================================

TEST(ErrorsShape, LinearGivenOtherFeaturesAfterItsFirstCall) {
  L::Linear l(5);
  l(Variable(ones({2, 3})));
  const np::ndarray W = l.W.data().copy();
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { l(Variable(ones({2, 4}))); }),
                      {"Linear", "x (2, 4)", "4 features", "W (3, 5)", "made for 3"}));
  EXPECT_TRUE(np::array_equal(l.W.data(), W));
}

TEST(ErrorsShape, LinearGivenOneDimensionalInput) {
  L::Linear l(5);
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { l(Variable(ones({3}))); }),
                      {"Linear", "(N, in_size)", "(3,)"}));
}

TEST(ErrorsShape, Conv2dChannelsDifferFromItsFirstCall) {
  L::Conv2d conv(4, 3, {.stride = 1, .pad = 1});
  conv(Variable(ones({1, 3, 8, 8})));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { conv(Variable(ones({1, 2, 8, 8}))); }),
                      {"Conv2d", "(1, 2, 8, 8)", "2 channels", "3"}));
}

TEST(ErrorsShape, Conv2dGivenAnImageWithoutBatchAxis) {
  L::Conv2d conv(4, 3);
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { conv(Variable(ones({3, 8, 8}))); }),
                      {"Conv2d", "4-D", "(3, 8, 8)"}));
}

TEST(ErrorsShape, RnnGivenOtherFeatures) {
  L::RNN rnn(5);
  rnn(Variable(ones({2, 3})));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { rnn(Variable(ones({2, 4}))); }),
                      {"RNN", "x (2, 4)", "4 features", "made for 3", "x2h.W is (3, 5)"}));
}

TEST(ErrorsShape, RnnGivenAnotherBatchSizeWithinASequence) {
  L::RNN rnn(5);
  rnn(Variable(ones({2, 3})));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { rnn(Variable(ones({4, 3}))); }),
                      {"RNN", "batch of 4", "(2, 5)", "reset_state()"}));
}

TEST(ErrorsShape, LstmGivenOneDimensionalInput) {
  L::LSTM lstm(5);
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { lstm(Variable(ones({3}))); }),
                      {"LSTM", "(N, in_size)", "(3,)"}));
}

TEST(ErrorsShape, LstmGivenOtherFeatures) {
  L::LSTM lstm(5);
  lstm(Variable(ones({2, 3})));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { lstm(Variable(ones({2, 7}))); }),
                      {"LSTM", "x (2, 7)", "7 features", "made for 3"}));
}

// ===================================== broadcasting =========================================

TEST(ErrorsBroadcast, SumToAShapeItCannotReach) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { F::sum_to(x, {4}); }),
                      {"sum_to", "(2, 3)", "(4,)"}));
}

TEST(ErrorsBroadcast, BroadcastToAnIncompatibleShape) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>([&] { F::broadcast_to(x, {3, 3}); }),
                      {"broadcast_to", "(2, 3)", "(3, 3)"}));
}

// ===================================== axes =================================================

TEST(ErrorsAxis, SumOverAnAxisThatIsNotThere) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::axis_error>([&] { F::sum(x, 2); }),
                      {"Sum", "axis 2", "dimension 2"}));
}

TEST(ErrorsAxis, MaxOverANegativeAxisThatIsNotThere) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::axis_error>([&] { F::max(x, -3); }),
                      {"Max", "axis -3", "dimension 2"}));
}

TEST(ErrorsAxis, TransposeWithARepeatedAxis) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::axis_error>([&] { F::transpose(x, std::vector<int>{0, 0}); }),
                      {"Transpose", "repeated"}));
}

TEST(ErrorsAxis, TransposeWithTooFewAxes) {
  const Variable x(ones({2, 3, 4}));
  EXPECT_TRUE(has_all(message_of<np::axis_error>([&] { F::transpose(x, std::vector<int>{1, 0}); }),
                      {"Transpose", "2 axes", "(2, 3, 4)"}));
}

TEST(ErrorsAxis, SoftmaxOverAnAxisThatIsNotThere) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::axis_error>([&] { F::softmax(x, 2); }),
                      {"Softmax", "axis 2", "dimension 2"}));
}

// ===================================== dtypes ===============================================

TEST(ErrorsDtype, DropoutOfIntegers) {
  const Variable x(np::array({1, 2, 3}));
  EXPECT_TRUE(has_all(message_of<np::dtype_error>([&] { F::dropout(x); }),
                      {"dropout", "float32 or float64", "int64"}));
}

TEST(ErrorsDtype, LabelsThatAreNotIntegers) {
  const Variable x(ones({2, 3}));
  const Variable t(np::array({0.0, 1.0}));
  EXPECT_TRUE(has_all(message_of<np::dtype_error>([&] { F::softmax_cross_entropy(x, t); }),
                      {"softmax_cross_entropy", "labels must be integers", "float64"}));
}

TEST(ErrorsDtype, EmbedIdWithFloatIds) {
  const Variable W(ones({4, 2}));
  EXPECT_TRUE(has_all(message_of<np::dtype_error>([&] { F::embed_id(Variable(np::array({0.5})), W); }),
                      {"embed_id", "integers", "float64"}));
}

TEST(ErrorsDtype, LinearWithIntegerParameters) {
  EXPECT_TRUE(has_all(message_of<np::dtype_error>([] { L::Linear(2, {.dtype = np::int64}); }),
                      {"Linear", "float32 or float64", "not int64"}));
}

TEST(ErrorsDtype, Conv2dWithIntegerParameters) {
  EXPECT_TRUE(has_all(message_of<np::dtype_error>([] { L::Conv2d(2, 3, {.dtype = np::int32}); }),
                      {"Conv2d", "float32 or float64", "not int32"}));
}

// ===================================== indices and labels ==================================

TEST(ErrorsIndex, GetItemPastTheEnd) {
  const Variable x(ones({3, 2}));
  EXPECT_TRUE(has_all(message_of<np::index_error>([&] { x[5]; }),
                      {"GetItem", "index 5", "axis 0", "size 3"}));
}

TEST(ErrorsIndex, GetItemPastTheEndOfTheSecondAxis) {
  const Variable x(ones({3, 2}));
  EXPECT_TRUE(has_all(message_of<np::index_error>([&] { x[{np::slice(), 2}]; }),
                      {"GetItem", "index 2", "axis 1", "size 2"}));
}

TEST(ErrorsIndex, DatasetPastItsLastSample) {
  const D::Dataset ds = D::Dataset::from_arrays(ones({3, 2}), np::array({0, 1, 2}));
  EXPECT_TRUE(has_all(message_of<np::index_error>([&] { ds[3]; }),
                      {"Dataset", "index 3", "3 samples"}));
}

TEST(ErrorsLabels, SoftmaxCrossEntropyLabelEqualToTheClassCount) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::index_error>(
                  [&] { F::softmax_cross_entropy(x, Variable(np::array({0, 3}))); }),
                      {"softmax_cross_entropy", "label 3", "[0, 3)"}));
}

TEST(ErrorsLabels, SoftmaxCrossEntropyNegativeLabel) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::index_error>(
                  [&] { F::softmax_cross_entropy_simple(x, Variable(np::array({-1, 0}))); }),
                      {"softmax_cross_entropy_simple", "label -1", "[0, 3)"}));
}

TEST(ErrorsLabels, SoftmaxCrossEntropyWrongLabelCount) {
  const Variable x(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::shape_error>(
                  [&] { F::softmax_cross_entropy(x, Variable(np::array({0, 1, 2}))); }),
                      {"softmax_cross_entropy", "3 labels", "2"}));
}

TEST(ErrorsLabels, AccuracyLabelOutOfRange) {
  const Variable y(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::index_error>([&] { F::accuracy(y, Variable(np::array({0, 3}))); }),
                      {"accuracy", "label 3", "[0, 3)"}));
}

TEST(ErrorsLabels, AccuracyNegativeLabel) {
  const Variable y(ones({2, 3}));
  EXPECT_TRUE(has_all(message_of<np::index_error>([&] { F::accuracy(y, Variable(np::array({-1, 0}))); }),
                      {"accuracy", "label -1", "[0, 3)"}));
}

TEST(ErrorsLabels, EmbedIdPastTheTable) {
  const Variable W(ones({4, 2}));
  EXPECT_TRUE(has_all(message_of<np::index_error>([&] { F::embed_id(Variable(np::array({1, 4})), W); }),
                      {"embed_id", "id 4", "(4, 2)"}));
}

// ===================================== data sets ============================================

// A labels file of n bytes: magic 0x00000801, n, the labels.
std::string labels_idx(std::uint32_t n) {
  std::string s = {0, 0, 8, 1};
  s += be32(n);
  for (std::uint32_t i = 0; i < n; ++i) s += static_cast<char>(i % 10);
  return s;
}

TEST(ErrorsData, IdxFileMissing) {
  ScratchDir dir;
  EXPECT_TRUE(has_all(message_of<D::DataError>([&] { D::read_idx_gz(dir / "absent.gz", 1); }),
                      {"absent.gz", "No such file"}));
}

TEST(ErrorsData, IdxFileNotGzip) {
  ScratchDir dir;
  write_bytes(dir / "plain.gz", "this is not gzip data at all");
  EXPECT_TRUE(has_all(message_of<D::DataError>([&] { D::read_idx_gz(dir / "plain.gz", 1); }),
                      {"plain.gz", "not a gzip file", "1f 8b"}));
}

TEST(ErrorsData, IdxFileGzipCutShort) {
  ScratchDir dir;
  write_gz(dir / "whole.gz", labels_idx(5000));
  const std::string whole = read_bytes(dir / "whole.gz");
  write_bytes(dir / "cut.gz", whole.substr(0, whole.size() / 2));
  EXPECT_TRUE(has_all(message_of<D::DataError>([&] { D::read_idx_gz(dir / "cut.gz", 1); }),
                      {"cut.gz", "truncated"}));
}

TEST(ErrorsData, IdxFileWithFewerBytesThanItsHeaderSays) {
  ScratchDir dir;
  write_gz(dir / "short.gz", labels_idx(10).substr(0, 8 + 4));
  EXPECT_TRUE(has_all(message_of<D::DataError>([&] { D::read_idx_gz(dir / "short.gz", 1); }),
                      {"short.gz", "4 bytes of data", "(10,) = 10 bytes"}));
}

TEST(ErrorsData, IdxFileWithTheWrongMagicNumber) {
  ScratchDir dir;
  std::string bytes = labels_idx(3);
  bytes[2] = 0x0d;  // float data, which MNIST never has
  write_gz(dir / "magic.gz", bytes);
  EXPECT_TRUE(has_all(message_of<D::DataError>([&] { D::read_idx_gz(dir / "magic.gz", 1); }),
                      {"magic.gz", "magic number is 0x00000d01", "expected 0x00000801"}));
}

// MNIST's settings (the cache folder, the mirrors, Fashion-MNIST's folder) for one test: the
// fallback folder is an empty one, so neither data set can be found.
class ErrorsMnist : public ::testing::Test {
 protected:
  void SetUp() override {
    old_mirror_ = D::MNIST::mirror;
    old_fashion_ = D::FashionMNIST::system_dir;
    // a mirror of its own per test: MNIST does not retry a mirror that failed once
    static int counter = 0;
    D::MNIST::mirror = "http://127.0.0.1:9/errors-test-" + std::to_string(++counter) + "/";
    D::FashionMNIST::system_dir = (dir_ / "no-fashion").string();
    fs::create_directories(dir_ / "no-fashion");
  }
  void TearDown() override {
    D::MNIST::mirror = old_mirror_;
    D::FashionMNIST::system_dir = old_fashion_;
  }
  ScratchDir dir_;

 private:
  std::string old_mirror_, old_fashion_;
};

TEST_F(ErrorsMnist, EmptyCacheOffline) {
  fs::create_directories(dir_ / "cache");
  const ScopedEnv home("DEZERO_HOME", (dir_ / "cache").string());
  const ScopedEnv offline("DEZERO_OFFLINE", "1");
  EXPECT_TRUE(has_all(message_of<D::DataError>([] { D::MNIST(true); }),
                      {"MNIST", "train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", "DEZERO_OFFLINE",
                           "no-fashion", "apt-get install dataset-fashion-mnist"}));
  EXPECT_TRUE(fs::is_empty(dir_ / "cache"));
}

TEST_F(ErrorsMnist, CacheFolderThatCannotBeMade) {
  write_bytes(dir_ / "file.txt", "a regular file");
  const ScopedEnv home("DEZERO_HOME", (dir_ / "file.txt" / "cache").string());
  const ScopedEnv offline("DEZERO_OFFLINE", std::nullopt);
  EXPECT_TRUE(has_all(message_of<D::DataError>([] { D::MNIST(false); }),
                      {"MNIST", "t10k-images-idx3-ubyte.gz", "cannot create the data cache",
                           "file.txt/cache", "Not a directory"}));
  EXPECT_EQ(read_bytes(dir_ / "file.txt"), "a regular file");
}

TEST_F(ErrorsMnist, CorruptFileInTheCache) {
  const fs::path cache = dir_ / "cache";
  fs::create_directories(cache);
  write_bytes(cache / "t10k-images-idx3-ubyte.gz", "garbage, not gzip");
  write_gz(cache / "t10k-labels-idx1-ubyte.gz", labels_idx(2));
  const ScopedEnv home("DEZERO_HOME", cache.string());
  const ScopedEnv offline("DEZERO_OFFLINE", "1");
  EXPECT_TRUE(has_all(message_of<D::DataError>([] { D::MNIST(false); }),
                      {"t10k-images-idx3-ubyte.gz", "not a gzip file"}));
  EXPECT_EQ(read_bytes(cache / "t10k-images-idx3-ubyte.gz"), "garbage, not gzip");
}

// ===================================== weight files =========================================

// A Linear(2) made for 3 features, its weights saved to dir/w.npz.
struct SavedLayer {
  explicit SavedLayer(const ScratchDir& dir) : file(dir / "w.npz") {
    l(Variable(ones({1, 3})));
    l.save_weights(file);
    W = l.W.data().copy();
    b = l.b.data().copy();
  }
  bool unchanged() const {
    return np::array_equal(l.W.data(), W) && np::array_equal(l.b.data(), b) &&
           l.W.data().dtype() == W.dtype();
  }
  L::Linear l{2};
  fs::path file;
  np::ndarray W, b;
};

TEST(ErrorsWeights, LoadAMissingFile) {
  ScratchDir dir;
  SavedLayer s(dir);
  EXPECT_TRUE(has_all(message_of<np::io_error>([&] { s.l.load_weights(dir / "absent.npz"); }),
                      {"absent.npz", "No such file"}));
  EXPECT_TRUE(s.unchanged());
}

TEST(ErrorsWeights, LoadAFileThatIsNotAZip) {
  ScratchDir dir;
  SavedLayer s(dir);
  write_bytes(dir / "text.npz", "weights? no");
  EXPECT_TRUE(has_all(message_of<np::io_error>([&] { s.l.load_weights(dir / "text.npz"); }),
                      {"text.npz", "not a readable zip archive"}));
  EXPECT_TRUE(s.unchanged());
}

TEST(ErrorsWeights, LoadAFileWithoutTheLayersArray) {
  ScratchDir dir;
  SavedLayer s(dir);
  np::savez(dir / "other.npz", {{"W", ones({3, 2}).astype(np::float32)}});
  EXPECT_TRUE(has_all(message_of<np::io_error>([&] { s.l.load_weights(dir / "other.npz"); }),
                      {"Linear.load_weights", "other.npz", "no array 'b'", "it holds: W",
                           "unchanged"}));
  EXPECT_TRUE(s.unchanged());
}

TEST(ErrorsWeights, LoadAnArrayOfAnotherShape) {
  ScratchDir dir;
  SavedLayer s(dir);
  np::savez(dir / "wide.npz", {{"W", ones({4, 2}).astype(np::float32)},
                               {"b", np::zeros({2}, np::float32)}});
  EXPECT_TRUE(has_all(message_of<np::io_error>([&] { s.l.load_weights(dir / "wide.npz"); }),
                      {"Linear.load_weights", "wide.npz", "'W' is (4, 2) float32 in the file",
                           "(3, 2) float32", "unchanged"}));
  EXPECT_TRUE(s.unchanged());
}

TEST(ErrorsWeights, LoadAnArrayOfAnotherDtype) {
  ScratchDir dir;
  SavedLayer s(dir);
  np::savez(dir / "f64.npz", {{"W", ones({3, 2})}, {"b", np::zeros({2}, np::float32)}});
  EXPECT_TRUE(has_all(message_of<np::io_error>([&] { s.l.load_weights(dir / "f64.npz"); }),
                      {"'W' is (3, 2) float64 in the file", "(3, 2) float32"}));
  EXPECT_TRUE(s.unchanged());
}

TEST(ErrorsWeights, SaveIntoAFolderThatDoesNotExist) {
  ScratchDir dir;
  SavedLayer s(dir);
  EXPECT_TRUE(has_all(message_of<np::io_error>([&] { s.l.save_weights(dir / "no" / "such" / "w.npz"); }),
                      {"no/such/w.npz", "No such file"}));
  EXPECT_FALSE(fs::exists(dir / "no"));
}

TEST(ErrorsWeights, SaveUnderARegularFile) {
  ScratchDir dir;
  SavedLayer s(dir);
  write_bytes(dir / "file.txt", "keep me");
  const auto before = dir.entries();
  EXPECT_TRUE(has_all(message_of<np::io_error>([&] { s.l.save_weights(dir / "file.txt" / "w.npz"); }),
                      {"file.txt/w.npz", "Not a directory"}));
  EXPECT_EQ(read_bytes(dir / "file.txt"), "keep me");
  EXPECT_EQ(dir.entries(), before);
}

TEST(ErrorsWeights, SaveOverAFileInAReadOnlyFolder) {
  ScratchDir dir;
  SavedLayer s(dir);
  const std::string bytes = read_bytes(s.file);
  const auto mtime = fs::last_write_time(s.file);
  s.l.W.data() *= 2.0;
  // read-only for everyone: root, who may write anywhere, tries as the user nobody
  fs::permissions(dir.path(), fs::perms::owner_read | fs::perms::owner_exec |
                                  fs::perms::group_read | fs::perms::group_exec |
                                  fs::perms::others_read | fs::perms::others_exec);
  const int status = nptest::as_unprivileged_user([&] {
    return has_all(message_of<np::io_error>([&] { s.l.save_weights(s.file); }),
                   {"w.npz", "Permission denied"});
  });
  fs::permissions(dir.path(), fs::perms::owner_write, fs::perm_options::add);
  if (status == 3) GTEST_SKIP() << "cannot drop root privileges to test this";
  EXPECT_EQ(status, 0) << "the save did not fail with Permission denied";
  EXPECT_EQ(read_bytes(s.file), bytes);
  EXPECT_EQ(fs::last_write_time(s.file), mtime);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"w.npz"}));
}

TEST(ErrorsWeights, SaveWhenTheDiskFillsKeepsTheOldFile) {
  ScratchDir dir;
  SavedLayer s(dir);
  const std::string bytes = read_bytes(s.file);
  const auto mtime = fs::last_write_time(s.file);
  L::Linear big(100);
  big(Variable(ones({1, 1000})));  // 400 kB of random float32, which do not compress much
  std::string what;
  {
    const FileSizeLimit limit(64 * 1024);
    what = message_of<np::io_error>([&] { big.save_weights(s.file); });
  }
  EXPECT_TRUE(has_all(what, {"np::savez_compressed", "cannot write", "w.npz", "File too large"}));
  EXPECT_EQ(read_bytes(s.file), bytes);
  EXPECT_EQ(fs::last_write_time(s.file), mtime);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"w.npz"}));
}

TEST(ErrorsWeights, SaveALayerNotCalledYetKeepsTheOldFile) {
  ScratchDir dir;
  SavedLayer s(dir);
  const std::string bytes = read_bytes(s.file);
  L::Linear fresh(2);
  EXPECT_TRUE(has_all(message_of<std::invalid_argument>([&] { fresh.save_weights(s.file); }),
                      {"Linear.save_weights", "'W' has no data yet", "nothing was written"}));
  EXPECT_EQ(read_bytes(s.file), bytes);
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"w.npz"}));
}

// ===================================== images ===============================================

TEST(ErrorsImage, OpenAMissingFile) {
  ScratchDir dir;
  EXPECT_TRUE(has_all(message_of<dezero::ImageError>([&] { dezero::Image::open(dir / "zebra.jpg"); }),
                      {"Image::open", "zebra.jpg", "no such file"}));
}

TEST(ErrorsImage, OpenAFileThatIsNotAnImage) {
  ScratchDir dir;
  write_bytes(dir / "notes.png", "just some text, no pixels");
  EXPECT_TRUE(has_all(message_of<dezero::ImageError>([&] { dezero::Image::open(dir / "notes.png"); }),
                      {"notes.png", "not a JPEG or PNG"}));
}

TEST(ErrorsImage, OpenATruncatedPng) {
  ScratchDir dir;
  dezero::Image img("RGB", 40, 30);
  img.save(dir / "whole.png");
  const std::string whole = read_bytes(dir / "whole.png");
  write_bytes(dir / "cut.png", whole.substr(0, whole.size() / 2));
  EXPECT_TRUE(has_all(message_of<dezero::ImageError>([&] { dezero::Image::open(dir / "cut.png"); }),
                      {"Image::open", "cut.png", "truncated"}));
}

// ===================================== external programs ====================================

Variable small_graph() {
  Variable x(np::array(2.0), "x");
  return x * x + 1.0;
}

TEST(ErrorsTools, PlotDotGraphWithoutGraphviz) {
  ScratchDir dir;
  fs::create_directories(dir / "empty-bin");
  write_bytes(dir / "g.png", "an older drawing");
  const ScopedEnv path("PATH", (dir / "empty-bin").string());
  EXPECT_TRUE(has_all(message_of<utils::ToolError>(
                  [&] { utils::plot_dot_graph(small_graph(), true, (dir / "g.png").string()); }),
                      {"plot_dot_graph", "g.png was not drawn", "`dot` could not be started",
                           "apt-get install graphviz"}));
  // the DOT text is written, an older image stays as it was, and no temporary file is left
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"empty-bin", "g.dot", "g.png"}));
  EXPECT_EQ(read_bytes(dir / "g.png"), "an older drawing");
  EXPECT_EQ(read_bytes(dir / "g.dot").rfind("digraph g {", 0), 0u);
}

TEST(ErrorsTools, PlotSaveWithoutGnuplot) {
  ScratchDir dir;
  fs::create_directories(dir / "empty-bin");
  const ScopedEnv path("PATH", (dir / "empty-bin").string());
  utils::Plot plot;
  plot.line(np::array({0.0, 1.0}), np::array({1.0, 0.0}));
  EXPECT_TRUE(has_all(message_of<utils::ToolError>([&] { plot.save((dir / "p.png").string()); }),
                      {"Plot::save", "p.png was not drawn", "`gnuplot` could not be started",
                           "apt-get install gnuplot-nox"}));
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"empty-bin", "p.gp"}));
}

TEST(ErrorsTools, DecisionRegionsWithoutGnuplotSayItAndGoOn) {
  ScratchDir dir;
  fs::create_directories(dir / "empty-bin");
  const ScopedEnv path("PATH", (dir / "empty-bin").string());
  const np::ndarray x = np::array({{0.0, 0.0}, {0.1, 0.1}, {0.2, 0.0}});
  const np::ndarray t = np::array({0, 1, 2});
  auto predict = [](const Variable& v) { return F::matmul(v, Variable(ones({2, 3}))); };
  ::testing::internal::CaptureStderr();
  utils::plot_decision_regions(predict, x, t, (dir / "r.png").string());
  const std::string err = ::testing::internal::GetCapturedStderr();
  EXPECT_TRUE(has_all(err,
                      {"Plot::save", "r.png was not drawn",
                                "`gnuplot` could not be started", "gnuplot-nox"}));
  EXPECT_FALSE(fs::exists(dir / "r.png"));
}

TEST(ErrorsTools, PlotDotGraphIntoAFolderThatDoesNotExist) {
  ScratchDir dir;
  EXPECT_TRUE(has_all(message_of<std::runtime_error>([&] {
                utils::plot_dot_graph(small_graph(), true, (dir / "no" / "g.png").string());
              }),
                      {"plot_dot_graph", "cannot write", "no/g.dot'", "No such file"}));
  EXPECT_EQ(dir.entries(), std::set<std::string>{});
}

TEST(ErrorsTools, PlotSaveIntoAFolderThatDoesNotExist) {
  ScratchDir dir;
  utils::Plot plot;
  plot.line(np::array({0.0, 1.0}), np::array({1.0, 0.0}));
  EXPECT_TRUE(has_all(
      message_of<std::runtime_error>([&] { plot.save((dir / "no" / "p.png").string()); }),
      {"Plot::save", "cannot write", "no/p.gp'", "No such file"}));
  EXPECT_EQ(dir.entries(), std::set<std::string>{});
}

TEST(ErrorsTools, PlotDotGraphUnderARegularFileKeepsIt) {
  ScratchDir dir;
  write_bytes(dir / "file.txt", "keep me");
  EXPECT_TRUE(has_all(message_of<std::runtime_error>([&] {
                utils::plot_dot_graph(small_graph(), true, (dir / "file.txt" / "g.png").string());
              }),
                      {"plot_dot_graph", "cannot write", "file.txt/g.dot'", "Not a directory"}));
  EXPECT_EQ(read_bytes(dir / "file.txt"), "keep me");
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"file.txt"}));
}

TEST(ErrorsTools, PlotDotGraphWhenTheDiskFillsKeepsTheOldDot) {
  ScratchDir dir;
  write_bytes(dir / "g.dot", "digraph g {}");
  Variable x(np::array(1.0), "x");
  Variable y = x;
  for (int i = 0; i < 200; ++i) y = F::sin(y);  // a DOT text of about 20 kB
  std::string what;
  {
    const FileSizeLimit limit(4096);
    what = message_of<std::runtime_error>(
        [&] { utils::plot_dot_graph(y, true, (dir / "g.png").string()); });
  }
  EXPECT_TRUE(has_all(what, {"plot_dot_graph", "cannot write", "g.dot'", "File too large"}));
  EXPECT_EQ(read_bytes(dir / "g.dot"), "digraph g {}");
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"g.dot"}));
}

TEST(ErrorsTools, PlotDotGraphWithoutAnExtension) {
  ScratchDir dir;
  EXPECT_TRUE(has_all(message_of<std::invalid_argument>([&] {
                utils::plot_dot_graph(small_graph(), true, (dir / "graph").string());
              }),
                      {"plot_dot_graph", "graph", "no extension"}));
  EXPECT_EQ(dir.entries(), std::set<std::string>{});
}

// ===================================== step options =========================================

// steps::options exits the process, so each case runs in a death-test child.
void parse(std::vector<std::string> args) {
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const auto options =
      steps::options(static_cast<int>(args.size()), argv.data(), {{"iters", 100}});
  std::exit(static_cast<int>(options.at("iters")));
}

class ErrorsStepOptions : public ::testing::Test {
 protected:
  void SetUp() override { GTEST_FLAG_SET(death_test_style, "threadsafe"); }
};

TEST_F(ErrorsStepOptions, NotANumber) {
  EXPECT_EXIT(parse({"steps/step42/step42", "--iters", "many"}), ::testing::ExitedWithCode(2),
              "step42: option --iters needs a count \\(a non-negative integer\\), not 'many'\n"
              "usage: step42 \\[--iters N\\]");
}

TEST_F(ErrorsStepOptions, Negative) {
  EXPECT_EXIT(parse({"step42", "--iters", "-5"}), ::testing::ExitedWithCode(2),
              "not '-5'\nusage: step42 \\[--iters N\\]");
}

TEST_F(ErrorsStepOptions, ValidValueAndDefault) {
  EXPECT_EXIT(parse({"step42", "--iters", "7"}), ::testing::ExitedWithCode(7), "");
  EXPECT_EXIT(parse({"step42"}), ::testing::ExitedWithCode(100), "");
}

TEST_F(ErrorsStepOptions, MissingValueOverflowAndPositional) {
  EXPECT_EXIT(parse({"step42", "--iters"}), ::testing::ExitedWithCode(2),
              "step42: option --iters needs a value\nusage: step42 \\[--iters N\\]");
  EXPECT_EXIT(parse({"step42", "--iters", "99999999999999999999"}), ::testing::ExitedWithCode(2),
              "step42: option --iters is too large: '99999999999999999999'");
  EXPECT_EXIT(parse({"step42", "--iters", "1.5"}), ::testing::ExitedWithCode(2), "not '1.5'");
  EXPECT_EXIT(parse({"step42", "extra"}), ::testing::ExitedWithCode(2),
              "step42: unexpected argument 'extra'");
}

TEST_F(ErrorsStepOptions, UnknownOption) {
  EXPECT_EXIT(parse({"step42", "--epochs", "3"}), ::testing::ExitedWithCode(2),
              "step42: unknown option '--epochs'\nusage: step42 \\[--iters N\\]");
}

TEST_F(ErrorsStepOptions, MissingValue) {
  EXPECT_EXIT(parse({"step42", "--iters"}), ::testing::ExitedWithCode(2),
              "step42: option --iters needs a value\nusage: step42 \\[--iters N\\]");
}

TEST_F(ErrorsStepOptions, AGoodOptionParses) {
  EXPECT_EXIT(parse({"step42", "--iters", "7"}), ::testing::ExitedWithCode(7), "");
}

}  // namespace
