//===- CodeObject.h - LLVM IR to AMDGPU HSACO -------------------*- C++ -*-===//
//
// Part of mxc. The backend half of the pipeline: optimize amdgcn LLVM IR,
// compile it with the AMDGPU backend and link an HSACO code object with ld.lld.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_CODEOBJECT_H
#define MXC_TARGET_AMDGPU_CODEOBJECT_H

#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/LaunchPlan.h"

#include "llvm/ADT/SmallString.h"
#include "llvm/Support/CodeGen.h"
#include "llvm/Support/Error.h"
#include <memory>
#include <string>

namespace llvm {
class Module;
class TargetMachine;
} // namespace llvm

namespace mxc::amdgpu {

/// Name of the ELF section that carries a module's bitcode in mxc's code
/// objects (the section clang's -fembed-bitcode uses).
constexpr llvm::StringLiteral kBitcodeSection = ".llvmbc";
/// Section of mxc's launch plan note.
constexpr llvm::StringLiteral kLaunchPlanSection = ".note.mxc.plan";

/// A target machine for `chip` at optimization level 0..3.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const ChipInfo &chip, unsigned optLevel);

/// Sets the module's triple and data layout for `tm` and runs LLVM's
/// optimization pipeline at `optLevel`.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                    unsigned optLevel);

/// Adds the module's own bitcode as a `.llvmbc` section, so that the code
/// object carries exactly the IR the backend compiled.
void embedBitcode(llvm::Module &module);

/// Adds `plan` as an ELF note (owner "mxc") the linked code object keeps.
void embedLaunchPlan(llvm::Module &module, const LaunchPlan &plan);

/// Runs the AMDGPU backend: assembly text or a relocatable ELF object.
llvm::Expected<llvm::SmallString<0>>
emitMachineCode(llvm::Module &module, llvm::TargetMachine &tm,
                llvm::CodeGenFileType kind);

/// Links a relocatable object into a loadable HSACO with ld.lld.
llvm::Expected<std::string> linkCodeObject(llvm::StringRef object,
                                           llvm::StringRef ldLldPath);

/// The ld.lld mxc was configured with.
llvm::StringRef getDefaultLdLldPath();

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_CODEOBJECT_H
