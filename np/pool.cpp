#include "np/pool.hpp"

#include <sys/mman.h>

#include <atomic>
#include <bit>
#include <cstdint>

namespace np::pool {

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr bool kEnabled = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer) || \
    __has_feature(thread_sanitizer)
constexpr bool kEnabled = false;
#else
constexpr bool kEnabled = true;
#endif
#else
constexpr bool kEnabled = true;
#endif

constexpr std::size_t kGranule = 16;
constexpr std::size_t kClasses = max_block / kGranule;
constexpr std::size_t kAlignment = 64;  // granule and alignment of the aligned blocks
constexpr std::size_t kAlignedClasses = max_aligned_block / kAlignment;
constexpr std::align_val_t kNewAlignment{kAlignment};
constexpr std::size_t kChunkBytes = std::size_t(2) << 20;  // one transparent huge page

struct FreeBlock {
  FreeBlock* next;
};

// Large blocks (above max_aligned_block) come from operator new, in size classes four to an
// octave (20, 24, 28, 32, 40, ... KiB: at most a quarter more than asked for), and freed ones
// wait on a list per class for the next request of their class, up to kLargeCacheBytes a
// thread. A training loop asks for the same large temporaries every iteration (im2col
// buffers, activations, gradients); without the cache each of them went back to the system
// and came again as fresh pages, whose faults and zeroing cost a fifth of a small CNN's time.
constexpr std::size_t kLargeCacheBytes = std::size_t(512) << 20;
constexpr std::size_t kLargeClasses = 4 * 64;

// The class of a large request: its size rounded up to the class bound, and an index.
struct LargeClass {
  std::size_t bytes;
  std::size_t index;
};
LargeClass large_class_of(std::size_t bytes) {
  const int e = std::bit_width(bytes - 1);              // 2^(e-1) < bytes <= 2^e
  const std::size_t quarter = std::size_t(1) << (e - 3);  // a quarter of 2^(e-1)
  const std::size_t rounded = (bytes + quarter - 1) / quarter * quarter;
  const std::size_t sub = rounded / quarter - 4;        // 1 ... 4
  return {rounded, static_cast<std::size_t>(e) * 4 + sub - 1};
}

// One thread's lists and the chunk it is carving. Plain data, so that it needs no
// construction or destruction: blocks freed by static destructors still find it.
struct Local {
  FreeBlock* free[kClasses];
  FreeBlock* free_aligned[kAlignedClasses];
  std::byte* next;
  std::byte* end;
  FreeBlock* free_large[kLargeClasses];
  std::size_t large_cached;  // bytes waiting on free_large
  bool large_open;           // this thread has its LargeCacheCloser: it may cache
  bool large_closed;         // the thread is ending: large blocks go straight back
};
constinit thread_local Local local{};

// Gives the cached large blocks back when their thread ends (they are not small enough to
// leave to the end of the process), and closes the cache for the frees that come later.
struct LargeCacheCloser {
  ~LargeCacheCloser() {
    for (std::size_t c = 0; c < kLargeClasses; ++c) {
      while (FreeBlock* block = local.free_large[c]) {
        local.free_large[c] = block->next;
        ::operator delete(block, kNewAlignment);
      }
    }
    local.large_cached = 0;
    local.large_open = false;
    local.large_closed = true;
  }
};

// Every chunk, linked through its first bytes: the chunks stay reachable from here for the
// program's life (they are never unmapped), which is also what leak checkers look for.
struct ChunkHeader {
  ChunkHeader* next;
};
std::atomic<ChunkHeader*> chunks{nullptr};
constexpr std::size_t kHeaderBytes = 64;  // the header, rounded up to a cache line

