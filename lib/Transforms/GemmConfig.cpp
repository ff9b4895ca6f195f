//===- GemmConfig.cpp - Scaled-matmul kernel configs and cost model -------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Transforms/GemmConfig.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Target/AMDGPU/TimingModel.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>
#include <numeric>

using namespace mxc;
using amdgpu::MatrixElement;

const amdgpu::MatrixIntrinsic *mxc::getScaledMfma(const GemmConfig &config,
                                                  llvm::StringRef chip) {
  const amdgpu::MatrixIntrinsic &mi = config.intrinsic();
  return mi.scaled && mi.isOnChip(chip) ? &mi : nullptr;
}

/// The scaled MFMAs, in the order the cost model tries them.
static llvm::SmallVector<amdgpu::MatrixInstruction> getScaledInstructions() {
  llvm::SmallVector<amdgpu::MatrixInstruction> out;
  for (const amdgpu::MatrixIntrinsic &mi : amdgpu::getMatrixIntrinsics())
    if (mi.scaled)
      out.push_back(mi.instruction);
  return out;
}

/// The instruction's `MxNxK`, as the short config form writes it.
static std::string shapeText(const amdgpu::MatrixIntrinsic &mi) {
  return std::to_string(mi.m) + "x" + std::to_string(mi.n) + "x" +
         std::to_string(mi.k);
}

// mx::Format and the scaled MFMA's cbsz/blgp codes number the MX formats
// alike (E4M3 = 0 ... E2M1 = 4).
static_assert(unsigned(mx::Format::E4M3) == unsigned(MatrixElement::E4M3) &&
                  unsigned(mx::Format::E2M1) == unsigned(MatrixElement::E2M1),
              "MX format numbering differs between dialect and target");

std::optional<MatrixElement> mxc::getMatrixElement(mlir::Type type) {
  if (std::optional<mx::FormatInfo> info = mx::getFormatInfo(type))
    return MatrixElement(unsigned(info->format));
  return std::nullopt;
}

mlir::Type mxc::getElementType(mlir::MLIRContext *context,
                               MatrixElement element) {
  return mx::getElementType(context, mx::Format(unsigned(element)));
}

int64_t mxc::getLdsPitch(int64_t rowBytes) {
  int64_t slots = llvm::divideCeil(std::max<int64_t>(rowBytes, 1), 16);
  return 16 * (slots | 1);
}

int64_t GemmProblem::maxRows() const {
  int64_t perRow[] = {std::max<int64_t>(k, 1) * amdgpu::getElementBits(a) / 8,
                      std::max<int64_t>(k / 32, 1),
                      std::max<int64_t>(n, 1) * cBytes};
  int64_t rows = kMaxGemmBufferBytes;
  for (int64_t bytes : perRow)
    rows = std::min(rows, kMaxGemmBufferBytes / std::max<int64_t>(bytes, 1));
  return rows;
}

bool mxc::canSwizzleLdsRows(int64_t rowBytes) {
  return rowBytes >= 16 && rowBytes % 16 == 0 &&
         llvm::isPowerOf2_64(uint64_t(rowBytes / 16));
}

/// The largest power of two up to `cap` that divides `value`.
static unsigned largestPowerOf2Dividing(int64_t value, unsigned cap) {
  unsigned p = cap;
  while (p > 1 && value % p)
    p /= 2;
  return p;
}

