//===- MxNumerics.cpp - Bit-exact MX and 16-bit float conversions ---------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Sim/MxNumerics.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

using namespace mxc;
using namespace mxc::sim;
using amdgpu::MatrixElement;

/// A sign/exponent/mantissa minifloat with subnormals.
static float decodeMinifloat(uint32_t code, unsigned expBits, unsigned manBits,
                             int bias) {
  unsigned sign = (code >> (expBits + manBits)) & 1;
  unsigned exp = (code >> manBits) & ((1u << expBits) - 1);
  unsigned man = code & ((1u << manBits) - 1);
  float magnitude = exp == 0 ? std::ldexp(float(man), 1 - bias - int(manBits))
                             : std::ldexp(float(man | (1u << manBits)),
                                          int(exp) - bias - int(manBits));
  return sign ? -magnitude : magnitude;
}

float mxc::sim::decodeElement(MatrixElement element, uint32_t code) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  switch (element) {
  case MatrixElement::E4M3:
    code &= 0xFF;
    return (code & 0x7F) == 0x7F ? nan : decodeMinifloat(code, 4, 3, 7);
  case MatrixElement::E5M2:
    code &= 0xFF;
    if ((code & 0x7C) == 0x7C)
      return (code & 3)
                 ? nan
                 : (code & 0x80 ? -std::numeric_limits<float>::infinity()
                                : std::numeric_limits<float>::infinity());
    return decodeMinifloat(code, 5, 2, 15);
  case MatrixElement::E2M3:
    return decodeMinifloat(code & 0x3F, 2, 3, 1);
  case MatrixElement::E3M2:
    return decodeMinifloat(code & 0x3F, 3, 2, 3);
  case MatrixElement::E2M1:
    return decodeMinifloat(code & 0xF, 2, 1, 1);
  case MatrixElement::BF16:
    return bf16ToFloat(uint16_t(code));
  case MatrixElement::Count:
    break;
  }
  return nan;
}

double mxc::sim::decodeE8M0(uint8_t s) {
  return s == 0xFF ? std::numeric_limits<double>::quiet_NaN()
                   : std::ldexp(1.0, int(s) - 127);
}

float mxc::sim::bf16ToFloat(uint16_t bits) {
  uint32_t word = uint32_t(bits) << 16;
  float value;
  std::memcpy(&value, &word, 4);
  return value;
}

uint16_t mxc::sim::floatToBf16(float value) {
  uint32_t word;
  std::memcpy(&word, &value, 4);
  if (std::isnan(value))
    return uint16_t((word >> 16) | 0x40); // quiet
  uint32_t roundingBias = 0x7FFF + ((word >> 16) & 1);
  return uint16_t((word + roundingBias) >> 16);
}

float mxc::sim::halfToFloat(uint16_t bits) {
  unsigned exp = (bits >> 10) & 0x1F, man = bits & 0x3FF;
  float magnitude;
  if (exp == 0x1F)
    magnitude = man ? std::numeric_limits<float>::quiet_NaN()
                    : std::numeric_limits<float>::infinity();
  else
    magnitude = decodeMinifloat(bits & 0x7FFF, 5, 10, 15);
  return (bits & 0x8000) ? -magnitude : magnitude;
}

uint16_t mxc::sim::floatToHalf(float value) {
  uint32_t word;
  std::memcpy(&word, &value, 4);
  uint16_t sign = uint16_t((word >> 16) & 0x8000);
  if (std::isnan(value))
    return sign | 0x7E00;
  float magnitude = std::fabs(value);
  if (magnitude >= 65520.0f) // rounds past the largest finite half
    return sign | 0x7C00;
  if (magnitude < std::ldexp(1.0f, -14)) {
    // Subnormal: a multiple of 2^-24, rounded to nearest even by rint.
    float scaled = std::nearbyint(magnitude * std::ldexp(1.0f, 24));
    return sign | uint16_t(scaled);
  }
  int exp;
  float mant =
      std::frexp(magnitude, &exp); // magnitude = mant * 2^exp, mant in [0.5, 1)
  float scaled = std::nearbyint(std::ldexp(mant, 11)); // 11 significant bits
  if (scaled >= 2048.0f) {
    scaled /= 2;
    ++exp;
  }
  uint16_t biased = uint16_t(exp - 1 + 15);
  return sign | uint16_t(biased << 10) | (uint16_t(scaled) & 0x3FF);
}

namespace {
/// Field widths and special values of an 8-bit float encoding.
struct Fp8Format {
  unsigned expBits, manBits;
  int bias;
  bool fnuz;   ///< 0x80 is the only NaN; no infinity, no -0.
  bool hasInf; ///< OCP E5M2: exponent all ones, mantissa 0.
  double maxFinite;
  uint8_t maxCode; ///< Code of maxFinite.
};
} // namespace

static Fp8Format getFp8Format(Fp8Encoding encoding) {
  switch (encoding) {
  case Fp8Encoding::OcpE4M3:
    return {4, 3, 7, false, false, 448.0, 0x7E};
  case Fp8Encoding::OcpE5M2:
    return {5, 2, 15, false, true, 57344.0, 0x7B};
  case Fp8Encoding::FnuzE4M3:
    return {4, 3, 8, true, false, 240.0, 0x7F};
  case Fp8Encoding::FnuzE5M2:
    return {5, 2, 16, true, false, 57344.0, 0x7F};
  }
  return {4, 3, 7, false, false, 448.0, 0x7E};
}

float mxc::sim::decodeFp8(Fp8Encoding encoding, uint8_t code) {
  constexpr float nan = std::numeric_limits<float>::quiet_NaN();
  Fp8Format f = getFp8Format(encoding);
  if (f.fnuz)
    return code == 0x80 ? nan
                        : decodeMinifloat(code, f.expBits, f.manBits, f.bias);
  if (encoding == Fp8Encoding::OcpE4M3)
    return decodeElement(MatrixElement::E4M3, code);
  return decodeElement(MatrixElement::E5M2, code);
}

uint8_t mxc::sim::encodeFp8(Fp8Encoding encoding, double value,
                            bool clampOverflow) {
  Fp8Format f = getFp8Format(encoding);
  uint8_t sign = std::signbit(value) ? 0x80 : 0;
  uint8_t nanCode = f.fnuz ? 0x80 : uint8_t(sign | 0x7F);
  uint8_t maxCode = uint8_t(sign | f.maxCode);
  uint8_t infCode = f.hasInf ? uint8_t(sign | 0x7C) : nanCode;
  if (std::isnan(value))
    return nanCode;
  if (std::isinf(value))
    return infCode;
  double magnitude = std::fabs(value);
  // Quantum of the binade (the subnormal one below the smallest normal):
  // dividing by a power of two is exact, so nearbyint rounds once, to even.
  int minExp = 1 - f.bias;
  int exp = magnitude == 0 ? minExp : std::max(std::ilogb(magnitude), minExp);
  double quantum = std::ldexp(1.0, exp - int(f.manBits));
  double rounded = std::nearbyint(magnitude / quantum) * quantum;
  if (rounded > f.maxFinite)
    return clampOverflow ? maxCode : infCode;
  if (rounded == 0)
    return f.fnuz ? 0 : sign;
  int roundedExp = std::max(std::ilogb(rounded), minExp);
  unsigned mantissa =
      unsigned(std::ldexp(rounded, int(f.manBits) - roundedExp));
  unsigned biased = rounded < std::ldexp(1.0, minExp) ? 0 : roundedExp + f.bias;
  return uint8_t(sign | (biased << f.manBits) |
                 (mantissa & ((1u << f.manBits) - 1)));
}
