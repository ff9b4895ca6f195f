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

/// The 8-bit float encodings of the hardware conversion instructions
/// (v_cvt_*fp8*/bf8*): OCP E4M3/E5M2 (gfx950, gfx12) or the FNUZ variants
/// of gfx942 (E4M3 bias 8 and E5M2 bias 16, no infinities, no negative zero,
/// 0x80 is NaN).
enum class Fp8Encoding : uint8_t { OcpE4M3, OcpE5M2, FnuzE4M3, FnuzE5M2 };

/// The value of an 8-bit float code.
float decodeFp8(Fp8Encoding encoding, uint8_t code);
/// `value` rounded to nearest even in `encoding`. A finite value that
/// rounds past the largest finite one gives the largest finite value when
/// `clampOverflow` (MODE.FP16_OVFL) is set and otherwise infinity (E5M2) or
/// NaN (E4M3 and FNUZ, which have no infinity); an infinite input stays
/// infinite (NaN where there is none), NaN stays NaN.
uint8_t encodeFp8(Fp8Encoding encoding, double value, bool clampOverflow);

} // namespace mxc::sim

#endif // MXC_SIM_MXNUMERICS_H
