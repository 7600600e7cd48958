// Where an array's elements live. The book's DeZero keeps arrays either in NumPy (host memory)
// or in CuPy (GPU memory) and moves them with to_gpu()/to_cpu(); here every ndarray knows its
// device (a.device()), and np::to_device moves it.
//
// This array layer has one backend, the CPU: every array lives on Device::cpu and
// device_available(Device::cuda) is false. A CUDA backend would allocate arrays with
// device() == Device::cuda and run the kernels there; code that asks for a device through this
// interface (dezero::cuda, to_gpu on layers) would not change.
#pragma once

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

// True when the array layer was built with a backend for `device` and the device is present.
// Always true for the CPU; false for CUDA in this build (it has no CUDA backend).
bool device_available(Device device);

class ndarray;
// `a` on `device`: `a` itself when it is already there, else a copy made there. device_error
// when the device is not available.
ndarray to_device(const ndarray& a, Device device);

}  // namespace np
