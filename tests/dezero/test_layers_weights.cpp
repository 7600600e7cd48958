// Layer::save_weights / load_weights (the book's step 53), and the GPU switch (step 52) in a
// build without a GPU: the file's keys, dtypes and bytes, NumPy reading it, a model restored
// from it (also one whose layers are sized at their first call), a file NumPy wrote, and every
// way a load or a save can fail without touching the model or the old file.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstring>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"
#include "tests/np/files.hpp"

namespace {

namespace F = dezero::functions;
namespace L = dezero::layers;
namespace M = dezero::models;
namespace fs = std::filesystem;
using dezero::Parameter;
using dezero::Variable;
using dztest::array_is;
using dztest::throws_with;
using nptest::read_bytes;
using nptest::ScratchDir;
using nptest::write_bytes;

const fs::path data_dir = DEZERO_TEST_DATA_DIR;

bool same_bytes(const np::ndarray& a, const np::ndarray& b) {
  return a.defined() && b.defined() && a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) == 0;
}

// The book's MLP((1000, 10)) in small: l0 (5 -> 3), l1 (3 -> 2), sized by a first call.
M::MLP called_mlp() {
  np::random::seed(0);
  M::MLP model({3, 2});
  model(np::random::rand({4, 5}).astype(np::float32));
  return model;
}

// The data handles of a model's parameters, to check that a failed load replaced none.
std::vector<np::ndarray> data_of(const L::Layer& layer) {
  std::vector<np::ndarray> out;
  for (const Parameter& p : layer.params()) out.push_back(p.data());
  return out;
}

::testing::AssertionResult unchanged(const L::Layer& layer, const std::vector<np::ndarray>& before,
                                     const std::vector<np::ndarray>& copies) {
  const auto params = layer.params();
  for (std::size_t i = 0; i < params.size(); ++i) {
    if (!params[i].data().shares_memory(before[i]) || !same_bytes(params[i].data(), copies[i])) {
      return ::testing::AssertionFailure() << "parameter " << i << " changed";
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<np::ndarray> copies_of(const L::Layer& layer) {
  std::vector<np::ndarray> out;
  for (const Parameter& p : layer.params()) out.push_back(p.data().copy());
  return out;
}

// ===================================== saving ===============================================

TEST(SaveWeights, WritesEveryParameterUnderItsPathAsFloat32) {
  ScratchDir dir;
  const M::MLP model = called_mlp();
  model.save_weights(dir / "my_mlp.npz");
  EXPECT_EQ(dir.entries(), std::set<std::string>{"my_mlp.npz"});
  const auto npz = np::load_npz(dir / "my_mlp.npz");
  std::set<std::string> keys;
  for (const auto& [key, array] : npz) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"l0/W", "l0/b", "l1/W", "l1/b"}));
  for (const auto& [key, param] : model.flatten_params()) {
    EXPECT_EQ(npz.at(key).dtype(), np::float32) << key;
    EXPECT_TRUE(same_bytes(npz.at(key), param.data())) << key;
  }
  EXPECT_EQ(npz.at("l0/W").shape(), (np::Shape{5, 3}));
  EXPECT_EQ(npz.at("l1/b").shape(), (np::Shape{2}));
}

TEST(SaveWeights, AppendsNpzAsNumPyDoes) {
  ScratchDir dir;
  called_mlp().save_weights(dir / "my_mlp");
  EXPECT_EQ(dir.entries(), std::set<std::string>{"my_mlp.npz"});
}

TEST(SaveWeights, NumPyReadsTheFileAsThePythonDeZeroWould) {
  if (!nptest::have_numpy()) GTEST_SKIP() << nptest::no_numpy_message;
  ScratchDir dir;
  const M::MLP model = called_mlp();
  model.save_weights(dir / "my_mlp.npz");
  // The Python DeZero's load_weights is np.load(path) and npz[key] for each flattened path.
  const std::string script = R"(
import numpy as np
npz = np.load('my_mlp.npz')
for key in sorted(npz.files):
    a = npz[key]
    print(key, a.dtype, a.shape, a.tobytes().hex())
)";
  std::string expected;
  for (const char* key : {"l0/W", "l0/b", "l1/W", "l1/b"}) {
    for (const auto& [k, p] : model.flatten_params()) {
      if (k != key) continue;
      std::string hex;
      const auto* bytes = static_cast<const unsigned char*>(p.data().raw_data());
      for (std::size_t i = 0; i < p.data().nbytes(); ++i) {
        static const char digits[] = "0123456789abcdef";
        hex += digits[bytes[i] >> 4];
        hex += digits[bytes[i] & 15];
      }
      expected += k + " float32 " + p.shape().str() + " " + hex + "\n";
    }
  }
  std::string output;
  ASSERT_EQ(nptest::run_python(dir.path(), script, output), 0) << output;
  EXPECT_EQ(output, expected);
}

