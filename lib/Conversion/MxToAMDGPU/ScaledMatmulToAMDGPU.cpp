//===- ScaledMatmulToAMDGPU.cpp - mx.scaled_matmul to scaled-MFMA kernels -===//
//
// Part of mxc. Each configured mx.scaled_matmul becomes one gpu.func kernel
// per config variant (docs/gemm.md states its ABI) and an mx.launch_plan
// that says, as data, which kernel runs for which M, with what grid and
// arguments (the Driver serializes it into the code object).
//
// The kernel body is GemmKernel.cpp's, built from the tile pieces of
// TileOps.h; this file checks the op, creates the kernel function and the
// launch.
//
//===----------------------------------------------------------------------===//

#include "GemmKernel.h"
#include "RowOpLowerings.h"

#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"
#include "mxc/Transforms/GemmConfig.h"
#include "mxc/Transforms/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Transforms/DialectConversion.h"

#include "llvm/ADT/TypeSwitch.h"

namespace mxc {
#define GEN_PASS_DEF_CONVERTMXTOAMDGPU
#include "mxc/Dialect/Mx/MxPasses.h.inc"
} // namespace mxc

using namespace mlir;
using namespace mxc;
namespace hw = mxc::amdgpu;
using hw::MatrixElement;

namespace {

LogicalResult checkContiguous(Operation *op, Value memref, StringRef role) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.getLayout().isIdentity())
    return success();
  return op->emitOpError() << role << " must be a contiguous row-major memref "
                           << "(identity layout) to be passed to a kernel; "
                           << "got " << type;
}

struct ConvertMxToAMDGPUPass
    : public mxc::impl::ConvertMxToAMDGPUBase<ConvertMxToAMDGPUPass> {
  using ConvertMxToAMDGPUBase::ConvertMxToAMDGPUBase;

  void runOnOperation() override;
};

