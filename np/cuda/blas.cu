// Matrix products of the CUDA backend through cuBLAS, on the backend's stream.
//
// cuBLAS is column-major and our arrays are row-major. A row-major m x n matrix C is the
// column-major n x m matrix C^T, and C^T = B^T A^T: so the product asks cuBLAS for
// (n x m) = op(B) (n x k) * op(A) (k x m) with B and A in place, and a transposed operand is
// only a flag, never a copy.
#include <cublas_v2.h>

#include <string>

#include "np/cuda/common.cuh"

namespace np::cuda {

namespace {

cublasHandle_t handle() {
  static cublasHandle_t h = [] {
    cublasHandle_t created = nullptr;
    if (cublasCreate(&created) != CUBLAS_STATUS_SUCCESS) {
      throw device_error("cuda: matmul: cublasCreate failed");
    }
    cublasSetStream(created, stream());
    // The products are compared with NumPy's: no reduced-precision tensor-core paths.
    cublasSetMathMode(created, CUBLAS_PEDANTIC_MATH);
    return created;
  }();
  return h;
}

void check_blas(cublasStatus_t status) {
  if (status != CUBLAS_STATUS_SUCCESS) {
    throw device_error(std::string("cuda: matmul: cuBLAS failed: ") +
                       cublasGetStatusString(status));
  }
}

}  // namespace

void gemm(DType dtype, bool trans_a, bool trans_b, std::int64_t m, std::int64_t n,
          std::int64_t k, const void* a, std::int64_t stride_a, const void* b,
          std::int64_t stride_b, void* c, std::int64_t batch) {
  if (m == 0 || n == 0 || batch == 0) return;
  // Leading dimensions of the row-major operands as cuBLAS sees them (column-major).
  const std::int64_t lda = trans_a ? m : k;  // A stored k x m (trans) or m x k
  const std::int64_t ldb = trans_b ? k : n;  // B stored n x k (trans) or k x n
  const cublasOperation_t op_b = trans_b ? CUBLAS_OP_T : CUBLAS_OP_N;
  const cublasOperation_t op_a = trans_a ? CUBLAS_OP_T : CUBLAS_OP_N;
  cublasHandle_t h = handle();
  if (dtype == DType::float32) {
    const float one = 1.0f, zero = 0.0f;
    check_blas(cublasSgemmStridedBatched_64(h, op_b, op_a, n, m, k, &one,
                                            static_cast<const float*>(b), ldb, stride_b,
                                            static_cast<const float*>(a), lda, stride_a, &zero,
                                            static_cast<float*>(c), n, m * n, batch));
  } else if (dtype == DType::float64) {
    const double one = 1.0, zero = 0.0;
    check_blas(cublasDgemmStridedBatched_64(h, op_b, op_a, n, m, k, &one,
                                            static_cast<const double*>(b), ldb, stride_b,
                                            static_cast<const double*>(a), lda, stride_a, &zero,
                                            static_cast<double*>(c), n, m * n, batch));
  } else {
    throw device_error("cuda: matmul: cuBLAS takes float32 and float64 only");
  }
}

}  // namespace np::cuda