GemmStaging mxc::getGemmStaging(const GemmProblem &p, const GemmConfig &c,
                                const amdgpu::ChipInfo &chip) {
  GemmStaging s;
  unsigned bitsA = amdgpu::getElementBits(p.a),
           bitsB = amdgpu::getElementBits(p.b);
  int64_t k = std::max<int64_t>(p.k, 0), tileK = std::max(c.tileK, 1u);
  s.stages = 1 + c.prefetch;
  s.steps = llvm::divideCeil(k, tileK);
  s.kTail = k % tileK != 0;
  // A chunk never straddles the end of a row, a step or the K tail: each
  // is whole in one row and one step, and wholly before or past K.
  auto chunk = [&](unsigned bits) {
    int64_t g = std::gcd(k * bits / 8, tileK * bits / 8);
    if (s.kTail)
      g = std::gcd(g, (k % tileK) * bits / 8);
    return largestPowerOf2Dividing(g, 16);
  };
  s.stepBytesA = tileK * bitsA / 8;
  s.stepBytesB = tileK * bitsB / 8;
  s.chunkBytesA = chunk(bitsA);
  s.chunkBytesB = p.bTransposed ? 1 : chunk(bitsB);
  // Loads straight into LDS write 16 bytes a lane, consecutive lanes
  // consecutive slots: whole 16-byte chunks into unpadded, swizzled rows.
  auto direct = [&](unsigned chunkBytes, int64_t stepBytes) {
    return chip.maxLoadToLdsBytes >= 16 && chunkBytes == 16 &&
           canSwizzleLdsRows(stepBytes);
  };
  s.directA = direct(s.chunkBytesA, s.stepBytesA);
  s.directB = !p.bTransposed && direct(s.chunkBytesB, s.stepBytesB);
  s.ldsBytesA = int64_t(c.tileM) *
                (s.directA ? s.stepBytesA : getLdsPitch(s.stepBytesA));
  s.ldsBytesB = int64_t(c.tileN) *
                (s.directB ? s.stepBytesB : getLdsPitch(s.stepBytesB));
  // A window holds at least four steps' worth of 4-byte scale words per row
  // (16 bytes, one load), so scale lines are fetched once per window.
  s.scaleStepWords = std::max(1u, c.tileK / 128);
  s.scaleWindowSteps = s.scaleStepWords >= 4 ? 1 : 4 / s.scaleStepWords;
  s.scalePieceBytes = largestPowerOf2Dividing(
      std::gcd(k / 32, int64_t(4 * s.scaleWindowWords())), 16);
  // Dwords between a window's words: at least one per row, and 8 more than a
  // multiple of 16 so that the lanes of one write that cover the rows of
  // different words (tiles of 16 or 32 rows) land on disjoint banks.
  int64_t rows = int64_t(c.tileM) + c.tileN;
  s.scaleWordStride = rows + (8 - rows % 16 + 16) % 16;
  // The windows of the steps in flight and the one computing: those of
  // `stages` consecutive steps.
  s.scaleWindows = unsigned(llvm::divideCeil(int64_t(s.stages) - 1,
                                             int64_t(s.scaleWindowSteps))) +
                   1;
  s.scaleBytes = int64_t(s.scaleWindows) * s.scaleWindowWords() *
                 s.scaleWordStride * 4;
  s.directScales = chip.maxLoadToLdsBytes >= 16 && s.scaleWindowSteps == 1 &&
                   s.scalePieceBytes == 16 && c.intrinsic().m == 16;
  if (s.directScales) {
    s.ldsBytesScales = rows * 4 * s.scaleStepWords;
    s.scaleBytes = 0;
    s.scaleWindows = 0;
  }
  s.ldsBytes = s.stages * s.stageBytes() + s.scaleBytes;
  return s;
}

