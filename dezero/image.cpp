#include "dezero/image.hpp"

#include <stb_image.h>
#include <stb_image_write.h>

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>

namespace dezero {

namespace {

namespace fs = std::filesystem;

std::int64_t channels_of(const std::string& mode) {
  if (mode == "L") return 1;
  if (mode == "LA") return 2;
  if (mode == "RGB") return 3;
  if (mode == "RGBA") return 4;
  throw std::invalid_argument("Image: unknown mode '" + mode + "' (L, LA, RGB or RGBA)");
}

const char* mode_of(std::int64_t channels) {
  static const char* const modes[] = {"", "L", "LA", "RGB", "RGBA"};
  return modes[channels];
}

ImageError image_error(const fs::path& path, const std::string& why) {
  return ImageError("Image::open: cannot read " + path.string() + ": " + why);
}

std::uint32_t be32(const std::vector<unsigned char>& b, std::size_t i) {
  return static_cast<std::uint32_t>(b[i]) << 24 | static_cast<std::uint32_t>(b[i + 1]) << 16 |
         static_cast<std::uint32_t>(b[i + 2]) << 8 | b[i + 3];
}

// stb_image decodes what it has and fills the rest of a short JPEG with grey, so an image cut
// off in the middle must be recognised here: a PNG's chunks must run up to IEND, a JPEG's
// markers up to EOI.
bool png_complete(const std::vector<unsigned char>& b) {
  std::size_t pos = 8;  // the signature
  while (pos + 12 <= b.size()) {
    const std::size_t length = be32(b, pos);
    if (std::memcmp(&b[pos + 4], "IEND", 4) == 0) return true;
    pos += 12 + length;  // length, type, data, CRC
  }
  return false;
}

// Whether the Huffman tables of a DHT segment [pos, end) hold at most 256 codes each. Debian's
// stb_image (2.27) does not check this and writes past its tables (found by
// tests/fuzz/fuzz_image; later stb_image versions refuse such a table too).
bool jpeg_huffman_ok(const std::vector<unsigned char>& b, std::size_t pos, std::size_t end) {
  while (pos < end) {
    if (pos + 17 > end) return false;
    std::size_t codes = 0;
    for (std::size_t i = 1; i <= 16; ++i) codes += b[pos + i];
    if (codes > 256) return false;
    pos += 17 + codes;
  }
  return true;
}

// *bad_huffman is set when a Huffman table is one that stb_image cannot take safely.
bool jpeg_complete(const std::vector<unsigned char>& b, bool* bad_huffman) {
  std::size_t pos = 2;  // SOI
  while (pos + 1 < b.size()) {
    if (b[pos] != 0xFF) return false;  // markers follow one another outside the scans
    while (pos + 1 < b.size() && b[pos + 1] == 0xFF) ++pos;  // fill bytes
    if (pos + 1 >= b.size()) return false;
    const unsigned char marker = b[pos + 1];
    pos += 2;
    if (marker == 0xD9) return true;                                 // EOI
    if (marker == 0x01 || (marker >= 0xD0 && marker <= 0xD7)) continue;  // no length
    if (pos + 2 > b.size()) return false;
    const std::size_t length = static_cast<std::size_t>(b[pos]) << 8 | b[pos + 1];
    if (marker == 0xC4 && pos + length <= b.size() && length >= 2 &&
        !jpeg_huffman_ok(b, pos + 2, pos + length)) {
      *bad_huffman = true;
    }
    pos += length;
    if (pos > b.size()) return false;
    if (marker == 0xDA) {
      // The entropy-coded data of a scan: 0xFF in it is followed by 0 (a stuffed byte) or a
      // restart marker; anything else is the next marker.
      while (pos + 1 < b.size() &&
             !(b[pos] == 0xFF && b[pos + 1] != 0 && !(b[pos + 1] >= 0xD0 && b[pos + 1] <= 0xD7))) {
        ++pos;
      }
    }
  }
  return false;
}

// --- resampling (after Pillow's Resample.c) --------------------------------------------------

struct Filter {
  double support;
  double (*weight)(double);
};

double triangle(double x) {
  x = std::abs(x);
  return x < 1.0 ? 1.0 - x : 0.0;
}

double cubic(double x) {  // Keys' cubic with a = -0.5, as Pillow's bicubic
  const double a = -0.5;
  x = std::abs(x);
  if (x < 1.0) return ((a + 2.0) * x - (a + 3.0)) * x * x + 1.0;
  if (x < 2.0) return (((x - 5.0) * x + 8.0) * x - 4.0) * a;
  return 0.0;
}

// For every output position, the first input position and the normalised weights of the
// inputs from there on: the filter centred on the output pixel's centre, stretched by the
// scale when shrinking.
struct Taps {
  std::vector<std::int64_t> first;
  std::vector<std::vector<double>> weights;
};

Taps taps(std::int64_t in_size, std::int64_t out_size, const Filter& filter) {
  const double scale = static_cast<double>(in_size) / static_cast<double>(out_size);
  const double filter_scale = std::max(scale, 1.0);
  const double support = filter.support * filter_scale;
  Taps t;
  for (std::int64_t x = 0; x < out_size; ++x) {
    const double center = (static_cast<double>(x) + 0.5) * scale;
    const std::int64_t lo = std::max<std::int64_t>(static_cast<std::int64_t>(center - support + 0.5), 0);
    const std::int64_t hi = std::min<std::int64_t>(static_cast<std::int64_t>(center + support + 0.5), in_size);
    std::vector<double> w;
    double total = 0.0;
    for (std::int64_t i = lo; i < hi; ++i) {
      w.push_back(filter.weight((static_cast<double>(i) - center + 0.5) / filter_scale));
      total += w.back();
    }
    if (total != 0.0) {
      for (double& v : w) v /= total;
    }
    t.first.push_back(lo);
    t.weights.push_back(std::move(w));
  }
  return t;
}

std::uint8_t clip8(double v) {
  return static_cast<std::uint8_t>(std::clamp(std::floor(v + 0.5), 0.0, 255.0));
}

}  // namespace

// ===================================== Image ================================================

Image::Image(const std::string& mode, std::int64_t width, std::int64_t height)
    : mode_(mode), width_(width), height_(height), channels_(channels_of(mode)) {
  if (width < 0 || height < 0) {
    throw std::invalid_argument("Image: the size (" + std::to_string(width) + ", " +
                                std::to_string(height) + ") must not be negative");
  }
  pixels_.assign(static_cast<std::size_t>(width * height * channels_), 0);
}

Image Image::open(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    throw image_error(path, fs::exists(path) ? std::strerror(errno) : "no such file");
  }
  std::vector<unsigned char> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw image_error(path, "a read error");
  const bool is_png = bytes.size() >= 8 && std::memcmp(bytes.data(), "\x89PNG\r\n\x1a\n", 8) == 0;
  const bool is_jpeg = bytes.size() >= 3 && bytes[0] == 0xFF && bytes[1] == 0xD8 && bytes[2] == 0xFF;
  if (!is_png && !is_jpeg) {
    throw image_error(path, bytes.empty() ? "the file is empty" : "not a JPEG or PNG image");
  }
  bool bad_huffman = false;
  if (is_png ? !png_complete(bytes) : !jpeg_complete(bytes, &bad_huffman)) {
    throw image_error(path, std::string("the ") + (is_png ? "PNG" : "JPEG") +
                                " data is truncated (it ends before its last " +
                                (is_png ? "chunk, IEND)" : "marker, EOI)"));
  }
  if (bad_huffman) {
    throw image_error(path, "corrupt JPEG data (a Huffman table (DHT) with more than 256 codes)");
  }
  int w = 0, h = 0, n = 0;
  unsigned char* data =
      stbi_load_from_memory(bytes.data(), static_cast<int>(bytes.size()), &w, &h, &n, 0);
  if (!data) {
    throw image_error(path, std::string("corrupt ") + (is_png ? "PNG" : "JPEG") + " data (" +
                                stbi_failure_reason() + ")");
  }
  Image img;
  img.mode_ = mode_of(n);
  img.width_ = w;
  img.height_ = h;
  img.channels_ = n;
  img.pixels_.assign(data, data + static_cast<std::size_t>(w) * h * n);
  stbi_image_free(data);
  return img;
}

