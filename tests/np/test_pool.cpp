// The pool of small blocks (np/pool.hpp): blocks are aligned, never overlap, are reused after
// deallocate, cross its 2 MiB chunks and threads; under the sanitizers it steps aside.
#include "np/pool.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <set>
#include <thread>
#include <vector>

#include "np/np.hpp"

namespace {

struct Block {
  unsigned char* p;
  std::size_t bytes;
  unsigned char mark;
};

// Fills every block with its own byte, then checks that no other block wrote over it.
::testing::AssertionResult intact(const std::vector<Block>& blocks) {
  for (const auto& b : blocks) {
    for (std::size_t i = 0; i < b.bytes; ++i) {
      if (b.p[i] != b.mark) {
        return ::testing::AssertionFailure()
               << "block of " << b.bytes << " bytes at " << static_cast<void*>(b.p)
               << " was overwritten at byte " << i;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

std::vector<Block> allocate_many(std::size_t count, std::size_t seed) {
  std::vector<Block> blocks;
  for (std::size_t k = 0; k < count; ++k) {
    const std::size_t bytes = 1 + (k * 37 + seed) % np::pool::max_block;
    auto* p = static_cast<unsigned char*>(np::pool::allocate(bytes));
    const auto mark = static_cast<unsigned char>(k * 7 + seed);
    std::memset(p, mark, bytes);
    blocks.push_back({p, bytes, mark});
  }
  return blocks;
}

void free_all(const std::vector<Block>& blocks) {
  for (const auto& b : blocks) np::pool::deallocate(b.p, b.bytes);
}

TEST(Pool, BlocksAreAlignedAndDisjointAcrossChunks) {
  // About 6 MiB of blocks of every size up to 512 bytes: more than two chunks.
  const auto blocks = allocate_many(24000, 3);
  for (const auto& b : blocks) {
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(b.p) % 16, 0u) << b.bytes << " bytes";
  }
  EXPECT_TRUE(intact(blocks));
  free_all(blocks);
}

TEST(Pool, AFreedBlockIsTheNextOneOfItsSize) {
  void* a = np::pool::allocate(100);
  np::pool::deallocate(a, 100);
  void* b = np::pool::allocate(97);  // the same size class (97..112 bytes)
  if (np::pool::enabled()) {
    EXPECT_EQ(a, b);
  } else {
    // Sanitized builds: everything goes through operator new (nothing to compare).
    EXPECT_NE(b, nullptr);
  }
  np::pool::deallocate(b, 97);
}

TEST(Pool, IsOffExactlyUnderAddressSanitizer) {
#if defined(__SANITIZE_ADDRESS__)
  EXPECT_FALSE(np::pool::enabled());
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
  EXPECT_FALSE(np::pool::enabled());
#else
  EXPECT_TRUE(np::pool::enabled());
#endif
#else
  EXPECT_TRUE(np::pool::enabled());
#endif
}

TEST(Pool, AlignedBlocksAreAlignedToACacheLineAndDisjoint) {
  std::vector<Block> blocks;
  std::vector<void*> smalls;
  for (std::size_t k = 0; k < 3000; ++k) {
    // sizes across the whole aligned range, and a few above it (operator new)
    const std::size_t bytes = 1 + (k * 977) % (np::pool::max_aligned_block + 2000);
    auto* p = static_cast<unsigned char*>(np::pool::allocate_aligned(bytes));
    ASSERT_EQ(reinterpret_cast<std::uintptr_t>(p) % 64, 0u) << bytes << " bytes";
    const auto mark = static_cast<unsigned char>(k);
    std::memset(p, mark, bytes);
    blocks.push_back({p, bytes, mark});
    // small blocks in between move the chunk's carving point off the 64-byte grid
    void* small = np::pool::allocate(24);
    std::memset(small, 0, 24);
    if (k % 3) {
      np::pool::deallocate(small, 24);
    } else {
      smalls.push_back(small);  // kept to the end, so that later blocks cannot reuse it
    }
  }
  EXPECT_TRUE(intact(blocks));
  for (const auto& b : blocks) np::pool::deallocate_aligned(b.p, b.bytes);
  for (void* small : smalls) np::pool::deallocate(small, 24);
  void* again = np::pool::allocate_aligned(1000);
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(again) % 64, 0u);
  np::pool::deallocate_aligned(again, 1000);
}

TEST(Pool, LargeRequestsGoToOperatorNew) {
  auto* p = static_cast<unsigned char*>(np::pool::allocate(np::pool::max_block + 1));
  std::memset(p, 0xab, np::pool::max_block + 1);
  EXPECT_EQ(p[np::pool::max_block], 0xab);
  np::pool::deallocate(p, np::pool::max_block + 1);
  np::pool::deallocate(nullptr, 16);  // like operator delete, null is nothing to free
}

TEST(Pool, LargeBlocksAreKeptForTheNextRequestOfTheirClass) {
  // 100 000 and 110 000 bytes share a class (up to 114 688 bytes); 90 000 bytes is the class
  // below. A freed large block serves the next request of its class, whole.
  void* a = np::pool::allocate_aligned(100000);
  ASSERT_EQ(reinterpret_cast<std::uintptr_t>(a) % 64, 0u);
  std::memset(a, 1, 100000);
  np::pool::deallocate_aligned(a, 100000);
  void* other = np::pool::allocate_aligned(90000);
  void* b = np::pool::allocate_aligned(110000);
  if (np::pool::enabled()) {
    EXPECT_EQ(b, a);
    EXPECT_NE(other, a);
  }
  std::memset(b, 2, 110000);
  std::memset(other, 3, 90000);
  EXPECT_EQ(static_cast<unsigned char*>(b)[109999], 2);
  EXPECT_EQ(static_cast<unsigned char*>(other)[0], 3);
  np::pool::deallocate_aligned(b, 110000);
  np::pool::deallocate_aligned(other, 90000);
  // Blocks above a quarter of the cache's 512 MiB are never kept: a fresh one each time is
  // fine, as long as it works.
  void* huge = np::pool::allocate_aligned(std::size_t(200) << 20);
  static_cast<unsigned char*>(huge)[(std::size_t(200) << 20) - 1] = 4;
  np::pool::deallocate_aligned(huge, std::size_t(200) << 20);
}

TEST(Pool, LargeArraysOfATrainingLoopReuseTheirBlocks) {
  // The same large temporaries every iteration: after the first, each comes from the cache,
  // and each array still has its own elements.
  std::vector<const void*> first;
  for (int iteration = 0; iteration < 3; ++iteration) {
    std::vector<np::ndarray> temporaries;
    for (int k = 1; k <= 4; ++k) temporaries.push_back(np::full({k * 10000}, double(k)));
    for (int k = 1; k <= 4; ++k) {
      EXPECT_EQ(np::sum(temporaries[k - 1]).item<double>(), double(k) * k * 10000);
    }
    std::vector<const void*> addresses;
    for (const auto& t : temporaries) addresses.push_back(t.raw_data());
    if (iteration == 0) {
      first = addresses;
    } else if (np::pool::enabled()) {
      EXPECT_EQ(std::set<const void*>(addresses.begin(), addresses.end()),
                std::set<const void*>(first.begin(), first.end()));
    }
  }
}

TEST(Pool, ReusedBlocksStayDisjoint) {
  // Free every other block, allocate again: the new blocks fill the holes, not the survivors.
  auto blocks = allocate_many(4000, 11);
  std::vector<Block> kept, freed;
  for (std::size_t k = 0; k < blocks.size(); ++k) (k % 2 ? freed : kept).push_back(blocks[k]);
  free_all(freed);
  const auto again = allocate_many(4000, 5);
  EXPECT_TRUE(intact(kept));
  EXPECT_TRUE(intact(again));
  free_all(kept);
  free_all(again);
}

TEST(Pool, ThreadsAllocateAndFreeEachOthersBlocks) {
  // Each thread allocates its own blocks; the main thread frees them afterwards (a block may
  // be freed on another thread than the one that made it).
  std::vector<Block> made[2];
  bool rounds_intact[2] = {true, true};
  std::thread workers[2];
  for (int t = 0; t < 2; ++t) {
    workers[t] = std::thread([&made, &rounds_intact, t] {
      for (int round = 0; round < 20; ++round) {
        auto blocks = allocate_many(500, std::size_t(t * 100 + round));
        if (!intact(blocks)) rounds_intact[t] = false;
        free_all(blocks);
      }
      made[t] = allocate_many(2000, std::size_t(t + 1));
    });
  }
  for (auto& w : workers) w.join();
  EXPECT_TRUE(rounds_intact[0]);
  EXPECT_TRUE(rounds_intact[1]);
  EXPECT_TRUE(intact(made[0]));
  EXPECT_TRUE(intact(made[1]));
  for (const auto& blocks : made) free_all(blocks);
  const auto after = allocate_many(1000, 9);  // the main thread reuses what it freed
  EXPECT_TRUE(intact(after));
  free_all(after);
}

TEST(Pool, AsAnAllocatorForSharedObjects) {
  struct Counted {
    int value;
    std::int64_t* live;
    Counted(int v, std::int64_t* l) : value(v), live(l) { ++*live; }
    ~Counted() { --*live; }
  };
  std::int64_t live = 0;
  {
    std::vector<std::shared_ptr<Counted>> objects;
    for (int i = 0; i < 1000; ++i) {
      objects.push_back(std::allocate_shared<Counted>(np::pool::Allocator<Counted>{}, i, &live));
    }
    EXPECT_EQ(live, 1000);
    for (int i = 0; i < 1000; ++i) EXPECT_EQ(objects[i]->value, i);
  }
  EXPECT_EQ(live, 0);
  // A vector larger than a block goes through operator new inside the allocator.
  std::vector<double, np::pool::Allocator<double>> v(1000, 2.5);
  EXPECT_EQ(v[999], 2.5);
}

TEST(Pool, ArraysKeepTheirValues) {
  // Arrays keep their elements in the pool up to 16 KiB: many live at once, each its own, and
  // the ones above 256 bytes start on a cache line.
  std::vector<np::ndarray> arrays;
  const auto length = [](int i) { return std::int64_t(i % 40) * (i % 40) + 1; };  // to 1522
  for (int i = 0; i < 5000; ++i) arrays.push_back(np::full({length(i)}, double(i % 1000)));
  for (int i = 0; i < 5000; i += 2) arrays[i] = np::ndarray();  // holes, filled next
  for (int i = 0; i < 5000; i += 2) arrays[i] = np::full({length(i)}, double(i % 1000));
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(arrays[i].size(), length(i));
    EXPECT_EQ(np::sum(arrays[i]).item<double>(), double(i % 1000) * double(length(i)));
    if (arrays[i].nbytes() > 256) {
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(arrays[i].data<double>()) % 64, 0u);
    }
  }
}

}  // namespace
