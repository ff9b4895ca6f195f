//===- MxNumerics.cpp - Bit-exact MX and 16-bit float conversions ---------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Sim/MxNumerics.h"

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
