// Element types of the array layer and NumPy 1.x's rules for combining them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <string_view>
#include <type_traits>

namespace np {

// The dtypes the book meets: float64 (Python floats, rand, zeros), float32 (layer weights,
// data sets), int64 (Python ints, labels), int32, uint8 (MNIST pixels and labels), bool.
enum class DType : std::uint8_t { bool_, uint8, int32, int64, float32, float64 };

inline constexpr DType bool_ = DType::bool_;
inline constexpr DType uint8 = DType::uint8;
inline constexpr DType int32 = DType::int32;
inline constexpr DType int64 = DType::int64;
inline constexpr DType float32 = DType::float32;
inline constexpr DType float64 = DType::float64;

std::string_view dtype_name(DType dtype);  // "float64", "bool", ...
std::size_t itemsize(DType dtype);
std::ostream& operator<<(std::ostream& os, DType dtype);

constexpr bool is_floating(DType d) { return d == DType::float32 || d == DType::float64; }
constexpr bool is_integer(DType d) {
  return d == DType::uint8 || d == DType::int32 || d == DType::int64;
}

// NumPy's kind order used by value-based casting: bool < integer < floating.
constexpr int kind_rank(DType d) { return d == DType::bool_ ? 0 : is_integer(d) ? 1 : 2; }

// np.promote_types for two array dtypes (no scalar rules).
DType promote_types(DType a, DType b);

// The C++ element type behind a dtype and back.
template <class T>
struct dtype_of;
template <>
struct dtype_of<bool> {
  static constexpr DType value = DType::bool_;
};
template <>
struct dtype_of<std::uint8_t> {
  static constexpr DType value = DType::uint8;
};
template <>
struct dtype_of<std::int32_t> {
  static constexpr DType value = DType::int32;
};
template <>
struct dtype_of<std::int64_t> {
  static constexpr DType value = DType::int64;
};
template <>
struct dtype_of<float> {
  static constexpr DType value = DType::float32;
};
template <>
struct dtype_of<double> {
  static constexpr DType value = DType::float64;
};
template <class T>
inline constexpr DType dtype_of_v = dtype_of<T>::value;

// True for the element types above.
template <class T>
concept Element =
    std::is_same_v<T, bool> || std::is_same_v<T, std::uint8_t> || std::is_same_v<T, std::int32_t> ||
    std::is_same_v<T, std::int64_t> || std::is_same_v<T, float> || std::is_same_v<T, double>;

// Calls f(std::type_identity<T>{}) with the element type of `dtype`: the one place where a
// run-time dtype becomes a compile-time type. Kernels are templates on T.
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  switch (dtype) {
    case DType::bool_:
      return f(std::type_identity<bool>{});
    case DType::uint8:
      return f(std::type_identity<std::uint8_t>{});
    case DType::int32:
      return f(std::type_identity<std::int32_t>{});
    case DType::int64:
      return f(std::type_identity<std::int64_t>{});
    case DType::float32:
      return f(std::type_identity<float>{});
    case DType::float64:
      break;
  }
  return f(std::type_identity<double>{});
}

}  // namespace np
