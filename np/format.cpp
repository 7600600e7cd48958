// str() and repr() of arrays as NumPy 1.24 prints them with its default print options
// (precision 8, floatmode 'maxprec', linewidth 75, threshold 1000, edgeitems 3, sign '-').
//
// Digits come from std::to_chars: its shortest round-trip output equals the "unique" digits of
// NumPy's Dragon4, and its fixed/scientific output with a precision is the exact binary value
// correctly rounded (ties to even), which is what Dragon4 does when it hits its cutoff.
#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "np/ndarray.hpp"

namespace np {
namespace {

constexpr int kPrecision = 8;
constexpr int kLineWidth = 75;
constexpr std::int64_t kThreshold = 1000;
constexpr std::int64_t kEdgeItems = 3;

// std::to_chars into a std::string; `precision` < 0 asks for the shortest round trip.
template <class F>
std::string chars(F x, std::chars_format fmt, int precision = -1) {
  std::array<char, 400> buf;  // fixed notation of a double needs up to ~330 characters
  const auto res = precision < 0
                       ? std::to_chars(buf.data(), buf.data() + buf.size(), x, fmt)
                       : std::to_chars(buf.data(), buf.data() + buf.size(), x, fmt, precision);
  return std::string(buf.data(), res.ptr);
}

// A finite value as its shortest decimal digits: (-1)^neg * d.ddd * 10^exp.
struct Decimal {
  bool neg = false;
  std::string digits;  // no trailing zeros ("0" for zero)
  int exp = 0;
};

template <class F>
Decimal shortest(F x) {
  const std::string s = chars(x, std::chars_format::scientific);
  Decimal d;
  std::size_t i = 0;
  if (s[i] == '-') {
    d.neg = true;
    ++i;
  }
  const std::size_t e = s.find('e');
  for (; i < e; ++i) {
    if (s[i] != '.') d.digits += s[i];
  }
  d.exp = std::stoi(s.substr(e + 1));
  return d;
}

// Integer and fractional digits of a shortest decimal in positional notation.
struct Positional {
  std::string int_part;  // with the sign
  std::string frac;
};

Positional positional_parts(const Decimal& d) {
  const int n = static_cast<int>(d.digits.size());
  Positional p;
  if (d.exp >= 0) {
    p.int_part = d.digits.substr(0, static_cast<std::size_t>(std::min(n, d.exp + 1)));
    p.int_part.append(static_cast<std::size_t>(std::max(0, d.exp + 1 - n)), '0');
    if (n > d.exp + 1) p.frac = d.digits.substr(static_cast<std::size_t>(d.exp + 1));
  } else {
    p.int_part = "0";
    p.frac = std::string(static_cast<std::size_t>(-d.exp - 1), '0') + d.digits;
  }
  if (d.neg) p.int_part.insert(0, "-");
  return p;
}

// Python's float repr, also NumPy's scalar str: positional digits with at least one
// fractional digit, or d.ddde+XX with a two-digit minimum exponent.
std::string scalar_string(const Decimal& d, bool use_positional) {
  if (use_positional) {
    const Positional p = positional_parts(d);
    return p.int_part + "." + (p.frac.empty() ? "0" : p.frac);
  }
  std::string s = d.neg ? "-" : "";
  s += d.digits[0];
  if (d.digits.size() > 1) s += "." + d.digits.substr(1);
  const int e = std::abs(d.exp);
  s += d.exp < 0 ? "e-" : "e+";
  if (e < 10) s += '0';
  return s + std::to_string(e);
}

template <class F>
std::string nonfinite_string(F x) {
  if (std::isnan(x)) return "nan";
  return x < 0 ? "-inf" : "inf";
}

std::string trim_zeros(std::string s) {
  while (!s.empty() && s.back() == '0') s.pop_back();
  return s;
}

// A scientific-notation string split into its parts ("-1.25e-05" -> "-1", "25", "-", "05").
struct SciParts {
  std::string int_part, frac;
  char exp_sign = '+';
  std::string exp_digits;
};

SciParts split_scientific(const std::string& s) {
  SciParts p;
  const std::size_t e = s.find('e');
  const std::size_t dot = s.find('.');
  if (dot != std::string::npos && dot < e) {
    p.int_part = s.substr(0, dot);
    p.frac = s.substr(dot + 1, e - dot - 1);
  } else {
    p.int_part = s.substr(0, e);
  }
  p.exp_sign = s[e + 1];
  p.exp_digits = s.substr(e + 2);
  return p;
}

// NumPy's FloatingFormat for floatmode 'maxprec'. F is the element type: a float32 array
// gets float32's own digits, not those of the widened double.
template <class F>
class FloatFormat {
 public:
  explicit FloatFormat(const std::vector<F>& values) {
    std::vector<F> finite;
    bool has_nonfinite = false, has_neginf = false;
    for (F x : values) {
      if (std::isfinite(x)) {
        finite.push_back(x);
      } else {
        has_nonfinite = true;
        has_neginf = has_neginf || (std::isinf(x) && x < 0);
      }
    }
    // The thresholds are compared in double, as NumPy compares a float32 scalar with a Python
    // float: float32(1e-4) is below 1e-4 and switches to scientific. The ratio, though, is a
    // division in F: 333.33334f / 0.33333334f is exactly 1000 in float32 and stays positional.
    double max_val = 0.0, min_val = 0.0;
    bool any_nonzero = false;
    for (F x : finite) {
      if (x == 0) continue;
      const double a = std::abs(static_cast<double>(x));
      max_val = any_nonzero ? std::max(max_val, a) : a;
      min_val = any_nonzero ? std::min(min_val, a) : a;
      any_nonzero = true;
    }
    if (any_nonzero) {
      const F ratio = static_cast<F>(max_val) / static_cast<F>(min_val);
      exp_ = max_val >= 1e8 || min_val < 1e-4 || static_cast<double>(ratio) > 1000.0;
    }

    if (finite.empty()) {
      pad_left_ = pad_right_ = 0;
    } else if (exp_) {
      // Unique digits capped at 8 after the point; then every value shows as many fractional
      // digits as the longest needs, and the exponent as many digits as the widest has.
      for (F x : finite) {
        const SciParts p = split_scientific(first_scientific(x));
        precision_ = std::max(precision_, static_cast<int>(p.frac.size()));
        exp_size_ = std::max(exp_size_, static_cast<int>(p.exp_digits.size()));
        pad_left_ = std::max(pad_left_, static_cast<int>(p.int_part.size()));
      }
      pad_right_ = exp_size_ + 2 + precision_;
    } else {
      for (F x : finite) {
        const Positional p = positional(x);
        pad_left_ = std::max(pad_left_, static_cast<int>(p.int_part.size()));
        pad_right_ = std::max(pad_right_, static_cast<int>(p.frac.size()));
      }
    }
    if (has_nonfinite) {
      // "nan", "inf" or "-inf" must fit in the element width.
      const int offset = pad_right_ + 1;
      pad_left_ = std::max({pad_left_, 3 - offset, 3 + (has_neginf ? 1 : 0) - offset});
    }
  }

