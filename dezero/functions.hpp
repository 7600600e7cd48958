// dezero/functions: the differentiable functions (the book's functions.py), used as
//   namespace F = dezero::functions;  auto y = F::sin(x);  y.backward();
// Every function accepts Variables or arrays (arrays are wrapped) and builds a graph node
// whose class name ("Sin", "Reshape", ...) appears in graph drawings.
#pragma once

#include <optional>
#include <vector>

#include "dezero/core.hpp"

namespace dezero::functions {

// --- basic functions ---------------------------------------------------------------------
// Their derivatives are made of the same functions (sin' = cos, cos' = -sin, tanh' = 1 - y^2,
// exp' = exp), so they can be differentiated any number of times.
Variable sin(const Variable& x);
Variable cos(const Variable& x);
Variable tanh(const Variable& x);
Variable exp(const Variable& x);
Variable log(const Variable& x);

// --- tensor operations -------------------------------------------------------------------
// reshape returns x itself when the shape already matches (no graph node).
Variable reshape(const Variable& x, const np::Shape& shape);
// transpose(x) reverses the axes; transpose(x, axes) permutes them.
Variable transpose(const Variable& x, std::optional<std::vector<int>> axes = std::nullopt);

// --- sums and broadcasting ---------------------------------------------------------------
Variable sum(const Variable& x, np::Axes axes = np::none, bool keepdims = false);
// Sums x down to `shape` (see np::sum_to); x itself when the shape already matches.
Variable sum_to(const Variable& x, const np::Shape& shape);
// NumPy broadcasting as a function; x itself when the shape already matches.
Variable broadcast_to(const Variable& x, const np::Shape& shape);

// --- matrix product ----------------------------------------------------------------------
Variable matmul(const Variable& x, const Variable& W);

// The arithmetic of the core, re-exported as in the book's functions module.
using dezero::add;
using dezero::div;
using dezero::mul;
using dezero::neg;
using dezero::pow;
using dezero::rdiv;
using dezero::rsub;
using dezero::sub;

}  // namespace dezero::functions