Image Image::from_array(const np::ndarray& pixels) {
  if (!pixels.defined() || pixels.dtype() != np::uint8) {
    throw np::dtype_error("Image::from_array: the pixels must be uint8, not " +
                          std::string(pixels.defined() ? np::dtype_name(pixels.dtype()) : "None"));
  }
  const np::Shape& s = pixels.shape();
  if (!(s.ndim() == 2 || (s.ndim() == 3 && s[2] >= 1 && s[2] <= 4))) {
    throw np::shape_error("Image::from_array: the pixels " + s.str() +
                          " must be (H, W) or (H, W, C) with C from 1 to 4");
  }
  Image img(mode_of(s.ndim() == 2 ? 1 : s[2]), s[1], s[0]);
  std::copy_n(pixels.data<std::uint8_t>(), pixels.size(), img.pixels_.begin());
  return img;
}

Image Image::from_chw(const np::ndarray& chw) {
  if (!chw.defined() || chw.ndim() != 3) {
    throw np::shape_error("Image::from_chw: the array " + (chw.defined() ? chw.shape().str() : "None") +
                          " must be (C, H, W)");
  }
  const np::ndarray hwc = np::clip(np::transpose(chw, std::vector<int>{1, 2, 0}).astype(np::float64),
                                   np::ndarray(0.0), np::ndarray(255.0));
  np::ndarray rounded(hwc.shape(), np::uint8);
  const auto values = hwc.to_vector<double>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    rounded.data<std::uint8_t>()[i] = static_cast<std::uint8_t>(std::floor(values[i] + 0.5));
  }
  return from_array(chw.shape()[0] == 1 ? rounded.reshape({chw.shape()[1], chw.shape()[2]}) : rounded);
}

