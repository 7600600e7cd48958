#include "np/dtype.hpp"

#include <ostream>

namespace np {

std::string_view dtype_name(DType dtype) {
  switch (dtype) {
    case DType::bool_:
      return "bool";
    case DType::uint8:
      return "uint8";
    case DType::int32:
      return "int32";
    case DType::int64:
      return "int64";
    case DType::float32:
      return "float32";
    case DType::float64:
      return "float64";
  }
  return "?";
}

std::size_t itemsize(DType dtype) {
  switch (dtype) {
    case DType::bool_:
    case DType::uint8:
      return 1;
    case DType::int32:
    case DType::float32:
      return 4;
    case DType::int64:
    case DType::float64:
      return 8;
  }
  return 8;
}

std::ostream& operator<<(std::ostream& os, DType dtype) { return os << dtype_name(dtype); }

DType promote_types(DType a, DType b) {
  if (a == b) return a;
  if (a == DType::bool_) return b;
  if (b == DType::bool_) return a;
  if (is_floating(a) && is_floating(b)) return DType::float64;
  if (is_integer(a) && is_integer(b)) {
    // uint8 < int32 < int64: every pair fits the wider signed type.
    return static_cast<int>(a) > static_cast<int>(b) ? a : b;
  }
  // An integer with a float: float32 holds uint8 exactly; int32 and int64 need float64.
  const DType f = is_floating(a) ? a : b;
  const DType i = is_floating(a) ? b : a;
  if (f == DType::float32 && i == DType::uint8) return DType::float32;
  return DType::float64;
}

}  // namespace np
