//===- TimingModel.h - Throughput model of an AMDGPU chip -------*- C++ -*-===//
//
// Part of mxc. The figures the simulator's profile weighs a kernel's counted
// traffic against: clock, compute units, the rate of each memory level and
// the matrix pipes. One row per chip with published figures; docs/profile.md
// gives each figure's source.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_TIMINGMODEL_H
#define MXC_TARGET_AMDGPU_TIMINGMODEL_H

#include "llvm/ADT/StringRef.h"

namespace mxc::amdgpu {

struct TimingModel {
  llvm::StringRef chip;
  double clockGHz;       ///< Nameplate peak engine clock.
  unsigned computeUnits; ///< Of the largest product (MI355X: 256).
  unsigned simdsPerCu;   ///< Each with one matrix pipe.
  /// Vector L1: capacity, line size and line lookups per clock per CU.
  unsigned l1Bytes;
  unsigned lineBytes;
  double l1LinesPerClock;
  /// Bytes per clock one CU receives from L2 (L1 misses and stores).
  double l2BytesPerClockPerCu;
  /// LDS: banks of `ldsBankBytes`; one bank cycle serves every bank once.
  /// Lanes of a wave-level access are served in phases of
  /// `ldsReadPhaseBytes` (reads) or `ldsWritePhaseBytes` (writes).
  unsigned ldsBanks;
  unsigned ldsBankBytes;
  unsigned ldsReadPhaseBytes;
  unsigned ldsWritePhaseBytes;
  unsigned ldsBytesPerCu;
  /// HBM bandwidth (nameplate) in bytes per second.
  double hbmBytesPerSecond;
  /// Latency in clocks of a load served by HBM and of one served by L2, and
  /// the bytes one CU keeps in flight at most: by Little's law a CU streams
  /// at most inFlight / latency bytes a clock.
  double memoryLatencyClocks;
  double l2LatencyClocks;
  double inFlightBytesPerCu;

  double hbmBytesPerClock() const {
    return hbmBytesPerSecond / (clockGHz * 1e9);
  }
};

/// The model of `chip`, or null when no published figures are recorded.
const TimingModel *lookupTimingModel(llvm::StringRef chip);

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_TIMINGMODEL_H
