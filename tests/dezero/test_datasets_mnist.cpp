// The data files behind MNIST: MD5 against RFC 1321's examples, the IDX reader on small gzip
// files the tests write (valid and broken in every way the reader checks), utils::get_file
// against a small HTTP server on 127.0.0.1 that the tests run themselves (success with the
// progress bar, a wrong checksum, a broken connection, an HTTP error, Ctrl-C: afterwards no
// file is left in the cache), and MNIST / FashionMNIST from the cache, with the fallback to
// Fashion-MNIST and the error when there is nothing at all. $DEZERO_HOME points at a
// temporary folder in every test.
#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>
#include <zlib.h>

#include <atomic>
#include <csignal>
#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/data_cache.hpp"
#include "tests/dezero/gzip_files.hpp"
#include "tests/dezero/helpers.hpp"
#include "tests/dezero/local_server.hpp"

namespace {

namespace fs = std::filesystem;
using dztest::be32;
using dztest::write_gz;
namespace D = dezero::datasets;
namespace utils = dezero::utils;
using dztest::array_is;
using dztest::throws_with;

// ===================================== helpers ==============================================

using dztest::read_bytes;
using dztest::write_bytes;

// An IDX file of bytes: magic 0x0000080D, the sizes, the elements.
std::string idx(const std::vector<std::uint32_t>& dims, const std::string& elements) {
  std::string s = {0, 0, 8, static_cast<char>(dims.size())};
  for (auto d : dims) s += be32(d);
  return s + elements;
}

// n images of 28x28 whose pixel k of image i is (i * 7 + k) % 256, and labels i % 10.
std::string images_idx(std::uint32_t n) {
  std::string px;
  for (std::uint32_t i = 0; i < n; ++i)
    for (std::uint32_t k = 0; k < 784; ++k) px += static_cast<char>((i * 7 + k) % 256);
  return idx({n, 28, 28}, px);
}
std::string labels_idx(std::uint32_t n, std::uint32_t offset = 0) {
  std::string t;
  for (std::uint32_t i = 0; i < n; ++i) t += static_cast<char>((i + offset) % 10);
  return idx({n}, t);
}

// Writes the four MNIST files (3 training and 2 test images) into `dir`.
void write_mnist_files(const fs::path& dir, std::uint32_t label_offset = 0) {
  write_gz(dir / "train-images-idx3-ubyte.gz", images_idx(3));
  write_gz(dir / "train-labels-idx1-ubyte.gz", labels_idx(3, label_offset));
  write_gz(dir / "t10k-images-idx3-ubyte.gz", images_idx(2));
  write_gz(dir / "t10k-labels-idx1-ubyte.gz", labels_idx(2, label_offset));
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  if (!fs::exists(dir)) return names;
  for (const auto& e : fs::recursive_directory_iterator(dir))
    names.push_back(fs::relative(e.path(), dir).string());
  std::sort(names.begin(), names.end());
  return names;
}

// Each test gets its own data cache: $DEZERO_HOME is a fresh folder, removed afterwards, and
// the settings the tests change are put back.
class DataCache : public dztest::DataCacheTest {
 protected:
  DataCache() : DataCacheTest("dezero_data_") {}

 private:
  dztest::Restore<std::string> mirror_{D::MNIST::mirror};
  dztest::Restore<std::string> fashion_dir_{D::FashionMNIST::system_dir};
  dztest::Restore<std::string> fashion_mirror_{D::FashionMNIST::mirror};
};

using dztest::LocalServer;

// A body of n bytes that is not all the same.
std::string payload(std::size_t n) {
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; ++i) s[i] = static_cast<char>((i * 31 + i / 251) % 256);
  return s;
}

// ===================================== MD5 ==================================================

