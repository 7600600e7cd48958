// np::random against NumPy 1.24.2's legacy RandomState. Every expected number was printed by
// the reference NumPy (/work/shared/reference/extra/numpy_rng_reference.txt and more draws
// made with the same NumPy); doubles are compared with EXPECT_EQ because the point is to be
// bit for bit the same generator. The literals are Python's repr() of each float, which reads
// back exactly: the reference file prints a few values (uniform, seed 1984) with 15-16
// digits only, and those shortened numbers are not the doubles NumPy returns.
#include "np/random.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <stdexcept>
#include <string>
#include <vector>

namespace {

using np::random::RandomState;
using I64 = std::vector<std::int64_t>;
using F64 = std::vector<double>;

// EXPECT_EQ on vectors of doubles is exact element-wise equality, and prints both on failure.
void expect_doubles(const np::ndarray& a, const F64& expected) {
  ASSERT_EQ(a.dtype(), np::float64);
  EXPECT_EQ(a.to_vector<double>(), expected);
}

void expect_ints(const np::ndarray& a, const I64& expected) {
  ASSERT_EQ(a.dtype(), np::int64);
  EXPECT_EQ(a.to_vector<std::int64_t>(), expected);
}

const F64 kSeed0Rand5 = {0.5488135039273248, 0.7151893663724195, 0.6027633760716439,
                         0.5448831829968969, 0.4236547993389047};
const F64 kSeed0Randn5 = {1.764052345967664, 0.4001572083672233, 0.9787379841057392,
                          2.240893199201458, 1.8675579901499675};

// --- the raw MT19937 stream ----------------------------------------------------------------

TEST(RandomMT19937, FirstWordsSeed0) {
  RandomState rs(0);
  const std::vector<std::uint32_t> expected = {2357136044U, 2546248239U, 3071714933U, 3626093760U,
                                               2588848963U};
  for (auto e : expected) EXPECT_EQ(rs.next_uint32(), e);
}

TEST(RandomMT19937, FirstWordsSeed5489) {
  // 5489 is MT19937's reference default seed: these are the published first outputs.
  RandomState rs(5489);
  const std::vector<std::uint32_t> expected = {3499211612U, 581869302U, 3890346734U, 3586334585U,
                                               545404204U};
  for (auto e : expected) EXPECT_EQ(rs.next_uint32(), e);
}

TEST(RandomMT19937, WordsAcrossStateRegenerations) {
  // Words 624.. and 1248.. come from the second and third twist of the state.
  RandomState rs(0);
  std::vector<std::uint32_t> words;
  for (int i = 0; i < 1250; ++i) words.push_back(rs.next_uint32());
  EXPECT_EQ(words[624], 341544762U);
  EXPECT_EQ(words[625], 1076416385U);
  EXPECT_EQ(words[626], 384842097U);
  EXPECT_EQ(words[1247], 1145454359U);
  EXPECT_EQ(words[1248], 4192857288U);
  EXPECT_EQ(words[1249], 2422637952U);
}

TEST(RandomMT19937, LargestSeed) {
  RandomState rs(4294967295U);
  expect_doubles(rs.rand({2}), {0.0976320289940138, 0.9123828453026218});
}

TEST(RandomMT19937, NextDoubleMatchesRand) {
  RandomState rs(0);
  for (double e : kSeed0Rand5) EXPECT_EQ(rs.next_double(), e);
}

TEST(RandomMT19937, NextIntervalZeroDrawsNothing) {
  RandomState rs(0);
  EXPECT_EQ(rs.next_interval(0), 0U);
  EXPECT_EQ(rs.next_double(), kSeed0Rand5[0]);
}

TEST(RandomMT19937, NextIntervalBeyond32BitsTakesHighWordFirst) {
  // Same draws as randint(0, 2**40, 3): each value is (first << 32 | second) & (2^40 - 1).
  RandomState rs(0);
  EXPECT_EQ(rs.next_interval((std::uint64_t{1} << 40) - 1), 741280623151U);
  EXPECT_EQ(rs.next_interval((std::uint64_t{1} << 40) - 1), 506137267392U);
  EXPECT_EQ(rs.next_interval((std::uint64_t{1} << 40) - 1), 291447657211U);
}

// --- the module-level functions, against the reference file --------------------------------

TEST(RandomGlobal, RandSeed0) {
  np::random::seed(0);
  expect_doubles(np::random::rand({5}), kSeed0Rand5);
}

TEST(RandomGlobal, RandnSeed0) {
  np::random::seed(0);
  expect_doubles(np::random::randn({5}), kSeed0Randn5);
}

TEST(RandomGlobal, PermutationSeed0) {
  np::random::seed(0);
  expect_ints(np::random::permutation(10), {2, 8, 4, 9, 1, 6, 7, 3, 0, 5});
}

TEST(RandomGlobal, UniformSeed0) {
  np::random::seed(0);
  expect_doubles(np::random::uniform(-0.05, 0.05, {5}),
                 {0.004881350392732478, 0.021518936637241942, 0.010276337607164385,
                  0.004488318299689688, -0.007634520066109526});
}

TEST(RandomGlobal, RandThenRandn) {
  np::random::seed(0);
  expect_doubles(np::random::rand({3}), {kSeed0Rand5[0], kSeed0Rand5[1], kSeed0Rand5[2]});
  expect_doubles(np::random::randn({3}),
                 {-2.268328201180374, 1.3335453816218967, -0.8427240538292873});
}

TEST(RandomGlobal, RandnThenRandSkipsTheCachedNormal) {
  // randn(3) leaves the fourth normal cached; rand() goes on from the raw stream regardless.
  np::random::seed(0);
  expect_doubles(np::random::randn({3}), {kSeed0Randn5[0], kSeed0Randn5[1], kSeed0Randn5[2]});
  expect_doubles(np::random::rand({3}),
                 {0.4236547993389047, 0.6458941130666561, 0.4375872112626925});
}

TEST(RandomGlobal, RandintSeed0) {
  np::random::seed(0);
  expect_ints(np::random::randint(0, 10, {8}), {5, 0, 3, 3, 7, 9, 3, 5});
}

TEST(RandomGlobal, RandnSeed1984AndSeed2020) {
  // The seeds get_spiral uses.
  np::random::seed(1984);
  expect_doubles(np::random::randn({3}),
                 {-0.026902226847232345, -0.6892736860726052, 0.896138438007482});
  np::random::seed(2020);
  expect_doubles(np::random::randn({4}), {-1.7688457055759508, 0.07555227120810952,
                                          -1.1306297028053423, -0.6514301669047348});
}

TEST(RandomGlobal, SeedForgetsTheCachedNormal) {
  // randn(3) leaves a normal cached; seed(0) must drop it, or randn would return it first.
  np::random::seed(0);
  np::random::randn({3});
  np::random::seed(0);
  expect_doubles(np::random::randn({2}), {kSeed0Randn5[0], kSeed0Randn5[1]});
}

TEST(RandomGlobal, ScalarCallsContinueTheSameStream) {
  // np.random.randn() three times gives randn(3)'s values: the cache spans calls.
  np::random::seed(0);
  const F64 got = {np::random::randn().item<double>(), np::random::randn().item<double>(),
                   np::random::randn().item<double>()};
  EXPECT_EQ(got, F64(kSeed0Randn5.begin(), kSeed0Randn5.begin() + 3));
  np::random::seed(0);
  EXPECT_EQ(np::random::uniform(2.0, 5.0).item<double>(), 3.6464405117819743);
}

TEST(RandomGlobal, GlobalStateIsTheFreeFunctionsGenerator) {
  np::random::seed(0);
  EXPECT_EQ(np::random::global_state().next_double(), kSeed0Rand5[0]);
  EXPECT_EQ(np::random::rand().item<double>(), kSeed0Rand5[1]);
}

// --- RandomState objects -------------------------------------------------------------------

TEST(RandomState, IndependentOfTheGlobalState) {
  // Interleaved draws: each generator goes on with its own seed-0 stream.
  np::random::seed(0);
  RandomState rs(0);
  for (double e : kSeed0Rand5) {
    EXPECT_EQ(rs.rand().item<double>(), e);
    EXPECT_EQ(np::random::rand().item<double>(), e);
  }
  RandomState other(42);
  expect_doubles(other.rand({2, 3}),
                 {0.3745401188473625, 0.9507143064099162, 0.7319939418114051, 0.5986584841970366,
                  0.15601864044243652, 0.15599452033620265});
  // rs has drawn rand(5) and nothing else.
  expect_doubles(rs.randn({2}), {-0.8427240538292873, 1.9699244478698945});
}

TEST(RandomState, UnseededGeneratorsDiffer) {
  // Seeded from the OS: two fresh generators practically never share a stream, and reseeding
  // one of them makes it reproducible again.
  RandomState a;
  RandomState b;
  EXPECT_NE(a.rand({4}).to_vector<double>(), b.rand({4}).to_vector<double>());
  a.seed(42);
  expect_doubles(a.randn({2, 2}), {0.4967141530112327, -0.13826430117118466, 0.6476885381006925,
                                   1.5230298564080254});
}

TEST(RandomState, ShapesAndDtypes) {
  RandomState rs(0);
  const np::ndarray r = rs.rand({2, 3});
  EXPECT_EQ(r.shape(), (np::Shape{2, 3}));
  EXPECT_EQ(r.dtype(), np::float64);
  const np::ndarray s = rs.rand();
  EXPECT_EQ(s.ndim(), 0);
  EXPECT_EQ(s.size(), 1);
  EXPECT_EQ(s.dtype(), np::float64);
  EXPECT_EQ(rs.randn({4, 1, 2}).shape(), (np::Shape{4, 1, 2}));
  EXPECT_EQ(rs.randn().ndim(), 0);
  EXPECT_EQ(rs.uniform(0.0, 1.0, {3, 2}).shape(), (np::Shape{3, 2}));
  EXPECT_EQ(rs.uniform(0.0, 1.0).ndim(), 0);
  const np::ndarray i = rs.randint(0, 5, {2, 2});
  EXPECT_EQ(i.shape(), (np::Shape{2, 2}));
  EXPECT_EQ(i.dtype(), np::int64);
  EXPECT_EQ(rs.randint(0, 5).ndim(), 0);
  const np::ndarray p = rs.permutation(7);
  EXPECT_EQ(p.shape(), (np::Shape{7}));
  EXPECT_EQ(p.dtype(), np::int64);
  EXPECT_EQ(rs.rand({0, 3}).size(), 0);
}

TEST(RandomState, RandintRejectionAndNegativeLow) {
  RandomState rs(0);
  // A range of 1000 under a 1023 mask rejects some words.
  expect_ints(rs.randint(0, 1000, {10}), {684, 559, 629, 192, 835, 763, 707, 359, 9, 723});
  rs.seed(0);
  expect_ints(rs.randint(-5, 5, {10}), {0, -5, -2, -2, 2, 4, -2, 0, -3, -1});
}

TEST(RandomState, RandintSingleValueDrawsNothing) {
  RandomState rs(0);
  expect_ints(rs.randint(5, 6, {4}), {5, 5, 5, 5});
  EXPECT_EQ(rs.rand().item<double>(), kSeed0Rand5[0]);
}

TEST(RandomState, RandintFull32BitRange) {
  // A range of exactly 2^32 values takes the raw words.
  RandomState rs(0);
  expect_ints(rs.randint(0, std::int64_t{1} << 32, {4}),
              {2357136044, 2546248239, 3071714933, 3626093760});
  rs.seed(0);
  expect_ints(rs.randint(-(std::int64_t{1} << 31), std::int64_t{1} << 31, {4}),
              {209652396, 398764591, 924231285, 1478610112});
}

TEST(RandomState, RandintBeyond32Bits) {
  RandomState rs(0);
  expect_ints(rs.randint(0, std::int64_t{1} << 40, {3}),
              {741280623151, 506137267392, 291447657211});
  rs.seed(0);
  expect_ints(
      rs.randint(-(std::int64_t{1} << 62), std::int64_t{1} << 62, {4}),
      {-3711235831533098449, -642142871786238784, -2716036421228801285, -3783737528391729817});
  // The whole int64 range but the top value (high is exclusive).
  rs.seed(0);
  expect_ints(rs.randint(std::numeric_limits<std::int64_t>::min(),
                         std::numeric_limits<std::int64_t>::max(), {3}),
              {900450186894289455, 3969543146641149120, 1895649597198586619});
}

TEST(RandomState, RandintRejectsEmptyRange) {
  RandomState rs(0);
  try {
    rs.randint(5, 5);
    FAIL() << "randint(5, 5) did not throw";
  } catch (const std::invalid_argument& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("randint"), std::string::npos) << what;
    EXPECT_NE(what.find("low >= high"), std::string::npos) << what;
    EXPECT_NE(what.find("5"), std::string::npos) << what;
  }
  EXPECT_THROW(rs.randint(3, -2, {2}), std::invalid_argument);
  EXPECT_THROW(np::random::randint(0, 0), std::invalid_argument);
}

