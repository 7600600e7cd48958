// Images (dezero/image: dezero::Image, decoding, resizing, conversions) against
// hand-computed pixels.
#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace fs = std::filesystem;
using dezero::Image;
using dezero::ImageError;
using dezero::Resample;
using dztest::array_is;
using dztest::arrays_near;
using dztest::Cnn;
using dztest::throws_with;

// ===================================== images ===============================================

np::ndarray pattern(std::int64_t h, std::int64_t w, std::int64_t c) {
  std::vector<std::uint8_t> v;
  for (std::int64_t i = 0; i < h * w * c; ++i) v.push_back(static_cast<std::uint8_t>((i * 37) % 256));
  return np::array(v, np::Shape{h, w, c});
}

void write_bytes(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}
std::string read_bytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

TEST_F(Cnn, PngAndJpegRoundTrips) {
  for (std::int64_t c : {1, 3, 4}) {
    const np::ndarray px = pattern(7, 5, c);
    const Image img = Image::from_array(c == 1 ? px.reshape({7, 5}) : px);
    std::string name(1, 'p');
    name += std::to_string(c);
    const fs::path png = dir_ / (name + ".png");
    img.save(png);
    const Image back = Image::open(png);
    EXPECT_EQ(back.mode(), c == 1 ? "L" : c == 3 ? "RGB" : "RGBA");
    EXPECT_EQ(back.width(), 5);
    EXPECT_EQ(back.height(), 7);
    EXPECT_TRUE(arrays_near(back.to_array(), img.to_array(), 0.0));
  }
  // JPEG is lossy: a smooth image comes back close
  Image smooth("RGB", 64, 48);
  np::ndarray a = smooth.to_array();
  for (std::int64_t i = 0; i < a.size(); ++i) a.set_flat(i, static_cast<double>((i / 3) % 64 * 3));
  const fs::path jpg = dir_ / "smooth.jpg";
  Image::from_array(a).save(jpg);
  const Image back = Image::open(jpg);
  EXPECT_EQ(back.mode(), "RGB");
  EXPECT_EQ(back.width(), 64);
  const np::ndarray diff = np::abs(back.to_array(np::float64) - a.astype(np::float64));
  EXPECT_LT(diff.mean().item(), 4.0);
}

TEST_F(Cnn, UnreadableImagesNameTheFile) {
  const Image img = Image::from_array(pattern(16, 16, 3));
  img.save(dir_ / "ok.png");
  img.save(dir_ / "ok.jpg");
  const std::string png = read_bytes(dir_ / "ok.png"), jpg = read_bytes(dir_ / "ok.jpg");
  write_bytes(dir_ / "cut.png", png.substr(0, png.size() / 2));
  write_bytes(dir_ / "cut.jpg", jpg.substr(0, jpg.size() - 40));
  write_bytes(dir_ / "notes.txt", "not an image at all\n");
  write_bytes(dir_ / "empty.png", "");
  std::string bad = png;
  for (std::size_t i = 40; i < bad.size() - 20; ++i) bad[i] = static_cast<char>(i * 7);  // IDAT garbage
  write_bytes(dir_ / "garbled.png", bad);
  const auto fails = [&](const std::string& name, const std::string& why) {
    const std::string path = (dir_ / name).string();
    return throws_with<ImageError>([&] { Image::open(dir_ / name); }, {"Image::open", path, why});
  };
  EXPECT_TRUE(fails("cut.png", "truncated"));
  EXPECT_TRUE(fails("cut.jpg", "truncated"));
  EXPECT_TRUE(fails("notes.txt", "not a JPEG or PNG"));
  EXPECT_TRUE(fails("empty.png", "empty"));
  EXPECT_TRUE(fails("garbled.png", "corrupt PNG"));
  EXPECT_TRUE(fails("absent.jpg", "no such file"));
  // the good ones read
  EXPECT_EQ(Image::open(dir_ / "ok.jpg").width(), 16);
}