TEST(Md5, RfcExamples) {
  EXPECT_EQ(utils::md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
  EXPECT_EQ(utils::md5_hex("a"), "0cc175b9c0f1b6a831c399e269772661");
  EXPECT_EQ(utils::md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_EQ(utils::md5_hex("message digest"), "f96b697d7cb7938d525a2f31aaf161d0");
  EXPECT_EQ(utils::md5_hex("abcdefghijklmnopqrstuvwxyz"), "c3fcd3d76192e4007dfb496cca67e13b");
  EXPECT_EQ(utils::md5_hex("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"),
            "d174ab98d277d9f5a5611c2c9f419d9f");
  std::string digits;
  for (int i = 0; i < 8; ++i) digits += "1234567890";
  EXPECT_EQ(utils::md5_hex(digits), "57edf4a22be3c955ac49da2e2107b67a");
  // In pieces of any size: the same digest.
  utils::Md5 pieces;
  for (std::size_t i = 0; i < digits.size(); i += 7) pieces.update(digits.data() + i, std::min<std::size_t>(7, digits.size() - i));
  EXPECT_EQ(pieces.hex_digest(), "57edf4a22be3c955ac49da2e2107b67a");
  EXPECT_EQ(utils::md5_hex(std::string(1000000, 'a')), "7707d6ae4e027c70eea2a935c2296f21");
}

TEST_F(DataCache, Md5OfAFile) {
  write_bytes(cache_ / "f", "abc");
  EXPECT_EQ(utils::md5_file(cache_ / "f"), "900150983cd24fb0d6963f7d28e17f72");
  EXPECT_TRUE(throws_with<std::runtime_error>([&] { utils::md5_file(cache_ / "missing"); },
                                              {"md5_file", "missing"}));
}

// ===================================== IDX files ============================================

TEST_F(DataCache, IdxReaderReadsShapeAndBytes) {
  write_gz(cache_ / "a.gz", idx({2, 3}, "\x01\x02\x03\x04\x05\xff"));
  EXPECT_TRUE(array_is(D::read_idx_gz(cache_ / "a.gz", 2), {2, 3}, np::uint8, {1, 2, 3, 4, 5, 255}));
  // several gzip members one after the other, as gzip -c a >> b makes
  gzFile f = gzopen((cache_ / "b.gz").c_str(), "wb");
  const std::string whole = idx({4}, "wxyz");
  gzwrite(f, whole.data(), 6);
  gzclose(f);
  f = gzopen((cache_ / "b.gz").c_str(), "ab");
  gzwrite(f, whole.data() + 6, static_cast<unsigned>(whole.size() - 6));
  gzclose(f);
  EXPECT_TRUE(array_is(D::read_idx_gz(cache_ / "b.gz", 1), {4}, np::uint8, {'w', 'x', 'y', 'z'}));
}

TEST_F(DataCache, IdxReaderRejectsBrokenFiles) {
  const fs::path p = cache_ / "broken.gz";
  const std::string name = p.string();
  // truncated: half of a valid gzip file
  write_gz(p, images_idx(2));
  const std::string gz = read_bytes(p);
  write_bytes(p, gz.substr(0, gz.size() / 2));
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 3); }, {name, "truncated"}));
  // corrupt: a byte of the compressed data changed
  std::string bad = gz;
  bad[bad.size() / 2] = static_cast<char>(bad[bad.size() / 2] ^ 0x55);
  write_bytes(p, bad);
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 3); }, {name, "corrupt"}));
  // not gzip at all
  write_bytes(p, images_idx(1));
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 3); }, {name, "not a gzip file"}));
  write_bytes(p, "");
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 3); }, {name, "not a gzip file"}));
  // the wrong magic number: a label file read as images, or no IDX file at all
  write_gz(p, labels_idx(5));
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 3); },
                                        {name, "magic number is 0x00000801, expected 0x00000803"}));
  write_gz(p, "PK\x03\x04 some zip file");
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 1); }, {name, "magic number"}));
  write_gz(p, std::string("\0\0\x0b\x01", 4) + be32(1) + "ab");  // 0x0B: int16 elements
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 1); }, {"unsigned bytes"}));
  // counts that disagree with the size
  write_gz(p, idx({5}, "abc"));
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 1); },
                                        {name, "has 3 bytes of data", "(5,) = 5 bytes"}));
  write_gz(p, idx({2}, "abcd"));
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 1); },
                                        {name, "2 bytes after the 2"}));
  write_gz(p, std::string("\0\0\x08\x03", 4) + be32(1));
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 3); }, {name, "too short"}));
  // a header that asks for more than the file can hold is refused before anything is
  // allocated (it was a 4 GiB allocation; found by tests/fuzz/fuzz_idx)
  write_gz(p, idx({0xFFFF, 0xFFFF}, "x"));
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(p, 2); },
                                        {name, "(65535, 65535) = 4294836225 bytes", "can hold"}));
  // missing
  EXPECT_TRUE(throws_with<D::DataError>([&] { D::read_idx_gz(cache_ / "nothing.gz", 1); },
                                        {"cannot open", "nothing.gz"}));
}

// ===================================== cache_dir / get_file =================================