/// Replaces `op` by one kernel per config variant in `kernels` and its
/// mx.launch_plan through `rewriter`, or reports why not at the op. With a
/// null rewriter, only checks: every check comes before the first change.
LogicalResult lowerScaledMatmul(mx::ScaledMatmulOp op, gpu::GPUModuleOp kernels,
                                const hw::ChipInfo &target,
                                RewriterBase *rewriter) {
  StringRef chip = target.name;
  if (target.matrixPath != hw::MatrixPath::ScaledMfma)
    return op.emitOpError("has no lowering for ")
           << chip << " in this build of mxc (native scaled MFMA needs gfx950)";
  // The configs and the M ranges they serve: one per M bucket
  // (mx-select-config's mx.variants), or the one config for every M.
  struct ConfigVariant {
    int64_t minM, maxM;
    mx::GemmConfigAttr config;
  };
  SmallVector<ConfigVariant> variants;
  if (auto list = op->getAttrOfType<ArrayAttr>(mx::kVariantsAttrName)) {
    for (auto variant : list.getAsRange<mx::GemmVariantAttr>())
      variants.push_back(
          {variant.getMinM(), variant.getMaxM(), variant.getConfig()});
  } else if (op.getConfig()) {
    variants.push_back({0, mx::kMaxInt32Size, *op.getConfig()});
  } else {
    return op.emitOpError("has no config; run mx-select-config first");
  }
  FailureOr<GemmProblem> problem = getGemmProblem(op, 0);
  if (failed(problem))
    return failure();
  Value buffers[] = {op.getA(), op.getAScales(), op.getB(), op.getBScales(),
                     op.getC()};
  StringRef roles[] = {"A", "A scales", "B", "B scales", "C"};
  for (auto [value, role] : llvm::zip(buffers, roles))
    if (failed(checkContiguous(op, value, role)))
      return failure();
  if (op.getBias() && failed(checkContiguous(op, op.getBias(), "bias")))
    return failure();

  MLIRContext *ctx = op.getContext();
  Builder attrs(ctx);
  // The plan names the op's buffers by operand name, in kernel order.
  SmallVector<Value> planBuffers = {op.getA(), op.getAScales(), op.getB(),
                                    op.getBScales()};
  SmallVector<StringRef> names = {"a", "a_scales", "b", "b_scales"};
  if (op.getBias()) {
    planBuffers.push_back(op.getBias());
    names.push_back("bias");
  }
  planBuffers.push_back(op.getC());
  names.push_back("c");
  // The runtime size M: whichever of A's, its scales' and C's rows are
  // dynamic (the op's verifier makes them equal).
  StringAttr mName = attrs.getStringAttr("M");
  SmallVector<mx::BufferExtent> mExtents;
  for (auto [value, name] : llvm::zip(planBuffers, names))
    if ((name == "a" || name == "a_scales" || name == "c") &&
        cast<MemRefType>(value.getType()).isDynamicDim(0))
      mExtents.push_back({attrs.getStringAttr(name), 0});
  int64_t staticM = op.getA().getType().getDimSize(0);
  bool dynamicM = ShapedType::isDynamic(staticM);
  // A dynamic M runs only as far as the buffers stay addressable: the plan
  // refuses a larger M at launch (libmxrt, mxc-run) instead of the kernel
  // reading zeros past 2 GiB.
  if (dynamicM) {
    int64_t maxRows = problem->maxRows();
    while (variants.size() > 1 && variants.back().minM > maxRows)
      variants.pop_back();
    variants.back().maxM = std::min(variants.back().maxM, maxRows);
  }

  std::string baseName = "scaled_matmul";
  if (auto func = op->getParentOfType<FunctionOpInterface>())
    baseName = (func.getName() + "_" + baseName).str();
  auto ptr1 = LLVM::LLVMPointerType::get(ctx, 1);
  SmallVector<Type> argTypes(planBuffers.size(), ptr1);
  argTypes.push_back(IntegerType::get(ctx, 32));
  // Every variant's config, checked before anything is built.
  SmallVector<GemmKernelSpec> specs;
  for (const ConfigVariant &variant : variants) {
    GemmKernelSpec spec{*problem, toGemmConfig(variant.config), nullptr, &target,
                        op.getC().getType().getElementType(),
                        op.getBias() ? op.getBias().getType().getElementType()
                                     : Type()};
    std::string why = checkGemmConfig(spec.problem, spec.config, target);
    if (!why.empty())
      return op.emitOpError("config ")
             << printGemmConfig(spec.config) << " cannot run on " << chip
             << ": " << why;
    spec.mfma = getScaledMfma(spec.config, target.name);
    specs.push_back(spec);
  }
  if (!rewriter)
    return success();

  SmallVector<Attribute> planVariants;
  for (auto [v, variant] : llvm::enumerate(variants)) {
    const GemmKernelSpec &spec = specs[v];
    SmallVector<mx::SizeRange> when;
    if (dynamicM)
      when.push_back({mName, variant.minM, variant.maxM});
    // A static M of 0 leaves nothing to compute: no kernel, no launch.
    if (staticM == 0) {
      planVariants.push_back(mx::LaunchVariantAttr::get(ctx, when, {}));
      continue;
    }

    // The kernel: the largest M range's keeps the plain name, the others
    // say the largest M they serve.
    std::string name = baseName;
    if (v + 1 != variants.size())
      name += "_m" + std::to_string(variant.maxM);
    ImplicitLocOpBuilder b(op.getLoc(), *rewriter);
    b.setInsertionPointToEnd(&kernels.getBodyRegion().front());
    auto func =
        gpu::GPUFuncOp::create(b, name, b.getFunctionType(argTypes, {}));
    func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    int32_t threads = int32_t(spec.config.waves() * target.waveSize);
    func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({threads, 1, 1}));
    func->setAttr(mx::kConfigAttrName, variant.config);
    SymbolTable(kernels).insert(func);
    buildGemmKernel(b, func, spec);

    // Its launch: one workgroup per C tile, grid y following M.
    int64_t gridX = llvm::divideCeil(spec.problem.n, spec.config.tileN);
    mx::GridExtent gridY =
        dynamicM ? mx::GridExtent::ceilDiv(mName, spec.config.tileM)
                 : mx::GridExtent::constant(
                       llvm::divideCeil(staticM, spec.config.tileM));
    SmallVector<mx::KernelArg> args;
    for (StringRef buffer : names)
      args.push_back(mx::KernelArg::buffer(attrs.getStringAttr(buffer)));
    args.push_back(dynamicM ? mx::KernelArg::size(mName, 4)
                            : mx::KernelArg::constant(staticM, 4));
    auto kernel = SymbolRefAttr::get(
        kernels.getNameAttr(), {FlatSymbolRefAttr::get(func.getNameAttr())});
    auto launch = mx::KernelLaunchAttr::get(
        ctx, kernel,
        {mx::GridExtent::constant(gridX), gridY, mx::GridExtent::constant(1)},
        {threads, 1, 1}, /*ldsBytes=*/0, args, variant.config);
    planVariants.push_back(mx::LaunchVariantAttr::get(ctx, when, {launch}));
  }

  SmallVector<Attribute> sizes;
  if (!mExtents.empty())
    sizes.push_back(mx::RuntimeSizeAttr::get(ctx, mName, mExtents));
  rewriter->setInsertionPoint(op);
  mx::LaunchPlanOp::create(*rewriter, op.getLoc(), "scaled_matmul", planBuffers,
                           attrs.getStrArrayAttr(names),
                           attrs.getArrayAttr(sizes),
                           attrs.getArrayAttr(planVariants));
  rewriter->eraseOp(op);
  return success();
}

