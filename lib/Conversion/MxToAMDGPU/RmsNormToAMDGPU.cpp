//===- RmsNormToAMDGPU.cpp - mx.rmsnorm to a kernel ----------------===//
//
// Part of mxc. Gemma RMSNorm (SPEC.md): a lane owns runs of 16 consecutive
// elements of a row, as in the quantize kernel, but a row is never split
// across workgroups, since its sum of squares is reduced within one:
// - rows of at most 16 runs (H <= 256) share a wave: a row's runs sit on an
//   aligned group of 1 to 16 lanes, reduced by a DPP butterfly
//   (reduceLanes);
// - rows of 17 runs to a wave's lanes (64, or 32 on wave32 chips) take a
//   wave each, reduced by reduceWave;
// - longer rows take W = ceil(runs / wave size) waves (at most 1024 lanes),
//   each lane one to eight runs, reduced by reduceWave and then across the
//   waves through LDS (reduceWorkgroup).
// A workgroup handles `iterations` such sets of rows in straight-line code:
// it loads the weight's runs once for all of them and issues every row's
// loads before the first reduction. s = x (+ r) stays in registers in fp32
// (residual_out = cast(s) is stored from it), y = s * rstd * (1 + w) is
// rounded once or quantized from fp32 (storeQuantizedRun).
//
//===----------------------------------------------------------------------===//

#include "RowKernel.h"
#include "RowOpLowerings.h"

#include "mxc/Dialect/Mx/MxFormats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::rows;
using tile::TileBuilder;

/// Elements of a lane's run.
static constexpr int64_t kRunElements = 16;
/// Runs a lane holds in registers at most (H up to 131072).
static constexpr int64_t kMaxRunsPerLane = 8;
/// Rows a workgroup handles at least, where a row takes a workgroup: the
/// weight's runs are loaded once for them.
static constexpr int64_t kRowsPerGroup = 8;

/// Lanes of a workgroup a row may span: the most a workgroup has.
static constexpr int64_t kMaxLanesPerRow = 1024;

namespace {
/// Lanes of a workgroup over rows (see the file comment).
struct NormLanes {
  int64_t runs = 0;
  unsigned waveSize = 0;
  unsigned lanesPerRow = 0; ///< 1 to 16, a wave, or W waves.
  unsigned waves = 0;       ///< Of a workgroup.
  int64_t rowsPerIteration = 0, runsPerLane = 0, iterations = 0;

  /// Rows of `runs` runs; rows of at most a wave take workgroups of
  /// `shortRowWaves` waves; a workgroup handles at least `minRows` rows.
  static NormLanes get(int64_t runs, unsigned waveSize, unsigned shortRowWaves,
                       int64_t minRows) {
    NormLanes l;
    l.runs = runs;
    l.waveSize = waveSize;
    if (runs <= 16) {
      l.lanesPerRow = unsigned(llvm::PowerOf2Ceil(uint64_t(runs)));
      l.waves = shortRowWaves;
    } else if (runs <= waveSize) {
      l.lanesPerRow = waveSize;
      l.waves = shortRowWaves;
    } else {
      l.waves = unsigned(std::min<int64_t>(kMaxLanesPerRow / waveSize,
                                           llvm::divideCeil(runs, waveSize)));
      l.lanesPerRow = waveSize * l.waves;
    }
    l.rowsPerIteration = int64_t(l.waves) * waveSize / l.lanesPerRow;
    l.runsPerLane = llvm::divideCeil(runs, int64_t(l.lanesPerRow));
    l.iterations = std::max<int64_t>(1, minRows / l.rowsPerIteration);
    return l;
  }
  int64_t rowsPerGroup() const { return rowsPerIteration * iterations; }
  unsigned threads() const { return waves * waveSize; }
  /// Waves a row spans (1 when rows share or fill a wave).
  unsigned wavesPerRow() const { return std::max(1u, lanesPerRow / waveSize); }
};
} // namespace

