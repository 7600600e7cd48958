// dezero/conv_sizes: the sizes of convolutions (the book's utils.pair, get_conv_outsize and
// get_deconv_outsize), in a header of their own so that the convolutions and the layers need
// not include the rest of utils (utils.hpp includes it, as utils.py has them).
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace dezero::utils {

// The book's utils.pair: a kernel size, stride or padding given either as one number for both
// image axes (`3`) or as (height, width) (`{3, 5}`).
struct Pair {
  std::int64_t h = 0, w = 0;
  Pair(std::int64_t both) : h(both), w(both) {}  // implicit, as Python's pair(3)
  Pair(std::int64_t height, std::int64_t width) : h(height), w(width) {}
  friend bool operator==(const Pair&, const Pair&) = default;
  // "(3, 5)", as Python prints the tuple
  std::string str() const {
    std::string s(1, '(');
    s += std::to_string(h);
    s += ", ";
    s += std::to_string(w);
    s += ')';
    return s;
  }
};
inline Pair pair(std::int64_t both) { return Pair(both); }
inline Pair pair(std::int64_t height, std::int64_t width) { return Pair(height, width); }
// From a Python-like tuple; std::invalid_argument unless it has exactly two values.
inline Pair pair(const std::vector<std::int64_t>& values) {
  if (values.size() != 2) {
    throw std::invalid_argument("pair: expected 2 values (height, width), got " +
                                std::to_string(values.size()));
  }
  return Pair(values[0], values[1]);
}

// The output length of a convolution or pooling along one axis, (in + 2 pad - kernel) // stride
// + 1 with Python's floor division (so it can be 0 or negative when the kernel does not fit).
inline std::int64_t get_conv_outsize(std::int64_t input_size, std::int64_t kernel_size,
                                     std::int64_t stride, std::int64_t pad) {
  const std::int64_t span = input_size + 2 * pad - kernel_size;
  const std::int64_t q = span / stride;
  return (span % stride != 0 && (span < 0) != (stride < 0) ? q - 1 : q) + 1;
}
// The output length of a transposed convolution: stride (size - 1) + kernel - 2 pad.
inline std::int64_t get_deconv_outsize(std::int64_t size, std::int64_t kernel_size,
                                       std::int64_t stride, std::int64_t pad) {
  return stride * (size - 1) + kernel_size - 2 * pad;
}

}  // namespace dezero::utils
