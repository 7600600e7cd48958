// Helpers shared by the array-layer tests: compare an ndarray's shape, dtype and values with
// literals printed by NumPy 1.24.2.
#pragma once

#include <gtest/gtest.h>

#include <cmath>
#include <cstdint>
#include <cstring>
#include <iomanip>
#include <sstream>
#include <string>
#include <vector>

#include "np/ndarray.hpp"

namespace nptest {

inline std::string show(double v) {
  std::ostringstream os;
  os << std::setprecision(17) << v;
  return os.str();
}

// Distance in units in the last place of float (float32) or double (float64) between a and b.
inline std::int64_t ulps(double a, double b, np::DType dtype) {
  if (a == b) return 0;
  if (std::isnan(a) || std::isnan(b)) return INT64_MAX;
  if (dtype == np::float32) {
    auto key = [](float f) {
      std::int32_t i;
      std::memcpy(&i, &f, sizeof i);
      return i < 0 ? std::int64_t{INT32_MIN} - i : std::int64_t{i};
    };
    const std::int64_t d = key(static_cast<float>(a)) - key(static_cast<float>(b));
    return d < 0 ? -d : d;
  }
  auto key = [](double f) {
    std::int64_t i;
    std::memcpy(&i, &f, sizeof i);
    return i < 0 ? INT64_MIN - i : i;
  };
  const std::int64_t d = key(a) - key(b);
  return d < 0 ? -d : d;
}

// `a` is defined and has this shape, dtype and number of elements.
inline ::testing::AssertionResult layout_is(const np::ndarray& a, const np::Shape& shape,
                                            np::DType dtype, std::size_t count) {
  if (!a.defined()) return ::testing::AssertionFailure() << "the array is None";
  if (!(a.shape() == shape)) {
    return ::testing::AssertionFailure() << "shape " << a.shape() << ", expected " << shape;
  }
  if (a.dtype() != dtype) {
    return ::testing::AssertionFailure() << "dtype " << a.dtype() << ", expected " << dtype;
  }
  if (static_cast<std::size_t>(a.size()) != count) {
    return ::testing::AssertionFailure()
           << a.size() << " elements, but " << count << " expected values";
  }
  return ::testing::AssertionSuccess();
}

// Shape, dtype and values (converted to double; NaN matches NaN) within `max_ulps` of the
// expected ones; 0 means exactly equal.
inline ::testing::AssertionResult array_is(const np::ndarray& a, const np::Shape& shape,
                                           np::DType dtype, const std::vector<double>& values,
                                           std::int64_t max_ulps = 0) {
  if (auto layout = layout_is(a, shape, dtype, values.size()); !layout) return layout;
  const auto got = a.to_vector<double>();
  for (std::size_t i = 0; i < values.size(); ++i) {
    const bool both_nan = std::isnan(got[i]) && std::isnan(values[i]);
    const bool same_sign = std::signbit(got[i]) == std::signbit(values[i]);
    if (both_nan) continue;
    if (max_ulps == 0 ? !(got[i] == values[i] && same_sign)
                      : ulps(got[i], values[i], dtype) > max_ulps) {
      return ::testing::AssertionFailure()
             << "element " << i << " is " << show(got[i]) << ", expected " << show(values[i]);
    }
  }
  return ::testing::AssertionSuccess();
}

// The same for int64 arrays whose values need all 64 bits.
inline ::testing::AssertionResult int_array_is(const np::ndarray& a, const np::Shape& shape,
                                               const std::vector<std::int64_t>& values) {
  if (auto layout = layout_is(a, shape, np::int64, values.size()); !layout) return layout;
  const auto got = a.to_vector<std::int64_t>();
  if (got != values) {
    ::testing::Message m;
    m << "values differ:";
    for (auto v : got) m << " " << v;
    return ::testing::AssertionFailure() << m;
  }
  return ::testing::AssertionSuccess();
}

// `f` throws E whose what() contains every one of `parts`.
template <class E, class F>
::testing::AssertionResult throws_with(F&& f, const std::vector<std::string>& parts) {
  try {
    f();
  } catch (const E& e) {
    const std::string what = e.what();
    for (const auto& p : parts) {
      if (what.find(p) == std::string::npos) {
        return ::testing::AssertionFailure()
               << "message \"" << what << "\" does not contain \"" << p << "\"";
      }
    }
    return ::testing::AssertionSuccess();
  } catch (const std::exception& e) {
    return ::testing::AssertionFailure() << "threw another exception: " << e.what();
  }
  return ::testing::AssertionFailure() << "did not throw";
}

}  // namespace nptest
