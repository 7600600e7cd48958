// Devices without a GPU: what every build must do when no array can live on a GPU (a build
// without the CUDA backend, or one with it on a machine without a GPU). The device kernels
// themselves are tested in tests/gpu/ (label gpu), which needs a GPU.
#include <gtest/gtest.h>

#include <string>

#include "np/np.hpp"

namespace {

using np::Device;

bool has_gpu() { return np::device_available(Device::cuda); }

TEST(Device, CpuIsAlwaysAvailable) {
  EXPECT_TRUE(np::device_available(Device::cpu));
  EXPECT_EQ(np::device_unavailable_reason(Device::cpu), "");
  EXPECT_EQ(np::zeros({2}).device(), Device::cpu);
  EXPECT_EQ(np::pool_used_bytes(Device::cpu), 0u);
}

TEST(Device, WithoutAGpuCudaIsUnavailableAndSaysWhy) {
  if (has_gpu()) GTEST_SKIP() << "a GPU is present: tests/gpu covers this build";
  EXPECT_FALSE(np::device_available(Device::cuda));
  EXPECT_FALSE(np::device_unavailable_reason(Device::cuda).empty());
  EXPECT_EQ(np::pool_used_bytes(), 0u);
  EXPECT_EQ(np::pool_held_bytes(), 0u);
  np::pool_free_cached();  // nothing to give back, and no error
  np::synchronize();
}

TEST(Device, WithoutAGpuToDeviceThrowsDeviceError) {
  if (has_gpu()) GTEST_SKIP() << "a GPU is present: tests/gpu covers this build";
  const np::ndarray a = np::ones({2, 3}, np::float32);
  try {
    (void)np::to_device(a, Device::cuda);
    FAIL() << "to_device(cuda) did not throw";
  } catch (const np::device_error& e) {
    const std::string what = e.what();
    EXPECT_NE(what.find("to_device"), std::string::npos) << what;
    EXPECT_NE(what.find("(2, 3) float32"), std::string::npos) << what;
    EXPECT_NE(what.find("cuda"), std::string::npos) << what;
  }
  EXPECT_THROW((void)np::ndarray::uninitialized({4}, np::float64, Device::cuda),
               np::device_error);
  // Moving to where the array already is gives the array itself.
  EXPECT_TRUE(np::to_device(a, Device::cpu).shares_memory(a));
  EXPECT_FALSE(np::to_device(np::ndarray{}, Device::cuda).defined());
}

TEST(Device, OutOfMemoryNamesTheSize) {
  const np::device_out_of_memory e(1024, 512, 4096);
  EXPECT_EQ(e.bytes, 1024u);
  const std::string what = e.what();
  EXPECT_NE(what.find("1024 bytes"), std::string::npos) << what;
  EXPECT_NE(what.find("4096"), std::string::npos) << what;
  const np::device_error& base = e;  // caught as a device_error too
  EXPECT_EQ(std::string(base.what()), what);
}

}  // namespace
