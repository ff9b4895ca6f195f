//===- TimingModel.cpp - Throughput models of AMDGPU chips ----------------===//
//
// Part of mxc. docs/profile.md gives each figure's source.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/TimingModel.h"

using namespace mxc::amdgpu;

/// MI355X (CDNA4).
static TimingModel makeGfx950() {
  TimingModel m;
  m.chip = "gfx950";
  m.clockGHz = 2.4;
  m.computeUnits = 256;
  m.simdsPerCu = 4;
  m.l1Bytes = 32 * 1024;
  m.lineBytes = 128;
  m.l1LinesPerClock = 1.0;
  m.l2BytesPerClockPerCu = 64.0;
  m.ldsBanks = 64;
  m.ldsBankBytes = 4;
  // ds_read_b128: 4 phases of 16 lanes, ds_read_b64: 2 of 32 (256 B each);
  // ds_write_b64: 4 phases of 16 lanes (128 B each).
  m.ldsReadPhaseBytes = 256;
  m.ldsWritePhaseBytes = 128;
  m.ldsBytesPerCu = 160 * 1024;
  m.hbmBytesPerSecond = 8.0e12;
  // 256 CUs x 32 KB in flight sustain the measured 7.2 TB/s at a latency of
  // 8 MiB / 7.2 TB/s = 1.17 us = 2800 clocks.
  m.memoryLatencyClocks = 2800.0;
  // Assumed: an L2 hit at about a fifth of that (no gfx950 figure is
  // published; CDNA3 pointer-chase studies put L2 well below HBM).
  m.l2LatencyClocks = 500.0;
  m.inFlightBytesPerCu = 32.0 * 1024;
  return m;
}

static const TimingModel kModels[] = {makeGfx950()};

const TimingModel *mxc::amdgpu::lookupTimingModel(llvm::StringRef chip) {
  for (const TimingModel &model : kModels)
    if (model.chip == chip)
      return &model;
  return nullptr;
}