TEST_F(DataCache, CacheDirIsDezeroHomeElseHome) {
  EXPECT_EQ(utils::cache_dir(), cache_);
  const std::string home = std::getenv("HOME") ? std::getenv("HOME") : "";
  unsetenv("DEZERO_HOME");
  setenv("HOME", root_.c_str(), 1);
  EXPECT_EQ(utils::cache_dir(), root_ / ".dezero");
  setenv("DEZERO_HOME", "", 1);  // empty counts as unset
  EXPECT_EQ(utils::cache_dir(), root_ / ".dezero");
  setenv("HOME", home.c_str(), 1);
}

TEST_F(DataCache, DownloadWithProgressThenFromTheCache) {
  LocalServer server;
  const std::string body = payload(300000);
  server.route("/files/data.bin", {.body = body});
  testing::internal::CaptureStderr();
  const fs::path path = utils::get_file(server.url("/files/data.bin"), {}, utils::md5_hex(body));
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(path, cache_ / "data.bin");
  EXPECT_EQ(read_bytes(path), body);
  EXPECT_NE(err.find("Downloading: data.bin\n"), std::string::npos) << err;
  EXPECT_NE(err.find("\r[##############################] 100.00%"), std::string::npos) << err;
  EXPECT_NE(err.find(" Done\n"), std::string::npos) << err;
  EXPECT_EQ(entries(cache_), (std::vector<std::string>{"data.bin"}));
  // Now in the cache: no request at all, even with another checksum (as the book's get_file).
  const int requests = server.requests();
  EXPECT_EQ(utils::get_file(server.url("/files/data.bin"), {}, std::string(32, '0')), path);
  EXPECT_EQ(server.requests(), requests);
  // Another name, in a sub-folder of the cache; no checksum given.
  testing::internal::CaptureStderr();
  EXPECT_EQ(utils::get_file(server.url("/files/data.bin"), "sub/other.bin"), cache_ / "sub/other.bin");
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(read_bytes(cache_ / "sub/other.bin"), body);
}

TEST_F(DataCache, ChecksumMismatchLeavesNoFile) {
  LocalServer server;
  server.route("/data.bin", {.body = payload(5000)});
  testing::internal::CaptureStderr();
  EXPECT_TRUE(throws_with<utils::DownloadError>(
      [&] { utils::get_file(server.url("/data.bin"), {}, utils::md5_hex("something else")); },
      {"get_file", server.url("/data.bin"), "MD5 checksum is " + utils::md5_hex(payload(5000)),
       "expected " + utils::md5_hex("something else"), "nothing was saved"}));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(entries(cache_), std::vector<std::string>{});
}

TEST_F(DataCache, BrokenConnectionLeavesNoFile) {
  LocalServer server;
  server.route("/big.bin", {.body = payload(100000), .send_only = 30000});
  testing::internal::CaptureStderr();
  EXPECT_TRUE(throws_with<utils::DownloadError>([&] { utils::get_file(server.url("/big.bin")); },
                                                {"get_file", "big.bin", "of 100000 bytes"}));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(entries(cache_), std::vector<std::string>{});
}

