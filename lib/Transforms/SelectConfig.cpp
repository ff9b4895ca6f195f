//===- SelectConfig.cpp - Choose kernel configurations --------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Transforms/GemmConfig.h"
#include "mxc/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MathExtras.h"

#include <limits>

namespace mxc {
#define GEN_PASS_DEF_MXSELECTCONFIG
#include "mxc/Dialect/Mx/MxPasses.h.inc"
} // namespace mxc

using namespace mlir;
using namespace mxc;

/// Bits of one element of an MX or real buffer.
static uint64_t getElementBits(MemRefType type) {
  if (std::optional<mx::FormatInfo> info =
          mx::getFormatInfo(type.getElementType()))
    return info->bits;
  return type.getElementType().getIntOrFloatBitWidth();
}

/// Refuses a buffer the kernel cannot address: over kMaxGemmBufferBytes,
/// counting a dynamic extent (M) as one row. The byte count saturates, so
/// no shape wraps to a small one.
static LogicalResult checkBufferBytes(mx::ScaledMatmulOp op, StringRef name,
                                      Value buffer) {
  auto type = cast<MemRefType>(buffer.getType());
  uint64_t bits = getElementBits(type);
  bool dynamic = false, overflow = false;
  for (int64_t extent : type.getShape()) {
    bool wrapped = false;
    dynamic |= ShapedType::isDynamic(extent);
    if (!ShapedType::isDynamic(extent))
      bits = llvm::SaturatingMultiply(bits, uint64_t(extent), &wrapped);
    overflow |= wrapped;
  }
  uint64_t bytes = bits / 8 + (bits % 8 != 0);
  if (!overflow && bytes <= uint64_t(kMaxGemmBufferBytes))
    return success();
  std::string typeText;
  llvm::raw_string_ostream(typeText) << type;
  InFlightDiagnostic diag = op.emitOpError()
                            << name << " (" << typeText << ") is ";
  if (overflow)
    diag << "more than 2^61 bytes";
  else
    diag << bytes << " bytes";
  if (dynamic)
    diag << " a row";
  return diag << "; a kernel buffer addresses at most " << kMaxGemmBufferBytes
              << " bytes (buffer resources count 31 bits)";
}

FailureOr<GemmProblem> mxc::getGemmProblem(mx::ScaledMatmulOp op,
                                           int64_t tuneM) {
  GemmProblem problem;
  auto a = getMatrixElement(op.getA().getType().getElementType());
  auto b = getMatrixElement(op.getB().getType().getElementType());
  if (!a || !b)
    return op.emitOpError("operands are not MX element types");
  problem.a = *a;
  problem.b = *b;
  problem.n = op.getN();
  problem.k = op.getK();
  if (ShapedType::isDynamic(problem.n) || ShapedType::isDynamic(problem.k))
    return op.emitOpError("needs static N and K to build a kernel (M may be "
                          "dynamic); got N = ")
           << (ShapedType::isDynamic(problem.n) ? std::string("?")
                                                : std::to_string(problem.n))
           << ", K = "
           << (ShapedType::isDynamic(problem.k) ? std::string("?")
                                                : std::to_string(problem.k));
  // Sizes past these bounds wrap the kernel's 32-bit strides and offsets
  // (row bytes, N, K/32 and all below the buffer sizes).
  Value buffers[] = {op.getA(),       op.getAScales(), op.getB(),
                     op.getBScales(), op.getBias(),    op.getC()};
  StringRef names[] = {"A", "A scales", "B", "B scales", "bias", "C"};
  for (auto [buffer, name] : llvm::zip(buffers, names))
    if (buffer && failed(checkBufferBytes(op, name, buffer)))
      return failure();
  int64_t m = op.getA().getType().getDimSize(0);
  problem.m = ShapedType::isDynamic(m) ? tuneM : m;
  problem.bTransposed = op.getBLayout() == mx::BLayout::kn;
  problem.cBytes = getElementBits(op.getC().getType()) / 8;
  return problem;
}

