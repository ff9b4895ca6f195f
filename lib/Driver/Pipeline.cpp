//===- Pipeline.cpp - mxc compilation pipelines ---------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/Pipeline.h"
#include "LaunchPlanBuilder.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxDialect.h"
#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Target/AMDGPU/CodeObject.h"
#include "mxc/Target/AMDGPU/CodeObjectReader.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"
#include "mxc/Transforms/GemmConfig.h"
#include "mxc/Transforms/Passes.h"

#include "mlir/Conversion/AMDGPUToROCDL/AMDGPUToROCDL.h"
#include "mlir/Conversion/GPUToROCDL/GPUToROCDLPass.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/Matchers.h"
#include "mlir/InitAllExtensions.h"
#include "mlir/Pass/Pass.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/GPU/GPUToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/ROCDL/ROCDLToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/TargetParser.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::driver;

void mxc::driver::registerDialects(DialectRegistry &registry) {
  registry
      .insert<mx::MxDialect, mlir::amdgpu::AMDGPUDialect, arith::ArithDialect,
              cf::ControlFlowDialect, func::FuncDialect, gpu::GPUDialect,
              LLVM::LLVMDialect, ROCDL::ROCDLDialect, math::MathDialect,
              memref::MemRefDialect, scf::SCFDialect, vector::VectorDialect>();
  // The ConvertToLLVM interfaces the GPU-to-ROCDL conversion relies on.
  registerAllExtensions(registry);
  registerBuiltinDialectTranslation(registry);
  registerGPUDialectTranslation(registry);
  registerLLVMDialectTranslation(registry);
  registerROCDLDialectTranslation(registry);
}

void mxc::driver::registerPasses() { mxc::registerMxPasses(); }

void mxc::driver::buildLowerMxPipeline(OpPassManager &pm,
                                       const CompileOptions &options) {
  MxSelectConfigOptions select;
  select.chip = options.chip->name.str();
  select.tuneM = options.tuneM;
  select.config = options.config;
  select.mBuckets = options.mBuckets;
  pm.addPass(createMxSelectConfig(select));
  ConvertMxToAMDGPUOptions lower;
  lower.chip = options.chip->name.str();
  pm.addPass(createConvertMxToAMDGPU(lower));
}

void mxc::driver::buildLowerToLLVMPipeline(OpPassManager &pm,
                                           const CompileOptions &options) {
  std::string chipset = options.chip->name.str();
  OpPassManager &kernels = pm.nest<gpu::GPUModuleOp>();
  kernels.addPass(createSCFToControlFlowPass());
  kernels.addPass(createConvertAMDGPUToROCDLPass({chipset}));
  ConvertGpuOpsToROCDLOpsOptions gpuToRocdl;
  gpuToRocdl.chipset = chipset;
  gpuToRocdl.runtime = gpu::amd::Runtime::HIP;
  gpuToRocdl.useBarePtrCallConv = options.barePtrMemrefs;
  kernels.addPass(createConvertGpuOpsToROCDLOps(gpuToRocdl));
  kernels.addPass(createReconcileUnrealizedCastsPass());
}

