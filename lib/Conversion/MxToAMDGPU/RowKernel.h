//===- RowKernel.h - Kernels that sweep the rows of their operands -*- C++
//-*-=//
//
// Part of mxc. What the row-wise mx kernels (quantize, dequantize, SwiGLU,
// RMSNorm) share beyond the tile pieces: lanes laid over rows in runs, the
// gpu.func with the kernel ABI, and the mx.launch_plan that replaces the op
// (grid over row segments and groups of rows, M the runtime size).
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_CONVERSION_MXTOAMDGPU_ROWKERNEL_H
#define MXC_LIB_CONVERSION_MXTOAMDGPU_ROWKERNEL_H

#include "TileOps.h"

#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/PatternMatch.h"

#include <limits>

namespace mxc::rows {

/// Lanes of a wave of `waveSize` lanes (64 or 32) laid over rows: each lane
/// owns one run of a row (its contiguous piece: 16 elements for the
/// quantize family); a row's runs are spread over `lanesPerRow` consecutive
/// lanes (a power of two up to the wave size), so a wave covers
/// `rowsPerWave` rows or, for rows longer than a wave, one of `segments`
/// segments of a row. A workgroup is `waves` waves over consecutive rows.
struct RowLanes {
  int64_t runsPerRow = 0;
  unsigned waveSize = 0;
  unsigned lanesPerRow = 0, rowsPerWave = 0, waves = 0;
  int64_t segments = 0;

