// Broadcast iteration shared by the element-wise kernels (internal header).
//
// Operands keep their own shapes; a broadcast axis simply gets stride 0, so a (1, N) bias
// added to an (M, N) matrix is read in place, never copied M times. Adjacent axes that are
// contiguous for every operand are merged first, so most loops end up one or two deep with
// an innermost run whose strides are 0 or 1: the case compilers vectorise.
#pragma once

#include <array>
#include <cstdint>

#include "np/detail.hpp"

namespace np::detail {

template <int K>
class Broadcast {
 public:
  // `out` is the broadcast shape; `shapes[k]` the shape of operand k.
  Broadcast(const Shape& out, const std::array<const Shape*, K>& shapes) {
    const int nd = out.ndim();
    std::array<std::array<std::int64_t, Shape::max_ndim>, K> st{};
    for (int k = 0; k < K; ++k) {
      const Shape& s = *shapes[k];
      const auto cs = strides_of(s);
      const int off = nd - s.ndim();
      for (int i = 0; i < nd; ++i) {
        const int j = i - off;
        const bool present = j >= 0 && s[j] != 1;
        st[k][i] = present ? cs[j] : 0;
      }
    }
    // Merge axis i into axis i+1 whenever every operand walks them as one contiguous run.
    ndim_ = 0;
    for (int i = 0; i < nd; ++i) {
      const std::int64_t len = out[i];
      if (len == 1) continue;  // length-1 axes never move the pointers
      bool merge = ndim_ > 0;
      for (int k = 0; k < K && merge; ++k) {
        const auto prev = strides_[k][ndim_ - 1];
        const auto cur = st[k][i];
        merge = prev == cur * len;
      }
      if (merge) {
        shape_[ndim_ - 1] *= len;
        for (int k = 0; k < K; ++k) {
          strides_[k][ndim_ - 1] = st[k][i];
        }
      } else {
        shape_[ndim_] = len;
        for (int k = 0; k < K; ++k) {
          strides_[k][ndim_] = st[k][i];
        }
        ++ndim_;
      }
    }
    total_ = out.numel();
  }

  // Calls run(offsets, n, inner_strides) once per innermost run, in C order; offsets[k]
  // is operand k's first element of the run, the output advancing by n each time.
  template <class F>
  void for_each_run(F&& run) const {
    if (total_ == 0) return;
    std::array<std::int64_t, K> inner{};
    std::int64_t n = 1;
    if (ndim_ > 0) {
      n = shape_[ndim_ - 1];
      for (int k = 0; k < K; ++k) {
        inner[k] = strides_[k][ndim_ - 1];
      }
    }
    const int outer_nd = ndim_ > 0 ? ndim_ - 1 : 0;
    std::array<std::int64_t, Shape::max_ndim> idx{};
    std::array<std::int64_t, K> off{};
    const std::int64_t runs = total_ / n;
    for (std::int64_t r = 0; r < runs; ++r) {
      run(off, n, inner);
      // odometer step over the outer axes
      for (int d = outer_nd - 1; d >= 0; --d) {
        const auto du = d;
        if (++idx[du] < shape_[du]) {
          for (int k = 0; k < K; ++k) off[k] += strides_[k][du];
          break;
        }
        for (int k = 0; k < K; ++k) {
          off[k] -= strides_[k][du] * (shape_[du] - 1);
        }
        idx[du] = 0;
      }
    }
  }

 private:
  std::array<std::int64_t, Shape::max_ndim> shape_{};
  std::array<std::array<std::int64_t, Shape::max_ndim>, K> strides_{};
  int ndim_ = 0;
  std::int64_t total_ = 0;
};

}  // namespace np::detail