/// Reports `symbol`, which the LLVM module uses and nothing defines, at the first op
/// of `kernels` that refers to it, naming the function that holds that op.
static void reportUndefinedSymbol(gpu::GPUModuleOp kernels,
                                  const mxc::amdgpu::UndefinedSymbol &symbol,
                                  StringRef why) {
  // The GPU lowering calls an external func.func F through a wrapper F that
  // calls `_mlir_ciface_F`: name F, at its callers.
  StringRef name = symbol.name;
  std::string viaWrapper;
  if (name.consume_front("_mlir_ciface_") &&
      SymbolTable::lookupSymbolIn(kernels, name))
    viaWrapper = " (called through its C interface '" + symbol.name + "')";
  else
    name = symbol.name;
  Operation *user = nullptr;
  kernels.walk([&](Operation *op) {
    StringRef uses;
    if (auto call = dyn_cast<LLVM::CallOp>(op))
      uses = call.getCallee().value_or("");
    else if (auto address = dyn_cast<LLVM::AddressOfOp>(op))
      uses = address.getGlobalName();
    // The ROCDL ops that the LLVM IR translation turns into ockl calls.
    else if (isa<ROCDL::BlockDimXOp, ROCDL::BlockDimYOp, ROCDL::BlockDimZOp>(
                 op))
      uses = "__ockl_get_local_size";
    else if (isa<ROCDL::GridDimXOp, ROCDL::GridDimYOp, ROCDL::GridDimZOp>(op))
      uses = "__ockl_get_num_groups";
    if (uses != name)
      return WalkResult::advance();
    user = op;
    return WalkResult::interrupt();
  });
  // A symbol only a device-library function uses has no op of its own: name
  // that function.
  std::string function;
  if (auto func = user ? user->getParentOfType<LLVM::LLVMFuncOp>() : nullptr)
    function = (func->hasAttr(ROCDL::ROCDLDialect::getKernelFuncAttrName())
                    ? "kernel '"
                    : "function '") +
               func.getName().str() + "'";
  else if (symbol.user)
    function = "function '" + symbol.user->getName().str() + "'";
  InFlightDiagnostic diag = emitError(user ? user->getLoc() : kernels.getLoc());
  if (!function.empty())
    diag << function << " uses ";
  diag << "undefined symbol '" << name << "'" << viaWrapper << why;
}

/// Links what `llvmModule` needs of the ROCm device libraries and checks that
/// nothing it uses is left undefined, so that ld.lld never has to say so.
static LogicalResult linkDeviceLibraries(gpu::GPUModuleOp kernels,
                                         llvm::Module &llvmModule,
                                         const CompileOptions &options) {
  std::vector<mxc::amdgpu::UndefinedSymbol> undefined =
      mxc::amdgpu::getUndefinedSymbols(llvmModule);
  auto fromLibraries =
      llvm::find_if(undefined, [](const mxc::amdgpu::UndefinedSymbol &symbol) {
        return mxc::amdgpu::isDeviceLibrarySymbol(symbol.name);
      });
  // Modules that call nothing external (every GEMM) skip all of this.
  if (fromLibraries != undefined.end()) {
    StringRef dir = options.deviceLibsPath.empty()
                        ? mxc::amdgpu::getDefaultDeviceLibsPath()
                        : StringRef(options.deviceLibsPath);
    if (!mxc::amdgpu::hasDeviceLibraries(dir)) {
      std::string why =
          dir.empty() ? std::string(", a ROCm device-library function, and "
                                    "mxc was built without the device "
                                    "libraries")
                      : ", a ROCm device-library function, and there are no "
                        "device libraries (ocml.bc, ockl.bc) in '" +
                            dir.str() + "'";
      reportUndefinedSymbol(kernels, *fromLibraries,
                            why + " (install rocm-device-libs or pass "
                                  "--device-libs DIR)");
      return failure();
    }
    if (llvm::Error error =
            mxc::amdgpu::linkDeviceLibraries(llvmModule, *options.chip, dir))
      return emitError(kernels.getLoc()) << llvm::toString(std::move(error));
    undefined = mxc::amdgpu::getUndefinedSymbols(llvmModule);
  }
  for (const mxc::amdgpu::UndefinedSymbol &symbol : undefined)
    reportUndefinedSymbol(kernels, symbol,
                          ", which neither the module nor the ROCm device "
                          "libraries define");
  return success(undefined.empty());
}

/// The one gpu.module the program's kernels live in.
static FailureOr<gpu::GPUModuleOp> getKernelModule(ModuleOp module) {
  auto kernels = llvm::to_vector(module.getOps<gpu::GPUModuleOp>());
  if (kernels.size() == 1)
    return kernels.front();
  if (kernels.empty())
    return module.emitError("no gpu.module to compile: the input holds no "
                            "kernels");
  InFlightDiagnostic diag =
      module.emitError() << "expected one gpu.module, found " << kernels.size();
  diag.attachNote(kernels[1].getLoc()) << "second gpu.module here";
  return diag;
}