  std::string operator()(F x) const {
    if (!std::isfinite(x)) {
      const std::string s = nonfinite_string(x);
      const int width = pad_left_ + pad_right_ + 1;
      return std::string(static_cast<std::size_t>(std::max(0, width - static_cast<int>(s.size()))),
                         ' ') +
             s;
    }
    std::string int_part, body;
    if (exp_) {
      // Exactly precision_ fractional digits: the unique ones when they are that many, else
      // the exact value rounded there (Dragon4 goes on past the unique digits for min_digits).
      std::string s = chars(x, std::chars_format::scientific);
      SciParts p = split_scientific(s);
      if (static_cast<int>(p.frac.size()) != precision_) {
        p = split_scientific(chars(x, std::chars_format::scientific, precision_));
      }
      int_part = p.int_part;
      body = "." + p.frac + "e" + p.exp_sign;
      body.append(
          static_cast<std::size_t>(std::max(0, exp_size_ - static_cast<int>(p.exp_digits.size()))),
          '0');
      body += p.exp_digits;
    } else {
      const Positional p = positional(x);
      int_part = p.int_part;
      body = "." + p.frac;
      body.append(static_cast<std::size_t>(pad_right_ - static_cast<int>(p.frac.size())), ' ');
    }
    const int fill = std::max(0, pad_left_ - static_cast<int>(int_part.size()));
    return std::string(static_cast<std::size_t>(fill), ' ') + int_part + body;
  }

