//===- Pipeline.h - mxc compilation pipelines -------------------*- C++ -*-===//
//
// Part of mxc. The pipelines every tool shares: from MLIR with mx and
// upstream ops to LLVM IR, assembly or an HSACO code object.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DRIVER_PIPELINE_H
#define MXC_DRIVER_PIPELINE_H

#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/LaunchPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Support/LLVM.h"
#include <string>
#include <vector>

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace mxc::driver {

/// What `compile` returns: MLIR text (LLVM dialect), LLVM IR text, AMDGPU
/// assembly, the relocatable ELF object before ld.lld, or the linked HSACO.
enum class EmitKind { Mlir, Llvm, Asm, Object, Hsaco };

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
  /// Directory of the ROCm device libraries (ocml.bc, ockl.bc, oclc_*.bc)
  /// that kernels calling them link; "" for the one found at configure time.
  std::string deviceLibsPath;
  /// M that kernel configs are tuned for when M is dynamic (the largest M
  /// bucket's).
  int64_t tuneM = 8192;
  /// Largest M of each smaller M bucket, ascending ("16,256"), or "none":
  /// mx-select-config's m-buckets.
  std::string mBuckets = "16,256";
  /// A config forced on every scaled matmul ("" lets the cost model choose).
  std::string config;
};

/// Registers every dialect and translation interface mxc uses.
void registerDialects(mlir::DialectRegistry &registry);

/// Registers mxc's passes (mx-select-config, convert-mx-to-amdgpu).
void registerPasses();

/// Adds the passes that turn mx ops into gpu.module kernels and launches.
void buildLowerMxPipeline(mlir::OpPassManager &pm,
                          const CompileOptions &options);

/// Adds the passes that take gpu.modules to the LLVM dialect for `options`.
void buildLowerToLLVMPipeline(mlir::OpPassManager &pm,
                              const CompileOptions &options);

/// Compiles `module` as `options` says and returns the bytes to write.
/// Errors are reported as diagnostics on the module's context. A module that
/// calls into the ROCm device libraries (math functions, gpu.block_dim) links
/// what it needs of them before the -O pipeline; any symbol still undefined
/// then is an error at the op that uses it. Each func.func whose mx ops
/// became kernels becomes a program of the launch plan (serialized from the
/// mx.launch_plan ops the lowering leaves), which an HSACO carries as a
/// note; `plan`, when given, receives it too.
mlir::FailureOr<std::string> compile(mlir::ModuleOp module,
                                     const CompileOptions &options,
                                     amdgpu::LaunchPlan *plan = nullptr);

} // namespace mxc::driver

#endif // MXC_DRIVER_PIPELINE_H
