// np::ndarray: the N-d array that stands where NumPy's ndarray stands in the book.
//
// Storage is C-ordered and contiguous; the dtype and the shape are known at run time.
// Like a Python reference, an ndarray is a handle: copying it shares the elements
// (`auto b = a; b += 1;` changes `a` too, as `b = a; b += 1` does in Python), and `copy()`
// makes an independent array. `reshape` (and `squeeze`, `expand_dims`, which are reshapes)
// shares the elements as NumPy's view does, and `broadcast_to`/`sum_to` to the shape an array
// already has return that array; every other operation returns a new array.
#pragma once

#include <algorithm>
#include <concepts>
#include <cstdint>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>
#include <vector>

#include "np/device.hpp"
#include "np/dtype.hpp"
#include "np/errors.hpp"
#include "np/shape.hpp"

namespace np {

// Python's None where an argument is optional: `x.sum(np::none, true)`, `np::slice(np::none, 3)`.
inline constexpr std::nullopt_t none = std::nullopt;

// C++ scalars that behave like Python numbers: bool, integers and floating point.
template <class T>
concept Scalar = std::is_arithmetic_v<T>;

// The `axis` argument of reductions: None (all axes), one axis or a tuple of axes.
class Axes {
 public:
  Axes() = default;
  Axes(std::nullopt_t) {}
  Axes(int axis) : all_(false), axes_{axis} {}
  Axes(std::initializer_list<int> axes) : all_(false), axes_(axes) {}
  Axes(std::vector<int> axes) : all_(false), axes_(std::move(axes)) {}

  bool is_none() const { return all_; }
  const std::vector<int>& axes() const { return axes_; }

 private:
  bool all_ = true;
  std::vector<int> axes_;
};

class ndarray;

// Nested braces for np::array: np::array({{1, 2, 3}, {4, 5, 6}}) is an int64 (2, 3) array,
// np::array({1.0, 2.0}) a float64 one, as NumPy infers from Python lists.
class NestedList {
 public:
  template <Scalar T>
  NestedList(T value) : value_(static_cast<double>(value)), dtype_(scalar_dtype<T>()) {}
  NestedList(std::initializer_list<NestedList> items) : items_(items), is_list_(true) {}

  template <Scalar T>
  static constexpr DType scalar_dtype() {
    if constexpr (std::is_same_v<T, bool>)
      return DType::bool_;
    else if constexpr (std::is_integral_v<T>)
      return DType::int64;
    else if constexpr (std::is_same_v<T, float>)
      return DType::float32;
    else
      return DType::float64;
  }

 private:
  friend ndarray array(const NestedList& list, std::optional<DType> dtype);
  double value_ = 0.0;
  DType dtype_ = DType::float64;
  std::vector<NestedList> items_;
  bool is_list_ = false;
};

// One entry of an index expression: an integer, a slice, an integer (or bool) array,
// np::newaxis or np::ellipsis. x[{np::arange(N), t}] reads like x[np.arange(N), t].
struct Slice {
  std::optional<std::int64_t> start, stop, step;
};
// x[1:3] is x[np::slice(1, 3)], x[::2] is x[np::slice(np::none, np::none, 2)], x[:] np::slice().
inline Slice slice(std::optional<std::int64_t> start = std::nullopt,
                   std::optional<std::int64_t> stop = std::nullopt,
                   std::optional<std::int64_t> step = std::nullopt) {
  return Slice{start, stop, step};
}
struct NewAxis {};
inline constexpr NewAxis newaxis{};
struct EllipsisIndex {};
inline constexpr EllipsisIndex ellipsis{};

class Index;
using Indices = std::vector<Index>;

class ndarray {
 public:
  // An undefined array: the `None` that a Variable's data can be.
  ndarray() = default;
  // A 0-d array from a C++ number, with NumPy's dtype for the matching Python/NumPy scalar:
  // double -> float64, float -> float32, integers -> int64, bool -> bool.
  template <Scalar T>
  ndarray(T value) : ndarray(Shape{}, NestedList::scalar_dtype<T>()) {
    set_flat(0, static_cast<double>(value));
    if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
      // keep integers beyond 2^53 exact
      *data<std::int64_t>() = static_cast<std::int64_t>(value);
    }
  }
  // An array of the given shape and dtype; the elements are zero.
  ndarray(Shape shape, DType dtype);
  // An array whose elements are not set yet: for kernels that write every element.
  static ndarray uninitialized(Shape shape, DType dtype);
  // The same on `device` (GPU memory from the pool for Device::cuda; np/device.hpp).
  static ndarray uninitialized(Shape shape, DType dtype, Device device);

