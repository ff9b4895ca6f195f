//===- cli_fuzzer.cpp - Fuzz the command-line value parsers ---------------===//
//
// Part of mxc. libFuzzer target: the first byte picks a parser, the rest is
// the value as a user would type it: a --config (parseGemmConfig, which
// also checks the config), an mxc-run --arg, --plan sizes for a program with
// sizes M and N, or a --grid/--block. Each must accept or give an error,
// never crash.
//
//===----------------------------------------------------------------------===//

#include "RunArgs.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxDialect.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/Support/Error.h"

#include <cstdint>
#include <string>

using namespace mxc;

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0)
    return 0;
  llvm::StringRef text(reinterpret_cast<const char *>(data) + 1, size - 1);
  switch (data[0] % 4) {
  case 0: {
    static mlir::MLIRContext *context = [] {
      auto *c = new mlir::MLIRContext(mlir::MLIRContext::Threading::DISABLED);
      c->loadDialect<mx::MxDialect>();
      c->printOpOnDiagnostic(false);
      return c;
    }();
    std::string error;
    (void)parseGemmConfig(context, text, error);
    break;
  }
  case 1: {
    llvm::Expected<run::ArgSpec> arg = run::parseArg(0, text);
    if (!arg)
      llvm::consumeError(arg.takeError());
    break;
  }
  case 2: {
    static const amdgpu::PlanProgram program = [] {
      amdgpu::PlanProgram p;
      p.name = "gemm";
      p.sizes = {{"M", 0, 0}, {"N", 1, 1}};
      return p;
    }();
    llvm::Expected<std::vector<int64_t>> sizes =
        run::parsePlanSizes(program, text);
    if (!sizes)
      llvm::consumeError(sizes.takeError());
    break;
  }
  case 3: {
    sim::Dim3 dim;
    (void)run::parseDim3(text, dim);
    break;
  }
  }
  return 0;
}
