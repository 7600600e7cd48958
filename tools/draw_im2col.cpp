// draw_im2col: the two pictures of docs/stage5.md's step 57 (docs/make_images.sh runs it),
// written into the current folder:
//   im2col.png         the four 3x3 windows of a 4x4 image and the rows im2col makes of them
//                      (computed by F::im2col_array)
//   conv2d_simple.png  the graph of a small conv2d_simple, with its shapes
// (and their .dot sources). The book's step 57 prints shapes only, and so does ours.
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>

#include "dezero/dezero.hpp"

using dezero::Variable;
namespace F = dezero::functions;
namespace utils = dezero::utils;

namespace {

// One colour per window.
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
  const np::ndarray col = F::im2col_array(img, 3, {.stride = 1, .pad = 0, .to_matrix = true});  // (4, 9)
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

// conv2d_simple of a (1, 2, 4, 4) input with three 3x3 filters: the graph with its shapes.
void draw_conv2d_simple() {
  const Variable x(np::random::randn({1, 2, 4, 4}), "x");
  Variable w(np::random::randn({3, 2, 3, 3}), "W");
  Variable b(np::zeros({3}), "b");
  Variable y = F::conv2d_simple(x, w, b, {.stride = 1, .pad = 1});
  y.set_name("y");
  utils::plot_dot_graph(y, {.verbose = true}, "conv2d_simple.png");
}

}  // namespace

int main() try {
  draw_im2col();
  draw_conv2d_simple();
  std::cout << "draw_im2col: wrote im2col.png and conv2d_simple.png\n";
} catch (const std::exception& e) {
  std::cerr << "draw_im2col: " << e.what() << "\n";
  return 1;
}
