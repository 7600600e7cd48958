// np::save/load and np::savez/savez_compressed/load_npz: round trips of every dtype, headers
// byte for byte as NumPy 1.24 writes them, files read by NumPy itself and files NumPy wrote
// (fixtures in tests/data, made with NumPy 1.24.2, and more made at test time when
// /usr/bin/python3 has NumPy), atomic writes, and damaged files.
#include "np/io.hpp"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <limits>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "np/np.hpp"
#include "np/zip.hpp"
#include "tests/np/expect.hpp"
#include "tests/np/files.hpp"

namespace {

namespace fs = std::filesystem;
using nptest::read_bytes;
using nptest::ScratchDir;
using nptest::throws_with;
using nptest::write_bytes;

const fs::path data_dir = DEZERO_TEST_DATA_DIR;

// Same shape, dtype and bytes (so NaN payloads and the sign of zero count too).
::testing::AssertionResult same_array(const np::ndarray& a, const np::ndarray& b) {
  if (!a.defined() || !b.defined()) return ::testing::AssertionFailure() << "an array is None";
  if (!(a.shape() == b.shape()) || a.dtype() != b.dtype()) {
    return ::testing::AssertionFailure() << a.shape() << " " << a.dtype() << " vs " << b.shape()
                                         << " " << b.dtype();
  }
  if (std::memcmp(a.raw_data(), b.raw_data(), a.nbytes()) != 0) {
    return ::testing::AssertionFailure() << "the elements differ: " << np::str(a) << " vs "
                                         << np::str(b);
  }
  return ::testing::AssertionSuccess();
}

// One array of every dtype, with the extreme values of each.
np::NpzEntries samples() {
  const double inf = std::numeric_limits<double>::infinity();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  return {
      {"bool", np::array({{1, 0}, {1, 1}}).astype(np::bool_)},
      {"uint8", np::array(std::vector<std::uint8_t>{0, 1, 127, 255})},
      {"int32", np::array(std::vector<std::int32_t>{INT32_MIN, -1, 0, INT32_MAX}, np::Shape{2, 2})},
      {"int64", np::array(std::vector<std::int64_t>{INT64_MIN, -1, 0, INT64_MAX})},
      {"float32", np::array(std::vector<float>{1.5f, -0.1f, std::numeric_limits<float>::max(),
                                               -0.0f, static_cast<float>(inf), static_cast<float>(nan)},
                            np::Shape{3, 2})},
      {"float64", np::array(std::vector<double>{np::pi, -0.0, 1e-300, inf, -inf, nan},
                            np::Shape{1, 2, 3})},
      {"zero_d", np::array(2.5)},
      {"empty", np::zeros({0, 3}, np::float32)},
  };
}

std::string descr(np::DType d) {
  switch (d) {
    case np::bool_: return "|b1";
    case np::uint8: return "|u1";
    case np::int32: return "<i4";
    case np::int64: return "<i8";
    case np::float32: return "<f4";
    default: return "<f8";
  }
}

std::string hex(const np::ndarray& a) {
  static const char digits[] = "0123456789abcdef";
  std::string out;
  const auto* p = static_cast<const unsigned char*>(a.raw_data());
  for (std::size_t i = 0; i < a.nbytes(); ++i) {
    out += digits[p[i] >> 4];
    out += digits[p[i] & 15];
  }
  return out;
}

// A valid .npy file of arange(5) (int64), for damaging.
std::string arange5_npy() { return np::to_npy(np::arange(5)); }

// =================================== headers ================================================

TEST(NpyHeader, IsByteForByteNumPys) {
  // Printed by NumPy 1.24.2's format._write_array_header: the dict with sorted keys, 21 - the
  // digits of the first axis spare spaces, then spaces and a newline up to a multiple of 64.
  struct Case {
    np::Shape shape;
    np::DType dtype;
    std::string dict;
    std::size_t total;
  };
  const std::vector<Case> cases = {
      {{}, np::float64, "{'descr': '<f8', 'fortran_order': False, 'shape': (), }", 128},
      {{0, 3}, np::uint8, "{'descr': '|u1', 'fortran_order': False, 'shape': (0, 3), }", 128},
      {{784, 1000}, np::float32, "{'descr': '<f4', 'fortran_order': False, 'shape': (784, 1000), }", 128},
      {{2}, np::bool_, "{'descr': '|b1', 'fortran_order': False, 'shape': (2,), }", 128},
      {{3, 4, 5}, np::int32, "{'descr': '<i4', 'fortran_order': False, 'shape': (3, 4, 5), }", 128},
      {{1000000000000}, np::float64,
       "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }", 128},
      // Already aligned without padding: NumPy then pads a whole 64-byte block.
      {{1, 100, 1000000, 1000000, 1000000, 1000000}, np::float64,
       "{'descr': '<f8', 'fortran_order': False, 'shape': (1, 100, 1000000, 1000000, 1000000, 1000000), }",
       192},
  };
  for (const auto& c : cases) {
    const std::string h = np::npy_header(c.shape, c.dtype);
    ASSERT_EQ(h.size(), c.total) << c.dict;
    const std::size_t hlen = c.total - 10;
    EXPECT_EQ(h.substr(0, 10), std::string("\x93NUMPY\x01\x00", 8) +
                                   static_cast<char>(hlen & 0xff) + static_cast<char>(hlen >> 8));
    EXPECT_EQ(h.substr(10, c.dict.size()), c.dict);
    EXPECT_EQ(h.find_first_not_of(' ', 10 + c.dict.size()), c.total - 1) << c.dict;
    EXPECT_EQ(h.back(), '\n');
  }
}

TEST(NpyHeader, DataFollowsTheHeaderInCOrder) {
  const np::ndarray a = np::array({{1, 2, 3}, {4, 5, 6}}).astype(np::int32);
  const std::string bytes = np::to_npy(a);
  ASSERT_EQ(bytes.size(), 128u + 24u);
  std::int32_t values[6];
  std::memcpy(values, bytes.data() + 128, sizeof values);
  EXPECT_EQ(std::vector<std::int32_t>(values, values + 6), (std::vector<std::int32_t>{1, 2, 3, 4, 5, 6}));
}

// =================================== round trips ============================================

TEST(NpyFile, RoundTripsEveryDtype) {
  ScratchDir dir;
  for (const auto& [name, a] : samples()) {
    const fs::path written = np::save(dir / (name + ".npy"), a);
    EXPECT_EQ(written, dir / (name + ".npy"));
    EXPECT_TRUE(same_array(np::load(written), a)) << name;
  }
}

TEST(NpyFile, AppendsTheExtensionAsNumPyDoes) {
  ScratchDir dir;
  EXPECT_EQ(np::save(dir / "plain", np::arange(3)), dir / "plain.npy");
  EXPECT_TRUE(fs::exists(dir / "plain.npy"));
  EXPECT_EQ(np::savez(dir / "w", {{"a", np::arange(3)}}), dir / "w.npz");
  EXPECT_EQ(np::savez_compressed(dir / "c.npz", {{"a", np::arange(3)}}), dir / "c.npz");
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"plain.npy", "w.npz", "c.npz"}));
}