/// Refuses loads from memory into LDS of a size `chip` lacks (dwordx3/x4 are
/// gfx950's, RDNA has none, no chip has 8 bytes), which the AMDGPU backend
/// would abort on.
static LogicalResult checkLoadsToLds(gpu::GPUModuleOp kernels,
                                     const mxc::amdgpu::ChipInfo &chip) {
  WalkResult result = kernels.walk([&](Operation *op) {
    std::optional<uint64_t> size;
    if (auto load = dyn_cast<ROCDL::RawPtrBufferLoadLdsOp>(op)) {
      APInt value;
      if (matchPattern(load.getSize(), m_ConstantInt(&value)))
        size = value.getZExtValue();
    } else if (auto load = dyn_cast<ROCDL::GlobalLoadLDSOp>(op)) {
      size = load.getSize();
    } else if (auto load = dyn_cast<ROCDL::LoadToLDSOp>(op)) {
      size = load.getSize();
    }
    if (!size)
      return WalkResult::advance();
    bool exists = *size == 1 || *size == 2 || *size == 4 || *size == 12 ||
                  *size == 16;
    if (exists && *size <= chip.maxLoadToLdsBytes)
      return WalkResult::advance();
    InFlightDiagnostic diag = op->emitOpError()
                              << "loads " << *size << " bytes a lane into LDS; ";
    if (!exists)
      diag << "the sizes are 1, 2, 4, 12 and 16";
    else if (chip.maxLoadToLdsBytes)
      diag << chip.name << " loads at most " << chip.maxLoadToLdsBytes
           << " bytes a lane";
    else
      diag << chip.name << " has no loads into LDS";
    return WalkResult::interrupt();
  });
  return failure(result.wasInterrupted());
}

/// The most lanes an AMDGPU workgroup has.
constexpr int64_t kMaxWorkgroupLanes = 1024;

