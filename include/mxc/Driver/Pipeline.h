//===- Pipeline.h - mxc compilation pipelines -------------------*- C++ -*-===//
//
// Part of mxc. The pipelines every tool shares: from MLIR with mx and
// upstream ops to LLVM IR, assembly or an HSACO code object.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DRIVER_PIPELINE_H
#define MXC_DRIVER_PIPELINE_H

#include "mxc/Target/AMDGPU/Chips.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include <string>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace mxc::driver {

enum class EmitKind { Mlir, Llvm, Asm, Hsaco };

struct CompileOptions {
  const amdgpu::ChipInfo *chip = nullptr;
  unsigned optLevel = 3;
  EmitKind emit = EmitKind::Hsaco;
  /// Carry the compiled LLVM IR in a .llvmbc section (the simulator runs it).
  bool embedBitcode = true;
  /// Pass statically shaped memrefs to kernels as bare pointers instead of
  /// memref descriptors.
  bool barePtrMemrefs = false;
  std::string ldLldPath;
};

/// Registers every dialect and translation interface mxc uses.
void registerDialects(mlir::DialectRegistry &registry);

/// Adds the passes that take gpu.modules to the LLVM dialect for `options`.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const CompileOptions &options);

/// Compiles `module` as `options` says and returns the bytes to write.
/// Errors are reported as diagnostics on the module's context.
mlir::FailureOr<std::string> compile(mlir::ModuleOp module,
                                     const CompileOptions &options);

} // namespace mxc::driver

#endif // MXC_DRIVER_PIPELINE_H
