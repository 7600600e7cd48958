// utils::Plot's regions and markers (step 48's picture), looked at in the PNG gnuplot draws.
#include <gtest/gtest.h>

#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/dezero/helpers.hpp"

namespace {

namespace fs = std::filesystem;
using dztest::throws_with;

// ===================================== Plot: regions and markers ============================

// A PNG decoder for what gnuplot's pngcairo writes (8-bit RGB or RGBA, not interlaced), to
// look at the colours of the drawn picture.
struct Image {
  std::uint32_t width = 0, height = 0;
  int channels = 0;
  std::vector<unsigned char> pixels;
  std::string rgb(std::uint32_t x, std::uint32_t y) const {
    const unsigned char* p = &pixels[(static_cast<std::size_t>(y) * width + x) * channels];
    char buf[8];
    std::snprintf(buf, sizeof buf, "#%02x%02x%02x", p[0], p[1], p[2]);
    return buf;
  }
};

Image read_png(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  const std::string bytes((std::istreambuf_iterator<char>(in)), {});
  Image img;
  if (bytes.size() < 8 || bytes.compare(0, 8, "\x89PNG\r\n\x1a\n") != 0) return img;
  auto u32 = [&](std::size_t at) {
    std::uint32_t v = 0;
    for (std::size_t i = 0; i < 4; ++i) v = v << 8 | static_cast<unsigned char>(bytes[at + i]);
    return v;
  };
  std::string idat;
  int color_type = 0;
  for (std::size_t pos = 8; pos + 8 <= bytes.size();) {
    const std::uint32_t n = u32(pos);
    const std::string type = bytes.substr(pos + 4, 4);
    if (type == "IHDR") {
      img.width = u32(pos + 8);
      img.height = u32(pos + 12);
      color_type = static_cast<unsigned char>(bytes[pos + 17]);
      if (bytes[pos + 16] != 8 || bytes[pos + 20] != 0) return {};
    } else if (type == "IDAT") {
      idat += bytes.substr(pos + 8, n);
    }
    pos += 12 + n;
  }
  img.channels = color_type == 6 ? 4 : color_type == 2 ? 3 : 0;
  if (!img.channels) return {};
  const std::size_t stride = img.width * img.channels;
  std::vector<unsigned char> raw((stride + 1) * img.height);
  uLongf raw_size = raw.size();
  if (uncompress(raw.data(), &raw_size, reinterpret_cast<const Bytef*>(idat.data()), idat.size()) !=
      Z_OK) {
    return {};
  }
  img.pixels.assign(stride * img.height, 0);
  const int bpp = img.channels;
  for (std::uint32_t y = 0; y < img.height; ++y) {
    const unsigned char filter = raw[y * (stride + 1)];
    const unsigned char* src = &raw[y * (stride + 1) + 1];
    unsigned char* row = &img.pixels[y * stride];
    const unsigned char* up = y ? &img.pixels[(y - 1) * stride] : nullptr;
    for (std::size_t i = 0; i < stride; ++i) {
      const int a = i >= static_cast<std::size_t>(bpp) ? row[i - bpp] : 0;
      const int b = up ? up[i] : 0;
      const int c = up && i >= static_cast<std::size_t>(bpp) ? up[i - bpp] : 0;
      int pred = 0;
      switch (filter) {
        case 1: pred = a; break;
        case 2: pred = b; break;
        case 3: pred = (a + b) / 2; break;
        case 4: {
          const int p = a + b - c, pa = std::abs(p - a), pb = std::abs(p - b), pc = std::abs(p - c);
          pred = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default: break;
      }
      row[i] = static_cast<unsigned char>(src[i] + pred);
    }
  }
  return img;
}

bool on_path(const std::string& program) {
  const char* path = std::getenv("PATH");
  std::istringstream dirs(path ? path : "");
  for (std::string dir; std::getline(dirs, dir, ':');) {
    if (!dir.empty() && access((fs::path(dir) / program).c_str(), X_OK) == 0) return true;
  }
  return false;
}

// Three classes on a 4 x 3 grid: class = column, except the top row, which is all class 2.
dezero::utils::Plot regions_plot() {
  const np::ndarray xs = np::array({0.0, 1.0, 2.0, 3.0});
  const np::ndarray ys = np::array({0.0, 0.5, 1.0});
  const np::ndarray z = np::array({{0, 0, 1, 1}, {0, 0, 1, 1}, {2, 2, 2, 2}});
  dezero::utils::Plot plot;
  plot.regions(xs, ys, z);
  plot.scatter(np::array({0.5}), np::array({0.25})).marker("x").color("blue");
  plot.scatter(np::array({2.5}), np::array({0.25})).marker("^", 2.0);
  return plot;
}

TEST(PlotRegions, ScriptHasOneFlatColourPerClass) {
  const std::string gp = regions_plot().script("r.png");
  EXPECT_NE(gp.find("set palette defined (-0.5 \"#48186a\", 0.5 \"#48186a\", 0.5 \"#26828e\", "
                    "1.5 \"#26828e\", 1.5 \"#d8e219\", 2.5 \"#d8e219\")"),
            std::string::npos)
      << gp;
  EXPECT_NE(gp.find("set cbrange [-0.5:2.5]"), std::string::npos);
  EXPECT_NE(gp.find("$regions << EOD\n0 0 1 1\n0 0 1 1\n2 2 2 2\nEOD\n"), std::string::npos);
  EXPECT_NE(gp.find("plot $regions matrix using (0 + $1 * 1):(0 + $2 * 0.5):3 with image notitle, "),
            std::string::npos);
  EXPECT_NE(gp.find("with points pointtype 2 pointsize 1.2 linewidth 2 linecolor rgb \"blue\""),
            std::string::npos);
  EXPECT_NE(gp.find("with points pointtype 9 pointsize 1.6 notitle"), std::string::npos);
  EXPECT_NE(gp.find("set offsets 0, 0, 0, 0"), std::string::npos);
}

TEST(PlotRegions, DrawsTheClassColours) {
  if (!on_path("gnuplot")) GTEST_SKIP() << "gnuplot is not installed (apt-get install gnuplot-nox)";
  const fs::path dir = fs::temp_directory_path() / ("dezero_regions_" + std::to_string(getpid()));
  fs::create_directories(dir);
  const fs::path png = dir / "regions.png";
  regions_plot().save(png.string());
  const Image img = read_png(png);
  fs::remove_all(dir);
  ASSERT_EQ(img.width, 800u);
  ASSERT_EQ(img.height, 600u);
  // Find the plotted area (non-white, non-black pixels of the region colours) and look at
  // the middle of each class's cells.
  std::uint32_t left = img.width, right = 0, top = img.height, bottom = 0;
  for (std::uint32_t y = 0; y < img.height; ++y) {
    for (std::uint32_t x = 0; x < img.width; ++x) {
      if (img.rgb(x, y) == "#48186a" || img.rgb(x, y) == "#d8e219") {
        left = std::min(left, x), right = std::max(right, x);
        top = std::min(top, y), bottom = std::max(bottom, y);
      }
    }
  }
  ASSERT_LT(left, right);
  ASSERT_LT(top, bottom);
  auto at = [&](double fx, double fy) {  // fractions of the area, from the bottom left
    return img.rgb(left + static_cast<std::uint32_t>(fx * (right - left)),
                   bottom - static_cast<std::uint32_t>(fy * (bottom - top)));
  };
  EXPECT_EQ(at(0.05, 0.05), "#48186a");  // class 0: bottom left
  EXPECT_EQ(at(0.95, 0.05), "#26828e");  // class 1: bottom right
  EXPECT_EQ(at(0.5, 0.95), "#d8e219");   // class 2: the top row
}

TEST(PlotRegions, BadInput) {
  dezero::utils::Plot plot;
  const np::ndarray xs = np::array({0.0, 1.0}), ys = np::array({0.0, 1.0, 2.0});
  EXPECT_TRUE(throws_with<np::shape_error>([&] { plot.regions(xs, ys, np::zeros({2, 3}, np::int64)); },
                                           {"Plot::regions", "(2, 3)", "(3, 2)"}));
  EXPECT_TRUE(throws_with<np::dtype_error>([&] { plot.regions(xs, ys, np::zeros({3, 2})); },
                                           {"Plot::regions", "float64"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>(
      [&] { plot.regions(xs, ys, np::full({3, 2}, 4, np::int64)); }, {"5 classes", "0 colours"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.marker("x"); }, {"Plot::marker"}));
  plot.scatter(xs, xs);
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.marker("*"); }, {"unknown marker"}));
  EXPECT_TRUE(throws_with<std::invalid_argument>([&] { plot.marker("o", 0); }, {"scale", "positive"}));
}

}  // namespace