  bool defined() const { return static_cast<bool>(storage_); }
  const Shape& shape() const { return shape_; }
  int ndim() const { return shape_.ndim(); }
  std::int64_t size() const { return shape_.numel(); }
  DType dtype() const { return dtype_; }
  // Where the elements live (see np/device.hpp).
  Device device() const { return device_; }
  std::size_t itemsize() const { return np::itemsize(dtype_); }
  std::size_t nbytes() const { return static_cast<std::size_t>(size()) * itemsize(); }
  // len(a): the length of the first axis (a 0-d array has none: shape_error).
  std::int64_t len() const;

  // Typed access to the elements in host memory; T must match the dtype exactly (dtype_error
  // otherwise). An array on a GPU has no host elements: device_error (move it with to_device).
  template <Element T>
  T* data() {
    check_dtype(dtype_of_v<T>, "data");
    return reinterpret_cast<T*>(ptr_);
  }
  template <Element T>
  const T* data() const {
    check_dtype(dtype_of_v<T>, "data");
    return reinterpret_cast<const T*>(ptr_);
  }
  // The same without the dtype check; on a GPU array device_error, as data().
  void* raw_data() {
    if (device_ != Device::cpu) [[unlikely]] not_on_host("raw_data");
    return ptr_;
  }
  const void* raw_data() const {
    if (device_ != Device::cpu) [[unlikely]] not_on_host("raw_data");
    return ptr_;
  }
  // Internal, for the device kernels: the elements' address on whichever device holds them.
  void* device_data() const { return ptr_; }

  // a.item(): the only element of a size-1 array, converted to T.
  template <Scalar T = double>
  T item() const;
  // The element at a flat C-order position, converted to/from double.
  double flat(std::int64_t i) const;
  void set_flat(std::int64_t i, double value);
  // All elements in C order, converted to T (handy for tests and printing).
  template <Scalar T = double>
  std::vector<T> to_vector() const;

  // --- conversions and copies -------------------------------------------------------------
  ndarray copy() const;
  // a.astype(dtype): always a new array, as in NumPy.
  ndarray astype(DType dtype) const;
  // True when both handles share their elements (b = a, or b = a.reshape(...)).
  bool shares_memory(const ndarray& other) const { return storage_ == other.storage_; }
  void fill(double value);

  // --- shape ------------------------------------------------------------------------------
  ndarray reshape(Shape shape) const;  // one axis may be -1; shares the elements
  ndarray transpose() const;           // reverse the axes
  ndarray transpose(const std::vector<int>& axes) const;
  ndarray T() const { return transpose(); }
  ndarray flatten() const;
  ndarray squeeze(Axes axes = none) const;

  // --- reductions (methods as in NumPy) ----------------------------------------------------
  ndarray sum(Axes axes = none, bool keepdims = false) const;
  ndarray mean(Axes axes = none, bool keepdims = false) const;
  ndarray max(Axes axes = none, bool keepdims = false) const;
  ndarray min(Axes axes = none, bool keepdims = false) const;
  ndarray argmax(std::optional<int> axis = std::nullopt) const;

