//===- DequantizeToAMDGPU.cpp - mx.dequantize to a kernel ----------===//
//
// Part of mxc. The quantize kernel's lane layout (RowKernel.h) run the
// other way: a lane owns 16 consecutive elements of a row, reads their codes
// (16, 12 or 8 bytes: one load) and the block's scale byte, decodes them
// (BlockQuantize.h: FP8 in hardware or from its fields as the chip
// says, FP6/FP4 from their fields), multiplies
// by 2^(s - 127) in fp32, rounds once to the output type and writes them
// with 16-byte stores (two for bf16/f16, four for f32).
//
//===----------------------------------------------------------------------===//

#include "BlockQuantize.h"
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

LogicalResult mxc::lowerDequantize(mx::DequantizeOp op,
                                   gpu::GPUModuleOp kernels,
                                   const amdgpu::ChipInfo &chip,
                                   RewriterBase *rewriter) {
  MemRefType valuesType = op.getValues().getType();
  FailureOr<int64_t> width =
      getStaticRowWidth(op, op.getValues(), "K", "values");
  if (failed(width))
    return failure();
  int64_t k = *width;
  if (k == 0)
    return op.emitOpError("has K = 0; expected a positive multiple of 32");
  SmallVector<PlanBuffer> buffers = {{op.getValues(), "values", true},
                                     {op.getScales(), "scales", true},
                                     {op.getOutput(), "output", true}};
  if (failed(checkPlanBuffers(op, buffers)))
    return failure();
  mx::FormatInfo format = *mx::getFormatInfo(valuesType.getElementType());
  Type outType = op.getOutput().getType().getElementType();
  int64_t outBytes = outType.getIntOrFloatBitWidth() / 8;
  unsigned codeBytes = unsigned(kRunElements * format.bits / 8);

  if (!rewriter)
    return success();
  buildRowKernels(
      *rewriter, op, kernels, "dequantize", buffers, chip, k / kRunElements,
      kWaves,
      [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func, const RowLanes &lanes) {
        TileBuilder t(b, chip);
        Block &entry = func.getBody().front();
        Value m = entry.getArgument(3);
        LanePlace p = getLanePlace(t, lanes, m);
        int64_t valueRowBytes = k * format.bits / 8;
        tile::RowRuns values{
            makeRowsResource(t, entry.getArgument(0), m, valueRowBytes),
            valueRowBytes, codeBytes};
        tile::RowRuns scales{
            makeRowsResource(t, entry.getArgument(1), m, k / 32), k / 32, 1};
        tile::RowRuns output{
            makeRowsResource(t, entry.getArgument(2), m, k * outBytes),
            k * outBytes, unsigned(kRunElements * outBytes)};

        Value codes = values.load(t, p.row, p.run, p.valid);
        Value block = arith::ShRUIOp::create(b, p.run, t.i32(1));
        Value scaleByte =
            t.bufferLoad(b.getI8Type(), scales.rsrc,
                         scales.offset(t, p.row, block, p.valid), t.i32(0));
        Value scale = quant::scaleValue(
            t, arith::ExtUIOp::create(b, b.getI32Type(), scaleByte));
        SmallVector<Value> y = quant::decodeCodes(t, format.format, codes,
                                                  kRunElements, chip.rowFp8);
        // y = round(float(q) * 2^(s - 127)): the product in fp32, one rounding
        // to the output type.
        for (Value &v : y)
          v = arith::MulFOp::create(b, v, scale);
        Value run = packFromF32(t, y, outType);
        output.store(t, run, p.row, p.run, p.valid);
        gpu::ReturnOp::create(b);
      });
  return success();
}