TEST(RandomState, UniformReversedBoundsAndOverflow) {
  RandomState rs(0);
  // low > high is allowed: the values lie in (high, low].
  expect_doubles(rs.uniform(1.0, -1.0, {3}),
                 {-0.0976270078546495, -0.43037873274483895, -0.20552675214328775});
  // NumPy: OverflowError("Range exceeds valid bounds").
  EXPECT_THROW(rs.uniform(-1e308, 1e308), std::overflow_error);
}

TEST(RandomState, Permutation1000) {
  RandomState rs(7);
  const I64 p = rs.permutation(1000).to_vector<std::int64_t>();
  ASSERT_EQ(p.size(), 1000U);
  EXPECT_EQ(I64(p.begin(), p.begin() + 8), (I64{778, 334, 271, 802, 216, 408, 812, 94}));
  EXPECT_EQ(I64(p.end() - 5, p.end()), (I64{579, 502, 537, 196, 175}));
  // sum(i * p[i]) from NumPy: a checksum over every position.
  std::int64_t weighted = 0;
  std::vector<bool> seen(1000, false);
  for (std::size_t i = 0; i < p.size(); ++i) {
    weighted += static_cast<std::int64_t>(i) * p[i];
    ASSERT_GE(p[i], 0);
    ASSERT_LT(p[i], 1000);
    seen[static_cast<std::size_t>(p[i])] = true;
  }
  EXPECT_EQ(weighted, 246202311);
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), 1000);
}

