// The CUDA backend's device, stream, copies and caching memory pool.
#include <cstdio>
#include <map>
#include <mutex>
#include <string>
#include <vector>

#include "np/cuda/common.cuh"

namespace np::cuda {

namespace {

// Asked once: the runtime's own answer, so a machine without a GPU (or driver) gets false
// and a reason, never an exception.
struct Presence {
  bool present = false;
  std::string reason;
  Presence() {
    int count = 0;
    const cudaError_t status = cudaGetDeviceCount(&count);
    if (status != cudaSuccess) {
      reason = cudaGetErrorString(status);
      cudaGetLastError();  // clear the sticky error state for later calls
    } else if (count == 0) {
      reason = "no CUDA-capable device is detected";
    } else {
      present = true;
    }
  }
};
const Presence& presence() {
  static const Presence p;
  return p;
}

// Blocks are rounded up to 512 bytes (as CuPy's pool) and kept on a free list per rounded
// size when freed. A training loop asks for the same sizes every iteration, so after the first
// one it runs on cached blocks without calling cudaMalloc or cudaFree.
constexpr std::size_t kRound = 512;
std::size_t rounded(std::size_t bytes) { return (bytes + kRound - 1) / kRound * kRound; }

struct Pool {
  std::mutex mutex;
  std::map<std::size_t, std::vector<void*>> free;  // rounded size -> cached blocks
  std::size_t used = 0, held = 0;

  // Caller holds the mutex.
  void release_cached() {
    for (auto& [size, blocks] : free) {
      for (void* b : blocks) {
        cudaFree(b);
        held -= size;
      }
    }
    free.clear();
  }
};
Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: arrays freed by static destructors still find it
  return *p;
}

}  // namespace

bool available() { return presence().present; }
const char* unavailable_reason() { return presence().reason.c_str(); }

cudaStream_t stream() {
  static cudaStream_t s = [] {
    cudaStream_t created = nullptr;
    check(cudaStreamCreateWithFlags(&created, cudaStreamNonBlocking), "creating the stream");
    return created;
  }();
  return s;
}

void check(cudaError_t status, const char* what) {
  if (status == cudaSuccess) return;
  cudaGetLastError();
  throw device_error(std::string("cuda: ") + what + ": " + cudaGetErrorString(status));
}

void* allocate(std::size_t bytes) {
  const std::size_t size = rounded(bytes ? bytes : 1);
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  if (auto it = p.free.find(size); it != p.free.end() && !it->second.empty()) {
    void* block = it->second.back();
    it->second.pop_back();
    p.used += size;
    return block;
  }
  void* block = nullptr;
  cudaError_t status = cudaMalloc(&block, size);
  if (status == cudaErrorMemoryAllocation) {
    // Give the cached blocks back (after the queued work that may still use them) and retry.
    cudaGetLastError();
    cudaStreamSynchronize(stream());
    p.release_cached();
    status = cudaMalloc(&block, size);
  }
  if (status == cudaErrorMemoryAllocation) {
    cudaGetLastError();
    throw device_out_of_memory(bytes, p.used, p.held);
  }
  check(status, "cudaMalloc");
  p.used += size;
  p.held += size;
  return block;
}

void deallocate(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  const std::size_t size = rounded(bytes ? bytes : 1);
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  try {
    p.free[size].push_back(block);
  } catch (...) {  // no memory for the list: give the block back instead
    cudaFree(block);
    p.held -= size;
  }
  p.used -= size;
}

std::size_t pool_used_bytes() {
  std::lock_guard lock(pool().mutex);
  return pool().used;
}
std::size_t pool_held_bytes() {
  std::lock_guard lock(pool().mutex);
  return pool().held;
}
void pool_free_cached() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  if (!p.free.empty()) cudaStreamSynchronize(stream());
  p.release_cached();
}

void copy_to_device(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  // From pageable host memory the runtime stages the bytes before returning, so `src` may
  // go away as soon as this returns.
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyHostToDevice, stream()), "copy to the GPU");
}

void copy_to_host(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToHost, stream()), "copy to the host");
  check(cudaStreamSynchronize(stream()), "copy to the host");
}

void copy_on_device(void* dst, const void* src, std::size_t bytes) {
  if (bytes == 0) return;
  check(cudaMemcpyAsync(dst, src, bytes, cudaMemcpyDeviceToDevice, stream()), "device copy");
}

void copy_rows(void* dst, std::size_t dst_pitch, const void* src, std::size_t src_pitch,
               std::size_t width, std::int64_t rows) {
  if (width == 0 || rows == 0) return;
  check(cudaMemcpy2DAsync(dst, dst_pitch, src, src_pitch, width, static_cast<std::size_t>(rows),
                          cudaMemcpyDeviceToDevice, stream()),
        "concatenate");
}

void synchronize() { check(cudaStreamSynchronize(stream()), "synchronize"); }

}  // namespace np::cuda
