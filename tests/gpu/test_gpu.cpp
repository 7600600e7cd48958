// The CUDA backend against the CPU: every device operation of np/ on the same inputs as on the
// CPU, mixing devices, the pool, out-of-memory. Needs a GPU: without one the program exits 77
// (ctest: skipped), except `--no-gpu`, which checks that a machine without a GPU gets a clean
// "unavailable" and exits 77 where a GPU is present. Label `gpu`; docs/gpu.md.
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <iostream>
#include <sstream>
#include <string>

#include "dezero/dezero.hpp"
#include "np/np.hpp"

namespace {

using np::Device;
using np::ndarray;

ndarray G(const ndarray& a) { return np::to_device(a, Device::cuda); }
ndarray H(const ndarray& a) { return np::to_device(a, Device::cpu); }

// The device result against the CPU's: same shape and dtype; float64 to 1e-12 relative,
// float32 to 1e-5, integers and bools exactly.
void expect_same(const ndarray& on_gpu, const ndarray& on_cpu, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(on_gpu.device(), Device::cuda);
  ASSERT_EQ(on_cpu.device(), Device::cpu);
  const ndarray got = H(on_gpu);
  ASSERT_EQ(got.shape(), on_cpu.shape());
  ASSERT_EQ(got.dtype(), on_cpu.dtype());
  const double tol = on_cpu.dtype() == np::float64   ? 1e-12
                     : on_cpu.dtype() == np::float32 ? 1e-5
                                                     : 0.0;
  const auto g = got.to_vector<double>(), c = on_cpu.to_vector<double>();
  for (std::size_t i = 0; i < g.size(); ++i) {
    if (std::isnan(c[i])) {
      EXPECT_TRUE(std::isnan(g[i])) << "element " << i;
    } else {
      EXPECT_LE(std::abs(g[i] - c[i]), tol * std::max(1.0, std::abs(c[i])))
          << "element " << i << ": gpu " << g[i] << ", cpu " << c[i];
    }
  }
}

ndarray sample(const np::Shape& shape, np::DType dtype, double low = -2.0, double high = 2.0) {
  const ndarray u = np::random::uniform(low, high, shape);
  if (dtype == np::bool_) return u > ndarray(0.0);
  if (np::is_integer(dtype)) return (u * ndarray(10.0)).astype(dtype);
  return u.astype(dtype);
}

const np::DType kFloats[] = {np::float32, np::float64};
const np::DType kAll[] = {np::bool_, np::uint8, np::int32, np::int64, np::float32, np::float64};

TEST(Gpu, IsAvailableAndRoundTripsEveryDtype) {
  ASSERT_TRUE(np::device_available(Device::cuda));
  EXPECT_TRUE(dezero::cuda::gpu_enable);
  for (np::DType d : kAll) {
    const ndarray a = sample({3, 4}, d);
    const ndarray g = G(a);
    EXPECT_EQ(g.device(), Device::cuda);
    EXPECT_TRUE(np::array_equal(H(g), a));
    expect_same(g.copy(), a, "copy");
  }
}

TEST(Gpu, PrintsAndReadsValuesAsTheCpu) {
  const ndarray a = np::array({{1.5, -2.0}, {3.25, 4.0}});
  EXPECT_EQ(np::str(G(a)), np::str(a));
  EXPECT_EQ(np::repr(G(a)), np::repr(a));
  EXPECT_EQ(G(a).flat(2), 3.25);
  EXPECT_EQ(G(ndarray(7.5)).item(), 7.5);
  EXPECT_EQ(G(a).to_vector<double>(), a.to_vector<double>());
  ndarray g = G(a);
  g.set_flat(1, 9.0);
  EXPECT_EQ(H(g).flat(1), 9.0);
}

TEST(Gpu, AstypeFillAndLike) {
  for (np::DType from : kAll) {
    for (np::DType to : kAll) {
      // Non-negative: a negative float to uint8 is undefined in C++ (and differs by device).
      const ndarray a = sample({5, 3}, from, 0.0, 2.0);
      expect_same(G(a).astype(to), a.astype(to), "astype");
    }
  }
  for (np::DType d : kAll) {
    const ndarray g = G(np::zeros({2, 3}, d));
    expect_same(np::ones_like(g), np::ones({2, 3}, d), "ones_like");
    expect_same(np::zeros_like(g), np::zeros({2, 3}, d), "zeros_like");
    expect_same(np::full_like(g, 3.0), np::full({2, 3}, 3.0, d), "full_like");
  }
}

TEST(Gpu, UnaryOperations) {
  for (np::DType d : kFloats) {
    const ndarray x = sample({4, 5}, d), pos = sample({4, 5}, d, 0.1, 3.0);
    expect_same(np::negative(G(x)), np::negative(x), "negative");
    expect_same(np::exp(G(x)), np::exp(x), "exp");
    expect_same(np::log(G(pos)), np::log(pos), "log");
    expect_same(np::sin(G(x)), np::sin(x), "sin");
    expect_same(np::cos(G(x)), np::cos(x), "cos");
    expect_same(np::tanh(G(x)), np::tanh(x), "tanh");
    expect_same(np::sqrt(G(pos)), np::sqrt(pos), "sqrt");
    expect_same(np::square(G(x)), np::square(x), "square");
    expect_same(np::abs(G(x)), np::abs(x), "abs");
    expect_same(np::isfinite(G(np::log(x))), np::isfinite(np::log(x)), "isfinite");
  }
  for (np::DType d : kAll) {
    const ndarray x = sample({6}, d);
    expect_same(np::logical_not(G(x)), np::logical_not(x), "logical_not");
    expect_same(np::abs(G(x)), np::abs(x), "abs of ints");
    expect_same(np::exp(G(x)), np::exp(x), "exp promotes");
  }
}

TEST(Gpu, BinaryOperationsBroadcastAndPromote) {
  const np::Shape shapes[][2] = {{{2, 3, 4}, {2, 3, 4}}, {{2, 3, 4}, {3, 1}}, {{4}, {2, 3, 4}},
                                 {{2, 1, 4}, {1, 3, 1}}, {{5}, {}}};
  const std::pair<np::DType, np::DType> dtypes[] = {
      {np::float64, np::float64}, {np::float32, np::float32}, {np::float32, np::float64},
      {np::int64, np::float32},   {np::int64, np::int64},     {np::uint8, np::uint8},
      {np::bool_, np::int64},     {np::int32, np::int64}};
  for (const auto& s : shapes) {
    for (const auto& [da, db] : dtypes) {
      const ndarray a = sample(s[0], da), b = sample(s[1], db, 0.5, 3.0);
      std::ostringstream os;
      os << " of " << da << " " << s[0] << " and " << db << " " << s[1];
      const std::string at = os.str();
      expect_same(G(a) + G(b), a + b, "add" + at);
      expect_same(G(a) - G(b), a - b, "subtract" + at);
      expect_same(G(a) * G(b), a * b, "multiply" + at);
      expect_same(G(a) / G(b), a / b, "divide" + at);
      expect_same(np::maximum(G(a), G(b)), np::maximum(a, b), "maximum" + at);
      expect_same(np::minimum(G(a), G(b)), np::minimum(a, b), "minimum" + at);
      expect_same(G(a) == G(b), a == b, "equal" + at);
      expect_same(G(a) != G(b), a != b, "not_equal" + at);
      expect_same(G(a) < G(b), a < b, "less" + at);
      expect_same(G(a) <= G(b), a <= b, "less_equal" + at);
      expect_same(G(a) > G(b), a > b, "greater" + at);
      expect_same(G(a) >= G(b), a >= b, "greater_equal" + at);
    }
  }
  for (np::DType d : kFloats) {
    const ndarray a = sample({3, 4}, d, 0.5, 2.0), b = sample({4}, d);
    expect_same(np::power(G(a), G(b)), np::power(a, b), "power");
    expect_same(np::power(G(a), ndarray(2.0)), np::power(a, ndarray(2.0)), "power 2");
    // A host number goes along with a device array, with NumPy's value-based dtype.
    expect_same(G(a) * ndarray(2.0), a * ndarray(2.0), "times a number");
    expect_same(ndarray(1) - G(a), ndarray(1) - a, "number minus");
  }
}

TEST(Gpu, InPlaceArithmetic) {
  for (np::DType d : kFloats) {
    ndarray a = sample({3, 4}, d);
    const ndarray b = sample({4}, np::float64);
    ndarray g = G(a);
    const ndarray alias = g;
    a += b, g += G(b);
    a -= ndarray(0.5), g -= ndarray(0.5);
    a *= b, g *= G(b);
    a /= ndarray(3.0), g /= ndarray(3.0);
    expect_same(g, a, "in place");
    EXPECT_TRUE(alias.shares_memory(g));
  }
  ndarray i = np::arange(6).reshape({2, 3});
  ndarray gi = G(i);
  i += np::array({1, 2, 3}), gi += G(np::array({1, 2, 3}));
  expect_same(gi, i, "int64 in place");
}

TEST(Gpu, WhereAndClip) {
  for (np::DType d : kFloats) {
    const ndarray x = sample({3, 4}, d), y = sample({4}, d);
    const ndarray c = x > ndarray(0.0);
    expect_same(np::where(G(c), G(x), G(y)), np::where(c, x, y), "where");
    expect_same(np::clip(G(x), ndarray(-0.5), ndarray(0.5)),
                np::clip(x, ndarray(-0.5), ndarray(0.5)), "clip");
  }
}

TEST(Gpu, Reductions) {
  const np::Axes axes[] = {np::none, 0, 1, -1, {0, 2}, {1, 2}};
  for (np::DType d : kAll) {
    const ndarray x = sample({3, 4, 5}, d);
    for (const auto& ax : axes) {
      for (bool keep : {false, true}) {
        expect_same(np::sum(G(x), ax, keep), np::sum(x, ax, keep), "sum");
        expect_same(np::max(G(x), ax, keep), np::max(x, ax, keep), "max");
        expect_same(np::min(G(x), ax, keep), np::min(x, ax, keep), "min");
        expect_same(np::mean(G(x), ax, keep), np::mean(x, ax, keep), "mean");
      }
    }
    expect_same(np::argmax(G(x)), np::argmax(x), "argmax");
    for (int a : {0, 1, 2}) {
      expect_same(np::argmax(G(x), a), np::argmax(x, a), "argmax axis");
      expect_same(np::argmin(G(x), a), np::argmin(x, a), "argmin axis");
    }
  }
  // Positive values: the sum is as large as the sum of magnitudes, so 1e-12 holds for any
  // order of additions.
  const ndarray big = sample({3, 100000}, np::float64, 0.0, 1.0);
  expect_same(np::sum(G(big), 1), np::sum(big, 1), "long rows");
  EXPECT_TRUE(np::all(G(np::ones({3}))));
  EXPECT_FALSE(np::all(G(np::array({1.0, 0.0}))));
  EXPECT_TRUE(np::any(G(np::array({0.0, 2.0}))));
  EXPECT_TRUE(np::allclose(G(np::ones({3})), G(np::ones({3}))));
}

TEST(Gpu, ShapesTransposeBroadcastSumTo) {
  for (np::DType d : kAll) {
    const ndarray x = sample({2, 3, 4}, d);
    const ndarray g = G(x);
    const ndarray r = g.reshape({6, 4});
    EXPECT_TRUE(r.shares_memory(g));
    expect_same(r, x.reshape({6, 4}), "reshape");
    expect_same(g.transpose(), x.transpose(), "transpose");
    expect_same(g.transpose({1, 0, 2}), x.transpose({1, 0, 2}), "transpose axes");
    const ndarray col = sample({3, 1}, d);
    expect_same(np::broadcast_to(G(col), {2, 3, 4}), np::broadcast_to(col, {2, 3, 4}),
                "broadcast_to");
    expect_same(np::sum_to(g, {3, 1}), np::sum_to(x, {3, 1}), "sum_to");
  }
  const ndarray x = sample({3, 1}, np::float64);
  expect_same(np::broadcast_to(G(x), {2, 3, 4}), np::broadcast_to(x, {2, 3, 4}), "broadcast_to");
}

TEST(Gpu, ConcatenateAndStack) {
  const ndarray a = sample({2, 3}, np::float32), b = sample({2, 5}, np::float64);
  expect_same(np::concatenate({G(a), G(b)}, 1), np::concatenate({a, b}, 1), "concatenate 1");
  const ndarray c = sample({4, 3}, np::float32);
  expect_same(np::concatenate({G(a), G(c)}, 0), np::concatenate({a, c}, 0), "concatenate 0");
  expect_same(np::stack({G(a), G(a)}, 1), np::stack({a, a}, 1), "stack");
}

TEST(Gpu, MatmulThroughCublas) {
  for (np::DType d : kFloats) {
    const ndarray a = sample({5, 7}, d), b = sample({7, 3}, d);
    expect_same(np::matmul(G(a), G(b)), np::matmul(a, b), "2-D");
    const ndarray at = sample({7, 5}, d), bt = sample({3, 7}, d);
    expect_same(np::matmul(G(at), G(b), np::Transpose::a), np::matmul(at, b, np::Transpose::a),
                "Transpose::a");
    expect_same(np::matmul(G(a), G(bt), np::Transpose::b), np::matmul(a, bt, np::Transpose::b),
                "Transpose::b");
    const ndarray v = sample({7}, d);
    expect_same(np::matmul(G(a), G(v)), np::matmul(a, v), "matrix-vector");
    expect_same(np::matmul(G(v), G(b)), np::matmul(v, b), "vector-matrix");
    const ndarray s = sample({4, 5, 7}, d);
    expect_same(np::matmul(G(s), G(b)), np::matmul(s, b), "stack times matrix");
    expect_same(np::dot(G(a), G(b)), np::dot(a, b), "dot");
    const ndarray t = sample({3, 4, 5}, d), u = sample({4, 3, 2}, d);
    expect_same(np::tensordot(G(t), G(u), {0, 1}, {1, 0}), np::tensordot(t, u, {0, 1}, {1, 0}),
                "tensordot");
  }
  EXPECT_THROW((void)np::matmul(G(np::ones({2, 2}, np::int64)), G(np::ones({2, 2}, np::int64))),
               np::device_error);
}

TEST(Gpu, MixingDevicesThrowsNamingBoth) {
  const ndarray a = np::ones({3}), g = G(np::ones({3}));
  try {
    (void)(a + g);
    FAIL() << "no error";
  } catch (const np::device_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("add"), std::string::npos) << what;
    EXPECT_NE(what.find("cpu"), std::string::npos) << what;
    EXPECT_NE(what.find("cuda"), std::string::npos) << what;
  }
  EXPECT_THROW((void)np::matmul(np::ones({2, 2}), G(np::ones({2, 2}))), np::device_error);
  EXPECT_THROW((void)np::concatenate({a, g}), np::device_error);
  EXPECT_THROW((void)np::where(a > ndarray(0.0), g, g), np::device_error);
  // A host array indexed by an index array on the GPU.
  EXPECT_THROW((void)np::eye(3)[G(np::array({0, 1}))], np::device_error);
}

