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
#include <cstdint>
#include <functional>
#include <string>
#include <initializer_list>
#include <type_traits>
#include <utility>
#include <vector>

#include "dezero/image.hpp"
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


// ===================================== image transforms =====================================
// The book's PIL part: transforms of dezero::Image, composed with ComposeImages, between
// ToImage (array -> image) and ToArray (image -> array):
//
//   T::ComposeImages prepare({T::Convert("RGB"), T::Resize(256), T::CenterCrop(224)});
//   np::ndarray x = T::ToArray()(prepare(dezero::Image::open("zebra.jpg")));  // (3, 224, 224)
//
// A data set of (C, H, W) arrays (CIFAR) takes an image transform through on_arrays(), which
// goes to an image and back in the array's dtype:
//   D::CIFAR10 train(true, T::Compose({T::RandomHorizontalFlip().on_arrays(), T::ToFloat()}));

class ImageTransform {
 public:
  using Function = std::function<Image(const Image&)>;

  // The identity.
  ImageTransform() = default;
  // Any callable Image -> Image.
  template <class F>
    requires(!std::derived_from<std::remove_cvref_t<F>, ImageTransform> &&
             std::is_invocable_r_v<Image, F&, const Image&>)
  ImageTransform(F f) : image_(std::move(f)) {}

  Image operator()(const Image& img) const { return image_ ? image_(img) : img; }
  // The same transform on (C, H, W) arrays (C 1, 3 or 4, values 0-255): through ToImage and
  // back, the result in the input's dtype.
  Transform on_arrays() const;

 protected:
  // For a transform that also knows a direct form on arrays (RandomHorizontalFlip).
  ImageTransform(Function image, Transform::Function array)
      : image_(std::move(image)), array_(std::move(array)) {}
  void assign(Function image) { image_ = std::move(image); }

 private:
  Function image_;             // empty: identity
  Transform::Function array_;  // empty: through an Image
};

// Applies the image transforms in order.
class ComposeImages : public ImageTransform {
 public:
  ComposeImages(std::vector<ImageTransform> transforms = {});
  ComposeImages(std::initializer_list<ImageTransform> transforms)
      : ComposeImages(std::vector<ImageTransform>(transforms)) {}
};

// img.convert(mode): "L", "RGB", "RGBA", or "BGR" (red and blue swapped, for VGG16).
class Convert : public ImageTransform {
 public:
  explicit Convert(std::string mode = "RGB");
};

// img.resize((width, height), mode), Pillow's bilinear filter by default as the book's. One
// number is both sides (the book's pair(size)).
class Resize : public ImageTransform {
 public:
  explicit Resize(std::int64_t size, Resample mode = Resample::bilinear) : Resize(size, size, mode) {}
  Resize(std::int64_t width, std::int64_t height, Resample mode = Resample::bilinear);
};

// The central width x height part (one number: a square).
class CenterCrop : public ImageTransform {
 public:
  explicit CenterCrop(std::int64_t size) : CenterCrop(size, size) {}
  CenterCrop(std::int64_t width, std::int64_t height);
};

// Mirrors the image left to right with probability p, drawing one number from the global
// generator per sample (np.random.rand() < p), so np::random::seed makes it repeatable. The
// book declares the class and leaves it empty. On arrays it flips the last axis directly.
class RandomHorizontalFlip : public ImageTransform {
 public:
  explicit RandomHorizontalFlip(double p = 0.5);
};

// The book's ToArray: an image to (C, H, W) in dtype (grey images get C = 1); an array is
// passed through as it is (as the book's).
class ToArray {
 public:
  explicit ToArray(np::DType dtype = np::float32) : dtype_(dtype) {}
  np::ndarray operator()(const Image& img) const { return img.to_chw(dtype_); }
  np::ndarray operator()(const np::ndarray& x) const { return x; }

 private:
  np::DType dtype_;
};

// The book's ToPIL: a (C, H, W) array of values 0-255 to an image (rounded, clipped).
class ToImage {
 public:
  Image operator()(const np::ndarray& chw) const { return Image::from_chw(chw); }
};
using ToPIL = ToImage;

}  // namespace dezero::transforms