  // --- products ---------------------------------------------------------------------------
  ndarray dot(const ndarray& other) const;

  // --- indexing: a[i], a[idx], a[{i, j}], a[{np::slice(1, 3)}], a[{np::slice(), 2}],
  //     a[{np::arange(N), t}] -------------------------------------------------------------------
  ndarray operator[](std::int64_t index) const;
  ndarray operator[](const ndarray& index) const;
  ndarray operator[](const Indices& indices) const;

  // --- in-place arithmetic (the dtype of `*this` is kept, as NumPy's casting="same_kind") ---
  ndarray& operator+=(const ndarray& other);
  ndarray& operator-=(const ndarray& other);
  ndarray& operator*=(const ndarray& other);
  ndarray& operator/=(const ndarray& other);

  // Internal: the shared storage, for the few kernels that make views.
  static ndarray view_of(const ndarray& base, Shape shape);

 private:
  void check_dtype(DType wanted, const char* op) const;
  // Throws device_error: `op` reads elements in host memory and this array is on a GPU.
  [[noreturn]] void not_on_host(const char* op) const;

  std::shared_ptr<std::byte[]> storage_;
  std::byte* ptr_ = nullptr;
  // (no_unique_address: dtype_ and device_ may take the shape's tail padding, 8 bytes less
  // for every array, of which a graph of scalar operations holds two per operation)
  [[no_unique_address]] Shape shape_;
  DType dtype_ = DType::float64;
  Device device_ = Device::cpu;
};

class Index {
 public:
  template <std::integral T>
  Index(T i) : value_(static_cast<std::int64_t>(i)) {}
  Index(Slice s) : value_(s) {}
  Index(ndarray a) : value_(std::move(a)) {}
  Index(NewAxis n) : value_(n) {}
  Index(EllipsisIndex e) : value_(e) {}

  const auto& value() const { return value_; }

 private:
  std::variant<std::int64_t, Slice, ndarray, NewAxis, EllipsisIndex> value_;
};

// ================================ creation ==================================================
ndarray array(const NestedList& list, std::optional<DType> dtype = std::nullopt);
// From a flat vector of values: 1-D unless a shape is given.
template <Element T>
ndarray array(const std::vector<T>& values, std::optional<Shape> shape = std::nullopt,
              std::optional<DType> dtype = std::nullopt);
ndarray empty(Shape shape, DType dtype = float64);  // zero-filled, like zeros
ndarray zeros(Shape shape, DType dtype = float64);
ndarray ones(Shape shape, DType dtype = float64);
ndarray full(Shape shape, double value, DType dtype = float64);
ndarray zeros_like(const ndarray& a, std::optional<DType> dtype = std::nullopt);
ndarray ones_like(const ndarray& a, std::optional<DType> dtype = std::nullopt);
ndarray full_like(const ndarray& a, double value, std::optional<DType> dtype = std::nullopt);
// arange(stop) and arange(start, stop, step): int64 for integer arguments, float64 otherwise.
ndarray arange(std::int64_t stop);
ndarray arange(std::int64_t start, std::int64_t stop, std::int64_t step = 1);
ndarray arange(double start, double stop, double step = 1.0);
// arange(-3, 4, 2) with int literals, which convert equally well to std::int64_t and double.
template <std::integral I>
ndarray arange(I start, I stop, I step = 1) {
  return arange(static_cast<std::int64_t>(start), static_cast<std::int64_t>(stop),
                static_cast<std::int64_t>(step));
}
ndarray linspace(double start, double stop, std::int64_t num = 50);
ndarray eye(std::int64_t n, DType dtype = float64);

// ================================ dtype rules ===============================================
// np.result_type of two operands with NumPy 1.x's value-based casting: when one operand is
// 0-d and the other is not, the 0-d one does not change the dtype unless it is of a higher
// kind (bool < integer < floating). So float32 array * 2.0 stays float32.
DType result_type(const ndarray& a, const ndarray& b);

