//===- MxOps.cpp - mx dialect operations ----------------------------------===//
//
// Part of mxc. Verifiers: each says what is wrong and what would be right.
// Dynamic sizes are accepted wherever the check needs a static one on both
// sides; what cannot be checked here is checked by the kernels' launch plan.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Dialect/Mx/MxFormats.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpImplementation.h"
#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CheckedArithmetic.h"
#include "llvm/Support/raw_ostream.h"

#include <optional>

using namespace mlir;
using namespace mxc::mx;

namespace {

constexpr int64_t kDyn = ShapedType::kDynamic;

bool isStatic(int64_t size) { return !ShapedType::isDynamic(size); }

/// "[?, 256]" for diagnostics.
std::string formatShape(ArrayRef<int64_t> shape) {
  std::string s;
  llvm::raw_string_ostream os(s);
  os << '[';
  llvm::interleaveComma(shape, os, [&](int64_t d) {
    if (isStatic(d))
      os << d;
    else
      os << '?';
  });
  os << ']';
  return s;
}

/// Whether two sizes can be equal (either unknown, or the same).
bool compatible(int64_t a, int64_t b) {
  return !isStatic(a) || !isStatic(b) || a == b;
}

/// ceil(a / b) for a static size a >= 0 and b > 0; never overflows.
int64_t ceilDivStatic(int64_t a, int64_t b) {
  return isStatic(a) ? a / b + (a % b != 0) : kDyn;
}

/// Checks that `actual` matches `expected` where both are known.
LogicalResult verifyShape(Operation *op, StringRef name, MemRefType type,
                          ArrayRef<int64_t> expected, StringRef why) {
  ArrayRef<int64_t> actual = type.getShape();
  bool ok = actual.size() == expected.size();
  for (size_t i = 0; ok && i < actual.size(); ++i)
    ok = compatible(actual[i], expected[i]);
  if (ok)
    return success();
  return op->emitOpError() << name << " has shape " << formatShape(actual)
                           << ", expected " << formatShape(expected) << " ("
                           << why << ")";
}

/// A multiple of the MX block size along K, where K is known.
LogicalResult verifyBlockMultiple(Operation *op, StringRef what, int64_t size) {
  if (!isStatic(size) || size % kBlockSize == 0)
    return success();
  return op->emitOpError() << what << " is " << size
                           << ", which is not a multiple of " << kBlockSize
                           << " (the MX block size)";
}

/// Sub-byte formats are packed along the innermost dimension; that is only
/// addressable with a row-major contiguous layout and whole packing groups.
LogicalResult verifyPackedStorage(Operation *op, StringRef name,
                                  MemRefType type) {
  if (!isPackedElementType(type.getElementType()))
    return success();
  if (!type.getLayout().isIdentity())
    return op->emitOpError()
           << name << " of packed type " << type.getElementType()
           << " needs an identity (row-major, contiguous) layout, not "
           << type.getLayout();
  int64_t inner = type.getShape().back();
  if (!isStatic(inner))
    return op->emitOpError()
           << name << " of packed type " << type.getElementType()
           << " needs a static innermost dimension (its packed row size)";
  return verifyBlockMultiple(op, (name + " innermost dimension").str(), inner);
}

/// An MX operand: values whose K dimension is `kDim`, and scales shaped like
/// the values' other dimensions followed by K/32.
LogicalResult verifyMxOperand(Operation *op, StringRef name, Value values,
                              Value scales, unsigned kDim) {
  auto valuesType = cast<MemRefType>(values.getType());
  auto scalesType = cast<MemRefType>(scales.getType());
  int64_t k = valuesType.getDimSize(kDim);
  if (failed(verifyBlockMultiple(op, (name + " K dimension").str(), k)) ||
      failed(verifyPackedStorage(op, name, valuesType)))
    return failure();
  SmallVector<int64_t> expected;
  for (auto [i, d] : llvm::enumerate(valuesType.getShape()))
    if (i != kDim)
      expected.push_back(d);
  expected.push_back(isStatic(k) ? k / kBlockSize : kDyn);
  return verifyShape(op, (name + " scales").str(), scalesType, expected,
                     "one E8M0 scale per 32 elements of K, [rows, K/32]");
}

/// A real output and, when it has an MX element type, its required scales.
LogicalResult verifyMaybeQuantizedOutput(Operation *op, Value output,
                                         Value scales, StringRef width) {
  auto outType = cast<MemRefType>(output.getType());
  bool quantized = getFormatInfo(outType.getElementType()).has_value();
  if (!quantized) {
    if (scales)
      return op->emitOpError()
             << "has scales but a real output of type "
             << outType.getElementType()
             << "; scales come only with an MX output (fused quantize)";
    return success();
  }
  if (!scales)
    return op->emitOpError()
           << "has an MX output of type " << outType.getElementType()
           << " but no scales; a fused quantize needs `scales`";
  if (failed(verifyBlockMultiple(op, ("fused quantize width " + width).str(),
                                 outType.getDimSize(1))))
    return failure();
  return verifyMxOperand(op, "output", output, scales, /*kDim=*/1);
}

LogicalResult verifyUnitLengthCounter(Operation *op, StringRef name,
                                      Value counter) {
  auto type = cast<MemRefType>(counter.getType());
  if (type.getDimSize(0) == 1)
    return success();
  return op->emitOpError() << name << " must be memref<1xi32>, got " << type;
}

int64_t dim(Value v, unsigned i) {
  return cast<MemRefType>(v.getType()).getDimSize(i);
}

/// top_k from a [T, top_k] router tensor: static and at least one.
LogicalResult verifyTopK(Operation *op, Value topkIds, int64_t &topK) {
  topK = dim(topkIds, 1);
  if (!isStatic(topK))
    return op->emitOpError("topk_ids needs a static top_k (dimension 1)");
  if (topK < 1)
    return op->emitOpError() << "top_k is " << topK << ", expected at least 1";
  return success();
}

/// SwiGLU-OAI's clamp, when given, is a finite positive bound.
LogicalResult verifySwigluLimit(Operation *op,
                                std::optional<llvm::APFloat> limit) {
  if (!limit)
    return success();
  float value = limit->convertToFloat();
  if (value > 0.0f && !std::isinf(value))
    return success();
  return op->emitOpError() << "limit is " << value
                           << "; expected a finite positive clamp";
}

} // namespace

