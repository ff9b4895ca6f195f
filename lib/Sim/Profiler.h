//===- Profiler.h - Counting a simulated launch's traffic -------*- C++ -*-===//
//
// Part of mxc. The executor reports each wave-level memory and matrix
// instruction here when a profile is asked for; the profiler keeps per
// instruction counters, an LRU model of the vector L1 shared by the
// workgroup's waves, the global lines touched, LDS bank cycles, and the
// global loads each wave has in flight.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_SIM_PROFILER_H
#define MXC_LIB_SIM_PROFILER_H

#include "Program.h"
#include "mxc/Sim/Profile.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <list>

namespace mxc::sim {

/// One lane's part of a wave-level access.
struct LaneAccess {
  unsigned lane;
  uint64_t address; ///< Global address, or LDS offset.
  unsigned bytes;
};

class Profiler {
public:
  Profiler(const Kernel &kernel, const LaunchParams &launch,
           const amdgpu::TimingModel &model, uint32_t ldsBytes);

  void beginWorkgroup(unsigned numWaves);
  void endWorkgroup();

  void globalAccess(const Inst &inst, SiteKind kind,
                    llvm::ArrayRef<LaneAccess> lanes);
  void ldsAccess(const Inst &inst, SiteKind kind,
                 llvm::ArrayRef<LaneAccess> lanes);
  /// A load from memory into LDS: `globalLanes` read like a global load,
  /// `ldsLanes` written like an LDS store of lanes `ldsLaneStride` bytes
  /// apart. The caller reports the loaded bytes with loadIssued.
  void loadToLds(const Inst &inst, llvm::ArrayRef<LaneAccess> globalLanes,
                 llvm::ArrayRef<LaneAccess> ldsLanes, unsigned ldsLaneStride);
  void matrix(const Inst &inst, unsigned wave, unsigned cycles, uint64_t flops);

  /// Loads in flight: the backend schedules within a basic block, so the
  /// global loads one block execution of a wave issues are in flight
  /// together (a software-pipelined loop issues the next step's loads in the
  /// block that computes this one).
  void loadIssued(unsigned wave, uint64_t bytes) { blockLoads[wave] += bytes; }
  void blockEnded(unsigned wave);

  /// The counts, with the grid's footprint estimated from `memory`'s
  /// buffers.
  KernelProfile finish(uint64_t workgroups, Memory &memory);

private:
  SiteProfile &site(const Inst &inst, SiteKind kind);
  bool l1Lookup(uint64_t line);
  /// The global-side counts of one wave-level access (lines, L1, L2).
  void countGlobal(SiteProfile &s, bool store,
                   llvm::ArrayRef<LaneAccess> lanes);
  /// The LDS-side counts of one wave-level access, whose lanes are served
  /// `lanesPerPhase` at a time; returns the bytes accessed.
  uint64_t countLds(SiteProfile &s, llvm::ArrayRef<LaneAccess> lanes,
                    unsigned lanesPerPhase);

  const Kernel &kernel;
  const LaunchParams &launch;
  const amdgpu::TimingModel &model;
  uint32_t ldsBytes;
  llvm::DenseMap<const Inst *, unsigned> siteIndex;
  KernelProfile profile;

  // Vector L1 of the current workgroup: LRU of line numbers.
  std::list<uint64_t> lru;
  llvm::DenseMap<uint64_t, std::list<uint64_t>::iterator> l1;
  llvm::DenseSet<uint64_t> touchedLines; ///< Over all profiled workgroups.

  std::vector<uint64_t> waveMatrixCycles;
  std::vector<uint64_t> blockLoads; ///< Per wave, in its current block.
  /// Sums of b and b^2 over block executions loading b bytes.
  double batchBytes = 0, batchBytesSquared = 0;
};

} // namespace mxc::sim

#endif // MXC_LIB_SIM_PROFILER_H
