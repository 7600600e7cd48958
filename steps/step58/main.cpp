// Step 58: a representative CNN, VGG16.
//
// The book's VGG16 with its pretrained weights classifies a photograph of a zebra: the image
// is read, resized to 224 x 224 and turned into a (1, 3, 224, 224) BGR batch with the ImageNet
// means subtracted, the network's 1000 scores are computed in test mode (no dropout), and the
// best one's class name is printed. The model also draws its own graph (vgg.png, vgg.dot).
//
//   step58 [image.jpg|image.png]    classify that image (default: zebra.jpg in the data cache)
//   step58 --random-weights [image] random weights and, without an image, a generated one:
//                                    checks the whole pipeline without the 528 MB of weights
//
// The weights (vgg16.npz) and the zebra are fetched into the data cache (~/.dezero, or
// $DEZERO_HOME) as the book does, downloaded when missing. When a file can be neither found nor
// downloaded, the step says which file, where it looked and where to get it, and exits with
// status 77 ("skipped").
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <optional>
#include <string>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Image;
using dezero::Variable;
using dezero::models::VGG16;
namespace fs = std::filesystem;
namespace utils = dezero::utils;

namespace {

constexpr int skipped = 77;
const char* const zebra_url =
    "https://github.com/oreilly-japan/deep-learning-from-scratch-3/raw/images/zebra.jpg";

// A file the step cannot do without: where it was looked for and where it comes from.
[[noreturn]] void missing(const std::string& what, const fs::path& where, const std::string& url,
                          const std::string& why, const std::string& instead) {
  std::cerr << "step58: skipped: " << what << " is missing.\n"
            << "  looked for: " << where.string() << "\n"
            << "  " << why << "\n"
            << "  get it from " << url << " and put it there (or set DEZERO_HOME to the folder"
            << " that holds it)" << instead << "\n";
  std::exit(skipped);
}

// The data cache's copy of `url`, downloaded when missing (utils::get_file).
fs::path fetch(const std::string& what, const std::string& url, const std::string& instead) {
  const fs::path where = utils::cache_dir() / url.substr(url.rfind('/') + 1);
  try {
    return utils::get_file(url);
  } catch (const utils::DownloadError& e) {
    missing(what, where, url, e.what(), instead);
  }
}

// An image to classify when there is none: smooth colour gradients with a few stripes, written
// as a PNG and read back, so that the decoder is part of the run.
fs::path generated_image() {
  Image img("RGB", 320, 240);
  np::ndarray pixels = img.to_array();
  auto* p = pixels.data<std::uint8_t>();
  for (std::int64_t y = 0; y < 240; ++y) {
    for (std::int64_t x = 0; x < 320; ++x) {
      const bool stripe = (x / 20) % 2 == 0;
      p[(y * 320 + x) * 3 + 0] = static_cast<std::uint8_t>(stripe ? 240 : x * 255 / 320);
      p[(y * 320 + x) * 3 + 1] = static_cast<std::uint8_t>(stripe ? 240 : y * 255 / 240);
      p[(y * 320 + x) * 3 + 2] = static_cast<std::uint8_t>(stripe ? 240 : 128);
    }
  }
  const fs::path path = "generated.png";
  Image::from_array(pixels).save(path);
  std::cerr << "step58: classifying a generated image, " << path.string() << "\n";
  return path;
}

}  // namespace

int main(int argc, char** argv) {
  const auto args = steps::parse(
      argc, argv, {.counts = {}, .flags = {"random-weights"}, .positional = "image.jpg|image.png"});
  const bool random_weights = args.flags.contains("random-weights");
  std::optional<fs::path> image_path;
  if (args.positional) image_path = *args.positional;

  // The image: the one given, or the book's zebra (or a generated one with random weights).
  fs::path img_path;
  if (image_path) {
    img_path = *image_path;
    if (!fs::exists(img_path)) {
      std::cerr << "step58: the image " << img_path.string() << " does not exist\n";
      return 1;
    }
  } else if (random_weights) {
    img_path = generated_image();
  } else {
    img_path = fetch("the image zebra.jpg", zebra_url,
                     ", or give an image on the command line: step58 photo.jpg");
  }

  try {
    const Image img = Image::open(img_path);
    np::ndarray x = VGG16::preprocess(img);
    x = x.reshape({1, 3, 224, 224});  // x[np.newaxis]

    std::optional<VGG16> model;
    if (random_weights) {
      np::random::seed(0);
      model.emplace(/*pretrained=*/false);
    } else {
      const fs::path weights =
          fetch("the pretrained weights vgg16.npz (about 528 MB)", VGG16::WEIGHTS_PATH,
                "; step58 --random-weights runs the same steps with random weights");
      model.emplace(/*pretrained=*/false);
      model->load_weights(weights);  // VGG16(pretrained=True) does the same
    }
    Variable y;
    {
      auto guard = dezero::test_mode();
      y = (*model)(x);
    }
    const std::int64_t predict_id = np::argmax(y.data()).item<std::int64_t>();

    model->plot(x, "vgg.png");
    const auto& labels = dezero::datasets::ImageNet::labels();
    if (random_weights) {
      std::cout << "output " << y.shape() << "\n"
                << "predicted class (random weights): " << labels[predict_id] << "\n";
    } else {
      std::cout << labels[predict_id] << "\n";
    }
  } catch (const std::exception& e) {  // an unreadable image, a damaged weight file
    std::cerr << "step58: " << e.what() << "\n";
    return 1;
  }
}
