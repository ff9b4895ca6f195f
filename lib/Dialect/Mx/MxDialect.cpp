//===- MxDialect.cpp - The mx dialect -------------------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxDialect.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "llvm/ADT/TypeSwitch.h"

using namespace mlir;
using namespace mxc::mx;

#include "mxc/Dialect/Mx/MxDialect.cpp.inc"
#include "mxc/Dialect/Mx/MxEnums.cpp.inc"

#define GET_ATTRDEF_CLASSES
#include "mxc/Dialect/Mx/MxAttrs.cpp.inc"

void MxDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "mxc/Dialect/Mx/MxOps.cpp.inc"
      >();
  addAttributes<
#define GET_ATTRDEF_LIST
#include "mxc/Dialect/Mx/MxAttrs.cpp.inc"
      >();
}