 private:
  // Unique digits when at most 8 fractional digits are needed, else the exact value rounded
  // to 8 fractional digits; trailing zeros trimmed (the point stays). Dragon4 runs here with
  // min_digits=0, so it never stops before the units digit: float32(62165688) prints as
  // 62165688., not as its shortest digits 6216569 padded with a zero.
  static Positional positional(F x) {
    const Decimal d = shortest(x);
    Positional p = positional_parts(d);
    if (d.exp + 1 > static_cast<int>(d.digits.size())) {
      // Shortest digits stop left of the units digit; such values are integers.
      p.int_part = chars(x, std::chars_format::fixed, 0);
      return p;
    }
    if (static_cast<int>(p.frac.size()) <= kPrecision) return p;
    const std::string s = chars(x, std::chars_format::fixed, kPrecision);
    const std::size_t dot = s.find('.');
    p.int_part = s.substr(0, dot);
    p.frac = trim_zeros(s.substr(dot + 1));
    return p;
  }

  static std::string first_scientific(F x) {
    const std::string s = chars(x, std::chars_format::scientific);
    if (static_cast<int>(split_scientific(s).frac.size()) <= kPrecision) return s;
    SciParts p = split_scientific(chars(x, std::chars_format::scientific, kPrecision));
    p.frac = trim_zeros(p.frac);
    return p.int_part + "." + p.frac + "e" + p.exp_sign + p.exp_digits;
  }

  bool exp_ = false;
  int pad_left_ = 0;
  int pad_right_ = 0;
  int precision_ = 0;
  int exp_size_ = 0;
};

// IntegerFormat: right-aligned to the widest of the largest and smallest values.
template <class T>
class IntFormat {
 public:
  explicit IntFormat(const std::vector<T>& values) {
    if (values.empty()) return;
    const auto [lo, hi] = std::minmax_element(values.begin(), values.end());
    width_ = std::max(to_str(*lo).size(), to_str(*hi).size());
  }
  std::string operator()(T x) const {
    std::string s = to_str(x);
    if (s.size() < width_) s.insert(0, width_ - s.size(), ' ');
    return s;
  }

 private:
  static std::string to_str(T x) { return std::to_string(static_cast<std::int64_t>(x)); }
  std::size_t width_ = 0;
};

// Flat indices of the elements that a summarised print shows: the first and last edgeitems
// along every axis longer than 2 * edgeitems.
void edge_indices(const Shape& shape, int axis, std::int64_t offset, bool summarise,
                  std::vector<std::int64_t>& out) {
  if (axis == shape.ndim()) {
    out.push_back(offset);
    return;
  }
  std::int64_t stride = 1;
  for (int k = axis + 1; k < shape.ndim(); ++k) stride *= shape[static_cast<std::size_t>(k)];
  const std::int64_t n = shape[static_cast<std::size_t>(axis)];
  for (std::int64_t i = 0; i < n; ++i) {
    if (summarise && n > 2 * kEdgeItems && i == kEdgeItems) i = n - kEdgeItems;
    edge_indices(shape, axis + 1, offset + i * stride, summarise, out);
  }
}

std::string rstrip(std::string s) {
  while (!s.empty() && (s.back() == ' ' || s.back() == '\n')) s.pop_back();
  return s;
}

// Appends `word` to `line`, first moving to a new line when it would pass `width`, unless
// the line holds nothing but the indent (wrapping would not help then).
void extend_line(std::string& s, std::string& line, const std::string& word, std::size_t width,
                 const std::string& next_line_prefix) {
  if (line.size() + word.size() > width && line.size() > next_line_prefix.size()) {
    s += rstrip(line) + "\n";
    line = next_line_prefix;
  }
  line += word;
}

// NumPy's _formatArray: nested brackets, rows wrapped with a hanging indent, blank lines
// between blocks of 3-D and higher arrays, "..." in place of the middle of long axes.
class ArrayFormatter {
 public:
  ArrayFormatter(const Shape& shape, std::function<std::string(std::int64_t)> element,
                 std::string separator, bool summarise)
      : shape_(shape),
        element_(std::move(element)),
        separator_(std::move(separator)),
        summarise_(summarise) {}

