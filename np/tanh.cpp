// float64 tanh over whole arrays, with the C library's results to the bit, several elements
// at a time.
//
// The float64 steps of the book (43 to 47, the LSTM of 59 and 60) spend up to half their time in
// tanh, one call to the C library per element. Its digits are the ones we print, so a faster
// approximation is not an option. What makes a vectorised copy possible is that glibc's tanh is
// Sun's fdlibm algorithm: tanh from expm1, and expm1 from an argument reduction, a polynomial
// and a reconstruction, nothing but IEEE additions, multiplications, divisions and exponent
// arithmetic. Each of those rounds the same way in a vector lane as in a scalar register. So
// the same operations in the same order give the same bits, when written without branches
// (every lane computes each case and keeps its own) so that the compiler can vectorise the
// loop.
//
// "The same order" includes the fused multiply-adds: on x86-64 with FMA, glibc runs an expm1
// compiled with -mfma, where GCC fused some products into the sums that follow them, and it
// evaluates the polynomial in Estrin's scheme. This file is compiled without contraction
// (-ffp-contract=off, as the whole project) and writes every fusion that glibc's binary has as
// an explicit std::fma, found by reading its disassembly. The test
// Elementwise.TanhFloat64HasTheCLibrarysBits compares with std::tanh bit for bit over millions of arguments in every range.
#include <bit>
#include <cmath>
#include <cstdint>

#include "np/detail.hpp"

