//===- KernelBuilders.h - MLIR for mxc's ready-made kernels -----*- C++ -*-===//
//
// Part of mxc. The programs `mxc gemm`, `quantize`, `dequantize`, `swiglu`
// and `rmsnorm` compile, and the Python package's functions of those names,
// written as MLIR text from a few parameters. The op of each program carries
// the parameters as its location (a NameLoc), spelled as the caller's user
// wrote them, so that a diagnostic on it names them rather than a file nobody
// wrote.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DRIVER_KERNELBUILDERS_H
#define MXC_DRIVER_KERNELBUILDERS_H

#include "mxc/Driver/Compiler.h"

#include "llvm/Support/Error.h"
#include <string>

namespace mlir {
class MLIRContext;
} // namespace mlir

namespace mxc::driver {

/// The MLIR of each kernel program (func.func @gemm, @quantize, @dequantize,
/// @swiglu, @rmsnorm), or a one-line error naming the offending parameter.
/// Sizes (`n`, `k`, `i`, `h`) are taken to be positive (the callers parse
/// them).
llvm::Expected<std::string>
buildGemmModule(mlir::MLIRContext &context, const GemmSpec &spec,
                ParamSpelling spelling = ParamSpelling::CommandLine);
llvm::Expected<std::string>
buildQuantizeModule(mlir::MLIRContext &context, const QuantizeSpec &spec,
                    ParamSpelling spelling = ParamSpelling::CommandLine);
llvm::Expected<std::string>
buildDequantizeModule(mlir::MLIRContext &context, const DequantizeSpec &spec,
                      ParamSpelling spelling = ParamSpelling::CommandLine);
llvm::Expected<std::string>
buildSwigluModule(mlir::MLIRContext &context, const SwigluSpec &spec,
                  ParamSpelling spelling = ParamSpelling::CommandLine);
llvm::Expected<std::string>
buildRmsNormModule(mlir::MLIRContext &context, const RmsNormSpec &spec,
                   ParamSpelling spelling = ParamSpelling::CommandLine);

} // namespace mxc::driver

#endif // MXC_DRIVER_KERNELBUILDERS_H
