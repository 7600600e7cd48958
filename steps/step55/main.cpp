// Step 55: the mechanics of convolutional networks (1): the output size of a convolution.
//
// As in the book, the formula is written out here and nothing else is needed: an input of
// H x W, a KH x KW kernel moved SH, SW at a time over the input padded by PH, PW on each side
// gives (H + 2 PH - KH) / SH + 1 rows and as many columns by the same rule (the library's
// version is dezero::utils::get_conv_outsize).
#include <iostream>

int get_conv_outsize(int input_size, int kernel_size, int stride, int pad) {
  return (input_size + pad * 2 - kernel_size) / stride + 1;
}

int main() {
  const int H = 4, W = 4;    // input size
  const int KH = 3, KW = 3;  // kernel size
  const int SH = 1, SW = 1;  // kernel stride
  const int PH = 1, PW = 1;  // padding size

  const int OH = get_conv_outsize(H, KH, SH, PH);
  const int OW = get_conv_outsize(W, KW, SW, PW);
  std::cout << OH << " " << OW << "\n";
}