TEST(SaveWeights, AParameterWithoutDataWritesNothingAndKeepsTheOldFile) {
  ScratchDir dir;
  const fs::path path = dir / "my_mlp.npz";
  called_mlp().save_weights(path);
  const std::string before = read_bytes(path);
  const M::MLP unsized({3, 2});  // never called: its W have no data yet
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { unsized.save_weights(path); },
                                                 {"save_weights", "my_mlp.npz", "'l0/W'",
                                                  "has no data yet", "nothing was written"}));
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_EQ(dir.entries(), std::set<std::string>{"my_mlp.npz"});
}

TEST(SaveWeights, AFolderWithoutWritePermissionKeepsTheOldFile) {
  ScratchDir dir;
  const fs::path folder = dir / "locked";
  fs::create_directory(folder);
  const fs::path path = folder / "my_mlp.npz";
  const M::MLP model = called_mlp();
  model.save_weights(path);
  const std::string before = read_bytes(path);
  model.params()[0].data() += np::ndarray(1.0f);  // different weights to save
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec);
  auto attempt = [&] {
    return throws_with<np::io_error>([&] { model.save_weights(path); },
                                     {"cannot write", "my_mlp.npz", "Permission denied"});
  };
  // Root may write anywhere; the unprivileged user 65534 may not.
  fs::permissions(dir.path(), fs::perms::others_exec, fs::perm_options::add);
  fs::permissions(folder, fs::perms::others_read | fs::perms::others_exec, fs::perm_options::add);
  const int status = nptest::as_unprivileged_user(attempt);
  if (status == 3) GTEST_SKIP() << "cannot drop root privileges to test this";
  EXPECT_EQ(status, 0) << "the save did not fail with Permission denied";
  EXPECT_EQ(read_bytes(path), before);
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(folder)) left.insert(e.path().filename().string());
  EXPECT_EQ(left, std::set<std::string>{"my_mlp.npz"});
}

// ===================================== loading ==============================================

TEST(LoadWeights, RestoresAModelWhoseLayersAreNotSizedYet) {
  ScratchDir dir;
  M::MLP model = called_mlp();
  model.save_weights(dir / "my_mlp.npz");
  M::MLP restored({3, 2});  // as step 53: a fresh MLP, then load_weights
  restored.load_weights(dir / "my_mlp.npz");
  const auto a = model.flatten_params();
  const auto b = restored.flatten_params();
  ASSERT_EQ(a.size(), b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].first, b[i].first);
    EXPECT_TRUE(same_bytes(a[i].second.data(), b[i].second.data())) << a[i].first;
  }
  // Both compute the same function now, and no random draw sizes the loaded layers.
  np::random::seed(5);
  const np::ndarray x = np::random::rand({2, 5}).astype(np::float32);
  const double next = np::random::RandomState(5).rand({11}).flat(10);
  const np::ndarray y0 = model(x).data();
  const np::ndarray y1 = restored(x).data();
  EXPECT_TRUE(same_bytes(y0, y1));
  EXPECT_EQ(np::random::rand().item(), next);
}

TEST(LoadWeights, LoadsTheWeightsNumPyWrote) {
  // tests/data/numpy_weights.npz, from np.savez_compressed: l0/W = arange(6).reshape(2, 3) / 10,
  // l0/b = [0.5, -1, 2], l1/W = [[1], [-2], [0.25]], l1/b = [-0.125], all float32.
  M::MLP model({3, 1});
  model.load_weights(data_dir / "numpy_weights.npz");
  const Variable y = model(np::array({{1.0f, 2.0f}}));
  // By hand, for x = [1, 2]: h_j = 1 W0[0, j] + 2 W0[1, j] + b0[j], y = sigmoid(h) W1 + b1.
  const double w0[2][3] = {{0.0, 0.1, 0.2}, {0.3, 0.4, 0.5}};
  const double b0[3] = {0.5, -1.0, 2.0};
  const double w1[3] = {1.0, -2.0, 0.25};
  double out = -0.125;
  for (int j = 0; j < 3; ++j) {
    const double h = 1.0 * w0[0][j] + 2.0 * w0[1][j] + b0[j];
    out += w1[j] / (1.0 + std::exp(-h));
  }
  EXPECT_TRUE(array_is(y.data(), {1, 1}, np::float32, {out}, 1e-6));
}

