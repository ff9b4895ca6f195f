//===- SelectConfig.cpp - Choose kernel configurations --------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Transforms/GemmConfig.h"
#include "mxc/Transforms/Passes.h"

#include "mlir/IR/BuiltinOps.h"

namespace mxc {
#define GEN_PASS_DEF_MXSELECTCONFIG
#include "mxc/Dialect/Mx/MxPasses.h.inc"
} // namespace mxc

using namespace mlir;
using namespace mxc;

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
  int64_t m = op.getA().getType().getDimSize(0);
  problem.m = ShapedType::isDynamic(m) ? tuneM : m;
  problem.bTransposed = op.getBLayout() == mx::BLayout::kn;
  return problem;
}

namespace {
struct MxSelectConfigPass
    : public mxc::impl::MxSelectConfigBase<MxSelectConfigPass> {
  using MxSelectConfigBase::MxSelectConfigBase;

  void runOnOperation() override {
    const amdgpu::ChipInfo *target = amdgpu::lookupChip(chip);
    if (!target) {
      getOperation().emitError("unknown chip '")
          << chip << "'; known: " << amdgpu::listChipNames();
      return signalPassFailure();
    }
    std::optional<GemmConfig> forced;
    if (!config.empty()) {
      std::string error;
      forced = parseGemmConfig(config, error);
      if (!forced) {
        getOperation().emitError("bad config '") << config << "': " << error;
        return signalPassFailure();
      }
    }
    WalkResult result = getOperation().walk([&](mx::ScaledMatmulOp op) {
      FailureOr<GemmProblem> problem = getGemmProblem(op, tuneM);
      if (failed(problem))
        return WalkResult::interrupt();
      std::optional<GemmConfig> chosen = forced;
      if (!chosen && op.getConfig())
        chosen = toGemmConfig(*op.getConfig());
      if (!chosen)
        chosen = selectGemmConfig(*problem, *target);
      if (!chosen) {
        op.emitOpError("has no kernel configuration on ")
            << chip << ": the chip has no scaled matrix instruction";
        return WalkResult::interrupt();
      }
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