TEST(NpzFile, RoundTripsEveryDtypeStoredAndCompressed) {
  ScratchDir dir;
  const auto arrays = samples();
  for (bool compress : {false, true}) {
    const fs::path path = dir / (compress ? "c.npz" : "s.npz");
    compress ? np::savez_compressed(path, arrays) : np::savez(path, arrays);
    const auto loaded = np::load_npz(path);
    ASSERT_EQ(loaded.size(), arrays.size());
    for (const auto& [name, a] : arrays) {
      ASSERT_TRUE(loaded.count(name)) << name;
      EXPECT_TRUE(same_array(loaded.at(name), a)) << name;
    }
  }
  // The compressed file is smaller for compressible data.
  const np::NpzEntries zeros = {{"z", np::zeros({1000})}};
  np::savez(dir / "zs.npz", zeros);
  np::savez_compressed(dir / "zc.npz", zeros);
  EXPECT_GT(fs::file_size(dir / "zs.npz"), 8000u);
  EXPECT_LT(fs::file_size(dir / "zc.npz"), 1000u);
}

TEST(NpzFile, RoundTripsMultiMegabyteArrays) {
  ScratchDir dir;
  np::random::seed(7);
  const np::ndarray big = np::random::randn({1024, 768});  // 6 MiB of float64
  const np::ndarray weights = np::random::randn({784, 1000}).astype(np::float32);
  np::savez_compressed(dir / "big.npz", {{"big", big}, {"l0/W", weights}});
  const auto loaded = np::load_npz(dir / "big.npz");
  EXPECT_TRUE(same_array(loaded.at("big"), big));
  EXPECT_TRUE(same_array(loaded.at("l0/W"), weights));
  np::save(dir / "big.npy", big);
  EXPECT_EQ(fs::file_size(dir / "big.npy"), 128u + 1024u * 768u * 8u);
  EXPECT_TRUE(same_array(np::load(dir / "big.npy"), big));
}