TEST_F(Cnn, ResizeLikePillow) {
  // bilinear, shrinking 4 -> 2: the triangle widened to two pixels on each side
  const Image row = Image::from_array(np::array({{0, 100, 200, 255}}, np::uint8));
  // (0 .75 + 100 .75 + 200 .25) / 1.75 = 71.4 and (100 .25 + 200 .75 + 255 .75) / 1.75 = 209.3
  EXPECT_TRUE(array_is(row.resize(2, 1, Resample::bilinear).to_array(), {1, 2}, np::uint8, {71, 209}));
  // enlarging 2 -> 4: plain linear interpolation between pixel centres
  const Image two = Image::from_array(np::array({{0, 200}}, np::uint8));
  EXPECT_TRUE(array_is(two.resize(4, 1, Resample::bilinear).to_array(), {1, 4}, np::uint8,
                       {0, 50, 150, 200}));
  // bicubic (Keys, a = -0.5): at the outer samples the weights k(0.25) = 0.8672 and
  // k(1.25) = -0.0703 normalise to 1.0882 and -0.0882: 200 (-0.0882) is clipped to 0 on the
  // left, 200 (1.0882) = 217.6 overshoots on the right; inside, k(0.25) and k(0.75) = 0.2266
  // give 200 (0.2266 / 1.0938) = 41.4 and 200 (0.8672 / 1.0938) = 158.6
  EXPECT_TRUE(array_is(two.resize(4, 1, Resample::bicubic).to_array(), {1, 4}, np::uint8,
                       {0, 41, 159, 218}));
  EXPECT_TRUE(array_is(two.resize(4, 1, Resample::nearest).to_array(), {1, 4}, np::uint8,
                       {0, 0, 200, 200}));
  // a constant image stays constant at any size; both axes
  const Image flat = Image::from_array(np::full({9, 13, 3}, 77, np::uint8));
  const Image r = flat.resize(224, 224);
  EXPECT_EQ(r.width(), 224);
  EXPECT_EQ(r.height(), 224);
  EXPECT_TRUE(np::all(r.to_array() == np::ndarray(77)));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { flat.resize(0, 3); }, {"resize", "(0, 3)"}));
}

TEST_F(Cnn, ConvertCropAndArrays) {
  const Image rgb = Image::from_array(np::array({{{255, 0, 0}, {0, 255, 0}, {10, 20, 30}}}, np::uint8));
  // PIL's luma: (19595 R + 38470 G + 7471 B + 32768) >> 16
  EXPECT_TRUE(array_is(rgb.convert("L").to_array(), {1, 3}, np::uint8, {76, 150, 18}));
  EXPECT_TRUE(array_is(rgb.convert("BGR").to_array(), {1, 3, 3}, np::uint8,
                       {0, 0, 255, 0, 255, 0, 30, 20, 10}));
  EXPECT_TRUE(array_is(rgb.convert("RGBA").to_array(), {1, 3, 4}, np::uint8,
                       {255, 0, 0, 255, 0, 255, 0, 255, 10, 20, 30, 255}));
  EXPECT_TRUE(array_is(Image::from_array(np::array({{5, 6}}, np::uint8)).convert("RGB").to_array(),
                       {1, 2, 3}, np::uint8, {5, 5, 5, 6, 6, 6}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { rgb.convert("CMYK"); }, {"CMYK"}));
  // crop and the book's CenterCrop (the odd pixel to the right)
  const Image img = Image::from_array(np::arange(20).astype(np::uint8).reshape({4, 5}));
  EXPECT_TRUE(array_is(img.center_crop(2, 2).to_array(), {2, 2}, np::uint8, {6, 7, 11, 12}));
  EXPECT_TRUE(array_is(img.crop(3, 2, 6, 3).to_array(), {1, 3}, np::uint8, {13, 14, 0}));
  // ToArray / ToPIL
  const np::ndarray chw = rgb.to_chw();
  EXPECT_TRUE(array_is(chw, {3, 1, 3}, np::float32, {255, 0, 10, 0, 255, 20, 0, 0, 30}));
  EXPECT_TRUE(arrays_near(Image::from_chw(chw).to_array(), rgb.to_array(), 0.0));
  EXPECT_TRUE(throws_with<np::dtype_error>([] { Image::from_array(np::ones({2, 2})); },
                                           {"from_array", "uint8", "float64"}));
  EXPECT_TRUE(throws_with<np::shape_error>([] { Image::from_array(np::ones({2, 2, 5}, np::uint8)); },
                                           {"from_array", "(2, 2, 5)"}));
}

}  // namespace