TEST_F(DataCache, HttpErrorAndUnreachableServerLeaveNoFile) {
  LocalServer server;
  testing::internal::CaptureStderr();
  EXPECT_TRUE(throws_with<utils::DownloadError>([&] { utils::get_file(server.url("/none.bin")); },
                                                {"HTTP 404", "none.bin"}));
  // A port where nothing listens: bound but not listening, so connecting is refused, and no
  // other test's server can take the port meanwhile (ctest runs tests side by side).
  const int quiet = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(quiet, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::bind(quiet, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  ASSERT_EQ(::getsockname(quiet, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port)) + "/x.bin";
  EXPECT_TRUE(throws_with<utils::DownloadError>([&] { utils::get_file(url); }, {url, "failed"}));
  ::close(quiet);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(entries(cache_), std::vector<std::string>{});
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { utils::get_file(server.url("/dir/")); },
                                                 {"ends in '/'"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { utils::get_file(server.url("/a.bin"), {}, "xyz"); }, {"not an MD5"}));
}

// DEZERO_OFFLINE: no request at all; what is in the cache is still found.
TEST_F(DataCache, OfflineMeansNoDownload) {
  LocalServer server;
  server.route("/a.bin", {.body = "abc"});
  setenv("DEZERO_OFFLINE", "1", 1);
  EXPECT_TRUE(throws_with<utils::DownloadError>([&] { utils::get_file(server.url("/a.bin")); },
                                                {"DEZERO_OFFLINE", "a.bin"}));
  EXPECT_EQ(server.requests(), 0);
  write_bytes(cache_ / "a.bin", "by hand");
  EXPECT_EQ(read_bytes(utils::get_file(server.url("/a.bin"))), "by hand");
  fs::remove(cache_ / "a.bin");
  setenv("DEZERO_OFFLINE", "0", 1);  // 0 switches it off again
  testing::internal::CaptureStderr();
  EXPECT_EQ(read_bytes(utils::get_file(server.url("/a.bin"))), "abc");
  testing::internal::GetCapturedStderr();
  unsetenv("DEZERO_OFFLINE");
}

// Ctrl-C in the middle of a download: the partial file goes, then the signal has its usual
// effect (here the test's own handler, which only counts it).
std::atomic<int> sigints{0};
void count_sigint(int) { ++sigints; }

TEST_F(DataCache, InterruptLeavesNoFile) {
  LocalServer server;
  server.route("/slow.bin", {.body = payload(200000),
                             .send_only = 50000,
                             .stall = true,
                             .after_send = [] { kill(getpid(), SIGINT); }});
  struct sigaction mine {}, old {};
  mine.sa_handler = count_sigint;
  sigemptyset(&mine.sa_mask);
  sigaction(SIGINT, &mine, &old);
  sigints = 0;
  testing::internal::CaptureStderr();
  EXPECT_TRUE(throws_with<utils::DownloadError>([&] { utils::get_file(server.url("/slow.bin")); },
                                                {"interrupted by signal 2", "slow.bin"}));
  testing::internal::GetCapturedStderr();
  sigaction(SIGINT, &old, nullptr);
  EXPECT_EQ(sigints, 1);  // passed on to the handler that was there before
  EXPECT_EQ(entries(cache_), std::vector<std::string>{});
}

// ===================================== MNIST ================================================

TEST_F(DataCache, MnistFromTheCache) {
  write_mnist_files(cache_);
  D::MNIST::mirror = "http://127.0.0.1:9/never-used/";
  const D::MNIST train(true);
  EXPECT_EQ(train.source(), "MNIST");
  EXPECT_EQ(train.len(), 3);
  EXPECT_EQ(train.data().shape(), (np::Shape{3, 1, 28, 28}));
  EXPECT_EQ(train.data().dtype(), np::uint8);
  EXPECT_TRUE(array_is(train.label(), {3}, np::uint8, {0, 1, 2}));
  // pixel k of image 1 is (7 + k) % 256; the default transform divides by 255 in float32
  const auto [x, t] = train[1];
  EXPECT_EQ(x.shape(), (np::Shape{784}));
  EXPECT_EQ(x.dtype(), np::float32);
  EXPECT_EQ(x.flat(0), static_cast<double>(7.0f / 255.0f));
  EXPECT_EQ(x.flat(300), static_cast<double>(51.0f / 255.0f));  // (7 + 300) % 256 = 51
  EXPECT_TRUE(array_is(t, {}, np::uint8, {1}));

  const D::MNIST test(false, {});  // no transform: the raw images
  EXPECT_FALSE(test.train());
  EXPECT_EQ(test.len(), 2);
  EXPECT_EQ(test[1].x.shape(), (np::Shape{1, 28, 28}));
  EXPECT_EQ(test[1].x.dtype(), np::uint8);

  // A loader's batches: x (B, 784) float32 and t (B,) uint8, as the book's.
  dezero::dataloaders::DataLoader loader(train, 2, {.shuffle = false});
  const auto batch = loader.next();
  EXPECT_EQ(batch->x.shape(), (np::Shape{2, 784}));
  EXPECT_EQ(batch->x.dtype(), np::float32);
  EXPECT_TRUE(array_is(batch->t, {2}, np::uint8, {0, 1}));
  EXPECT_TRUE(np::array_equal(batch->x[1], x));

  EXPECT_EQ(D::MNIST::labels().size(), 10u);
  EXPECT_EQ(D::MNIST::labels().at(7), "7");
}

TEST_F(DataCache, MnistFilesThatDisagree) {
  write_mnist_files(cache_);
  write_gz(cache_ / "t10k-labels-idx1-ubyte.gz", labels_idx(3));
  EXPECT_TRUE(throws_with<D::DataError>(
      [] { D::MNIST(false); }, {"t10k-images-idx3-ubyte.gz has 2 images", "t10k-labels-idx1-ubyte.gz has 3 labels"}));
  write_gz(cache_ / "t10k-labels-idx1-ubyte.gz", idx({2}, "\x01\x0c"));
  EXPECT_TRUE(throws_with<D::DataError>([] { D::MNIST(false); }, {"label 12 at 1"}));
  write_gz(cache_ / "t10k-images-idx3-ubyte.gz", idx({1, 2, 2}, "abcd"));
  EXPECT_TRUE(throws_with<D::DataError>([] { D::MNIST(false); }, {"2x2 pixels", "28x28"}));
}

// MNIST is missing and its download fails (here: files whose checksum is wrong), so Fashion-
// MNIST is read instead, with a notice; the failed downloads leave nothing in the cache.
TEST_F(DataCache, MnistFallsBackToFashionMnist) {
  LocalServer server;
  for (const char* name : {"/mnist/train-images-idx3-ubyte.gz", "/mnist/train-labels-idx1-ubyte.gz"})
    server.route(name, {.body = "not the real file"});
  D::MNIST::mirror = server.url("/mnist/");
  const fs::path fashion = root_ / "fashion";
  write_mnist_files(fashion, 5);
  D::FashionMNIST::system_dir = fashion.string();

  testing::internal::CaptureStderr();
  const D::MNIST train(true);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_EQ(train.source(), "Fashion-MNIST");
  EXPECT_TRUE(array_is(train.label(), {3}, np::uint8, {5, 6, 7}));
  EXPECT_NE(err.find("MD5 checksum"), std::string::npos) << err;
  EXPECT_NE(err.find("MNIST: using Fashion-MNIST from " + fashion.string()), std::string::npos)
      << err;
  EXPECT_EQ(entries(cache_), std::vector<std::string>{});

  // The test split does not try the mirror that failed again.
  const int requests = server.requests();
  testing::internal::CaptureStderr();
  const D::MNIST test(false);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(test.source(), "Fashion-MNIST");
  EXPECT_EQ(test.len(), 2);
  EXPECT_EQ(server.requests(), requests);
}

TEST_F(DataCache, NeitherMnistNorFashionMnistIsAClearError) {
  LocalServer server;  // answers 404 to everything
  D::MNIST::mirror = server.url("/empty/");
  D::FashionMNIST::system_dir = (root_ / "not-installed").string();
  testing::internal::CaptureStderr();
  EXPECT_TRUE(throws_with<D::DataError>(
      [] { D::MNIST(true); },
      {"train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz", cache_.string(), "HTTP 404",
       "apt-get install dataset-fashion-mnist", (root_ / "not-installed").string()}));
  D::FashionMNIST::mirror = server.url("/fashion/");
  EXPECT_TRUE(throws_with<D::DataError>(
      [] { D::FashionMNIST(false); },
      {"FashionMNIST", "t10k-images-idx3-ubyte.gz", "apt-get install dataset-fashion-mnist"}));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(entries(cache_), std::vector<std::string>{});
}

TEST_F(DataCache, FashionMnistOfItsOwn) {
  const fs::path fashion = root_ / "fashion";
  write_mnist_files(fashion, 3);
  D::FashionMNIST::system_dir = fashion.string();
  const D::FashionMNIST train(true);
  EXPECT_TRUE(array_is(train.label(), {3}, np::uint8, {3, 4, 5}));
  EXPECT_EQ(train[0].x.dtype(), np::float32);
  EXPECT_EQ(D::FashionMNIST::labels().at(0), "T-shirt/top");
  EXPECT_EQ(D::FashionMNIST::labels().at(9), "Ankle boot");
  // Not installed: the data cache's fashion-mnist folder is the next place.
  D::FashionMNIST::system_dir = (root_ / "none").string();
  write_mnist_files(cache_ / "fashion-mnist", 1);
  EXPECT_TRUE(array_is(D::FashionMNIST(false).label(), {2}, np::uint8, {1, 2}));
}

// Debian's package, when it is installed: the real 10 000 test images, 1 000 of each class.
TEST_F(DataCache, DebiansFashionMnist) {
  if (!fs::exists(fs::path(D::FashionMNIST::system_dir) / "t10k-images-idx3-ubyte.gz"))
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  const D::FashionMNIST test(false);
  EXPECT_EQ(test.data().shape(), (np::Shape{10000, 1, 28, 28}));
  std::vector<int> counts(10);
  for (const auto v : test.label().to_vector<int>()) ++counts.at(v);
  EXPECT_EQ(counts, std::vector<int>(10, 1000));
  const auto [x, t] = test[0];
  EXPECT_EQ(x.shape(), (np::Shape{784}));
  EXPECT_GE(x.min().item<double>(), 0.0);
  EXPECT_LE(x.max().item<double>(), 1.0);
  EXPECT_TRUE(array_is(t, {}, np::uint8, {9}));  // the first test image is an ankle boot
}

}  // namespace
