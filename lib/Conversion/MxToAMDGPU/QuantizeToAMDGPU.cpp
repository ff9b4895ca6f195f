//===- QuantizeToAMDGPU.cpp - mx.quantize to a kernel --------------===//
//
// Part of mxc. Each lane owns a run of 16 consecutive elements of a row
// (RowKernel.h): it reads them with 16-byte loads (two for bf16/f16, four
// for f32), takes the largest |x| bits, which its neighbour lane (the other
// half of the block of 32) completes through one DPP swap, derives the
// block's E8M0 scale and encodes its 16 elements (BlockQuantize.h). FP8
// lanes store their 16 codes in one 16-byte store, FP6 lanes 12 bytes;
// FP4 lanes hand their 8 bytes to the even lane of the pair, which stores
// the block's 16 bytes; the even lane stores the scale. Every input byte is
// read once and every output byte written once.
//
//===----------------------------------------------------------------------===//

#include "RowKernel.h"
#include "RowOpLowerings.h"

#include "mlir/Dialect/Arith/IR/Arith.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::rows;
using tile::TileBuilder;

/// Elements a lane owns: half a block.
static constexpr int64_t kRunElements = 16;
/// Waves of a workgroup.
static constexpr unsigned kWaves = 4;

LogicalResult mxc::lowerQuantize(mx::QuantizeOp op, gpu::GPUModuleOp kernels,
                                 const amdgpu::ChipInfo &chip,
                                 RewriterBase *rewriter) {
  MemRefType inputType = op.getInput().getType();
  FailureOr<int64_t> width = getStaticRowWidth(op, op.getInput(), "K", "input");
  if (failed(width))
    return failure();
  int64_t k = *width;
  if (k == 0)
    return op.emitOpError("has K = 0; expected a positive multiple of 32");
  SmallVector<PlanBuffer> buffers = {{op.getInput(), "input", true},
                                     {op.getValues(), "values", true},
                                     {op.getScales(), "scales", true}};
  if (failed(checkPlanBuffers(op, buffers)))
    return failure();
  Type inType = inputType.getElementType();
  mx::FormatInfo format =
      *mx::getFormatInfo(op.getValues().getType().getElementType());
  int64_t inBytes = inType.getIntOrFloatBitWidth() / 8;

  if (!rewriter)
    return success();
  buildRowKernels(
      *rewriter, op, kernels, "quantize", buffers, chip, k / kRunElements,
      kWaves,
      [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func, const RowLanes &lanes) {
        TileBuilder t(b, chip);
        Block &entry = func.getBody().front();
        Value m = entry.getArgument(3);
        LanePlace p = getLanePlace(t, lanes, m);
        tile::RowRuns input{
            makeRowsResource(t, entry.getArgument(0), m, k * inBytes),
            k * inBytes, unsigned(kRunElements * inBytes)};
        Value valuesRsrc =
            makeRowsResource(t, entry.getArgument(1), m, k * format.bits / 8);
        Value scalesRsrc = makeRowsResource(t, entry.getArgument(2), m, k / 32);

        SmallVector<Value> x =
            unpackToF32(t, input.load(t, p.row, p.run, p.valid), inType);
        storeQuantizedRun(t,
                          {valuesRsrc, scalesRsrc, k, format.format,
                           op.getRounding(), chip.rowFp8},
                          x, p.lane, p.row, p.run, p.valid);
        gpu::ReturnOp::create(b);
      });
  return success();
}