namespace {
/// Registers the kernel keeps besides operands and accumulators: lane and
/// row offsets, LDS addresses, loop state. Calibrated on the backend's
/// output (docs/gemm.md).
unsigned overheadRegisters(const GemmConfig &c) {
  return 28 + 2 * (c.repM() + c.repN());
}

/// Registers the estimate keeps free of the budget for what it misses, by
/// how far it was from the backend's count on every config the selector
/// chose for the model shapes (docs/gemm.md): within 32 for 32x32x64 tiles
/// of FP8 and FP4 loaded straight into LDS (none without prefetch at two or
/// more waves a SIMD, where it was always above); up to about 100 with the
/// 16x16x128 instruction, an operand staged through registers (FP6,
/// `[K, N]` B) or accumulators in every AGPR, where the backend schedules
/// read-ahead and register files less predictably, or K steps of 16 or
/// more MFMA steps; and up to about 144 for a staged
/// operand with two or more waves a SIMD.
unsigned getRegisterMargin(const GemmConfig &c, const GemmStaging &s,
                           unsigned wavesPerSimd) {
  bool staged = !s.directA || !s.directB;
  if (staged && wavesPerSimd > 1)
    return 144;
  // Accumulators that take every AGPR leave the backend juggling operands
  // between the register files.
  const amdgpu::MatrixIntrinsic &mi = c.intrinsic();
  unsigned accumulators = c.repM() * c.repN() * mi.accRegisters;
  // A K step of 16 or more MFMA steps (32x32x64 at tile_k 1024) is read
  // ahead less predictably too (79 VGPRs spilled past an estimate of 480
  // for 32x64x1024 FP8 x FP4 on 1x2 waves).
  if (staged || mi.m == 16 || accumulators >= 256 || c.tileK / mi.k >= 16)
    return 100;
  // Without prefetch, two or more waves a SIMD read ahead at most the two
  // MFMA steps counted: the estimate was at or above the backend's count on
  // every such config tried (FP8, FP4 and FP8 x FP4; 128x256 and 256x256
  // tiles on 2x4 or 4x2 waves, tile_k 128 to 512, K 2880 and 8192: 6 to 76
  // over).
  if (c.prefetch == 0 && wavesPerSimd > 1)
    return 0;
  return 32;
}

/// SGPRs the kernel keeps besides the scalar offsets of its global loads.
constexpr unsigned kBaseSgprs = 40;
/// SGPRs a wave may use (gfx9: 106, less VCC) less a margin of two.
constexpr unsigned kMaxSgprs = 104;

/// Waves of one workgroup each SIMD must hold at once.
unsigned wavesPerSimdNeeded(const GemmConfig &c, unsigned simds) {
  return (c.waves() + simds - 1) / simds;
}
} // namespace

/// The attribute's rules for a plain GemmConfig.
static std::string checkParameters(const GemmConfig &c) {
  return mx::GemmConfigAttr::checkParameters(
      mx::MatrixInstruction(unsigned(c.instruction)), c.tileM, c.tileN, c.tileK,
      c.wavesM, c.wavesN, c.prefetch);
}