// ================================ element-wise ==============================================
ndarray operator+(const ndarray& a, const ndarray& b);
ndarray operator-(const ndarray& a, const ndarray& b);
ndarray operator*(const ndarray& a, const ndarray& b);
ndarray operator/(const ndarray& a, const ndarray& b);  // true division: ints give float64
ndarray operator-(const ndarray& a);
// Comparisons give bool arrays (NumPy semantics, not a single bool).
ndarray operator==(const ndarray& a, const ndarray& b);
ndarray operator!=(const ndarray& a, const ndarray& b);
ndarray operator<(const ndarray& a, const ndarray& b);
ndarray operator<=(const ndarray& a, const ndarray& b);
ndarray operator>(const ndarray& a, const ndarray& b);
ndarray operator>=(const ndarray& a, const ndarray& b);

ndarray add(const ndarray& a, const ndarray& b);
ndarray subtract(const ndarray& a, const ndarray& b);
ndarray multiply(const ndarray& a, const ndarray& b);
ndarray divide(const ndarray& a, const ndarray& b);
ndarray power(const ndarray& a, const ndarray& b);
ndarray pow(const ndarray& a, const ndarray& b);  // same as power
ndarray maximum(const ndarray& a, const ndarray& b);
ndarray minimum(const ndarray& a, const ndarray& b);
ndarray negative(const ndarray& a);
ndarray exp(const ndarray& a);
ndarray log(const ndarray& a);
ndarray sin(const ndarray& a);
ndarray cos(const ndarray& a);
ndarray tanh(const ndarray& a);
ndarray sqrt(const ndarray& a);
ndarray square(const ndarray& a);
ndarray abs(const ndarray& a);
ndarray clip(const ndarray& a, const ndarray& a_min, const ndarray& a_max);
ndarray where(const ndarray& condition, const ndarray& x, const ndarray& y);
ndarray logical_not(const ndarray& a);
ndarray isfinite(const ndarray& a);

// The shape two shapes broadcast to (shape_error naming `op` and both shapes otherwise).
Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op = "broadcast");

// ================================ reductions ================================================
ndarray sum(const ndarray& a, Axes axes = none, bool keepdims = false);
ndarray mean(const ndarray& a, Axes axes = none, bool keepdims = false);
ndarray max(const ndarray& a, Axes axes = none, bool keepdims = false);
ndarray min(const ndarray& a, Axes axes = none, bool keepdims = false);
ndarray argmax(const ndarray& a, std::optional<int> axis = std::nullopt);
ndarray argmin(const ndarray& a, std::optional<int> axis = std::nullopt);
bool all(const ndarray& a);
bool any(const ndarray& a);
bool array_equal(const ndarray& a, const ndarray& b);
// np.allclose: |a - b| <= atol + rtol * |b| everywhere (shapes must broadcast).
bool allclose(const ndarray& a, const ndarray& b, double rtol = 1e-5, double atol = 1e-8);

// ================================ shape manipulation ========================================
ndarray reshape(const ndarray& a, Shape shape);
ndarray transpose(const ndarray& a, std::optional<std::vector<int>> axes = std::nullopt);
ndarray swapaxes(const ndarray& a, int axis1, int axis2);
ndarray expand_dims(const ndarray& a, int axis);
ndarray squeeze(const ndarray& a, Axes axes = none);
ndarray broadcast_to(const ndarray& a, const Shape& shape);
// The book's utils.sum_to: sum the leading extra axes and every axis where `shape` has 1.
ndarray sum_to(const ndarray& a, const Shape& shape);
ndarray concatenate(const std::vector<ndarray>& arrays, int axis = 0);
ndarray stack(const std::vector<ndarray>& arrays, int axis = 0);
// np.pad with mode="constant": pad_width holds (before, after) for every axis.
ndarray pad(const ndarray& a, const std::vector<std::pair<std::int64_t, std::int64_t>>& pad_width,
            double constant_value = 0.0);

