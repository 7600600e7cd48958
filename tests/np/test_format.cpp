// NumPy 1.24's str() and repr() of arrays; every expected string was printed by NumPy 1.24.2.
#include <limits>
#include <sstream>
#include <vector>

#include <gtest/gtest.h>

#include "np/ndarray.hpp"

namespace {

constexpr double kNan = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// Python's float repr and the str of a float32 scalar.
TEST(Format, FloatRepr) {
  EXPECT_EQ(np::float_repr(1.0), "1.0");
  EXPECT_EQ(np::float_repr(3.297442541400256), "3.297442541400256");
  EXPECT_EQ(np::float_repr(-5376.0), "-5376.0");
  EXPECT_EQ(np::float_repr(1e-5), "1e-05");
  EXPECT_EQ(np::float_repr(0.0001), "0.0001");
  EXPECT_EQ(np::float_repr(1e16), "1e+16");
  EXPECT_EQ(np::float_repr(1.5e16), "1.5e+16");
  EXPECT_EQ(np::float_repr(1234567890123456.8), "1234567890123456.8");
  EXPECT_EQ(np::float_repr(-0.0), "-0.0");
  EXPECT_EQ(np::float_repr(kInf), "inf");
  EXPECT_EQ(np::float_repr(-kInf), "-inf");
  EXPECT_EQ(np::float_repr(kNan), "nan");
  EXPECT_EQ(np::float_repr(0.1f), "0.1");
  EXPECT_EQ(np::float_repr(1e-4f), "1e-04");
  EXPECT_EQ(np::float_repr(16777216.0f), "16777216.0");
  EXPECT_EQ(np::float_repr(1.0f / 3.0f), "0.33333334");
}

// 0-d arrays: str is the scalar's str, repr goes through the array formatter.
TEST(Format, ZeroDim) {
  EXPECT_EQ(np::str(np::ndarray(2.5)), "2.5");
  EXPECT_EQ(np::repr(np::ndarray(2.5)), "array(2.5)");
  EXPECT_EQ(np::str(np::ndarray(1e-5)), "1e-05");
  EXPECT_EQ(np::repr(np::ndarray(1e-5)), "array(1.e-05)");
  EXPECT_EQ(np::str(np::ndarray(0.1f)), "0.1");
  EXPECT_EQ(np::repr(np::ndarray(0.1f)), "array(0.1, dtype=float32)");
  EXPECT_EQ(np::str(np::ndarray(62165688.0f)), "62165690.0");
  EXPECT_EQ(np::repr(np::ndarray(62165688.0f)), "array(62165688., dtype=float32)");
  EXPECT_EQ(np::str(np::ndarray(7)), "7");
  EXPECT_EQ(np::repr(np::ndarray(7)), "array(7)");
  EXPECT_EQ(np::repr(np::full({}, -3, np::int32)), "array(-3, dtype=int32)");
  EXPECT_EQ(np::str(np::full({}, 200, np::uint8)), "200");
  EXPECT_EQ(np::repr(np::full({}, 200, np::uint8)), "array(200, dtype=uint8)");
  EXPECT_EQ(np::str(np::ndarray(true)), "True");
  EXPECT_EQ(np::repr(np::ndarray(false)), "array(False)");
  EXPECT_EQ(np::repr(np::ndarray(kNan)), "array(nan)");
}

// Strings printed in the book.
TEST(Format, BookPrintouts) {
  EXPECT_EQ(np::str(np::array({{1, 2, 3}, {4, 5, 6}})), "[[1 2 3]\n [4 5 6]]");
  EXPECT_EQ(np::str(np::array({{-0.61505778, -0.42790161, 0.31733289}})),
            "[[-0.61505778 -0.42790161  0.31733289]]");
  EXPECT_EQ(np::str(np::array({{0.21068639, 0.25404893, 0.53526469}})),
            "[[0.21068639 0.25404893 0.53526469]]");
  EXPECT_EQ(np::str(np::ones({5})), "[1. 1. 1. 1. 1.]");
  EXPECT_EQ(np::str(np::array({5, 7, 9})), "[5 7 9]");
  EXPECT_EQ(np::str(np::ndarray(3.297442541400256)), "3.297442541400256");
  EXPECT_EQ(np::str(np::ndarray(-5376.0)), "-5376.0");
}

// Positional float64: unique digits up to 8 decimals, padded to common widths.
TEST(Format, Float64) {
  EXPECT_EQ(np::str(np::array({1.5, -2.0})), "[ 1.5 -2. ]");
  EXPECT_EQ(np::str(np::array({-1.5, 2.25, 10.0})), "[-1.5   2.25 10.  ]");
  EXPECT_EQ(np::repr(np::array({-1.5, 2.25, 10.0})), "array([-1.5 ,  2.25, 10.  ])");
  EXPECT_EQ(np::str(np::array({1.0 / 3.0, 2.0 / 3.0, 0.001953125})),
            "[0.33333333 0.66666667 0.00195312]");
  EXPECT_EQ(np::str(np::array({-0.0, 1.0})), "[-0.  1.]");
  EXPECT_EQ(np::str(np::linspace(0.0, 1.0, 5)), "[0.   0.25 0.5  0.75 1.  ]");
  EXPECT_EQ(np::str(np::arange(6.0, 0.0, -1.0).reshape({2, 3})), "[[6. 5. 4.]\n [3. 2. 1.]]");
  EXPECT_EQ(np::str(np::arange(0.0, 24.0).reshape({2, 3, 4})),
            "[[[ 0.  1.  2.  3.]\n"
            "  [ 4.  5.  6.  7.]\n"
            "  [ 8.  9. 10. 11.]]\n"
            "\n"
            " [[12. 13. 14. 15.]\n"
            "  [16. 17. 18. 19.]\n"
            "  [20. 21. 22. 23.]]]");
  EXPECT_EQ(np::repr(np::arange(0.0, 24.0).reshape({2, 3, 4})),
            "array([[[ 0.,  1.,  2.,  3.],\n"
            "        [ 4.,  5.,  6.,  7.],\n"
            "        [ 8.,  9., 10., 11.]],\n"
            "\n"
            "       [[12., 13., 14., 15.],\n"
            "        [16., 17., 18., 19.],\n"
            "        [20., 21., 22., 23.]]])");
  EXPECT_EQ(np::str(np::zeros({2, 1, 2, 1})), "[[[[0.]\n   [0.]]]\n\n\n [[[0.]\n   [0.]]]]");
}

// Switches to scientific notation and its padding.
TEST(Format, Scientific) {
  EXPECT_EQ(np::str(np::array({1e-5, 1.0})), "[1.e-05 1.e+00]");
  EXPECT_EQ(np::str(np::array({1e8})), "[1.e+08]");
  EXPECT_EQ(np::str(np::array({99999999.0})), "[99999999.]");
  EXPECT_EQ(np::str(np::array({1.0, 1001.0})), "[1.000e+00 1.001e+03]");
  EXPECT_EQ(np::str(np::array({1.0, 1000.0})), "[   1. 1000.]");
  EXPECT_EQ(np::str(np::array({-0.1, 2.0, 1.2345e-5})), "[-1.0000e-01  2.0000e+00  1.2345e-05]");
  EXPECT_EQ(np::repr(np::array({1e-100, 1.0})), "array([1.e-100, 1.e+000])");
  EXPECT_EQ(np::repr(np::array({1.0 / 3.0, 1e10})), "array([3.33333333e-01, 1.00000000e+10])");
}

// nan and inf are padded to the element width.
TEST(Format, NanInf) {
  EXPECT_EQ(np::str(np::array({kNan, 1.5, -kInf})), "[ nan  1.5 -inf]");
  EXPECT_EQ(np::repr(np::array({kInf, 1.5, -2.25})), "array([  inf,  1.5 , -2.25])");
  EXPECT_EQ(np::repr(np::array({kNan, -kInf})), "array([ nan, -inf])");
  EXPECT_EQ(np::repr(np::array({kNan, 1e-5})), "array([   nan, 1.e-05])");
  EXPECT_EQ(np::str(np::array({kNan, kInf}, np::float32)), "[nan inf]");
}

// float32 arrays print float32's own shortest digits.
TEST(Format, Float32) {
  EXPECT_EQ(np::str(np::array(std::vector<float>{0.1f, 0.2f, 0.3f})), "[0.1 0.2 0.3]");
  EXPECT_EQ(np::repr(np::array(std::vector<float>{0.1f, 0.2f, 0.3f})),
            "array([0.1, 0.2, 0.3], dtype=float32)");
  EXPECT_EQ(np::str(np::arange(1.0, 4.0).astype(np::float32).reshape({3, 1})),
            "[[1.]\n"
            " [2.]\n"
            " [3.]]");
  EXPECT_EQ(np::str(np::array({1.0 / 3.0, -2.0 / 3.0}, np::float32)), "[ 0.33333334 -0.6666667 ]");
  EXPECT_EQ(np::str(np::array({62165688.0, 0.5}, np::float32)), "[6.216569e+07 5.000000e-01]");
  EXPECT_EQ(np::str(np::array({1e-4, 0.01}, np::float32)), "[1.e-04 1.e-02]");
  EXPECT_EQ(np::repr(np::array({1.1, 120196.555}, np::float32)),
            "array([1.10000002e+00, 1.20196555e+05], dtype=float32)");
  EXPECT_EQ(np::str(np::array({333.33334f, 0.33333334f})), "[333.33334      0.33333334]");
}

// Integers are right-aligned to the widest of the extremes.
TEST(Format, Integers) {
  EXPECT_EQ(np::str(np::array({-5, 10, 200})), "[ -5  10 200]");
  EXPECT_EQ(np::repr(np::array({-5, 10, 200})), "array([ -5,  10, 200])");
  EXPECT_EQ(np::repr(np::array({1, 2}, np::int32)), "array([1, 2], dtype=int32)");
  EXPECT_EQ(np::str(np::array({{0, 255}, {7, 16}}, np::uint8)), "[[  0 255]\n [  7  16]]");
  EXPECT_EQ(np::repr(np::array({{0, 255}, {7, 16}}, np::uint8)),
            "array([[  0, 255],\n"
            "       [  7,  16]], dtype=uint8)");
  EXPECT_EQ(np::str(np::arange(24).reshape({2, 3, 4})),
            "[[[ 0  1  2  3]\n"
            "  [ 4  5  6  7]\n"
            "  [ 8  9 10 11]]\n"
            "\n"
            " [[12 13 14 15]\n"
            "  [16 17 18 19]\n"
            "  [20 21 22 23]]]");
}

// True is padded to the width of False except in 0-d arrays.
TEST(Format, Bool) {
  EXPECT_EQ(np::str(np::array({true, false})), "[ True False]");
  EXPECT_EQ(np::repr(np::array({true, false})), "array([ True, False])");
  EXPECT_EQ(np::str(np::array({{true}, {true}})), "[[ True]\n [ True]]");
}

// Rows wrap at 75 columns with a hanging indent.
TEST(Format, LineWrapping) {
  EXPECT_EQ(np::str(np::arange(0.0, 30.0)),
            "[ 0.  1.  2.  3.  4.  5.  6.  7.  8.  9. 10. 11. 12. 13. 14. 15. 16. 17.\n"
            " 18. 19. 20. 21. 22. 23. 24. 25. 26. 27. 28. 29.]");
  EXPECT_EQ(np::repr(np::arange(0.0, 30.0)),
            "array([ 0.,  1.,  2.,  3.,  4.,  5.,  6.,  7.,  8.,  9., 10., 11., 12.,\n"
            "       13., 14., 15., 16., 17., 18., 19., 20., 21., 22., 23., 24., 25.,\n"
            "       26., 27., 28., 29.])");
  EXPECT_EQ(np::str(np::arange(40).reshape({2, 20})),
            "[[ 0  1  2  3  4  5  6  7  8  9 10 11 12 13 14 15 16 17 18 19]\n"
            " [20 21 22 23 24 25 26 27 28 29 30 31 32 33 34 35 36 37 38 39]]");
  EXPECT_EQ(
      np::repr(np::array({0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0}, np::float32)),
      "array([0. , 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1. ],\n"
      "      dtype=float32)");
  EXPECT_EQ(np::repr(np::arange(30).astype(np::int32)),
            "array([ 0,  1,  2,  3,  4,  5,  6,  7,  8,  9, 10, 11, 12, 13, 14, 15, 16,\n"
            "       17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29], dtype=int32)");
}

// More than 1000 elements: three items at each edge and '...'.
TEST(Format, Summarised) {
  EXPECT_EQ(np::str(np::arange(2000)), "[   0    1    2 ... 1997 1998 1999]");
  EXPECT_EQ(np::repr(np::arange(0.0, 1001.0)),
            "array([   0.,    1.,    2., ...,  998.,  999., 1000.])");
  EXPECT_EQ(np::str(np::arange(0.0, 2000.0).reshape({40, 50})),
            "[[0.000e+00 1.000e+00 2.000e+00 ... 4.700e+01 4.800e+01 4.900e+01]\n"
            " [5.000e+01 5.100e+01 5.200e+01 ... 9.700e+01 9.800e+01 9.900e+01]\n"
            " [1.000e+02 1.010e+02 1.020e+02 ... 1.470e+02 1.480e+02 1.490e+02]\n"
            " ...\n"
            " [1.850e+03 1.851e+03 1.852e+03 ... 1.897e+03 1.898e+03 1.899e+03]\n"
            " [1.900e+03 1.901e+03 1.902e+03 ... 1.947e+03 1.948e+03 1.949e+03]\n"
            " [1.950e+03 1.951e+03 1.952e+03 ... 1.997e+03 1.998e+03 1.999e+03]]");
  EXPECT_EQ(np::repr(np::arange(2002).astype(np::uint8).reshape({2, 1001})),
            "array([[  0,   1,   2, ..., 230, 231, 232],\n"
            "       [233, 234, 235, ..., 207, 208, 209]], dtype=uint8)");
  EXPECT_EQ(np::str(np::arange(1100).reshape({11, 10, 10})),
            "[[[   0    1    2 ...    7    8    9]\n"
            "  [  10   11   12 ...   17   18   19]\n"
            "  [  20   21   22 ...   27   28   29]\n"
            "  ...\n"
            "  [  70   71   72 ...   77   78   79]\n"
            "  [  80   81   82 ...   87   88   89]\n"
            "  [  90   91   92 ...   97   98   99]]\n"
            "\n"
            " [[ 100  101  102 ...  107  108  109]\n"
            "  [ 110  111  112 ...  117  118  119]\n"
            "  [ 120  121  122 ...  127  128  129]\n"
            "  ...\n"
            "  [ 170  171  172 ...  177  178  179]\n"
            "  [ 180  181  182 ...  187  188  189]\n"
            "  [ 190  191  192 ...  197  198  199]]\n"
            "\n"
            " [[ 200  201  202 ...  207  208  209]\n"
            "  [ 210  211  212 ...  217  218  219]\n"
            "  [ 220  221  222 ...  227  228  229]\n"
            "  ...\n"
            "  [ 270  271  272 ...  277  278  279]\n"
            "  [ 280  281  282 ...  287  288  289]\n"
            "  [ 290  291  292 ...  297  298  299]]\n"
            "\n"
            " ...\n"
            "\n"
            " [[ 800  801  802 ...  807  808  809]\n"
            "  [ 810  811  812 ...  817  818  819]\n"
            "  [ 820  821  822 ...  827  828  829]\n"
            "  ...\n"
            "  [ 870  871  872 ...  877  878  879]\n"
            "  [ 880  881  882 ...  887  888  889]\n"
            "  [ 890  891  892 ...  897  898  899]]\n"
            "\n"
            " [[ 900  901  902 ...  907  908  909]\n"
            "  [ 910  911  912 ...  917  918  919]\n"
            "  [ 920  921  922 ...  927  928  929]\n"
            "  ...\n"
            "  [ 970  971  972 ...  977  978  979]\n"
            "  [ 980  981  982 ...  987  988  989]\n"
            "  [ 990  991  992 ...  997  998  999]]\n"
            "\n"
            " [[1000 1001 1002 ... 1007 1008 1009]\n"
            "  [1010 1011 1012 ... 1017 1018 1019]\n"
            "  [1020 1021 1022 ... 1027 1028 1029]\n"
            "  ...\n"
            "  [1070 1071 1072 ... 1077 1078 1079]\n"
            "  [1080 1081 1082 ... 1087 1088 1089]\n"
            "  [1090 1091 1092 ... 1097 1098 1099]]]");
}

// Empty arrays print [] and repr always names the dtype.
TEST(Format, Empty) {
  EXPECT_EQ(np::str(np::zeros({0})), "[]");
  EXPECT_EQ(np::repr(np::zeros({0})), "array([], dtype=float64)");
  EXPECT_EQ(np::repr(np::zeros({0}, np::int64)), "array([], dtype=int64)");
  EXPECT_EQ(np::str(np::zeros({2, 0})), "[]");
  EXPECT_EQ(np::repr(np::zeros({2, 0}, np::float32)), "array([], shape=(2, 0), dtype=float32)");
}

// The formatter sees only the printed edge items: a wide value in the elided middle does
// not widen the columns or switch to scientific notation.
TEST(Format, SummaryWidthFromEdgeItems) {
  np::ndarray a = np::arange(2000);
  a.set_flat(1000, 123456789);
  EXPECT_EQ(np::str(a), "[   0    1    2 ... 1997 1998 1999]");
  np::ndarray b = np::ones({2000});
  b.set_flat(1000, 1e-9);
  EXPECT_EQ(np::str(b), "[1. 1. 1. ... 1. 1. 1.]");
}

// operator<< writes str(); an undefined array is Python's None.
TEST(Format, StreamOutput) {
  std::ostringstream os;
  os << np::array({1, 2}) << ' ' << np::ndarray();
  EXPECT_EQ(os.str(), "[1 2] None");
}

}  // namespace