TEST(LoadWeights, IgnoresArraysTheModelDoesNotHave) {
  ScratchDir dir;
  const M::MLP model = called_mlp();
  np::NpzEntries arrays;
  for (const auto& [key, p] : model.flatten_params()) arrays.emplace_back(key, p.data() * 2.0f);
  arrays.emplace_back("l9/W", np::ones({2, 2}));
  np::savez_compressed(dir / "w.npz", arrays);
  model.load_weights(dir / "w.npz");
  const auto params = model.flatten_params();
  ASSERT_EQ(params.size(), 4u);
  for (std::size_t i = 0; i < params.size(); ++i) {
    EXPECT_EQ(params[i].first, arrays[i].first);
    EXPECT_TRUE(same_bytes(params[i].second.data(), arrays[i].second)) << params[i].first;
  }
}

TEST(LoadWeights, AMissingArrayChangesNothing) {
  ScratchDir dir;
  const M::MLP model = called_mlp();
  np::NpzEntries arrays;
  for (const auto& [key, p] : model.flatten_params()) {
    if (key != "l1/b") arrays.emplace_back(key, p.data() * 2.0f);
  }
  np::savez_compressed(dir / "w.npz", arrays);
  const auto before = data_of(model);
  const auto copies = copies_of(model);
  EXPECT_TRUE(throws_with<np::io_error>([&] { model.load_weights(dir / "w.npz"); },
                                        {"load_weights", "w.npz", "has no array 'l1/b'",
                                         "it holds: l0/W, l0/b, l1/W", "unchanged"}));
  EXPECT_TRUE(unchanged(model, before, copies));
}

TEST(LoadWeights, AShapeOrDtypeMismatchChangesNothing) {
  ScratchDir dir;
  const M::MLP model = called_mlp();
  const auto before = data_of(model);
  const auto copies = copies_of(model);
  // Everything fits but the last array, so a load that assigned as it went would have
  // changed l0/W, l0/b and l1/W already.
  auto file_with_last = [&](const np::ndarray& last) {
    np::NpzEntries arrays;
    for (const auto& [key, p] : model.flatten_params()) {
      arrays.emplace_back(key, key == "l1/b" ? last : p.data() * 2.0f);
    }
    np::savez_compressed(dir / "w.npz", arrays);
  };
  file_with_last(np::zeros({3}, np::float32));
  EXPECT_TRUE(throws_with<np::io_error>([&] { model.load_weights(dir / "w.npz"); },
                                        {"load_weights", "w.npz", "'l1/b' is (3,) float32 in the file",
                                         "the parameter is (2,) float32", "unchanged"}));
  EXPECT_TRUE(unchanged(model, before, copies));
  file_with_last(np::zeros({2}, np::float64));
  EXPECT_TRUE(throws_with<np::io_error>([&] { model.load_weights(dir / "w.npz"); },
                                        {"'l1/b' is (2,) float64 in the file",
                                         "the parameter is (2,) float32"}));
  EXPECT_TRUE(unchanged(model, before, copies));
}

TEST(LoadWeights, DamagedFilesChangeNothing) {
  ScratchDir dir;
  const M::MLP model = called_mlp();
  model.save_weights(dir / "good.npz");
  const std::string good = read_bytes(dir / "good.npz");
  const auto before = data_of(model);
  const auto copies = copies_of(model);
  write_bytes(dir / "cut.npz", good.substr(0, good.size() / 2));
  EXPECT_TRUE(throws_with<np::io_error>([&] { model.load_weights(dir / "cut.npz"); },
                                        {"np::load_npz", "cut.npz", "not a readable zip archive"}));
  std::string flipped = good;
  flipped[good.find("l1/W.npy") + 40] ^= 0x20;  // inside l1/W's deflated data
  write_bytes(dir / "flipped.npz", flipped);
  EXPECT_TRUE(throws_with<np::io_error>([&] { model.load_weights(dir / "flipped.npz"); },
                                        {"flipped.npz", "member 'l1/W.npy'"}));
  write_bytes(dir / "text.npz", "not a zip");
  EXPECT_TRUE(throws_with<np::io_error>([&] { model.load_weights(dir / "text.npz"); },
                                        {"text.npz", "not a readable zip archive"}));
  EXPECT_TRUE(throws_with<np::io_error>([&] { model.load_weights(dir / "absent.npz"); },
                                        {"absent.npz", "No such file"}));
  EXPECT_TRUE(unchanged(model, before, copies));
}