  static RowLanes get(int64_t runsPerRow, unsigned waves, unsigned waveSize);
  unsigned threads() const { return waves * waveSize; }
  int64_t rowsPerGroup() const { return int64_t(waves) * rowsPerWave; }
};

/// A lane's place: its row, its run in the row, and whether both exist.
struct LanePlace {
  mlir::Value tid, lane, wave; ///< wave is uniform.
  mlir::Value row, run, valid;
};

/// The place of the current lane (grid x: segments, y: groups of rows).
LanePlace getLanePlace(tile::TileBuilder &t, const RowLanes &lanes,
                       mlir::Value m);

/// A buffer operand of the op: its value and the name the launch plan gives
/// it; `rowsAreM` when its extent 0 is the runtime size M.
struct PlanBuffer {
  mlir::Value value;
  llvm::StringRef name;
  bool rowsAreM = false;
};

/// Checks the buffers can be passed to a kernel (identity layouts), at the
/// op.
mlir::LogicalResult checkPlanBuffers(mlir::Operation *op,
                                     llvm::ArrayRef<PlanBuffer> buffers);

/// Extent 1 of `operand` (named `operandName`), which the row kernel is
/// built for, or an error at the op that it is dynamic (`widthName` names
/// the extent in the message: K, H, 2I).
mlir::FailureOr<int64_t> getStaticRowWidth(mlir::Operation *op,
                                           mlir::Value operand,
                                           llvm::StringRef widthName,
                                           llvm::StringRef operandName);

/// A kernel `<enclosing function>_<opName>` in `kernels` taking the buffers'
/// pointers and M (i32), of `threads` lanes; the builder is left at the
/// start of its body.
mlir::gpu::GPUFuncOp createRowKernel(mlir::ImplicitLocOpBuilder &b,
                                     mlir::Operation *op,
                                     mlir::gpu::GPUModuleOp kernels,
                                     llvm::StringRef opName, unsigned buffers,
                                     unsigned threads);

/// How a row kernel is launched: grid [segments, ceil(M / rowsPerGroup),
/// 1] of `threads` lanes.
struct RowGrid {
  int64_t segments = 1, rowsPerGroup = 1;
  unsigned threads = 0;
};

/// One kernel of a row op's plan, launched over `grid` for M up to `maxM`
/// (the plan's last variant also takes any larger M).
struct RowVariant {
  mlir::gpu::GPUFuncOp kernel;
  RowGrid grid;
  int64_t ldsBytes = 0;
  int64_t maxM = std::numeric_limits<int64_t>::max();
};

/// The largest M at which a grid of `grid`'s shape has fewer workgroups
/// than `chip` has compute units (0 when it never has): below it, a
/// variant with smaller workgroups spreads the rows over more CUs.
int64_t getNarrowVariantLimit(const amdgpu::ChipInfo &chip,
                              const RowGrid &grid);

/// M when a buffer whose rows are M has a static extent 0 (the verifiers
/// make them equal), else ShapedType::kDynamic.
int64_t getStaticM(llvm::ArrayRef<PlanBuffer> buffers);

/// Replaces `op` by the mx.launch_plan that runs one of `variants` (in
/// ascending `maxM`) by the runtime M: each once over its grid with the
/// buffers and M as arguments. A static M keeps the one variant it
/// selects; a static M of 0 no launch.
void replaceWithRowPlan(mlir::RewriterBase &rewriter, mlir::Operation *op,
                        llvm::StringRef opName,
                        llvm::ArrayRef<PlanBuffer> buffers,
                        llvm::ArrayRef<RowVariant> variants);

/// Builds a row op's kernels with `build(narrow, name)` and replaces `op` by
/// its plan: the kernel for the large-M workgroups, whose grid is `wide`,
/// and, when `hasNarrow` and that grid leaves CUs idle at small M
/// (getNarrowVariantLimit), one for smaller workgroups (`narrow` set) that
/// the plan runs for those M. A static M builds the one kernel it needs,
/// under the plain name.
using RowVariantBuilder =
    llvm::function_ref<RowVariant(bool narrow, llvm::StringRef name)>;
void buildRowVariants(mlir::RewriterBase &rewriter, mlir::Operation *op,
                      llvm::StringRef opName,
                      llvm::ArrayRef<PlanBuffer> buffers,
                      const amdgpu::ChipInfo &chip, const RowGrid &wide,
                      bool hasNarrow, RowVariantBuilder build);

/// The body of a RowLanes kernel: fills `kernel` (the builder is at the
/// start of its body; the callee ends it with gpu.return).
using RowKernelBody = llvm::function_ref<void(mlir::ImplicitLocOpBuilder &b,
                                              mlir::gpu::GPUFuncOp kernel,
                                              const RowLanes &lanes)>;

/// Builds a row op's kernel with `body` for workgroups of `waves` waves over
/// rows of `runsPerRow` runs and, where that leaves CUs idle at small M
/// (getNarrowVariantLimit), again for one-wave workgroups, then replaces
/// `op` by the plan that chooses between them by M. A static M builds the
/// one kernel it needs, under the plain name.
void buildRowKernels(mlir::RewriterBase &rewriter, mlir::Operation *op,
                     mlir::gpu::GPUModuleOp kernels, llvm::StringRef opName,
                     llvm::ArrayRef<PlanBuffer> buffers,
                     const amdgpu::ChipInfo &chip, int64_t runsPerRow,
                     unsigned waves, RowKernelBody body);

/// `bytes` of LDS for `kernel` (a module-level workgroup global, 16-byte
/// aligned), addressed from the start of its body.
mlir::Value allocateKernelLds(mlir::ImplicitLocOpBuilder &b,
                              mlir::gpu::GPUFuncOp kernel, int64_t bytes);

/// The kernel's buffer resources over `rows` rows of `rowBytes` bytes.
mlir::Value makeRowsResource(tile::TileBuilder &t, mlir::Value base,
                             mlir::Value rows, int64_t rowBytes);

/// `x` (i32 words of packed bf16 or f16, or f32 bits) as fp32 values.
llvm::SmallVector<mlir::Value>
unpackToF32(tile::TileBuilder &t, mlir::Value words, mlir::Type elementType);
/// fp32 `values` rounded once (to nearest even) to `elementType` (bf16,
/// f16 or f32) and packed into i32 words, the inverse of unpackToF32.
mlir::Value packFromF32(tile::TileBuilder &t,
                        llvm::ArrayRef<mlir::Value> values,
                        mlir::Type elementType);

/// Where a row kernel's MX output goes: codes [rows, cols] in `format` and
/// E8M0 scales [rows, cols / 32], quantized with `rounding`.
struct QuantizedRows {
  mlir::Value valuesRsrc, scalesRsrc;
  int64_t cols = 0;
  mx::Format format;
  mx::ScaleRounding rounding;
  /// How E4M3/E5M2 codes are made.
  amdgpu::Fp8Conversion fp8;
};

/// Quantizes a lane's run of 16 fp32 values `x` (run `run` of row `row`:
/// half a block, whose other half is the run of the neighbouring lane, so
/// even runs sit on even lanes) and stores its codes and, from the even
/// lane, the block's scale (BlockQuantize.h; SPEC.md, Quantize). Both lanes
/// of a pair must execute it; lanes that are not `valid` store nothing.
void storeQuantizedRun(tile::TileBuilder &t, const QuantizedRows &out,
                       llvm::ArrayRef<mlir::Value> x, mlir::Value lane,
                       mlir::Value row, mlir::Value run, mlir::Value valid);

} // namespace mxc::rows

#endif // MXC_LIB_CONVERSION_MXTOAMDGPU_ROWKERNEL_H