TEST(NpzFile, AnEmptyArchiveIsNumPysEmptyZip) {
  ScratchDir dir;
  np::savez(dir / "none.npz", {});
  // np.savez('none.npz') writes only the end-of-central-directory record.
  EXPECT_EQ(read_bytes(dir / "none.npz"), std::string("PK\x05\x06", 4) + std::string(18, '\0'));
  EXPECT_TRUE(np::load_npz(dir / "none.npz").empty());
}

TEST(NpzFile, KeysWithSlashesAreMemberPaths) {
  ScratchDir dir;
  np::savez_compressed(dir / "w.npz", {{"l0/W", np::ones({2, 2}, np::float32)},
                                       {"rnn/x2h/b", np::zeros({2}, np::float32)}});
  const std::string bytes = read_bytes(dir / "w.npz");
  EXPECT_NE(bytes.find("l0/W.npy"), std::string::npos);
  EXPECT_NE(bytes.find("rnn/x2h/b.npy"), std::string::npos);
  const auto loaded = np::load_npz(dir / "w.npz");
  EXPECT_EQ(loaded.size(), 2u);
  EXPECT_TRUE(loaded.count("rnn/x2h/b"));
}

TEST(NpzFile, RefusesBadKeysAndMissingArraysBeforeWriting) {
  ScratchDir dir;
  const fs::path path = dir / "w.npz";
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { np::savez(path, {{"a", np::arange(2)}, {"a", np::arange(3)}}); },
      {"np::savez", "w.npz", "'a' is given twice"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { np::savez_compressed(path, {{"", np::arange(2)}}); }, {"w.npz", "empty key"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { np::savez_compressed(path, {{"l0/W", np::ndarray()}}); },
      {"np::savez_compressed", "w.npz", "'l0/W' is None"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { np::save(dir / "a.npy", np::ndarray()); },
                                                 {"np::save", "a.npy", "None"}));
  EXPECT_TRUE(dir.entries().empty());
}

// =================================== NumPy's files ==========================================

TEST(NumPyFixtures, WeightsWrittenBySavezCompressed) {
  // np.savez_compressed('numpy_weights.npz', **{'l0/W': arange(6, float32).reshape(2, 3) / 10,
  //   'l0/b': [0.5, -1, 2], 'l1/W': [[1], [-2], [0.25]], 'l1/b': [-0.125]}), all float32
  const auto npz = np::load_npz(data_dir / "numpy_weights.npz");
  ASSERT_EQ(npz.size(), 4u);
  std::vector<double> w;
  for (int i = 0; i < 6; ++i) w.push_back(static_cast<float>(i) / 10.0f);
  EXPECT_TRUE(nptest::array_is(npz.at("l0/W"), {2, 3}, np::float32, w));
  EXPECT_TRUE(nptest::array_is(npz.at("l0/b"), {3}, np::float32, {0.5, -1.0, 2.0}));
  EXPECT_TRUE(nptest::array_is(npz.at("l1/W"), {3, 1}, np::float32, {1.0, -2.0, 0.25}));
  EXPECT_TRUE(nptest::array_is(npz.at("l1/b"), {1}, np::float32, {-0.125}));
}

TEST(NumPyFixtures, EveryDtypeWrittenBySavez) {
  const auto npz = np::load_npz(data_dir / "numpy_dtypes.npz");
  ASSERT_EQ(npz.size(), 8u);
  EXPECT_TRUE(nptest::array_is(npz.at("b"), {3}, np::bool_, {1, 0, 1}));
  EXPECT_TRUE(nptest::array_is(npz.at("u"), {3}, np::uint8, {0, 7, 255}));
  EXPECT_TRUE(nptest::array_is(npz.at("i"), {3}, np::int32, {-2147483648.0, 0, 2147483647.0}));
  EXPECT_TRUE(nptest::int_array_is(npz.at("l"), {3}, {INT64_MIN, 1, INT64_MAX}));
  EXPECT_TRUE(nptest::array_is(npz.at("f"), {3}, np::float32,
                               {1.5, static_cast<float>(-0.1), static_cast<float>(3.4028235e38)}));
  EXPECT_TRUE(nptest::array_is(npz.at("d"), {3}, np::float64, {np::pi, -0.0, 1e-300}));
  EXPECT_TRUE(nptest::array_is(npz.at("z"), {}, np::float64, {2.5}));
  EXPECT_TRUE(nptest::array_is(npz.at("e"), {0, 2}, np::float64, {}));
}

TEST(NumPyFixtures, FortranOrderIsConvertedToCOrder) {
  // np.save(..., np.asfortranarray(np.arange(6.0).reshape(2, 3))): the file holds 0 3 1 4 2 5.
  const std::string bytes = read_bytes(data_dir / "numpy_fortran.npy");
  ASSERT_NE(bytes.find("'fortran_order': True"), std::string::npos);
  EXPECT_TRUE(nptest::array_is(np::load(data_dir / "numpy_fortran.npy"), {2, 3}, np::float64,
                               {0, 1, 2, 3, 4, 5}));
}

TEST(NumPyFixtures, BigEndianIsConvertedToNativeOrder) {
  ASSERT_NE(read_bytes(data_dir / "numpy_bigendian.npy").find("'>f8'"), std::string::npos);
  EXPECT_TRUE(nptest::array_is(np::load(data_dir / "numpy_bigendian.npy"), {3}, np::float64,
                               {1.5, -2.0, 3.25}));
}

TEST(NumPyFixtures, FormatVersions2And3) {
  EXPECT_EQ(read_bytes(data_dir / "numpy_v2.npy")[6], '\x02');
  EXPECT_TRUE(nptest::array_is(np::load(data_dir / "numpy_v2.npy"), {2, 2}, np::int32, {1, 2, 3, 4}));
  EXPECT_EQ(read_bytes(data_dir / "numpy_v3.npy")[6], '\x03');
  EXPECT_TRUE(nptest::array_is(np::load(data_dir / "numpy_v3.npy"), {2}, np::bool_, {1, 0}));
}

TEST(NumPyFixtures, ADtypeTheArrayLayerLacksIsRefused) {
  EXPECT_TRUE(throws_with<np::io_error>([] { np::load(data_dir / "numpy_float16.npy"); },
                                        {"np::load", "numpy_float16.npy", "unsupported dtype '<f2'",
                                         "float32 ('<f4')"}));
}

// =================================== against NumPy itself ===================================

TEST(WithNumPy, NumPyReadsOurFilesExactly) {
  if (!nptest::have_numpy()) GTEST_SKIP() << nptest::no_numpy_message;
  ScratchDir dir;
  const auto arrays = samples();
  np::savez_compressed(dir / "ours_c.npz", arrays);
  np::savez(dir / "ours_s.npz", arrays);
  std::string expected;
  for (const auto& [name, a] : arrays) {
    np::save(dir / (name + ".npy"), a);
    expected += name + " " + descr(a.dtype()) + " " + a.shape().str() + " " + hex(a) + "\n";
  }
  // NumPy prints each array's dtype, shape and bytes, and checks that np.save writes our .npy
  // files byte for byte.
  const std::string script = R"(
import numpy as np
names = ['bool', 'uint8', 'int32', 'int64', 'float32', 'float64', 'zero_d', 'empty']
for f in ['ours_c.npz', 'ours_s.npz']:
    with np.load(f) as z:
        assert z.files == names, z.files
        for k in names:
            a = z[k]
            print(k, a.dtype.str, repr(a.shape), a.tobytes().hex())
for k in names:
    a = np.load(k + '.npy')
    np.save('again_' + k + '.npy', a)
    assert open(k + '.npy', 'rb').read() == open('again_' + k + '.npy', 'rb').read(), k
print('ok')
)";
  std::string output;
  ASSERT_EQ(nptest::run_python(dir.path(), script, output), 0) << output;
  EXPECT_EQ(output, expected + expected + "ok\n");
}

