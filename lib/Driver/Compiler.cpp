//===- Compiler.cpp - mxc's compiler as one call --------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/Compiler.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Driver/KernelBuilders.h"
#include "mxc/Driver/Pipeline.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/CodeObject.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/Twine.h"

#include <limits>
#include <optional>

using namespace mlir;
using namespace mxc;
using namespace mxc::driver;
using amdgpu::core::fail;
using amdgpu::core::Result;

namespace {
/// A context for one compilation that keeps its diagnostics as mxc's one-line
/// messages instead of printing them.
class Compilation {
public:
  Compilation() : context(makeRegistry()) {
    context.loadAllAvailableDialects();
    context.printOpOnDiagnostic(false);
    handler.emplace(&context, [this](Diagnostic &diag) {
      record(diag);
      return success();
    });
  }

  MLIRContext &getContext() { return context; }

  /// The first error reported, or `fallback` when none was.
  std::string firstError(llvm::StringRef fallback) const {
    return errors.empty() ? fallback.str() : errors.front();
  }

  /// Compiles `text` (named `sourceName` in messages).
  Result<CompileOutput> run(const std::string &text,
                            const std::string &sourceName,
                            const CompileRequest &request);

private:
  static DialectRegistry makeRegistry() {
    DialectRegistry registry;
    registerDialects(registry);
    return registry;
  }

  /// `FILE:LINE:COL: message`, or `<parameters>: message` where the op's
  /// location names what shaped it (the ready-made kernels).
  void record(Diagnostic &diag) {
    std::string where;
    Location loc = diag.getLocation();
    if (auto file = loc->findInstanceOf<FileLineColLoc>())
      where = file.getLine() == 0 ? (file.getFilename().strref() + ": ").str()
                                  : (file.getFilename().strref() + ":" +
                                     llvm::Twine(file.getLine()) + ":" +
                                     llvm::Twine(file.getColumn()) + ": ")
                                        .str();
    else if (auto name = loc->findInstanceOf<NameLoc>())
      where = name.getName().str() + ": ";
    if (diag.getSeverity() == DiagnosticSeverity::Error)
      errors.push_back(where + diag.str());
    else if (diag.getSeverity() == DiagnosticSeverity::Warning)
      warnings.push_back(where + diag.str());
  }

  MLIRContext context;
  std::optional<ScopedDiagnosticHandler> handler;
  std::vector<std::string> errors, warnings;
};
} // namespace

/// `request` as the pipeline's options, or why it cannot be (the checks
/// mxc makes of its flags).
static Result<CompileOptions> toOptions(MLIRContext &context,
                                        const CompileRequest &request) {
  CompileOptions options;
  options.chip = amdgpu::lookupChip(request.target);
  if (!options.chip)
    return fail("unknown target '" + request.target +
                "'; valid targets: " + amdgpu::listChipNames());
  if (request.optLevel > 3)
    return fail("optimization level " + std::to_string(request.optLevel) +
                " is not a level; use 0 to 3");
  if (request.emit == "hsaco")
    options.emit = EmitKind::Hsaco;
  else if (request.emit == "asm")
    options.emit = EmitKind::Asm;
  else if (request.emit == "llvm")
    options.emit = EmitKind::Llvm;
  else if (request.emit == "mlir")
    options.emit = EmitKind::Mlir;
  else
    return fail("emit must be hsaco, asm, llvm or mlir (got '" + request.emit +
                "')");
  // M reaches kernels as a 32-bit argument: a size to tune for must fit.
  if (request.tuneM < 1 || request.tuneM > std::numeric_limits<int32_t>::max())
    return fail("tune_m " + std::to_string(request.tuneM) +
                ": expected a whole number from 1 to 2147483647");
  if (!request.config.empty()) {
    std::string error;
    if (!parseGemmConfig(&context, request.config, error))
      return fail("config: " + error);
  }
  options.optLevel = request.optLevel;
  options.embedBitcode = request.embedBitcode;
  options.barePtrMemrefs = request.barePtrMemrefs;
  // Not beside the running executable, which is the host program's.
  options.ldLldPath =
      request.ldLld.empty() ? amdgpu::getEmbeddedLdLldPath() : request.ldLld;
  options.deviceLibsPath = request.deviceLibs;
  options.config = request.config;
  options.tuneM = request.tuneM;
  options.mBuckets = request.mBuckets;
  return options;
}

