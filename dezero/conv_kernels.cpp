#include "dezero/conv_kernels.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#ifdef _OPENMP
#include <omp.h>
#endif

namespace dezero::kernels {

namespace {

using utils::get_conv_outsize;
using utils::get_deconv_outsize;

std::string shape_str(const np::Shape& s) { return s.str(); }

// NaN test that also compiles for integer element types.
template <class T>
bool is_nan(T v) {
  if constexpr (std::is_floating_point_v<T>) {
    return std::isnan(v);
  } else {
    return false;
  }
}

// ===================================== geometry =============================================

// Everything a receptive-field loop needs: the image (N, C, H, W), the kernel, stride and
// padding, and the output size.
struct Geo {
  std::int64_t N, C, H, W, KH, KW, SH, SW, PH, PW, OH, OW;
  std::int64_t P() const { return OH * OW; }       // output positions per image
  std::int64_t K() const { return C * KH * KW; }   // values per receptive field
  std::int64_t work() const { return N * K() * P(); }
};

Geo make_geo(const np::Shape& img, const ConvGeometry& g) {
  Geo geo{img[0], img[1], img[2], img[3], g.kernel_size.h, g.kernel_size.w, g.stride.h,
          g.stride.w, g.pad.h, g.pad.w, 0, 0};
  geo.OH = get_conv_outsize(geo.H, geo.KH, geo.SH, geo.PH);
  geo.OW = get_conv_outsize(geo.W, geo.KW, geo.SW, geo.PW);
  return geo;
}


}  // namespace

void check_geometry(const char* fn, const ConvGeometry& g, bool has_kernel) {
  if (has_kernel && (g.kernel_size.h < 1 || g.kernel_size.w < 1)) {
    throw std::invalid_argument(std::string(fn) + ": kernel_size " + g.kernel_size.str() +
                                " must be at least 1");
  }
  if (g.stride.h < 1 || g.stride.w < 1) {
    throw std::invalid_argument(std::string(fn) + ": stride " + g.stride.str() +
                                " must be at least 1");
  }
  if (g.pad.h < 0 || g.pad.w < 0) {
    throw std::invalid_argument(std::string(fn) + ": pad " + g.pad.str() + " must not be negative");
  }
}

// x must be a defined 4-D image batch; `what` names it in the message ("x", "gy").
void require_image(const np::ndarray& x, const char* what, const char* layout) {
  if (!x.defined()) throw std::invalid_argument(std::string(what) + " is None");
  if (x.ndim() != 4) {
    throw np::shape_error(std::string(what) + " " + shape_str(x.shape()) + " must be 4-D " + layout);
  }
}


namespace {

// The kernel must fit into the padded image: at least one output position on each axis.
void require_fits(const Geo& g, const np::Shape& x_shape) {
  if (g.OH < 1 || g.OW < 1) {
    throw np::shape_error("the kernel (" + std::to_string(g.KH) + ", " + std::to_string(g.KW) +
                          ") is larger than the input " + shape_str(x_shape) + " padded by (" +
                          std::to_string(g.PH) + ", " + std::to_string(g.PW) + "), which is (" +
                          std::to_string(g.H + 2 * g.PH) + ", " + std::to_string(g.W + 2 * g.PW) +
                          ")");
  }
}

// Where a receptive-field value goes in a column array: n * sN + r * sR + p * sP, with r the
// (c, kh, kw) index and p the (oh, ow) index.
struct Layout {
  std::int64_t sN, sR, sP;
};
Layout six_d_layout(const Geo& g) { return {g.K() * g.P(), g.P(), 1}; }      // (N, C, KH, KW, OH, OW)
Layout matrix_layout(const Geo& g) { return {g.P() * g.K(), 1, g.K()}; }     // (N*OH*OW, C*KH*KW)

// Python's floor and ceiling division for a positive divisor.
std::int64_t floor_div(std::int64_t a, std::int64_t b) { return a >= 0 ? a / b : -((-a + b - 1) / b); }
std::int64_t ceil_div(std::int64_t a, std::int64_t b) { return -floor_div(-a, b); }

// The output columns [lo, hi) whose input column ow * SW - PW + kw lies inside the image.
void valid_range(std::int64_t width, std::int64_t out, std::int64_t stride, std::int64_t pad,
                 std::int64_t k, std::int64_t& lo, std::int64_t& hi) {
  lo = std::clamp<std::int64_t>(ceil_div(pad - k, stride), 0, out);
  hi = std::clamp<std::int64_t>(floor_div(width - 1 + pad - k, stride) + 1, lo, out);
}

// Loops worth splitting between threads (below this the threads cost more than they give).
constexpr std::int64_t parallel_work = 1 << 15;

// ===================================== kernels ==============================================

// im2col: every (n, c, kh, kw) row of receptive-field values, `fill` outside the image.
template <class T>
void im2col_kernel(const T* img, T* col, const Geo& g, Layout L, T fill) {
  const std::int64_t planes = g.N * g.C;
#pragma omp parallel for schedule(static) if (g.work() >= parallel_work && planes > 1)
  for (std::int64_t nc = 0; nc < planes; ++nc) {
    const std::int64_t n = nc / g.C, c = nc % g.C;
    const T* src = img + nc * g.H * g.W;
    for (std::int64_t kh = 0; kh < g.KH; ++kh) {
      for (std::int64_t kw = 0; kw < g.KW; ++kw) {
        T* dst = col + n * L.sN + ((c * g.KH + kh) * g.KW + kw) * L.sR;
        std::int64_t lo, hi;
        valid_range(g.W, g.OW, g.SW, g.PW, kw, lo, hi);
        for (std::int64_t oh = 0; oh < g.OH; ++oh) {
          T* d = dst + oh * g.OW * L.sP;
          const std::int64_t ih = oh * g.SH - g.PH + kh;
          if (ih < 0 || ih >= g.H) {
            for (std::int64_t ow = 0; ow < g.OW; ++ow) d[ow * L.sP] = fill;
            continue;
          }
          const T* row = src + ih * g.W;
          const std::int64_t shift = kw - g.PW;  // input column of ow is ow * SW + shift
          for (std::int64_t ow = 0; ow < lo; ++ow) d[ow * L.sP] = fill;
          if (L.sP == 1) {
            // (rows are short: a loop the compiler vectorises beats a memcpy call)
            if (g.SW == 1) {
              for (std::int64_t ow = lo; ow < hi; ++ow) d[ow] = row[ow + shift];
            } else {
              for (std::int64_t ow = lo; ow < hi; ++ow) d[ow] = row[ow * g.SW + shift];
            }
            for (std::int64_t ow = hi; ow < g.OW; ++ow) d[ow] = fill;
          } else {
            for (std::int64_t ow = lo; ow < hi; ++ow) d[ow * L.sP] = row[ow * g.SW + shift];
            for (std::int64_t ow = hi; ow < g.OW; ++ow) d[ow * L.sP] = fill;
          }
        }
      }
    }
  }
}

// col2im: the adjoint; every image plane (n, c) sums the values of its own rows, so the planes
// are independent and can be split between threads.
template <class T>
void col2im_kernel(const T* col, T* img, const Geo& g, Layout L) {
  const std::int64_t planes = g.N * g.C;
#pragma omp parallel for schedule(static) if (g.work() >= parallel_work && planes > 1)
  for (std::int64_t nc = 0; nc < planes; ++nc) {
    const std::int64_t n = nc / g.C, c = nc % g.C;
    T* dst = img + nc * g.H * g.W;
    std::fill(dst, dst + g.H * g.W, T{});
    for (std::int64_t kh = 0; kh < g.KH; ++kh) {
      for (std::int64_t kw = 0; kw < g.KW; ++kw) {
        const T* src = col + n * L.sN + ((c * g.KH + kh) * g.KW + kw) * L.sR;
        std::int64_t lo, hi;
        valid_range(g.W, g.OW, g.SW, g.PW, kw, lo, hi);
        const std::int64_t shift = kw - g.PW;
        for (std::int64_t oh = 0; oh < g.OH; ++oh) {
          const std::int64_t ih = oh * g.SH - g.PH + kh;
          if (ih < 0 || ih >= g.H) continue;
          const T* s = src + oh * g.OW * L.sP;
          T* row = dst + ih * g.W;
          if (L.sP == 1 && g.SW == 1) {
            T* __restrict r = row + lo + shift;  // the first column inside the image
            const T* __restrict c = s + lo;
            for (std::int64_t i = 0; i < hi - lo; ++i) r[i] += c[i];
          } else if (L.sP == 1) {
            for (std::int64_t ow = lo; ow < hi; ++ow) row[ow * g.SW + shift] += s[ow];
          } else {
            for (std::int64_t ow = lo; ow < hi; ++ow) row[ow * g.SW + shift] += s[ow * L.sP];
          }
        }
      }
    }
  }
}

template <class T>
using RowMatrix = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
template <class T>
using ConstMap = Eigen::Map<const RowMatrix<T>>;
template <class T>
using Map = Eigen::Map<RowMatrix<T>>;

// Calls f(T{}) with the floating-point type of dtype (float32 or float64 only).
template <class F>
void dispatch_float(np::DType dtype, F&& f) {
  if (dtype == np::float32) {
    f(float{});
  } else {
    f(double{});
  }
}

// The dtype of a product of x and W (NumPy's result type), which must be floating-point: the
// matrix products run in float32 or float64.
np::DType product_dtype(const np::ndarray& x, const np::ndarray& W) {
  const np::DType dtype = np::result_type(x, W);
  if (!np::is_floating(dtype)) {
    throw np::dtype_error("x " + std::string(np::dtype_name(x.dtype())) + " and W " +
                          std::string(np::dtype_name(W.dtype())) +
                          ": convolutions compute in float32 or float64");
  }
  return dtype;
}

np::ndarray as_dtype(const np::ndarray& a, np::DType dtype) {
  return a.dtype() == dtype ? a : a.astype(dtype);
}

// A bias must be (OC,); `channels` names what it must match.
void require_bias(const np::ndarray* b, std::int64_t channels, const np::ndarray& W) {
  if (!b) return;
  if (!b->defined()) throw std::invalid_argument("b is an undefined array (use None: {})");
  if (b->ndim() != 1 || b->shape()[0] != channels) {
    throw np::shape_error("b " + shape_str(b->shape()) + " does not match the " +
                          std::to_string(channels) + " output channels of W " + shape_str(W.shape()) +
                          " (it must be (" + std::to_string(channels) + ",))");
  }
}

template <class T>
void add_bias(T* y, const T* b, std::int64_t n, std::int64_t oc, std::int64_t p) {
  for (std::int64_t i = 0; i < n * oc; ++i) {
    const T bias = b[i % oc];
    T* d = y + i * p;
    for (std::int64_t j = 0; j < p; ++j) d[j] += bias;
  }
}

// ===================================== the convolution engine ===============================
// A convolution is im2col and one matrix product; done on the whole batch at once, the column
// matrix (C*KH*KW, N*OH*OW) is many megabytes (11 MB for a batch of 100 small images, 115 MB for
// one 224 x 224 VGG layer), written once and read once from main memory. So the columns are made
// and multiplied in chunks of output rows that stay in the core's cache: each chunk's column
// block is built by im2col and immediately multiplied (one GEMM per chunk, through Eigen on the
// arrays' storage), and the chunks are shared between the cores. A chunk is a range of the
// flattened (image, output row) index q = n * OH + oh: a few whole images when an image is
// small, a band of rows of one image when it is large.
struct Chunks {
  std::int64_t count = 0;
  std::int64_t per_chunk = 0;  // images per chunk (whole) or rows per chunk (band)
  bool whole = true;           // chunks of whole images (no two chunks touch the same image)
  std::int64_t bands = 1;      // bands per image (when !whole)
  std::int64_t OH = 0, N = 0;
  void range(std::int64_t i, std::int64_t& q0, std::int64_t& q1) const {
    if (whole) {
      q0 = i * per_chunk * OH;
      q1 = std::min(N * OH, q0 + per_chunk * OH);
    } else {
      const std::int64_t n = i / bands, j = i % bands;
      q0 = n * OH + j * per_chunk;
      q1 = std::min(n * OH + OH, q0 + per_chunk);
    }
  }
};

// About 2048 columns per chunk (enough for an efficient product), fewer when a column holds
// many values, so that a chunk's columns take about 1 MB.
Chunks plan_chunks(const Geo& g, std::size_t itemsize) {
  const std::int64_t K = std::max<std::int64_t>(g.K(), 1), P = std::max<std::int64_t>(g.P(), 1);
  const std::int64_t budget = static_cast<std::int64_t>((1 << 20) / itemsize) / K;
  const std::int64_t cols = std::clamp<std::int64_t>(budget, 1024, 2048);
  Chunks c;
  c.OH = g.OH;
  c.N = g.N;
  if (P <= cols) {
    c.whole = true;
    c.per_chunk = std::max<std::int64_t>(1, cols / P);
    c.count = (g.N + c.per_chunk - 1) / c.per_chunk;
  } else {
    c.whole = false;
    c.per_chunk = std::max<std::int64_t>(1, cols / std::max<std::int64_t>(g.OW, 1));
    c.bands = (g.OH + c.per_chunk - 1) / c.per_chunk;
    c.count = g.N * c.bands;
  }
  return c;
}

// im2col of the output rows [q0, q1) into col (C*KH*KW, (q1 - q0) * OW), zeros outside the image.
// A row is a few tens of values (W4's 28 and 14), so the work per row must be small: the image
// and row are followed incrementally rather than divided out, and the zeros at the edges (one
// or two values) are stored in place: GCC would call memset for each of them, the call costing
// more than the stores (no_tree_loop_distribute_patterns keeps the loops as loops).
template <class T>
#if defined(__GNUC__) && !defined(__clang__)
__attribute__((optimize("no-tree-loop-distribute-patterns")))
#endif
void im2col_rows(const T* img, T* col, const Geo& g, std::int64_t q0, std::int64_t q1) {
  const std::int64_t OW = g.OW, SW = g.SW, cols = (q1 - q0) * OW;
  for (std::int64_t c = 0; c < g.C; ++c) {
    for (std::int64_t kh = 0; kh < g.KH; ++kh) {
      for (std::int64_t kw = 0; kw < g.KW; ++kw) {
        T* dst = col + ((c * g.KH + kh) * g.KW + kw) * cols;
        std::int64_t lo, hi;
        valid_range(g.W, OW, SW, g.PW, kw, lo, hi);
        const std::int64_t shift = kw - g.PW;
        std::int64_t n = q0 / g.OH, oh = q0 - n * g.OH;
        for (std::int64_t q = q0; q < q1; ++q) {
          T* __restrict d = dst + (q - q0) * OW;
          const std::int64_t ih = oh * g.SH - g.PH + kh;
          if (ih < 0 || ih >= g.H) {
            for (std::int64_t ow = 0; ow < OW; ++ow) d[ow] = T{};
          } else {
            const T* __restrict row = img + ((n * g.C + c) * g.H + ih) * g.W + shift;
            for (std::int64_t ow = 0; ow < lo; ++ow) d[ow] = T{};
            if (SW == 1) {
              for (std::int64_t ow = lo; ow < hi; ++ow) d[ow] = row[ow];
            } else {
              for (std::int64_t ow = lo; ow < hi; ++ow) d[ow] = row[ow * SW];
            }
            for (std::int64_t ow = hi; ow < OW; ++ow) d[ow] = T{};
          }
          if (++oh == g.OH) {
            oh = 0;
            ++n;
          }
        }
      }
    }
  }
}

// The adjoint: adds the columns of the output rows [q0, q1) into img (which holds the sum so far),
// in the order of im2col's values (the order of the additions into a pixel decides its bits).
// The image and row are followed incrementally, as in im2col_rows.
template <class T>
void col2im_rows(const T* col, T* img, const Geo& g, std::int64_t q0, std::int64_t q1) {
  const std::int64_t cols = (q1 - q0) * g.OW;
  for (std::int64_t c = 0; c < g.C; ++c) {
    for (std::int64_t kh = 0; kh < g.KH; ++kh) {
      for (std::int64_t kw = 0; kw < g.KW; ++kw) {
        const T* src = col + ((c * g.KH + kh) * g.KW + kw) * cols;
        std::int64_t lo, hi;
        valid_range(g.W, g.OW, g.SW, g.PW, kw, lo, hi);
        const std::int64_t shift = kw - g.PW;
        std::int64_t n = q0 / g.OH, oh = q0 - n * g.OH;
        for (std::int64_t q = q0; q < q1; ++q, ++oh) {
          if (oh == g.OH) {
            oh = 0;
            ++n;
          }
          const std::int64_t ih = oh * g.SH - g.PH + kh;
          if (ih < 0 || ih >= g.H) continue;
          const T* s = src + (q - q0) * g.OW;
          T* row = img + ((n * g.C + c) * g.H + ih) * g.W;
          if (g.SW == 1) {
            T* __restrict r = row + lo + shift;  // the first column inside the image
            const T* __restrict v = s + lo;
            for (std::int64_t i = 0; i < hi - lo; ++i) r[i] += v[i];
          } else {
            for (std::int64_t ow = lo; ow < hi; ++ow) row[ow * g.SW + shift] += s[ow];
          }
        }
      }
    }
  }
}

// The rows [q0, q1) of a (N, A, OH*OW) array as a matrix (A, (q1 - q0) * OW), and back.
template <class T>
void gather_rows(const T* src, T* dst, std::int64_t A, std::int64_t OH, std::int64_t OW,
                 std::int64_t q0, std::int64_t q1) {
  const std::int64_t cols = (q1 - q0) * OW;
  for (std::int64_t q = q0; q < q1;) {
    // the rows of one image in this chunk are contiguous in every channel
    const std::int64_t n = q / OH, oh = q - n * OH, rows = std::min(q1 - q, OH - oh);
    for (std::int64_t a = 0; a < A; ++a) {
      std::memcpy(dst + a * cols + (q - q0) * OW, src + ((n * A + a) * OH + oh) * OW,
                  static_cast<std::size_t>(rows * OW) * sizeof(T));
    }
    q += rows;
  }
}

// y rows [q0, q1) of every channel from Y (A, cols), plus b[a] (b may be null).
template <class T>
void scatter_rows(const T* Y, T* y, const T* b, std::int64_t A, std::int64_t OH, std::int64_t OW,
                  std::int64_t q0, std::int64_t q1) {
  const std::int64_t cols = (q1 - q0) * OW;
  for (std::int64_t q = q0; q < q1;) {
    const std::int64_t n = q / OH, oh = q - n * OH, rows = std::min(q1 - q, OH - oh);
    const std::int64_t len = rows * OW;
    for (std::int64_t a = 0; a < A; ++a) {
      const T* s = Y + a * cols + (q - q0) * OW;
      T* d = y + ((n * A + a) * OH + oh) * OW;
      if (b) {
        const T bias = b[a];
        for (std::int64_t i = 0; i < len; ++i) d[i] = s[i] + bias;
      } else {
        std::memcpy(d, s, static_cast<std::size_t>(len) * sizeof(T));
      }
    }
    q += rows;
  }
}

// Threads for `chunks` chunks of about `work` multiply-adds in all: one when it is small.
int chunk_threads(const Chunks& c, double work) {
#ifdef _OPENMP
  if (c.count < 2 || work < 4e6) return 1;
  return static_cast<int>(std::min<std::int64_t>(omp_get_max_threads(), c.count));
#else
  (void)c;
  (void)work;
  return 1;
#endif
}

// ===================================== shared pieces ========================================

// The im2col of `x` (any dtype) in the given layout; the caller has checked the geometry.
np::ndarray im2col_into(const np::ndarray& x, const Geo& g, const np::Shape& shape, Layout L) {
  np::ndarray col = np::ndarray::uninitialized(shape, x.dtype());
  np::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    im2col_kernel(x.data<T>(), col.data<T>(), g, L, T{});
  });
  return col;
}