LogicalResult mxc::lowerRmsNorm(mx::RmsNormOp op, gpu::GPUModuleOp kernels,
                                const amdgpu::ChipInfo &chip,
                                RewriterBase *rewriter) {
  MemRefType inputType = op.getInput().getType();
  FailureOr<int64_t> width = getStaticRowWidth(op, op.getInput(), "H", "input");
  if (failed(width))
    return failure();
  int64_t h = *width;
  if (h == 0 || h % kRunElements != 0)
    return op.emitOpError()
           << "has H = " << h
           << "; its kernel needs a positive multiple of 16 (a lane's run)";
  int64_t runs = h / kRunElements;
  NormLanes wide = NormLanes::get(runs, chip.waveSize, 4, kRowsPerGroup);
  if (wide.runsPerLane > kMaxRunsPerLane)
    return op.emitOpError()
           << "has H = " << h << "; its kernel holds a row in registers, "
           << kMaxRunsPerLane * kRunElements * kMaxLanesPerRow
           << " elements at most";
  bool residual = bool(op.getResidual());
  SmallVector<PlanBuffer> buffers = {{op.getInput(), "input", true},
                                     {op.getWeight(), "weight", false}};
  if (residual) {
    buffers.push_back({op.getResidual(), "residual", true});
    buffers.push_back({op.getResidualOut(), "residual_out", true});
  }
  buffers.push_back({op.getOutput(), "output", true});
  if (op.getScales())
    buffers.push_back({op.getScales(), "scales", true});
  if (failed(checkPlanBuffers(op, buffers)))
    return failure();

  Type inType = inputType.getElementType();
  Type weightType = op.getWeight().getType().getElementType();
  Type outType = op.getOutput().getType().getElementType();
  std::optional<mx::FormatInfo> format = mx::getFormatInfo(outType);
  auto bytesOf = [](Type type) {
    return int64_t(type.getIntOrFloatBitWidth() / 8);
  };

  if (!rewriter)
    return success();
  ImplicitLocOpBuilder b(op.getLoc(), *rewriter);
  // The kernel for workgroups laid out as `lanes`, called `name`.
  auto build = [&](const NormLanes &lanes, StringRef name) {
    unsigned numBuffers = unsigned(buffers.size());
    gpu::GPUFuncOp func =
        createRowKernel(b, op, kernels, name, numBuffers, lanes.threads());
    unsigned wavesPerRow = lanes.wavesPerRow();
    int64_t ldsBytes = wavesPerRow > 1 ? lanes.iterations * wavesPerRow * 4 : 0;
    Value lds = ldsBytes ? allocateKernelLds(b, func, ldsBytes) : Value();
    TileBuilder t(b, chip);
    Block &entry = func.getBody().front();
    Value m = entry.getArgument(numBuffers);
    auto arg = [&](StringRef name) {
      for (auto [i, buffer] : llvm::enumerate(buffers))
        if (buffer.name == name)
          return entry.getArgument(unsigned(i));
      llvm_unreachable("no such buffer");
    };

    // The lane's place: its row in each iteration's set, its runs in the row.
    Type i32 = b.getI32Type(), f32 = b.getF32Type();
    Value tid = arith::IndexCastUIOp::create(
        b, i32, gpu::ThreadIdOp::create(b, gpu::Dimension::x));
    Value lane = t.remConst(tid, chip.waveSize);
    // The wave index is uniform: readfirstlane keeps its arithmetic scalar.
    Value wave =
        ROCDL::ReadfirstlaneOp::create(b, i32, t.divConst(tid, chip.waveSize));
    Value group = arith::IndexCastUIOp::create(
        b, i32, gpu::BlockIdOp::create(b, gpu::Dimension::y));
    Value firstRow = t.mulConst(group, lanes.rowsPerGroup());
    Value laneInRow = tid, rowInSet = t.i32(0);
    if (lanes.lanesPerRow <= chip.waveSize) {
      laneInRow = t.remConst(lane, lanes.lanesPerRow);
      rowInSet = t.add(t.mulConst(wave, chip.waveSize / lanes.lanesPerRow),
                       t.divConst(lane, lanes.lanesPerRow));
    }
    SmallVector<Value> runIndex, runValid;
    for (int64_t j = 0; j < lanes.runsPerLane; ++j) {
      Value run = t.addConst(laneInRow, j * lanes.lanesPerRow);
      runIndex.push_back(run);
      // Only lanes of the last run of a row can lie past it.
      bool partial = (j + 1) * int64_t(lanes.lanesPerRow) > runs;
      runValid.push_back(partial ? t.lessThan(run, runs) : Value());
    }
    SmallVector<Value> rows, rowValid;
    for (int64_t i = 0; i < lanes.iterations; ++i) {
      Value row =
          t.add(firstRow, t.addConst(rowInSet, i * lanes.rowsPerIteration));
      rows.push_back(row);
      rowValid.push_back(
          arith::CmpIOp::create(b, arith::CmpIPredicate::ult, row, m));
    }
    auto valid = [&](int64_t i, int64_t j) {
      if (!runValid[j])
        return rowValid[i];
      return arith::AndIOp::create(b, rowValid[i], runValid[j]).getResult();
    };

    // Loads: the weight's runs once, then every row's, before any reduction.
    int64_t wBytes = bytesOf(weightType);
    tile::RowRuns weight{
        makeRowsResource(t, arg("weight"), t.i32(1), h * wBytes), h * wBytes,
        unsigned(kRunElements * wBytes)};
    int64_t inBytes = bytesOf(inType);
    tile::RowRuns input{makeRowsResource(t, arg("input"), m, h * inBytes),
                        h * inBytes, unsigned(kRunElements * inBytes)};
    std::optional<tile::RowRuns> residualIn, residualOut;
    Type residualType, residualOutType;
    if (residual) {
      residualType = op.getResidual().getType().getElementType();
      residualOutType = op.getResidualOut().getType().getElementType();
      int64_t rBytes = bytesOf(residualType), oBytes = bytesOf(residualOutType);
      residualIn =
          tile::RowRuns{makeRowsResource(t, arg("residual"), m, h * rBytes),
                        h * rBytes, unsigned(kRunElements * rBytes)};
      residualOut =
          tile::RowRuns{makeRowsResource(t, arg("residual_out"), m, h * oBytes),
                        h * oBytes, unsigned(kRunElements * oBytes)};
    }
    SmallVector<Value> weightWords;
    for (int64_t j = 0; j < lanes.runsPerLane; ++j)
      weightWords.push_back(weight.load(t, t.i32(0), runIndex[j], runValid[j]));
    // words[i][j]: row i's run j of the input (and of the residual).
    SmallVector<SmallVector<Value>> inWords(lanes.iterations),
        resWords(lanes.iterations);
    for (int64_t i = 0; i < lanes.iterations; ++i)
      for (int64_t j = 0; j < lanes.runsPerLane; ++j) {
        inWords[i].push_back(input.load(t, rows[i], runIndex[j], valid(i, j)));
        if (residual)
          resWords[i].push_back(
              residualIn->load(t, rows[i], runIndex[j], valid(i, j)));
      }

    auto f32Const = [&](double v) {
      return arith::ConstantOp::create(b, b.getF32FloatAttr(float(v)))
          .getResult();
    };
    Value one = f32Const(1.0);
    // 1 + w, in fp32.
    SmallVector<SmallVector<Value>> onePlusW;
    for (Value words : weightWords) {
      SmallVector<Value> w = unpackToF32(t, words, weightType);
      for (Value &v : w)
        v = arith::AddFOp::create(b, one, v);
      onePlusW.push_back(w);
    }
    auto add = [&](Value x, Value y) {
      return arith::AddFOp::create(b, x, y).getResult();
    };

    std::optional<QuantizedRows> quantized;
    std::optional<tile::RowRuns> output;
    if (format) {
      quantized = QuantizedRows{
          makeRowsResource(t, arg("output"), m, h * format->bits / 8),
          makeRowsResource(t, arg("scales"), m, h / 32),
          h,
          format->format,
          op.getRounding(),
          chip.rowFp8};
    } else {
      int64_t outBytes = bytesOf(outType);
      output =
          tile::RowRuns{makeRowsResource(t, arg("output"), m, h * outBytes),
                        h * outBytes, unsigned(kRunElements * outBytes)};
    }
    Value hValue = f32Const(double(h));
    Value eps = f32Const(op.getEps().convertToFloat());
    for (int64_t i = 0; i < lanes.iterations; ++i) {
      // s = f32(x) + f32(r): residual_out is its one rounding.
      SmallVector<SmallVector<Value>> s;
      for (int64_t j = 0; j < lanes.runsPerLane; ++j) {
        SmallVector<Value> x = unpackToF32(t, inWords[i][j], inType);
        if (residual) {
          SmallVector<Value> r = unpackToF32(t, resWords[i][j], residualType);
          for (auto [xv, rv] : llvm::zip(x, r))
            xv = add(xv, rv);
          residualOut->store(t, packFromF32(t, x, residualOutType), rows[i],
                             runIndex[j], valid(i, j));
        }
        s.push_back(x);
      }
      // The row's sum of squares: the lane's, then its lanes', waves'.
      Value sum;
      for (ArrayRef<Value> run : s)
        for (Value v : run) {
          Value sq = arith::MulFOp::create(b, v, v);
          sum = sum ? add(sum, sq) : sq;
        }
      if (lanes.lanesPerRow <= 16) {
        sum = t.reduceLanes(sum, lanes.lanesPerRow, add);
      } else {
        sum = t.reduceWave(sum, add);
        if (wavesPerRow > 1)
          sum = t.reduceWorkgroup(sum, wave, wavesPerRow, lds,
                                  i * wavesPerRow * 4, add);
      }
      // rstd = 1 / sqrt(mean + eps): an IEEE square root and division.
      Value mean = arith::DivFOp::create(b, sum, hValue);
      Value rstd = arith::DivFOp::create(
          b, one, LLVM::SqrtOp::create(b, add(mean, eps)));
      for (int64_t j = 0; j < lanes.runsPerLane; ++j) {
        SmallVector<Value> y;
        for (auto [v, w] : llvm::zip(s[j], onePlusW[j]))
          y.push_back(
              arith::MulFOp::create(b, arith::MulFOp::create(b, v, rstd), w));
        if (quantized)
          storeQuantizedRun(t, *quantized, y, lane, rows[i], runIndex[j],
                            valid(i, j));
        else
          output->store(t, packFromF32(t, y, outType), rows[i], runIndex[j],
                        valid(i, j));
      }
    }
    gpu::ReturnOp::create(b);

    // The LDS is a static variable of the kernel: no dynamic LDS.
    return RowVariant{func, RowGrid{1, lanes.rowsPerGroup(), lanes.threads()}};
  };
  // Small M: workgroups of one row (or one wave of short rows), as many as
  // there are.
  NormLanes narrow = NormLanes::get(runs, chip.waveSize, 1, 1);
  buildRowVariants(*rewriter, op, "rmsnorm", buffers, chip,
                   RowGrid{1, wide.rowsPerGroup(), wide.threads()},
                   narrow.rowsPerGroup() < wide.rowsPerGroup(),
                   [&](bool small, StringRef name) {
                     return build(small ? narrow : wide, name);
                   });
  return success();
}
