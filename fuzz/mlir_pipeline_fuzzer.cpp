//===- mlir_pipeline_fuzzer.cpp - Fuzz MLIR text to HSACO -----------------===//
//
// Part of mxc. libFuzzer target: the input is .mlir text, compiled as `mxc
// FILE --target gfx950` compiles it (parse, verify, mx lowering, LLVM
// backend and the check of its instructions) up to the relocatable object.
// ld.lld, a separate program, is not run: spawning it from the sanitized
// process took half of the time of an input that compiles, and the lit tests
// link every kernel they compile. Every input must end in an object or in
// diagnostics; a crash, abort or sanitizer report is a bug. libFuzzer's
// -timeout bounds the time per input.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/Pipeline.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <cstddef>
#include <cstdint>
#include <string>

using namespace mxc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static const mlir::DialectRegistry *registry = [] {
    auto *r = new mlir::DialectRegistry;
    driver::registerDialects(*r);
    driver::registerPasses();
    return r;
  }();
  // A context per input: nothing one input interns or loads reaches the next.
  mlir::MLIRContext context(*registry, mlir::MLIRContext::Threading::DISABLED);
  context.loadAllAvailableDialects();
  context.printOpOnDiagnostic(false);
  mlir::ScopedDiagnosticHandler quiet(
      &context, [](mlir::Diagnostic &) { return mlir::success(); });
  // MLIR's lexer stops at the NUL after the text, as mxc's input files
  // (MemoryBuffer) have: libFuzzer's bytes have none.
  std::string text(reinterpret_cast<const char *>(data), size);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceString<mlir::ModuleOp>(text, &context, "fuzz.mlir");
  if (!module)
    return 0;
  driver::CompileOptions options;
  options.chip = amdgpu::lookupChip("gfx950");
  options.emit = driver::EmitKind::Object;
  (void)driver::compile(*module, options);
  return 0;
}
