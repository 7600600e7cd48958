// np::random: NumPy's legacy global generator (numpy.random.RandomState), bit for bit.
//
// The book seeds it (np.random.seed(0) in steps 42-47, seed(1984)/seed(2020) inside
// get_spiral) and its printouts depend on every draw, so this is the same MT19937 with the
// same seeding, the same 53-bit doubles, the same polar Box-Muller with its cached second
// value, and the same rejection sampling for integers and permutations.
#pragma once

#include <array>
#include <cstdint>

#include "np/ndarray.hpp"

namespace np::random {

class RandomState {
 public:
  // Unseeded, as numpy.random.RandomState(): seeded from the operating system's entropy.
  RandomState();
  explicit RandomState(std::uint32_t seed);

  // np.random.seed(s): MT19937's init_genrand(s); also forgets a cached normal.
  void seed(std::uint32_t seed);

  // The raw draws everything else is made of.
  std::uint32_t next_uint32();
  double next_double();   // [0, 1) with 53 random bits: ((a >> 5) * 2^26 + (b >> 6)) / 2^53
  double next_gauss();    // standard normal, legacy polar method
  // A uniform integer in [0, max], by masked rejection of 32- or 64-bit draws (legacy).
  std::uint64_t next_interval(std::uint64_t max);

  ndarray rand(const Shape& shape = {});                // float64 in [0, 1)
  ndarray randn(const Shape& shape = {});               // float64 standard normal
  ndarray randint(std::int64_t low, std::int64_t high, const Shape& shape = {});  // int64
  ndarray uniform(double low, double high, const Shape& shape = {});  // float64 in [low, high)
  ndarray permutation(std::int64_t n);                  // int64 shuffled arange(n)
  ndarray permutation(const ndarray& a);                // shuffled copy along the first axis
  void shuffle(ndarray& a);                             // in place along the first axis

 private:
  std::array<std::uint32_t, 624> mt_{};
  int index_ = 624;
  bool has_gauss_ = false;
  double gauss_ = 0.0;
};

// The generator behind the module-level functions (np.random.rand and friends).
RandomState& global_state();

void seed(std::uint32_t seed);
ndarray rand(const Shape& shape = {});
ndarray randn(const Shape& shape = {});
ndarray randint(std::int64_t low, std::int64_t high, const Shape& shape = {});
ndarray uniform(double low, double high, const Shape& shape = {});
ndarray permutation(std::int64_t n);
ndarray permutation(const ndarray& a);
void shuffle(ndarray& a);

}  // namespace np::random
