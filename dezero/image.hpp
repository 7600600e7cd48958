// dezero/image: 8-bit images read from JPEG and PNG files, in place of the PIL images the
// book's VGG16.preprocess and image transforms work on:
//
//   dezero::Image img = dezero::Image::open("zebra.jpg");   // PIL's Image.open
//   auto x = dezero::models::VGG16::preprocess(img);         // (3, 224, 224) float32
//
// Decoding is Debian's stb_image (libstb-dev); resizing is written here, after Pillow's
// resampling (a separable filter, widened when shrinking so that every input pixel counts).
// The book's image transforms are methods: Convert is convert(), Resize is resize(..,
// Resample::bilinear), CenterCrop is center_crop(), ToArray is to_chw(), ToPIL is from_chw().
#pragma once

#include <cstdint>
#include <filesystem>
#include <stdexcept>
#include <string>
#include <vector>

#include "np/np.hpp"

namespace dezero {

// A file that cannot be read as an image (missing, unreadable, truncated, not a JPEG or PNG);
// what() names the file and the reason.
struct ImageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Pillow's resampling filters.
enum class Resample { nearest, bilinear, bicubic };

// Pixels (height, width, channels) of uint8, rows from the top, channels interleaved. The mode
// says what the channels are, as PIL's: "L" (grey), "LA" (grey and alpha), "RGB", "RGBA".
class Image {
 public:
  // An image of no pixels.
  Image() = default;
  // A black (zero) image, PIL's Image.new(mode, (width, height)).
  Image(const std::string& mode, std::int64_t width, std::int64_t height);

  // Reads a JPEG or PNG file of any size. ImageError naming the file when it is missing or
  // unreadable, is not a JPEG or PNG, or is truncated or corrupt.
  static Image open(const std::filesystem::path& path);
  // From np.asarray's layout: (H, W) uint8 is "L", (H, W, 2) "LA", (H, W, 3) "RGB",
  // (H, W, 4) "RGBA" (PIL's Image.fromarray); another dtype or shape is an error.
  static Image from_array(const np::ndarray& pixels);
  // From a channels-first array (C, H, W) with values in [0, 255] (the book's ToPIL):
  // rounded and clipped to uint8.
  static Image from_chw(const np::ndarray& chw);

  const std::string& mode() const { return mode_; }
  std::int64_t width() const { return width_; }
  std::int64_t height() const { return height_; }
  std::int64_t channels() const { return channels_; }
  bool empty() const { return pixels_.empty(); }
  const std::vector<std::uint8_t>& pixels() const { return pixels_; }

  // np.asarray(image, dtype): (H, W, C), or (H, W) for "L".
  np::ndarray to_array(np::DType dtype = np::uint8) const;
  // (C, H, W) in dtype (the book's ToArray).
  np::ndarray to_chw(np::DType dtype = np::float32) const;

  // PIL's convert: to "L" (ITU-R 601 luma, PIL's integer formula), "RGB" (grey replicated,
  // alpha dropped), "RGBA" (opaque alpha added), or "BGR" (the book's Convert('BGR'): an RGB
  // image with red and blue swapped).
  Image convert(const std::string& mode) const;
  // PIL's resize to (width, height) with the given filter; Pillow's default is bicubic.
  Image resize(std::int64_t width, std::int64_t height, Resample resample = Resample::bicubic) const;
  // PIL's crop to the box [left, right) x [upper, lower); parts outside the image are black.
  Image crop(std::int64_t left, std::int64_t upper, std::int64_t right, std::int64_t lower) const;
  // The central width x height part (the book's CenterCrop, with its floor divisions: the odd
  // pixel goes to the right and bottom margins, also when the part is larger than the image).
  Image center_crop(std::int64_t width, std::int64_t height) const;
  // PIL's transpose(FLIP_LEFT_RIGHT): the mirror image, columns in reverse order.
  Image flip_left_right() const;

  // Writes a PNG (or a JPEG, for a .jpg/.jpeg name); ImageError naming the file on failure.
  void save(const std::filesystem::path& path) const;

 private:
  std::string mode_;
  std::int64_t width_ = 0, height_ = 0, channels_ = 0;
  std::vector<std::uint8_t> pixels_;
};

// Samples (N, H, W), (N, 1, H, W) or (N, 3, H, W) as one picture of rows x cols tiles, filled
// row by row (sample i at tile row i / cols), for grids of data or of generated images; tiles
// without a sample stay black, samples beyond rows x cols are left out. Values in [low, high]
// map linearly onto 0..255 and are rounded and clipped (the default takes 0..255 data as it is;
// [0, 1] images need high = 1).
Image image_grid(const np::ndarray& samples, std::int64_t rows, std::int64_t cols,
                 double low = 0, double high = 255);

}  // namespace dezero