TEST(WithNumPy, WeReadWhatNumPyWrites) {
  if (!nptest::have_numpy()) GTEST_SKIP() << nptest::no_numpy_message;
  ScratchDir dir;
  // Random arrays of every dtype in every layout NumPy writes, and the plain little-endian
  // C-order bytes of each (arrays.npz with raw_<key> members of uint8) to compare with.
  const std::string script = R"(
import numpy as np
from numpy.lib import format as fmt
rng = np.random.RandomState(3)
arrays = {
  'bool': rng.rand(3, 4) > 0.5,
  'uint8': rng.randint(0, 256, (5,)).astype(np.uint8),
  'int32': rng.randint(-2**31, 2**31, (2, 3, 4)).astype(np.int32),
  'int64': rng.randint(-2**62, 2**62, (7,)).astype(np.int64),
  'float32': rng.randn(4, 5).astype(np.float32),
  'float64': rng.randn(1024, 1024),
  'zero_d': np.array(-1.25),
  'empty': np.zeros((3, 0), np.int32),
}
raw = {}
for k, a in arrays.items():
    raw['raw_' + k] = np.frombuffer(a.astype(a.dtype.newbyteorder('<')).tobytes(order='C'), np.uint8)
np.savez('raw.npz', **raw)
np.savez_compressed('c.npz', **arrays)
np.savez('s.npz', **arrays)
for k, a in arrays.items():
    np.save('f_' + k + '.npy', np.asfortranarray(a))
    np.save('b_' + k + '.npy', a.astype(a.dtype.newbyteorder('>')))
    np.save('bf_' + k + '.npy', np.asfortranarray(a.astype(a.dtype.newbyteorder('>'))))
    with open('v2_' + k + '.npy', 'wb') as f:
        fmt.write_array(f, a, version=(2, 0))
print('ok')
)";
  std::string output;
  ASSERT_EQ(nptest::run_python(dir.path(), script, output), 0) << output;
  ASSERT_EQ(output, "ok\n");
  const auto raw = np::load_npz(dir / "raw.npz");
  const auto compressed = np::load_npz(dir / "c.npz");
  const auto stored = np::load_npz(dir / "s.npz");
  const std::map<std::string, std::pair<np::DType, np::Shape>> layout = {
      {"bool", {np::bool_, {3, 4}}},      {"uint8", {np::uint8, {5}}},
      {"int32", {np::int32, {2, 3, 4}}},  {"int64", {np::int64, {7}}},
      {"float32", {np::float32, {4, 5}}}, {"float64", {np::float64, {1024, 1024}}},
      {"zero_d", {np::float64, {}}},      {"empty", {np::int32, {3, 0}}}};
  for (const auto& entry : layout) {
    const auto& key = entry.first;  // named, not bound: clang 14 cannot capture bindings
    const auto& dtype_shape = entry.second;
    const np::ndarray& bytes = raw.at("raw_" + key);
    auto check = [&](const np::ndarray& a, const std::string& source) {
      ASSERT_TRUE(a.defined()) << source;
      EXPECT_EQ(a.dtype(), dtype_shape.first) << source;
      EXPECT_EQ(a.shape(), dtype_shape.second) << source;
      ASSERT_EQ(a.nbytes(), static_cast<std::size_t>(bytes.size())) << source;
      EXPECT_EQ(std::memcmp(a.raw_data(), bytes.raw_data(), a.nbytes()), 0) << source;
    };
    check(compressed.at(key), "savez_compressed " + key);
    check(stored.at(key), "savez " + key);
    check(np::load(dir / ("b_" + key + ".npy")), "big-endian " + key);
    check(np::load(dir / ("v2_" + key + ".npy")), "version 2.0 " + key);
    if (key != "zero_d") {  // np.asfortranarray makes a 0-d array 1-d
      check(np::load(dir / ("f_" + key + ".npy")), "Fortran order " + key);
      check(np::load(dir / ("bf_" + key + ".npy")), "big-endian Fortran order " + key);
    }
  }
}

