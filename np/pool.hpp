// A pool of small blocks for the objects a graph makes by the hundred thousand: the elements
// of scalar arrays, the Variable nodes, the Function objects (dezero/core.hpp).
//
// Each thread keeps a free list per size (16, 32, ... 512 bytes, and 64, 128, ... 16 KiB for
// the 64-byte aligned blocks of array elements) and carves new blocks from 2 MiB chunks. A freed block goes back on its list and is the next one handed out, so a
// training loop that builds and drops the same graph every iteration reuses the same memory
// without going through the C library's allocator. Chunks are asked for as transparent huge
// pages, which a graph of 100 000 nodes otherwise spends much of its time faulting in 4 KiB
// at a time. Chunks are kept for reuse and never returned to the system, as glibc keeps its
// heap.
//
// Arrays above 16 KiB are not carved from chunks, but their freed blocks are kept too, by size
// class, for the next array of about the same size: an iteration of a training loop frees and
// asks again for the same large temporaries, which would otherwise come back as fresh pages
// from the system each time.
//
// Under AddressSanitizer (the sanitize and fuzz presets) the pool hands every request to
// operator new, so that the sanitizer still sees each block's use after free or overflow.
#pragma once

#include <cstddef>
#include <new>

namespace np::pool {

// Requests above this size go to operator new (and their blocks back to operator delete).
inline constexpr std::size_t max_block = 512;

// A block of at least `bytes` bytes, aligned to 16 bytes; deallocate must get the same size.
void* allocate(std::size_t bytes);
void deallocate(void* block, std::size_t bytes) noexcept;

// Blocks aligned to 64 bytes, for the elements of arrays of up to 16 KiB (a cache line each
// row start, as Eigen's kernels like). Larger requests go to operator new with that alignment,
// in size classes whose freed blocks each thread keeps for reuse, up to 512 MiB (np/pool.cpp).
inline constexpr std::size_t max_aligned_block = 16384;
void* allocate_aligned(std::size_t bytes);
void deallocate_aligned(void* block, std::size_t bytes) noexcept;

// False when the pool passes everything to operator new (sanitized builds).
bool enabled();

// The pool as a standard allocator, for std::allocate_shared and containers.
template <class T>
struct Allocator {
  using value_type = T;
  static_assert(alignof(T) <= 16, "np::pool::Allocator: blocks are aligned to 16 bytes only");

  Allocator() = default;
  template <class U>
  Allocator(const Allocator<U>&) noexcept {}

  T* allocate(std::size_t n) {
    if (n > std::size_t(-1) / sizeof(T)) throw std::bad_array_new_length();
    return static_cast<T*>(pool::allocate(n * sizeof(T)));
  }
  void deallocate(T* p, std::size_t n) noexcept { pool::deallocate(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const Allocator<U>&) const noexcept {
    return true;
  }
};

}  // namespace np::pool