std::string mxc::checkGemmConfig(const GemmProblem &p, const GemmConfig &c,
                                 const amdgpu::ChipInfo &chip) {
  // Past this check every size below is small: at most 16 waves, 16384
  // accumulators per wave, 32 matrix instructions per step.
  if (std::string why = checkParameters(c); !why.empty())
    return why;
  const amdgpu::MatrixIntrinsic *mi = getScaledMfma(c, chip.name);
  if (!mi)
    return (c.intrinsic().isaName + " does not exist on " + chip.name).str();
  if (c.waves() * chip.waveSize > 1024)
    return ("waves " + llvm::Twine(c.wavesM) + "x" + llvm::Twine(c.wavesN) +
            " is not 1 to " + llvm::Twine(1024 / chip.waveSize) +
            " waves per workgroup")
        .str();
  GemmCost cost = estimateGemmCost(p, c, chip);
  GemmStaging staging = getGemmStaging(p, c, chip);
  if (c.prefetch > 1 && !(staging.directA && staging.directB))
    return ("prefetch " + llvm::Twine(c.prefetch) +
            " keeps more than one K step in flight, which only loads straight "
            "into LDS do; an operand here goes through registers (FP6, [K, N] "
            "B, or a chip without 16-byte loads into LDS): prefetch=1")
        .str();
  // A SIMD's register file is shared by the waves it holds; architected
  // VGPRs are at most 256 a wave, the rest (AGPRs) hold accumulators.
  unsigned perSimd = wavesPerSimdNeeded(c, 4);
  unsigned budget = chip.vgprsPerLane / perSimd;
  // The margin keeps every config the estimate admits spill-free.
  // With one wave a SIMD, MFMA operands may live in the AGPRs the
  // accumulators leave (gfx90a+); the rest must fit the VGPRs.
  unsigned margin = getRegisterMargin(c, staging, perSimd);
  unsigned archRegs = cost.operandRegisters + overheadRegisters(c);
  if (perSimd == 1)
    archRegs -= std::min(cost.fragmentRegisters,
                         256 - std::min(256u, cost.accRegisters));
  if (archRegs + margin > 256 || cost.vgprs + margin > budget)
    return ("operands, accumulators and addresses need about " +
            llvm::Twine(cost.vgprs) + " registers (" + llvm::Twine(archRegs) +
            " besides accumulators); a workgroup of " + llvm::Twine(c.waves()) +
            " waves leaves " + llvm::Twine(std::min(budget, 512u)) +
            " a wave, at most 256 of them VGPRs, less a margin of " +
            llvm::Twine(margin) +
            " (fewer row blocks, a smaller tile_k or prefetch=0)")
        .str();
  if (cost.sgprs > kMaxSgprs)
    return ("the scalar offsets of " + llvm::Twine(c.waves()) +
            " waves' global loads need about " + llvm::Twine(cost.sgprs) +
            " SGPRs; a wave has " + llvm::Twine(kMaxSgprs) +
            " (smaller tiles, a smaller tile_k or more waves)")
        .str();
  if (staging.ldsBytes > int64_t(chip.ldsBytesPerWorkgroup))
    return ("tiles and scale windows need " + llvm::Twine(staging.ldsBytes) +
            " bytes of LDS; a workgroup has " +
            llvm::Twine(chip.ldsBytesPerWorkgroup) +
            " (smaller tiles or prefetch=0)")
        .str();
  // C's offsets are 32-bit: the rows a workgroup runs past M must not wrap
  // back into C (C itself is at most kMaxGemmBufferBytes), so one tile's
  // rows must span no more.
  uint64_t tileRowsBytes = llvm::SaturatingMultiply(
      uint64_t(c.tileM) * p.cBytes, uint64_t(std::max<int64_t>(p.n, 0)));
  if (tileRowsBytes > uint64_t(kMaxGemmBufferBytes))
    return ("tile_m " + llvm::Twine(c.tileM) + " rows of C are " +
            llvm::Twine(tileRowsBytes) +
            " bytes; the kernel's 32-bit offsets need at most " +
            llvm::Twine(kMaxGemmBufferBytes) + " (a smaller tile_m)")
        .str();
  return "";
}

