//===- LaunchPlanBuilder.h - A program's launch plan from its IR -*- C++
//-*-===//
//
// Part of mxc. Before lowering, the mx ops say which dynamic extents of a
// program's parameters are one runtime size (A, its scales and C share M);
// after lowering, each gpu.launch_func says how its grid and arguments derive
// from the parameters. Together they make the launch plan.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_DRIVER_LAUNCHPLANBUILDER_H
#define MXC_LIB_DRIVER_LAUNCHPLANBUILDER_H

#include "mxc/Target/AMDGPU/LaunchPlan.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/StringMap.h"
#include <map>

namespace mxc::driver {

/// One extent of a program parameter: (parameter index, dimension).
using ParamExtent = std::pair<unsigned, unsigned>;

/// The runtime sizes of one function, as its mx ops relate them.
struct ProgramSizes {
  llvm::EquivalenceClasses<ParamExtent> classes;
  /// Names the ops give classes, keyed by any member.
  std::map<ParamExtent, std::string> names;
};

/// Reads the size relations of every function's mx ops (before lowering).
llvm::StringMap<ProgramSizes> collectProgramSizes(mlir::ModuleOp module);

/// Builds the plan of every function that launches kernels (after lowering).
/// Emits an error where a launch cannot be described.
mlir::FailureOr<amdgpu::LaunchPlan>
buildLaunchPlan(mlir::ModuleOp module,
                const llvm::StringMap<ProgramSizes> &sizes);

} // namespace mxc::driver

#endif // MXC_LIB_DRIVER_LAUNCHPLANBUILDER_H
