#include "np/shape.hpp"

#include <ostream>

#include "np/errors.hpp"

namespace np {

std::int64_t Shape::at(int axis) const {
  const int a = axis < 0 ? axis + ndim_ : axis;
  if (a < 0 || a >= ndim_) {
    throw axis_error(
        detail::msg("axis ", axis, " is out of bounds for array of dimension ", ndim_));
  }
  return dims_[a];
}

void Shape::push_back(std::int64_t d) {
  if (ndim_ == max_ndim) {
    throw shape_error(detail::msg("shape: at most ", max_ndim, " axes are supported"));
  }
  dims_[ndim_++] = d;
}

void Shape::insert(int pos, std::int64_t d) {
  push_back(d);
  std::rotate(begin() + pos, end() - 1, end());
}

void Shape::erase(int pos) {
  std::copy(begin() + pos + 1, end(), begin() + pos);
  --ndim_;
}

std::string Shape::str() const {
  std::string s = "(";
  for (int i = 0; i < ndim_; ++i) {
    if (i) s += ", ";
    s += std::to_string(dims_[i]);
  }
  if (ndim_ == 1) s += ",";
  return s + ")";
}

std::ostream& operator<<(std::ostream& os, const Shape& shape) { return os << shape.str(); }

}  // namespace np
