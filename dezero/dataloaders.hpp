// dezero/dataloaders: mini-batches from a data set (the book's dataloaders.py), as C++ ranges:
//
//   dezero::datasets::Spiral train_set(true);
//   dezero::dataloaders::DataLoader train_loader(train_set, 30);
//   for (int epoch = 0; epoch < max_epoch; ++epoch) {
//     for (auto [x, t] : train_loader) { ... }   // x (30, 2) float32, t (30,) int64
//   }
//
// As in the book, a loader is its own iterator: a loop takes the batches that are left in
// the current epoch, and when it has taken the last one, the loader starts the next epoch
// at once (drawing its permutation from the global generator) and the loop ends. So the
// draws happen exactly where the book's do: the first permutation in the constructor, each
// next one right after an epoch's last batch. A loop left with `break` resumes where it
// stopped.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <optional>
#include <vector>

#include "dezero/datasets.hpp"

namespace dezero::dataloaders {

using Batch = datasets::Example;  // x (B, ...) and t (B, ...)

// The book's keyword argument: DataLoader(test_set, batch_size, {.shuffle = false}).
struct DataLoaderOptions {
  bool shuffle = true;  // a new random order every epoch
};

class DataLoader {
 public:
  // The loader keeps a reference to the data set, which must outlive it.
  DataLoader(const datasets::Dataset& dataset, std::int64_t batch_size,
             DataLoaderOptions options = {});
  // A temporary data set would be gone before the first batch.
  DataLoader(datasets::Dataset&& dataset, std::int64_t batch_size,
             DataLoaderOptions options = {}) = delete;
  virtual ~DataLoader() = default;

  // Starts an epoch: a new order, permutation(len) when shuffling, else arange(len).
  void reset();
  // The next batch, or nullopt (after reset()) when the epoch is over: Python's next().
  std::optional<Batch> next();

  class iterator {
   public:
    using value_type = Batch;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::input_iterator_tag;

    iterator() = default;
    const Batch& operator*() const { return *batch_; }
    const Batch* operator->() const { return &*batch_; }
    iterator& operator++() {
      batch_ = loader_->next();
      return *this;
    }
    void operator++(int) { ++*this; }
    friend bool operator==(const iterator& it, std::default_sentinel_t) { return !it.batch_; }

   private:
    friend class DataLoader;
    explicit iterator(DataLoader* loader) : loader_(loader), batch_(loader->next()) {}
    DataLoader* loader_ = nullptr;
    std::optional<Batch> batch_;
  };
  iterator begin() { return iterator(this); }
  std::default_sentinel_t end() const { return {}; }

  std::int64_t batch_size() const { return batch_size_; }
  bool shuffle() const { return shuffle_; }
  std::int64_t data_size() const { return data_size_; }
  // Batches per epoch: ceil(len / batch_size); the last one may be smaller.
  std::int64_t max_iter() const { return max_iter_; }
  // Batches taken in the current epoch.
  std::int64_t iteration() const { return iteration_; }
  // The current epoch's order of samples.
  const std::vector<std::int64_t>& index() const { return index_; }
  const datasets::Dataset& dataset() const { return *dataset_; }

  // The book's switch for step 52: batches are made on the GPU after to_gpu(). Without a GPU
  // backend (dezero::cuda::gpu_enable false) to_gpu() says once on stderr that the batches
  // stay on the CPU, as Variable::to_gpu() does.
  void to_cpu() { gpu_ = false; }
  void to_gpu();
  bool gpu() const { return gpu_; }

 protected:
  // The samples of batch number iteration() (the book's slice of the order).
  virtual std::vector<std::int64_t> batch_indices() const;

 private:
  const datasets::Dataset* dataset_;
  std::int64_t batch_size_;
  bool shuffle_;
  std::int64_t data_size_;
  std::int64_t max_iter_;
  std::int64_t iteration_ = 0;
  std::vector<std::int64_t> index_;
  bool gpu_ = false;
};

// For time series: no shuffling, and batch k takes sample (i * jump + k) mod N for row i,
// jump = N / batch_size, so each row of the batch walks along its own part of the series.
class SeqDataLoader : public DataLoader {
 public:
  SeqDataLoader(const datasets::Dataset& dataset, std::int64_t batch_size);
  SeqDataLoader(datasets::Dataset&& dataset, std::int64_t batch_size) = delete;

 protected:
  std::vector<std::int64_t> batch_indices() const override;
};

}  // namespace dezero::dataloaders
