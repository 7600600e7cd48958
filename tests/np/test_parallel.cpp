// np/parallel.hpp: element-wise loops over large arrays are shared between the cores, and give
// the same bits as on one core, for every kind of loop that uses it (flat binary operations with
// an array or a scalar operand, float32 functions in blocks, the vectorised float64 tanh), at
// sizes around the threshold and not multiples of the 256-element pieces.
#include <gtest/gtest.h>
#include <omp.h>

#include <functional>
#include <string>
#include <vector>

#include "np/np.hpp"
#include "np/parallel.hpp"

namespace {

// f's result with OpenMP on one thread and on `threads`.
std::pair<np::ndarray, np::ndarray> on_one_and_more(const std::function<np::ndarray()>& f,
                                                    int threads = 2) {
  const int before = omp_get_max_threads();
  omp_set_num_threads(1);
  np::ndarray one = f();
  omp_set_num_threads(threads);
  np::ndarray more = f();
  omp_set_num_threads(before);
  return {one, more};
}

TEST(Parallel, RangesCoverEverythingOnceInPiecesOf256) {
  const int before = omp_get_max_threads();
  for (const int threads : {2, 3}) {
    omp_set_num_threads(threads);
    for (const std::int64_t n : {std::int64_t{10}, np::detail::parallel_elements - 1,
                                 np::detail::parallel_elements, std::int64_t{100003}}) {
      std::vector<int> seen(static_cast<std::size_t>(n), 0);
      std::vector<std::int64_t> begins;
      np::detail::parallel_range(n, [&](std::int64_t begin, std::int64_t end) {
        for (std::int64_t i = begin; i < end; ++i) ++seen[static_cast<std::size_t>(i)];
#pragma omp critical
        begins.push_back(begin);
      });
      for (int count : seen) ASSERT_EQ(count, 1) << n;
      const bool split = n >= np::detail::parallel_elements;
      EXPECT_EQ(begins.size(), split ? std::size_t(threads) : 1u) << n;
      for (const std::int64_t b : begins) EXPECT_EQ(b % np::detail::parallel_granule, 0) << n;
    }
  }
  omp_set_num_threads(before);
}

TEST(Parallel, ElementwiseOperationsGiveTheSameBitsOnMoreThreads) {
  np::random::seed(7);
  for (const std::int64_t n : {np::detail::parallel_elements + 77, std::int64_t{300001}}) {
    SCOPED_TRACE(n);
    const np::ndarray a64 = np::random::randn({n}), b64 = np::random::randn({n});
    const np::ndarray a32 = a64.astype(np::float32), b32 = b64.astype(np::float32);
    const std::vector<std::pair<std::string, std::function<np::ndarray()>>> cases = {
        {"a + b float32", [&] { return a32 + b32; }},
        {"a / b float64", [&] { return a64 / b64; }},
        {"a * 0.5", [&] { return a32 * 0.5; }},
        {"2 - a", [&] { return 2.0 - a64; }},
        {"a > b", [&] { return a32 > b32; }},
        {"exp float32", [&] { return np::exp(a32); }},
        {"tanh float32", [&] { return np::tanh(a32); }},
        {"tanh float64", [&] { return np::tanh(a64 * 3.0); }},
        {"log float64", [&] { return np::log(np::abs(a64)); }},
        {"sqrt float32", [&] { return np::sqrt(np::abs(a32)); }},
        {"maximum", [&] { return np::maximum(a32, b32); }},
    };
    for (const auto& [name, f] : cases) {
      const auto [one, more] = on_one_and_more(f);
      EXPECT_TRUE(np::array_equal(one, more)) << name;
      EXPECT_EQ(one.dtype(), more.dtype()) << name;
    }
  }
}

// An error raised inside a loop that the cores share is an exception in the caller, as on one
// core (an OpenMP region that an exception left would end the program).
TEST(Parallel, AnErrorInASharedLoopIsAnException) {
  const np::ndarray base = np::full({300001}, 2, np::int64);
  np::ndarray exponent = np::full({300001}, 3, np::int64);
  exponent.set_flat(299999, -1);
  const int before = omp_get_max_threads();
  omp_set_num_threads(2);
  EXPECT_THROW(np::power(base, exponent), std::invalid_argument);
  omp_set_num_threads(before);
  exponent.set_flat(299999, 3);
  EXPECT_EQ(np::power(base, exponent).sum().item<std::int64_t>(), 8 * 300001);
}

}  // namespace
