// The array layer against raw Eigen on the same machine, side by side in one run:
//   cmake --preset bench && cmake --build --preset bench && build/bench/bench/array_bench
// Each np:: benchmark has an Eigen twin doing the same arithmetic on the same sizes.
#include <benchmark/benchmark.h>

#include <Eigen/Core>

#include "np/np.hpp"

namespace {

using RowMatrixF = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

// ---------------------------------------------------------------- matmul (float32)

void NpMatmul(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  np::random::seed(0);
  const np::ndarray a = np::random::rand({m, k}).astype(np::float32);
  const np::ndarray b = np::random::rand({k, n}).astype(np::float32);
  for (auto _ : state) benchmark::DoNotOptimize(np::matmul(a, b));
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

void EigenMatmul(benchmark::State& state) {
  const std::int64_t m = state.range(0), k = state.range(1), n = state.range(2);
  const RowMatrixF a = RowMatrixF::Random(m, k), b = RowMatrixF::Random(k, n);
  RowMatrixF c(m, n);
  for (auto _ : state) {
    // a fresh result each time, as np::matmul allocates one
    RowMatrixF out(m, n);
    out.noalias() = a * b;
    benchmark::DoNotOptimize(out.data());
  }
  state.counters["GFLOP/s"] = benchmark::Counter(2.0 * m * k * n, benchmark::Counter::kIsIterationInvariantRate,
                                                 benchmark::Counter::kIs1000);
}

// ---------------------------------------------------------------- element-wise, 10^6 float32

constexpr std::int64_t kN = 1'000'000;

np::ndarray random_f32(std::int64_t n, std::uint32_t seed) {
  np::random::seed(seed);
  return np::random::rand({n}).astype(np::float32);
}

void NpAdd(benchmark::State& state) {
  const np::ndarray a = random_f32(kN, 1), b = random_f32(kN, 2);
  for (auto _ : state) benchmark::DoNotOptimize(a + b);
  state.SetItemsProcessed(state.iterations() * kN);
}
void EigenAdd(benchmark::State& state) {
  const Eigen::ArrayXf a = Eigen::ArrayXf::Random(kN), b = Eigen::ArrayXf::Random(kN);
  for (auto _ : state) {
    Eigen::ArrayXf c = a + b;
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * kN);
}

void NpMulScalar(benchmark::State& state) {
  const np::ndarray a = random_f32(kN, 1);
  for (auto _ : state) benchmark::DoNotOptimize(a * 0.5);
  state.SetItemsProcessed(state.iterations() * kN);
}
void EigenMulScalar(benchmark::State& state) {
  const Eigen::ArrayXf a = Eigen::ArrayXf::Random(kN);
  for (auto _ : state) {
    Eigen::ArrayXf c = a * 0.5f;
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * kN);
}

void NpExp(benchmark::State& state) {
  const np::ndarray a = random_f32(kN, 1);
  for (auto _ : state) benchmark::DoNotOptimize(np::exp(a));
  state.SetItemsProcessed(state.iterations() * kN);
}
void EigenExp(benchmark::State& state) {
  const Eigen::ArrayXf a = Eigen::ArrayXf::Random(kN);
  for (auto _ : state) {
    Eigen::ArrayXf c = a.exp();
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * kN);
}

void NpTanh(benchmark::State& state) {
  const np::ndarray a = random_f32(kN, 1);
  for (auto _ : state) benchmark::DoNotOptimize(np::tanh(a));
  state.SetItemsProcessed(state.iterations() * kN);
}
void EigenTanh(benchmark::State& state) {
  const Eigen::ArrayXf a = Eigen::ArrayXf::Random(kN);
  for (auto _ : state) {
    Eigen::ArrayXf c = a.tanh();
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * kN);
}

// ---------------------------------------------------------------- bias broadcast (M, N) + (1, N)

void NpBiasAdd(benchmark::State& state) {
  const std::int64_t m = 1000, n = 1000;
  np::random::seed(3);
  const np::ndarray x = np::random::rand({m, n}).astype(np::float32);
  const np::ndarray b = np::random::rand({1, n}).astype(np::float32);
  for (auto _ : state) benchmark::DoNotOptimize(x + b);
  state.SetItemsProcessed(state.iterations() * m * n);
}
void EigenBiasAdd(benchmark::State& state) {
  const std::int64_t m = 1000, n = 1000;
  const RowMatrixF x = RowMatrixF::Random(m, n);
  const Eigen::RowVectorXf b = Eigen::RowVectorXf::Random(n);
  for (auto _ : state) {
    RowMatrixF c = x.rowwise() + b;
    benchmark::DoNotOptimize(c.data());
  }
  state.SetItemsProcessed(state.iterations() * m * n);
}

// ---------------------------------------------------------------- reductions, 10^6 float32

void NpSum(benchmark::State& state) {
  const np::ndarray a = random_f32(kN, 1);
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
  state.SetItemsProcessed(state.iterations() * kN);
}
void EigenSum(benchmark::State& state) {
  const Eigen::ArrayXf a = Eigen::ArrayXf::Random(kN);
  for (auto _ : state) benchmark::DoNotOptimize(a.sum());
  state.SetItemsProcessed(state.iterations() * kN);
}

}  // namespace

BENCHMARK(NpMatmul)->Args({100, 784, 1000})->Args({1000, 1000, 1000})->Unit(benchmark::kMillisecond);
BENCHMARK(EigenMatmul)->Args({100, 784, 1000})->Args({1000, 1000, 1000})->Unit(benchmark::kMillisecond);
BENCHMARK(NpAdd)->Unit(benchmark::kMicrosecond);
BENCHMARK(EigenAdd)->Unit(benchmark::kMicrosecond);
BENCHMARK(NpMulScalar)->Unit(benchmark::kMicrosecond);
BENCHMARK(EigenMulScalar)->Unit(benchmark::kMicrosecond);
BENCHMARK(NpExp)->Unit(benchmark::kMicrosecond);
BENCHMARK(EigenExp)->Unit(benchmark::kMicrosecond);
BENCHMARK(NpTanh)->Unit(benchmark::kMicrosecond);
BENCHMARK(EigenTanh)->Unit(benchmark::kMicrosecond);
BENCHMARK(NpBiasAdd)->Unit(benchmark::kMicrosecond);
BENCHMARK(EigenBiasAdd)->Unit(benchmark::kMicrosecond);
BENCHMARK(NpSum)->Unit(benchmark::kMicrosecond);
BENCHMARK(EigenSum)->Unit(benchmark::kMicrosecond);

BENCHMARK_MAIN();