GemmCost mxc::estimateGemmCost(const GemmProblem &p, const GemmConfig &c,
                               const amdgpu::ChipInfo &chip) {
  GemmCost cost;
  const amdgpu::MatrixIntrinsic *mi = getScaledMfma(c, chip.name);
  const amdgpu::TimingModel *model = amdgpu::lookupTimingModel(chip.name);
  if (!mi || !model || !checkParameters(c).empty())
    return cost;
  GemmStaging s = getGemmStaging(p, c, chip);
  unsigned kSteps = c.tileK / mi->k, repM = c.repM(), repN = c.repN();
  unsigned bitsA = amdgpu::getElementBits(p.a),
           bitsB = amdgpu::getElementBits(p.b);
  unsigned threads = c.waves() * chip.waveSize;
  cost.accRegisters = repM * repN * mi->accRegisters;
  // A fragment is 32 elements a lane: `bits` dwords. A scheduling barrier
  // between MFMA steps keeps one step's fragments live (and the next one's
  // being read) while a workgroup needs two or more waves a SIMD; with at
  // most four waves the backend reads the whole loop body ahead. With
  // prefetch the next K step's register-staged loads are live across them.
  // (With prefetch the loop body holds two K steps, which it then reads
  // ahead across.)
  bool oneWavePerSimd = c.waves() <= 4;
  unsigned stepsAhead = oneWavePerSimd ? (1 + c.prefetch) * kSteps
                                       : std::min(kSteps, 2u);
  unsigned fragments = stepsAhead * (repM * bitsA + repN * bitsB);
  int64_t stepBytes = c.tileM * s.stepBytesA + c.tileN * s.stepBytesB;
  int64_t viaRegisters = (s.directA ? 0 : c.tileM * s.stepBytesA) +
                         (s.directB ? 0 : c.tileN * s.stepBytesB);
  unsigned staged =
      c.prefetch ? unsigned(llvm::divideCeil(viaRegisters, 4 * threads)) : 0;
  // A vector offset per global load of a step (rounds of one copy share
  // theirs only partly).
  auto roundsOf = [&](int64_t bytes, unsigned chunk) {
    return unsigned(llvm::divideCeil(bytes, int64_t(chunk) * threads));
  };
  unsigned roundsA = roundsOf(c.tileM * s.stepBytesA, s.chunkBytesA),
           roundsB = roundsOf(c.tileN * s.stepBytesB, s.chunkBytesB);
  unsigned loadOffsets = roundsA + roundsB;
  unsigned scales = (repM + repN) * s.scaleStepWords;
  // With two or more waves the rounds of a 16-byte copy take a scalar
  // offset each, for both steps of the loop body with prefetch; one wave's
  // rounds share theirs.
  unsigned wideRounds =
      (s.chunkBytesA == 16 ? roundsA : 0) + (s.chunkBytesB == 16 ? roundsB : 0);
  cost.sgprs = kBaseSgprs + (c.waves() > 1 ? (1 + c.prefetch) * wideRounds : 0);
  cost.fragmentRegisters = fragments;
  cost.operandRegisters = fragments + staged + scales + loadOffsets;
  cost.vgprs = cost.accRegisters + cost.operandRegisters + overheadRegisters(c);
  cost.wavesPerSimd = chip.getWavesPerSimd(cost.vgprs);

  // Issued per K step by one wave: global loads and LDS writes of its share
  // of the step, fragment and scale reads, scale shifts, loop and waits.
  cost.matrixPerIteration = kSteps * repM * repN;
  auto runsOf = [&](amdgpu::MatrixElement e, unsigned piece) {
    const amdgpu::OperandLayout &l = mi->layoutFor(e);
    return l.numRuns * llvm::divideCeil(l.runLength * getElementBits(e) / 8,
                                        piece);
  };
  unsigned pieceA = bitsA == 6 ? 8 : 16, pieceB = bitsB == 6 ? 8 : 16;
  unsigned reads =
      kSteps * (repM * runsOf(p.a, pieceA) + repN * runsOf(p.b, pieceB));
  int64_t chunks =
      llvm::divideCeil(c.tileM * s.stepBytesA, int64_t(s.chunkBytesA)) +
      llvm::divideCeil(c.tileN * s.stepBytesB, int64_t(s.chunkBytesB));
  unsigned copies = unsigned(llvm::divideCeil(chunks, int64_t(threads)));
  unsigned loop = 16; // offsets, counter, compare, branch, waits, barrier
  cost.nonMatrixPerIteration = 2 * copies + reads + 2 * scales + loop;
  double mflop =
      double(cost.matrixPerIteration) * 2.0 * mi->m * mi->n * mi->k / 1e6;
  cost.nonMatrixPerMflop = cost.nonMatrixPerIteration / mflop;

  // Time, with the terms of the simulator's timing model (docs/profile.md)
  // per K step of one CU: matrix pipes, L1 line lookups, L2 and LDS
  // bandwidth, and the latency the bytes in flight cover.
  bool fp8 = bitsA == 8 || bitsB == 8;
  double mfmaCycles = fp8 ? mi->cycles : mi->cycles / 2.0;
  auto tiles = [](int64_t size, unsigned tile) {
    return double(llvm::divideCeil(uint64_t(std::max<int64_t>(size, 1)), tile));
  };
  double tileCount = tiles(p.m, c.tileM) * tiles(p.n, c.tileN);
  unsigned byWaves = std::max(
      1u, std::max(1u, cost.wavesPerSimd) * model->simdsPerCu / c.waves());
  unsigned byLds = unsigned(std::max<int64_t>(
      1, int64_t(model->ldsBytesPerCu) / std::max<int64_t>(1, s.ldsBytes)));
  double perCu = std::ceil(tileCount / model->computeUnits);
  double r = std::max(1.0, std::min({double(byWaves), double(byLds), perCu}));
  double rounds = std::ceil(tileCount / (model->computeUnits * r));
  // Rows touched per step: A, B (or B's K rows), scales once a window.
  // A step's piece of a row starts on a line only where rows are whole
  // lines apart; otherwise it straddles one line more on average.
  double line = model->lineBytes;
  auto linesPerRow = [&](int64_t stepBytes, int64_t rowBytes) {
    double lines = std::ceil(stepBytes / line);
    if (rowBytes % model->lineBytes)
      lines +=
          1.0 - double(std::gcd(rowBytes, int64_t(model->lineBytes))) / line;
    return lines;
  };
  // Rows of A past M read nothing (a tile of decode's few rows).
  double rowsA = double(std::min<int64_t>(c.tileM, std::max<int64_t>(p.m, 1)));
  double rowsLines =
      rowsA * linesPerRow(s.stepBytesA, p.k * bitsA / 8) +
      (p.bTransposed ? c.tileK * std::ceil(c.tileN / line)
                     : c.tileN * linesPerRow(s.stepBytesB, p.k * bitsB / 8)) +
      double(c.tileM + c.tileN) / s.scaleWindowSteps;
  double l2Bytes = rowsLines * line;
  // The busiest SIMD runs its share of the CU's waves' matrix work.
  double matrix = std::ceil(r * c.waves() / model->simdsPerCu) *
                  cost.matrixPerIteration * mfmaCycles;
  double ldsCycles =
      double(stepBytes) / model->ldsWritePhaseBytes +
      double(c.waves()) *
          (kSteps * (repM * 32.0 * bitsA / 8 + repN * 32.0 * bitsB / 8) *
           chip.waveSize / model->ldsReadPhaseBytes) /
          std::max(1u, chip.waveSize / 32);
  // Latency, as the profile's load timeline counts it: step k's loads are
  // issued `prefetch` steps ahead and waited for before the barrier that
  // ends step k - 1, so `prefetch` steps of matrix work cover one latency.
  // A scale window's words that come through registers: the step that
  // loads one writes it to LDS after its MFMAs, so the wait for them (and,
  // the counter being in order, for every older load) is covered by one
  // step. Scale words loaded straight into LDS are waited for with their
  // step. Without prefetch a step loads, waits and computes. At most
  // `inFlightBytesPerCu` are in flight on a CU.
  double latency = model->l2LatencyClocks +
                   (model->memoryLatencyClocks - model->l2LatencyClocks) /
                       std::max(1.0, tiles(p.m, c.tileM));
  double windowSteps = std::min<double>(s.scaleWindowSteps, s.steps);
  double timeline =
      c.prefetch && s.directScales ? std::max(matrix, latency / c.prefetch)
      : c.prefetch
          ? (std::max(matrix, latency) +
             (windowSteps - 1) * std::max(matrix, latency / c.prefetch)) /
                windowSteps
          : matrix + latency;
  double perStep =
      std::max({timeline, r * rowsLines / model->l1LinesPerClock,
                r * l2Bytes / model->l2BytesPerClockPerCu, r * ldsCycles,
                r * (rowsA * s.stepBytesA + double(c.tileN) * s.stepBytesB) *
                    latency / model->inFlightBytesPerCu});
  double unique = double(std::max<int64_t>(p.m, 1)) * p.k * bitsA / 8 +
                  double(p.n) * p.k * bitsB / 8 +
                  double(std::max<int64_t>(p.m, 1)) * p.n * p.cBytes;
  cost.cycles =
      std::max(rounds * double(s.steps) * perStep,
               unique / model->hbmBytesPerClock());
  // The grid's matrix-pipe cycles spread over every SIMD, as the profile
  // counts matrix peak.
  double gridMatrix = tileCount * double(s.steps) * c.waves() *
                      cost.matrixPerIteration * mfmaCycles;
  cost.percentOfMatrixPeak =
      100.0 * gridMatrix /
      (double(model->computeUnits) * model->simdsPerCu * cost.cycles);
  cost.microseconds = cost.cycles / (model->clockGHz * 1e3);
  return cost;
}