//===----------------------------------------------------------------------===//
// QuantizeOp / DequantizeOp
//===----------------------------------------------------------------------===//

LogicalResult QuantizeOp::verify() {
  if (failed(verifyMxOperand(*this, "values", getValues(), getScales(), 1)))
    return failure();
  auto values = getValues().getType();
  return verifyShape(*this, "values", values, getInput().getType().getShape(),
                     "same shape as input");
}

LogicalResult DequantizeOp::verify() {
  if (failed(verifyMxOperand(*this, "values", getValues(), getScales(), 1)))
    return failure();
  return verifyShape(*this, "output", getOutput().getType(),
                     getValues().getType().getShape(), "same shape as values");
}

//===----------------------------------------------------------------------===//
// ScaledMatmulOp
//===----------------------------------------------------------------------===//

int64_t ScaledMatmulOp::getK() {
  return dim(getB(), getBLayout() == BLayout::nk ? 1 : 0);
}
int64_t ScaledMatmulOp::getN() {
  return dim(getB(), getBLayout() == BLayout::nk ? 0 : 1);
}

LogicalResult ScaledMatmulOp::verify() {
  bool kn = getBLayout() == BLayout::kn;
  if (kn && isPackedElementType(getB().getType().getElementType()))
    return emitOpError() << "B of packed type "
                         << getB().getType().getElementType()
                         << " is packed along K and needs b_layout nk ([N, K])";
  if (failed(verifyMxOperand(*this, "A", getA(), getAScales(), 1)) ||
      failed(verifyMxOperand(*this, "B", getB(), getBScales(), kn ? 0 : 1)))
    return failure();
  int64_t m = dim(getA(), 0), k = dim(getA(), 1), n = getN();
  if (!compatible(k, getK()))
    return emitOpError() << "A has K = " << k << " but B has K = " << getK()
                         << "; the reduction dimensions must match";
  // M = 0 is an empty launch; N = 0 or K = 0 is no matmul at all.
  if (k == 0 || getK() == 0)
    return emitOpError() << "K is 0; expected a positive multiple of "
                         << kBlockSize;
  if (n == 0)
    return emitOpError() << "N is 0 (B has no " << (kn ? "columns" : "rows")
                         << "); expected at least 1";
  if (failed(verifyShape(*this, "C", getC().getType(), {m, n},
                         "[M, N] with M from A and N from B")))
    return failure();
  if (getBias())
    return verifyShape(*this, "bias", getBias().getType(), {n}, "[N]");
  return success();
}