namespace {
struct MxSelectConfigPass
    : public mxc::impl::MxSelectConfigBase<MxSelectConfigPass> {
  using MxSelectConfigBase::MxSelectConfigBase;

  /// The m-buckets option: ascending bounds from 1 to 2^31 - 2, or none.
  template <typename ErrorFn>
  FailureOr<SmallVector<int64_t>> parseBuckets(ErrorFn optionError) {
    SmallVector<int64_t> bounds;
    StringRef text = StringRef(mBuckets).trim();
    if (text == "none")
      return bounds;
    SmallVector<StringRef> items;
    text.split(items, ',');
    for (StringRef item : items) {
      int64_t bound;
      item = item.trim();
      if (item.empty() || !llvm::all_of(item, llvm::isDigit) ||
          item.getAsInteger(10, bound) || bound < 1 ||
          bound >= mx::kMaxInt32Size) {
        optionError() << "m-buckets '" << mBuckets << "': '" << item
                      << "' is not an M from 1 to " << mx::kMaxInt32Size - 1
                      << " (or give 'none')";
        return failure();
      }
      if (!bounds.empty() && bound <= bounds.back()) {
        optionError() << "m-buckets '" << mBuckets << "': bounds must ascend; "
                      << bound << " follows " << bounds.back();
        return failure();
      }
      bounds.push_back(bound);
    }
    return bounds;
  }

  void runOnOperation() override {
    // A bad option is the option's error, not the module's: no location
    // and no dump of the module under it.
    auto optionError = [&] {
      return mlir::emitError(UnknownLoc::get(&getContext()),
                             "mx-select-config: ");
    };
    const amdgpu::ChipInfo *target = amdgpu::lookupChip(chip);
    if (!target) {
      optionError() << "unknown chip '" << chip
                    << "'; known: " << amdgpu::listChipNames();
      return signalPassFailure();
    }
    // M is a 32-bit kernel argument.
    int64_t tuneFor = tuneM;
    if (tuneFor < 1 || tuneFor > std::numeric_limits<int32_t>::max()) {
      optionError() << "tune-m is " << tuneFor << "; expected an M from 1 to "
                    << std::numeric_limits<int32_t>::max();
      return signalPassFailure();
    }
    std::optional<GemmConfig> forced;
    if (!config.empty()) {
      std::string error;
      mx::GemmConfigAttr attr = parseGemmConfig(&getContext(), config, error);
      if (!attr) {
        optionError() << "bad config '" << config << "': " << error;
        return signalPassFailure();
      }
      forced = toGemmConfig(attr);
    }
    FailureOr<SmallVector<int64_t>> bounds = parseBuckets(optionError);
    if (failed(bounds))
      return signalPassFailure();
    // The bucket bounds that lie below the M the last bucket is tuned for.
    SmallVector<int64_t> below(llvm::make_filter_range(
        *bounds, [&](int64_t b) { return b < tuneFor; }));
    // The cost model's config for `problem`, or an error at `op`.
    auto choose = [&](mx::ScaledMatmulOp op,
                      const GemmProblem &problem) -> std::optional<GemmConfig> {
      std::optional<GemmConfig> chosen = selectGemmConfig(problem, *target);
      if (chosen)
        return chosen;
      if (llvm::none_of(amdgpu::getMatrixIntrinsics(),
                        [&](const amdgpu::MatrixIntrinsic &mi) {
                          return mi.scaled && mi.isOnChip(target->name);
                        })) {
        op.emitOpError("has no kernel configuration on ")
            << chip << ": the chip has no scaled matrix instruction";
        return std::nullopt;
      }
      // The smallest workgroup tile: if it cannot run, none can.
      GemmConfig smallest;
      smallest.instruction =
          amdgpu::MatrixInstruction::MfmaScaleF32_16x16x128_F8F6F4;
      smallest.tileM = smallest.tileN = 16;
      smallest.tileK = 128;
      smallest.wavesM = smallest.wavesN = 1;
      smallest.prefetch = 0;
      op.emitOpError("has no kernel configuration on ")
          << chip << "; even " << printGemmConfig(smallest)
          << " cannot run: " << checkGemmConfig(problem, smallest, *target);
      return std::nullopt;
    };
    WalkResult result = getOperation().walk([&](mx::ScaledMatmulOp op) {
      FailureOr<GemmProblem> problem = getGemmProblem(op, tuneM);
      if (failed(problem))
        return WalkResult::interrupt();
      // Configs by M bucket were chosen before: keep them.
      if (!forced && op->hasAttr(mx::kVariantsAttrName))
        return WalkResult::advance();
      std::optional<GemmConfig> chosen = forced;
      if (!chosen && op.getConfig())
        chosen = toGemmConfig(*op.getConfig());
      bool dynamicM = op.getA().getType().isDynamicDim(0);
      if (!chosen && dynamicM && !below.empty()) {
        // One config per M bucket, each for the bucket's largest M.
        SmallVector<Attribute> variants;
        int64_t minM = 0;
        for (unsigned i = 0; i <= below.size(); ++i) {
          bool last = i == below.size();
          int64_t maxM = last ? mx::kMaxInt32Size : below[i];
          GemmProblem bucket = *problem;
          bucket.m = last ? tuneFor : maxM;
          std::optional<GemmConfig> config = choose(op, bucket);
          if (!config)
            return WalkResult::interrupt();
          mx::GemmConfigAttr attr = toAttr(op.getContext(), *config);
          auto previous = variants.empty()
                              ? mx::GemmVariantAttr()
                              : cast<mx::GemmVariantAttr>(variants.back());
          // A bucket with the config of the one before widens that one.
          if (previous && previous.getConfig() == attr)
            variants.back() = mx::GemmVariantAttr::get(
                op.getContext(), previous.getMinM(), maxM, attr);
          else
            variants.push_back(
                mx::GemmVariantAttr::get(op.getContext(), minM, maxM, attr));
          minM = maxM + 1;
        }
        if (variants.size() > 1) {
          op->setAttr(mx::kVariantsAttrName,
                      ArrayAttr::get(op.getContext(), variants));
          return WalkResult::advance();
        }
        chosen =
            toGemmConfig(cast<mx::GemmVariantAttr>(variants[0]).getConfig());
      }
      if (!chosen)
        chosen = choose(op, *problem);
      if (!chosen)
        return WalkResult::interrupt();
      std::string why = checkGemmConfig(*problem, *chosen, *target);
      if (!why.empty()) {
        op.emitOpError("config ") << printGemmConfig(*chosen)
                                  << " cannot run on " << chip << ": " << why;
        return WalkResult::interrupt();
      }
      op.setConfigAttr(toAttr(op.getContext(), *chosen));
      return WalkResult::advance();
    });
    if (result.wasInterrupted())
      signalPassFailure();
  }
};
} // namespace
