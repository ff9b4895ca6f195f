//===- MxNumerics.h - Bit-exact MX and 16-bit float conversions -*- C++ -*-===//
//
// Part of mxc. Decoding of MX element and scale bytes and rounding to bf16 /
// f16, as SPEC.md defines them. Used by the simulator and by the tests'
// reference code.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_SIM_MXNUMERICS_H
#define MXC_SIM_MXNUMERICS_H

#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include <cstdint>

namespace mxc::sim {

/// The value of `code` (the low bits of a byte) in `element`'s encoding.
float decodeElement(amdgpu::MatrixElement element, uint32_t code);
/// 2^(s-127); 0xFF is NaN.
double decodeE8M0(uint8_t s);

float bf16ToFloat(uint16_t bits);
/// Round to nearest even; NaN stays NaN.
uint16_t floatToBf16(float value);
float halfToFloat(uint16_t bits);
/// Round to nearest even, overflow to infinity.
uint16_t floatToHalf(float value);

} // namespace mxc::sim

#endif // MXC_SIM_MXNUMERICS_H