np::ndarray Image::to_array(np::DType dtype) const {
  const np::Shape shape = channels_ == 1 ? np::Shape{height_, width_} : np::Shape{height_, width_, channels_};
  np::ndarray a(shape, np::uint8);
  std::copy(pixels_.begin(), pixels_.end(), a.data<std::uint8_t>());
  return dtype == np::uint8 ? a : a.astype(dtype);
}

np::ndarray Image::to_chw(np::DType dtype) const {
  return to_array(np::uint8).reshape({height_, width_, channels_}).transpose({2, 0, 1}).astype(dtype);
}

Image Image::convert(const std::string& mode) const {
  if (mode == mode_) return *this;
  const bool bgr = mode == "BGR";
  const std::string target = bgr ? "RGB" : mode;
  Image out(target, width_, height_);
  const std::int64_t n = width_ * height_, cin = channels_, cout = out.channels_;
  for (std::int64_t i = 0; i < n; ++i) {
    const std::uint8_t* p = &pixels_[static_cast<std::size_t>(i * cin)];
    std::uint8_t* q = &out.pixels_[static_cast<std::size_t>(i * cout)];
    // the colour (r, g, b) and alpha of this pixel
    const std::uint8_t r = p[0], g = cin >= 3 ? p[1] : p[0], b = cin >= 3 ? p[2] : p[0];
    const std::uint8_t a = cin == 2 ? p[1] : cin == 4 ? p[3] : 255;
    if (cout == 1 || cout == 2) {
      // PIL's L = (19595 R + 38470 G + 7471 B + 2^15) >> 16
      q[0] = cin >= 3 ? static_cast<std::uint8_t>((19595u * r + 38470u * g + 7471u * b + 0x8000u) >> 16) : r;
      if (cout == 2) q[1] = a;
    } else {
      q[0] = bgr ? b : r;
      q[1] = g;
      q[2] = bgr ? r : b;
      if (cout == 4) q[3] = a;
    }
  }
  return out;
}

