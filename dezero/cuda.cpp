#include "dezero/cuda.hpp"

#include <atomic>
#include <iostream>
#include <string>

namespace dezero::cuda {

const bool gpu_enable = np::device_available(np::Device::cuda);

np::Device get_array_module(const np::ndarray& x) { return x.device(); }

np::Device get_array_module(const Variable& x) {
  return x && x.data().defined() ? x.data().device() : np::Device::cpu;
}

np::ndarray as_numpy(const np::ndarray& x) { return np::to_device(x, np::Device::cpu); }

np::ndarray as_numpy(const Variable& x) { return as_numpy(x.data()); }

np::ndarray as_cupy(const np::ndarray& x) {
  if (!gpu_enable) {
    throw np::device_error(std::string("as_cupy: there is no GPU: ") +
                           std::string(np::device_unavailable_reason(np::Device::cuda)) +
                           " (dezero::cuda::gpu_enable is false)");
  }
  return np::to_device(x, np::Device::cuda);
}

np::ndarray as_cupy(const Variable& x) { return as_cupy(x.data()); }

namespace {
std::atomic<bool> said_cpu_only{false};
}  // namespace

void note_cpu_only() {
  if (!said_cpu_only.exchange(true)) std::cerr << cpu_only_notice << std::flush;
}

int cpu_only_notices() { return said_cpu_only.load() ? 1 : 0; }

}  // namespace dezero::cuda

namespace dezero {

// Variable's device moves live here, beside the switch they consult.
void Variable::to_cpu() const {
  if (data().defined()) data() = cuda::as_numpy(data());
}

void Variable::to_gpu() const {
  if (!data().defined()) return;
  if (!cuda::gpu_enable) {
    cuda::note_cpu_only();
    return;
  }
  data() = cuda::as_cupy(data());
}

}  // namespace dezero
