//===- Compiler.h - mxc's compiler as one call, without LLVM types -*- C++ -*-//
//
// Part of mxc. Compiling MLIR text, or one of mxc's ready-made kernels, to a
// code object in one call whose interface holds only standard C++ types: the
// Python package calls it (its pybind11 sources then include no LLVM or MLIR
// header), and so may any host program that compiles kernels in process. Every
// failure is one line, as mxc prints it: `FILE:LINE:COL: message` for an error
// in MLIR text, `<parameters>: message` for an error in a ready-made kernel.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DRIVER_COMPILER_H
#define MXC_DRIVER_COMPILER_H

#include "mxc/Target/AMDGPU/Result.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mxc::driver {

/// How parameters are named in messages and in the op's location:
/// `--a-format e4m3 --n 256` (the mxc command line) or
/// `mxc.gemm(a_format='e4m3', n=256)` (the Python package).
enum class ParamSpelling { CommandLine, Python };

/// A scaled matmul C[M, N] = A[M, K] * B (+ bias), M dynamic: `mxc gemm`.
struct GemmSpec {
  std::string aFormat, bFormat; ///< e4m3 e5m2 e2m3 e3m2 e2m1
  int64_t n = 0, k = 0;         ///< positive
  std::string out = "bf16";     ///< bf16 f16 f32
  bool bias = false;            ///< add an f32 bias[N]
  std::string bLayout = "nk";   ///< B as [N, K] (nk) or [K, N] (kn)
};

/// MX quantization of rows of K reals, M dynamic: `mxc quantize`.
struct QuantizeSpec {
  std::string format;
  int64_t k = 0;
  std::string in = "bf16";       ///< bf16 f16 f32
  std::string rounding = "ceil"; ///< E8M0 scale rounding: ceil or floor
};

/// MX dequantization of rows of K elements, M dynamic: `mxc dequantize`.
struct DequantizeSpec {
  std::string format;
  int64_t k = 0;
  std::string out = "bf16";
};

/// SwiGLU-OAI over rows of 2I reals, M dynamic, optionally fused with an MX
/// quantize of its output: `mxc swiglu`.
struct SwigluSpec {
  int64_t i = 0;                      ///< columns of the output; positive
  std::string layout = "interleaved"; ///< split or interleaved
  std::optional<double> limit;        ///< the clamp; none when absent
  double alpha = 1.702, beta = 1.0;
  std::string in = "bf16";       ///< bf16 f16 f32
  std::string out = "bf16";      ///< bf16 f16 f32, or an MX format
  std::string rounding = "ceil"; ///< E8M0 scale rounding of a fused quantize
};

/// Gemma RMSNorm over rows of H reals, M dynamic, optionally with a residual
/// added first and an MX quantize of its output: `mxc rmsnorm`.
struct RmsNormSpec {
  int64_t h = 0; ///< columns; positive
  bool residual = false;
  double eps = 1e-6;
  std::string in = "bf16";       ///< bf16 f16 f32
  std::string out = "bf16";      ///< bf16 f16 f32, or an MX format
  std::string rounding = "ceil"; ///< E8M0 scale rounding of a fused quantize
};

/// mxc's options (docs/cli.md), checked as mxc checks its flags.
struct CompileRequest {
  std::string target = "gfx950";
  unsigned optLevel = 3;
  /// hsaco, asm, llvm or mlir (--emit).
  std::string emit = "hsaco";
  bool embedBitcode = true;
  bool barePtrMemrefs = false;
  std::string ldLld;      ///< "" for the one mxc finds (docs/install.md)
  std::string deviceLibs; ///< "" for the ones mxc finds
  std::string config;     ///< a forced GEMM config; "" lets the model choose
  int64_t tuneM = 8192;
  std::string mBuckets = "16,256"; ///< ascending bounds, or "none"
};

/// What a compilation produced: the code object (or the text --emit asks
/// for) and the warnings it reported, one line each.
struct CompileOutput {
  std::string bytes;
  std::vector<std::string> warnings;
};

/// Compiles MLIR `text`; `sourceName` names it in messages (a path, or
/// "<string>").
amdgpu::core::Result<CompileOutput>
compileSource(const std::string &text, const std::string &sourceName,
              const CompileRequest &request);

/// Builds and compiles mxc's ready-made kernels, as `mxc gemm`, `mxc
/// quantize` and `mxc dequantize` do; errors in the spec name its
/// parameters as `spelling` says.
amdgpu::core::Result<CompileOutput>
compileGemm(const GemmSpec &spec, const CompileRequest &request,
            ParamSpelling spelling = ParamSpelling::CommandLine);
amdgpu::core::Result<CompileOutput>
compileQuantize(const QuantizeSpec &spec, const CompileRequest &request,
                ParamSpelling spelling = ParamSpelling::CommandLine);
amdgpu::core::Result<CompileOutput>
compileDequantize(const DequantizeSpec &spec, const CompileRequest &request,
                  ParamSpelling spelling = ParamSpelling::CommandLine);
amdgpu::core::Result<CompileOutput>
compileSwiglu(const SwigluSpec &spec, const CompileRequest &request,
              ParamSpelling spelling = ParamSpelling::CommandLine);
amdgpu::core::Result<CompileOutput>
compileRmsNorm(const RmsNormSpec &spec, const CompileRequest &request,
               ParamSpelling spelling = ParamSpelling::CommandLine);

} // namespace mxc::driver

#endif // MXC_DRIVER_COMPILER_H