np::ndarray col2im_from(const np::ndarray& col, const Geo& g, Layout L) {
  np::ndarray img = np::ndarray::uninitialized({g.N, g.C, g.H, g.W}, col.dtype());
  np::dispatch(col.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    col2im_kernel(col.data<T>(), img.data<T>(), g, L);
  });
  return img;
}

// The geometry of im2col_array / col2im_array on an image shape, checked.
Geo image_geometry(const np::Shape& img_shape, const ConvGeometry& cg) {
  const Geo g = make_geo(img_shape, cg);
  require_fits(g, img_shape);
  return g;
}

np::Shape col_shape(const Geo& g, bool to_matrix) {
  if (to_matrix) return {g.N * g.P(), g.K()};
  return {g.N, g.C, g.KH, g.KW, g.OH, g.OW};
}

// The array forms without the name in front of their messages (the Functions add theirs).
np::ndarray im2col_impl(const np::ndarray& img, const ConvGeometry& cg, bool to_matrix) {
  require_image(img, "img");
  const Geo g = image_geometry(img.shape(), cg);
  return im2col_into(img, g, col_shape(g, to_matrix), to_matrix ? matrix_layout(g) : six_d_layout(g));
}

np::ndarray col2im_impl(const np::ndarray& col, const np::Shape& img_shape, const ConvGeometry& cg,
                        bool to_matrix) {
  if (!col.defined()) throw std::invalid_argument("col is None");
  if (img_shape.ndim() != 4) {
    throw np::shape_error("the image shape " + shape_str(img_shape) + " must be 4-D (N, C, H, W)");
  }
  const Geo g = image_geometry(img_shape, cg);
  const np::Shape want = col_shape(g, to_matrix);
  if (!(col.shape() == want)) {
    throw np::shape_error("col " + shape_str(col.shape()) + " does not fit the image " +
                          shape_str(img_shape) + " with kernel " + cg.kernel_size.str() +
                          ", stride " + cg.stride.str() + ", pad " + cg.pad.str() +
                          ": it must be " + shape_str(want));
  }
  return col2im_from(col, g, to_matrix ? matrix_layout(g) : six_d_layout(g));
}

