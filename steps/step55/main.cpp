// Step 55: the mechanics of convolutional networks (1): the output size of a convolution.
//
// An input of H x W, a KH x KW kernel moved SH, SW at a time over the input padded by PH, PW
// on each side gives (H + 2 PH - KH) / SH + 1 rows and as many columns by the same rule. The
// book writes the formula in the step; here it is the library's utils::get_conv_outsize, which
// the convolution functions of the next steps use.
#include <iostream>

#include "dezero/dezero.hpp"
#include "step_options.hpp"

using dezero::utils::get_conv_outsize;

int main(int argc, char** argv) {
  steps::options(argc, argv);  // this step takes no options
  const int H = 4, W = 4;    // input size
  const int KH = 3, KW = 3;  // kernel size
  const int SH = 1, SW = 1;  // kernel stride
  const int PH = 1, PW = 1;  // padding size

  const auto OH = get_conv_outsize(H, KH, SH, PH);
  const auto OW = get_conv_outsize(W, KW, SW, PW);
  std::cout << OH << " " << OW << "\n";
}