Result<CompileOutput> Compilation::run(const std::string &text,
                                       const std::string &sourceName,
                                       const CompileRequest &request) {
  Result<CompileOptions> options = toOptions(context, request);
  if (!options)
    return options.takeFailure();
  OwningOpRef<ModuleOp> module =
      parseSourceString<ModuleOp>(text, &context, sourceName);
  if (!module)
    return fail(firstError(sourceName + ": cannot parse"));
  FailureOr<std::string> bytes = compile(*module, *options);
  if (failed(bytes))
    return fail(firstError(sourceName + ": compilation failed"));
  return CompileOutput{std::move(*bytes), std::move(warnings)};
}

Result<CompileOutput>
mxc::driver::compileSource(const std::string &text,
                           const std::string &sourceName,
                           const CompileRequest &request) {
  Compilation compilation;
  return compilation.run(text, sourceName, request);
}

/// Builds a ready-made kernel's MLIR with `build` and compiles it; `width`
/// is its size parameter `widthParam` (k, i, h), which must lie in
/// [1, maxWidth].
template <typename Spec, typename Build>
static Result<CompileOutput>
compileBuilt(const Spec &spec, const CompileRequest &request,
             ParamSpelling spelling, Build build, const char *name,
             const char *widthParam, int64_t width,
             int64_t maxWidth = std::numeric_limits<int64_t>::max()) {
  if (width < 1 || width > maxWidth) {
    std::string given =
        spelling == ParamSpelling::Python
            ? std::string(widthParam) + "=" + std::to_string(width)
            : "--" + std::string(widthParam) + " " + std::to_string(width);
    return fail(given + ": expected a whole number from 1 to " +
                std::to_string(maxWidth));
  }
  Compilation compilation;
  llvm::Expected<std::string> text =
      build(compilation.getContext(), spec, spelling);
  if (!text)
    return fail(llvm::toString(text.takeError()));
  return compilation.run(*text, name, request);
}

Result<CompileOutput> mxc::driver::compileGemm(const GemmSpec &spec,
                                               const CompileRequest &request,
                                               ParamSpelling spelling) {
  if (spec.n < 1)
    return fail(spelling == ParamSpelling::Python
                    ? "n=" + std::to_string(spec.n) + ": N must be positive"
                    : "--n " + std::to_string(spec.n) + ": N must be positive");
  return compileBuilt(spec, request, spelling, buildGemmModule, "gemm.mlir",
                      "k", spec.k);
}

Result<CompileOutput>
mxc::driver::compileQuantize(const QuantizeSpec &spec,
                             const CompileRequest &request,
                             ParamSpelling spelling) {
  return compileBuilt(spec, request, spelling, buildQuantizeModule,
                      "quantize.mlir", "k", spec.k);
}

Result<CompileOutput>
mxc::driver::compileDequantize(const DequantizeSpec &spec,
                               const CompileRequest &request,
                               ParamSpelling spelling) {
  return compileBuilt(spec, request, spelling, buildDequantizeModule,
                      "dequantize.mlir", "k", spec.k);
}

// The input of SwiGLU has 2I columns, which with the element bytes must
// still count in 64 bits.
static constexpr int64_t kMaxRowWidth = std::numeric_limits<int64_t>::max() / 4;

Result<CompileOutput> mxc::driver::compileSwiglu(const SwigluSpec &spec,
                                                 const CompileRequest &request,
                                                 ParamSpelling spelling) {
  return compileBuilt(spec, request, spelling, buildSwigluModule, "swiglu.mlir",
                      "i", spec.i, kMaxRowWidth);
}

Result<CompileOutput> mxc::driver::compileRmsNorm(const RmsNormSpec &spec,
                                                  const CompileRequest &request,
                                                  ParamSpelling spelling) {
  return compileBuilt(spec, request, spelling, buildRmsNormModule,
                      "rmsnorm.mlir", "h", spec.h, kMaxRowWidth);
}