// y (N, OC, OH, OW) = W (OC, C*KH*KW) x im2col(x) (C*KH*KW, N*OH*OW) + b, chunk by chunk.
np::ndarray conv_forward(const np::ndarray& x_in, const np::ndarray& W_in, const np::ndarray* b_in,
                         Pair stride, Pair pad) {
  require_conv_inputs(x_in, W_in, b_in, false);
  const np::DType dtype = product_dtype(x_in, W_in);
  const np::ndarray x = as_dtype(x_in, dtype), W = as_dtype(W_in, dtype);
  const Geo g = make_geo(x.shape(), {Pair(W.shape()[2], W.shape()[3]), stride, pad});
  require_fits(g, x.shape());
  const std::int64_t OC = W.shape()[0], K = g.K();
  const np::ndarray b = b_in ? as_dtype(*b_in, dtype) : np::ndarray();
  np::ndarray y = np::ndarray::uninitialized({g.N, OC, g.OH, g.OW}, dtype);
  dispatch_float(dtype, [&](auto tag) {
    using T = decltype(tag);
    const Chunks chunks = plan_chunks(g, sizeof(T));
    const std::int64_t max_cols = (chunks.whole ? chunks.per_chunk * g.OH : chunks.per_chunk) * g.OW;
    const T* px = x.data<T>();
    const T* bias = b.defined() ? b.data<T>() : nullptr;
    T* py = y.data<T>();
    const ConstMap<T> Wm(W.data<T>(), OC, K);
    const int threads = chunk_threads(chunks, static_cast<double>(OC) * K * g.N * g.P());
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
      std::vector<T> col(static_cast<std::size_t>(K * max_cols)), Y(static_cast<std::size_t>(OC * max_cols));
#pragma omp for schedule(dynamic)
      for (std::int64_t i = 0; i < chunks.count; ++i) {
        std::int64_t q0, q1;
        chunks.range(i, q0, q1);
        const std::int64_t cols = (q1 - q0) * g.OW;
        im2col_rows(px, col.data(), g, q0, q1);
        Map<T> out(Y.data(), OC, cols);
        if (K == 0) {
          out.setZero();
        } else {
          out.noalias() = Wm * ConstMap<T>(col.data(), K, cols);
        }
        scatter_rows(Y.data(), py, bias, OC, g.OH, g.OW, q0, q1);
      }
    }
  });
  return y;
}

