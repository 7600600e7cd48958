// The data side (dezero::data, pkg-config's dezero-data): the book's spiral data set.
#include <cstdio>

#include "dezero/datasets.hpp"

int main() {
  dezero::datasets::Spiral train_set(true);
  std::printf("spiral: %lld samples\n", static_cast<long long>(train_set.len()));
  return train_set.len() == 300 ? 0 : 1;
}
