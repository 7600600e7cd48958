// dezero::Image::open (the JPEG/PNG checks and stb_image, built instrumented here) on any
// bytes written to a file, then what the book's VGG16 does with a file it reads: preprocess
// (RGB, bicubic resize, BGR, means) and the image transforms. Only ImageError, open's error
// for a bad file, is caught.
#include <cstdint>

#include "dezero/image.hpp"
#include "dezero/models.hpp"
#include "fuzz_common.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  dezero::Image img;
  try {
    img = dezero::Image::open(fuzz::write_scratch(data, size));
  } catch (const dezero::ImageError&) {
    return 0;
  }
  const auto c = img.channels();
  if (img.empty() || c < 1 || c > 4 || img.width() < 1 || img.height() < 1 ||
      img.pixels().size() != static_cast<std::size_t>(img.width() * img.height() * c)) {
    fuzz::violated("Image::open: an image whose size disagrees with its pixels");
  }
  const np::ndarray x = dezero::models::VGG16::preprocess(img, dezero::utils::Pair(8, 12));
  if (x.shape() != np::Shape{3, 8, 12}) fuzz::violated("preprocess: wrong shape", x.shape().str());
  if (img.width() * img.height() <= 4096) {
    const np::ndarray same = dezero::models::VGG16::preprocess(img, std::nullopt, np::float64);
    if (same.shape() != np::Shape{3, img.height(), img.width()}) fuzz::violated("preprocess: wrong shape");
  }
  const dezero::Image grey = img.convert("L").center_crop(5, 3);
  if (grey.channels() != 1 || grey.width() != 5 || grey.height() != 3) fuzz::violated("convert/center_crop");
  const dezero::Image round = dezero::Image::from_chw(img.convert("RGBA").resize(3, 2, dezero::Resample::nearest).to_chw());
  if (round.mode() != "RGBA" || round.width() != 3 || round.height() != 2) fuzz::violated("to_chw/from_chw");
  return 0;
}
