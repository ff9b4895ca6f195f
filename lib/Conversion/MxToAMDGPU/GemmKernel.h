//===- GemmKernel.h - The LDS-staged scaled-matmul kernel -------*- C++ -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_CONVERSION_MXTOAMDGPU_GEMMKERNEL_H
#define MXC_LIB_CONVERSION_MXTOAMDGPU_GEMMKERNEL_H

#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"

namespace mxc {

/// Everything the kernel body needs to know, fixed at compile time.
struct GemmKernelSpec {
  GemmProblem problem;
  GemmConfig config;
  const amdgpu::MatrixIntrinsic *mfma = nullptr;
  const amdgpu::ChipInfo *chip = nullptr;
  mlir::Type cType;    ///< bf16, f16 or f32.
  mlir::Type biasType; ///< Null without bias.
};

/// Builds the body of `func`, whose arguments are A, A scales, B, B scales,
/// [bias,] C (global pointers) and M (i32), and the LDS variable it uses
/// (a symbol named after the kernel in `func`'s module). docs/gemm.md
/// describes the kernel.
void buildGemmKernel(mlir::ImplicitLocOpBuilder &b, mlir::gpu::GPUFuncOp func,
                     const GemmKernelSpec &spec);

} // namespace mxc

#endif // MXC_LIB_CONVERSION_MXTOAMDGPU_GEMMKERNEL_H