std::optional<GemmConfig> mxc::selectGemmConfig(const GemmProblem &p,
                                                const amdgpu::ChipInfo &chip) {
  std::optional<GemmConfig> best;
  GemmCost bestCost;
  for (amdgpu::MatrixInstruction instruction : getScaledInstructions()) {
    if (!amdgpu::getMatrixIntrinsic(instruction).isOnChip(chip.name))
      continue;
    for (unsigned tileM : {16u, 32u, 64u, 128u, 256u})
      for (unsigned tileN : {32u, 64u, 128u, 256u})
        for (unsigned tileK : {128u, 256u, 512u, 1024u})
          for (unsigned wavesM : {1u, 2u, 4u})
            for (unsigned wavesN : {1u, 2u, 4u})
              for (unsigned prefetch : {1u, 2u, 3u, 0u}) {
                GemmConfig c{instruction, tileM,  tileN,   tileK,
                             wavesM,      wavesN, prefetch};
                if (!checkGemmConfig(p, c, chip).empty())
                  continue;
                GemmCost cost = estimateGemmCost(p, c, chip);
                // Among equal times, fewer tile rows past M (decode: rows
                // that load nothing still take LDS and MFMAs).
                auto key = [&](const GemmCost &g, const GemmConfig &k) {
                  int64_t pastM = std::max<int64_t>(
                      0, int64_t(k.tileM) - std::max<int64_t>(p.m, 1));
                  return std::make_tuple(g.cycles, pastM, g.nonMatrixPerMflop,
                                         g.vgprs);
                };
                if (!best || key(cost, c) < key(bestCost, *best)) {
                  best = c;
                  bestCost = cost;
                }
              }
  }
  return best;
}