TEST(Gpu, IndexingGatherScatterAddAt) {
  for (np::DType d : kAll) {
    const ndarray x = sample({4, 5, 3}, d);
    const ndarray g = G(x);
    expect_same(g[1], x[1], "integer");
    expect_same(g[{np::slice(1, 3), np::slice(np::none, np::none, -2)}],
                x[{np::slice(1, 3), np::slice(np::none, np::none, -2)}], "slices");
    const ndarray rows = np::array({3, 0, 3, -1});
    expect_same(g[rows], x[rows], "rows");
    expect_same(g[G(rows)], x[rows], "rows from the GPU");
    const ndarray two = x[{np::slice(), np::slice(), 0}];
    expect_same(G(two)[{np::arange(4), np::array({0, 4, 2, 1})}],
                two[{np::arange(4), np::array({0, 4, 2, 1})}], "pairs");
    expect_same(g[x > ndarray(0)], x[x > ndarray(0)], "mask");
  }
  for (np::DType d : {np::float32, np::float64, np::int32, np::int64}) {
    ndarray a = np::zeros({4, 3}, d), ga = G(a);
    const ndarray idx = np::array({0, 2, 0, 0});
    const ndarray v = sample({4, 3}, d);
    np::add_at(a, {idx}, v);
    np::add_at(ga, {idx}, G(v));
    expect_same(ga, a, "add.at accumulates repeated rows");
    np::setitem(a, {np::slice(1, 3)}, ndarray(5));
    np::setitem(ga, {np::slice(1, 3)}, ndarray(5));
    expect_same(ga, a, "setitem");
  }
}