// ZIP64 records appear only past 4 GiB; both sides write them for small files too when their
// limit is lowered (Python's zipfile.ZIP64_LIMIT, the limit argument of np::zip::archive), so
// that each reads the other's ZIP64 extras and end records.
TEST(WithNumPy, Zip64ArchivesBothWays) {
  if (!nptest::have_numpy()) GTEST_SKIP() << nptest::no_numpy_message;
  ScratchDir dir;
  const np::ndarray a = np::arange(50);
  const np::ndarray b = np::arange(6).reshape({2, 3}).astype(np::float32);
  const std::vector<std::pair<std::string, std::string>> members = {{"a.npy", np::to_npy(a)},
                                                                    {"b.npy", np::to_npy(b)}};
  for (bool compress : {false, true}) {
    const std::string bytes = np::zip::archive(members, compress, "test", 100);
    EXPECT_NE(bytes.find("PK\x06\x06"), std::string::npos);  // the ZIP64 end record
    np::write_file_atomically(dir / (compress ? "ours_c.npz" : "ours_s.npz"), bytes);
  }
  const std::string script = R"(
import zipfile, numpy as np
limit = zipfile.ZIP64_LIMIT
zipfile.ZIP64_LIMIT = 100
for name, method in [('py_s.npz', zipfile.ZIP_STORED), ('py_c.npz', zipfile.ZIP_DEFLATED)]:
    with zipfile.ZipFile(name, 'w', method) as z:
        for k, a in [('a', np.arange(50)), ('b', np.arange(6, dtype=np.float32).reshape(2, 3))]:
            with z.open(k + '.npy', 'w', force_zip64=True) as f:
                np.lib.format.write_array(f, a)
    assert b'PK\x06\x06' in open(name, 'rb').read()
zipfile.ZIP64_LIMIT = limit
for name in ['ours_s.npz', 'ours_c.npz']:
    with zipfile.ZipFile(name) as z:
        assert z.testzip() is None
        assert [i.file_size for i in z.infolist()] == [528, 152], [i.file_size for i in z.infolist()]
    with np.load(name) as d:
        print(name, d['a'].tolist() == list(range(50)), d['b'].tolist())
print('ok')
)";
  std::string output;
  ASSERT_EQ(nptest::run_python(dir.path(), script, output), 0) << output;
  EXPECT_EQ(output,
            "ours_s.npz True [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]\n"
            "ours_c.npz True [[0.0, 1.0, 2.0], [3.0, 4.0, 5.0]]\nok\n");
  for (const char* name : {"py_s.npz", "py_c.npz"}) {
    const auto npz = np::load_npz(dir / name);
    ASSERT_EQ(npz.size(), 2u) << name;
    EXPECT_TRUE(same_array(npz.at("a"), a)) << name;
    EXPECT_TRUE(same_array(npz.at("b"), b)) << name;
  }
  for (const char* name : {"ours_s.npz", "ours_c.npz"}) {
    EXPECT_TRUE(same_array(np::load_npz(dir / name).at("b"), b)) << name;
  }
}