// ================================ indexing ==================================================
ndarray getitem(const ndarray& a, const Indices& indices);
// a[indices] = value (value broadcast to the indexed shape, cast to a's dtype).
void setitem(ndarray& a, const Indices& indices, const ndarray& value);
// np.add.at(a, indices, values): unbuffered, so repeated indices accumulate.
void add_at(ndarray& a, const Indices& indices, const ndarray& values);

// ================================ products ==================================================
// NumPy's matmul rules: 1-D operands are promoted and the added axis removed again, more than
// two axes are stacks of matrices with broadcast batch axes.
ndarray matmul(const ndarray& a, const ndarray& b);
// Not NumPy: BLAS's transpose flags. matmul(a, b, Transpose::a) is matmul(a.T(), b), and
// Transpose::b is matmul(a, b.T()), with the same numbers but without copying the transposed
// operand: for two 2-D float32 or float64 operands of one dtype the product reads it in place
// (other operands, and products of one row or column or of a few elements, take the copying
// way). Backpropagation through a product uses it.
enum class Transpose { a, b };
ndarray matmul(const ndarray& a, const ndarray& b, Transpose which);
ndarray dot(const ndarray& a, const ndarray& b);
// np.tensordot(a, b, axes=(axes_a, axes_b)) and np.tensordot(a, b, axes=n).
ndarray tensordot(const ndarray& a, const ndarray& b, const std::vector<int>& axes_a,
                  const std::vector<int>& axes_b);
ndarray tensordot(const ndarray& a, const ndarray& b, int n = 2);

// ================================ printing ==================================================
// str(a) and repr(a) exactly as NumPy 1.24 prints them with the default print options.
std::string str(const ndarray& a);
std::string repr(const ndarray& a);
std::ostream& operator<<(std::ostream& os, const ndarray& a);
// repr() of a Python float (shortest round trip: 1.0, 3.297442541400256, 1e-05), and of a
// NumPy float32 scalar (its own shortest digits).
std::string float_repr(double value);
std::string float_repr(float value);

// ================================ template definitions ======================================
template <Scalar T>
T ndarray::item() const {
  if (size() != 1) {
    throw shape_error(
        detail::msg("item: can only convert an array of size 1, not of shape ", shape_));
  }
  if (device_ != Device::cpu) return to_device(*this, Device::cpu).item<T>();  // waits
  if constexpr (std::is_integral_v<T> && !std::is_same_v<T, bool>) {
    if (dtype_ == DType::int64) return static_cast<T>(*reinterpret_cast<const std::int64_t*>(ptr_));
  }
  return static_cast<T>(flat(0));
}

template <Scalar T>
std::vector<T> ndarray::to_vector() const {
  if (!defined()) throw std::invalid_argument("to_vector: the array is None");
  if (device_ != Device::cpu) return to_device(*this, Device::cpu).to_vector<T>();  // waits
  std::vector<T> out(static_cast<std::size_t>(size()));
  dispatch(dtype_, [&](auto tag) {
    using E = typename decltype(tag)::type;
    const E* p = reinterpret_cast<const E*>(ptr_);
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<T>(p[i]);
  });
  return out;
}

template <Element T>
ndarray array(const std::vector<T>& values, std::optional<Shape> shape,
              std::optional<DType> dtype) {
  const Shape s = shape ? *shape : Shape{static_cast<std::int64_t>(values.size())};
  if (s.numel() != static_cast<std::int64_t>(values.size())) {
    throw shape_error(detail::msg("array: ", values.size(), " values do not fill shape ", s));
  }
  ndarray out(s, dtype_of_v<T>);
  std::copy(values.begin(), values.end(), out.data<T>());
  return dtype && *dtype != dtype_of_v<T> ? out.astype(*dtype) : out;
}

}  // namespace np
