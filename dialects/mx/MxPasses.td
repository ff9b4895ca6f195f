//===- MxPasses.td - mx passes -----------------------------*- tablegen -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXPASSES_TD
#define MXC_DIALECT_MX_MXPASSES_TD

include "mlir/Pass/PassBase.td"

def MxSelectConfig : Pass<"mx-select-config", "::mlir::ModuleOp"> {
  let summary = "Choose each scaled matmul's kernel configuration";
  let description = [{
    Sets `config` on every `mx.scaled_matmul` that has none: the tiling the
    static cost model (lib/Transforms/GemmConfig.cpp) ranks best for the
    chip, the operand formats, N, K and the M it is tuned for. A config
    given with `config=` is checked against the op and used as is; one that
    cannot work (registers, shape, formats) is an error at the op.

    Where M is dynamic (and no config is forced or already set), M is split
    into buckets at the `m-buckets` bounds below `tune-m` (default: M <= 16,
    17 to 256, and above) and the cost model picks a config per bucket for
    its largest M (`tune-m` for the last). Adjacent buckets that get one
    config merge. Two or more distinct configs are set as `mx.variants`, an
    array of `#mx.gemm_variant<m = [lo, hi] : #mx.gemm_config<...>>`
    covering M from 0 to 2^31 - 1, in place of `config`; the lowering builds
    one kernel per variant and a launch plan that picks one by M.
  }];
  let options = [
    Option<"chip", "chip", "std::string", "\"gfx950\"", "Target chip">,
    Option<"tuneM", "tune-m", "int64_t", "8192",
           "M to tune for when M is dynamic (the kernel takes any M)">,
    Option<"config", "config", "std::string", "\"\"",
           "Force a config: mfma=32x32x64,tile=128x128x128,waves=2x2,prefetch=1">,
    Option<"mBuckets", "m-buckets", "std::string", "\"16,256\"",
           "Largest M of each M bucket below tune-m where M is dynamic, "
           "ascending (e.g. 16,256), or 'none' for one config tuned for tune-m">,
  ];
}

def ConvertMxToAMDGPU : Pass<"convert-mx-to-amdgpu", "::mlir::ModuleOp"> {
  let summary = "Lower configured mx ops to gpu.func kernels of amdgpu/rocdl ops";
  let description = [{
    Outlines every configured `mx.scaled_matmul` into a kernel per config
    (one, or one per `mx.variants` entry) of the module's
    `gpu.module @mx_kernels` and replaces the op with an `mx.launch_plan`
    saying which kernel runs for which M, with its grid (y follows the
    runtime M) and arguments. gfx950 kernels use
    `amdgpu.scaled_mfma`; operands move through buffer resources
    (`rocdl.make.buffer.rsrc`, `rocdl.raw.ptr.buffer.load/store`) whose
    bounds mask the M and N tails. docs/gemm.md states the kernel ABI.
  }];
  let options = [
    Option<"chip", "chip", "std::string", "\"gfx950\"", "Target chip">,
  ];
  let dependentDialects = [
    "::mlir::amdgpu::AMDGPUDialect", "::mlir::arith::ArithDialect",
    "::mlir::gpu::GPUDialect", "::mlir::LLVM::LLVMDialect",
    "::mlir::memref::MemRefDialect", "::mlir::ROCDL::ROCDLDialect",
    "::mlir::scf::SCFDialect", "::mlir::vector::VectorDialect",
  ];
}

#endif // MXC_DIALECT_MX_MXPASSES_TD
