// dezero/transforms: what a data set does to each sample before handing it out (the book's
// transforms.py, its NumPy part):
//
//   namespace T = dezero::transforms;
//   T::Compose f({T::Flatten(), T::ToFloat(), T::Normalize(0., 255.)});
//   np::ndarray x = f(image);   // (1, 28, 28) uint8 -> (784,) float32 in [0, 1]
//
// A Transform is a value: the library's transforms and any callable `ndarray(const ndarray&)`
// (a lambda) convert to it. The library's transforms also know how to transform a whole stack
// of samples (N, ...) at once, giving exactly the rows that transforming each sample would
// give; the data loaders use that to build a batch without an array per sample.
#pragma once

#include <concepts>
#include <functional>
#include <initializer_list>
#include <type_traits>
#include <utility>
#include <vector>

#include "np/np.hpp"

namespace dezero::transforms {

class Transform {
 public:
  using Function = std::function<np::ndarray(const np::ndarray&)>;

  // The identity (the book's default `lambda x: x`).
  Transform() = default;
  // Any callable array -> array, applied sample by sample.
  template <class F>
    requires(!std::derived_from<std::remove_cvref_t<F>, Transform> &&
             std::is_invocable_r_v<np::ndarray, F&, const np::ndarray&>)
  Transform(F f) : sample_(std::move(f)) {}

  np::ndarray operator()(const np::ndarray& x) const { return sample_ ? sample_(x) : x; }

  bool is_identity() const { return !sample_; }
  // True when apply_batch can transform a stack of samples at once.
  bool batchable() const { return !sample_ || static_cast<bool>(batch_); }
  // Transforms a stack of samples of at least one axis each, (N, ...): row i of the result
  // is (*this)(batch[i]). std::logic_error when !batchable().
  np::ndarray apply_batch(const np::ndarray& batch) const;

 protected:
  // For the library's transforms: the per-sample function and its stacked form.
  Transform(Function sample, Function batch) : sample_(std::move(sample)), batch_(std::move(batch)) {}
  void assign(Function sample, Function batch) {
    sample_ = std::move(sample);
    batch_ = std::move(batch);
  }

 private:
  Function sample_;  // empty: identity
  Function batch_;   // empty: only sample by sample
};

// Applies the transforms in order (the identity when there are none).
class Compose : public Transform {
 public:
  Compose(std::vector<Transform> transforms = {});
  Compose(std::initializer_list<Transform> transforms)
      : Compose(std::vector<Transform>(transforms)) {}
};

// array.flatten(): any shape to (size,).
class Flatten : public Transform {
 public:
  Flatten();
};

// array.astype(dtype); ToFloat is the same transform, as in the book.
class AsType : public Transform {
 public:
  explicit AsType(np::DType dtype = np::float32);
};
using ToFloat = AsType;

// AsType with an integer default (Python's int is int64).
class ToInt : public AsType {
 public:
  explicit ToInt(np::DType dtype = np::int64) : AsType(dtype) {}
};

// A mean or a standard deviation for Normalize: one number, or one per channel (the first axis
// of a sample). A C++ int stays an integer and a double a float, because NumPy's result dtype
// depends on it: uint8 data - 0 stays uint8 before the division, float32 data - 0.0 stays
// float32.
class Statistic {
 public:
  template <np::Scalar T>
  Statistic(T value) : scalar_(np::ndarray(value)) {}
  Statistic(std::initializer_list<double> values) : values_(values) {}
  Statistic(std::vector<double> values) : values_(std::move(values)) {}

  // One number, kept as a 0-d array (int64 or float64).
  bool is_scalar() const { return scalar_.defined(); }
  const np::ndarray& scalar() const { return scalar_; }
  const std::vector<double>& values() const { return values_; }

 private:
  np::ndarray scalar_;
  std::vector<double> values_;
};

// (x - mean) / std with NumPy's dtype rules. Per-channel values become an array of the
// sample's dtype shaped (C, 1, 1, ...) against a sample (C, H, W, ...); C must be the length of
// the sample's first axis, or 1 for one value for every channel (the book reshapes a
// one-element list to the sample's length, which fails unless that length is 1).
class Normalize : public Transform {
 public:
  Normalize(Statistic mean = 0, Statistic std = 1);
};

}  // namespace dezero::transforms
