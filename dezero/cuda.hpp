// dezero/cuda: the GPU switch (the book's cuda.py), used as in step 52:
//
//   if (dezero::cuda::gpu_enable) {
//     train_loader.to_gpu();
//     model.to_gpu();
//   }
//
// The book runs on the GPU through CuPy when CuPy can be imported, and on NumPy otherwise.
// Here the array layer decides: every np::ndarray knows the device it lives on (a.device()),
// and np::device_available(np::Device::cuda) says whether a GPU can be used, which needs a
// build of the array layer with its CUDA backend (the cuda preset, docs/gpu.md) and a GPU
// present. Then to_gpu() moves a Variable's, Parameter's or Layer's arrays into GPU memory and
// the operations with a CUDA kernel run there. Otherwise gpu_enable is false, every array
// lives on the CPU, and to_gpu() keeps the data where it is and says once on stderr that the
// work stays on the CPU, so a program written for the GPU runs unchanged.
#pragma once

#include "dezero/core.hpp"
#include "np/np.hpp"

namespace dezero::cuda {

// True when arrays can live on a GPU (the book: when CuPy imports): a build with the CUDA
// backend on a machine with a GPU.
extern const bool gpu_enable;

// The book's get_array_module(x) picks numpy or cupy for x; the C++ answer is the device that
// x's data lives on (np::Device::cpu for a Variable without data).
np::Device get_array_module(const np::ndarray& x);
np::Device get_array_module(const Variable& x);

// x's data in host memory (the book's as_numpy): the array itself when it is there already.
np::ndarray as_numpy(const np::ndarray& x);
np::ndarray as_numpy(const Variable& x);
// x's data in GPU memory (the book's as_cupy). Without a GPU it throws np::device_error, as
// the book raises without CuPy.
np::ndarray as_cupy(const np::ndarray& x);
np::ndarray as_cupy(const Variable& x);

// What to_gpu() does without a GPU: the first call writes cpu_only_notice (a line) on stderr;
// later calls say nothing. cpu_only_notices() tells how many times it was written (0 or 1).
void note_cpu_only();
inline constexpr const char* cpu_only_notice =
    "dezero: to_gpu(): no GPU (no CUDA backend in this build, or no GPU present); running on "
    "the CPU\n";
int cpu_only_notices();

}  // namespace dezero::cuda
