//===- Passes.h - mx passes -------------------------------------*- C++ -*-===//
//
// Part of mxc. Declarations generated from dialects/mx/MxPasses.td.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TRANSFORMS_PASSES_H
#define MXC_TRANSFORMS_PASSES_H

#include "mlir/Pass/Pass.h"

namespace mxc {

#define GEN_PASS_DECL
#include "mxc/Dialect/Mx/MxPasses.h.inc"

#define GEN_PASS_REGISTRATION
#include "mxc/Dialect/Mx/MxPasses.h.inc"

} // namespace mxc

#endif // MXC_TRANSFORMS_PASSES_H
