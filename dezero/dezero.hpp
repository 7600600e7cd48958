// The whole library in one include, the C++ for `import dezero`:
//   #include "dezero/dezero.hpp"
//   using dezero::Variable;
//   namespace F = dezero::functions;
#pragma once

#include "dezero/core.hpp"
#include "dezero/functions.hpp"
#include "dezero/utils.hpp"
#include "np/np.hpp"
