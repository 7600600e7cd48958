// Shared by the backend's .cu files: the stream, error checks, launch sizes (internal).
#pragma once

#include <cuda_runtime.h>

#include <string>

#include "np/cuda/backend.hpp"
#include "np/device.hpp"

namespace np::cuda {

// The backend's one stream (created on first use; non-blocking, so that it does not wait for
// work other code queues on the legacy default stream).
cudaStream_t stream();

// Throws device_error naming `what` and CUDA's message when `status` is an error.
void check(cudaError_t status, const char* what);

// Launch geometry for n independent elements: 256 threads a block, a grid-stride loop.
inline unsigned blocks_for(std::int64_t n) {
  const std::int64_t b = (n + 255) / 256;
  return static_cast<unsigned>(b < 65535 * 8 ? (b > 0 ? b : 1) : 65535 * 8);
}
constexpr unsigned threads = 256;

// Checks the launch just queued (bad configuration, no kernel image for this GPU).
inline void check_launch(const char* what) { check(cudaGetLastError(), what); }

}  // namespace np::cuda