// The size a transposed convolution produces, checked against the convolution that maps it
// back to x's (H, W).
Pair deconv_outsize(const np::ndarray& x, const np::ndarray& W, Pair stride, Pair pad,
                    const std::optional<Pair>& outsize) {
  const std::int64_t H = x.shape()[2], Wd = x.shape()[3], KH = W.shape()[2], KW = W.shape()[3];
  const Pair out = outsize ? *outsize
                           : Pair(get_deconv_outsize(H, KH, stride.h, pad.h),
                                  get_deconv_outsize(Wd, KW, stride.w, pad.w));
  const std::int64_t back_h = get_conv_outsize(out.h, KH, stride.h, pad.h);
  const std::int64_t back_w = get_conv_outsize(out.w, KW, stride.w, pad.w);
  if (out.h < 1 || out.w < 1 || back_h != H || back_w != Wd) {
    throw np::shape_error("the output size " + out.str() + " does not fit x " + shape_str(x.shape()) +
                          " and W " + shape_str(W.shape()) + " with stride " + stride.str() + " and pad " +
                          pad.str() + ": a convolution of it gives (" + std::to_string(back_h) +
                          ", " + std::to_string(back_w) + "), not (" + std::to_string(H) + ", " +
                          std::to_string(Wd) + ")");
  }
  return out;
}