Image Image::resize(std::int64_t width, std::int64_t height, Resample resample) const {
  if (width < 1 || height < 1) {
    throw std::invalid_argument("Image::resize: the size (" + std::to_string(width) + ", " +
                                std::to_string(height) + ") must be positive");
  }
  if (empty()) throw std::invalid_argument("Image::resize: the image is empty");
  if (width == width_ && height == height_) return *this;
  const std::int64_t C = channels_;
  if (resample == Resample::nearest) {
    Image out(mode_, width, height);
    for (std::int64_t y = 0; y < height; ++y) {
      const std::int64_t sy = std::min(height_ - 1, static_cast<std::int64_t>((y + 0.5) * height_ / height));
      for (std::int64_t x = 0; x < width; ++x) {
        const std::int64_t sx = std::min(width_ - 1, static_cast<std::int64_t>((x + 0.5) * width_ / width));
        std::copy_n(&pixels_[static_cast<std::size_t>((sy * width_ + sx) * C)], C,
                    &out.pixels_[static_cast<std::size_t>((y * width + x) * C)]);
      }
    }
    return out;
  }
  const Filter filter = resample == Resample::bilinear ? Filter{1.0, triangle} : Filter{2.0, cubic};
  // Horizontal pass into 8 bits, then vertical, as Pillow does.
  Image mid(mode_, width, height_);
  if (width == width_) {
    mid.pixels_ = pixels_;
  } else {
    const Taps t = taps(width_, width, filter);
    for (std::int64_t y = 0; y < height_; ++y) {
      for (std::int64_t x = 0; x < width; ++x) {
        const auto& w = t.weights[static_cast<std::size_t>(x)];
        for (std::int64_t c = 0; c < C; ++c) {
          double sum = 0.0;
          for (std::size_t k = 0; k < w.size(); ++k) {
            sum += w[k] * pixels_[static_cast<std::size_t>((y * width_ + t.first[x] + static_cast<std::int64_t>(k)) * C + c)];
          }
          mid.pixels_[static_cast<std::size_t>((y * width + x) * C + c)] = clip8(sum);
        }
      }
    }
  }
  if (height == height_) return mid;
  Image out(mode_, width, height);
  const Taps t = taps(height_, height, filter);
  for (std::int64_t y = 0; y < height; ++y) {
    const auto& w = t.weights[static_cast<std::size_t>(y)];
    for (std::int64_t x = 0; x < width * C; ++x) {
      double sum = 0.0;
      for (std::size_t k = 0; k < w.size(); ++k) {
        sum += w[k] * mid.pixels_[static_cast<std::size_t>((t.first[y] + static_cast<std::int64_t>(k)) * width * C + x)];
      }
      out.pixels_[static_cast<std::size_t>(y * width * C + x)] = clip8(sum);
    }
  }
  return out;
}

Image Image::crop(std::int64_t left, std::int64_t upper, std::int64_t right,
                  std::int64_t lower) const {
  if (right < left || lower < upper) {
    throw std::invalid_argument("Image::crop: the box (" + std::to_string(left) + ", " +
                                std::to_string(upper) + ", " + std::to_string(right) + ", " +
                                std::to_string(lower) + ") has a negative size");
  }
  Image out(mode_.empty() ? "RGB" : mode_, right - left, lower - upper);
  const std::int64_t C = out.channels_;
  for (std::int64_t y = upper; y < lower; ++y) {
    if (y < 0 || y >= height_) continue;
    for (std::int64_t x = left; x < right; ++x) {
      if (x < 0 || x >= width_) continue;
      std::copy_n(&pixels_[static_cast<std::size_t>((y * width_ + x) * C)], C,
                  &out.pixels_[static_cast<std::size_t>(((y - upper) * out.width_ + x - left) * C)]);
    }
  }
  return out;
}