// =================================== atomic writes ==========================================

TEST(AtomicWrite, LeavesNoTemporaryFileAndTheUsualPermissions) {
  ScratchDir dir;
  np::savez_compressed(dir / "w.npz", {{"a", np::arange(10)}});
  np::savez_compressed(dir / "w.npz", {{"a", np::arange(20)}});  // replaces it
  EXPECT_EQ(dir.entries(), std::set<std::string>{"w.npz"});
  EXPECT_EQ(np::load_npz(dir / "w.npz").at("a").size(), 20);
  const mode_t mask = ::umask(022);
  ::umask(mask);
  struct stat st {};
  ASSERT_EQ(::stat((dir / "w.npz").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0666 & ~mask);
}

TEST(AtomicWrite, AWriteThatFailsMidwayLeavesTheOldFileByteIdentical) {
  ScratchDir dir;
  const fs::path path = dir / "w.npz";
  np::savez_compressed(path, {{"l0/W", np::ones({3, 3}, np::float32)}});
  const std::string before = read_bytes(path);
  // A file size limit makes write() fail with EFBIG after 64 KiB, as a full disk would.
  struct rlimit old_limit {};
  ASSERT_EQ(::getrlimit(RLIMIT_FSIZE, &old_limit), 0);
  const auto old_handler = ::signal(SIGXFSZ, SIG_IGN);
  struct rlimit limit = old_limit;
  limit.rlim_cur = 64 * 1024;
  ASSERT_EQ(::setrlimit(RLIMIT_FSIZE, &limit), 0);
  const bool threw = throws_with<np::io_error>(
      [&] { np::savez(path, {{"l0/W", np::zeros({1000, 100})}}); },
      {"np::savez", "cannot write", "w.npz", "File too large"});
  ::setrlimit(RLIMIT_FSIZE, &old_limit);
  ::signal(SIGXFSZ, old_handler);
  EXPECT_TRUE(threw);
  EXPECT_EQ(read_bytes(path), before);
  EXPECT_EQ(dir.entries(), std::set<std::string>{"w.npz"});
}

TEST(AtomicWrite, AFolderWithoutWritePermissionLeavesTheOldFileByteIdentical) {
  ScratchDir dir;
  const fs::path folder = dir / "locked";
  fs::create_directory(folder);
  const fs::path path = folder / "w.npz";
  np::savez_compressed(path, {{"a", np::arange(4)}});
  const std::string before = read_bytes(path);
  fs::permissions(folder, fs::perms::owner_read | fs::perms::owner_exec | fs::perms::group_read |
                              fs::perms::group_exec | fs::perms::others_read | fs::perms::others_exec);
  auto attempt = [&] {
    return throws_with<np::io_error>([&] { np::savez_compressed(path, {{"a", np::arange(8)}}); },
                                     {"np::savez_compressed", "cannot write", "w.npz",
                                      "Permission denied"});
  };
  const int status = nptest::as_unprivileged_user(attempt);  // root writes anywhere
  if (status == 3) GTEST_SKIP() << "cannot drop root privileges to test this";
  EXPECT_EQ(status, 0) << "the save did not fail with Permission denied";
  EXPECT_EQ(read_bytes(path), before);
  std::set<std::string> left;
  for (const auto& e : fs::directory_iterator(folder)) left.insert(e.path().filename().string());
  EXPECT_EQ(left, std::set<std::string>{"w.npz"});
}

// =================================== damaged files ==========================================

TEST(DamagedFiles, MissingFilesFoldersAndTheWrongKind) {
  ScratchDir dir;
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load(dir / "nothing.npy"); },
                                        {"np::load", "nothing.npy", "No such file"}));
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir / "nothing.npz"); },
                                        {"np::load_npz", "nothing.npz", "No such file"}));
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir.path()); }, {"it is a folder"}));
  write_bytes(dir / "empty.npz", "");
  write_bytes(dir / "empty.npy", "");
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir / "empty.npz"); },
                                        {"empty.npz", "the file is empty"}));
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load(dir / "empty.npy"); },
                                        {"empty.npy", "the file is empty"}));
  np::savez(dir / "w.npz", {{"a", np::arange(3)}});
  np::save(dir / "a.npy", np::arange(3));
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load(dir / "w.npz"); },
                                        {"w.npz", ".npz archive", "np::load_npz"}));
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir / "a.npy"); },
                                        {"a.npy", ".npy file", "np::load"}));
  write_bytes(dir / "text.npz", "these are not the weights you are looking for\n");
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir / "text.npz"); },
                                        {"np::load_npz", "text.npz", "not a readable zip archive"}));
}