TEST(LoadWeights, ALayerRegisteredTwiceIsSavedUnderBothPaths) {
  ScratchDir dir;
  class Twice : public dezero::Model {
   public:
    Twice() : l(2, {.in_size = 2}) {
      register_layer("a", l);
      register_layer("b", l);
    }
    L::Linear l;
  };
  Twice model;
  model.save_weights(dir / "w.npz");
  const auto npz = np::load_npz(dir / "w.npz");
  EXPECT_EQ(npz.size(), 4u);
  EXPECT_TRUE(same_bytes(npz.at("a/W"), npz.at("b/W")));
  Twice other;
  other.load_weights(dir / "w.npz");
  EXPECT_TRUE(same_bytes(other.l.W.data(), model.l.W.data()));
}

// ===================================== the GPU switch =======================================

TEST(GpuSwitch, ThisBuildRunsOnTheCpu) {
  if (np::device_available(np::Device::cuda)) GTEST_SKIP() << "a GPU is present (tests/gpu)";
  EXPECT_FALSE(dezero::cuda::gpu_enable);
  EXPECT_TRUE(np::device_available(np::Device::cpu));
  EXPECT_FALSE(np::device_available(np::Device::cuda));
  const np::ndarray a = np::arange(3);
  EXPECT_EQ(a.device(), np::Device::cpu);
  EXPECT_EQ(dezero::cuda::get_array_module(a), np::Device::cpu);
  EXPECT_EQ(dezero::cuda::get_array_module(Variable(a)), np::Device::cpu);
  EXPECT_EQ(np::device_name(np::Device::cuda), "cuda");
  EXPECT_TRUE(np::to_device(a, np::Device::cpu).shares_memory(a));
  EXPECT_TRUE(dezero::cuda::as_numpy(a).shares_memory(a));
  EXPECT_TRUE(throws_with<np::device_error>([&] { np::to_device(a, np::Device::cuda); },
                                            {"to_device", "(3,) int64", "cuda",
                                             std::string(np::device_unavailable_reason(
                                                 np::Device::cuda))}));
  // The book's as_cupy raises without CuPy.
  EXPECT_TRUE(throws_with<np::device_error>([&] { dezero::cuda::as_cupy(a); },
                                            {"as_cupy", "no GPU", "gpu_enable is false"}));
}

TEST(GpuSwitch, ToGpuKeepsTheDataAndSaysSoOnce) {
  const M::MLP model = called_mlp();
  const auto before = data_of(model);
  const auto copies = copies_of(model);
  const int said_before = dezero::cuda::cpu_only_notices();
  ::testing::internal::CaptureStderr();
  model.to_gpu();
  model.to_gpu();
  Variable x(np::arange(3));
  x.to_gpu();
  const std::string err = ::testing::internal::GetCapturedStderr();
  // Said once per process: by this test, unless an earlier one in the same process did.
  EXPECT_EQ(err, said_before ? "" : dezero::cuda::cpu_only_notice);
  EXPECT_EQ(dezero::cuda::cpu_only_notices(), 1);
  EXPECT_TRUE(unchanged(model, before, copies));
  model.to_cpu();
  EXPECT_TRUE(unchanged(model, before, copies));
  EXPECT_TRUE(array_is(x.data(), {3}, np::int64, {0, 1, 2}));
  // A parameter without data yet stays without.
  Parameter empty(np::ndarray{});
  empty.to_gpu();
  empty.to_cpu();
  EXPECT_FALSE(empty.data().defined());
}

// A data loader switched to the GPU without one keeps making the same CPU batches.
TEST(GpuSwitch, DataLoaderToGpuWithoutAGpu) {
  const auto ds = dezero::datasets::Dataset::from_arrays(np::arange(6).reshape({3, 2}),
                                                         np::array({0, 1, 2}));
  dezero::dataloaders::DataLoader loader(ds, 2, {.shuffle = false});
  loader.to_gpu();
  EXPECT_FALSE(loader.gpu());  // no GPU backend: the switch stays off
  const auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_TRUE(array_is(batch->x, {2, 2}, np::int64, {0, 1, 2, 3}));
  EXPECT_EQ(batch->x.device(), np::Device::cpu);
  EXPECT_EQ(dezero::cuda::cpu_only_notices(), 1);
  loader.to_cpu();
  EXPECT_FALSE(loader.gpu());
}

}  // namespace
