//===- ScaledMatmulToAMDGPU.cpp - mx.scaled_matmul to scaled-MFMA kernels -===//
//
// Part of mxc. Each configured mx.scaled_matmul becomes one gpu.func kernel
// (docs/gemm.md states its ABI) and a gpu.launch_func whose grid follows the
// runtime M.
//
// The kernel body is GemmKernel.cpp's, built from the tile pieces of
// TileOps.h; this file checks the op, creates the kernel function and the
// launch.
//
//===----------------------------------------------------------------------===//

#include "GemmKernel.h"

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

namespace mxc {
#define GEN_PASS_DEF_CONVERTMXTOAMDGPU
#include "mxc/Dialect/Mx/MxPasses.h.inc"
} // namespace mxc

using namespace mlir;
using namespace mxc;
namespace hw = mxc::amdgpu;
using hw::MatrixElement;

namespace {

/// Extracts a buffer's aligned base pointer as a global pointer.
Value getBasePointer(ImplicitLocOpBuilder &b, Value memref) {
  Value index = memref::ExtractAlignedPointerAsIndexOp::create(b, memref);
  Value i64 = arith::IndexCastUIOp::create(b, b.getI64Type(), index);
  return LLVM::IntToPtrOp::create(
      b, LLVM::LLVMPointerType::get(b.getContext(), 1), i64);
}

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
  LogicalResult lower(mx::ScaledMatmulOp op, gpu::GPUModuleOp kernels,
                      const hw::ChipInfo &target);
};

LogicalResult ConvertMxToAMDGPUPass::lower(mx::ScaledMatmulOp op,
                                           gpu::GPUModuleOp kernels,
                                           const hw::ChipInfo &target) {
  if (!op.getConfig())
    return op.emitOpError("has no config; run mx-select-config first");
  FailureOr<GemmProblem> problem = getGemmProblem(op, 0);
  if (failed(problem))
    return failure();
  GemmKernelSpec spec{*problem, toGemmConfig(*op.getConfig()), nullptr,
                      op.getC().getType().getElementType(),
                      op.getBias() ? op.getBias().getType().getElementType()
                                   : Type()};
  std::string why = checkGemmConfig(spec.problem, spec.config, target);
  if (!why.empty())
    return op.emitOpError("config ")
           << printGemmConfig(spec.config) << " cannot run on " << chip << ": "
           << why;
  spec.mfma = getScaledMfma(spec.config.mfmaM, target.name);
  Value buffers[] = {op.getA(), op.getAScales(), op.getB(), op.getBScales(),
                     op.getC()};
  StringRef roles[] = {"A", "A scales", "B", "B scales", "C"};
  for (auto [value, role] : llvm::zip(buffers, roles))
    if (failed(checkContiguous(op, value, role)))
      return failure();
  if (op.getBias() && failed(checkContiguous(op, op.getBias(), "bias")))
    return failure();

  // The kernel.
  MLIRContext *ctx = op.getContext();
  auto ptr1 = LLVM::LLVMPointerType::get(ctx, 1);
  SmallVector<Type> argTypes(4, ptr1);
  if (spec.biasType)
    argTypes.push_back(ptr1);
  argTypes.push_back(ptr1);
  argTypes.push_back(IntegerType::get(ctx, 32));
  std::string name = "scaled_matmul";
  if (auto func = op->getParentOfType<FunctionOpInterface>())
    name = (func.getName() + "_" + name).str();
  ImplicitLocOpBuilder b(op.getLoc(), ctx);
  b.setInsertionPointToEnd(&kernels.getBodyRegion().front());
  auto func = gpu::GPUFuncOp::create(b, name, b.getFunctionType(argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  int32_t threads = int32_t(spec.config.waves() * target.waveSize);
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({threads, 1, 1}));
  func->setAttr("mx.config", *op.getConfig());
  SymbolTable(kernels).insert(func);
  buildGemmKernel(b, func, spec);

  // The launch: one workgroup per C tile, grid y following the runtime M.
  b.setInsertionPoint(op);
  SmallVector<Value> operands;
  for (Value memref : {op.getA(), op.getAScales(), op.getB(), op.getBScales()})
    operands.push_back(getBasePointer(b, memref));
  if (op.getBias())
    operands.push_back(getBasePointer(b, op.getBias()));
  operands.push_back(getBasePointer(b, op.getC()));
  Value mIndex = memref::DimOp::create(b, op.getA(), 0);
  operands.push_back(arith::IndexCastUIOp::create(b, b.getI32Type(), mIndex));
  auto index = [&](int64_t v) { return arith::ConstantIndexOp::create(b, v); };
  Value gridY = arith::CeilDivUIOp::create(b, mIndex, index(spec.config.tileM));
  int64_t gridX = (spec.problem.n + spec.config.tileN - 1) / spec.config.tileN;
  gpu::LaunchFuncOp::create(b, func,
                            gpu::KernelDim3{index(gridX), gridY, index(1)},
                            gpu::KernelDim3{index(threads), index(1), index(1)},
                            /*dynamicSharedMemorySize=*/Value(), operands);
  op.erase();
  return success();
}

void ConvertMxToAMDGPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  const hw::ChipInfo *target = hw::lookupChip(chip);
  if (!target) {
    module.emitError("unknown chip '")
        << chip << "'; known: " << hw::listChipNames();
    return signalPassFailure();
  }
  SmallVector<mx::ScaledMatmulOp> matmuls;
  module.walk([&](mx::ScaledMatmulOp op) { matmuls.push_back(op); });
  if (matmuls.empty())
    return;
  if (target->matrixPath != hw::MatrixPath::ScaledMfma) {
    matmuls.front().emitOpError("has no lowering for ")
        << chip << " in this build of mxc (native scaled MFMA needs gfx950)";
    return signalPassFailure();
  }
  OpBuilder b(module.getBodyRegion());
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  auto kernels = dyn_cast_or_null<gpu::GPUModuleOp>(
      SymbolTable::lookupSymbolIn(module, "mx_kernels"));
  if (!kernels) {
    b.setInsertionPointToEnd(module.getBody());
    kernels = gpu::GPUModuleOp::create(b, module.getLoc(), "mx_kernels");
  }
  for (mx::ScaledMatmulOp op : matmuls)
    if (failed(lower(op, kernels, *target)))
      return signalPassFailure();
}

} // namespace
