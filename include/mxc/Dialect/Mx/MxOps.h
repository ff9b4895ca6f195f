//===- MxOps.h - mx dialect operations --------------------------*- C++ -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXOPS_H
#define MXC_DIALECT_MX_MXOPS_H

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxDialect.h"

#define GET_OP_CLASSES
#include "mxc/Dialect/Mx/MxOps.h.inc"

#endif // MXC_DIALECT_MX_MXOPS_H