// y (N, OC, OH, OW) = col2im(W^T (OC*KH*KW, C) x x (C, N*H*W)) + b: chunk by chunk, a product
// and the columns summed back into the image. Chunks of whole images run in parallel; bands of
// one image overlap in the image, so they run one after the other.
np::ndarray deconv_forward(const np::ndarray& x_in, const np::ndarray& W_in,
                           const np::ndarray* b_in, Pair stride, Pair pad,
                           const std::optional<Pair>& outsize) {
  require_conv_inputs(x_in, W_in, b_in, true);
  const np::DType dtype = product_dtype(x_in, W_in);
  const np::ndarray x = as_dtype(x_in, dtype), W = as_dtype(W_in, dtype);
  const Pair out = deconv_outsize(x, W, stride, pad, outsize);
  const std::int64_t N = x.shape()[0], C = x.shape()[1], OC = W.shape()[1];
  // The geometry of the convolution that maps the output (N, OC, out) back to x's (H, W).
  const Geo g = make_geo({N, OC, out.h, out.w}, {Pair(W.shape()[2], W.shape()[3]), stride, pad});
  const std::int64_t K = g.K();
  const np::ndarray b = b_in ? as_dtype(*b_in, dtype) : np::ndarray();
  np::ndarray y(np::Shape{N, OC, out.h, out.w}, dtype);  // zeros: the chunks add into it
  dispatch_float(dtype, [&](auto tag) {
    using T = decltype(tag);
    const Chunks chunks = plan_chunks(g, sizeof(T));
    const std::int64_t max_cols = (chunks.whole ? chunks.per_chunk * g.OH : chunks.per_chunk) * g.OW;
    const T* px = x.data<T>();
    T* py = y.data<T>();
    const ConstMap<T> Wm(W.data<T>(), C, K);
    const int threads =
        chunks.whole ? chunk_threads(chunks, static_cast<double>(C) * K * N * g.P()) : 1;
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
      std::vector<T> xt(static_cast<std::size_t>(C * max_cols)), col(static_cast<std::size_t>(K * max_cols));
#pragma omp for schedule(dynamic)
      for (std::int64_t i = 0; i < chunks.count; ++i) {
        std::int64_t q0, q1;
        chunks.range(i, q0, q1);
        const std::int64_t cols = (q1 - q0) * g.OW;
        gather_rows(px, xt.data(), C, g.OH, g.OW, q0, q1);
        Map<T> cm(col.data(), K, cols);
        if (C == 0) {
          cm.setZero();
        } else {
          cm.noalias() = Wm.transpose() * ConstMap<T>(xt.data(), C, cols);
        }
        col2im_rows(col.data(), py, g, q0, q1);
      }
    }
    if (b.defined()) add_bias(py, b.data<T>(), N, OC, out.h * out.w);
  });
  return y;
}