//===----------------------------------------------------------------------===//
// SwigluOp / RmsNormOp
//===----------------------------------------------------------------------===//

LogicalResult SwigluOp::verify() {
  int64_t m = dim(getInput(), 0), twoI = dim(getInput(), 1);
  if (isStatic(twoI) && twoI % 2 != 0)
    return emitOpError() << "input has " << twoI
                         << " columns; expected an even count 2I (gate and up)";
  if (failed(verifyShape(*this, "output", getOutput().getType(),
                         {m, ceilDivStatic(twoI, 2)},
                         "[M, I] for an input of [M, 2I]")))
    return failure();
  if (failed(verifySwigluLimit(*this, getLimit())))
    return failure();
  return verifyMaybeQuantizedOutput(*this, getOutput(), getScales(), "I");
}

LogicalResult RmsNormOp::verify() {
  MemRefType input = getInput().getType();
  int64_t h = input.getDimSize(1);
  if (failed(verifyShape(*this, "weight", getWeight().getType(), {h}, "[H]")))
    return failure();
  if (getResidual() &&
      (failed(verifyShape(*this, "residual", getResidual().getType(),
                          input.getShape(), "same shape as input")) ||
       failed(verifyShape(*this, "residual_out", getResidualOut().getType(),
                          input.getShape(), "same shape as input"))))
    return failure();
  if (failed(verifyShape(*this, "output", getOutput().getType(),
                         input.getShape(), "same shape as input")))
    return failure();
  float eps = getEps().convertToFloat();
  if (!(eps >= 0.0f) || std::isinf(eps))
    return emitOpError() << "eps is " << eps
                         << "; expected a finite non-negative value";
  return verifyMaybeQuantizedOutput(*this, getOutput(), getScales(), "H");
}

//===----------------------------------------------------------------------===//
// MoE ops
//===----------------------------------------------------------------------===//

LogicalResult MoeAlignOp::verify() {
  int64_t topK;
  if (failed(verifyTopK(*this, getTopkIds(), topK)) ||
      failed(verifyUnitLengthCounter(*this, "num_tokens_post_padded",
                                     getNumTokensPostPadded())))
    return failure();
  int64_t numExperts = getNumExperts(), blockSize = getBlockSize();
  if (getExpertMap()) {
    int64_t global = dim(getExpertMap(), 0);
    if (isStatic(global) && global < numExperts)
      return emitOpError() << "expert_map has " << global
                           << " entries but num_experts is " << numExperts
                           << "; the map covers every global expert";
  }
  int64_t tokens = dim(getTopkIds(), 0);
  int64_t sortedLen = dim(getSortedTokenIds(), 0);
  if (isStatic(tokens) && isStatic(sortedLen)) {
    // Every term is non-negative; a sum past int64 is reported, not wrapped.
    std::optional<int64_t> pairs = llvm::checkedMul(tokens, topK);
    std::optional<int64_t> padding =
        llvm::checkedMul(numExperts, blockSize - 1);
    std::optional<int64_t> need =
        pairs && padding ? llvm::checkedAdd(*pairs, *padding) : std::nullopt;
    if (need)
      need = llvm::checkedMul(ceilDivStatic(*need, blockSize), blockSize);
    if (!need)
      return emitOpError() << "sorted_token_ids would need T*top_k + "
                              "num_experts*(block_size-1) = "
                           << tokens << "*" << topK << " + " << numExperts
                           << "*" << blockSize - 1
                           << " entries, more than a 64-bit size holds";
    if (sortedLen < *need)
      return emitOpError() << "sorted_token_ids holds " << sortedLen
                           << " entries; expected at least " << *need
                           << " (T*top_k + num_experts*(block_size-1), "
                              "rounded up to block_size)";
  }
  int64_t blocks = dim(getExpertIds(), 0);
  if (isStatic(sortedLen) && isStatic(blocks) && blocks < sortedLen / blockSize)
    return emitOpError() << "expert_ids holds " << blocks
                         << " entries; expected at least "
                         << sortedLen / blockSize
                         << " (one per block of sorted_token_ids)";
  return success();
}

