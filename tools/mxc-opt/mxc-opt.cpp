//===- mxc-opt.cpp - mlir-opt with the mx dialect -------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/Pipeline.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/InitAllPasses.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"

int main(int argc, char **argv) {
  mlir::registerAllPasses();
  mxc::driver::registerPasses();
  mlir::DialectRegistry registry;
  mxc::driver::registerDialects(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "mxc optimizer driver\n", registry));
}
