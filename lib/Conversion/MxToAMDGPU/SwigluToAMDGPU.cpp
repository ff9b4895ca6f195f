//===- SwigluToAMDGPU.cpp - mx.swiglu to a kernel ------------------===//
//
// Part of mxc. The quantize kernel's lane layout (RowKernel.h) over the
// output [M, I]: a lane owns 16 consecutive outputs of a row. Split input:
// it reads their 16 gates and 16 ups (two runs of 16-byte loads, I elements
// apart); interleaved input: the 32 elements that hold both (gate even, up
// odd). It computes SwiGLU-OAI in fp32 in SPEC.md's order and either
// rounds once to the output type (16-byte stores) or hands the fp32 values
// to the block quantizer (storeQuantizedRun: no bf16 round trip). Every
// input byte is read once and every output byte written once.
//
//===----------------------------------------------------------------------===//

#include "RowKernel.h"
#include "RowOpLowerings.h"

#include "mxc/Dialect/Mx/MxFormats.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::rows;
using tile::TileBuilder;

/// Outputs a lane owns: half a block.
static constexpr int64_t kRunElements = 16;
/// Waves of a workgroup.
static constexpr unsigned kWaves = 4;

namespace {
/// SwiGLU-OAI's constants as the kernel uses them.
struct SwigluConstants {
  Value alpha, beta, limit, negLimit, one;
};
} // namespace

/// SPEC.md, SwiGLU-OAI, for one element, in fp32:
///   g = min(gate, limit); u = clamp(up, -limit, limit)
///   out = g * (1 / (1 + exp(-(alpha * g)))) * (u + beta)
/// The clamps propagate NaN (llvm.minimum/maximum), so a NaN input gives a
/// NaN output (a NaN block when quantized). exp is llvm.exp (the backend's
/// expansion, about 1 ulp) and the division IEEE.
static Value swiglu(ImplicitLocOpBuilder &b, const SwigluConstants &c,
                    Value gate, Value up) {
  if (c.limit) {
    gate = arith::MinimumFOp::create(b, gate, c.limit);
    up = arith::MinimumFOp::create(
        b, arith::MaximumFOp::create(b, up, c.negLimit), c.limit);
  }
  Value z = arith::NegFOp::create(b, arith::MulFOp::create(b, c.alpha, gate));
  Value den = arith::AddFOp::create(b, c.one, LLVM::ExpOp::create(b, z));
  Value sigmoid = arith::DivFOp::create(b, c.one, den);
  Value act = arith::MulFOp::create(b, gate, sigmoid);
  return arith::MulFOp::create(b, act, arith::AddFOp::create(b, up, c.beta));
}

LogicalResult mxc::lowerSwiglu(mx::SwigluOp op, gpu::GPUModuleOp kernels,
                               const amdgpu::ChipInfo &chip,
                               RewriterBase *rewriter) {
  MemRefType inputType = op.getInput().getType();
  MemRefType outputType = op.getOutput().getType();
  FailureOr<int64_t> twoI = getStaticRowWidth(op, op.getInput(), "2I", "input");
  if (failed(twoI))
    return failure();
  int64_t width = *twoI / 2;
  if (width == 0 || width % kRunElements != 0)
    return op.emitOpError()
           << "has I = " << width
           << "; its kernel needs a positive multiple of 16 (a lane's run)";
  SmallVector<PlanBuffer> buffers = {{op.getInput(), "input", true},
                                     {op.getOutput(), "output", true}};
  if (op.getScales())
    buffers.push_back({op.getScales(), "scales", true});
  if (failed(checkPlanBuffers(op, buffers)))
    return failure();
  Type inType = inputType.getElementType();
  Type outType = outputType.getElementType();
  std::optional<mx::FormatInfo> format = mx::getFormatInfo(outType);
  int64_t inBytes = inType.getIntOrFloatBitWidth() / 8;
  bool interleaved = op.getLayout() == mx::SwigluLayout::interleaved;

  if (!rewriter)
    return success();
  buildRowKernels(
      *rewriter, op, kernels, "swiglu", buffers, chip, width / kRunElements,
      kWaves,
      [&](ImplicitLocOpBuilder &b, gpu::GPUFuncOp func, const RowLanes &lanes) {
        TileBuilder t(b, chip);
        Block &entry = func.getBody().front();
        Value m = entry.getArgument(unsigned(buffers.size()));
        LanePlace p = getLanePlace(t, lanes, m);
        int64_t inRowBytes = *twoI * inBytes;
        Value inputRsrc =
            makeRowsResource(t, entry.getArgument(0), m, inRowBytes);

        // The lane's 16 gates and 16 ups, as fp32.
        SmallVector<Value> gates, ups;
        if (interleaved) {
          tile::RowRuns input{inputRsrc, inRowBytes,
                              unsigned(2 * kRunElements * inBytes)};
          SmallVector<Value> x =
              unpackToF32(t, input.load(t, p.row, p.run, p.valid), inType);
          for (int64_t i = 0; i < kRunElements; ++i) {
            gates.push_back(x[2 * i]);
            ups.push_back(x[2 * i + 1]);
          }
        } else {
          tile::RowRuns input{inputRsrc, inRowBytes,
                              unsigned(kRunElements * inBytes)};
          Value at = input.offset(t, p.row, p.run, p.valid);
          // A masked offset stays past every buffer with I's bytes added: it is
          // at least 2^31, the sum below 2^32.
          gates =
              unpackToF32(t, t.loadRun(inputRsrc, at, input.runBytes), inType);
          ups =
              unpackToF32(t,
                          t.loadRun(inputRsrc, t.addConst(at, width * inBytes),
                                    input.runBytes),
                          inType);
        }

        auto f32 = [&](double v) {
          return arith::ConstantOp::create(b, b.getF32FloatAttr(float(v)))
              .getResult();
        };
        SwigluConstants c;
        c.alpha = f32(op.getAlpha().convertToFloat());
        c.beta = f32(op.getBeta().convertToFloat());
        c.one = f32(1.0);
        if (std::optional<APFloat> limit = op.getLimit()) {
          c.limit = f32(limit->convertToFloat());
          c.negLimit = f32(-limit->convertToFloat());
        }
        SmallVector<Value> out;
        for (int64_t i = 0; i < kRunElements; ++i)
          out.push_back(swiglu(b, c, gates[i], ups[i]));

        if (format) {
          Value valuesRsrc = makeRowsResource(t, entry.getArgument(1), m,
                                              width * format->bits / 8);
          Value scalesRsrc =
              makeRowsResource(t, entry.getArgument(2), m, width / 32);
          storeQuantizedRun(t,
                            {valuesRsrc, scalesRsrc, width, format->format,
                             op.getRounding(), chip.rowFp8},
                            out, p.lane, p.row, p.run, p.valid);
        } else {
          int64_t outBytes = outType.getIntOrFloatBitWidth() / 8;
          tile::RowRuns output{
              makeRowsResource(t, entry.getArgument(1), m, width * outBytes),
              width * outBytes, unsigned(kRunElements * outBytes)};
          output.store(t, packFromF32(t, out, outType), p.row, p.run, p.valid);
        }
        gpu::ReturnOp::create(b);
      });
  return success();
}
