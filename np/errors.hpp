// Exceptions of the array layer. Every message names the operation and the shapes, axes,
// dtypes or indices involved, e.g. "matmul: shapes (2, 3) and (4, 5) are not aligned".
#pragma once

#include <sstream>
#include <stdexcept>
#include <string>

namespace np {

// Shapes that cannot be combined: broadcasting, reshape, matmul, concatenate, ...
struct shape_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
// An axis outside [-ndim, ndim) or repeated.
struct axis_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
// A dtype that an operation does not accept, or a cast NumPy would refuse.
struct dtype_error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
// An index outside an axis.
struct index_error : std::out_of_range {
  using std::out_of_range::out_of_range;
};

namespace detail {
// Concatenates anything printable into a message: msg("reshape: cannot reshape ", shape).
template <class... Args>
std::string msg(const Args&... args) {
  std::ostringstream os;
  (os << ... << args);
  return os.str();
}
}  // namespace detail

}  // namespace np