// gW (OC, C, KH, KW) = gy (OC, N*OH*OW) x im2col(x)^T (N*OH*OW, C*KH*KW): every thread sums
// the products of its chunks (always the same ones: a static schedule), then the threads' sums
// are added in order, so that the result does not depend on timing.
np::ndarray conv_grad_w(const np::ndarray& x_in, const np::ndarray& gy_in, const ConvGeometry& cg) {
  require_image(x_in, "x");
  require_image(gy_in, "gy");
  const np::DType dtype = product_dtype(x_in, gy_in);
  const np::ndarray x = as_dtype(x_in, dtype), gy = as_dtype(gy_in, dtype);
  const Geo g = make_geo(x.shape(), cg);
  require_fits(g, x.shape());
  const std::int64_t OC = gy.shape()[1], K = g.K();
  if (gy.shape()[0] != g.N || gy.shape()[2] != g.OH || gy.shape()[3] != g.OW) {
    throw np::shape_error("gy " + shape_str(gy.shape()) + " is not the output of a convolution of x " +
                          shape_str(x.shape()) + " with kernel " + cg.kernel_size.str() + ", stride " +
                          cg.stride.str() + ", pad " + cg.pad.str() + ", which is (" +
                          std::to_string(g.N) + ", OC, " + std::to_string(g.OH) + ", " +
                          std::to_string(g.OW) + ")");
  }
  np::ndarray gW(np::Shape{OC, g.C, g.KH, g.KW}, dtype);  // zeros
  dispatch_float(dtype, [&](auto tag) {
    using T = decltype(tag);
    const Chunks chunks = plan_chunks(g, sizeof(T));
    const std::int64_t max_cols = (chunks.whole ? chunks.per_chunk * g.OH : chunks.per_chunk) * g.OW;
    const T* px = x.data<T>();
    const T* pgy = gy.data<T>();
    Map<T> total(gW.data<T>(), OC, K);
    const int threads = chunk_threads(chunks, static_cast<double>(OC) * K * g.N * g.P());
    std::vector<RowMatrix<T>> partials(static_cast<std::size_t>(threads), RowMatrix<T>::Zero(OC, K));
#pragma omp parallel num_threads(threads) if (threads > 1)
    {
      std::vector<T> col(static_cast<std::size_t>(K * max_cols)), gyt(static_cast<std::size_t>(OC * max_cols));
#ifdef _OPENMP
      RowMatrix<T>& partial = partials[static_cast<std::size_t>(omp_get_thread_num())];
#else
      RowMatrix<T>& partial = partials[0];
#endif
#pragma omp for schedule(static)
      for (std::int64_t i = 0; i < chunks.count; ++i) {
        std::int64_t q0, q1;
        chunks.range(i, q0, q1);
        const std::int64_t cols = (q1 - q0) * g.OW;
        im2col_rows(px, col.data(), g, q0, q1);
        gather_rows(pgy, gyt.data(), OC, g.OH, g.OW, q0, q1);
        partial.noalias() +=
            ConstMap<T>(gyt.data(), OC, cols) * ConstMap<T>(col.data(), K, cols).transpose();
      }
    }
    for (const RowMatrix<T>& partial : partials) total += partial;
  });
  return gW;
}

// The geometry of a pooling of x, checked: a 4-D x whose padded image holds the kernel.
Geo pooling_geometry(const np::ndarray& x, const ConvGeometry& cg) {
  require_image(x, "x");
  const Geo g = make_geo(x.shape(), cg);
  require_fits(g, x.shape());
  return g;
}

// The kernel rows [lo, hi) of output row `o` that fall inside the image (the rest is padding).
inline void window_range(std::int64_t o, std::int64_t stride, std::int64_t pad, std::int64_t k,
                         std::int64_t size, std::int64_t& lo, std::int64_t& hi) {
  const std::int64_t start = o * stride - pad;
  lo = std::max<std::int64_t>(0, -start);
  hi = std::min<std::int64_t>(k, size - start);
}

// y = the maximum of each window, idx = where it is (the first one in window order; NaN
// counts as the largest, as in NumPy's max and argmax). Padding is -infinity: only the
// window's part inside the image takes part (the padding is smaller than the kernel, so that
// part is never empty). The comparisons select without branches: on real data the larger of
// two values is unpredictable.
template <class T>
void max_pool_kernel(const T* x, T* y, std::int64_t* idx, const Geo& g) {
  const std::int64_t planes = g.N * g.C, P = g.P();
#pragma omp parallel for schedule(static) if (planes * P * g.KH * g.KW >= parallel_work && planes > 1)
  for (std::int64_t nc = 0; nc < planes; ++nc) {
    const T* src = x + nc * g.H * g.W;
    T* out = y + nc * P;
    std::int64_t* where = idx + nc * P;
    // The output columns whose whole window lies inside the image horizontally: there every
    // kernel offset is handled for a row of outputs at once (a loop the compiler vectorises).
    const std::int64_t ow_in0 = std::min(g.OW, ceil_div(g.PW, g.SW));
    const std::int64_t ow_in1 = std::max(ow_in0, std::min(g.OW, floor_div(g.W + g.PW - g.KW, g.SW) + 1));
    for (std::int64_t oh = 0; oh < g.OH; ++oh) {
      std::int64_t kh0, kh1;
      window_range(oh, g.SH, g.PH, g.KH, g.H, kh0, kh1);
      // (offsets, not pointers: a window's start may lie in the padding, before the image)
      const std::int64_t top = (oh * g.SH - g.PH) * g.W;  // the window's row kh starts at top + kh W
      T* o = out + oh * g.OW;
      std::int64_t* w = where + oh * g.OW;
      for (std::int64_t ow = 0; ow < g.OW; ++ow) {
        if (ow == ow_in0 && ow_in1 > ow_in0) ow = ow_in1;  // the inner part comes below
        if (ow >= g.OW) break;
        std::int64_t kw0, kw1;
        window_range(ow, g.SW, g.PW, g.KW, g.W, kw0, kw1);
        const std::int64_t left = ow * g.SW - g.PW;
        T best = src[top + kh0 * g.W + left + kw0];
        std::int64_t best_k = kh0 * g.KW + kw0;
        for (std::int64_t kh = kh0; kh < kh1; ++kh) {
          for (std::int64_t kw = kw0; kw < kw1; ++kw) {
            const T v = src[top + kh * g.W + left + kw];
            // larger, or the first NaN (a NaN best is never replaced)
            // (bitwise on ints, not ||: no branch in the inner loop)
            const int larger = v > best;
            const int first_nan = static_cast<int>(is_nan(v)) & static_cast<int>(!is_nan(best));
            const bool take = (larger | first_nan) != 0;
            best = take ? v : best;
            best_k = take ? kh * g.KW + kw : best_k;
          }
        }
        o[ow] = best;
        w[ow] = best_k;
      }
      // The inner columns, kernel offset by kernel offset.
      const std::int64_t base = top - g.PW;  // + ow SW + kh W + kw
      for (std::int64_t ow = ow_in0; ow < ow_in1; ++ow) {
        o[ow] = src[base + kh0 * g.W + ow * g.SW];
        w[ow] = kh0 * g.KW;
      }
      for (std::int64_t kh = kh0; kh < kh1; ++kh) {
        for (std::int64_t kw = kh == kh0 ? 1 : 0; kw < g.KW; ++kw) {
          const std::int64_t k = kh * g.KW + kw, SW = g.SW;  // (a local: g could alias the stores)
          // r[i] is the window of output column ow_in0 + i (inside the image)
          const T* __restrict r = src + base + kh * g.W + kw + ow_in0 * SW;
          T* __restrict ob = o + ow_in0;
          std::int64_t* __restrict wb = w + ow_in0;
          for (std::int64_t ow = 0; ow < ow_in1 - ow_in0; ++ow) {
            const T v = r[ow * SW], b = ob[ow];
            // the same rule as above, in a form that vectorises: a NaN best stays (b == b is
            // false), otherwise v wins when it is larger or NaN (v <= b is false)
            const bool take = (b == b) & !(v <= b);
            ob[ow] = take ? v : b;
            wb[ow] = take ? k : wb[ow];
          }
        }
      }
    }
  }
}