TEST(Gpu, OperationsWithoutAKernelThrowNamingThem) {
  const ndarray g = G(np::ones({3, 3}));
  try {
    (void)np::pad(g, {{1, 1}});
    FAIL() << "no error";
  } catch (const np::device_error& e) {
    EXPECT_NE(std::string(e.what()).find("pad"), std::string::npos) << e.what();
  }
  EXPECT_THROW((void)g.data<double>(), np::device_error);
  ndarray u = G(np::ones({3}, np::uint8));
  EXPECT_THROW(np::add_at(u, {np::array({0})}, G(np::ones({1}, np::uint8))), np::device_error);
}

TEST(Gpu, PoolReusesBlocksAndStaysFlat) {
  const ndarray x = G(sample({64, 64}, np::float32));
  const ndarray w = G(sample({64, 64}, np::float32));
  auto step = [&] { return np::tanh(np::matmul(x, w) + ndarray(1.0f)).sum().item(); };
  step();
  np::synchronize();
  const std::size_t held = np::pool_held_bytes();
  EXPECT_GT(held, 0u);
  for (int i = 0; i < 10000; ++i) step();
  EXPECT_EQ(np::pool_held_bytes(), held);
  const std::size_t used = np::pool_used_bytes();
  np::pool_free_cached();
  EXPECT_EQ(np::pool_held_bytes(), used);
}

