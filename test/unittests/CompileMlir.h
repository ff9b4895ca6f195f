//===- CompileMlir.h - Compiling MLIR text in unit tests --------*- C++ -*-===//
//
// Part of mxc. The real pipeline on a module given as text, for tests that
// need a kernel's LLVM IR or code object.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TEST_UNITTESTS_COMPILEMLIR_H
#define MXC_TEST_UNITTESTS_COMPILEMLIR_H

#include "mxc/Driver/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include <string>

namespace mxc::test {

/// Parses `text` and compiles it as `options` say; "" when either fails
/// (the diagnostics go to stderr).
inline std::string compileMlir(llvm::StringRef text,
                               const driver::CompileOptions &options,
                               amdgpu::LaunchPlan *plan = nullptr) {
  mlir::DialectRegistry registry;
  driver::registerDialects(registry);
  mlir::MLIRContext context(registry);
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  if (!module)
    return "";
  mlir::FailureOr<std::string> out = driver::compile(*module, options, plan);
  return succeeded(out) ? *out : std::string();
}

/// `text` compiled to a gfx950 code object with kernel config `config`.
inline std::string compileGfx950CodeObject(llvm::StringRef text,
                                           llvm::StringRef config) {
  driver::CompileOptions options;
  options.chip = amdgpu::lookupChip("gfx950");
  options.config = config.str();
  return compileMlir(text, options);
}

} // namespace mxc::test

#endif // MXC_TEST_UNITTESTS_COMPILEMLIR_H
