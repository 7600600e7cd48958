// The data sets and transforms that came with the examples: the tar.gz reader on archives the
// tests write (good, truncated, damaged), CIFAR-10 and CIFAR-100 downloaded from a local server
// in the official binary format and cached as .npz (and what a broken archive or cache does),
// Shakespeare with SeqDataLoader, ImageNet, the image transforms, and grids of samples.
#include <gtest/gtest.h>


#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "dezero/archive.hpp"
#include "dezero/dezero.hpp"
#include "tests/dezero/data_cache.hpp"
#include "tests/dezero/gzip_files.hpp"
#include "tests/dezero/helpers.hpp"
#include "tests/dezero/local_server.hpp"

namespace {

namespace fs = std::filesystem;
namespace D = dezero::datasets;
namespace T = dezero::transforms;
namespace utils = dezero::utils;
using dezero::Image;
using dztest::array_is;
using dztest::LocalServer;
using dztest::throws_with;
using dztest::write_gz;

using dztest::read_bytes;
using dztest::write_bytes;

// One ustar header block for a member `name` of `size` bytes (type '0' file, '5' folder, 'L'
// GNU long name), its checksum filled in.
std::string tar_header(const std::string& name, std::size_t size, char type = '0',
                       const std::string& prefix = {}) {
  std::string h(512, '\0');
  h.replace(0, std::min<std::size_t>(name.size(), 100), name.substr(0, 100));
  auto octal = [&](std::size_t offset, std::size_t width, std::uint64_t v) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%0*llo", static_cast<int>(width - 1), static_cast<unsigned long long>(v));
    h.replace(offset, width - 1, buf);
  };
  octal(100, 8, 0644);
  octal(108, 8, 0);
  octal(116, 8, 0);
  octal(124, 12, size);
  octal(136, 12, 0);
  h[156] = type;
  h.replace(257, 6, std::string("ustar\0", 6));
  h.replace(263, 2, "00");
  h.replace(345, prefix.size(), prefix);
  h.replace(148, 8, "        ");
  unsigned sum = 0;
  for (unsigned char c : h) sum += c;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%06o", sum);
  h.replace(148, 7, std::string(buf, 6) + '\0');
  return h;
}

// A tar archive of the given (name, contents) files, with its two end blocks.
std::string tar(const std::vector<std::pair<std::string, std::string>>& files) {
  std::string out;
  for (const auto& [name, body] : files) {
    out += tar_header(name, body.size()) + body + std::string((512 - body.size() % 512) % 512, '\0');
  }
  return out + std::string(1024, '\0');
}

// n CIFAR records of `label_bytes` label bytes each: record i has labels (i + first) % classes
// (and the next, for CIFAR-100's fine label) and pixel k = (i * 13 + k) % 256.
std::string records(int n, int label_bytes, int first = 0) {
  std::string out;
  for (int i = 0; i < n; ++i) {
    for (int b = 0; b < label_bytes; ++b) out += static_cast<char>((i + first + b * 7) % 10);
    for (int k = 0; k < 3072; ++k) out += static_cast<char>((i * 13 + k) % 256);
  }
  return out;
}

std::string gzip(const fs::path& scratch, const std::string& bytes) {
  write_gz(scratch, bytes);
  std::string gz = read_bytes(scratch);
  fs::remove(scratch);
  return gz;
}

