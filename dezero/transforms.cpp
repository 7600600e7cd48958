#include "dezero/transforms.hpp"

#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>

namespace dezero::transforms {

np::ndarray Transform::apply_batch(const np::ndarray& batch) const {
  if (!sample_) return batch;
  if (!batch_) {
    throw std::logic_error(
        "Transform::apply_batch: this transform works sample by sample only (a user function)");
  }
  if (batch.ndim() < 2) {
    // 0-d samples follow NumPy's scalar rules, which a stack does not: stay sample by sample.
    throw np::shape_error(np::detail::msg("Transform::apply_batch: a stack of samples with at least "
                                          "one axis each is needed, not shape ",
                                          batch.shape()));
  }
  return batch_(batch);
}

Compose::Compose(std::vector<Transform> transforms) {
  // The identities drop out, so Compose({}) is the identity itself.
  std::vector<Transform> steps;
  bool batchable = true;
  for (auto& t : transforms) {
    if (t.is_identity()) continue;
    batchable = batchable && t.batchable();
    steps.push_back(std::move(t));
  }
  if (steps.empty()) return;
  auto shared = std::make_shared<const std::vector<Transform>>(std::move(steps));
  Function sample = [shared](const np::ndarray& x) {
    np::ndarray y = x;
    for (const auto& t : *shared) y = t(y);
    return y;
  };
  Function batch;
  if (batchable) {
    batch = [shared](const np::ndarray& x) {
      np::ndarray y = x;
      for (const auto& t : *shared) y = t.apply_batch(y);
      return y;
    };
  }
  assign(std::move(sample), std::move(batch));
}

Flatten::Flatten()
    : Transform([](const np::ndarray& x) { return x.flatten(); },
                // flatten copies; the rows of a fresh stack can be viewed in place
                [](const np::ndarray& x) { return x.reshape({x.shape()[0], -1}); }) {}

AsType::AsType(np::DType dtype)
    : Transform([dtype](const np::ndarray& x) { return x.astype(dtype); },
                [dtype](const np::ndarray& x) { return x.astype(dtype); }) {}

namespace {

// The per-channel form of a mean or std for samples of `sample_ndim` axes and first-axis
// length `channels`: the book's np.array(values, dtype=x.dtype).reshape(C, 1, ...).
np::ndarray channel_values(const Statistic& s, np::DType dtype, int sample_ndim,
                           std::int64_t channels, const char* what) {
  const auto& v = s.values();
  if (sample_ndim == 0) {
    throw np::shape_error(np::detail::msg("Normalize: per-channel ", what,
                                          " needs samples with a channel axis, not a 0-d sample"));
  }
  if (v.size() != 1 && static_cast<std::int64_t>(v.size()) != channels) {
    throw np::shape_error(np::detail::msg("Normalize: ", v.size(), " ", what, " values for ",
                                          channels, " channels (the sample's first axis)"));
  }
  np::Shape shape;
  shape.push_back(static_cast<std::int64_t>(v.size()));
  for (int i = 1; i < sample_ndim; ++i) shape.push_back(1);
  return np::array(v, shape).astype(dtype);
}

np::ndarray normalize(const np::ndarray& x, const Statistic& mean, const Statistic& std,
                      int sample_ndim, std::int64_t channels, bool stacked) {
  auto operand = [&](const Statistic& s, const np::ndarray& of, const char* what) {
    if (s.is_scalar()) return s.scalar();
    np::ndarray c = channel_values(s, of.dtype(), sample_ndim, channels, what);
    // in a stack the channel axis is the second: (1, C, 1, ...)
    return stacked ? np::expand_dims(c, 0) : c;
  };
  // both per-channel arrays take the input's dtype, as the book's np.array(..., dtype=x.dtype)
  return (x - operand(mean, x, "mean")) / operand(std, x, "std");
}

}  // namespace

Normalize::Normalize(Statistic mean, Statistic std)
    : Transform(
          [mean, std](const np::ndarray& x) {
            return normalize(x, mean, std, x.ndim(), x.ndim() ? x.shape()[0] : 0, false);
          },
          [mean, std](const np::ndarray& x) {
            return normalize(x, mean, std, x.ndim() - 1, x.shape()[1], true);
          }) {}


// ===================================== image transforms =====================================

namespace {

// x[..., ::-1] as a new contiguous array.
np::ndarray flip_last_axis(const np::ndarray& x) {
  const np::ndarray src = x.copy();  // contiguous
  np::ndarray out = np::ndarray::uninitialized(x.shape(), x.dtype());
  const std::size_t item = src.itemsize();
  const auto w = static_cast<std::size_t>(x.shape()[x.ndim() - 1]);
  const std::size_t rows = w ? static_cast<std::size_t>(x.size()) / w : 0;
  const auto* from = static_cast<const std::byte*>(src.raw_data());
  auto* to = static_cast<std::byte*>(out.raw_data());
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t i = 0; i < w; ++i) {
      std::memcpy(to + (r * w + i) * item, from + (r * w + (w - 1 - i)) * item, item);
    }
  }
  return out;
}

}  // namespace

Transform ImageTransform::on_arrays() const {
  if (array_) return Transform(array_);
  if (!image_) return Transform();
  return Transform([f = image_](const np::ndarray& x) {
    if (!x.defined() || x.ndim() != 3) {
      throw np::shape_error("ImageTransform::on_arrays: a sample must be (C, H, W), not " +
                            (x.defined() ? x.shape().str() : std::string("None")));
    }
    return f(Image::from_chw(x)).to_chw(x.dtype());
  });
}

ComposeImages::ComposeImages(std::vector<ImageTransform> transforms) {
  auto shared = std::make_shared<const std::vector<ImageTransform>>(std::move(transforms));
  assign([shared](const Image& img) {
    Image out = img;
    for (const auto& t : *shared) out = t(out);
    return out;
  });
}

Convert::Convert(std::string mode) {
  assign([mode](const Image& img) { return img.convert(mode); });
}

Resize::Resize(std::int64_t width, std::int64_t height, Resample mode) {
  if (width <= 0 || height <= 0) {
    throw std::invalid_argument(np::detail::msg("Resize: the size must be positive, not (", width,
                                                ", ", height, ")"));
  }
  assign([=](const Image& img) { return img.resize(width, height, mode); });
}

CenterCrop::CenterCrop(std::int64_t width, std::int64_t height) {
  if (width <= 0 || height <= 0) {
    throw std::invalid_argument(np::detail::msg("CenterCrop: the size must be positive, not (",
                                                width, ", ", height, ")"));
  }
  assign([=](const Image& img) { return img.center_crop(width, height); });
}

RandomHorizontalFlip::RandomHorizontalFlip(double p)
    : ImageTransform(
          [p](const Image& img) {
            return np::random::global_state().next_double() < p ? img.flip_left_right() : img;
          },
          [p](const np::ndarray& x) {
            if (!x.defined() || x.ndim() < 2) {
              throw np::shape_error("RandomHorizontalFlip: a sample must have at least 2 axes "
                                    "(H, W), not " +
                                    (x.defined() ? x.shape().str() : std::string("None")));
            }
            if (!(np::random::global_state().next_double() < p)) return x;
            return flip_last_axis(x);
          }) {
  if (!(p >= 0 && p <= 1)) {
    throw std::invalid_argument(np::detail::msg("RandomHorizontalFlip: p must be in [0, 1], not ", p));
  }
}

}  // namespace dezero::transforms