TEST(DamagedFiles, BadMagicVersionAndHeaderLength) {
  std::string bytes = arange5_npy();
  bytes[1] = 'X';
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(bytes, "'x.npy'"); },
                                        {"'x.npy'", "not an NPY file"}));
  bytes = arange5_npy();
  bytes[6] = 4;
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(bytes, "'x.npy'"); },
                                        {"'x.npy'", "version 4.0 is not supported"}));
  bytes = arange5_npy();
  bytes[8] = '\xff';
  bytes[9] = '\xff';  // 65535 header bytes in a 168-byte file
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(bytes, "'x.npy'"); },
                                        {"'x.npy'", "header length 65535 runs past the end", "168 bytes"}));
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(bytes.substr(0, 9), "'x.npy'"); },
                                        {"ends inside the NPY header length"}));
}

TEST(DamagedFiles, ShapesThatDisagreeWithTheData) {
  std::string bytes = arange5_npy();
  const auto at = bytes.find("(5,)");
  bytes[at + 1] = '6';
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(bytes, "'x.npy'"); },
                                        {"'x.npy'", "shape (6,) of int64 needs 48 bytes", "holds 40"}));
  // Truncated data, and data left over.
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(arange5_npy().substr(0, 150), "'x.npy'"); },
                                        {"needs 40 bytes of data, but the file holds 22"}));
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(arange5_npy() + "junk", "'x.npy'"); },
                                        {"needs 40 bytes of data, but the file holds 44"}));
  // A shape whose size overflows.
  std::string huge = np::npy_header({4000000000, 4000000000, 4000000000}, np::float64);
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(huge, "'x.npy'"); }, {"too large"}));
  // Nine axes.
  std::string nine = np::npy_header({1, 1, 1, 1, 1, 1, 1, 1}, np::uint8) + "x";
  nine.replace(nine.find("(1, 1"), 1, "(1, ");
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(nine, "'x.npy'"); },
                                        {"9 axes", "at most 8"}));
}

TEST(DamagedFiles, CorruptOrUnknownHeaderDicts) {
  auto with_dict = [](const std::string& dict) {
    std::string h = std::string("\x93NUMPY\x01\x00", 8);
    h += static_cast<char>(dict.size());
    h += '\0';
    return h + dict;
  };
  struct Case {
    std::string dict;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"{'descr': '<c16', 'fortran_order': False, 'shape': (), }", "unsupported dtype '<c16'"},
      {"{'descr': '|O', 'fortran_order': False, 'shape': (), }", "unsupported dtype '|O'"},
      {"{'descr': '<i2', 'fortran_order': False, 'shape': (), }", "unsupported dtype '<i2'"},
      {"{'descr': [('a', '<i4')], 'fortran_order': False, 'shape': (), }", "structured dtypes"},
      {"{'descr': '<f8', 'fortran_order': Maybe, 'shape': (), }", "expected True or False"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (-1,), }", "negative dimension"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (2, x), }", "expected a dimension"},
      {"{'descr': '<f8', 'fortran_order': False, }", "needs the keys"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': (), 'extra': 1}", "unexpected key 'extra'"},
      {"{'descr': '<f8', 'fortran_order': False, 'shape': () } trailing", "text after the dict"},
      {"{'descr': '<f8", "unterminated string"},
      {"['descr']", "expected '{'"},
  };
  for (const auto& c : cases) {
    EXPECT_TRUE(throws_with<np::io_error>([&] { np::from_npy(with_dict(c.dict), "'x.npy'"); },
                                          {"'x.npy'", c.message}))
        << c.dict;
  }
  // Python 2's long integers and a header without spaces still read.
  const std::string old = with_dict("{'descr':'<f8','fortran_order':False,'shape':(2L,)}") +
                          std::string(16, '\0');
  EXPECT_TRUE(nptest::array_is(np::from_npy(old), {2}, np::float64, {0, 0}));
}

