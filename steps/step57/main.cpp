// Step 57: conv2d and pooling through im2col.
//
// im2col turns every receptive field of a batch of images into one row of a matrix, so that a
// convolution becomes one matrix product: a (1, 3, 7, 7) image and a 5x5 kernel give 3 x 3
// positions, each a row of 3 x 5 x 5 values. conv2d_simple is the book's first convolution,
// made of Im2col, Linear, Reshape and Transpose nodes, so backward comes with it. (The
// library's conv2d and pooling are single graph nodes; see dezero/functions_conv.hpp.)
//
// Beyond the book, the step draws two pictures: im2col.png, the four 3x3 windows of a 4x4
// image and the rows they become (computed by F::im2col_array), and conv2d_simple.png, the
// graph of a small conv2d_simple with its shapes.
#include <iostream>
#include <sstream>
#include <string>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;

namespace {

// One colour per window, for the picture.
const char* const colours[] = {"#ffc9c9", "#b2f2bb", "#a5d8ff", "#ffec99"};

// A table of numbers as a Graphviz HTML label; cell (i, j) is coloured colour(i, j) (or white).
template <class Colour>
std::string table(const np::ndarray& a, Colour colour) {
  std::ostringstream os;
  os << "<<table border=\"0\" cellborder=\"1\" cellspacing=\"0\" cellpadding=\"4\">";
  const std::int64_t rows = a.shape()[0], cols = a.shape()[1];
  for (std::int64_t i = 0; i < rows; ++i) {
    os << "<tr>";
    for (std::int64_t j = 0; j < cols; ++j) {
      os << "<td";
      if (const char* c = colour(i, j)) os << " bgcolor=\"" << c << "\"";
      os << ">" << static_cast<long>(a.flat(i * cols + j)) << "</td>";
    }
    os << "</tr>";
  }
  os << "</table>>";
  return os.str();
}

// im2col of a 4x4 image with a 3x3 kernel: each window (left) becomes one row (right).
void draw_im2col() {
  const np::ndarray img = np::arange(16).reshape({1, 1, 4, 4});
  const np::ndarray col =
      F::im2col_array(img, 3, {.stride = 1, .pad = 0, .to_matrix = true});  // (4, 9)
  std::ostringstream dot;
  dot << "digraph im2col {\nrankdir=LR\nnode [shape=plaintext, fontname=\"Helvetica\"]\n"
      << "label=\"im2col: x (1, 1, 4, 4), kernel 3x3, stride 1, pad 0 -> col (4, 9)\"\n";
  for (int w = 0; w < 4; ++w) {
    const int top = w / 2, left = w % 2;  // the window's corner
    dot << "win" << w << " [label="
        << table(img.reshape({4, 4}), [&](std::int64_t i, std::int64_t j) -> const char* {
             return i >= top && i < top + 3 && j >= left && j < left + 3 ? colours[w] : nullptr;
           })
        << "]\n";
  }
  dot << "col [label=" << table(col, [](std::int64_t i, std::int64_t) { return colours[i]; })
      << "]\n";
  for (int w = 0; w < 4; ++w) dot << "win" << w << " -> col [color=\"" << colours[w] << "\", penwidth=3]\n";
  dot << "}\n";
  utils::draw_dot(dot.str(), "im2col.png");
}

}  // namespace

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

  // The pictures (see the top of the file).
  draw_im2col();
  const Variable small(np::random::randn({1, 2, 4, 4}), "x");
  Variable w(np::random::randn({3, 2, 3, 3}), "W");
  Variable b(np::zeros({3}), "b");
  Variable z = F::conv2d_simple(small, w, b, {.stride = 1, .pad = 1});
  z.set_name("y");
  utils::plot_dot_graph(z, /*verbose=*/true, "conv2d_simple.png");
  std::cerr << "step57: wrote im2col.png and conv2d_simple.png\n";
}
