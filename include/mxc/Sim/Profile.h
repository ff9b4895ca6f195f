//===- Profile.h - What a simulated kernel asks of the memory system -*- C++
//-*-===//
//
// Part of mxc. The simulator runs the IR handed to the backend, so it can
// count what a hardware profiler would: per memory or matrix instruction
// the wave-level executions, active lanes, bytes, distinct 128-byte lines
// and LDS bank cycles; per workgroup the L1 line lookups, the bytes L1
// misses draw from L2, and the global footprint (the HBM floor). A timing
// model (mxc/Target/AMDGPU/TimingModel.h) turns the counts into the binding
// resource and a modelled time. docs/profile.md describes both.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_SIM_PROFILE_H
#define MXC_SIM_PROFILE_H

#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/TimingModel.h"

#include "llvm/Support/raw_ostream.h"
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mxc::sim {

/// What an instruction accesses.
enum class SiteKind : uint8_t {
  GlobalLoad,
  GlobalStore,
  GlobalAtomic,
  LdsLoad,
  LdsStore,
  LdsAtomic,
  /// A load from global memory straight into LDS (buffer_load ... lds,
  /// global_load_lds_*): counted on both sides.
  LoadToLds,
  Matrix
};
llvm::StringRef getSiteKindName(SiteKind kind);

/// Counters of one IR instruction, summed over the profiled workgroups.
struct SiteProfile {
  std::string location; ///< file:line:col of its debug location, else its IR.
  SiteKind kind = SiteKind::GlobalLoad;
  uint64_t executions = 0;  ///< Wave-level executions.
  uint64_t activeLanes = 0; ///< Summed over executions.
  uint64_t bytes = 0;       ///< Bytes moved (in range, for buffer accesses);
                            ///< a load to LDS: bytes read from memory.
  uint64_t ldsBytes = 0;    ///< A load to LDS: bytes written to LDS.
  uint64_t lines = 0;       ///< Global: distinct lines, summed over executions.
  uint64_t ldsCycles = 0;   ///< LDS: bank cycles (phases x worst bank).
  uint64_t bankConflicts = 0; ///< LDS: bank cycles beyond conflict-free.
  uint64_t matrixCycles = 0;  ///< Matrix: pipe cycles.
  uint64_t flops = 0;         ///< Matrix: 2 x M x N x K per execution.
};

/// A wait of a wave that retired loads with in-range bytes (docs/profile.md,
/// Latency).
struct LoadWait {
  /// The wave's matrix cycles at the wait, and at the issue of the newest
  /// load with in-range bytes that the wait retired.
  uint64_t work = 0, issueWork = 0;
  /// How many of the wave's recorded waits came before that issue.
  uint32_t waitsBeforeIssue = 0;
};

/// One profiled wave's matrix work and load waits, in program order.
struct WaveLoadTimeline {
  uint64_t workgroup = 0; ///< Index among the profiled workgroups.
  uint64_t work = 0;      ///< Matrix cycles of the whole wave.
  std::vector<LoadWait> waits;
};

/// Which workgroups a profile runs: all, or a sample of a large grid whose
/// counts are scaled to the whole grid.
struct ProfileOptions {
  /// Linear workgroup ids (x fastest); empty runs the whole grid.
  std::vector<uint64_t> workgroups;
};

/// Evenly spread linear ids of `count` workgroups of `grid` (all of them
/// when count covers the grid).
std::vector<uint64_t> sampleWorkgroups(const Dim3 &grid, uint64_t count);

/// Counts of one launch. Totals cover the profiled workgroups; `scale`
/// (workgroups / profiledWorkgroups) extends them to the grid.
struct KernelProfile {
  std::string kernel;
  std::string chip;
  Dim3 grid, block;
  unsigned waveSize = 64;
  uint64_t workgroups = 0;
  uint64_t profiledWorkgroups = 0;
  uint32_t ldsBytesPerWorkgroup = 0;
  std::vector<SiteProfile> sites; ///< In program order.

  uint64_t globalLoadBytes = 0;
  uint64_t globalStoreBytes = 0;
  uint64_t l1LineLookups = 0;
  uint64_t l2Bytes = 0; ///< L1 misses x line size, plus stored lines.
  uint64_t ldsBytes = 0;
  uint64_t ldsCycles = 0;
  uint64_t ldsBankConflicts = 0;
  uint64_t matrixInstructions = 0;
  uint64_t matrixCycles = 0;
  uint64_t flops = 0;
  /// Matrix cycles of the busiest SIMD of each workgroup (wave w on SIMD
  /// w % 4), summed over workgroups.
  uint64_t busiestSimdMatrixCycles = 0;
  /// Global load bytes a wave has in flight when it waits for a load,
  /// averaged over the loads weighting each byte alike (0 without loads).
  double bytesInFlightPerWave = 0;
  /// Every profiled wave's load waits, for the latency term.
  std::vector<WaveLoadTimeline> waveTimelines;
  /// Distinct global bytes the grid touches (lines x line size), estimated
  /// from the sample per buffer and capped at the buffer's size.
  uint64_t uniqueGlobalBytes = 0;

  double scale() const {
    return profiledWorkgroups ? double(workgroups) / profiledWorkgroups : 0.0;
  }
};

/// What the timing model makes of a profile.
struct ModelEstimate {
  unsigned workgroupsPerCu = 1; ///< Resident at once.
  double rounds = 1;            ///< Waves of workgroups over the chip.
  /// Clocks of the whole grid each resource alone needs.
  double matrixClocks = 0, l1Clocks = 0, l2Clocks = 0, ldsClocks = 0,
         latencyClocks = 0, hbmClocks = 0;
  std::string bound; ///< "matrix", "l1", "l2", "lds", "latency" or "hbm".
  double modelledSeconds = 0;
  double percentOfMatrixPeak = 0; ///< Of the nameplate rate, format-aware.
  double percentOfHbmPeak = 0;
};

/// Occupancy limits the caller knows (from a code object's metadata).
struct OccupancyHint {
  unsigned vgprs = 0; ///< VGPR+AGPR per lane; 0 when unknown.
};

ModelEstimate estimate(const KernelProfile &profile,
                       const amdgpu::TimingModel &model,
                       const OccupancyHint &hint);

/// Human-readable report, and one JSON object (with the estimate when a
/// model is given).
void printProfile(llvm::raw_ostream &os, const KernelProfile &profile,
                  const ModelEstimate *estimate);
void printProfileJson(llvm::raw_ostream &os, const KernelProfile &profile,
                      const ModelEstimate *estimate);

} // namespace mxc::sim

#endif // MXC_SIM_PROFILE_H
