// The whole library in one include, the C++ for `import dezero`:
//   #include "dezero/dezero.hpp"
//   using dezero::Variable;
//   namespace F = dezero::functions;
//   namespace L = dezero::layers;
#pragma once

#include "dezero/core.hpp"
#include "dezero/cuda.hpp"
#include "dezero/dataloaders.hpp"
#include "dezero/datasets.hpp"
#include "dezero/functions.hpp"
#include "dezero/functions_conv.hpp"
#include "dezero/image.hpp"
#include "dezero/imagenet.hpp"
#include "dezero/layers.hpp"
#include "dezero/models.hpp"
#include "dezero/optimizers.hpp"
#include "dezero/plot.hpp"
#include "dezero/process.hpp"
#include "dezero/transforms.hpp"
#include "dezero/utils.hpp"
#include "np/np.hpp"
