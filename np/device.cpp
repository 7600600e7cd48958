// Devices: the CPU, and a GPU through the CUDA backend where the build has it (np/device.hpp).
#include "np/device.hpp"

#include <cstring>
#include <ostream>

#include "np/cuda/backend.hpp"
#include "np/ndarray.hpp"

namespace np {

std::string_view device_name(Device device) { return device == Device::cuda ? "cuda" : "cpu"; }

std::ostream& operator<<(std::ostream& os, Device device) { return os << device_name(device); }

device_out_of_memory::device_out_of_memory(std::size_t bytes, std::size_t used,
                                           std::size_t held)
    : device_error(detail::msg("cuda: out of GPU memory allocating ", bytes,
                               " bytes (the pool holds ", held, " bytes, ", used,
                               " of them in use; cached blocks were given back first)")),
      bytes(bytes) {}

bool device_available(Device device) {
  return device == Device::cpu || cuda::available();
}

std::string_view device_unavailable_reason(Device device) {
  return device_available(device) ? "" : cuda::unavailable_reason();
}

std::size_t pool_used_bytes(Device device) {
  return device == Device::cuda ? cuda::pool_used_bytes() : 0;
}
std::size_t pool_held_bytes(Device device) {
  return device == Device::cuda ? cuda::pool_held_bytes() : 0;
}
void pool_free_cached(Device device) {
  if (device == Device::cuda) cuda::pool_free_cached();
}
void synchronize(Device device) {
  if (device == Device::cuda && cuda::available()) cuda::synchronize();
}

ndarray to_device(const ndarray& a, Device device) {
  if (!a.defined() || a.device() == device) return a;
  if (!device_available(device)) {
    throw device_error(detail::msg("to_device: cannot move a ", a.shape(), " ", a.dtype(),
                                   " array to ", device, ": ",
                                   device_unavailable_reason(device)));
  }
  ndarray out = ndarray::uninitialized(a.shape(), a.dtype(), device);
  if (device == Device::cpu) {
    cuda::copy_to_host(out.device_data(), a.device_data(), a.nbytes());  // waits
  } else {
    cuda::copy_to_device(out.device_data(), a.device_data(), a.nbytes());
  }
  return out;
}

}  // namespace np