  std::string format(const std::string& hanging_indent, std::size_t width) const {
    return recurse(0, 0, hanging_indent, width);
  }

 private:
  std::string recurse(int axis, std::int64_t offset, const std::string& hanging_indent,
                      std::size_t width) const {
    const int axes_left = shape_.ndim() - axis;
    if (axes_left == 0) return element_(offset);

    // Inner levels sit one column further right, behind their "[", and leave room for "]".
    const std::string next_indent = hanging_indent + " ";
    const std::size_t next_width = width - 1;
    std::int64_t stride = 1;
    for (int k = axis + 1; k < shape_.ndim(); ++k) stride *= shape_[static_cast<std::size_t>(k)];
    const std::int64_t n = shape_[static_cast<std::size_t>(axis)];
    const bool summary = summarise_ && 2 * kEdgeItems < n;
    const std::int64_t leading = summary ? kEdgeItems : 0;
    const std::int64_t trailing = summary ? kEdgeItems : n;
    auto item = [&](std::int64_t i) {
      return recurse(axis + 1, offset + i * stride, next_indent, next_width);
    };

    std::string s;
    const std::string sep_stripped = rstrip(separator_);
    if (axes_left == 1) {
      // Room for the separator or the closing bracket after each element.
      const std::size_t elem_width = width - std::max<std::size_t>(sep_stripped.size(), 1);
      std::string line = hanging_indent;
      for (std::int64_t i = 0; i < leading; ++i) {
        extend_line(s, line, item(i), elem_width, hanging_indent);
        line += separator_;
      }
      if (summary) {
        extend_line(s, line, "...", elem_width, hanging_indent);
        line += separator_;
      }
      for (std::int64_t i = trailing; i > 1; --i) {
        extend_line(s, line, item(n - i), elem_width, hanging_indent);
        line += separator_;
      }
      extend_line(s, line, item(n - 1), elem_width, hanging_indent);
      s += line;
    } else {
      const std::string line_sep =
          sep_stripped + std::string(static_cast<std::size_t>(axes_left - 1), '\n');
      for (std::int64_t i = 0; i < leading; ++i) s += hanging_indent + item(i) + line_sep;
      if (summary) s += hanging_indent + "..." + line_sep;
      for (std::int64_t i = trailing; i > 1; --i) s += hanging_indent + item(n - i) + line_sep;
      s += hanging_indent + item(n - 1);
    }
    return "[" + s.substr(hanging_indent.size()) + "]";
  }

