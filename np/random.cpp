// NumPy's legacy RandomState (numpy.random.seed/rand/randn/...) re-implemented draw for draw.
//
// Every function below consumes the generator exactly as NumPy 1.24's legacy code path does:
// the same number of 32-bit words, in the same order, combined the same way. A single extra
// or missing draw would shift every later number the book prints.
#include "np/random.hpp"

#include <algorithm>
#include <cmath>
#include <random>
#include <stdexcept>
#include <utility>

#include "np/errors.hpp"

namespace np::random {

namespace {

// MT19937's parameters (Matsumoto & Nishimura, 1998).
constexpr int kStateSize = 624;
constexpr int kShift = 397;
constexpr std::uint32_t kMatrixA = 0x9908b0dfU;
constexpr std::uint32_t kUpperBit = 0x80000000U;
constexpr std::uint32_t kLowerBits = 0x7fffffffU;

// The smallest all-ones mask covering `max`: rejection sampling draws below it.
constexpr std::uint64_t covering_mask(std::uint64_t max) {
  for (int shift = 1; shift <= 32; shift *= 2) max |= max >> shift;
  return max;
}

}  // namespace

RandomState::RandomState() {
  // NumPy fills the whole state from OS entropy and sets the top bit of the first word, so
  // that the state can never be all zeros (the one state MT19937 cannot leave).
  std::random_device entropy;
  mt_[0] = kUpperBit;
  for (int i = 1; i < kStateSize; ++i) mt_[i] = static_cast<std::uint32_t>(entropy());
  index_ = kStateSize;
}

RandomState::RandomState(std::uint32_t seed) { this->seed(seed); }

void RandomState::seed(std::uint32_t seed) {
  // init_genrand: Knuth's multiplicative recurrence spreads the 32-bit seed over the state.
  mt_[0] = seed;
  for (int i = 1; i < kStateSize; ++i) {
    const std::uint32_t prev = mt_[i - 1];
    mt_[i] = 1812433253U * (prev ^ (prev >> 30)) + static_cast<std::uint32_t>(i);
  }
  index_ = kStateSize;  // the first draw twists the whole state
  has_gauss_ = false;   // np.random.seed also drops a cached second normal
  gauss_ = 0.0;
}

std::uint32_t RandomState::next_uint32() {
  if (index_ >= kStateSize) {
    // Twist all 624 words at once. Indices wrap around, so words past the end read the ones
    // already updated in this pass, exactly as the reference's three-part loop does.
    for (int i = 0; i < kStateSize; ++i) {
      const std::uint32_t y = (mt_[i] & kUpperBit) | (mt_[(i + 1) % kStateSize] & kLowerBits);
      mt_[i] = mt_[(i + kShift) % kStateSize] ^ (y >> 1) ^ ((y & 1U) ? kMatrixA : 0U);
    }
    index_ = 0;
  }
  std::uint32_t y = mt_[index_++];
  // Tempering improves the equidistribution of the raw state words.
  y ^= y >> 11;
  y ^= (y << 7) & 0x9d2c5680U;
  y ^= (y << 15) & 0xefc60000U;
  y ^= y >> 18;
  return y;
}

double RandomState::next_double() {
  // 27 + 26 bits from two words (the first one is the high part): 53 bits, a full mantissa.
  const std::uint32_t a = next_uint32() >> 5;
  const std::uint32_t b = next_uint32() >> 6;
  return (static_cast<double>(a) * 67108864.0 + static_cast<double>(b)) / 9007199254740992.0;
}

double RandomState::next_gauss() {
  // The polar method makes two normals per accepted point; the second one is kept for the
  // next call, which is why rand and randn calls interleave as they do in NumPy.
  if (has_gauss_) {
    has_gauss_ = false;
    const double cached = gauss_;
    gauss_ = 0.0;
    return cached;
  }
  double x1 = 0.0, x2 = 0.0, r2 = 0.0;
  do {
    x1 = 2.0 * next_double() - 1.0;
    x2 = 2.0 * next_double() - 1.0;
    r2 = x1 * x1 + x2 * x2;
  } while (r2 >= 1.0 || r2 == 0.0);  // keep points strictly inside the unit disc, not 0
  const double f = std::sqrt(-2.0 * std::log(r2) / r2);
  gauss_ = f * x1;
  has_gauss_ = true;
  return f * x2;
}

std::uint64_t RandomState::next_interval(std::uint64_t max) {
  if (max == 0) return 0;  // no draw at all, as in NumPy
  const std::uint64_t mask = covering_mask(max);
  std::uint64_t value = 0;
  if (max <= 0xffffffffULL) {
    do {
      value = next_uint32() & mask;
    } while (value > max);
  } else {
    // A 64-bit draw is two words, the first one being the high half.
    do {
      const std::uint64_t hi = next_uint32();
      const std::uint64_t lo = next_uint32();
      value = ((hi << 32) | lo) & mask;
    } while (value > max);
  }
  return value;
}

ndarray RandomState::rand(const Shape& shape) {
  ndarray out = ndarray::uninitialized(shape, DType::float64);
  double* p = out.data<double>();
  for (std::int64_t i = 0, n = out.size(); i < n; ++i) p[i] = next_double();
  return out;
}

ndarray RandomState::randn(const Shape& shape) {
  ndarray out = ndarray::uninitialized(shape, DType::float64);
  double* p = out.data<double>();
  for (std::int64_t i = 0, n = out.size(); i < n; ++i) p[i] = next_gauss();
  return out;
}

ndarray RandomState::randint(std::int64_t low, std::int64_t high, const Shape& shape) {
  if (low >= high) {
    throw std::invalid_argument(
        detail::msg("randint: low >= high (low=", low, ", high=", high, ")"));
  }
  ndarray out = ndarray::uninitialized(shape, DType::int64);
  // The inclusive range high - 1 - low, in unsigned arithmetic so that it cannot overflow
  // (it reaches 2^64 - 2 for the full int64 range).
  const std::uint64_t range =
      static_cast<std::uint64_t>(high - 1) - static_cast<std::uint64_t>(low);
  const auto offset = static_cast<std::uint64_t>(low);
  // NumPy's masked bounded-integer path for int64 draws exactly what next_interval draws:
  // nothing for a zero range, masked 32-bit words up to 2^32 - 1 (where the full-word
  // special case accepts every word, as a full mask does), masked 64-bit draws beyond.
  std::int64_t* p = out.data<std::int64_t>();
  for (std::int64_t i = 0, n = out.size(); i < n; ++i) {
    p[i] = static_cast<std::int64_t>(offset + next_interval(range));  // wraps modulo 2^64
  }
  return out;
}

ndarray RandomState::uniform(double low, double high, const Shape& shape) {
  const double range = high - low;
  if (!std::isfinite(range)) {
    throw std::overflow_error(
        detail::msg("uniform: range exceeds valid bounds (low=", low, ", high=", high, ")"));
  }
  ndarray out = ndarray::uninitialized(shape, DType::float64);
  double* p = out.data<double>();
  for (std::int64_t i = 0, n = out.size(); i < n; ++i) {
    p[i] = low + range * next_double();  // two roundings: the build disables FMA contraction
  }
  return out;
}

ndarray RandomState::permutation(std::int64_t n) {
  ndarray out = arange(n);
  shuffle(out);
  return out;
}

ndarray RandomState::permutation(const ndarray& a) {
  if (!a.defined() || a.ndim() == 0) {
    throw shape_error("permutation: x must be an integer or at least 1-dimensional");
  }
  ndarray out = a.copy();
  shuffle(out);
  return out;
}

void RandomState::shuffle(ndarray& a) {
  if (!a.defined() || a.ndim() == 0) {
    throw shape_error("shuffle: x must be at least 1-dimensional (len() of unsized object)");
  }
  if (a.device() != Device::cpu) {
    // The draws are made on the host (docs/gpu.md); shuffle an index and gather instead.
    throw device_error("shuffle: not supported for arrays on cuda: the CUDA backend has no "
                       "kernel for it (shuffle on the host, then np::to_device)");
  }
  // Fisher-Yates from the back, swapping whole rows. NumPy's 2-D shuffle draws the same j
  // sequence as its 1-D one (and still draws when the rows are empty), so one loop serves all.
  const std::int64_t n = a.len();
  if (n < 2) return;
  const std::size_t row_bytes = a.nbytes() / static_cast<std::size_t>(n);
  auto* base = static_cast<std::byte*>(a.raw_data());
  for (std::int64_t i = n - 1; i >= 1; --i) {
    const auto j = static_cast<std::int64_t>(next_interval(static_cast<std::uint64_t>(i)));
    if (j == i || row_bytes == 0) continue;
    std::byte* row_i = base + static_cast<std::size_t>(i) * row_bytes;
    std::byte* row_j = base + static_cast<std::size_t>(j) * row_bytes;
    std::swap_ranges(row_i, row_i + row_bytes, row_j);
  }
}

RandomState& global_state() {
  // Like numpy.random's module-level RandomState: created on first use, seeded from entropy.
  static RandomState state;
  return state;
}

void seed(std::uint32_t seed) { global_state().seed(seed); }
ndarray rand(const Shape& shape) { return global_state().rand(shape); }
ndarray randn(const Shape& shape) { return global_state().randn(shape); }
ndarray randint(std::int64_t low, std::int64_t high, const Shape& shape) {
  return global_state().randint(low, high, shape);
}
ndarray uniform(double low, double high, const Shape& shape) {
  return global_state().uniform(low, high, shape);
}
ndarray permutation(std::int64_t n) { return global_state().permutation(n); }
ndarray permutation(const ndarray& a) { return global_state().permutation(a); }
void shuffle(ndarray& a) { global_state().shuffle(a); }

}  // namespace np::random
