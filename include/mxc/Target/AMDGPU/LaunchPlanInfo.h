//===- LaunchPlanInfo.h - Launch plans, without LLVM ------------*- C++ -*-===//
//
// Part of mxc. A code object mxc compiles from a program (a func.func whose
// mx ops became kernels) carries a launch plan: the program's parameters, the
// runtime sizes (such as M) read from them, and per mx op (a dispatch) its
// variants: each the kernels to launch in order, with each grid dimension and
// argument said in terms of the sizes, for the sizes in its ranges. The plan
// travels as an ELF note (owner "mxc") holding MessagePack, beside the AMDGPU
// metadata note.
//
// This header and its library (MxcCodeObjectCore) use only the C++ standard
// library: libmxrt's core reads and runs plans with them. LaunchPlan.h adds
// the writer and llvm::Error forms of the functions for mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_LAUNCHPLANINFO_H
#define MXC_TARGET_AMDGPU_LAUNCHPLANINFO_H

#include "mxc/Target/AMDGPU/Result.h"

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace mxc::amdgpu {

/// ELF note owner and type of the launch plan.
constexpr std::string_view kLaunchPlanNoteOwner = "mxc";
constexpr uint32_t kLaunchPlanNoteType = 1;
/// Plan format version; a reader refuses a major version other than this
/// one and 1 (whose launches read as one dispatch of one variant).
constexpr unsigned kLaunchPlanVersionMajor = 2;
constexpr unsigned kLaunchPlanVersionMinor = 0;

/// A read-only view of runtime sizes, one per PlanProgram::sizes. It views
/// any contiguous container of int64_t (std::vector, llvm::ArrayRef,
/// llvm::SmallVector), an array, or a single size.
class SizeView {
public:
  SizeView() = default;
  SizeView(const int64_t *data, size_t count) : first(data), count(count) {}
  SizeView(const int64_t &one) : first(&one), count(1) {}
  template <size_t N>
  SizeView(const int64_t (&array)[N]) : first(array), count(N) {}
  template <
      typename Container,
      typename = std::enable_if_t<std::is_convertible_v<
          decltype(std::declval<const Container &>().data()), const int64_t *>>>
  SizeView(const Container &container)
      : first(container.data()), count(container.size()) {}

  const int64_t *data() const { return first; }
  size_t size() const { return count; }
  bool empty() const { return count == 0; }
  const int64_t *begin() const { return first; }
  const int64_t *end() const { return first + count; }
  int64_t operator[](size_t i) const { return first[i]; }

private:
  const int64_t *first = nullptr;
  size_t count = 0;
};

/// A program parameter: a buffer (memref) the caller passes.
struct PlanParam {
  std::string type; ///< The MLIR type, for messages ("memref<?x2048xbf16>").
  /// Extents; a dynamic extent holds -1 - (index of its runtime size).
  std::vector<int64_t> shape;
  unsigned elementBits = 8; ///< Bits per element (4 for packed E2M1).

  /// Bytes the buffer needs when the runtime sizes are `sizes`; saturates
  /// at UINT64_MAX rather than wrap.
  uint64_t getBytes(SizeView sizes) const;
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
  int64_t evaluate(SizeView sizes) const;
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

  bool matches(SizeView sizes) const;
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
  int lookupSize(std::string_view name) const;
};

struct LaunchPlan {
  std::vector<PlanProgram> programs;
  const PlanProgram *lookupProgram(std::string_view name) const;
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

/// `variant`'s ranges as text: "M in [0, 16]", or "any sizes".
std::string describeWhen(const PlanProgram &program,
                         const PlanVariant &variant);

namespace core {

/// Parses and checks a plan (the note's MessagePack descriptor): every index
/// in range, every dimension positive, every dispatch with a variant, every
/// range with 0 <= min <= max. Reads versions 1 and 2.
Result<LaunchPlan> readLaunchPlan(std::string_view msgpack);

/// The index of the variant of `dispatch` (of `program`) that runs for
/// `sizes`: the first that matches. A failure naming the sizes and the
/// ranges when none does (a size outside every range: negative, or over
/// what the kernels take).
Result<unsigned> selectVariant(const PlanProgram &program,
                               const PlanDispatch &dispatch, SizeView sizes);

/// Every launch that runs `program` for `sizes`, in order: per dispatch, the
/// launches of the variant selectVariant picks.
Result<std::vector<const PlanLaunch *>>
selectLaunches(const PlanProgram &program, SizeView sizes);

/// `launch` with `sizes` filled in; a failure when the grid does not fit 32
/// bits or a size does not fit the 32-bit argument that carries it.
Result<ResolvedLaunch> resolveLaunch(const PlanLaunch &launch, SizeView sizes);

} // namespace core
} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_LAUNCHPLANINFO_H
