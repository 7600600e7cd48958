// Helpers shared by the dezero unit tests: compare a Variable's or an array's shape, dtype and
// values with literals, and check that an operation throws with a given message.
#pragma once

#include <gtest/gtest.h>

#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "dezero/dezero.hpp"
#include "tests/np/expect.hpp"

namespace dztest {

// Shared with the array layer's tests: show(double) with all digits, and
// throws_with<E>(f, {"parts", "of the message"}).
using nptest::show;
using nptest::throws_with;

// The shape, dtype and values of `a`; values equal within `tol` (0: exactly).
inline ::testing::AssertionResult array_is(const np::ndarray& a, const np::Shape& shape,
                                           np::DType dtype, const std::vector<double>& values,
                                           double tol = 0.0) {
  if (auto layout = nptest::layout_is(a, shape, dtype, values.size()); !layout) return layout;
  const auto got = a.to_vector<double>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const bool ok = tol == 0.0 ? got[i] == values[i] : std::abs(got[i] - values[i]) <= tol;
    if (!ok) {
      return ::testing::AssertionFailure()
             << "element " << i << " is " << show(got[i]) << ", expected " << show(values[i]);
    }
  }
  return ::testing::AssertionSuccess();
}

// The same for a Variable's data (a None handle or a variable without data fails).
inline ::testing::AssertionResult data_is(const dezero::Variable& v, const np::Shape& shape,
                                          np::DType dtype, const std::vector<double>& values,
                                          double tol = 0.0) {
  if (!v) return ::testing::AssertionFailure() << "the variable is None";
  return array_is(v.data(), shape, dtype, values, tol);
}

// Two arrays with the same shape and dtype whose values agree within `tol`.
inline ::testing::AssertionResult arrays_near(const np::ndarray& a, const np::ndarray& b,
                                              double tol) {
  if (!a.defined() || !b.defined()) return ::testing::AssertionFailure() << "an array is None";
  return array_is(a, b.shape(), b.dtype(), b.to_vector<double>(), tol);
}

// The printed form of anything with operator<<.
template <class T>
std::string printed(const T& value) {
  std::ostringstream os;
  os << value;
  return os.str();
}

// The fixture of the Cnn tests (test_layers_conv, test_models, test_image): the global
// generator seeded with 0 and a scratch folder dir_.
class Cnn : public ::testing::Test {
 protected:
  void SetUp() override {
    np::random::seed(0);
    dir_ = std::filesystem::temp_directory_path() / ("dezero_cnn_" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::filesystem::path dir_;
};

// The keys of layer.flatten_params(), in order: "conv1_1/W", "conv1_1/b", ...
inline std::vector<std::string> names(const dezero::layers::Layer& layer) {
  std::vector<std::string> out;
  for (const auto& [name, p] : layer.flatten_params()) out.push_back(name);
  return out;
}

}  // namespace dztest
