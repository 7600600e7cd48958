// dezero/imagenet: the names of the 1000 ImageNet (ILSVRC 2012) classes that VGG16's and
// ResNet's outputs stand for, the book's datasets.ImageNet.labels():
//
//   const auto& labels = dezero::datasets::ImageNet::labels();
//   std::cout << labels[340] << "\n";   // zebra
//
// The book downloads them on every call; here they ship with the library
// (dezero/data/imagenet_labels.txt, one class per line, built in).
//
// ImageNet is a data set class as in the book, whose constructor does nothing (its images are
// not downloadable: they come only after registering at image-net.org). Here the constructor
// says so, rather than giving a data set of nothing.
#pragma once

#include <string>
#include <vector>

#include "dezero/datasets.hpp"

namespace dezero::datasets {

class ImageNet : public Dataset {
 public:
  // DataError: the images are not available to the library (only labels() is).
  explicit ImageNet(bool train = true, Transform transform = {}, Transform target_transform = {});

  // Class i's name, i in [0, 1000): several synonyms separated by commas, as in the book's
  // list ("tench, Tinca tinca", ..., "toilet tissue, toilet paper, bathroom tissue").
  static const std::vector<std::string>& labels();
};

}  // namespace dezero::datasets