namespace np::detail {

namespace {

// fdlibm's constants for expm1: ln 2 split in two (the high part has trailing zeros, so
// k * ln2_hi is exact), 1 / ln 2, and the coefficients of the rational approximation.
constexpr double ln2_hi = 6.93147180369123816490e-01;
constexpr double ln2_lo = 1.90821492927058770002e-10;
constexpr double inv_ln2 = 1.44269504088896338700e+00;
constexpr double Q1 = -3.33333333333331316428e-02;
constexpr double Q2 = 1.58730158725481460165e-03;
constexpr double Q3 = -7.93650757867487942473e-05;
constexpr double Q4 = 4.00821782732936239552e-06;
constexpr double Q5 = -2.01099218183624371326e-07;

// The upper 32 bits, fdlibm's "high word" (64-bit integers: lanes of one width vectorise;
// only the conversions of k to and from double go through 32 bits, below).
inline std::uint64_t high_word(double x) { return std::bit_cast<std::uint64_t>(x) >> 32; }
inline double from_bits(std::uint64_t bits) { return std::bit_cast<double>(bits); }
// y * 2^k by adding k to the exponent field, as fdlibm does (y and the result are normal).
inline double scale(double y, std::int64_t k) {
  return from_bits(std::bit_cast<std::uint64_t>(y) + (static_cast<std::uint64_t>(k) << 52));
}

// expm1(x) for the arguments tanh gives it: x in (-2, 0] or [2, 44). In that range fdlibm
// takes one of these ways: k = 0 (|x| <= ln2/2), k = -1 (|x| < 1.5 ln2 with x < 0),
// k = -2 or -3, or k = 3 ... 63 (x >= 2). The tiny and huge arguments never come here.
inline double expm1_for_tanh(double x) {
  const std::uint64_t hx = high_word(x) & 0x7fffffffu;
  const bool reduce = hx > 0x3fd62e42u;  // |x| > ln2 / 2
  // The reduction x = k ln2 + r, r = hi - lo with the rounding error c. fdlibm's separate
  // case k = -1 (hi = x + ln2_hi, lo = -ln2_lo) is the general formula with k = -1.
  // (converted through 32 bits: a conversion between double and a 64-bit integer needs
  // AVX-512, and without one GCC did not vectorise the loop at all on an AVX2 machine; k is
  // between -3 and 64)
  std::int64_t k = static_cast<std::int32_t>(inv_ln2 * x + (x < 0 ? -0.5 : 0.5));
  if (hx < 0x3ff0a2b2u) k = -1;  // |x| < 1.5 ln2 (only negative x get here)
  if (!reduce) k = 0;
  const double kd = static_cast<double>(static_cast<std::int32_t>(k));
  const double hi = std::fma(-kd, ln2_hi, x);
  const double lo = kd * ln2_lo;
  const double xr = reduce ? hi - lo : x;
  const double c = reduce ? (hi - xr) - lo : 0.0;

  // The polynomial, in Estrin's scheme as glibc evaluates it.
  const double hfx = 0.5 * xr;
  const double hxs = xr * hfx;
  const double r1a = std::fma(hxs, Q1, 1.0);
  const double r2 = std::fma(hxs, Q3, Q2);
  const double r3 = std::fma(hxs, Q5, Q4);
  const double h2 = hxs * hxs;
  const double h4 = h2 * h2;
  const double r1 = std::fma(h4, r3, std::fma(h2, r2, r1a));
  const double t = std::fma(-r1, hfx, 3.0);
  double e = hxs * ((r1 - t) / std::fma(-xr, t, 6.0));

  const double result_k0 = xr - std::fma(xr, e, -hxs);
  e = std::fma(xr, e - c, -c) - hxs;
  const double result_km1 = 0.5 * (xr - e) - 0.5;
  const double result_far = scale(1.0 - (e - xr), k) - 1.0;  // k <= -2 or k > 56
  // 2^-k, and for 2 <= k < 20 1 - 2^-k (exact; fdlibm writes its high word directly)
  const double two_to_minus_k = from_bits(static_cast<std::uint64_t>(0x3ff - k) << 52);
  const double result_near = scale((1.0 - two_to_minus_k) - (e - xr), k);
  const double result_mid = scale((xr - (e + two_to_minus_k)) + 1.0, k);  // 20 <= k <= 56

  if (k == 0) return result_k0;
  if (k == -1) return result_km1;
  if (k <= -2 || k > 56) return result_far;
  return k < 20 ? result_near : result_mid;
}

// fdlibm's tanh: 1 - 2 / (expm1(2|x|) + 2) for |x| >= 1, -t / (t + 2) with t = expm1(-2|x|)
// below, and the special cases (tiny, +-0, |x| >= 22, infinities, NaN) as glibc has them.
inline double tanh_one(double x) {
  const std::uint64_t ix = high_word(x) & 0x7fffffffu;
  // |x| >= 22 is decided below; the cap keeps every lane's integer conversion in range.
  const double a = std::fabs(x) < 22.0 ? std::fabs(x) : 22.0;
  const bool big = ix >= 0x3ff00000u;  // |x| >= 1
  const double t = expm1_for_tanh(big ? 2.0 * a : -2.0 * a);
  // Both ways and every special case are computed, and each lane keeps its own: operations
  // that may trap are not moved into a branch by the compiler, and a branch stops vectorising.
  // One division for both ways: 2 / (t + 2) or -t / (t + 2).
  const double q = (big ? 2.0 : -t) / (t + 2.0);
  const double z = big ? 1.0 - q : q;
  const double tiny = x * (1.0 + x);
  const double nan = x + x;
  // The sign of x on z and on 1, with integer operations (they vectorise where signbit and
  // copysign do not).
  const std::uint64_t sign = std::bit_cast<std::uint64_t>(x) & (std::uint64_t{1} << 63);
  double y = from_bits(std::bit_cast<std::uint64_t>(z) ^ sign);
  y = ix < 0x3c800000u ? tiny : y;                                // |x| < 2^-55, and +-0
  y = ix >= 0x40360000u ? from_bits(sign | 0x3ff0000000000000u) : y;  // |x| >= 22, +-inf: 1
  return x != x ? nan : y;
}

}  // namespace

void tanh_float64(const double* x, double* y, std::int64_t n) {
#pragma omp simd
  for (std::int64_t i = 0; i < n; ++i) y[i] = tanh_one(x[i]);
}

}  // namespace np::detail