// gx += gy at each window's saved maximum (windows that overlap add up).
template <class T>
void max_pool_grad_kernel(const T* gy, T* gx, const std::int64_t* idx, const Geo& g) {
  const std::int64_t planes = g.N * g.C, P = g.P();
#pragma omp parallel for schedule(static) if (planes * P >= parallel_work && planes > 1)
  for (std::int64_t nc = 0; nc < planes; ++nc) {
    T* dst = gx + nc * g.H * g.W;
    std::fill(dst, dst + g.H * g.W, T{});
    const T* g_in = gy + nc * P;
    const std::int64_t* where = idx + nc * P;
    for (std::int64_t oh = 0; oh < g.OH; ++oh) {
      for (std::int64_t ow = 0; ow < g.OW; ++ow) {
        const std::int64_t k = where[oh * g.OW + ow], kh = k / g.KW;
        const std::int64_t ih = oh * g.SH - g.PH + kh, iw = ow * g.SW - g.PW + (k - kh * g.KW);
        if (ih >= 0 && ih < g.H && iw >= 0 && iw < g.W) dst[ih * g.W + iw] += g_in[oh * g.OW + ow];
      }
    }
  }
}

// y = x at each window's saved maximum (the adjoint of max_pool_grad_kernel).
template <class T>
void gather_kernel(const T* x, T* y, const std::int64_t* idx, const Geo& g) {
  const std::int64_t planes = g.N * g.C, P = g.P();
#pragma omp parallel for schedule(static) if (planes * P >= parallel_work && planes > 1)
  for (std::int64_t nc = 0; nc < planes; ++nc) {
    const T* src = x + nc * g.H * g.W;
    const std::int64_t* where = idx + nc * P;
    T* out = y + nc * P;
    for (std::int64_t oh = 0; oh < g.OH; ++oh) {
      for (std::int64_t ow = 0; ow < g.OW; ++ow) {
        const std::int64_t k = where[oh * g.OW + ow], kh = k / g.KW;
        const std::int64_t ih = oh * g.SH - g.PH + kh, iw = ow * g.SW - g.PW + (k - kh * g.KW);
        out[oh * g.OW + ow] = ih >= 0 && ih < g.H && iw >= 0 && iw < g.W ? src[ih * g.W + iw] : T{};
      }
    }
  }
}

// y = the mean of each window; padding counts as zeros. Summed in window order from zero, as
// NumPy's mean over the (KH, KW) axes of the 6-D columns does.
template <class T>
void average_pool_kernel(const T* x, T* y, const Geo& g) {
  const std::int64_t planes = g.N * g.C, P = g.P();
  const T count = static_cast<T>(g.KH * g.KW);
#pragma omp parallel for schedule(static) if (planes * P * g.KH * g.KW >= parallel_work && planes > 1)
  for (std::int64_t nc = 0; nc < planes; ++nc) {
    const T* src = x + nc * g.H * g.W;
    for (std::int64_t oh = 0; oh < g.OH; ++oh) {
      for (std::int64_t ow = 0; ow < g.OW; ++ow) {
        T sum{};
        for (std::int64_t kh = 0; kh < g.KH; ++kh) {
          const std::int64_t ih = oh * g.SH - g.PH + kh;
          if (ih < 0 || ih >= g.H) continue;
          for (std::int64_t kw = 0; kw < g.KW; ++kw) {
            const std::int64_t iw = ow * g.SW - g.PW + kw;
            if (iw >= 0 && iw < g.W) sum += src[ih * g.W + iw];
          }
        }
        y[nc * P + oh * g.OW + ow] = sum / count;
      }
    }
  }
}

// gx = gy / (KH KW) spread over each window (the adjoint of average_pool_kernel).
template <class T>
void average_pool_grad_kernel(const T* gy, T* gx, const Geo& g) {
  const std::int64_t planes = g.N * g.C, P = g.P();
  const T count = static_cast<T>(g.KH * g.KW);
#pragma omp parallel for schedule(static) if (planes * P * g.KH * g.KW >= parallel_work && planes > 1)
  for (std::int64_t nc = 0; nc < planes; ++nc) {
    T* dst = gx + nc * g.H * g.W;
    std::fill(dst, dst + g.H * g.W, T{});
    for (std::int64_t oh = 0; oh < g.OH; ++oh) {
      for (std::int64_t ow = 0; ow < g.OW; ++ow) {
        const T v = gy[nc * P + oh * g.OW + ow] / count;
        for (std::int64_t kh = 0; kh < g.KH; ++kh) {
          const std::int64_t ih = oh * g.SH - g.PH + kh;
          if (ih < 0 || ih >= g.H) continue;
          for (std::int64_t kw = 0; kw < g.KW; ++kw) {
            const std::int64_t iw = ow * g.SW - g.PW + kw;
            if (iw >= 0 && iw < g.W) dst[ih * g.W + iw] += v;
          }
        }
      }
    }
  }
}

