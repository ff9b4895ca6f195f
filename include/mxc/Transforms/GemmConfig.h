//===- GemmConfig.h - Scaled-matmul kernel configs and cost model -*- C++
//-*-===//
//
// Part of mxc. A scaled-matmul kernel is fixed by a GemmConfig (tiles, waves,
// matrix instruction, K step, prefetch). The static cost model here ranks
// configs from the chip and intrinsic tables alone, with no hardware in the
// loop; the lowering reads the same helpers, so what the model counts is
// what the kernel does.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TRANSFORMS_GEMMCONFIG_H
#define MXC_TRANSFORMS_GEMMCONFIG_H

#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "mlir/IR/Types.h"
#include "mlir/Support/LLVM.h"
#include "llvm/ADT/StringRef.h"

#include <optional>
#include <string>

namespace mxc {
namespace mx {
class GemmConfigAttr;
class ScaledMatmulOp;
} // namespace mx

/// The matmul a kernel computes, as far as the config is concerned.
struct GemmProblem {
  amdgpu::MatrixElement a = amdgpu::MatrixElement::E4M3;
  amdgpu::MatrixElement b = amdgpu::MatrixElement::E4M3;
  int64_t m = 8192; ///< The M tuned for (any M runs).
  int64_t n = 0, k = 0;
  bool bTransposed = false; ///< B given as [K, N].
  unsigned cBytes = 2;      ///< Bytes of one element of C.
  /// The largest M whose A, A scales and C each fit the kMaxGemmBufferBytes
  /// a kernel addresses (rows past it would read zero or be dropped).
  int64_t maxRows() const;
};

/// The numbers of a `#mx.gemm_config`, for arithmetic. The attribute is the
/// one representation of a config: text (IR or `--config`) becomes one
/// through parseGemmConfig, and checkGemmConfig holds a GemmConfig to the
/// attribute's verifier before anything else.
struct GemmConfig {
  amdgpu::MatrixInstruction instruction =
      amdgpu::MatrixInstruction::MfmaScaleF32_32x32x64_F8F6F4;
  unsigned tileM = 128, tileN = 128, tileK = 128;
  unsigned wavesM = 2, wavesN = 2;
  unsigned prefetch = 1;

  unsigned waves() const { return wavesM * wavesN; }
  const amdgpu::MatrixIntrinsic &intrinsic() const {
    return amdgpu::getMatrixIntrinsic(instruction);
  }
  unsigned repM() const { return tileM / wavesM / intrinsic().m; }
  unsigned repN() const { return tileN / wavesN / intrinsic().n; }
};

/// Bytes between rows of a padded LDS tile whose rows hold `rowBytes`: an
/// odd number of 16-byte slots, so 16 rows' same slot spans every bank.
int64_t getLdsPitch(int64_t rowBytes);
/// Whether rows of `rowBytes` can be stored unpadded with their 16-byte
/// slots XOR-swizzled (a power of two of slots), as loads straight into LDS
/// need: they write a wave's 64 x 16 bytes contiguously.
bool canSwizzleLdsRows(int64_t rowBytes);

/// How a config stages one K step through LDS (docs/gemm.md, "Kernel").
/// The lowering builds exactly this and the cost model counts it.
struct GemmStaging {
  unsigned stages = 1; ///< Operand LDS buffers: 1 + prefetch.
  int64_t stepBytesA = 0, stepBytesB = 0; ///< A/B row bytes per K step.
  unsigned chunkBytesA = 16, chunkBytesB = 16; ///< Bytes per global load.
  /// Whether A / B go from global memory straight into LDS (gfx950's
  /// `buffer_load_dwordx4 ... lds`) into swizzled rows, rather than through
  /// registers and `ds_write_b128` into padded rows.
  bool directA = false, directB = false;
  int64_t ldsBytesA = 0, ldsBytesB = 0; ///< One stage of each tile.
  /// Scales move a window of `scaleWindowSteps` K steps at a time:
  /// `scaleStepWords` dwords per row per step, read `scalePieceBytes` at
  /// a time from global memory, kept in LDS as [window][word][row] dwords
  /// (`scaleWordStride` dwords a word, rows A's then B's).
  unsigned scaleStepWords = 1, scaleWindowSteps = 1, scalePieceBytes = 16;
  int64_t scaleWordStride = 0; ///< Dwords between words of a window.
  unsigned scaleWindows = 2;   ///< Window buffers in LDS (a ring).
  int64_t scaleBytes = 0;      ///< Both windows of A and B scales.
  /// Whether each K step's scale words go from global memory straight into
  /// LDS (`buffer_load_dwordx4 ... lds`, one lane a row), into the step's
  /// operand stage as [word / 4][row][4 words] (rows A's then B's,
  /// `ldsBytesScales` a stage), rather than through registers into the
  /// window ring. Taken for whole 4-word groups a step (one window a step,
  /// 16-byte pieces) and the 16-row instruction, whose 16 rows a scale read
  /// covers are 16 consecutive slots, free of bank conflicts.
  bool directScales = false;
  int64_t ldsBytesScales = 0;
  int64_t steps = 0;      ///< K steps, the last one partial when K % tile_k.
  bool kTail = false;
  int64_t ldsBytes = 0; ///< All LDS the kernel allocates.

