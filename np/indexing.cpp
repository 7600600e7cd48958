// Indexing with NumPy's rules: integers, slices with steps, np::newaxis, np::ellipsis, and
// integer or bool arrays (advanced indexing), for reading (getitem), writing (setitem) and
// the unbuffered scatter-add np.add.at that GetItem's backward pass needs.
//
// Every index expression is first turned into a Plan: a base offset plus, for each output
// axis, either a stride (basic indexing) or a position in the broadcast shape of the index
// arrays, whose element offsets are precomputed. Reading, writing and adding then walk the
// same plan.
#include <cstring>
#include <optional>

#include "np/detail.hpp"
#include "np/gpu.hpp"

namespace np {

namespace {

using detail::msg;

struct OutAxis {
  std::int64_t len;
  std::int64_t stride;  // for basic axes
  int adv;              // -1 for basic axes, else the axis of the index arrays' broadcast shape
};

struct Plan {
  Shape shape;  // shape of the result
  std::int64_t base = 0;
  std::vector<OutAxis> axes;
  std::vector<std::int64_t> adv_offsets;  // offset of each element of the broadcast index arrays
  Shape adv_shape;
};

std::int64_t wrap_index(std::int64_t i, std::int64_t len, int axis) {
  if (i < -len || i >= len) {
    throw index_error(msg("index ", i, " is out of bounds for axis ", axis, " with size ", len));
  }
  return i < 0 ? i + len : i;
}

// Python's slice.indices(len): the normalised start and step and the number of elements.
void resolve_slice(const Slice& s, std::int64_t len, std::int64_t& start, std::int64_t& step,
                   std::int64_t& count) {
  step = s.step.value_or(1);
  if (step == 0) throw std::invalid_argument("slice step cannot be zero");
  const std::int64_t lower = step > 0 ? 0 : -1, upper = step > 0 ? len : len - 1;
  auto clamp = [&](std::optional<std::int64_t> v, std::int64_t dflt) {
    if (!v) return dflt;
    std::int64_t x = *v;
    if (x < 0)
      x = std::max(x + len, lower);
    else
      x = std::min(x, upper);
    return x;
  };
  start = clamp(s.start, step > 0 ? lower : upper);
  const std::int64_t stop = clamp(s.stop, step > 0 ? upper : lower);
  if (step > 0)
    count = stop > start ? (stop - start + step - 1) / step : 0;
  else
    count = start > stop ? (start - stop - step - 1) / (-step) : 0;
}

Plan make_plan(const ndarray& a, const Indices& indices, const char* op) {
  if (!a.defined()) throw std::invalid_argument(msg(op, ": the array is None"));
  // 1. Expand bool arrays into integer arrays (their nonzero positions), count the axes used.
  struct Item {
    enum Kind { integer, range, array, newaxis, ellipsis } kind;
    std::int64_t value = 0;
    Slice slice{};
    ndarray arr{};
    std::int64_t mask_len = -1;  // for the arrays a bool mask became: the mask's length here
    Item(Kind k, std::int64_t v = 0, Slice s = {}, ndarray a = {})
        : kind(k), value(v), slice(s), arr(std::move(a)) {}
  };
  std::vector<Item> items;
  int used = 0;
  bool has_ellipsis = false, has_array = false;
  for (const auto& index : indices) {
    const auto& v = index.value();
    if (auto* i = std::get_if<std::int64_t>(&v)) {
      items.push_back({Item::integer, *i});
      ++used;
    } else if (auto* s = std::get_if<Slice>(&v)) {
      items.push_back({Item::range, 0, *s});
      ++used;
    } else if (std::holds_alternative<NewAxis>(v)) {
      items.push_back({Item::newaxis});
    } else if (std::holds_alternative<EllipsisIndex>(v)) {
      if (has_ellipsis) throw index_error("an index can only have a single ellipsis ('...')");
      has_ellipsis = true;
      items.push_back({Item::ellipsis});
    } else {
      const ndarray& arr = std::get<ndarray>(v);
      if (!arr.defined()) throw index_error(msg(op, ": an index array is None"));
      has_array = true;
      if (arr.dtype() == DType::bool_) {
        // x[mask] selects where mask is true: one integer array per axis of the mask.
        std::vector<std::vector<std::int64_t>> coords(static_cast<std::size_t>(arr.ndim()));
        const bool* p = arr.data<bool>();
        const auto st = detail::strides_of(arr.shape());
        for (std::int64_t f = 0; f < arr.size(); ++f) {
          if (!p[f]) continue;
          for (int d = 0; d < arr.ndim(); ++d) coords[d].push_back(f / st[d] % arr.shape()[d]);
        }
        for (int d = 0; d < arr.ndim(); ++d) {
          items.push_back({Item::array, 0, {}, np::array(coords[d])});
          items.back().mask_len = arr.shape()[d];
          ++used;
        }
      } else if (is_integer(arr.dtype())) {
        items.push_back({Item::array, 0, {}, detail::as_dtype(arr, DType::int64)});
        ++used;
      } else {
        throw index_error(msg(op,
                              ": arrays used as indices must be of integer (or boolean) type, not ",
                              arr.dtype()));
      }
    }
  }
  if (used > a.ndim()) {
    throw index_error(msg("too many indices for array: array is ", a.ndim(), "-dimensional, but ",
                          used, " were indexed"));
  }
  // 2. The ellipsis (or the end) stands for the axes nobody named.
  {
    std::vector<Item> expanded;
    bool placed = false;
    for (auto& item : items) {
      if (item.kind == Item::ellipsis) {
        for (int k = 0; k < a.ndim() - used; ++k) expanded.push_back({Item::range});
        placed = true;
      } else {
        expanded.push_back(std::move(item));
      }
    }
    if (!placed) {
      for (int k = 0; k < a.ndim() - used; ++k) expanded.push_back({Item::range});
    }
    items = std::move(expanded);
  }
  // 3. With any array among the indices, integers are advanced indices too (0-d arrays).
  if (has_array) {
    for (auto& item : items) {
      if (item.kind == Item::integer) {
        item.kind = Item::array;
        item.arr = ndarray(item.value);
      }
    }
  }
  Plan plan;
  const auto strides = detail::strides_of(a.shape());
  int first_adv = -1, last_adv = -1, n_adv = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (items[i].kind == Item::array) {
      if (first_adv < 0) first_adv = static_cast<int>(i);
      last_adv = static_cast<int>(i);
      ++n_adv;
    }
  }
  // Index arrays next to each other keep their place; separated ones go to the front.
  const bool adjacent = n_adv > 0 && last_adv - first_adv + 1 == n_adv;
  std::vector<std::pair<const ndarray*, int>> adv;  // (index array, axis of a)
  if (n_adv > 0) {
    int dim = 0;
    for (const auto& item : items) {
      if (item.kind == Item::array) {
        plan.adv_shape = plan.adv_shape.empty() && adv.empty()
                             ? item.arr.shape()
                             : broadcast_shapes(plan.adv_shape, item.arr.shape(), "index arrays");
        adv.emplace_back(&item.arr, dim);
      }
      if (item.kind != Item::newaxis) ++dim;
    }
  }
  auto push_adv_axes = [&] {
    for (int k = 0; k < plan.adv_shape.ndim(); ++k) plan.axes.push_back({plan.adv_shape[k], 0, k});
  };
  if (n_adv > 0 && !adjacent) push_adv_axes();
  int dim = 0;
  for (std::size_t i = 0; i < items.size(); ++i) {
    const auto& item = items[i];
    switch (item.kind) {
      case Item::integer:
        plan.base += wrap_index(item.value, a.shape()[dim], dim) * strides[dim];
        ++dim;
        break;
      case Item::range: {
        std::int64_t start, step, count;
        resolve_slice(item.slice, a.shape()[dim], start, step, count);
        plan.base += count > 0 ? start * strides[dim] : 0;
        plan.axes.push_back({count, step * strides[dim], -1});
        ++dim;
        break;
      }
      case Item::newaxis:
        plan.axes.push_back({1, 0, -1});
        break;
      case Item::array:
        if (item.mask_len >= 0 && item.mask_len != a.shape()[dim]) {
          throw index_error(msg("boolean index did not match indexed array along dimension ", dim,
                                "; dimension is ", a.shape()[dim],
                                " but corresponding boolean dimension is ", item.mask_len));
        }
        if (adjacent && static_cast<int>(i) == first_adv) push_adv_axes();
        ++dim;
        break;
      case Item::ellipsis:
        break;
    }
  }
  // Offsets of the advanced part: sum over index arrays of index * stride of its axis.
  if (n_adv > 0) {
    const std::int64_t count = plan.adv_shape.numel();
    plan.adv_offsets.assign(static_cast<std::size_t>(count), 0);
    for (const auto& [arr, axis] : adv) {
      const ndarray b = broadcast_to(*arr, plan.adv_shape);
      const auto* p = b.data<std::int64_t>();
      for (std::int64_t j = 0; j < count; ++j) {
        plan.adv_offsets[j] += wrap_index(p[j], a.shape()[axis], axis) * strides[axis];
      }
    }
  }
  for (const auto& ax : plan.axes) plan.shape.push_back(ax.len);
  return plan;
}

// Calls f(result position, source offset) for every element of the result, in C order.
template <class F>
void walk(const Plan& plan, F&& f) {
  const std::int64_t total = plan.shape.numel();
  if (total == 0) return;
  const int nd = static_cast<int>(plan.axes.size());
  const auto adv_strides = detail::strides_of(plan.adv_shape);
  std::array<std::int64_t, Shape::max_ndim> idx{};
  for (std::int64_t pos = 0; pos < total; ++pos) {
    std::int64_t off = plan.base, adv = 0;
    for (int d = 0; d < nd; ++d) {
      const auto& ax = plan.axes[d];
      if (ax.adv < 0)
        off += idx[d] * ax.stride;
      else
        adv += idx[d] * adv_strides[ax.adv];
    }
    if (!plan.adv_offsets.empty()) off += plan.adv_offsets[adv];
    f(pos, off);
    for (int d = nd - 1; d >= 0; --d) {
      if (++idx[d] < plan.axes[d].len) break;
      idx[d] = 0;
    }
  }
}

// The device path of getitem, setitem and add.at: the plan is made here as for the CPU (the
// same checks and errors), and the source offset of every element of the result goes to the
// GPU as an int64 array for one kernel. Index arrays on the GPU come to the host first: the
// host waits for them (docs/gpu.md).
Indices on_host(const Indices& indices) {
  Indices out = indices;
  for (auto& index : out) {
    if (const ndarray* arr = std::get_if<ndarray>(&index.value()); arr && arr->defined()) {
      if (arr->device() != Device::cpu) index = Index(to_device(*arr, Device::cpu));
    }
  }
  return out;
}

// A host array indexed by an index array on a GPU: the operands live on two devices.
void check_index_devices(const ndarray& a, const Indices& indices, const char* op) {
  for (const auto& index : indices) {
    const ndarray* arr = std::get_if<ndarray>(&index.value());
    if (arr && arr->device() != a.device()) [[unlikely]] {
      throw device_error(msg(op, ": the operands live on two devices: a ", a.shape(),
                             " array on ", a.device(), " indexed by a ", arr->shape(),
                             " index array on ", arr->device(), " (move one with np::to_device)"));
    }
  }
}

ndarray device_offsets(const Plan& plan, Device device) {
  std::vector<std::int64_t> offsets(static_cast<std::size_t>(plan.shape.numel()));
  walk(plan, [&](std::int64_t pos, std::int64_t off) { offsets[pos] = off; });
  return to_device(np::array(offsets), device);
}

void device_indexed(cuda::Indexed mode, ndarray& dst, const ndarray& src, const Plan& plan) {
  const ndarray offsets = device_offsets(plan, dst.device());
  const bool take = mode == cuda::Indexed::take;
  cuda::indexed(mode, dst.dtype(), src.device_data(), dst.device_data(),
                static_cast<const std::int64_t*>(offsets.device_data()),
                take ? dst.size() : src.size());
}

// setitem (put) and add.at (add) where a or the values live on a GPU: the values on a's
// device (device_error when that mixes devices), broadcast to the indexed shape in a's dtype.
void device_scatter(cuda::Indexed mode, const char* op, ndarray& a, const Indices& indices,
                    const ndarray& values) {
  gpu::common_device(op, {&a, &values});
  if (!gpu::off_host(a)) {  // GPU values into a host array (even a 0-d one)
    throw device_error(msg(op, ": the operands live on two devices: a ", a.shape(),
                           " array on cpu and ", values.shape(), " values on ", values.device(),
                           " (move one with np::to_device)"));
  }
  const Plan plan = make_plan(a, on_host(indices), op);
  ndarray v = detail::as_dtype(broadcast_to(gpu::on(values, a.device()), plan.shape), a.dtype());
  if (v.shares_memory(a)) v = v.copy();
  device_indexed(mode, a, v, plan);
}

// The two forms a training loop indexes with, without building a Plan: x[idx] with a 1-D
// integer array (a mini-batch of rows) and x[rows, cols] with two 1-D integer arrays of one
// length on a 2-D x (softmax cross-entropy's pick of each row's label). The same results and
// the same errors as the general way; nullopt for anything else.
std::optional<ndarray> gather_fast(const ndarray& a, const Indices& indices) {
  auto int_vector = [](const Index& index) -> const ndarray* {
    const ndarray* arr = std::get_if<ndarray>(&index.value());
    return arr && arr->defined() && arr->ndim() == 1 && arr->dtype() == DType::int64 ? arr
                                                                                     : nullptr;
  };
  if (!a.defined() || a.ndim() == 0 || indices.empty() || indices.size() > 2) return std::nullopt;
  const ndarray* rows = int_vector(indices[0]);
  if (!rows) return std::nullopt;
  const std::int64_t n = rows->size();
  const std::int64_t* r = rows->data<std::int64_t>();
  if (indices.size() == 1) {
    Shape shape = a.shape();
    shape[0] = n;
    ndarray out = ndarray::uninitialized(shape, a.dtype());
    const std::size_t row_bytes = a.shape()[0] ? a.nbytes() / static_cast<std::size_t>(a.shape()[0]) : 0;
    const auto* src = static_cast<const std::byte*>(a.raw_data());
    auto* dst = static_cast<std::byte*>(out.raw_data());
    for (std::int64_t k = 0; k < n; ++k) {
      const std::int64_t i = wrap_index(r[k], a.shape()[0], 0);
      std::memcpy(dst + static_cast<std::size_t>(k) * row_bytes,
                  src + static_cast<std::size_t>(i) * row_bytes, row_bytes);
    }
    return out;
  }
  const ndarray* cols = int_vector(indices[1]);
  if (!cols || a.ndim() != 2 || cols->size() != n) return std::nullopt;
  const std::int64_t* c = cols->data<std::int64_t>();
  // every row index before any column index, as the general way checks them
  for (std::int64_t k = 0; k < n; ++k) wrap_index(r[k], a.shape()[0], 0);
  for (std::int64_t k = 0; k < n; ++k) wrap_index(c[k], a.shape()[1], 1);
  ndarray out = ndarray::uninitialized(Shape{n}, a.dtype());
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(a.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    const std::int64_t height = a.shape()[0], width = a.shape()[1];
    for (std::int64_t k = 0; k < n; ++k) {  // (checked above: only negatives to wrap)
      const std::int64_t i = r[k] < 0 ? r[k] + height : r[k], j = c[k] < 0 ? c[k] + width : c[k];
      dst[k] = src[i * width + j];
    }
  });
  return out;
}

}  // namespace