/// Lowers one mx op through `lower` (which checked it already).
template <typename OpT> struct MxOpToKernels : OpConversionPattern<OpT> {
  using LowerFn = LogicalResult (*)(OpT, gpu::GPUModuleOp, const hw::ChipInfo &,
                                    RewriterBase *);
  MxOpToKernels(MLIRContext *context, LowerFn lower, gpu::GPUModuleOp kernels,
                const hw::ChipInfo &target)
      : OpConversionPattern<OpT>(context), lower(lower), kernels(kernels),
        target(target) {}

  LogicalResult
  matchAndRewrite(OpT op, typename OpConversionPattern<OpT>::OpAdaptor,
                  ConversionPatternRewriter &rewriter) const override {
    return lower(op, kernels, target, &rewriter);
  }

  LowerFn lower;
  gpu::GPUModuleOp kernels;
  const hw::ChipInfo &target;
};

void ConvertMxToAMDGPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  MLIRContext *context = &getContext();
  const hw::ChipInfo *target = hw::lookupChip(chip);
  if (!target) {
    module.emitError("unknown chip '")
        << chip << "'; known: " << hw::listChipNames();
    return signalPassFailure();
  }
  // Every op is checked before any is rewritten, so a bad op is one error at
  // its location and the IR is left as it was; the patterns then cannot fail.
  bool any = false, ok = true;
  module.walk([&](Operation *op) {
    LogicalResult checked =
        TypeSwitch<Operation *, LogicalResult>(op)
            .Case([&](mx::ScaledMatmulOp matmul) {
              any = true;
              return lowerScaledMatmul(matmul, {}, *target, nullptr);
            })
            .Case([&](mx::QuantizeOp quantize) {
              any = true;
              return lowerQuantize(quantize, {}, *target, nullptr);
            })
            .Case([&](mx::DequantizeOp dequantize) {
              any = true;
              return lowerDequantize(dequantize, {}, *target, nullptr);
            })
            .Case([&](mx::SwigluOp swiglu) {
              any = true;
              return lowerSwiglu(swiglu, {}, *target, nullptr);
            })
            .Case([&](mx::RmsNormOp rmsnorm) {
              any = true;
              return lowerRmsNorm(rmsnorm, {}, *target, nullptr);
            })
            .Default(success());
    ok &= succeeded(checked);
  });
  if (!ok)
    return signalPassFailure();
  if (!any)
    return;

  OpBuilder b(module.getBodyRegion());
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  auto kernels = dyn_cast_or_null<gpu::GPUModuleOp>(
      SymbolTable::lookupSymbolIn(module, "mx_kernels"));
  if (!kernels) {
    b.setInsertionPointToEnd(module.getBody());
    kernels = gpu::GPUModuleOp::create(b, module.getLoc(), "mx_kernels");
  }

  ConversionTarget legal(*context);
  legal.addLegalDialect<
      mx::MxDialect, gpu::GPUDialect, mlir::amdgpu::AMDGPUDialect,
      arith::ArithDialect, LLVM::LLVMDialect, ROCDL::ROCDLDialect,
      memref::MemRefDialect, scf::SCFDialect, vector::VectorDialect>();
  legal.addIllegalOp<mx::ScaledMatmulOp, mx::QuantizeOp, mx::DequantizeOp,
                     mx::SwigluOp, mx::RmsNormOp>();
  RewritePatternSet patterns(context);
  patterns.add<MxOpToKernels<mx::ScaledMatmulOp>>(context, &lowerScaledMatmul,
                                                  kernels, *target);
  patterns.add<MxOpToKernels<mx::QuantizeOp>>(context, &lowerQuantize, kernels,
                                              *target);
  patterns.add<MxOpToKernels<mx::DequantizeOp>>(context, &lowerDequantize,
                                                kernels, *target);
  patterns.add<MxOpToKernels<mx::SwigluOp>>(context, &lowerSwiglu, kernels,
                                            *target);
  patterns.add<MxOpToKernels<mx::RmsNormOp>>(context, &lowerRmsNorm, kernels,
                                             *target);
  if (failed(applyPartialConversion(module, legal, std::move(patterns))))
    return signalPassFailure();
}

} // namespace
