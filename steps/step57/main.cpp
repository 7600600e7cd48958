// Step 57: conv2d and pooling through im2col.
//
// im2col turns every receptive field of a batch of images into one row of a matrix, so that a
// convolution becomes one matrix product: a (1, 3, 7, 7) image and a 5x5 kernel give 3 x 3
// positions, each a row of 3 x 5 x 5 values. conv2d_simple is the book's first convolution,
// made of Im2col, Linear, Reshape and Transpose nodes, so backward comes with it. (The
// library's conv2d and pooling are single graph nodes; see dezero/functions_conv.hpp. The
// pictures of im2col and of conv2d_simple's graph in docs/stage5.md are drawn by
// tools/draw_im2col.cpp.)
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  // im2col
  const np::ndarray x1 = np::random::rand({1, 3, 7, 7});
  const Variable col1 = F::im2col(x1, 5, {.stride = 1, .pad = 0, .to_matrix = true});
  std::cout << col1.shape() << "\n";  // (9, 75)

  const np::ndarray x2 = np::random::rand({10, 3, 7, 7});  // 10 images
  const utils::Pair kernel_size{5, 5};
  const utils::Pair stride{1, 1};
  const utils::Pair pad{0, 0};
  const Variable col2 =
      F::im2col(x2, kernel_size, {.stride = stride, .pad = pad, .to_matrix = true});
  std::cout << col2.shape() << "\n";  // (90, 75)

  // conv2d
  const std::int64_t N = 1, C = 5, H = 15, W = 15;
  const std::int64_t OC = 8, KH = 3, KW = 3;
  const Variable x(np::random::randn({N, C, H, W}));
  const np::ndarray Weight = np::random::randn({OC, C, KH, KW});
  const Variable y = F::conv2d_simple(x, Weight, Variable(), {.stride = 1, .pad = 1});
  y.backward();
  std::cout << y.shape() << "\n";         // (1, 8, 15, 15)
  std::cout << x.grad().shape() << "\n";  // (1, 5, 15, 15)
}
