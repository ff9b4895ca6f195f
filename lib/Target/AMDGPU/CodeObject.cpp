//===- CodeObject.cpp - LLVM IR to AMDGPU HSACO ---------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObject.h"

#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

using namespace llvm;
using namespace mxc::amdgpu;

static constexpr StringLiteral kTriple = "amdgcn-amd-amdhsa";

StringRef mxc::amdgpu::getDefaultLdLldPath() { return MXC_LD_LLD_PATH; }

static void initializeAMDGPUBackend() {
  static bool done = [] {
    LLVMInitializeAMDGPUTargetInfo();
    LLVMInitializeAMDGPUTarget();
    LLVMInitializeAMDGPUTargetMC();
    LLVMInitializeAMDGPUAsmPrinter();
    LLVMInitializeAMDGPUAsmParser();
    return true;
  }();
  (void)done;
}

static CodeGenOptLevel toCodeGenOptLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return CodeGenOptLevel::None;
  case 1:
    return CodeGenOptLevel::Less;
  case 2:
    return CodeGenOptLevel::Default;
  default:
    return CodeGenOptLevel::Aggressive;
  }
}

Expected<std::unique_ptr<TargetMachine>>
mxc::amdgpu::createTargetMachine(const ChipInfo &chip, unsigned optLevel) {
  initializeAMDGPUBackend();
  Triple triple(kTriple);
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "AMDGPU backend unavailable: " + error);
  TargetOptions options;
  std::unique_ptr<TargetMachine> tm(target->createTargetMachine(
      triple, chip.name, /*Features=*/"", options, Reloc::PIC_, std::nullopt,
      toCodeGenOptLevel(optLevel)));
  if (!tm)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create a target machine for " +
                                 chip.name.str());
  return tm;
}

void mxc::amdgpu::optimizeModule(Module &module, TargetMachine &tm,
                                 unsigned optLevel) {
  module.setTargetTriple(tm.getTargetTriple());
  module.setDataLayout(tm.createDataLayout());

  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);

  OptimizationLevel level = OptimizationLevel::O0;
  switch (optLevel) {
  case 0:
    break;
  case 1:
    level = OptimizationLevel::O1;
    break;
  case 2:
    level = OptimizationLevel::O2;
    break;
  default:
    level = OptimizationLevel::O3;
    break;
  }
  ModulePassManager mpm = level == OptimizationLevel::O0
                              ? pb.buildO0DefaultPipeline(level)
                              : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

void mxc::amdgpu::embedBitcode(Module &module) {
  // The bitcode is of the module before the section is added: the IR that
  // codegen sees, minus the section itself.
  SmallString<0> bitcode;
  raw_svector_ostream os(bitcode);
  WriteBitcodeToFile(module, os);
  llvm::embedBufferInModule(module, MemoryBufferRef(bitcode, "mxc"),
                            kBitcodeSection);
}

void mxc::amdgpu::embedLaunchPlan(Module &module, const LaunchPlan &plan) {
  std::string note = encodeLaunchPlanNote(plan);
  Constant *bytes = ConstantDataArray::getString(module.getContext(), note,
                                                 /*AddNull=*/false);
  // Read-only data in the constant address space; the ".note" prefix makes
  // it SHT_NOTE, which the linker keeps in the code object's note segment.
  auto *global = new GlobalVariable(
      module, bytes->getType(), /*isConstant=*/true,
      GlobalValue::PrivateLinkage, bytes, "mxc.launch_plan", nullptr,
      GlobalValue::NotThreadLocal, /*AddressSpace=*/4);
  global->setSection(kLaunchPlanSection);
  global->setAlignment(Align(4));
  appendToCompilerUsed(module, {global});
}

Expected<SmallString<0>> mxc::amdgpu::emitMachineCode(Module &module,
                                                      TargetMachine &tm,
                                                      CodeGenFileType kind) {
  SmallString<0> buffer;
  raw_svector_ostream os(buffer);
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, kind))
    return createStringError(inconvertibleErrorCode(),
                             "the AMDGPU backend cannot emit this file type");
  pm.run(module);
  return buffer;
}

namespace {
/// A temporary file removed when it goes out of scope.
struct TempFile {
  SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      sys::fs::remove(path);
  }
};
} // namespace

Expected<std::string> mxc::amdgpu::linkCodeObject(StringRef object,
                                                  StringRef ldLldPath) {
  if (!sys::fs::can_execute(ldLldPath))
    return createStringError(inconvertibleErrorCode(),
                             "cannot run the linker '" + ldLldPath.str() +
                                 "' (install lld-22 or pass --ld-lld)");
  TempFile objFile, hsacoFile;
  int fd;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("mxc", "o", fd, objFile.path))
    return createStringError(ec, "cannot create a temporary object file");
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object;
  }
  if (std::error_code ec =
          sys::fs::createTemporaryFile("mxc", "hsaco", hsacoFile.path))
    return createStringError(ec, "cannot create a temporary code object file");

  StringRef args[] = {ldLldPath,    "-shared", "--no-undefined",
                      objFile.path, "-o",      hsacoFile.path};
  std::string message;
  int rc =
      sys::ExecuteAndWait(ldLldPath, args, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return createStringError(inconvertibleErrorCode(),
                             "ld.lld failed (exit " + std::to_string(rc) + ")" +
                                 (message.empty() ? "" : ": " + message));
  ErrorOr<std::unique_ptr<MemoryBuffer>> linked =
      MemoryBuffer::getFile(hsacoFile.path);
  if (!linked)
    return createStringError(linked.getError(),
                             "cannot read the linked code object");
  return (*linked)->getBuffer().str();
}
