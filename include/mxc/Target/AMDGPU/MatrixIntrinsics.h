//===- MatrixIntrinsics.h - AMDGPU matrix instructions as data --*- C++ -*-===//
//
// Part of mxc. One row per matrix instruction: shape, wave size, operand
// formats and the lane/register layouts of A, B, C and the scales. Kernel
// generation, the cost model and the simulator's semantics read this table.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_MATRIXINTRINSICS_H
#define MXC_TARGET_AMDGPU_MATRIXINTRINSICS_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"

namespace mxc::amdgpu {

/// Operand element encodings. The scaled MFMA takes its A/B format from the
/// cbsz/blgp immediates, numbered as here (E4M3 = 0 ... E2M1 = 4).
enum class MatrixElement { E4M3, E5M2, E2M3, E3M2, E2M1, BF16, Count };

/// The matrix instructions mxc knows, one table row each, in table order.
/// The dialect's `#mx.matrix_instruction` numbers them alike. WMMA has two
/// rows: gfx11 (R3) and gfx12 (R4) lay the same instruction out differently.
enum class MatrixInstruction : unsigned {
  MfmaScaleF32_32x32x64_F8F6F4,
  MfmaScaleF32_16x16x128_F8F6F4,
  MfmaF32_32x32x16_Bf16,
  MfmaF32_16x16x32_Bf16,
  MfmaF32_32x32x8_Bf16_1k,
  MfmaF32_16x16x16_Bf16_1k,
  WmmaR3F32_16x16x16_Bf16,
  WmmaR4F32_16x16x16_Bf16,
  Count
};

/// Bits per element of an encoding.
unsigned getElementBits(MatrixElement element);

/// Where the elements an A or B lane holds sit in the K dimension.
/// Lane `l` holds row (of A; column of B) `l % groupLanes`; its elements
/// come in runs of `runLength`, run r starting at
/// `runBase[r] + groupStride * (l / groupLanes)`.
struct OperandLayout {
  unsigned groupLanes;
  unsigned runLength;
  unsigned groupStride;
  unsigned numRuns;
  unsigned runBase[2];

  unsigned row(unsigned lane) const { return lane % groupLanes; }
  unsigned k(unsigned lane, unsigned element) const {
    unsigned run = element / runLength;
    return runBase[run] + groupStride * (lane / groupLanes) +
           element % runLength;
  }
  unsigned elementsPerLane() const { return runLength * numRuns; }
};

/// Where accumulator register `r` of lane `l` sits:
/// row = blockStride * (r / rowsPerBlock) + groupStride * (l / columns)
///       + r % rowsPerBlock, column = l % columns.
struct AccumulatorLayout {
  unsigned columns;
  unsigned rowsPerBlock;
  unsigned blockStride;
  unsigned groupStride;

  unsigned row(unsigned lane, unsigned reg) const {
    return blockStride * (reg / rowsPerBlock) + groupStride * (lane / columns) +
           reg % rowsPerBlock;
  }
  unsigned column(unsigned lane) const { return lane % columns; }
};

struct MatrixIntrinsic {
  MatrixInstruction instruction;
  llvm::StringRef llvmName; ///< Intrinsic name, without type suffixes.
  llvm::StringRef isaName;  ///< The instruction llvm-objdump shows.
  unsigned m, n, k;
  unsigned waveSize;
  bool scaled; ///< A and B carry E8M0 scales per 32 K (f8f6f4 formats).
  /// BF16 for unscaled instructions; for scaled ones the format comes from
  /// the instruction's immediates and both layouts below are listed.
  MatrixElement element;
  OperandLayout fp8Layout;    ///< A and B of 8-bit (and BF16) elements.
  OperandLayout packedLayout; ///< A and B of FP6/FP4 elements (scaled only).
  AccumulatorLayout acc;
  unsigned accRegisters; ///< f32 accumulator registers per lane.
  unsigned cycles;       ///< Issue-to-issue cycles for 8-bit operands.
  llvm::StringRef chips; ///< Comma-separated chips that have it.

  /// The A/B layout for an operand of `element`.
  const OperandLayout &layoutFor(MatrixElement element) const {
    return getElementBits(element) < 8 ? packedLayout : fp8Layout;
  }
  /// Scale byte of lane `l` belongs to row `l % m` and K block `l / m`.
  unsigned scaleRow(unsigned lane) const { return lane % m; }
  unsigned scaleBlock(unsigned lane) const { return lane / m; }
  bool isOnChip(llvm::StringRef chip) const;
  /// Whether `name` is this intrinsic, type suffixes ignored.
  bool matchesName(llvm::StringRef name) const;
};

llvm::ArrayRef<MatrixIntrinsic> getMatrixIntrinsics();
/// The row of `instruction`.
const MatrixIntrinsic &getMatrixIntrinsic(MatrixInstruction instruction);
/// The row for intrinsic `name` (type suffixes ignored) on `chip`, or null.
const MatrixIntrinsic *lookupMatrixIntrinsic(llvm::StringRef name,
                                             llvm::StringRef chip);
/// The row whose instruction is `isaName` on `chip`, or null.
const MatrixIntrinsic *lookupMatrixInstruction(llvm::StringRef isaName,
                                               llvm::StringRef chip);
/// Whether `name` is a matrix intrinsic of any chip.
bool isMatrixIntrinsic(llvm::StringRef name);

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_MATRIXINTRINSICS_H
