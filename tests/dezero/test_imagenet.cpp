// The ImageNet class names (dezero/imagenet).
#include <gtest/gtest.h>

#include "dezero/dezero.hpp"

namespace {

TEST(ImageNet, Labels) {
  const auto& labels = dezero::datasets::ImageNet::labels();
  ASSERT_EQ(labels.size(), 1000u);
  EXPECT_EQ(labels[0], "tench, Tinca tinca");
  EXPECT_EQ(labels[340], "zebra");
  EXPECT_EQ(labels[999], "toilet tissue, toilet paper, bathroom tissue");
}

}  // namespace