ndarray getitem(const ndarray& a, const Indices& indices) {
  if (gpu::off_host(a)) [[unlikely]] {
    const Plan plan = make_plan(a, on_host(indices), "getitem");
    ndarray out = ndarray::uninitialized(plan.shape, a.dtype(), a.device());
    device_indexed(cuda::Indexed::take, out, a, plan);
    return out;
  }
  check_index_devices(a, indices, "getitem");
  if (auto out = gather_fast(a, indices)) return std::move(*out);
  const Plan plan = make_plan(a, indices, "getitem");
  ndarray out = ndarray::uninitialized(plan.shape, a.dtype());
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* src = static_cast<const T*>(a.raw_data());
    T* dst = static_cast<T*>(out.raw_data());
    walk(plan, [&](std::int64_t pos, std::int64_t off) { dst[pos] = src[off]; });
  });
  return out;
}

void setitem(ndarray& a, const Indices& indices, const ndarray& value) {
  if (gpu::off_host(a) || gpu::off_host(value)) [[unlikely]] {
    return device_scatter(cuda::Indexed::put, "setitem", a, indices, value);
  }
  check_index_devices(a, indices, "setitem");
  const Plan plan = make_plan(a, indices, "setitem");
  ndarray v = detail::as_dtype(broadcast_to(value, plan.shape), a.dtype());
  if (v.shares_memory(a)) v = v.copy();  // a[::-1] = a reads every value before writing
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* dst = static_cast<T*>(a.raw_data());
    const T* src = static_cast<const T*>(v.raw_data());
    walk(plan, [&](std::int64_t pos, std::int64_t off) { dst[off] = src[pos]; });
  });
}

void add_at(ndarray& a, const Indices& indices, const ndarray& values) {
  if (gpu::off_host(a) || gpu::off_host(values)) [[unlikely]] {
    return device_scatter(cuda::Indexed::add, "add.at", a, indices, values);
  }
  check_index_devices(a, indices, "add.at");
  const Plan plan = make_plan(a, indices, "add.at");
  ndarray v = detail::as_dtype(broadcast_to(values, plan.shape), a.dtype());
  if (v.shares_memory(a)) v = v.copy();
  dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    T* dst = static_cast<T*>(a.raw_data());
    const T* src = static_cast<const T*>(v.raw_data());
    walk(plan, [&](std::int64_t pos, std::int64_t off) {
      if constexpr (std::is_same_v<T, bool>)
        dst[off] = dst[off] || src[pos];
      else
        dst[off] = static_cast<T>(dst[off] + src[pos]);
    });
  });
}

ndarray ndarray::operator[](std::int64_t index) const { return getitem(*this, Indices{index}); }
ndarray ndarray::operator[](const ndarray& index) const { return getitem(*this, Indices{index}); }
ndarray ndarray::operator[](const Indices& indices) const { return getitem(*this, indices); }

}  // namespace np
