//===- RowOpLowerings.h - Lowerings of the row-wise mx ops ------*- C++ -*-===//
//
// Part of mxc. Entry points convert-mx-to-amdgpu calls for the ops that are
// not matmuls; each lives in its own file (QuantizeToAMDGPU.cpp, ...).
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_CONVERSION_MXTOAMDGPU_ROWOPLOWERINGS_H
#define MXC_LIB_CONVERSION_MXTOAMDGPU_ROWOPLOWERINGS_H

#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/IR/PatternMatch.h"

namespace mxc {

/// Replaces `op` by a kernel for `chip` in `kernels` and its mx.launch_plan
/// through `rewriter`, or reports why not at the op. With a null rewriter,
/// only checks (every check comes before the first change to the IR).
mlir::LogicalResult lowerQuantize(mx::QuantizeOp op,
                                  mlir::gpu::GPUModuleOp kernels,
                                  const amdgpu::ChipInfo &chip,
                                  mlir::RewriterBase *rewriter);
mlir::LogicalResult lowerDequantize(mx::DequantizeOp op,
                                    mlir::gpu::GPUModuleOp kernels,
                                    const amdgpu::ChipInfo &chip,
                                    mlir::RewriterBase *rewriter);
mlir::LogicalResult lowerSwiglu(mx::SwigluOp op, mlir::gpu::GPUModuleOp kernels,
                                const amdgpu::ChipInfo &chip,
                                mlir::RewriterBase *rewriter);
mlir::LogicalResult lowerRmsNorm(mx::RmsNormOp op,
                                 mlir::gpu::GPUModuleOp kernels,
                                 const amdgpu::ChipInfo &chip,
                                 mlir::RewriterBase *rewriter);

} // namespace mxc

#endif // MXC_LIB_CONVERSION_MXTOAMDGPU_ROWOPLOWERINGS_H
