#include "np/ndarray.hpp"
