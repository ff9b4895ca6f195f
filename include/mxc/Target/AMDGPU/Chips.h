//===- Chips.h - AMDGPU chips mxc compiles for ------------------*- C++ -*-===//
//
// Part of mxc. Target facts live here as data: adding a chip is adding a row.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_CHIPS_H
#define MXC_TARGET_AMDGPU_CHIPS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mxc::amdgpu {

/// How a chip multiplies MX operands.
enum class MatrixPath {
  ScaledMfma, ///< Native MX: v_mfma_scale_f32_*_f8f6f4 (CDNA4).
  MfmaBf16,   ///< Upcast to BF16, v_mfma_f32_*_bf16 (CDNA2/CDNA3).
  WmmaBf16,   ///< Upcast to BF16, v_wmma_f32_16x16x16_bf16 (RDNA3/RDNA4).
};

/// What the chip's hardware FP8 means.
enum class Fp8Flavor { None, Ocp, Fnuz };

/// How the row kernels (quantize, dequantize, SwiGLU, RMSNorm) convert
/// between fp32 and E4M3/E5M2 codes (docs/quantize.md).
enum class Fp8Conversion {
  /// v_cvt_pk_{fp8,bf8}_f32 and v_cvt_pk_f32_{fp8,bf8}: OCP encodings whose
  /// bits are checked against SPEC.md (gfx950).
  Hardware,
  /// Integer arithmetic on the fp32 bits, as for FP6/FP4: chips without
  /// conversions, with FNUZ ones, or whose conversions are not checked.
  Software,
};

/// The layout of word 3 of a buffer resource (V#): the GFX9 one (CDNA), or
/// the GFX10+ one (RDNA), which adds OOB_SELECT (bits 28-29: how a raw
/// access is range-checked) and sets bit 24.
enum class BufferResourceLayout { Gfx9, Gfx10Plus };

/// Word 3 of a raw buffer resource for untyped, range-checked access in
/// `layout`: bits 12-18 as GFX9's 32-bit data format and float number
/// format (untyped access ignores them, GFX9 wants them non-zero; GFX10+
/// reads them as its FORMAT field), and on GFX10+ bit 24 set and OOB_SELECT
/// 3 (an access is out of range when its offset plus size exceeds
/// num_records). These are the values of MLIR's AMDGPUToROCDL
/// (makeBufferRsrc) for a bounds-checked resource: 0x27000 on GFX9,
/// 0x31027000 on GFX10+ (gfx1030, gfx1100 and gfx1201 alike).
unsigned getRawBufferResourceFlags(BufferResourceLayout layout);

struct ChipInfo {
  llvm::StringRef name;        ///< LLVM processor name ("gfx950").
  llvm::StringRef description; ///< Product family, for --list-targets.
  unsigned waveSize;
  unsigned ldsBytesPerWorkgroup;
  unsigned
      vgprsPerLane; ///< Architected + accumulation registers a wave may use.
  MatrixPath matrixPath;
  Fp8Flavor fp8;
  /// Compute units of the largest product (MI355X, MI300X, ...): the cost
  /// model's count of workgroups that run at once.
  unsigned computeUnits;
  /// Occupancy: registers per lane in one SIMD's file, the granule a wave's
  /// allocation rounds up to, and the most waves one SIMD holds.
  unsigned vgprFilePerLane;
  unsigned vgprGranule;
  unsigned maxWavesPerSimd;
  /// Widest load straight from memory into LDS (buffer_load ... lds,
  /// global_load_lds_*) one lane may make, in bytes: 4 where the 1-, 2- and
  /// 4-byte forms exist (gfx90a, gfx942), 16 where the dwordx3 and dwordx4
  /// forms exist too (gfx950), 0 where there are none (GFX11, GFX12).
  unsigned maxLoadToLdsBytes;
  BufferResourceLayout bufferLayout;
  Fp8Conversion rowFp8;

  /// Waves of a kernel using `vgprs` registers (VGPR+AGPR) one SIMD holds,
  /// counting registers alone.
  unsigned getWavesPerSimd(unsigned vgprs) const;
};

/// Every chip mxc targets, in --list-targets order.
llvm::ArrayRef<ChipInfo> getChips();
/// The chip called `name`, or null.
const ChipInfo *lookupChip(llvm::StringRef name);
/// "gfx950, gfx942, ..." for diagnostics.
std::string listChipNames();

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_CHIPS_H