std::vector<std::string> entries(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

// A fresh data cache ($DEZERO_HOME) per test; the data sets' settings are put back afterwards.
class Archives : public dztest::DataCacheTest {
 protected:
  Archives() : DataCacheTest("dezero_cifar_") {}

  // The CIFAR-10 archive in the official layout: five training batches of 2 records, a test
  // batch of 3, and the names file; served by `server` with its checksum and size set.
  std::string serve_cifar10(LocalServer& server) {
    const std::string dir = "cifar-10-batches-bin/";
    std::vector<std::pair<std::string, std::string>> files = {{dir + "batches.meta.txt", "airplane\n"}};
    for (int b = 1; b <= 5; ++b) files.push_back({dir + "data_batch_" + std::to_string(b) + ".bin", records(2, 1, 2 * (b - 1))});
    files.push_back({dir + "test_batch.bin", records(3, 1, 5)});
    const std::string gz = gzip(root_ / "scratch.gz", tar(files));
    server.route("/kriz/cifar-10-binary.tar.gz", {.body = gz});
    D::CIFAR10::url = server.url("/kriz/cifar-10-binary.tar.gz");
    D::CIFAR10::md5 = utils::md5_hex(gz);
    D::CIFAR10::archive_size = gz.size();
    return gz;
  }

 private:
  dztest::Restore<std::string> url10_{D::CIFAR10::url}, md5_10_{D::CIFAR10::md5};
  dztest::Restore<std::string> url100_{D::CIFAR100::url}, md5_100_{D::CIFAR100::md5};
  dztest::Restore<std::string> text_url_{D::Shakespeare::url};
  dztest::Restore<std::uint64_t> size10_{D::CIFAR10::archive_size};
  dztest::Restore<std::uint64_t> size100_{D::CIFAR100::archive_size};
};

// ===================================== tar.gz ===============================================

TEST_F(Archives, TarReaderReadsMembersInOrder) {
  std::string body = tar({{"a/one.bin", "12345"}, {"a/two.txt", std::string(700, 'x')}});
  // a folder entry, a GNU long name and a ustar prefix are read too
  const std::string long_name = std::string(120, 'n') + ".bin";
  std::string more = tar_header("dir/", 0, '5') + tar_header("././@LongLink", long_name.size() + 1, 'L') +
                     long_name + '\0' + std::string(512 - (long_name.size() + 1), '\0') +
                     tar_header("ignored", 3) + "abc" + std::string(509, '\0') +
                     tar_header("file", 2, '0', "some/prefix") + "hi" + std::string(510, '\0');
  body.insert(body.size() - 1024, more);
  write_gz(cache_ / "a.tar.gz", body);
  std::vector<std::string> names, contents;
  dezero::archive::read_tar_gz(cache_ / "a.tar.gz", [&](dezero::archive::TarMember& m) {
    names.push_back(m.name);
    if (m.name == "a/two.txt") return;  // left unread: skipped
    std::string s(m.size, '\0');
    m.read(s.data(), s.size());
    contents.push_back(s);
  });
  EXPECT_EQ(names, (std::vector<std::string>{"a/one.bin", "a/two.txt", long_name, "some/prefix/file"}));
  EXPECT_EQ(contents, (std::vector<std::string>{"12345", "abc", "hi"}));
}

TEST_F(Archives, TarReaderRejectsBrokenArchives) {
  const fs::path p = cache_ / "b.tar.gz";
  const std::string body = tar({{"x.bin", std::string(3000, 'q')}});
  auto visit_all = [&] {
    dezero::archive::read_tar_gz(p, [](dezero::archive::TarMember& m) {
      std::string s(m.size, '\0');
      m.read(s.data(), s.size());
    });
  };
  write_gz(p, body.substr(0, 1500));  // the member is cut short
  EXPECT_TRUE(throws_with<D::DataError>(visit_all, {p.string(), "truncated", "x.bin"}));
  std::string bad = body;
  bad[10] = 'Z';  // the header no longer matches its checksum
  write_gz(p, bad);
  EXPECT_TRUE(throws_with<D::DataError>(visit_all, {p.string(), "checksum"}));
  write_gz(p, std::string(700, 'z'));  // not a tar archive
  EXPECT_TRUE(throws_with<D::DataError>(visit_all, {p.string()}));
  // a size field larger than the archive could hold: refused before anything is allocated
  write_gz(p, tar_header("huge.bin", 8000000000ull) + std::string(1024, '\0'));
  EXPECT_TRUE(throws_with<D::DataError>(visit_all, {p.string(), "8000000000 bytes", "can hold"}));
  // a GNU long name announcing more than a name could be (within what the file could hold)
  write_gz(p, tar_header("././@LongLink", 70000, 'L') + std::string(70000, 'n') +
                  std::string(1024, '\0'));
  EXPECT_TRUE(throws_with<D::DataError>(visit_all, {p.string(), "long-name", "70000 bytes"}));
  write_bytes(p, body);  // not gzip
  EXPECT_TRUE(throws_with<D::DataError>(visit_all, {p.string(), "not a gzip file"}));
}

// ===================================== CIFAR ================================================

TEST_F(Archives, Cifar10IsDownloadedDecodedAndCached) {
  LocalServer server;
  const std::string gz = serve_cifar10(server);
  testing::internal::CaptureStderr();
  const D::CIFAR10 train(true);
  const std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("Saving: cifar-10-binary.tar.gz.train.npz Done"), std::string::npos) << err;
  ASSERT_EQ(train.data().shape(), (np::Shape{10, 3, 32, 32}));
  EXPECT_EQ(train.data().dtype(), np::uint8);
  EXPECT_TRUE(array_is(train.label(), {10}, np::int64, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  // sample 3 is batch 2's second record: pixel k = (1 * 13 + k) % 256, channels R, G, B
  const np::ndarray x3 = train.data()[3];
  EXPECT_EQ(x3.to_vector<double>()[0], 13);
  EXPECT_EQ(x3.to_vector<double>()[1024], (13 + 1024) % 256);  // green's first pixel
  // the default transform: float32 (x - 0.5) / 0.5, as the book's
  const auto [x, t] = train[3];
  EXPECT_EQ(x.dtype(), np::float32);
  EXPECT_EQ(x.shape(), (np::Shape{3, 32, 32}));
  EXPECT_FLOAT_EQ(x.to_vector<double>()[0], (13 - 0.5) / 0.5);
  EXPECT_TRUE(array_is(t, {}, np::int64, {3}));
  EXPECT_EQ(entries(cache_), (std::vector<std::string>{"cifar-10-binary.tar.gz",
                                                       "cifar-10-binary.tar.gz.train.npz"}));
  // The cached arrays are NumPy's: data and label.
  const auto npz = np::load_npz(cache_ / "cifar-10-binary.tar.gz.train.npz");
  EXPECT_EQ(npz.at("data").shape(), (np::Shape{10, 3, 32, 32}));

  // The test split comes from the archive already in the cache: no second download.
  const int requests = server.requests();
  testing::internal::CaptureStderr();
  const D::CIFAR10 test(false);
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(server.requests(), requests);
  EXPECT_TRUE(array_is(test.label(), {3}, np::int64, {5, 6, 7}));
  // Later runs read the .npz, even without the archive.
  fs::remove(cache_ / "cifar-10-binary.tar.gz");
  const D::CIFAR10 again(true);
  EXPECT_TRUE(array_is(again.label(), {10}, np::int64, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9}));
  EXPECT_EQ(D::CIFAR10::labels().at(0), "airplane");
  EXPECT_EQ(D::CIFAR10::labels().at(9), "truck");
}

TEST_F(Archives, BrokenCifarFilesAreClearErrorsAndLeaveTheCacheAsItWas) {
  LocalServer server;
  const std::string gz = serve_cifar10(server);
  // A truncated archive in the cache: refused by its size, nothing decoded or cached.
  const fs::path archive = cache_ / "cifar-10-binary.tar.gz";
  write_bytes(archive, gz.substr(0, gz.size() / 2));
  EXPECT_TRUE(throws_with<D::DataError>([] { D::CIFAR10(true); },
                                        {archive.string(), "bytes, but the official archive has",
                                         "delete it"}));
  // The right size but damaged inside: the tar.gz reader says so, nothing is cached.
  std::string damaged = gz;
  for (std::size_t i = damaged.size() / 3; i < damaged.size() / 3 + 40; ++i) damaged[i] = static_cast<char>(damaged[i] ^ 0x5a);
  write_bytes(archive, damaged);
  EXPECT_TRUE(throws_with<D::DataError>([] { D::CIFAR10(true); }, {archive.string()}));
  EXPECT_EQ(read_bytes(archive), damaged);
  EXPECT_EQ(entries(cache_), std::vector<std::string>{"cifar-10-binary.tar.gz"});
  // A damaged cache file: named, and left for the user to delete.
  const fs::path npz = cache_ / "cifar-10-binary.tar.gz.test.npz";
  write_bytes(npz, "PK\x03\x04 not really");
  EXPECT_TRUE(throws_with<D::DataError>([] { D::CIFAR10(false); }, {npz.string(), "delete it"}));
  EXPECT_EQ(read_bytes(npz), "PK\x03\x04 not really");
  np::savez_compressed(npz, {{"data", np::zeros({2, 3, 4, 4}, np::uint8)}, {"label", np::zeros({2}, np::int64)}});
  EXPECT_TRUE(throws_with<D::DataError>([] { D::CIFAR10(false); }, {npz.string(), "(2, 3, 4, 4)"}));
  // An archive without the binary members (e.g. the Python version).
  fs::remove(npz);
  const std::string python = gzip(root_ / "s.gz", tar({{"cifar-10-batches-py/test_batch", "pickle"}}));
  write_bytes(archive, python);
  D::CIFAR10::archive_size = python.size();
  EXPECT_TRUE(throws_with<D::DataError>([] { D::CIFAR10(false); },
                                        {"no member cifar-10-batches-bin/test_batch.bin", "binary version"}));
  // A member that is not whole records.
  const std::string ragged = gzip(root_ / "s.gz", tar({{"cifar-10-batches-bin/test_batch.bin", "abc"}}));
  write_bytes(archive, ragged);
  D::CIFAR10::archive_size = ragged.size();
  EXPECT_TRUE(throws_with<D::DataError>([] { D::CIFAR10(false); }, {"3 bytes", "3073-byte records"}));
  EXPECT_EQ(entries(cache_), std::vector<std::string>{"cifar-10-binary.tar.gz"});
  // A wrong download: the checksum fails and nothing is saved.
  fs::remove(archive);
  D::CIFAR10::md5 = utils::md5_hex("something else");
  testing::internal::CaptureStderr();
  EXPECT_TRUE(throws_with<utils::DownloadError>([] { D::CIFAR10(false); }, {"MD5"}));
  testing::internal::GetCapturedStderr();
  EXPECT_EQ(entries(cache_), std::vector<std::string>{});
}

TEST_F(Archives, Cifar100FineAndCoarse) {
  LocalServer server;
  const std::string gz = gzip(root_ / "s.gz", tar({{"cifar-100-binary/train.bin", records(4, 2)},
                                                   {"cifar-100-binary/test.bin", records(2, 2, 3)}}));
  server.route("/cifar-100-binary.tar.gz", {.body = gz});
  D::CIFAR100::url = server.url("/cifar-100-binary.tar.gz");
  D::CIFAR100::md5 = utils::md5_hex(gz);
  D::CIFAR100::archive_size = gz.size();
  testing::internal::CaptureStderr();
  const D::CIFAR100 fine(true);
  const D::CIFAR100 coarse(true, D::CIFAR10::default_transform(), {}, "coarse");
  const D::CIFAR100 test(false);
  testing::internal::GetCapturedStderr();
  // record i: coarse label (i) % 10, fine label (i + 7) % 10
  EXPECT_TRUE(array_is(coarse.label(), {4}, np::int64, {0, 1, 2, 3}));
  EXPECT_TRUE(array_is(fine.label(), {4}, np::int64, {7, 8, 9, 0}));
  EXPECT_TRUE(array_is(test.label(), {2}, np::int64, {0, 1}));
  EXPECT_EQ(fine.data().shape(), (np::Shape{4, 3, 32, 32}));
  EXPECT_EQ(fine.label_type(), "fine");
  EXPECT_EQ(entries(cache_), (std::vector<std::string>{
                                 "cifar-100-binary.tar.gz", "cifar-100-binary.tar.gz.coarse.train.npz",
                                 "cifar-100-binary.tar.gz.fine.test.npz",
                                 "cifar-100-binary.tar.gz.fine.train.npz"}));
  EXPECT_EQ(D::CIFAR100::labels().size(), 100u);
  EXPECT_EQ(D::CIFAR100::labels().at(0), "apple");
  EXPECT_EQ(D::CIFAR100::labels().at(99), "worm");
  EXPECT_EQ(D::CIFAR100::labels("coarse").size(), 20u);
  EXPECT_EQ(D::CIFAR100::labels("coarse").at(19), "vehicles 2");
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { D::CIFAR100::labels("medium"); }, {"'medium'"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { D::CIFAR100(true, {}, {}, "both"); }, {"'both'"}));
}

