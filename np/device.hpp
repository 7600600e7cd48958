// Where an array's elements live. The book's DeZero keeps arrays either in NumPy (host memory)
// or in CuPy (GPU memory) and moves them with to_gpu()/to_cpu(); here every ndarray knows its
// device (a.device()), and np::to_device moves it.
//
// The CPU is always there. A build with the CUDA backend (the `cuda` preset, docs/gpu.md) also
// has Device::cuda when a GPU is present: such arrays keep their elements in GPU memory, from
// a caching pool, and the operations that have a kernel (docs/gpu.md lists them) run there on
// one stream. The host waits for the GPU only where it reads values: printing, item(), flat(),
// to_vector(), to_device(cpu), saving. An operation on arrays of two devices throws
// device_error naming both (nothing moves between devices silently), except that a 0-d host
// array, C++'s stand-in for a Python number (x * 2.0), goes along with a device operand as
// CuPy takes Python scalars. An operation without a CUDA kernel throws device_error naming it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <stdexcept>
#include <string_view>

namespace np {

enum class Device : std::uint8_t { cpu, cuda };

std::string_view device_name(Device device);  // "cpu", "cuda"
std::ostream& operator<<(std::ostream& os, Device device);

// A device that this build cannot reach (no backend for it, or no such hardware).
struct device_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// The GPU has no room for a block of `bytes` even after the pool gave its cached blocks back
// (CuPy's OutOfMemoryError). The message names the size and what the pool holds.
struct device_out_of_memory : device_error {
  device_out_of_memory(std::size_t bytes, std::size_t used, std::size_t held);
  std::size_t bytes;
};

// True when the array layer was built with a backend for `device` and the device is present.
// Always true for the CPU; for CUDA, true in a build with the backend on a machine with a GPU
// (false, without an error, when the CUDA runtime finds none).
bool device_available(Device device);
// Why device_available(device) is false ("" when it is true).
std::string_view device_unavailable_reason(Device device);

// The GPU memory pool (CuPy's cupy.get_default_memory_pool()): bytes in blocks that arrays
// use, bytes the pool holds from the driver (used + cached for reuse), and giving the cached
// blocks back (free_all_blocks). For the CPU, and without the backend, 0 and nothing.
std::size_t pool_used_bytes(Device device = Device::cuda);
std::size_t pool_held_bytes(Device device = Device::cuda);
void pool_free_cached(Device device = Device::cuda);
// Waits until the work queued on `device` is done (timing; reading values waits by itself).
void synchronize(Device device = Device::cuda);

class ndarray;
// `a` on `device`: `a` itself when it is already there, else a copy made there. device_error
// when the device is not available. Moving to the CPU waits for the GPU's queued work.
ndarray to_device(const ndarray& a, Device device);

}  // namespace np
