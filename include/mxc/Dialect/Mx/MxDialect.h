//===- MxDialect.h - The mx dialect -----------------------------*- C++ -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXDIALECT_H
#define MXC_DIALECT_MX_MXDIALECT_H

#include "mlir/IR/Dialect.h"

#include "mxc/Dialect/Mx/MxDialect.h.inc"

#endif // MXC_DIALECT_MX_MXDIALECT_H
