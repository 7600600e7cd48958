// Array shapes: a short inline list of axis lengths that prints as a Python tuple.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <iterator>
#include <string>
#include <vector>

namespace np {

class Shape {
 public:
  // NumPy allows 32 axes; the book never goes past 6 (im2col), so 8 stay inline and no
  // shape ever touches the heap.
  static constexpr int max_ndim = 8;

  Shape() = default;
  Shape(std::initializer_list<std::int64_t> dims) { assign(dims.begin(), dims.end()); }
  Shape(const std::vector<std::int64_t>& dims) { assign(dims.begin(), dims.end()); }
  template <std::input_iterator It>
  Shape(It first, It last) {
    assign(first, last);
  }

  int ndim() const { return ndim_; }
  std::size_t size() const { return static_cast<std::size_t>(ndim_); }
  bool empty() const { return ndim_ == 0; }
  std::int64_t operator[](std::size_t i) const { return dims_[i]; }
  std::int64_t& operator[](std::size_t i) { return dims_[i]; }
  // Python-style access: a negative axis counts from the end.
  std::int64_t at(int axis) const;

  const std::int64_t* begin() const { return dims_.data(); }
  const std::int64_t* end() const { return dims_.data() + ndim_; }
  std::int64_t* begin() { return dims_.data(); }
  std::int64_t* end() { return dims_.data() + ndim_; }
  std::int64_t back() const { return dims_[ndim_ - 1]; }

  void push_back(std::int64_t d);
  void insert(int pos, std::int64_t d);
  void erase(int pos);

  // Number of elements (1 for a 0-d shape).
  std::int64_t numel() const {
    std::int64_t n = 1;
    for (int i = 0; i < ndim_; ++i) n *= dims_[i];
    return n;
  }
  std::vector<std::int64_t> to_vector() const { return {begin(), end()}; }

  friend bool operator==(const Shape& a, const Shape& b) {
    return a.ndim_ == b.ndim_ && std::equal(a.begin(), a.end(), b.begin());
  }

  // "(2, 3)", "(3,)", "()" exactly as Python prints a tuple.
  std::string str() const;

 private:
  template <class It>
  void assign(It first, It last) {
    for (; first != last; ++first) push_back(static_cast<std::int64_t>(*first));
  }

  std::array<std::int64_t, max_ndim> dims_{};
  int ndim_ = 0;
};

std::ostream& operator<<(std::ostream& os, const Shape& shape);

}  // namespace np
