// Devices: the CPU is the only backend of this array layer (see device.hpp).
#include "np/device.hpp"

#include <ostream>

#include "np/ndarray.hpp"

namespace np {

std::string_view device_name(Device device) { return device == Device::cuda ? "cuda" : "cpu"; }

std::ostream& operator<<(std::ostream& os, Device device) { return os << device_name(device); }

bool device_available(Device device) { return device == Device::cpu; }

ndarray to_device(const ndarray& a, Device device) {
  if (!a.defined() || a.device() == device) return a;
  if (!device_available(device)) {
    throw device_error(detail::msg("to_device: cannot move a ", a.shape(), " ", a.dtype(),
                                   " array to ", device,
                                   ": the array layer was built without a backend for it"));
  }
  return a;  // unreachable with the CPU as the only device
}

}  // namespace np
