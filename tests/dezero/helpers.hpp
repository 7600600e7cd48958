// Helpers shared by the dezero unit tests: compare a Variable's or an array's shape, dtype and
// values with literals, and check that an operation throws with a given message.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
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

}  // namespace dztest