std::string mxc::printGemmConfig(const GemmConfig &c) {
  return "mfma=" + shapeText(c.intrinsic()) +
         ",tile=" + std::to_string(c.tileM) + "x" + std::to_string(c.tileN) +
         "x" + std::to_string(c.tileK) + ",waves=" + std::to_string(c.wavesM) +
         "x" + std::to_string(c.wavesN) +
         ",prefetch=" + std::to_string(c.prefetch);
}

/// A whole number of the short form: decimal digits only, 32 bits.
static bool parseNumber(llvm::StringRef text, unsigned &value) {
  return !text.empty() && llvm::all_of(text, llvm::isDigit) &&
         !text.getAsInteger(10, value);
}

/// The short form's keys, as the attribute's parameters; `error` on failure.
static std::optional<GemmConfig> parseShortForm(llvm::StringRef text,
                                                std::string &error) {
  GemmConfig c;
  auto dims = [&](llvm::StringRef value, llvm::StringRef key,
                  llvm::ArrayRef<unsigned *> out) {
    llvm::SmallVector<llvm::StringRef, 3> parts;
    value.split(parts, 'x');
    if (parts.size() != out.size()) {
      error = ("'" + key + "' wants " + llvm::Twine(out.size()) +
               " sizes joined by 'x', got '" + value + "'")
                  .str();
      return false;
    }
    for (auto [part, dst] : llvm::zip(parts, out))
      if (!parseNumber(part, *dst)) {
        error = ("'" + key + "': '" + part +
                 "' is not a whole number from 0 to 4294967295")
                    .str();
        return false;
      }
    return true;
  };
  llvm::SmallVector<llvm::StringRef, 4> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  if (items.empty()) {
    error = "empty config";
    return std::nullopt;
  }
  llvm::StringSet<> seen;
  for (llvm::StringRef item : items) {
    auto [key, value] = item.trim().split('=');
    if (!seen.insert(key).second) {
      error = ("'" + key + "' is given twice").str();
      return std::nullopt;
    }
    if (key == "mfma") {
      unsigned shape[3] = {0, 0, 0};
      if (!dims(value, key, {&shape[0], &shape[1], &shape[2]}))
        return std::nullopt;
      // The short form names a scaled MFMA by its shape.
      std::string known;
      bool found = false;
      for (amdgpu::MatrixInstruction instruction : getScaledInstructions()) {
        const amdgpu::MatrixIntrinsic &mi =
            amdgpu::getMatrixIntrinsic(instruction);
        known += (known.empty() ? "" : " or ") + shapeText(mi);
        if (mi.m == shape[0] && mi.n == shape[1] && mi.k == shape[2]) {
          c.instruction = instruction;
          found = true;
        }
      }
      if (!found) {
        error = ("mfma '" + value + "' is not " + known).str();
        return std::nullopt;
      }
    } else if (key == "tile") {
      if (!dims(value, key, {&c.tileM, &c.tileN, &c.tileK}))
        return std::nullopt;
    } else if (key == "waves") {
      if (!dims(value, key, {&c.wavesM, &c.wavesN}))
        return std::nullopt;
    } else if (key == "prefetch") {
      if (!dims(value, key, {&c.prefetch}))
        return std::nullopt;
    } else {
      error = ("unknown config key '" + key +
               "' (expected mfma, tile, waves, prefetch)")
                  .str();
      return std::nullopt;
    }
  }
  return c;
}

