//===- MxAttrs.h - mx dialect attributes ------------------------*- C++ -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXATTRS_H
#define MXC_DIALECT_MX_MXATTRS_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/SymbolTable.h"

#include "mxc/Dialect/Mx/MxLaunch.h"

#include "mxc/Dialect/Mx/MxEnums.h.inc"

#define GET_ATTRDEF_CLASSES
#include "mxc/Dialect/Mx/MxAttrs.h.inc"

#endif // MXC_DIALECT_MX_MXATTRS_H
