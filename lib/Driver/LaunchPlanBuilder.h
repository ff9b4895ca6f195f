//===- LaunchPlanBuilder.h - Serialize mx.launch_plan ops -------*- C++ -*-===//
//
// Part of mxc. The lowering of each mx op leaves an mx.launch_plan: its
// buffers, named runtime sizes and variants as data. This serializes those
// into the code object's launch plan: buffers become program parameters,
// sizes that the ops tie to one parameter extent become one program size.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_DRIVER_LAUNCHPLANBUILDER_H
#define MXC_LIB_DRIVER_LAUNCHPLANBUILDER_H

#include "mxc/Target/AMDGPU/LaunchPlan.h"

#include "mlir/IR/BuiltinOps.h"

namespace mxc::driver {

/// The plan of every function that holds mx.launch_plan ops, one program
/// each. Emits an error at the op where one cannot be described (a buffer
/// that is not a parameter of the function, an op under control flow).
mlir::FailureOr<amdgpu::LaunchPlan> buildLaunchPlan(mlir::ModuleOp module);

} // namespace mxc::driver

#endif // MXC_LIB_DRIVER_LAUNCHPLANBUILDER_H