TEST(Gpu, OutOfMemoryIsAnException) {
  try {
    (void)np::ndarray::uninitialized({std::int64_t{1} << 42}, np::float64, Device::cuda);
    FAIL() << "32 TiB were allocated";
  } catch (const np::device_out_of_memory& e) {
    EXPECT_EQ(e.bytes, std::size_t{8} << 42);
  }
  // The device still works afterwards.
  expect_same(G(np::ones({2})) + G(np::ones({2})), np::full({2}, 2.0), "after");
}

TEST(Gpu, DezeroMovesVariablesAndLayers) {
  dezero::Variable v(np::ones({2, 2}));
  v.to_gpu();
  EXPECT_EQ(v.data().device(), Device::cuda);
  v.to_cpu();
  EXPECT_EQ(v.data().device(), Device::cpu);
  EXPECT_EQ(dezero::cuda::cpu_only_notices(), 0);
}

// Step 45's two-layer network: the same seed gives the same losses on the GPU as on the CPU
// (the weights are drawn on the host either way).
TEST(Gpu, DezeroTrainsAnMlpAsTheCpu) {
  namespace F = dezero::functions;
  namespace L = dezero::layers;
  auto train = [](bool gpu) {
    np::random::seed(0);
    const ndarray x = np::random::rand({100, 1});
    const ndarray y = np::sin(ndarray(6.0) * x) + np::random::rand({100, 1});
    L::Linear l1(10), l2(1);
    dezero::Variable vx(gpu ? G(x) : x), vy(gpu ? G(y) : y);
    std::vector<double> losses;
    for (int i = 0; i < 50; ++i) {
      dezero::Variable loss = F::mean_squared_error(vy, l2(F::sigmoid(l1(vx))));
      l1.cleargrads();
      l2.cleargrads();
      loss.backward();
      for (L::Linear* l : {&l1, &l2}) {
        for (const dezero::Parameter& p : l->params()) p.data() -= ndarray(0.2) * p.grad().data();
      }
      losses.push_back(loss.data().item());
      if (gpu) {
        EXPECT_EQ(loss.data().device(), Device::cuda);
        EXPECT_EQ(l1.W.data().device(), Device::cuda);
      }
    }
    return losses;
  };
  const auto cpu = train(false), gpu = train(true);
  for (std::size_t i = 0; i < cpu.size(); ++i) EXPECT_NEAR(gpu[i], cpu[i], 1e-10 * cpu[i]) << i;
}

