//===- MxDialect.cpp - The mx dialect -------------------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxDialect.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/Twine.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mxc::mx;

#include "mxc/Dialect/Mx/MxDialect.cpp.inc"
#include "mxc/Dialect/Mx/MxEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mxc/Dialect/Mx/MxAttrs.cpp.inc"

//===----------------------------------------------------------------------===//
// GemmConfigAttr
//===----------------------------------------------------------------------===//

static_assert(
    unsigned(MatrixInstruction::mfma_scale_f32_32x32x64_f8f6f4) ==
            unsigned(
                mxc::amdgpu::MatrixInstruction::MfmaScaleF32_32x32x64_F8F6F4) &&
        unsigned(MatrixInstruction::wmma_r4_f32_16x16x16_bf16) ==
            unsigned(mxc::amdgpu::MatrixInstruction::WmmaR4F32_16x16x16_Bf16) &&
        unsigned(MatrixInstruction::wmma_r4_f32_16x16x16_bf16) + 1 ==
            unsigned(mxc::amdgpu::MatrixInstruction::Count),
    "matrix instruction numbering differs between dialect and "
    "target");

std::string GemmConfigAttr::checkParameters(MatrixInstruction instruction,
                                            unsigned tileM, unsigned tileN,
                                            unsigned tileK, unsigned wavesM,
                                            unsigned wavesN,
                                            unsigned prefetch) {
  // Parameters are 32-bit; every product of two is formed in 64 bits, so
  // none wraps (2^31 x 2 waves is not 0 waves).
  constexpr uint64_t kWaveSize = 64, kMaxLanes = 1024, kAccRegisters = 256;
  constexpr uint64_t kMaxStepInstructions = 32;
  using llvm::Twine;
  const mxc::amdgpu::MatrixIntrinsic &mi = mxc::amdgpu::getMatrixIntrinsic(
      mxc::amdgpu::MatrixInstruction(instruction));
  if (!mi.scaled)
    return ("instruction " + stringifyMatrixInstruction(instruction) +
            " is not a scaled MFMA (mfma_scale_f32_32x32x64_f8f6f4 or "
            "mfma_scale_f32_16x16x128_f8f6f4)")
        .str();
  uint64_t waves = uint64_t(wavesM) * wavesN;
  if (waves < 1 || waves > kMaxLanes / kWaveSize)
    return ("waves " + Twine(wavesM) + "x" + Twine(wavesN) + " is " +
            Twine(waves) + " waves; expected 1 to " +
            Twine(kMaxLanes / kWaveSize) +
            " (a workgroup holds at most 1024 lanes, 64 per wave)")
        .str();
  auto checkTile = [&](const char *name, unsigned tile, const char *wavesName,
                       unsigned tileWaves) -> std::string {
    uint64_t unit = uint64_t(tileWaves) * mi.m;
    if (tile != 0 && tile % unit == 0)
      return "";
    return (Twine(name) + " " + Twine(tile) +
            " is not a positive multiple of " + wavesName + " x " +
            Twine(mi.m) + " = " + Twine(unit) + " (each wave holds whole " +
            Twine(mi.m) + "x" + Twine(mi.n) + " matrix tiles)")
        .str();
  };
  if (std::string why = checkTile("tile_m", tileM, "waves_m", wavesM);
      !why.empty())
    return why;
  if (std::string why = checkTile("tile_n", tileN, "waves_n", wavesN);
      !why.empty())
    return why;
  // tile_m / waves_m <= 2^32 and so is tile_n / waves_n: the product fits.
  uint64_t waveElements = uint64_t(tileM / wavesM) * (tileN / wavesN);
  if (waveElements > kAccRegisters * kWaveSize)
    return ("the wave tile needs " + Twine(waveElements / kWaveSize) +
            " accumulator registers; at most 256 exist")
        .str();
  if (tileK == 0 || tileK % 128)
    return ("tile_k " + Twine(tileK) +
            " is not a positive multiple of 128 (four scale blocks, one scale "
            "dword)")
        .str();
  unsigned mfmaK = mi.k;
  if (tileK / mfmaK > kMaxStepInstructions)
    return ("tile_k " + Twine(tileK) + " is more than " +
            Twine(kMaxStepInstructions * mfmaK) + " (" +
            Twine(kMaxStepInstructions) +
            " matrix instructions of K = " + Twine(mfmaK) +
            "); one step's operands alone would need more than 256 registers")
        .str();
  if (prefetch > 3)
    return ("prefetch is " + Twine(prefetch) +
            "; expected 0 to 3 (K steps whose loads are in flight while one "
            "computes)")
        .str();
  return "";
}

LogicalResult
GemmConfigAttr::verify(llvm::function_ref<InFlightDiagnostic()> emitError,
                       MatrixInstruction instruction, unsigned tileM,
                       unsigned tileN, unsigned tileK, unsigned wavesM,
                       unsigned wavesN, unsigned prefetch) {
  std::string why = checkParameters(instruction, tileM, tileN, tileK, wavesM,
                                    wavesN, prefetch);
  if (why.empty())
    return success();
  return emitError() << why;
}

//===----------------------------------------------------------------------===//
// MxDialect
//===----------------------------------------------------------------------===//

void MxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mxc/Dialect/Mx/MxOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mxc/Dialect/Mx/MxAttrs.cpp.inc"
      >();
}
