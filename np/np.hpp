// The array layer in one include: `#include "np/np.hpp"` is the C++ for `import numpy as np`.
#pragma once

#include "np/dtype.hpp"
#include "np/errors.hpp"
#include "np/io.hpp"
#include "np/ndarray.hpp"
#include "np/random.hpp"
#include "np/shape.hpp"

namespace np {
// Python's math constants as NumPy exports them.
inline constexpr double pi = 3.141592653589793;
inline constexpr double e = 2.718281828459045;
}  // namespace np