TEST_F(Archives, CacheNpzRoundTrip) {
  EXPECT_FALSE(D::load_cache_npz("https://x/y/data.tar.gz", true).x.defined());
  testing::internal::CaptureStderr();
  const fs::path p = D::save_cache_npz(np::arange(6).reshape({2, 3}), np::arange(2), "https://x/y/data.tar.gz", true);
  EXPECT_EQ(testing::internal::GetCapturedStderr(), "Saving: data.tar.gz.train.npz Done\n");
  EXPECT_EQ(p, cache_ / "data.tar.gz.train.npz");
  const auto [data, label] = D::load_cache_npz("data.tar.gz", true);
  EXPECT_TRUE(array_is(data, {2, 3}, np::int64, {0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(array_is(label, {2}, np::int64, {0, 1}));
  EXPECT_FALSE(D::load_cache_npz("data.tar.gz", false).x.defined());
}

// ===================================== Shakespeare ==========================================

TEST_F(Archives, ShakespeareCharactersAndPairs) {
  LocalServer server;
  server.route("/input.txt", {.body = "abca\xc3\xa9" "b"});  // "abcaéb": é is one character
  D::Shakespeare::url = server.url("/input.txt");
  testing::internal::CaptureStderr();
  const D::Shakespeare ds;
  testing::internal::GetCapturedStderr();
  EXPECT_TRUE(fs::exists(cache_ / "shakespear.txt"));
  EXPECT_EQ(ds.id_to_char(), (std::vector<std::string>{"a", "b", "c", "\xc3\xa9"}));
  EXPECT_EQ(ds.char_to_id().at("\xc3\xa9"), 3);
  EXPECT_TRUE(array_is(ds.data(), {5}, np::int64, {0, 1, 2, 0, 3}));
  EXPECT_TRUE(array_is(ds.label(), {5}, np::int64, {1, 2, 0, 3, 1}));
  // SeqDataLoader: batch of 2 walks two halves of the series (jump 5 / 2 = 2)
  dezero::dataloaders::SeqDataLoader loader(ds, 2);
  const auto batch = loader.next();
  ASSERT_TRUE(batch.has_value());
  EXPECT_TRUE(array_is(batch->x, {2}, np::int64, {0, 2}));
  EXPECT_TRUE(array_is(batch->t, {2}, np::int64, {1, 0}));

  write_bytes(cache_ / "shakespear.txt", "ok\xff");
  EXPECT_TRUE(throws_with<D::DataError>([] { D::Shakespeare(); },
                                        {(cache_ / "shakespear.txt").string(), "not UTF-8", "byte 2"}));
  fs::remove(cache_ / "shakespear.txt");
  D::Shakespeare::url = server.url("/missing.txt");
  testing::internal::CaptureStderr();
  EXPECT_TRUE(throws_with<D::DataError>([] { D::Shakespeare(); }, {"shakespear.txt", "HTTP 404"}));
  testing::internal::GetCapturedStderr();
}

TEST(ImageNet, IsADatasetWithLabelsOnly) {
  EXPECT_EQ(D::ImageNet::labels().size(), 1000u);
  EXPECT_TRUE(throws_with<D::DataError>([] { D::ImageNet(); }, {"ImageNet", "labels()"}));
}

// ===================================== image transforms =====================================

// A 4 x 2 RGB image whose pixel (x, y) is (10 x, 100 y, 7).
Image small_image() {
  np::ndarray a({2, 4, 3}, np::uint8);
  auto* p = a.data<std::uint8_t>();
  for (int y = 0; y < 2; ++y)
    for (int x = 0; x < 4; ++x) {
      p[(y * 4 + x) * 3] = static_cast<std::uint8_t>(10 * x);
      p[(y * 4 + x) * 3 + 1] = static_cast<std::uint8_t>(100 * y);
      p[(y * 4 + x) * 3 + 2] = 7;
    }
  return Image::from_array(a);
}

TEST(ImageTransforms, ConvertResizeCropAndArrays) {
  const Image img = small_image();
  EXPECT_EQ(T::Convert("L")(img).mode(), "L");
  const Image bgr = T::Convert("BGR")(img);
  EXPECT_EQ(bgr.pixels()[0], 7);
  const Image big = T::Resize(8, 6)(img);
  EXPECT_EQ(big.width(), 8);
  EXPECT_EQ(big.height(), 6);
  const Image crop = T::CenterCrop(2)(img);  // columns 1, 2 of both rows
  EXPECT_TRUE(array_is(T::ToArray(np::uint8)(crop), {3, 2, 2}, np::uint8,
                       {10, 20, 10, 20, 0, 0, 100, 100, 7, 7, 7, 7}));
  // larger than the image: black margins, the odd pixel right and below (floor division:
  // left = (4 - 7) // 2 = -2, up = (2 - 3) // 2 = -1); red channel, row 1 is the image's row 0
  const Image wide = T::CenterCrop(7, 3)(img);
  EXPECT_EQ(wide.width(), 7);
  EXPECT_TRUE(array_is(T::ToArray(np::uint8)(wide)[0], {3, 7}, np::uint8,
                       {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 10, 20, 30, 0, 0, 0, 0, 10, 20, 30, 0}));
  // ToArray: float32 (C, H, W); arrays pass through; ToImage goes back
  const np::ndarray chw = T::ToArray()(img);
  EXPECT_EQ(chw.dtype(), np::float32);
  EXPECT_EQ(chw.shape(), (np::Shape{3, 2, 4}));
  EXPECT_EQ(T::ToArray()(chw).shape(), chw.shape());
  EXPECT_EQ(T::ToImage()(chw).pixels(), img.pixels());
  const T::ComposeImages both({T::Resize(8, 4), T::CenterCrop(4, 2)});
  EXPECT_EQ(both(img).width(), 4);
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { T::Resize(0); }, {"Resize", "(0, 0)"}));
  // on arrays: through an image and back, in the array's dtype
  const np::ndarray resized = T::Resize(2, 1).on_arrays()(chw);
  EXPECT_EQ(resized.shape(), (np::Shape{3, 1, 2}));
  EXPECT_EQ(resized.dtype(), np::float32);
  EXPECT_TRUE(throws_with<np::shape_error>([&] { T::Resize(2).on_arrays()(np::zeros({4})); }, {"(C, H, W)", "(4,)"}));
}

TEST(ImageTransforms, RandomHorizontalFlipFollowsTheGlobalGenerator) {
  const Image img = small_image();
  // np.random.seed(0); np.random.rand(4) = 0.5488, 0.7152, 0.6028, 0.5449: with p = 0.6 the
  // first and the fourth flip
  np::random::seed(0);
  const T::RandomHorizontalFlip flip(0.6);
  std::vector<bool> flipped;
  for (int i = 0; i < 4; ++i) flipped.push_back(flip(img).pixels()[0] == 30);
  EXPECT_EQ(flipped, (std::vector<bool>{true, false, false, true}));
  // arrays: the last axis reversed, exactly
  np::random::seed(0);
  const np::ndarray x = np::arange(6).reshape({1, 2, 3}).astype(np::float32);
  EXPECT_TRUE(array_is(flip.on_arrays()(x), {1, 2, 3}, np::float32, {2, 1, 0, 5, 4, 3}));
  EXPECT_TRUE(array_is(T::RandomHorizontalFlip(0.0).on_arrays()(x), {1, 2, 3}, np::float32, {0, 1, 2, 3, 4, 5}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([] { T::RandomHorizontalFlip(1.5); }, {"p must be in [0, 1]"}));
}

// ===================================== grids ================================================

TEST(Grids, FirstSamplesAsTiles) {
  // three 2x2 grey samples with values 0, 1, 2 (x 100) in a 2 x 2 grid: the fourth tile is black
  const np::ndarray samples = np::array(std::vector<double>{0, 0, 0, 0, 100, 100, 100, 100, 200, 200, 200, 200},
                                        np::Shape{3, 1, 2, 2}).astype(np::uint8);
  const Image grid = dezero::image_grid(samples, 2, 2);
  EXPECT_EQ(grid.mode(), "L");
  EXPECT_TRUE(array_is(grid.to_array(), {4, 4}, np::uint8,
                       {0, 0, 100, 100, 0, 0, 100, 100, 200, 200, 0, 0, 200, 200, 0, 0}));
  // [0, 1] floats with high = 1; colour samples
  const Image colour = dezero::image_grid(np::full({1, 3, 1, 1}, 0.5), 1, 1, 0, 1);
  EXPECT_EQ(colour.mode(), "RGB");
  EXPECT_EQ(colour.pixels(), (std::vector<std::uint8_t>{128, 128, 128}));
  EXPECT_TRUE(throws_with<np::shape_error>([] { dezero::image_grid(np::zeros({2, 2}), 1, 1); }, {"(2, 2)"}));
  // show(): MNIST-like flat samples become squares
  const auto ds = D::Dataset::from_arrays(np::zeros({5, 16}, np::uint8), {});
  const Image shown = D::show(ds, 2, 3);
  EXPECT_EQ(shown.width(), 12);
  EXPECT_EQ(shown.height(), 8);
}

}  // namespace
