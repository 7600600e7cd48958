#include "dezero/imagenet.hpp"

#include <sstream>
#include <stdexcept>

namespace dezero::datasets {

namespace {
// dezero/data/imagenet_labels.txt, as a raw string literal made by CMake.
constexpr const char* labels_text =
#include "imagenet_labels.inc"
    ;
}  // namespace

ImageNet::ImageNet(bool train, Transform transform, Transform target_transform)
    : Dataset(train, std::move(transform), std::move(target_transform)) {
  throw DataError(
      "ImageNet: the images are not distributed for download (the ILSVRC 2012 set comes from "
      "https://image-net.org after registering; the book leaves this data set unimplemented); "
      "only ImageNet::labels(), the 1000 class names, is available");
}

const std::vector<std::string>& ImageNet::labels() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    std::istringstream in(labels_text);
    for (std::string line; std::getline(in, line);) {
      if (!line.empty()) out.push_back(line);
    }
    if (out.size() != 1000) {
      throw std::logic_error("ImageNet::labels: the built-in list has " +
                             std::to_string(out.size()) + " names instead of 1000");
    }
    return out;
  }();
  return names;
}

}  // namespace dezero::datasets
