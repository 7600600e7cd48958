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