  Shape shape_;
  std::function<std::string(std::int64_t)> element_;
  std::string separator_;
  bool summarise_;
};

// np.array2string(a, separator=..., prefix=..., suffix=...) with the default options.
std::string array2string(const ndarray& a, const std::string& separator, std::size_t prefix_len,
                         std::size_t suffix_len) {
  if (a.size() == 0) return "[]";
  const bool summarise = a.size() > kThreshold;
  // The formatter sees only the elements that will be printed.
  std::vector<std::int64_t> shown;
  edge_indices(a.shape(), 0, 0, summarise, shown);
  const std::string next_line_prefix = " " + std::string(prefix_len, ' ');
  const std::size_t width = static_cast<std::size_t>(kLineWidth) - suffix_len;

  return dispatch(a.dtype(), [&](auto tag) {
    using T = typename decltype(tag)::type;
    const T* p = a.data<T>();
    std::vector<T> values;
    values.reserve(shown.size());
    for (std::int64_t i : shown) values.push_back(p[i]);
    std::function<std::string(std::int64_t)> element;
    if constexpr (std::is_same_v<T, bool>) {
      // " True" lines up with "False", except in a 0-d array.
      const std::string true_str = a.ndim() == 0 ? "True" : " True";
      element = [p, true_str](std::int64_t i) { return p[i] ? true_str : std::string("False"); };
    } else if constexpr (std::is_floating_point_v<T>) {
      element = [p, fmt = FloatFormat<T>(values)](std::int64_t i) { return fmt(p[i]); };
    } else {
      element = [p, fmt = IntFormat<T>(values)](std::int64_t i) { return fmt(p[i]); };
    }
    return ArrayFormatter(a.shape(), std::move(element), separator, summarise)
        .format(next_line_prefix, width);
  });
}

// float32 scalars (NumPy's own str): positional when 1e-4 <= |x| < 1e16, the bounds compared
// as long doubles, so float32(1e-4), just below 1e-4, prints as 1e-04.
std::string float32_str(float x) {
  if (!std::isfinite(x)) return nonfinite_string(x);
  const long double a = std::abs(static_cast<long double>(x));
  return scalar_string(shortest(x), a == 0 || (a >= 1e-4L && a < 1e16L));
}

// The str of the element of a 0-d array: the str of the NumPy scalar.
std::string scalar_str(const ndarray& a) {
  return dispatch(a.dtype(), [&](auto tag) -> std::string {
    using T = typename decltype(tag)::type;
    const T x = a.data<T>()[0];
    if constexpr (std::is_same_v<T, bool>) {
      return x ? "True" : "False";
    } else if constexpr (std::is_floating_point_v<T>) {
      return float_repr(x);
    } else {
      return std::to_string(static_cast<std::int64_t>(x));
    }
  });
}

}  // namespace

std::string float_repr(double value) {
  if (!std::isfinite(value)) return nonfinite_string(value);
  const Decimal d = shortest(value);
  // Python switches to scientific when the decimal exponent is below -4 or at least 16.
  return scalar_string(d, value == 0 || (d.exp >= -4 && d.exp < 16));
}

std::string float_repr(float value) { return float32_str(value); }

// An array on a GPU prints as the same array in host memory (CuPy prints as NumPy does): the
// host waits for its values here.
std::string str(const ndarray& a) {
  if (!a.defined()) return "None";
  if (a.device() != Device::cpu) return str(to_device(a, Device::cpu));
  if (a.ndim() == 0) return scalar_str(a);
  return array2string(a, " ", 0, 0);
}

std::string repr(const ndarray& a) {
  if (!a.defined()) return "None";
  if (a.device() != Device::cpu) return repr(to_device(a, Device::cpu));
  const std::string prefix = "array(";
  // float64, int64 and bool are what Python numbers become, so their dtype goes unsaid.
  const DType d = a.dtype();
  const bool skip_dtype =
      (d == DType::float64 || d == DType::int64 || d == DType::bool_) && a.size() > 0;
  const std::string suffix = skip_dtype ? ")" : ",";
  std::string body;
  if (a.size() > 0 || (a.ndim() == 1 && a.shape()[0] == 0)) {
    body = array2string(a, ", ", prefix.size(), suffix.size());
  } else {
    body = "[], shape=" + a.shape().str();
  }
  std::string out = prefix + body + suffix;
  if (skip_dtype) return out;

  const std::string dtype_str = "dtype=" + std::string(dtype_name(d)) + ")";
  // The dtype goes on a line of its own when it would make the last line too long.
  const std::size_t last_nl = out.rfind('\n');
  const std::size_t last_line_len =
      last_nl == std::string::npos ? out.size() : out.size() - last_nl - 1;
  if (last_line_len + dtype_str.size() + 1 > static_cast<std::size_t>(kLineWidth)) {
    out += "\n" + std::string(prefix.size(), ' ');
  } else {
    out += " ";
  }
  return out + dtype_str;
}

std::ostream& operator<<(std::ostream& os, const ndarray& a) { return os << str(a); }

}  // namespace np