TEST(RandomState, PermutationSmallSizes) {
  RandomState rs(0);
  EXPECT_EQ(rs.permutation(0).size(), 0);
  expect_ints(rs.permutation(1), {0});
  // Neither drew anything.
  EXPECT_EQ(rs.rand().item<double>(), kSeed0Rand5[0]);
  rs.seed(0);
  expect_ints(rs.permutation(4), {2, 3, 1, 0});
}

TEST(RandomState, PermutationOfA2DArrayShufflesRows) {
  RandomState rs(0);
  I64 values(12);
  for (std::int64_t i = 0; i < 12; ++i) values[static_cast<std::size_t>(i)] = i;
  const np::ndarray a = np::array(values, np::Shape{4, 3});
  const np::ndarray p = rs.permutation(a);
  EXPECT_EQ(p.shape(), (np::Shape{4, 3}));
  expect_ints(p, {6, 7, 8, 9, 10, 11, 3, 4, 5, 0, 1, 2});
  // The argument is left alone: permutation returns a shuffled copy.
  expect_ints(a, values);
  EXPECT_FALSE(p.shares_memory(a));
}

TEST(RandomState, PermutationOfEmptyRowsStillDraws) {
  // NumPy shuffles an index array for (3, 0): two draws, then rand goes on from the third word.
  RandomState rs(0);
  const np::ndarray p = rs.permutation(np::ndarray(np::Shape{3, 0}, np::float64));
  EXPECT_EQ(p.shape(), (np::Shape{3, 0}));
  EXPECT_EQ(rs.rand().item<double>(), kSeed0Rand5[1]);
}

TEST(RandomState, PermutationRejects0D) {
  RandomState rs(0);
  EXPECT_THROW(rs.permutation(np::ndarray(3.0)), np::shape_error);
  np::ndarray scalar(1.0);
  EXPECT_THROW(rs.shuffle(scalar), np::shape_error);
}

TEST(RandomState, ShuffleInPlace) {
  RandomState rs(0);
  np::ndarray x = np::array(F64{0.5, 1.5, 2.5, 3.5, 4.5});
  const np::ndarray alias = x;
  rs.shuffle(x);
  expect_doubles(x, {2.5, 0.5, 1.5, 3.5, 4.5});
  EXPECT_TRUE(alias.shares_memory(x));

  rs.seed(3);
  np::ndarray m = np::array(F64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}, np::Shape{5, 2});
  rs.shuffle(m);
  EXPECT_EQ(m.shape(), (np::Shape{5, 2}));
  expect_doubles(m, {6, 7, 8, 9, 2, 3, 0, 1, 4, 5});
}

}  // namespace
