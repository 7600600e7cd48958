// The CUDA backend's interface in a build without it (DEZERO_CUDA=OFF or no nvcc): there is no
// GPU, so no array can live on one, and nothing below is reached except available().
#include "np/cuda/backend.hpp"
#include "np/device.hpp"

namespace np::cuda {

namespace {
[[noreturn]] void absent() {
  throw device_error("cuda: this build has no CUDA backend (configure with the cuda preset)");
}
}  // namespace

bool available() { return false; }
const char* unavailable_reason() { return "this build has no CUDA backend"; }

void* allocate(std::size_t) { absent(); }
void deallocate(void*, std::size_t) noexcept {}
std::size_t pool_used_bytes() { return 0; }
std::size_t pool_held_bytes() { return 0; }
void pool_free_cached() {}
void copy_to_device(void*, const void*, std::size_t) { absent(); }
void copy_to_host(void*, const void*, std::size_t) { absent(); }
void copy_on_device(void*, const void*, std::size_t) { absent(); }
void copy_rows(void*, std::size_t, const void*, std::size_t, std::size_t, std::int64_t) {
  absent();
}
void synchronize() {}
void fill(void*, DType, std::int64_t, double) { absent(); }
void astype(const void*, DType, void*, DType, std::int64_t) { absent(); }
void gather(const void*, void*, std::size_t, const Layout&, std::int64_t) { absent(); }
void unary(Unary, DType, const void*, void*, std::int64_t) { absent(); }
void binary(Binary, DType, const void*, const Layout&, const void*, const Layout&, void*,
            std::int64_t) {
  absent();
}
void where(const void*, const Layout&, const void*, const Layout&, const void*, const Layout&,
           DType, void*, std::int64_t) {
  absent();
}
void indexed(Indexed, DType, const void*, void*, const std::int64_t*, std::int64_t) { absent(); }
void reduce(Reduce, DType, const void*, std::int64_t, std::int64_t, void*, DType) { absent(); }
void gemm(DType, bool, bool, std::int64_t, std::int64_t, std::int64_t, const void*, std::int64_t,
          const void*, std::int64_t, void*, std::int64_t) {
  absent();
}

}  // namespace np::cuda
