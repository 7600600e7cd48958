#include "dezero/dataloaders.hpp"

#include "dezero/cuda.hpp"

#include <algorithm>
#include <numeric>
#include <stdexcept>
#include <string>

namespace dezero::dataloaders {

namespace {
std::int64_t checked_batch_size(std::int64_t batch_size, const char* who) {
  if (batch_size <= 0) {
    throw std::invalid_argument(std::string(who) + ": the batch size must be positive, not " +
                                std::to_string(batch_size));
  }
  return batch_size;
}
}  // namespace

DataLoader::DataLoader(const datasets::Dataset& dataset, std::int64_t batch_size,
                       DataLoaderOptions options)
    : dataset_(&dataset),
      batch_size_(checked_batch_size(batch_size, "DataLoader")),
      shuffle_(options.shuffle),
      data_size_(dataset.len()),
      max_iter_((data_size_ + batch_size_ - 1) / batch_size_) {
  reset();
}

void DataLoader::reset() {
  iteration_ = 0;
  if (shuffle_) {
    index_ = np::random::permutation(data_size_).to_vector<std::int64_t>();
  } else {
    index_.resize(static_cast<std::size_t>(data_size_));
    std::iota(index_.begin(), index_.end(), std::int64_t{0});
  }
}

std::vector<std::int64_t> DataLoader::batch_indices() const {
  const auto begin = index_.begin() + iteration_ * batch_size_;
  const auto end = index_.begin() + std::min(data_size_, (iteration_ + 1) * batch_size_);
  return {begin, end};
}

std::optional<Batch> DataLoader::next() {
  if (iteration_ >= max_iter_) {
    reset();
    return std::nullopt;
  }
  Batch batch = dataset_->batch(batch_indices());
  ++iteration_;
  if (gpu_) {
    batch.x = cuda::as_cupy(batch.x);
    if (batch.t.defined()) batch.t = cuda::as_cupy(batch.t);
  }
  return batch;
}

void DataLoader::to_gpu() {
  if (!cuda::gpu_enable) {
    cuda::note_cpu_only();
    return;
  }
  gpu_ = true;
}

SeqDataLoader::SeqDataLoader(const datasets::Dataset& dataset, std::int64_t batch_size)
    : DataLoader(dataset, checked_batch_size(batch_size, "SeqDataLoader"), {.shuffle = false}) {}

std::vector<std::int64_t> SeqDataLoader::batch_indices() const {
  const std::int64_t n = data_size();
  const std::int64_t jump = n / batch_size();
  std::vector<std::int64_t> out(static_cast<std::size_t>(batch_size()));
  for (std::int64_t i = 0; i < batch_size(); ++i) out[static_cast<std::size_t>(i)] = (i * jump + iteration()) % n;
  return out;
}

}  // namespace dezero::dataloaders