/// Refuses a kernel whose known_block_size no AMDGPU workgroup has (the
/// backend would write a code object that no loader accepts).
static LogicalResult checkBlockSizes(gpu::GPUModuleOp kernels) {
  WalkResult result = kernels.walk([&](gpu::GPUFuncOp func) {
    std::optional<ArrayRef<int32_t>> block = func.getKnownBlockSize();
    if (!block)
      return WalkResult::advance();
    int64_t lanes = 1;
    for (int32_t dim : *block) {
      if (dim < 1) {
        func.emitOpError() << "known_block_size has a dimension of " << dim
                           << "; each must be at least 1";
        return WalkResult::interrupt();
      }
      lanes *= dim;
      if (lanes > kMaxWorkgroupLanes) {
        func.emitOpError() << "known_block_size has more than "
                           << kMaxWorkgroupLanes
                           << " lanes, the most an AMDGPU workgroup has";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// Whether the AMDGPU backend compiles accesses through pointers of address
/// space `space`: flat (0), global (1), LDS (3), constant (4), private (5),
/// 32-bit constant (6), and the buffer fat pointers and resources (7, 8)
/// that mxc's own lowering uses. Others (region 2, strided buffers 9, any
/// unassigned number) make instruction selection abort.
static bool isSupportedAddressSpace(unsigned space) {
  return space <= 8 && space != 2;
}

/// Refuses, in the gpu.module lowered to the LLVM dialect, pointers the
/// backend cannot address and rocdl matrix ops `chip` lacks, at the op (whose
/// location is the user's). The backend would abort on either.
static LogicalResult checkForChip(gpu::GPUModuleOp kernels,
                                  const mxc::amdgpu::ChipInfo &chip) {
  auto badPointer = [](Type type) -> std::optional<unsigned> {
    if (auto ptr = dyn_cast<LLVM::LLVMPointerType>(type))
      if (!isSupportedAddressSpace(ptr.getAddressSpace()))
        return ptr.getAddressSpace();
    return std::nullopt;
  };
  auto reportPointer = [&](Operation *op, unsigned space) {
    op->emitOpError() << "uses memory in address space " << space
                      << ", which AMDGPU kernels cannot address (they "
                         "address 0 flat, 1 global, 3 LDS, 4 constant and 5 "
                         "private memory)";
  };
  WalkResult result = kernels.walk([&](Operation *op) {
    if (auto func = dyn_cast<LLVM::LLVMFuncOp>(op)) {
      for (Type type : func.getFunctionType().getParams())
        if (std::optional<unsigned> space = badPointer(type)) {
          reportPointer(op, *space);
          return WalkResult::interrupt();
        }
    }
    if (auto global = dyn_cast<LLVM::GlobalOp>(op))
      if (!isSupportedAddressSpace(global.getAddrSpace())) {
        reportPointer(op, global.getAddrSpace());
        return WalkResult::interrupt();
      }
    for (TypeRange types :
         {TypeRange(op->getOperandTypes()), TypeRange(op->getResultTypes())})
      for (Type type : types)
        if (std::optional<unsigned> space = badPointer(type)) {
          reportPointer(op, *space);
          return WalkResult::interrupt();
        }
    StringRef name = op->getName().getStringRef();
    if (name.consume_front("rocdl.")) {
      std::string intrinsic = ("llvm.amdgcn." + name).str();
      if (mxc::amdgpu::isMatrixIntrinsic(intrinsic) &&
          !mxc::amdgpu::lookupMatrixIntrinsic(intrinsic, chip.name)) {
        op->emitOpError() << "is an instruction " << chip.name
                          << " does not have";
        return WalkResult::interrupt();
      }
      // CDNA4's scaled conversions (v_cvt_scalef32_*). For other gfx9
      // chips the backend encodes them, and the check of the emitted
      // instructions refuses them; GFX10 and later have no encoding for
      // them, and the backend crashes (in branch relaxation) before
      // encoding anything.
      if (name.starts_with("cvt.scalef32.") &&
          llvm::AMDGPU::getIsaVersion(chip.name).Major >= 10) {
        op->emitOpError() << "is an instruction " << chip.name
                          << " does not have (a CDNA4 scaled conversion)";
        return WalkResult::interrupt();
      }
    }
    return WalkResult::advance();
  });
  return failure(result.wasInterrupted());
}

/// Refuses a kernel whose LDS variables take more than `chip` has per
/// workgroup (the code object would report a wrapped size).
static LogicalResult checkLdsSizes(gpu::GPUModuleOp kernels,
                                   const llvm::Module &module,
                                   const mxc::amdgpu::ChipInfo &chip) {
  const llvm::DataLayout &layout = module.getDataLayout();
  for (const llvm::Function &function : module) {
    if (function.getCallingConv() != llvm::CallingConv::AMDGPU_KERNEL)
      continue;
    // The LDS variables the kernel's own instructions use (mxc inlines
    // everything into its kernels).
    uint64_t bytes = 0;
    for (const llvm::GlobalVariable &global : module.globals()) {
      if (global.getAddressSpace() != 3)
        continue;
      SmallVector<const llvm::User *> users(global.users());
      bool usedHere = false;
      while (!users.empty() && !usedHere) {
        const llvm::User *user = users.pop_back_val();
        if (auto *inst = dyn_cast<llvm::Instruction>(user))
          usedHere = inst->getFunction() == &function;
        else if (isa<llvm::ConstantExpr>(user))
          users.append(user->user_begin(), user->user_end());
      }
      if (usedHere)
        bytes += layout.getTypeAllocSize(global.getValueType());
    }
    if (bytes > chip.ldsBytesPerWorkgroup)
      return emitError(kernels.getLoc())
             << "kernel '" << function.getName() << "' has " << bytes
             << " bytes of LDS variables; " << chip.name << " has "
             << chip.ldsBytesPerWorkgroup << " bytes of LDS per workgroup";
  }
  return success();
}

FailureOr<std::string> mxc::driver::compile(ModuleOp module,
                                            const CompileOptions &options,
                                            amdgpu::LaunchPlan *planOut) {
  MLIRContext *ctx = module.getContext();
  PassManager mxPm(ctx);
  buildLowerMxPipeline(mxPm, options);
  if (failed(mxPm.run(module)))
    return failure();
  FailureOr<amdgpu::LaunchPlan> plan = buildLaunchPlan(module);
  if (failed(plan))
    return failure();
  if (planOut)
    *planOut = *plan;
  // Ops the lowering passes above do not handle yet (mx.launch_plan is what
  // they leave: host-side data, serialized above).
  WalkResult mxOps = module.walk([](Operation *op) {
    if (!isa<mx::MxDialect>(op->getDialect()) || isa<mx::LaunchPlanOp>(op))
      return WalkResult::advance();
    op->emitOpError("has no lowering to kernels in this build of mxc");
    return WalkResult::interrupt();
  });
  if (mxOps.wasInterrupted())
    return failure();

  for (auto kernels : module.getOps<gpu::GPUModuleOp>())
    if (failed(checkBlockSizes(kernels)))
      return failure();

  PassManager pm(ctx);
  buildLowerToLLVMPipeline(pm, options);
  if (failed(pm.run(module)))
    return failure();

  std::string out;
  llvm::raw_string_ostream os(out);
  if (options.emit == EmitKind::Mlir) {
    module.print(os);
    return out;
  }

  FailureOr<gpu::GPUModuleOp> kernels = getKernelModule(module);
  if (failed(kernels) || failed(checkLoadsToLds(*kernels, *options.chip)) ||
      failed(checkForChip(*kernels, *options.chip)))
    return failure();
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(*kernels, llvmContext, kernels->getName());
  if (!llvmModule)
    return failure();

  auto tm = amdgpu::createTargetMachine(*options.chip, options.optLevel);
  if (!tm)
    return emitError(kernels->getLoc()) << llvm::toString(tm.takeError());
  amdgpu::setModuleTarget(*llvmModule, **tm);
  if (failed(checkLdsSizes(*kernels, *llvmModule, *options.chip)))
    return failure();
  if (failed(linkDeviceLibraries(*kernels, *llvmModule, options)))
    return failure();
  amdgpu::optimizeModule(*llvmModule, **tm, options.optLevel);

  if (options.emit == EmitKind::Llvm) {
    llvmModule->print(os, nullptr);
    return out;
  }
  if (options.emit == EmitKind::Asm) {
    auto asmText = amdgpu::emitMachineCode(*llvmModule, **tm,
                                           llvm::CodeGenFileType::AssemblyFile);
    if (!asmText)
      return emitError(kernels->getLoc())
             << llvm::toString(asmText.takeError());
    return std::string(asmText->str());
  }

  if (options.embedBitcode)
    amdgpu::embedBitcode(*llvmModule);
  if (!plan->programs.empty())
    amdgpu::embedLaunchPlan(*llvmModule, *plan);
  auto object = amdgpu::emitMachineCode(*llvmModule, **tm,
                                        llvm::CodeGenFileType::ObjectFile);
  if (!object)
    return emitError(kernels->getLoc()) << llvm::toString(object.takeError());
  if (options.emit == EmitKind::Object)
    return std::string(object->str());
  StringRef ldLld = options.ldLldPath.empty() ? amdgpu::getDefaultLdLldPath()
                                              : StringRef(options.ldLldPath);
  auto hsaco = amdgpu::linkCodeObject(*object, ldLld);
  if (!hsaco)
    return emitError(kernels->getLoc()) << llvm::toString(hsaco.takeError());
  // What mxc writes, its own loader must take.
  auto written = amdgpu::readCodeObject(
      llvm::MemoryBufferRef(*hsaco, "the linked code object"));
  if (!written)
    return emitError(kernels->getLoc())
           << "the linker ('" << ldLld << "') wrote a code object mxc cannot "
           << "load: " << llvm::toString(written.takeError());
  return std::move(*hsaco);
}