TEST(Gpu, DezeroSoftmaxCrossEntropyAsTheCpu) {
  namespace F = dezero::functions;
  for (np::DType d : kFloats) {
    const ndarray x = sample({4, 3}, d), t = np::array({0, 2, 1, 2});
    auto run = [&](bool gpu) {
      dezero::Variable vx(gpu ? G(x) : x);
      dezero::Variable loss = F::softmax_cross_entropy(vx, dezero::Variable(gpu ? G(t) : t));
      loss.backward();
      return std::pair{loss.data(), vx.grad().data()};
    };
    const auto [loss_cpu, grad_cpu] = run(false);
    const auto [loss_gpu, grad_gpu] = run(true);
    expect_same(loss_gpu, loss_cpu, "loss");
    expect_same(grad_gpu, grad_cpu, "gradient");
  }
}

// Without a GPU: the backend says so without an error, and nothing can go there.
TEST(NoGpu, UnavailableCleanly) {
  EXPECT_FALSE(np::device_available(Device::cuda));
  EXPECT_FALSE(dezero::cuda::gpu_enable);
  const std::string reason(np::device_unavailable_reason(Device::cuda));
  EXPECT_FALSE(reason.empty());
  std::cout << "device_unavailable_reason(cuda): " << reason << "\n";
  EXPECT_THROW((void)G(np::ones({2})), np::device_error);
  EXPECT_EQ(np::pool_held_bytes(), 0u);
}

}  // namespace

int main(int argc, char** argv) {
  bool no_gpu_mode = false;
  for (int i = 1; i < argc; ++i) no_gpu_mode = no_gpu_mode || std::strcmp(argv[i], "--no-gpu") == 0;
  const bool gpu = np::device_available(Device::cuda);
  if (no_gpu_mode == gpu) {
    std::cout << (gpu ? "a GPU is present: the no-GPU checks do not apply (skipped)\n"
                      : "no GPU: skipped\n");
    return 77;
  }
  ::testing::InitGoogleTest(&argc, argv);
  ::testing::GTEST_FLAG(filter) = no_gpu_mode ? "NoGpu.*" : "Gpu.*";
  return RUN_ALL_TESTS();
}