mx::GemmConfigAttr mxc::parseGemmConfig(mlir::MLIRContext *context,
                                        llvm::StringRef text,
                                        std::string &error) {
  // The attribute parser and verifier report through the context: their
  // first message becomes `error`.
  mlir::ScopedDiagnosticHandler capture(context, [&](mlir::Diagnostic &diag) {
    if (error.empty())
      error = diag.str();
    return mlir::success();
  });
  text = text.trim();
  if (text.starts_with("<") || text.starts_with("#")) {
    std::string attrText =
        text.starts_with("<") ? ("#mx.gemm_config" + text).str() : text.str();
    size_t read = 0;
    mlir::Attribute attr =
        mlir::parseAttribute(attrText, context, mlir::Type(), &read);
    if (!attr) {
      if (error.empty())
        error = "'" + text.str() + "' is not an attribute";
      error +=
          " (expected #mx.gemm_config<instruction = I, tile_m = M, tile_n = "
          "N, tile_k = K, waves_m = W, waves_n = W, prefetch = P>)";
      return {};
    }
    auto config = llvm::dyn_cast<mx::GemmConfigAttr>(attr);
    if (!config) {
      error = "'" + text.str() + "' is not a #mx.gemm_config";
      return {};
    }
    if (read != attrText.size()) {
      error = "unexpected '" + attrText.substr(read) + "' after the config";
      return {};
    }
    return config;
  }
  std::optional<GemmConfig> c = parseShortForm(text, error);
  if (!c)
    return {};
  return mx::GemmConfigAttr::getChecked(
      [&] { return mlir::emitError(mlir::UnknownLoc::get(context)); }, context,
      mx::MatrixInstruction(unsigned(c->instruction)), c->tileM, c->tileN,
      c->tileK, c->wavesM, c->wavesN, c->prefetch);
}

GemmConfig mxc::toGemmConfig(mx::GemmConfigAttr attr) {
  return GemmConfig{amdgpu::MatrixInstruction(unsigned(attr.getInstruction())),
                    attr.getTileM(),
                    attr.getTileN(),
                    attr.getTileK(),
                    attr.getWavesM(),
                    attr.getWavesN(),
                    attr.getPrefetch()};
}

mx::GemmConfigAttr mxc::toAttr(mlir::MLIRContext *context,
                               const GemmConfig &c) {
  return mx::GemmConfigAttr::get(
      context, mx::MatrixInstruction(unsigned(c.instruction)), c.tileM, c.tileN,
      c.tileK, c.wavesM, c.wavesN, c.prefetch);
}
