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
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_LAUNCHPLAN_H
#define MXC_TARGET_AMDGPU_LAUNCHPLAN_H

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include <cstdint>
#include <string>
#include <vector>

namespace mxc::amdgpu {

/// ELF note owner and type of the launch plan.
constexpr llvm::StringLiteral kLaunchPlanNoteOwner = "mxc";
constexpr uint32_t kLaunchPlanNoteType = 1;
/// Plan format version; a reader refuses a major version other than this
/// one and 1 (whose launches read as one dispatch of one variant).
constexpr unsigned kLaunchPlanVersionMajor = 2;
constexpr unsigned kLaunchPlanVersionMinor = 0;

/// A program parameter: a buffer (memref) the caller passes.
struct PlanParam {
  std::string type; ///< The MLIR type, for messages ("memref<?x2048xbf16>").
  /// Extents; a dynamic extent holds -1 - (index of its runtime size).
  std::vector<int64_t> shape;
  unsigned elementBits = 8; ///< Bits per element (4 for packed E2M1).

  /// Bytes the buffer needs when the runtime sizes are `sizes`.
  uint64_t getBytes(llvm::ArrayRef<int64_t> sizes) const;
};

/// A runtime size: extent `dim` of parameter `param`, named for messages
/// and for callers that pass sizes by name ("M").
struct PlanSize {
  std::string name;
  unsigned param = 0;
  unsigned dim = 0;
};

/// One launch dimension: `constant`, or ceil(sizes[size] / divisor).
struct PlanDim {
  int64_t constant = 1;
  int64_t divisor = 0;
  unsigned size = 0;
  /// The extent for runtime sizes `sizes`: exact for every int64 size (no
  /// intermediate overflows); a grid over 2^32 - 1 is the caller's to refuse.
  int64_t evaluate(llvm::ArrayRef<int64_t> sizes) const;
};

/// Where a kernel argument comes from.
struct PlanArg {
  enum class Kind { Param, Size, Constant };
  Kind kind = Kind::Constant;
  unsigned index = 0; ///< Parameter or size index.
  int64_t value = 0;  ///< For constants.
  unsigned bytes = 8; ///< Size in the kernel's argument segment.
};

struct PlanLaunch {
  std::string kernel;
  PlanDim grid[3];
  uint32_t block[3] = {1, 1, 1};
  uint32_t dynamicLdsBytes = 0;
  std::string config; ///< printGemmConfig form, for scaled matmuls.
  std::vector<PlanArg> args;
};

/// Size `size` in [min, max], inclusive.
struct PlanRange {
  unsigned size = 0;
  int64_t min = 0, max = 0;
};

/// The launches, in order, that carry out one op when every size of `when`
/// lies in its range (an empty `when` holds for all sizes).
struct PlanVariant {
  std::vector<PlanRange> when;
  std::vector<PlanLaunch> launches;

  bool matches(llvm::ArrayRef<int64_t> sizes) const;
};

/// One mx op of the program: its variants, of which the first that matches
/// the runtime sizes runs.
struct PlanDispatch {
  std::string op; ///< The mx op ("scaled_matmul"), for messages.
  std::vector<PlanVariant> variants;
};

/// One program: the func.func the host calls.
struct PlanProgram {
  std::string name;
  std::vector<PlanParam> params;
  std::vector<PlanSize> sizes;
  /// In program order.
  std::vector<PlanDispatch> dispatches;

  /// Index of the size called `name`, or -1.
  int lookupSize(llvm::StringRef name) const;
};

struct LaunchPlan {
  std::vector<PlanProgram> programs;
  const PlanProgram *lookupProgram(llvm::StringRef name) const;
};

/// A launch of a program for given runtime sizes.
struct ResolvedLaunch {
  uint32_t grid[3] = {1, 1, 1};
  /// A size of 0 leaves nothing to compute: the launch is skipped.
  bool empty = false;
  struct Arg {
    bool isBuffer = false;
    unsigned param = 0; ///< Program parameter, for buffers.
    int64_t value = 0;  ///< The value, for scalars.
    unsigned bytes = 8; ///< Scalar width in the argument segment (4 or 8).
  };
  std::vector<Arg> args;
};

/// The index of the variant of `dispatch` (of `program`) that runs for
/// `sizes` (one per PlanProgram::sizes): the first that matches. An error
/// naming the sizes and the ranges when none does (a size outside every
/// range: negative, or over what the kernels take).
llvm::Expected<unsigned> selectVariant(const PlanProgram &program,
                                       const PlanDispatch &dispatch,
                                       llvm::ArrayRef<int64_t> sizes);

/// `variant`'s ranges as text: "M in [0, 16]", or "any sizes".
std::string describeWhen(const PlanProgram &program,
                         const PlanVariant &variant);

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
