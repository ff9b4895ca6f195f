//===- BlockQuantize.h - MX block scales and element codes ------*- C++ -*-===//
//
// Part of mxc. The numerics every kernel that writes MX values shares
// (SPEC.md, Quantize): a block's E8M0 scale from its absolute maximum in
// either rounding mode, the NaN/Inf rule, and fp32 values to element codes
// packed as the dialect stores them. Quantize, SwiGLU + quantize and
// RMSNorm + quantize feed it fp32 values; it knows nothing of where they
// come from.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_CONVERSION_MXTOAMDGPU_BLOCKQUANTIZE_H
#define MXC_LIB_CONVERSION_MXTOAMDGPU_BLOCKQUANTIZE_H

#include "TileOps.h"

#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Target/AMDGPU/Chips.h"

namespace mxc::quant {

/// Emits the quantization of fp32 values to one MX format.
class BlockQuantizer {
public:
  /// `fp8` says how E4M3/E5M2 codes are made (the chip's
  /// ChipInfo::rowFp8).
  BlockQuantizer(tile::TileBuilder &t, mx::Format format,
                 mx::ScaleRounding rounding, amdgpu::Fp8Conversion fp8)
      : t(t), info(mx::getFormatInfo(format)), rounding(rounding), fp8(fp8) {}

  /// The bits of |x| (x an f32) as i32: their unsigned order is the order
  /// of the magnitudes, and NaN and Inf lie at or above 0x7F800000.
  mlir::Value absBits(mlir::Value x) const;
  /// The largest of `absBits` values.
  mlir::Value maxBits(llvm::ArrayRef<mlir::Value> bits) const;
  /// The E8M0 scale (i32, 0 to 255) of a block whose largest |x| has bits
  /// `amaxBits`: 255 when the block holds NaN or Inf.
  mlir::Value scale(mlir::Value amaxBits) const;
  /// The codes of `values` (fp32) in a block of scale `scale`, packed as
  /// the dialect stores them (a little-endian bit stream: element i at bit
  /// i * bits) into a vector of i32; `values.size() * bits` must be a
  /// multiple of 32.
  mlir::Value encode(llvm::ArrayRef<mlir::Value> values,
                     mlir::Value scale) const;

  const mx::FormatInfo &format() const { return info; }

private:
  /// |q| in the element's bits (no sign), for q finite; RNE, saturating.
  mlir::Value softwareMagnitude(mlir::Value q) const;
  /// Codes of two values through v_cvt_pk_{fp8,bf8}_f32 (OCP).
  mlir::Value hardwareFp8Pair(mlir::Value x, mlir::Value y, mlir::Value old,
                              bool high) const;

  tile::TileBuilder &t;
  const mx::FormatInfo &info;
  mx::ScaleRounding rounding;
  amdgpu::Fp8Conversion fp8;
};

/// The values (fp32) of the first `count` codes of `words` (a vector of i32
/// holding a little-endian bit stream of `format` codes): E4M3/E5M2
/// through v_cvt_pk_f32_{fp8,bf8} where `fp8` is Hardware, else from their
/// fields like FP6/FP4; FP8 specials decode to NaN/Inf (FP6/FP4 have none).
llvm::SmallVector<mlir::Value> decodeCodes(tile::TileBuilder &t,
                                           mx::Format format, mlir::Value words,
                                           unsigned count,
                                           amdgpu::Fp8Conversion fp8);

/// 2^(s - 127) as an fp32 for an E8M0 scale byte `s` (i32): 2^-127 (a
/// subnormal) for 0, NaN for 0xFF.
mlir::Value scaleValue(tile::TileBuilder &t, mlir::Value s);

} // namespace mxc::quant

#endif // MXC_LIB_CONVERSION_MXTOAMDGPU_BLOCKQUANTIZE_H