Image Image::center_crop(std::int64_t width, std::int64_t height) const {
  // The book's arithmetic: the odd pixel goes to the right and bottom margins.
  auto floor_half = [](std::int64_t d) { return d >= 0 ? d / 2 : -((-d + 1) / 2); };
  const std::int64_t left = floor_half(width_ - width), up = floor_half(height_ - height);
  return crop(left, up, left + width, up + height);
}

Image Image::flip_left_right() const {
  Image out = *this;
  const auto row = static_cast<std::size_t>(width_ * channels_);
  for (std::int64_t y = 0; y < height_; ++y) {
    const std::uint8_t* src = pixels_.data() + static_cast<std::size_t>(y) * row;
    std::uint8_t* dst = out.pixels_.data() + static_cast<std::size_t>(y) * row;
    for (std::int64_t x = 0; x < width_; ++x) {
      std::copy_n(src + (width_ - 1 - x) * channels_, channels_, dst + x * channels_);
    }
  }
  return out;
}

Image image_grid(const np::ndarray& samples, std::int64_t rows, std::int64_t cols, double low,
                 double high) {
  const np::Shape& s = samples.shape();
  const bool chw = samples.defined() && samples.ndim() == 4 && (s[1] == 1 || s[1] == 3);
  if (!samples.defined() || !(samples.ndim() == 3 || chw)) {
    throw np::shape_error("image_grid: samples must be (N, H, W), (N, 1, H, W) or (N, 3, H, W), not " +
                          (samples.defined() ? s.str() : std::string("None")));
  }
  if (rows <= 0 || cols <= 0 || !(high > low)) {
    throw std::invalid_argument(np::detail::msg("image_grid: ", rows, " x ", cols,
                                                " tiles over values [", low, ", ", high,
                                                "]: need positive counts and high > low"));
  }
  const std::int64_t n = std::min(s[0], rows * cols);
  const std::int64_t c = chw ? s[1] : 1, h = s[s.size() - 2], w = s[s.size() - 1];
  Image out(c == 1 ? "L" : "RGB", cols * w, rows * h);
  np::ndarray grid = out.to_array();
  auto* dst = grid.data<std::uint8_t>();
  const std::vector<double> values =
      samples[{np::slice(0, n)}].astype(np::float64).to_vector<double>();
  const double scale = 255.0 / (high - low);
  for (std::int64_t i = 0; i < n; ++i) {
    const std::int64_t top = i / cols * h, left = i % cols * w;
    for (std::int64_t ch = 0; ch < c; ++ch) {
      for (std::int64_t y = 0; y < h; ++y) {
        for (std::int64_t x = 0; x < w; ++x) {
          double v = (values[static_cast<std::size_t>(((i * c + ch) * h + y) * w + x)] - low) * scale;
          if (std::isnan(v)) v = 0;
          dst[((top + y) * cols * w + left + x) * c + ch] =
              static_cast<std::uint8_t>(std::floor(std::clamp(v, 0.0, 255.0) + 0.5));
        }
      }
    }
  }
  return Image::from_array(grid);
}

void Image::save(const fs::path& path) const {
  if (empty()) throw ImageError("Image::save: the image is empty; nothing written to " + path.string());
  std::string ext = path.extension().string();
  std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  const int w = static_cast<int>(width_), h = static_cast<int>(height_), n = static_cast<int>(channels_);
  // encoded in memory and written atomically: a reader never sees half a PNG
  std::string bytes;
  auto append = [](void* context, void* data, int size) {
    static_cast<std::string*>(context)->append(static_cast<const char*>(data), static_cast<std::size_t>(size));
  };
  const int ok = ext == ".jpg" || ext == ".jpeg"
                     ? stbi_write_jpg_to_func(append, &bytes, w, h, n, pixels_.data(), 95)
                     : stbi_write_png_to_func(append, &bytes, w, h, n, pixels_.data(), w * n);
  if (!ok) throw ImageError("Image::save: cannot encode " + path.string());
  try {
    np::write_file_atomically(path, bytes, "Image::save");
  } catch (const np::io_error& e) {
    throw ImageError(std::string("Image::save: cannot write ") + path.string() + ": " + e.what());
  }
}

}  // namespace dezero
