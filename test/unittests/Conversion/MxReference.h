//===- MxReference.h - SPEC.md's quantize numerics, for tests ---*- C++ -*-===//
//
// Part of mxc. Plain reference code written from SPEC.md (Formats,
// Quantize, Dequantize), in double arithmetic where SPEC.md does not say
// fp32, sharing nothing with the kernels' builders or their format table.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TEST_UNITTESTS_CONVERSION_MXREFERENCE_H
#define MXC_TEST_UNITTESTS_CONVERSION_MXREFERENCE_H

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

namespace mxc::test::ref {

/// SPEC.md, Formats.
struct Format {
  const char *name, *type;
  unsigned bits, expBits, manBits;
  int bias;
  double maxFinite;
  int emax;         ///< floor mode's emax_elem.
  uint32_t nanCode; ///< The code of every element of a NaN/Inf block.
};
inline const Format kFormats[] = {
    {"e4m3", "f8E4M3FN", 8, 4, 3, 7, 448.0, 8, 0x7F},
    {"e5m2", "f8E5M2", 8, 5, 2, 15, 57344.0, 15, 0x7F},
    {"e2m3", "f6E2M3FN", 6, 2, 3, 1, 7.5, 2, 0x1F},
    {"e3m2", "f6E3M2FN", 6, 3, 2, 3, 28.0, 4, 0x1F},
    {"e2m1", "f4E2M1FN", 4, 2, 1, 1, 6.0, 2, 0x7},
};

enum class Rounding { Ceil, Floor };

/// SPEC.md, Quantize, Scale: the E8M0 scale of one block.
inline uint8_t blockScale(const Format &f, Rounding r, const float *x,
                          unsigned n = 32) {
  float amax = 0;
  for (unsigned i = 0; i < n; ++i) {
    if (std::isnan(x[i]) || std::isinf(x[i]))
      return 0xFF;
    amax = std::max(amax, std::fabs(x[i]));
  }
  int s;
  if (r == Rounding::Ceil) {
    if (amax == 0)
      return 127;
    float d = amax / float(f.maxFinite); // IEEE fp32 division
    // ceil(log2 d), exactly: frexp gives d = m 2^e with m in [0.5, 1).
    int e;
    double m = std::frexp(double(d), &e);
    int ceilLog2 = m == 0.5 ? e - 1 : e;
    s = 127 + ceilLog2;
  } else {
    if (amax == 0)
      return 0;
    s = 127 + std::ilogb(double(amax)) - f.emax;
  }
  return uint8_t(std::min(254, std::max(0, s)));
}

/// SPEC.md, Quantize, Elements: the code of x in a block of scale s
/// (s != 0xFF). The product is taken in fp32, then rounded to nearest
/// even, subnormals kept, saturating at the largest finite value.
inline uint32_t elementCode(const Format &f, float x, uint8_t s) {
  float q = x * std::ldexp(1.0f, 127 - int(s));
  uint32_t sign = std::signbit(q) ? 1u << (f.bits - 1) : 0;
  double mag = std::fabs(double(q));
  int minExp = 1 - f.bias;
  int exp = mag == 0 ? minExp : std::max(std::ilogb(mag), minExp);
  double quantum = std::ldexp(1.0, exp - int(f.manBits));
  double r = std::nearbyint(mag / quantum) * quantum;
  r = std::min(r, f.maxFinite);
  uint32_t e = 0, m;
  if (r < std::ldexp(1.0, minExp)) {
    m = uint32_t(r / std::ldexp(1.0, minExp - int(f.manBits)));
  } else {
    int re = std::ilogb(r);
    e = uint32_t(re + f.bias);
    m = uint32_t(r / std::ldexp(1.0, re - int(f.manBits))) - (1u << f.manBits);
  }
  return sign | (e << f.manBits) | m;
}

/// SPEC.md, Formats: the value of a code (specials never passed).
inline double decode(const Format &f, uint32_t code) {
  uint32_t sign = (code >> (f.bits - 1)) & 1,
           e = (code >> f.manBits) & ((1u << f.expBits) - 1),
           m = code & ((1u << f.manBits) - 1);
  double v =
      e == 0 ? std::ldexp(double(m), 1 - f.bias - int(f.manBits))
             : std::ldexp(1.0 + double(m) / (1 << f.manBits), int(e) - f.bias);
  return sign ? -v : v;
}

/// Codes [rows][k] packed as the dialect stores them: element i of a row
/// at bit i * bits of the row's little-endian bit stream (FP4: even K in
/// the low nibble; FP6: four in three bytes).
inline std::vector<uint8_t> pack(const Format &f,
                                 const std::vector<uint32_t> &codes,
                                 int64_t rows, int64_t k) {
  int64_t rowBytes = k * f.bits / 8;
  std::vector<uint8_t> out(rows * rowBytes, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < k; ++i) {
      uint64_t bit = uint64_t(i) * f.bits;
      for (unsigned j = 0; j < f.bits; ++j)
        if ((codes[r * k + i] >> j) & 1)
          out[r * rowBytes + (bit + j) / 8] |= uint8_t(1u << ((bit + j) % 8));
    }
  return out;
}

/// bf16: the high half of the fp32, rounded to nearest even.
inline uint16_t toBf16(float x) {
  uint32_t bits;
  std::memcpy(&bits, &x, 4);
  if (std::isnan(x))
    return uint16_t((bits >> 16) | 0x40);
  bits += 0x7FFF + ((bits >> 16) & 1);
  return uint16_t(bits >> 16);
}
inline float fromBf16(uint16_t h) {
  uint32_t bits = uint32_t(h) << 16;
  float x;
  std::memcpy(&x, &bits, 4);
  return x;
}
/// IEEE half: sign, 5 exponent bits (bias 15), 10 mantissa bits.
inline float fromHalf(uint16_t h) {
  int e = (h >> 10) & 0x1F, m = h & 0x3FF;
  double v = e == 0    ? std::ldexp(double(m), -24)
             : e == 31 ? (m ? NAN : INFINITY)
                       : std::ldexp(1.0 + m / 1024.0, e - 15);
  return float((h & 0x8000) ? -v : v);
}
inline uint16_t toHalf(float x) {
  uint16_t sign = std::signbit(x) ? 0x8000 : 0;
  if (std::isnan(x))
    return 0x7E00;
  double mag = std::fabs(double(x));
  int exp = mag == 0 ? -14 : std::max(std::ilogb(mag), -14);
  double quantum = std::ldexp(1.0, exp - 10);
  double r = std::nearbyint(mag / quantum) * quantum;
  if (std::isinf(x) || r > 65504)
    return sign | 0x7C00;
  if (r < std::ldexp(1.0, -14))
    return sign | uint16_t(r / std::ldexp(1.0, -24));
  int re = std::ilogb(r);
  return sign | uint16_t((re + 15) << 10) |
         uint16_t(r / std::ldexp(1.0, re - 10) - 1024);
}

/// A real type (bf16, f16, f32) as stored: rounding, encoding, decoding.
struct Real {
  std::string type;
  unsigned bytes() const { return type == "f32" ? 4 : 2; }
  float round(float x) const { return load(encode(x).data()); }
  std::vector<uint8_t> encode(float x) const {
    std::vector<uint8_t> out(bytes());
    if (type == "f32") {
      std::memcpy(out.data(), &x, 4);
    } else {
      uint16_t h = type == "bf16" ? toBf16(x) : toHalf(x);
      std::memcpy(out.data(), &h, 2);
    }
    return out;
  }
  void store(float x, uint8_t *at) const {
    std::vector<uint8_t> e = encode(x);
    std::memcpy(at, e.data(), e.size());
  }
  float load(const uint8_t *at) const {
    if (type == "f32") {
      float x;
      std::memcpy(&x, at, 4);
      return x;
    }
    uint16_t h;
    std::memcpy(&h, at, 2);
    return type == "bf16" ? fromBf16(h) : fromHalf(h);
  }
};

/// Code `i` of a row of codes packed as `pack` writes them.
inline uint32_t codeAt(const Format &f, const uint8_t *row, int64_t i) {
  uint64_t bit = uint64_t(i) * f.bits;
  uint32_t code = 0;
  for (unsigned j = 0; j < f.bits; ++j)
    code |= uint32_t((row[(bit + j) / 8] >> ((bit + j) % 8)) & 1) << j;
  return code;
}

/// Mismatches a fused kernel may legitimately show (SPEC.md, SwiGLU +
/// quantize, RMSNorm + quantize: an fp32 exp, division or rsqrt a few ulps
/// off can flip a rounding), counted.
struct Flips {
  int64_t scales = 0, elements = 0;
};

/// Checks a kernel's quantized block (`gotScale`, `gotCodes`) against
/// SPEC.md's quantization of `ref32` (the block's fp32 values as the
/// reference computes them). A mismatch is a flip, and allowed, only where
/// a value within relative distance `rel` of the exact (double) value gives
/// the kernel's result: for the scale, an amax in [amax (1 - rel), amax
/// (1 + rel)]; for an element, at the kernel's scale, x (1 - rel) or
/// x (1 + rel). Blocks holding NaN/Inf allow none. Returns "" or why not.
inline std::string checkFusedBlock(const Format &f, Rounding r,
                                   const float *ref32, const double *exact,
                                   uint8_t gotScale, const uint32_t *gotCodes,
                                   double rel, Flips &flips) {
  uint8_t scale = blockScale(f, r, ref32);
  if (scale == 0xFF) {
    if (gotScale != 0xFF)
      return "scale " + std::to_string(gotScale) + ", expected 255 (NaN/Inf)";
    for (unsigned i = 0; i < 32; ++i)
      if (gotCodes[i] != f.nanCode)
        return "element " + std::to_string(i) + " of a NaN block is " +
               std::to_string(gotCodes[i]);
    return "";
  }
  float lo[32], hi[32];
  for (unsigned i = 0; i < 32; ++i) {
    lo[i] = float(exact[i] * (1 - rel));
    hi[i] = float(exact[i] * (1 + rel));
  }
  if (gotScale != scale) {
    uint8_t a = blockScale(f, r, lo), b = blockScale(f, r, hi);
    if (gotScale < std::min(a, b) || gotScale > std::max(a, b))
      return "scale " + std::to_string(gotScale) + ", expected " +
             std::to_string(scale);
    ++flips.scales;
  }
  for (unsigned i = 0; i < 32; ++i) {
    if (gotCodes[i] == elementCode(f, ref32[i], gotScale))
      continue;
    if (gotCodes[i] != elementCode(f, lo[i], gotScale) &&
        gotCodes[i] != elementCode(f, hi[i], gotScale))
      return "element " + std::to_string(i) + " is code " +
             std::to_string(gotCodes[i]) + ", expected " +
             std::to_string(elementCode(f, ref32[i], gotScale)) + " (value " +
             std::to_string(ref32[i]) + ", scale " + std::to_string(gotScale) +
             ")";
    ++flips.elements;
  }
  return "";
}

} // namespace mxc::test::ref

#endif // MXC_TEST_UNITTESTS_CONVERSION_MXREFERENCE_H