  unsigned scaleWindowWords() const {
    return scaleWindowSteps * scaleStepWords;
  }
  /// One operand stage: A and B tiles and, when direct, the step's scales.
  int64_t stageBytes() const { return ldsBytesA + ldsBytesB + ldsBytesScales; }
};

/// The staging of `config` for `problem` on `chip` (config checked by the
/// attribute's rules; bTransposed means one byte per element and access for
/// B).
GemmStaging getGemmStaging(const GemmProblem &problem, const GemmConfig &config,
                           const amdgpu::ChipInfo &chip);

/// What the cost model predicts for a config.
struct GemmCost {
  unsigned accRegisters = 0;     ///< Accumulators (AGPRs).
  unsigned operandRegisters = 0; ///< A, B and scale registers, all stages.
  unsigned fragmentRegisters = 0; ///< The A and B fragments among them.
  unsigned vgprs = 0;            ///< Estimated unified register use.
  unsigned sgprs = 0;            ///< Estimated scalar registers.
  unsigned wavesPerSimd = 0;
  unsigned matrixPerIteration = 0;
  unsigned nonMatrixPerIteration = 0;
  double nonMatrixPerMflop = 0;
  double cycles = 0; ///< Estimated kernel time in matrix-pipe cycles.
  double microseconds = 0; ///< The same at the chip's nameplate clock.
  /// The grid's matrix work over what every matrix pipe does in `cycles`.
  double percentOfMatrixPeak = 0;
};

/// The scaled MFMA a config names, if `chip` has it, or null.
const amdgpu::MatrixIntrinsic *getScaledMfma(const GemmConfig &config,
                                             llvm::StringRef chip);
/// MX element encoding of an MLIR element type, if it is one.
std::optional<amdgpu::MatrixElement> getMatrixElement(mlir::Type type);
/// The MLIR element type of an MX matrix element encoding.
mlir::Type getElementType(mlir::MLIRContext *context,
                          amdgpu::MatrixElement element);

/// Why `config` cannot compile `problem` on `chip`, or "" when it can: the
/// attribute's rules (GemmConfigAttr::checkParameters), then the chip's
/// instruction, registers and the kernel's 32-bit offsets.
std::string checkGemmConfig(const GemmProblem &problem,
                            const GemmConfig &config,
                            const amdgpu::ChipInfo &chip);
/// The cost model's prediction; all zero for a config checkGemmConfig
/// refuses.
GemmCost estimateGemmCost(const GemmProblem &problem, const GemmConfig &config,
                          const amdgpu::ChipInfo &chip);
/// The best config the cost model finds, or none (chip has no scaled MFMA).
std::optional<GemmConfig> selectGemmConfig(const GemmProblem &problem,
                                           const amdgpu::ChipInfo &chip);

/// "mfma=32x32x64,tile=128x128x128,waves=2x2,prefetch=1".
std::string printGemmConfig(const GemmConfig &config);
/// A config given as text, as a verified attribute: the attribute itself
/// (`#mx.gemm_config<instruction = ..., ...>`), its body (`<instruction = ...,
/// ...>`), or
/// printGemmConfig's short form, whose keys may come in any order and default
/// to mfma=32x32x64, tile=128x128x128, waves=2x2, prefetch=1. On failure
/// returns null and sets `error` to one line saying why.
mx::GemmConfigAttr parseGemmConfig(mlir::MLIRContext *context,
                                   llvm::StringRef text, std::string &error);

/// The largest buffer a kernel addresses: buffer resources count 31 bits of
/// bytes, and the kernel's offsets are 32-bit.
constexpr int64_t kMaxGemmBufferBytes = 0x7FFFFFFF;

/// The problem `op` poses, or an error at the op: N and K must be static
/// and every buffer the kernel addresses (A, B, their scales, bias, C; A
/// and C at M = 1 where M is dynamic) at most kMaxGemmBufferBytes.
mlir::FailureOr<GemmProblem> getGemmProblem(mx::ScaledMatmulOp op,
                                            int64_t tuneM);

GemmConfig toGemmConfig(mx::GemmConfigAttr attr);
mx::GemmConfigAttr toAttr(mlir::MLIRContext *context, const GemmConfig &config);

} // namespace mxc

#endif // MXC_TRANSFORMS_GEMMCONFIG_H