// A fresh chunk, aligned to its size so that the kernel can back it with one huge page.
std::byte* map_chunk() {
  const std::size_t span = 2 * kChunkBytes;
  void* p = mmap(nullptr, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED) throw std::bad_alloc();
  auto* base = static_cast<std::byte*>(p);
  const auto address = reinterpret_cast<std::uintptr_t>(base);
  auto* aligned = base + ((kChunkBytes - address % kChunkBytes) % kChunkBytes);
  // Give back what lies before and after the aligned chunk.
  if (aligned > base) munmap(base, static_cast<std::size_t>(aligned - base));
  if (auto* tail = aligned + kChunkBytes; tail < base + span) {
    munmap(tail, static_cast<std::size_t>(base + span - tail));
  }
#ifdef MADV_HUGEPAGE
  madvise(aligned, kChunkBytes, MADV_HUGEPAGE);  // a hint: without huge pages it still works
#endif
  auto* header = reinterpret_cast<ChunkHeader*>(aligned);
  header->next = chunks.load(std::memory_order_relaxed);
  while (!chunks.compare_exchange_weak(header->next, header, std::memory_order_release,
                                       std::memory_order_relaxed)) {
  }
  return aligned + kHeaderBytes;
}

// A new block of `size` bytes at `align` from the thread's chunk, mapping a new chunk when the
// current one has no room left (the rest of the old one, less than a block, stays unused).
void* carve(Local& l, std::size_t size, std::size_t align) {
  auto aligned_next = [&] {
    const auto address = reinterpret_cast<std::uintptr_t>(l.next);
    return l.next + ((align - address % align) % align);
  };
  std::byte* start = l.next ? aligned_next() : nullptr;
  if (!start || start > l.end || static_cast<std::size_t>(l.end - start) < size) {
    l.next = map_chunk();
    l.end = l.next + (kChunkBytes - kHeaderBytes);
    start = aligned_next();
  }
  l.next = start + size;
  return start;
}

void* pop(FreeBlock*& list) {
  FreeBlock* block = list;
  if (block) list = block->next;
  return block;
}

void push(FreeBlock*& list, void* block) {
  auto* freed = static_cast<FreeBlock*>(block);
  freed->next = list;
  list = freed;
}

std::size_t class_of(std::size_t bytes, std::size_t granule) {
  return bytes == 0 ? 0 : (bytes - 1) / granule;
}

// A block for `bytes` from one family of lists (blocks that are multiples of `Granule`, aligned
// to it): a freed one of its class if there is one, else a new one from the thread's chunk.
// (Granule is a template argument so that the class is a shift, not a division.)
template <std::size_t Granule>
void* take(FreeBlock** lists, std::size_t bytes) {
  const std::size_t cls = class_of(bytes, Granule);
  if (void* block = pop(lists[cls])) return block;
  return carve(local, (cls + 1) * Granule, Granule);
}

}  // namespace

bool enabled() { return kEnabled; }

void* allocate(std::size_t bytes) {
  if (!kEnabled || bytes > max_block) return ::operator new(bytes);
  return take<kGranule>(local.free, bytes);
}

void deallocate(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  if (!kEnabled || bytes > max_block) return ::operator delete(block);
  push(local.free[class_of(bytes, kGranule)], block);
}

void* allocate_aligned(std::size_t bytes) {
  if (!kEnabled || bytes > kLargeCacheBytes / 4) return ::operator new(bytes, kNewAlignment);
  if (bytes <= max_aligned_block) return take<kAlignment>(local.free_aligned, bytes);
  if (!local.large_open && !local.large_closed) {
    static thread_local LargeCacheCloser closer;  // the thread's clean-up, registered once
    local.large_open = true;
  }
  const LargeClass c = large_class_of(bytes);
  if (void* block = pop(local.free_large[c.index])) {
    local.large_cached -= c.bytes;
    return block;
  }
  return ::operator new(c.bytes, kNewAlignment);
}

void deallocate_aligned(void* block, std::size_t bytes) noexcept {
  if (!block) return;
  if (!kEnabled || bytes > kLargeCacheBytes / 4) return ::operator delete(block, kNewAlignment);
  if (bytes <= max_aligned_block) return push(local.free_aligned[class_of(bytes, kAlignment)], block);
  const LargeClass c = large_class_of(bytes);
  // Only a thread that has its closer keeps blocks (a thread that frees what others made may
  // not have one), and only up to the cap.
  if (!local.large_open || local.large_closed ||
      local.large_cached + c.bytes > kLargeCacheBytes) {
    return ::operator delete(block, kNewAlignment);
  }
  push(local.free_large[c.index], block);
  local.large_cached += c.bytes;
}

}  // namespace np::pool
