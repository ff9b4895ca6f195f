//===- LaunchPlan.h - How the host runs a compiled mxc program --*- C++ -*-===//
//
// Part of mxc. A code object mxc compiles from a program (a func.func whose
// mx ops became kernels) carries a launch plan: the program's parameters, the
// runtime sizes (such as M) read from them, and per mx op (a dispatch) its
// variants: each the kernels to launch in order, with each grid dimension and
// argument said in terms of the sizes, for the sizes in its ranges. The plan
// travels as an ELF note (owner "mxc") holding MessagePack, beside the AMDGPU
// metadata note; libmxrt reads it to run a program with one call.
//
// The plan's types and its reader live in LaunchPlanInfo.h, free of LLVM for
// libmxrt's core; this header adds the writer and llvm::Error forms.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_LAUNCHPLAN_H
#define MXC_TARGET_AMDGPU_LAUNCHPLAN_H

#include "mxc/Target/AMDGPU/LaunchPlanInfo.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace mxc::amdgpu {

/// `failure` as an llvm::Error.
inline llvm::Error toError(core::Failure failure) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(),
                                 failure.message);
}

/// The index of the variant of `dispatch` (of `program`) that runs for
/// `sizes` (one per PlanProgram::sizes): the first that matches. An error
/// naming the sizes and the ranges when none does (a size outside every
/// range: negative, or over what the kernels take).
llvm::Expected<unsigned> selectVariant(const PlanProgram &program,
                                       const PlanDispatch &dispatch,
                                       llvm::ArrayRef<int64_t> sizes);

/// Every launch that runs `program` for `sizes`, in order: per dispatch, the
/// launches of the variant selectVariant picks.
llvm::Expected<std::vector<const PlanLaunch *>>
selectLaunches(const PlanProgram &program, llvm::ArrayRef<int64_t> sizes);

/// `launch` with `sizes` (one per PlanProgram::sizes) filled in; an error
/// when the grid does not fit 32 bits or a size does not fit the 32-bit
/// argument that carries it.
llvm::Expected<ResolvedLaunch> resolveLaunch(const PlanLaunch &launch,
                                             llvm::ArrayRef<int64_t> sizes);

/// The plan as MessagePack (the note's descriptor).
std::string writeLaunchPlan(const LaunchPlan &plan);
/// The plan as a whole ELF note (header, owner, padded descriptor), ready to
/// be placed in a SHT_NOTE section.
std::string encodeLaunchPlanNote(const LaunchPlan &plan);
/// Parses and checks a plan: every index in range, every dimension positive,
/// every dispatch with a variant, every range with 0 <= min <= max. Reads
/// versions 1 and 2.
llvm::Expected<LaunchPlan> readLaunchPlan(llvm::StringRef msgpack);

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_LAUNCHPLAN_H