TEST(DamagedFiles, BoolBytesOtherThanZeroAndOneReadAsTrue) {
  std::string bytes = np::to_npy(np::zeros({3}, np::bool_));
  bytes[bytes.size() - 2] = '\x07';
  const np::ndarray a = np::from_npy(bytes);
  EXPECT_TRUE(nptest::array_is(a, {3}, np::bool_, {0, 1, 0}));
  EXPECT_EQ(np::sum(a).item<std::int64_t>(), 1);
}

TEST(DamagedFiles, EveryTruncationOfAnArchiveIsAClearError) {
  ScratchDir dir;
  np::savez_compressed(dir / "w.npz", {{"l0/W", np::arange(12).reshape({3, 4}).astype(np::float32)},
                                       {"l0/b", np::ones({4}, np::float32)}});
  const std::string bytes = read_bytes(dir / "w.npz");
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    write_bytes(dir / "cut.npz", bytes.substr(0, n));
    EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir / "cut.npz"); },
                                          {"np::load_npz", "cut.npz"}))
        << "cut at " << n << " of " << bytes.size() << " bytes";
  }
}

TEST(DamagedFiles, FlippedBytesInAnArchiveAreCaughtOrHarmless) {
  ScratchDir dir;
  const np::ndarray W = np::arange(12).reshape({3, 4}).astype(np::float32);
  np::savez_compressed(dir / "w.npz", {{"W", W}});
  const std::string bytes = read_bytes(dir / "w.npz");
  int caught = 0;
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    std::string damaged = bytes;
    damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
    write_bytes(dir / "bad.npz", damaged);
    try {
      const auto npz = np::load_npz(dir / "bad.npz");
      // Only fields that do not matter (times, attributes, version numbers) may change
      // unnoticed: whatever is read must still be the array.
      ASSERT_EQ(npz.size(), 1u) << "byte " << i;
      EXPECT_TRUE(same_array(npz.begin()->second, W)) << "byte " << i;
    } catch (const np::io_error& e) {
      EXPECT_NE(std::string(e.what()).find("bad.npz"), std::string::npos) << e.what();
      ++caught;
    }
  }
  // Every byte of the compressed data is covered by the CRC, so most flips are caught.
  EXPECT_GT(caught, static_cast<int>(bytes.size()) / 2);
}

TEST(DamagedFiles, ACorruptMemberIsNamed) {
  ScratchDir dir;
  // A stored (uncompressed) archive, so that the member's bytes can be damaged in place.
  np::savez(dir / "w.npz", {{"l0/W", np::arange(3)}});
  const std::string good = read_bytes(dir / "w.npz");
  const std::size_t npy = good.find("NUMPY") - 1;  // where the member's data begins
  std::string bytes = good;
  bytes[npy + 128 + 23] ^= 1;  // the last element's last byte: only the zip's CRC can tell
  write_bytes(dir / "w.npz", bytes);
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir / "w.npz"); },
                                        {"np::load_npz", "w.npz", "member 'l0/W.npy'", "CRC"}));
  bytes = good;
  bytes[npy + 5] = 'X';  // "\x93NUMPX"
  write_bytes(dir / "w.npz", bytes);
  EXPECT_TRUE(throws_with<np::io_error>([&] { np::load_npz(dir / "w.npz"); },
                                        {"w.npz", "member 'l0/W.npy'", "not an NPY file"}));
}

TEST(DamagedFiles, AMemberWhoseNpyDataIsWrongIsNamed) {
  // Made with Python's zipfile (CRCs right): 'ok.npy' holds arange(3), 'W.npy' claims shape
  // (4,) of int64 but holds three.
  EXPECT_TRUE(throws_with<np::io_error>([] { np::load_npz(data_dir / "npz_bad_member.npz"); },
                                        {"np::load_npz", "npz_bad_member.npz", "member 'W.npy'",
                                         "shape (4,) of int64 needs 32 bytes", "holds 24"}));
}

}  // namespace
