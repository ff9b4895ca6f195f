//===- Profiler.h - Counting a simulated launch's traffic -------*- C++ -*-===//
//
// Part of mxc. The executor reports each wave-level memory and matrix
// instruction here when a profile is asked for; the profiler keeps per
// instruction counters, an LRU model of the vector L1 shared by the
// workgroup's waves, the global lines touched, LDS bank cycles, and each
// wave's vector memory loads in flight until it waits for them.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_SIM_PROFILER_H
#define MXC_LIB_SIM_PROFILER_H

#include "Program.h"
#include "mxc/Sim/Profile.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"
#include <deque>
#include <list>
#include <optional>

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

  /// A vector memory load of `bytes` in-range bytes (0 when all of it is out
  /// of range: it still counts toward vmcnt), into registers `valueSlot` or,
  /// without one, into LDS.
  void loadIssued(unsigned wave, uint64_t bytes,
                  std::optional<uint32_t> valueSlot = std::nullopt);
  /// s_waitcnt vmcnt(`outstanding`): the wave's loads but the newest
  /// `outstanding` retire, in issue order.
  void waitForLoads(unsigned wave, uint64_t outstanding);
  /// `wave` runs `inst` (not a phi): the backend waits for a load into
  /// registers (and, the counter being in order, every older load) before
  /// the first instruction that uses its value. Bitcasts and moves of vector
  /// elements rename registers: their result stays pending.
  void instruction(unsigned wave, const Inst &inst);
  /// A phi copies `from` to `to`: a pending load's value stays pending.
  void valueCopied(unsigned wave, uint32_t from, uint32_t to);

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

  /// Retires the wave's loads up to and including number `sequence`.
  void retireLoads(unsigned wave, uint64_t sequence);

  std::vector<uint64_t> waveMatrixCycles;

  /// A vector memory load not yet waited for.
  struct PendingLoad {
    uint64_t sequence; ///< Issue order within the wave.
    uint64_t bytes;
    uint64_t issueWork;        ///< The wave's matrix cycles at its issue.
    uint32_t waitsBeforeIssue; ///< Recorded waits before its issue.
  };
  /// Per wave of the current workgroup.
  struct WaveLoads {
    std::deque<PendingLoad> pending;
    uint64_t issued = 0;
    uint64_t pendingBytes = 0;
    /// Register slots holding a pending load's value -> its sequence.
    llvm::DenseMap<uint32_t, uint64_t> values;
    WaveLoadTimeline timeline;
  };
  std::vector<WaveLoads> waveLoads;
  /// Sums over retired loads of b and b x (the wave's bytes in flight when
  /// it retired), b the load's bytes.
  double retiredBytes = 0, retiredBytesInFlight = 0;
};

} // namespace mxc::sim

#endif // MXC_LIB_SIM_PROFILER_H
