//===- GemmConfig.cpp - Scaled-matmul kernel configs and cost model -------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Transforms/GemmConfig.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxFormats.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/MathExtras.h"

#include <cmath>

using namespace mxc;
using amdgpu::MatrixElement;

const amdgpu::MatrixIntrinsic *mxc::getScaledMfma(unsigned mfmaM,
                                                  llvm::StringRef chip) {
  for (const amdgpu::MatrixIntrinsic &mi : amdgpu::getMatrixIntrinsics())
    if (mi.scaled && mi.m == mfmaM && mi.isOnChip(chip))
      return &mi;
  return nullptr;
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

unsigned mxc::getOperandLoads(MatrixElement element) {
  // 32 elements per lane: FP8 32 bytes, FP6 24 (16 + 8), FP4 16.
  return amdgpu::getElementBits(element) == 4 ? 1 : 2;
}

bool mxc::usesScaleDwords(const GemmProblem &problem) {
  return problem.k % 128 == 0;
}

namespace {
/// Registers the kernel keeps besides operands and accumulators: row
/// offsets of every A/B row block (elements and scales), lane constants,
/// loop state. Calibrated on the backend's output (docs/gemm.md).
unsigned overheadRegisters(const GemmConfig &c) {
  return 24 + 2 * (c.repM() + c.repN());
}

/// Scale registers one K step needs per row block: one byte per block.
unsigned scaleRegisters(const GemmConfig &c) { return (c.tileK / 32 + 3) / 4; }
} // namespace

/// The attribute's rules for a plain GemmConfig.
static std::string checkParameters(const GemmConfig &c) {
  return mx::GemmConfigAttr::checkParameters(c.mfmaM, c.tileM, c.tileN, c.tileK,
                                             c.wavesM, c.wavesN, c.prefetch);
}

std::string mxc::checkGemmConfig(const GemmProblem &p, const GemmConfig &c,
                                 const amdgpu::ChipInfo &chip) {
  // Past this check every size below is small: at most 16 waves, 16384
  // accumulators per wave, 32 matrix instructions per step.
  if (std::string why = checkParameters(c); !why.empty())
    return why;
  const amdgpu::MatrixIntrinsic *mi = getScaledMfma(c.mfmaM, chip.name);
  if (!mi)
    return ("mfma_m = " + llvm::Twine(c.mfmaM) + " names no scaled MFMA on " +
            chip.name + " (32: 32x32x64, 16: 16x16x128)")
        .str();
  if (c.waves() * chip.waveSize > 1024)
    return ("waves " + llvm::Twine(c.wavesM) + "x" + llvm::Twine(c.wavesN) +
            " is not 1 to " + llvm::Twine(1024 / chip.waveSize) +
            " waves per workgroup")
        .str();
  GemmCost cost = estimateGemmCost(p, c, chip);
  unsigned archRegs = cost.operandRegisters + overheadRegisters(c);
  if (archRegs > 256)
    return ("operands and addresses need about " + llvm::Twine(archRegs) +
            " VGPRs; at most 256 exist (fewer row blocks, a smaller tile_k "
            "or prefetch=0)")
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
  const amdgpu::MatrixIntrinsic *mi = getScaledMfma(c.mfmaM, chip.name);
  if (!mi || !checkParameters(c).empty())
    return cost;
  unsigned kSteps = c.tileK / mi->k, repM = c.repM(), repN = c.repN();
  unsigned bitsA = amdgpu::getElementBits(p.a),
           bitsB = amdgpu::getElementBits(p.b);
  cost.accRegisters = repM * repN * mi->accRegisters;
  // One operand is 32 elements per lane: `bits` dwords.
  unsigned scales = scaleRegisters(c) * (repM + repN);
  unsigned perStage = kSteps * (repM * bitsA + repN * bitsB) + scales;
  cost.operandRegisters = perStage * (1 + c.prefetch);
  cost.vgprs = cost.accRegisters + cost.operandRegisters + overheadRegisters(c);
  cost.wavesPerSimd = chip.getWavesPerSimd(cost.vgprs);

  // Issued per K step by one wave.
  cost.matrixPerIteration = kSteps * repM * repN;
  unsigned loadsB = p.bTransposed ? 2 * 32 : getOperandLoads(p.b);
  unsigned operandLoads =
      kSteps * (repM * getOperandLoads(p.a) + repN * loadsB);
  unsigned scaleInsts = usesScaleDwords(p) ? 2 * (repM + repN) * (c.tileK / 128)
                                           : 2 * (repM + repN) * kSteps;
  unsigned loop = 6; // counter, soffset, compare, branch, two waits
  cost.nonMatrixPerIteration = operandLoads + scaleInsts + loop;
  double mflop =
      double(cost.matrixPerIteration) * 2.0 * mi->m * mi->n * mi->k / 1e6;
  cost.nonMatrixPerMflop = cost.nonMatrixPerIteration / mflop;

  // Time: workgroups run in rounds over the chip; a SIMD's matrix pipe is
  // shared by its waves, and without prefetch each K step waits for memory.
  bool fp8 = bitsA == 8 || bitsB == 8;
  double matrixCycles =
      double(cost.matrixPerIteration) * (fp8 ? mi->cycles : mi->cycles / 2);
  // Sizes are int64; tile counts are formed without overflow and their
  // product in floating point.
  auto tiles = [](int64_t size, unsigned tile) {
    return double(llvm::divideCeil(uint64_t(std::max<int64_t>(size, 1)), tile));
  };
  double tileCount = tiles(p.m, c.tileM) * tiles(p.n, c.tileN);
  unsigned wavesPerCu = 4 * std::max(1u, cost.wavesPerSimd);
  unsigned groupsPerCu = std::max(1u, wavesPerCu / c.waves());
  double concurrent = double(chip.computeUnits) * groupsPerCu;
  double rounds = std::ceil(tileCount / concurrent);
  double wavesSharingSimd =
      std::max(1.0, std::min(tileCount, concurrent) * c.waves() /
                        (4.0 * chip.computeUnits));
  const double memoryLatency = 800;
  double exposed = c.prefetch ? 0 : memoryLatency / wavesSharingSimd;
  double perStep =
      std::max(wavesSharingSimd * matrixCycles,
               matrixCycles + cost.nonMatrixPerIteration + exposed);
  double steps = tiles(p.k, c.tileK);
  cost.cycles = rounds * steps * perStep;
  return cost;
}

std::optional<GemmConfig> mxc::selectGemmConfig(const GemmProblem &p,
                                                const amdgpu::ChipInfo &chip) {
  std::optional<GemmConfig> best;
  GemmCost bestCost;
  for (unsigned mfmaM : {32u, 16u}) {
    if (!getScaledMfma(mfmaM, chip.name))
      continue;
    for (unsigned tileM : {16u, 32u, 64u, 128u, 256u})
      for (unsigned tileN : {32u, 64u, 128u, 256u})
        for (unsigned tileK : {128u, 256u})
          for (unsigned wavesM : {1u, 2u, 4u})
            for (unsigned wavesN : {1u, 2u, 4u})
              for (unsigned prefetch : {1u, 0u}) {
                GemmConfig c{mfmaM,  tileM,  tileN,   tileK,
                             wavesM, wavesN, prefetch};
                if (!checkGemmConfig(p, c, chip).empty())
                  continue;
                GemmCost cost = estimateGemmCost(p, c, chip);
                auto key = [](const GemmCost &g) {
                  return std::make_tuple(g.cycles, g.nonMatrixPerMflop,
                                         g.vgprs);
                };
                if (!best || key(cost) < key(bestCost)) {
                  best = c;
                  bestCost = cost;
                }
              }
  }
  return best;
}

std::string mxc::printGemmConfig(const GemmConfig &c) {
  std::string k = c.mfmaM == 32 ? "64" : "128";
  return "mfma=" + std::to_string(c.mfmaM) + "x" + std::to_string(c.mfmaM) +
         "x" + k + ",tile=" + std::to_string(c.tileM) + "x" +
         std::to_string(c.tileN) + "x" + std::to_string(c.tileK) +
         ",waves=" + std::to_string(c.wavesM) + "x" + std::to_string(c.wavesN) +
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
      unsigned mfmaN = 0, mfmaK = 0;
      if (!dims(value, key, {&c.mfmaM, &mfmaN, &mfmaK}))
        return std::nullopt;
      bool known = (c.mfmaM == 32 && mfmaN == 32 && mfmaK == 64) ||
                   (c.mfmaM == 16 && mfmaN == 16 && mfmaK == 128);
      if (!known) {
        error = ("mfma '" + value + "' is not 32x32x64 or 16x16x128").str();
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
      error += " (expected #mx.gemm_config<mfma_m = M, tile_m = M, tile_n = "
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
      c->mfmaM, c->tileM, c->tileN, c->tileK, c->wavesM, c->wavesN,
      c->prefetch);
}

GemmConfig mxc::toGemmConfig(mx::GemmConfigAttr attr) {
  return GemmConfig{attr.getMfmaM(),   attr.getTileM(),  attr.getTileN(),
                    attr.getTileK(),   attr.getWavesM(), attr.getWavesN(),
                    attr.getPrefetch()};
}

mx::GemmConfigAttr mxc::toAttr(mlir::MLIRContext *context,
                               const GemmConfig &c) {
  return mx::GemmConfigAttr::get(context, c.mfmaM, c.tileM, c.tileN, c.tileK,
                                 c.wavesM, c.wavesN, c.prefetch);
}
