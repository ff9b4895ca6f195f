//===- IsaStats.h - Static figures of a code object's machine code -*- C++
//-*-===//
//
// Part of mxc. What `mxc inspect` reports per kernel: register use, spills,
// scratch, LDS and occupancy from the metadata, and the instruction mix of
// the hottest loop (the backward-branch loop holding the most matrix
// instructions) from disassembly. The figures are those of
// ../shared/tools/isa_stats.py, so the two can be compared directly.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_ISASTATS_H
#define MXC_TARGET_AMDGPU_ISASTATS_H

#include "mxc/Target/AMDGPU/CodeObjectReader.h"

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mxc::amdgpu {

struct HotLoopStats {
  unsigned instructions = 0;
  unsigned matrixInstructions = 0;
  /// Instructions per category (matrix, valu, salu, vmem_load, ...).
  std::map<std::string, unsigned> mix;
  uint64_t flopsPerIteration = 0;
  double nonMatrixPerMatrix = 0;
  /// Non-matrix instructions per MFLOP of matrix work: the figure that
  /// compares kernels built on different instruction shapes.
  double nonMatrixPerMflop = 0;
  /// Matrix-pipe cycles per iteration, where every instruction's is known.
  std::optional<unsigned> matrixCyclesPerIteration;
  std::vector<std::string> matrixOps;
};

struct KernelIsaStats {
  const KernelInfo *kernel = nullptr;
  unsigned instructions = 0;
  unsigned matrixInstructions = 0;
  unsigned wavesPerSimd = 0; ///< From registers alone.
  std::optional<HotLoopStats> hotLoop;
};

/// Disassembles every kernel of `file` (read into `info`).
llvm::Expected<std::vector<KernelIsaStats>>
analyzeIsa(llvm::MemoryBufferRef file, const CodeObjectInfo &info);

/// The category isa_stats.py gives an instruction mnemonic.
llvm::StringRef getInstructionCategory(llvm::StringRef mnemonic);

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_ISASTATS_H
