# DEZERO_CUDA: whether the array layer gets its CUDA backend (np/cuda/, docs/gpu.md).
#   AUTO (the default): when CMake finds a CUDA compiler; ON: fail without one; OFF: never.
# The CPU build needs nothing of CUDA: without the backend np/cuda/host_only.cpp stands in
# for it and device_available(Device::cuda) is false. Sets DEZERO_HAVE_CUDA for np/.
set(DEZERO_CUDA AUTO CACHE STRING "Build the CUDA backend of the array layer (AUTO, ON, OFF)")
set_property(CACHE DEZERO_CUDA PROPERTY STRINGS AUTO ON OFF)
string(TOUPPER "${DEZERO_CUDA}" _dezero_cuda)
set(DEZERO_HAVE_CUDA OFF)
if(_dezero_cuda STREQUAL "AUTO" OR _dezero_cuda)
  include(CheckLanguage)
  check_language(CUDA)
  if(CMAKE_CUDA_COMPILER)
    # sm_90 machine code for Hopper (H100, H200), sm_80 for Ampere (A100), and compute_90 PTX
    # that the driver compiles for newer GPUs. Set here, before the language is enabled.
    if(NOT DEFINED CMAKE_CUDA_ARCHITECTURES)
      set(CMAKE_CUDA_ARCHITECTURES "80-real;90-real;90-virtual")
    endif()
    enable_language(CUDA)
    # CMake 3.25 does not know nvcc's C++20 flag (nvcc 12 and later take -std=c++20).
    if(NOT CMAKE_CUDA20_STANDARD_COMPILE_OPTION)
      set(CMAKE_CUDA20_STANDARD_COMPILE_OPTION "-std=c++20")
      set(CMAKE_CUDA20_EXTENSION_COMPILE_OPTION "-std=c++20")
    endif()
    find_package(CUDAToolkit REQUIRED)
    set(DEZERO_HAVE_CUDA ON)
    message(STATUS "dezero: CUDA backend on (nvcc ${CMAKE_CUDA_COMPILER_VERSION}, "
                   "architectures ${CMAKE_CUDA_ARCHITECTURES})")
  elseif(NOT _dezero_cuda STREQUAL "AUTO")
    message(FATAL_ERROR "DEZERO_CUDA=ON but CMake found no CUDA compiler (nvcc): install the "
                        "CUDA toolkit, put nvcc on the PATH, or configure with -DDEZERO_CUDA=OFF")
  else()
    message(STATUS "dezero: no CUDA compiler found; building without the CUDA backend")
  endif()
endif()
