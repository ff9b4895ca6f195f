//===- CodeObject.h - LLVM IR to AMDGPU HSACO -------------------*- C++ -*-===//
//
// Part of mxc. The backend half of the pipeline: link the ROCm device
// libraries a module calls into, optimize amdgcn LLVM IR, compile it with the
// AMDGPU backend and link an HSACO code object with ld.lld.
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
#include <vector>

namespace llvm {
class Function;
class Module;
class TargetMachine;
} // namespace llvm

namespace mxc::amdgpu {

/// Name of the ELF section that carries a module's bitcode in mxc's code
/// objects (the section clang's -fembed-bitcode uses).
constexpr llvm::StringLiteral kBitcodeSection = ".llvmbc";
/// Section of the .llvmbc section's checksum: xxh3_64bits of its bytes, 8
/// bytes little-endian. The simulator checks it before the bitcode reader
/// (which is not hardened against corrupt input) sees the bitcode.
constexpr llvm::StringLiteral kBitcodeHashSection = ".mxc.llvmbc.xxh3";
/// Section of mxc's launch plan note.
constexpr llvm::StringLiteral kLaunchPlanSection = ".note.mxc.plan";

/// A target machine for `chip` at optimization level 0..3.
llvm::Expected<std::unique_ptr<llvm::TargetMachine>>
createTargetMachine(const ChipInfo &chip, unsigned optLevel);

/// Sets the module's triple and data layout to `tm`'s.
void setModuleTarget(llvm::Module &module, llvm::TargetMachine &tm);

/// Sets the module's triple and data layout for `tm` and runs LLVM's
/// optimization pipeline at `optLevel`.
void optimizeModule(llvm::Module &module, llvm::TargetMachine &tm,
                    unsigned optLevel);

/// Adds the module's own bitcode as a `.llvmbc` section, so that the code
/// object carries exactly the IR the backend compiled, and its checksum as
/// a kBitcodeHashSection section.
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

/// The ld.lld to run when none is given: $MXC_LD_LLD, else ld.lld beside the
/// running executable, else the one mxc was configured with if it exists,
/// else ld.lld or ld.lld-22 on PATH.
llvm::StringRef getDefaultLdLldPath();

/// The same for a compiler running inside another program (the Python
/// package), which does not look beside the running executable: that is the
/// host program's (python3's /usr/bin may hold an older ld.lld). Looked up
/// on each call, so that the host may set $MXC_LD_LLD at any time.
std::string getEmbeddedLdLldPath();

/// A function or variable a module uses but does not define.
struct UndefinedSymbol {
  std::string name;
  /// A function that uses it, or null when only initializers do.
  const llvm::Function *user = nullptr;
};

/// Everything `module` references and no one defines before ld.lld runs:
/// declarations that are used, apart from intrinsics, extern_weak symbols and
/// LDS variables (the backend allocates those). In module order.
std::vector<UndefinedSymbol> getUndefinedSymbols(const llvm::Module &module);

/// Whether `name` lies in the ROCm device libraries' namespaces: `__ocml_`
/// (math), `__ockl_` (kernel queries, atomics) or `__oclc_` (control
/// variables).
bool isDeviceLibrarySymbol(llvm::StringRef name);

/// The value of the device libraries' `__oclc_ISA_version` for an LLVM
/// processor name: major * 1000 + minor * 100 + stepping (gfx90a: 9010), or
/// 0 for a name that is not an AMDGPU processor.
unsigned getDeviceLibIsaVersion(llvm::StringRef processor);

/// The directory of ocml.bc, ockl.bc and oclc_*.bc to use when none is
/// given: $MXC_DEVICE_LIBS, else the first that holds them of the one found
/// at configure time, $ROCM_PATH/amdgcn/bitcode, Debian's and ROCm's
/// locations; else the configured one ("" when none was).
llvm::StringRef getDefaultDeviceLibsPath();

/// Whether `dir` holds the device libraries (ocml.bc and ockl.bc).
bool hasDeviceLibraries(llvm::StringRef dir);

/// Links into `module` what it needs of the ROCm device libraries in `dir`,
/// as clang's -mlink-builtin-bitcode does: only the definitions the module
/// references (transitively) are taken from ocml.bc and ockl.bc, and they are
/// internalized, so that the -O pipeline inlines and folds them. The oclc
/// control variables they read are set for `chip`: linked from the shipped
/// oclc_*.bc file when there is one and defined in the IR otherwise (the
/// package predates most chips' oclc_isa_version_*.bc). The module must
/// already have its target's triple and data layout (setModuleTarget).
llvm::Error linkDeviceLibraries(llvm::Module &module, const ChipInfo &chip,
                                llvm::StringRef dir);

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_CODEOBJECT_H
