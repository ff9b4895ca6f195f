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