LogicalResult MoeMatmulOp::verify() {
  if (failed(verifyMxOperand(*this, "A", getA(), getAScales(), 1)) ||
      failed(verifyMxOperand(*this, "B", getB(), getBScales(), 2)) ||
      failed(verifyUnitLengthCounter(*this, "num_tokens_post_padded",
                                     getNumTokensPostPadded())))
    return failure();
  int64_t k = dim(getA(), 1), n = dim(getB(), 1), topK = getTopK();
  if (!compatible(k, dim(getB(), 2)))
    return emitOpError() << "A has K = " << k
                         << " but B has K = " << dim(getB(), 2)
                         << "; the reduction dimensions must match";
  int64_t rows = dim(getA(), 0);
  int64_t pairs = kDyn;
  if (isStatic(rows)) {
    std::optional<int64_t> count =
        getGather() == Gather::token ? llvm::checkedMul(rows, topK) : rows;
    if (!count)
      return emitOpError() << "A has " << rows << " tokens x top_k " << topK
                           << " (token, k) pairs, more than a 64-bit size "
                              "holds";
    pairs = *count;
  }
  if (failed(verifyShape(*this, "C", getC().getType(), {pairs, n},
                         "[T*top_k, N], one row per (token, k) pair")))
    return failure();
  if (getWeights()) {
    int64_t t = getGather() == Gather::token ? rows : kDyn;
    if (failed(verifyShape(*this, "weights", getWeights().getType(), {t, topK},
                           "[T, top_k] router weights")))
      return failure();
  }
  return success();
}

LogicalResult MoeReduceOp::verify() {
  MemRefType input = getInput().getType();
  if (isStatic(input.getDimSize(1)) && input.getDimSize(1) < 1)
    return emitOpError("top_k (input dimension 1) must be at least 1");
  return verifyShape(*this, "output", getOutput().getType(),
                     {input.getDimSize(0), input.getDimSize(2)},
                     "[T, H] for an input of [T, top_k, H]");
}

LogicalResult MoeOp::verify() {
  int64_t topK;
  if (failed(verifyTopK(*this, getTopkIds(), topK)))
    return failure();
  int64_t t = dim(getX(), 0), h = dim(getX(), 1);
  if (failed(verifyShape(*this, "topk_ids", getTopkIds().getType(), {t, topK},
                         "[T, top_k]")) ||
      failed(verifyShape(*this, "topk_weights", getTopkWeights().getType(),
                         {t, topK}, "[T, top_k], like topk_ids")))
    return failure();
  if (failed(verifyMxOperand(*this, "w1", getW1(), getW1Scales(), 2)) ||
      failed(verifyMxOperand(*this, "w2", getW2(), getW2Scales(), 2)))
    return failure();
  int64_t e = dim(getW1(), 0), twoI = dim(getW1(), 1);
  if (isStatic(twoI) && twoI % 2 != 0)
    return emitOpError() << "w1 has " << twoI
                         << " rows per expert; expected an even count 2I";
  int64_t i = ceilDivStatic(twoI, 2);
  if (failed(verifyShape(*this, "w1", getW1().getType(), {e, twoI, h},
                         "[E, 2I, H] with H from x")) ||
      failed(verifyShape(*this, "w2", getW2().getType(), {e, h, i},
                         "[E, H, I] with E and I from w1")) ||
      failed(
          verifyBlockMultiple(*this, "I (fused SwiGLU quantize width)", i)) ||
      failed(verifyShape(*this, "output", getOutput().getType(), {t, h},
                         "[T, H]")))
    return failure();
  if (getApplyRouterWeightOnInput() && topK != 1)
    return emitOpError() << "apply_router_weight_on_input needs top_k == 1, "
                            "got top_k = "
                         << topK;
  if (getExpertMap()) {
    int64_t global = dim(getExpertMap(), 0);
    if (isStatic(global) && isStatic(e) && global < e)
      return emitOpError() << "expert_map has " << global
                           << " entries, fewer than the " << e
                           << " local experts of w1";
  }
  return verifySwigluLimit(*this, getLimit());
}

namespace mxc::mx {
// mx.launch_plan's `(name = %buffer, ...)` (MxLaunch.cpp).
ParseResult
parseNamedBuffers(OpAsmParser &parser,
                  SmallVectorImpl<OpAsmParser::UnresolvedOperand> &buffers,
                  ArrayAttr &names);
void printNamedBuffers(OpAsmPrinter &printer, Operation *op,
                       OperandRange buffers, ArrayAttr names);
} // namespace mxc::mx

#define GET_OP_CLASSES
#include "mxc/Dialect/Mx/MxOps.cpp.inc"