// A gradient of a pooling's output must have the output's shape.
void require_output_shape(const np::ndarray& gy, const Geo& g) {
  const np::Shape want{g.N, g.C, g.OH, g.OW};
  if (!gy.defined() || !(gy.shape() == want)) {
    throw np::shape_error("gy " + (gy.defined() ? shape_str(gy.shape()) : std::string("None")) +
                          " must have the pooling's output shape " + shape_str(want));
  }
}

}  // namespace

// The shapes of a (transposed) convolution: x (N, C, H, W), W (C_out, C, KH, KW) for a
// convolution or (C, C_out, KH, KW) for a transposed one, b (C_out,) or none.
void require_conv_inputs(const np::ndarray& x, const np::ndarray& W, const np::ndarray* b,
                         bool transposed) {
  require_image(x, "x");
  require_image(W, "W", transposed ? "(C, OC, KH, KW)" : "(OC, C, KH, KW)");
  const std::int64_t c_axis = transposed ? 0 : 1;
  if (x.shape()[1] != W.shape()[c_axis]) {
    throw np::shape_error("x " + shape_str(x.shape()) + " has " + std::to_string(x.shape()[1]) +
                          " channels but W " + shape_str(W.shape()) + " expects " +
                          std::to_string(W.shape()[c_axis]) +
                          (transposed ? " (W is (C, OC, KH, KW))" : " (W is (OC, C, KH, KW))"));
  }
  if (W.shape()[2] < 1 || W.shape()[3] < 1) {
    throw np::shape_error("W " + shape_str(W.shape()) + " has an empty kernel");
  }
  require_bias(b, W.shape()[transposed ? 1 : 0], W);
}

Pair output_size(const np::Shape& img, const ConvGeometry& g) {
  const Geo geo = image_geometry(img, g);
  return Pair(geo.OH, geo.OW);
}

// ===================================== im2col / col2im ======================================

np::ndarray im2col(const np::ndarray& img, const ConvGeometry& g, bool to_matrix) {
  return im2col_impl(img, g, to_matrix);
}

np::ndarray col2im(const np::ndarray& col, const np::Shape& img_shape, const ConvGeometry& g,
                   bool to_matrix) {
  return col2im_impl(col, img_shape, g, to_matrix);
}

// ===================================== convolutions =========================================

np::ndarray conv2d(const np::ndarray& x, const np::ndarray& W, const np::ndarray* b, Pair stride,
                   Pair pad) {
  return conv_forward(x, W, b, stride, pad);
}

np::ndarray deconv2d(const np::ndarray& x, const np::ndarray& W, const np::ndarray* b,
                     Pair stride, Pair pad, const std::optional<Pair>& outsize) {
  return deconv_forward(x, W, b, stride, pad, outsize);
}

np::ndarray conv2d_grad_w(const np::ndarray& x, const np::ndarray& gy, const ConvGeometry& g) {
  return conv_grad_w(x, gy, g);
}

// ===================================== pooling ==============================================

np::ndarray max_pooling(const np::ndarray& x, const ConvGeometry& cg, np::ndarray& indexes) {
  const Geo g = pooling_geometry(x, cg);
  np::ndarray y = np::ndarray::uninitialized({g.N, g.C, g.OH, g.OW}, x.dtype());
  indexes = np::ndarray::uninitialized(y.shape(), np::int64);
  np::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    max_pool_kernel(x.data<T>(), y.data<T>(), indexes.data<std::int64_t>(), g);
  });
  return y;
}

np::ndarray max_pooling_grad(const np::ndarray& gy_in, const np::ndarray& indexes,
                             const np::Shape& input_shape, np::DType dtype, const ConvGeometry& cg) {
  const Geo g = make_geo(input_shape, cg);
  require_output_shape(gy_in, g);
  const np::ndarray gy = as_dtype(gy_in, dtype);  // the input's dtype, as the book's
  np::ndarray gx = np::ndarray::uninitialized(input_shape, dtype);
  np::dispatch(dtype, [&](auto tag) {
    using T = typename decltype(tag)::type;
    max_pool_grad_kernel(gy.data<T>(), gx.data<T>(), indexes.data<std::int64_t>(), g);
  });
  return gx;
}

np::ndarray max_pooling_gather(const np::ndarray& x, const np::ndarray& indexes,
                               const np::Shape& input_shape, const ConvGeometry& cg) {
  if (!x.defined() || !(x.shape() == input_shape)) {
    throw np::shape_error("x " + (x.defined() ? shape_str(x.shape()) : std::string("None")) +
                          " must have the pooling's input shape " + shape_str(input_shape));
  }
  const Geo g = make_geo(input_shape, cg);
  np::ndarray y = np::ndarray::uninitialized({g.N, g.C, g.OH, g.OW}, x.dtype());
  np::dispatch(x.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    gather_kernel(x.data<T>(), y.data<T>(), indexes.data<std::int64_t>(), g);
  });
  return y;
}

np::ndarray average_pooling(const np::ndarray& x, const ConvGeometry& cg) {
  const Geo g = pooling_geometry(x, cg);
  np::ndarray y = np::ndarray::uninitialized({g.N, g.C, g.OH, g.OW}, x.dtype());
  dispatch_float(x.dtype(), [&](auto tag) {
    using T = decltype(tag);
    average_pool_kernel(x.data<T>(), y.data<T>(), g);
  });
  return y;
}

np::ndarray average_pooling_grad(const np::ndarray& gy, const np::Shape& input_shape,
                                 const ConvGeometry& cg) {
  const Geo g = make_geo(input_shape, cg);
  require_output_shape(gy, g);
  np::ndarray gx = np::ndarray::uninitialized(input_shape, gy.dtype());
  dispatch_float(gy.dtype(), [&](auto tag) {
    using T = decltype(tag);
    average_pool_grad_kernel(gy.data<T>(), gx.data<T>(), g);
  });
  return gx;
}

}  // namespace dezero::kernels
