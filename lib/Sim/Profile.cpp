//===- Profile.cpp - Counting traffic and weighing it against a chip ------===//
//
// Part of mxc. docs/profile.md states the model this code implements.
//
//===----------------------------------------------------------------------===//

#include "Profiler.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Instruction.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"

#include <algorithm>
#include <cmath>
#include <map>

using namespace llvm;
using namespace mxc;
using namespace mxc::sim;

StringRef mxc::sim::getSiteKindName(SiteKind kind) {
  switch (kind) {
  case SiteKind::GlobalLoad:
    return "global load";
  case SiteKind::GlobalStore:
    return "global store";
  case SiteKind::GlobalAtomic:
    return "global atomic";
  case SiteKind::LdsLoad:
    return "LDS load";
  case SiteKind::LdsStore:
    return "LDS store";
  case SiteKind::LdsAtomic:
    return "LDS atomic";
  case SiteKind::LoadToLds:
    return "load.lds";
  case SiteKind::Matrix:
    return "matrix";
  }
  llvm_unreachable("unknown site kind");
}

std::vector<uint64_t> mxc::sim::sampleWorkgroups(const Dim3 &grid,
                                                 uint64_t count) {
  uint64_t total = grid.count();
  std::vector<uint64_t> ids;
  if (count == 0 || count >= total) {
    for (uint64_t i = 0; i < total; ++i)
      ids.push_back(i);
    return ids;
  }
  // Evenly spread, so that the sample covers every part of the grid (first
  // and last rows and columns of tiles included).
  for (uint64_t i = 0; i < count; ++i)
    ids.push_back(count == 1 ? 0 : i * (total - 1) / (count - 1));
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  return ids;
}

//===----------------------------------------------------------------------===//
// Profiler
//===----------------------------------------------------------------------===//

Profiler::Profiler(const Kernel &kernel, const LaunchParams &launch,
                   const amdgpu::TimingModel &model, uint32_t ldsBytes)
    : kernel(kernel), launch(launch), model(model), ldsBytes(ldsBytes) {
  profile.kernel = kernel.name;
  profile.chip = model.chip.str();
  profile.grid = launch.grid;
  profile.block = launch.block;
  profile.waveSize = kernel.waveSize;
  profile.ldsBytesPerWorkgroup = ldsBytes;
}

static std::string describeLocation(const Inst &inst,
                                    const std::string &kernel) {
  if (!inst.ir)
    return kernel;
  if (const DebugLoc &loc = inst.ir->getDebugLoc()) {
    std::string text;
    raw_string_ostream os(text);
    StringRef file = loc->getFilename();
    os << (file.empty() ? StringRef("<unknown>") : file) << ":" << loc.getLine()
       << ":" << loc.getCol();
    return text;
  }
  std::string text;
  raw_string_ostream os(text);
  inst.ir->print(os);
  return StringRef(text).trim().str();
}

SiteProfile &Profiler::site(const Inst &inst, SiteKind kind) {
  auto [it, inserted] = siteIndex.try_emplace(&inst, profile.sites.size());
  if (inserted) {
    SiteProfile s;
    s.location = describeLocation(inst, kernel.name);
    s.kind = kind;
    profile.sites.push_back(std::move(s));
  }
  return profile.sites[it->second];
}

void Profiler::beginWorkgroup(unsigned numWaves) {
  lru.clear();
  l1.clear();
  waveMatrixCycles.assign(numWaves, 0);
  waveLoads.assign(numWaves, WaveLoads());
  for (WaveLoads &w : waveLoads)
    w.timeline.workgroup = profile.profiledWorkgroups;
}

void Profiler::endWorkgroup() {
  // A wave's end waits for what it still has in flight.
  for (unsigned w = 0; w < waveLoads.size(); ++w) {
    if (waveLoads[w].issued)
      retireLoads(w, waveLoads[w].issued - 1);
    waveLoads[w].timeline.work = waveMatrixCycles[w];
    profile.waveTimelines.push_back(std::move(waveLoads[w].timeline));
  }
  ++profile.profiledWorkgroups;
  std::vector<uint64_t> simd(model.simdsPerCu, 0);
  for (size_t w = 0; w < waveMatrixCycles.size(); ++w)
    simd[w % model.simdsPerCu] += waveMatrixCycles[w];
  profile.busiestSimdMatrixCycles +=
      *std::max_element(simd.begin(), simd.end());
}

bool Profiler::l1Lookup(uint64_t line) {
  auto it = l1.find(line);
  if (it != l1.end()) {
    lru.splice(lru.begin(), lru, it->second);
    return true;
  }
  lru.push_front(line);
  l1[line] = lru.begin();
  if (lru.size() > model.l1Bytes / model.lineBytes) {
    l1.erase(lru.back());
    lru.pop_back();
  }
  return false;
}

void Profiler::globalAccess(const Inst &inst, SiteKind kind,
                            ArrayRef<LaneAccess> lanes) {
  SiteProfile &s = site(inst, kind);
  ++s.executions;
  SmallVector<unsigned, 64> laneIds;
  for (const LaneAccess &a : lanes)
    if (a.bytes)
      laneIds.push_back(a.lane);
  llvm::sort(laneIds);
  s.activeLanes +=
      std::unique(laneIds.begin(), laneIds.end()) - laneIds.begin();
  countGlobal(s, kind == SiteKind::GlobalStore, lanes);
}

void Profiler::countGlobal(SiteProfile &s, bool store,
                           ArrayRef<LaneAccess> lanes) {
  SmallVector<uint64_t, 64> lines;
  uint64_t bytes = 0;
  for (const LaneAccess &a : lanes) {
    if (a.bytes == 0)
      continue;
    bytes += a.bytes;
    for (uint64_t line = a.address / model.lineBytes;
         line <= (a.address + a.bytes - 1) / model.lineBytes; ++line)
      lines.push_back(line);
  }
  llvm::sort(lines);
  lines.erase(std::unique(lines.begin(), lines.end()), lines.end());
  s.bytes += bytes;
  s.lines += lines.size();
  profile.l1LineLookups += lines.size();
  (store ? profile.globalStoreBytes : profile.globalLoadBytes) += bytes;
  for (uint64_t line : lines) {
    touchedLines.insert(line);
    // L1 is write-through: stores go on to L2 whatever L1 holds.
    bool hit = l1Lookup(line);
    if (!store && !hit)
      profile.l2Bytes += model.lineBytes;
  }
  if (store)
    profile.l2Bytes += bytes;
}

void Profiler::ldsAccess(const Inst &inst, SiteKind kind,
                         ArrayRef<LaneAccess> lanes) {
  SiteProfile &s = site(inst, kind);
  ++s.executions;
  if (lanes.empty())
    return;
  s.activeLanes += lanes.size();
  // Lanes are served in phases of a fixed number of bytes.
  unsigned laneBytes = std::max(4u, lanes.front().bytes);
  unsigned phaseBytes = kind == SiteKind::LdsLoad ? model.ldsReadPhaseBytes
                                                  : model.ldsWritePhaseBytes;
  s.bytes += countLds(s, lanes, std::max(1u, phaseBytes / laneBytes));
}

void Profiler::loadToLds(const Inst &inst, ArrayRef<LaneAccess> globalLanes,
                         ArrayRef<LaneAccess> ldsLanes,
                         unsigned ldsLaneStride) {
  SiteProfile &s = site(inst, SiteKind::LoadToLds);
  ++s.executions;
  // Every active lane writes LDS, whether or not its read was in range.
  s.activeLanes += ldsLanes.size();
  countGlobal(s, /*store=*/false, globalLanes);
  // LDS sees a write of the lanes' slots in order: served like a ds_write
  // of the slot size.
  s.ldsBytes += countLds(
      s, ldsLanes,
      std::max(1u, model.ldsWritePhaseBytes / std::max(4u, ldsLaneStride)));
}

uint64_t Profiler::countLds(SiteProfile &s, ArrayRef<LaneAccess> lanes,
                            unsigned lanesPerPhase) {
  // Within a phase each bank serves one dword a cycle, the same dword to any
  // number of lanes (broadcast).
  std::map<unsigned, SmallVector<uint64_t, 64>> phases; // phase -> dwords
  uint64_t bytes = 0;
  for (const LaneAccess &a : lanes) {
    bytes += a.bytes;
    auto &dwords = phases[a.lane / lanesPerPhase];
    for (uint64_t d = a.address / model.ldsBankBytes;
         d <= (a.address + std::max(1u, a.bytes) - 1) / model.ldsBankBytes; ++d)
      dwords.push_back(d);
  }
  uint64_t cycles = 0, conflicts = 0;
  for (auto &[phase, dwords] : phases) {
    llvm::sort(dwords);
    dwords.erase(std::unique(dwords.begin(), dwords.end()), dwords.end());
    SmallVector<unsigned, 64> perBank(model.ldsBanks, 0);
    unsigned worst = 1;
    for (uint64_t d : dwords)
      worst = std::max(worst, ++perBank[d % model.ldsBanks]);
    cycles += worst;
    conflicts += worst - 1;
  }
  s.ldsCycles += cycles;
  s.bankConflicts += conflicts;
  profile.ldsBytes += bytes;
  profile.ldsCycles += cycles;
  profile.ldsBankConflicts += conflicts;
  return bytes;
}

void Profiler::matrix(const Inst &inst, unsigned wave, unsigned cycles,
                      uint64_t flops) {
  SiteProfile &s = site(inst, SiteKind::Matrix);
  ++s.executions;
  s.activeLanes += kernel.waveSize;
  s.matrixCycles += cycles;
  s.flops += flops;
  ++profile.matrixInstructions;
  profile.matrixCycles += cycles;
  profile.flops += flops;
  waveMatrixCycles[wave] += cycles;
}

void Profiler::loadIssued(unsigned wave, uint64_t bytes,
                          std::optional<uint32_t> valueSlot) {
  WaveLoads &w = waveLoads[wave];
  uint64_t sequence = w.issued++;
  w.pending.push_back({sequence, bytes, waveMatrixCycles[wave],
                       uint32_t(w.timeline.waits.size())});
  w.pendingBytes += bytes;
  if (valueSlot)
    w.values[*valueSlot] = sequence;
}

void Profiler::waitForLoads(unsigned wave, uint64_t outstanding) {
  WaveLoads &w = waveLoads[wave];
  if (w.pending.size() > outstanding)
    retireLoads(wave, w.pending[w.pending.size() - outstanding - 1].sequence);
}

void Profiler::instruction(unsigned wave, const Inst &inst) {
  WaveLoads &w = waveLoads[wave];
  if (w.values.empty())
    return;
  switch (inst.op) {
  case Opcode::BitCast:
  case Opcode::ExtractElement:
  case Opcode::InsertElement:
  case Opcode::ShuffleVector:
  case Opcode::ExtractValue:
  case Opcode::InsertValue: {
    std::optional<uint64_t> newest;
    for (uint32_t slot : inst.src)
      if (auto it = w.values.find(slot); it != w.values.end())
        newest = std::max(newest.value_or(0), it->second);
    if (newest)
      w.values[inst.dst] = *newest;
    return;
  }
  default:
    break;
  }
  for (uint32_t slot : inst.src) {
    auto it = w.values.find(slot);
    if (it == w.values.end())
      continue;
    uint64_t sequence = it->second;
    w.values.erase(it);
    retireLoads(wave, sequence);
  }
}

void Profiler::valueCopied(unsigned wave, uint32_t from, uint32_t to) {
  WaveLoads &w = waveLoads[wave];
  if (w.values.empty())
    return;
  auto it = w.values.find(from);
  if (it != w.values.end())
    w.values[to] = it->second;
  else
    w.values.erase(to);
}

void Profiler::retireLoads(unsigned wave, uint64_t sequence) {
  WaveLoads &w = waveLoads[wave];
  std::optional<PendingLoad> newest;
  while (!w.pending.empty() && w.pending.front().sequence <= sequence) {
    const PendingLoad &load = w.pending.front();
    if (load.bytes) {
      retiredBytes += double(load.bytes);
      retiredBytesInFlight += double(load.bytes) * double(w.pendingBytes);
      newest = load;
    }
    w.pendingBytes -= load.bytes;
    w.pending.pop_front();
  }
  // Loads with nothing in range do not reach memory: no latency to wait.
  if (newest)
    w.timeline.waits.push_back(
        {waveMatrixCycles[wave], newest->issueWork, newest->waitsBeforeIssue});
}

KernelProfile Profiler::finish(uint64_t workgroups, Memory &memory) {
  profile.workgroups = workgroups;
  // Byte-weighted: what the wave has in flight when the average loaded byte
  // is waited for.
  profile.bytesInFlightPerWave =
      retiredBytes > 0 ? retiredBytesInFlight / retiredBytes : 0.0;
  // Footprint: lines per buffer, scaled to the grid, at most the buffer.
  DenseMap<const Memory::Buffer *, uint64_t> linesPerBuffer;
  uint64_t outside = 0;
  for (uint64_t line : touchedLines) {
    if (const Memory::Buffer *b = memory.find(line * model.lineBytes, 1))
      ++linesPerBuffer[b];
    else
      ++outside;
  }
  double scale = profile.scale();
  double unique = double(outside * model.lineBytes) * scale;
  for (auto &[buffer, lines] : linesPerBuffer)
    unique += std::min(double(lines * model.lineBytes) * scale,
                       double(alignTo(buffer->data.size(), model.lineBytes)));
  profile.uniqueGlobalBytes = uint64_t(unique);
  return std::move(profile);
}

//===----------------------------------------------------------------------===//
// Timing model
//===----------------------------------------------------------------------===//

ModelEstimate mxc::sim::estimate(const KernelProfile &p,
                                 const amdgpu::TimingModel &model,
                                 const OccupancyHint &hint) {
  ModelEstimate e;
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip(model.chip);
  double n = double(std::max<uint64_t>(1, p.profiledWorkgroups));
  unsigned wavesPerWorkgroup =
      unsigned((p.block.count() + p.waveSize - 1) / p.waveSize);
  unsigned wavesPerSimd = chip ? (hint.vgprs ? chip->getWavesPerSimd(hint.vgprs)
                                             : chip->maxWavesPerSimd)
                               : 8;
  uint64_t byWaves =
      std::max(1u, wavesPerSimd * model.simdsPerCu / wavesPerWorkgroup);
  uint64_t byLds =
      p.ldsBytesPerWorkgroup
          ? std::max<uint64_t>(1, model.ldsBytesPerCu / p.ldsBytesPerWorkgroup)
          : byWaves;
  uint64_t perCu = (p.workgroups + model.computeUnits - 1) / model.computeUnits;
  e.workgroupsPerCu =
      unsigned(std::max<uint64_t>(1, std::min({byWaves, byLds, perCu})));
  double r = e.workgroupsPerCu;
  e.rounds = std::ceil(double(p.workgroups) /
                       (double(model.computeUnits) * e.workgroupsPerCu));

  // Per round, on one CU running r workgroups at once.
  double matrixTotal = double(p.matrixCycles) / n;
  double matrixBusiest = double(p.busiestSimdMatrixCycles) / n;
  double matrixRound =
      wavesPerWorkgroup >= model.simdsPerCu
          ? r * matrixBusiest
          : std::max(matrixBusiest, r * matrixTotal / model.simdsPerCu);
  double l1Round = r * double(p.l1LineLookups) / n / model.l1LinesPerClock;
  double l2PerWorkgroup = double(p.l2Bytes) / n;
  double l2Round = r * l2PerWorkgroup / model.l2BytesPerClockPerCu;
  double ldsRound = r * double(p.ldsCycles) / n;
  double latencyRound = 0;
  double loadBytes = double(p.globalLoadBytes) / n;
  if (loadBytes > 0) {
    // Bytes first touched come from HBM; the rest of what misses L1 hits L2.
    double fromL2 = std::min(loadBytes, l2PerWorkgroup);
    double fromHbm =
        std::min(fromL2, double(p.uniqueGlobalBytes) / double(p.workgroups));
    double latency = fromL2 > 0 ? (fromHbm * model.memoryLatencyClocks +
                                   (fromL2 - fromHbm) * model.l2LatencyClocks) /
                                      fromL2
                                : model.l2LatencyClocks;
    // Each wave's timeline: its matrix work, slowed by the waves sharing its
    // SIMD, and waits that hold it until `latency` after the issue of the
    // newest load they retire. A workgroup takes its slowest wave.
    double stretch = std::max(1.0, r * wavesPerWorkgroup / model.simdsPerCu);
    std::vector<double> slowest(size_t(n), 0.0), stallAfter;
    for (const WaveLoadTimeline &t : p.waveTimelines) {
      stallAfter.assign(t.waits.size(), 0.0);
      double stall = 0;
      for (size_t i = 0; i < t.waits.size(); ++i) {
        const LoadWait &w = t.waits[i];
        double issued =
            stretch * double(w.issueWork) +
            (w.waitsBeforeIssue ? stallAfter[w.waitsBeforeIssue - 1] : 0.0);
        double now = stretch * double(w.work) + stall;
        stall += std::max(0.0, issued + latency - now);
        stallAfter[i] = stall;
      }
      if (t.workgroup < slowest.size())
        slowest[t.workgroup] =
            std::max(slowest[t.workgroup], stretch * double(t.work) + stall);
    }
    double timeline = 0;
    for (double clocks : slowest)
      timeline += clocks / n;
    // At most `inFlightBytesPerCu` in flight on the CU (Little's law).
    latencyRound =
        std::max(timeline, r * fromL2 * latency / model.inFlightBytesPerCu);
  }
  e.matrixClocks = e.rounds * matrixRound;
  e.l1Clocks = e.rounds * l1Round;
  e.l2Clocks = e.rounds * l2Round;
  e.ldsClocks = e.rounds * ldsRound;
  e.latencyClocks = e.rounds * latencyRound;
  e.hbmClocks = double(p.uniqueGlobalBytes) / model.hbmBytesPerClock();

  std::pair<double, const char *> terms[] = {
      {e.matrixClocks, "matrix"},   {e.l1Clocks, "l1"},
      {e.l2Clocks, "l2"},           {e.ldsClocks, "lds"},
      {e.latencyClocks, "latency"}, {e.hbmClocks, "hbm"}};
  auto worst = std::max_element(
      std::begin(terms), std::end(terms),
      [](const auto &a, const auto &b) { return a.first < b.first; });
  double clocks = std::max(1.0, worst->first);
  e.bound = worst->second;
  e.modelledSeconds = clocks / (model.clockGHz * 1e9);
  double matrixWork = double(p.matrixCycles) * p.scale() /
                      (double(model.computeUnits) * model.simdsPerCu);
  e.percentOfMatrixPeak = 100.0 * matrixWork / clocks;
  e.percentOfHbmPeak =
      100.0 * double(p.uniqueGlobalBytes) / (clocks * model.hbmBytesPerClock());
  return e;
}

//===----------------------------------------------------------------------===//
// Reports
//===----------------------------------------------------------------------===//

/// Per-MFLOP figures over the whole grid; absent without matrix work.
static std::optional<double> perMflop(const KernelProfile &p, uint64_t count) {
  if (!p.flops)
    return std::nullopt;
  return double(count) / (double(p.flops) / 1e6);
}

void mxc::sim::printProfile(raw_ostream &os, const KernelProfile &p,
                            const ModelEstimate *e) {
  double s = p.scale();
  os << "profile of kernel '" << p.kernel << "' on " << p.chip << ": grid ("
     << p.grid.x << "," << p.grid.y << "," << p.grid.z << "), block ("
     << p.block.x << "," << p.block.y << "," << p.block.z << "), "
     << p.profiledWorkgroups << " of " << p.workgroups
     << " workgroups run, figures scaled x" << format("%.2f", s)
     << " to the grid\n";
  os << "  per instruction (over the profiled workgroups):\n";
  os << format("    %-14s %10s %7s %12s %10s %10s %10s  %s\n", "kind",
               "executions", "lanes", "bytes", "lines/exec", "lds cycles",
               "conflicts", "location");
  for (const SiteProfile &site : p.sites) {
    double linesPerExec =
        site.executions ? double(site.lines) / site.executions : 0.0;
    double lanes =
        site.executions ? double(site.activeLanes) / site.executions : 0.0;
    os << format("    %-14s %10llu %7.1f %12llu %10.2f %10llu %10llu  ",
                 getSiteKindName(site.kind).str().c_str(),
                 (unsigned long long)site.executions, lanes,
                 (unsigned long long)site.bytes, linesPerExec,
                 (unsigned long long)site.ldsCycles,
                 (unsigned long long)site.bankConflicts)
       << site.location << "\n";
  }
  auto total = [&](uint64_t v) { return (unsigned long long)(double(v) * s); };
  os << "  grid totals: global loads " << total(p.globalLoadBytes)
     << " B, stores " << total(p.globalStoreBytes) << " B, unique "
     << p.uniqueGlobalBytes << " B (HBM floor); L1 line lookups "
     << total(p.l1LineLookups) << ", L2 -> L1 " << total(p.l2Bytes)
     << " B; LDS " << total(p.ldsBytes) << " B in " << total(p.ldsCycles)
     << " bank cycles, " << total(p.ldsBankConflicts)
     << " conflict cycles; matrix " << total(p.matrixInstructions)
     << " instructions, " << total(p.matrixCycles) << " pipe cycles, "
     << format("%.4g", double(p.flops) * s) << " FLOP; "
     << format("%.0f", p.bytesInFlightPerWave)
     << " B of loads in flight per wave\n";
  if (auto v = perMflop(p, p.l1LineLookups))
    os << "  per MFLOP: " << format("%.2f", *v) << " L1 lines, "
       << format("%.1f", *perMflop(p, p.l2Bytes)) << " L2 bytes, "
       << format("%.1f", *perMflop(p, p.ldsBytes)) << " LDS bytes\n";
  if (!e)
    return;
  os << "  model: " << e->workgroupsPerCu << " workgroups per CU, "
     << format("%.0f", e->rounds) << " rounds; clocks: matrix "
     << format("%.0f", e->matrixClocks) << ", L1 "
     << format("%.0f", e->l1Clocks) << ", L2 " << format("%.0f", e->l2Clocks)
     << ", LDS " << format("%.0f", e->ldsClocks) << ", latency "
     << format("%.0f", e->latencyClocks) << ", HBM "
     << format("%.0f", e->hbmClocks) << "\n";
  os << "  bound: " << e->bound << "; modelled "
     << format("%.2f", e->modelledSeconds * 1e6) << " us, "
     << format("%.1f", e->percentOfMatrixPeak) << "% of matrix peak, "
     << format("%.1f", e->percentOfHbmPeak) << "% of HBM bandwidth\n";
}

void mxc::sim::printProfileJson(raw_ostream &os, const KernelProfile &p,
                                const ModelEstimate *e) {
  double s = p.scale();
  auto total = [&](uint64_t v) { return double(v) * s; };
  auto orNull = [](std::optional<double> v) -> json::Value {
    if (v)
      return *v;
    return nullptr;
  };
  json::Array sites;
  for (const SiteProfile &site : p.sites) {
    sites.push_back(json::Object{
        {"location", site.location},
        {"kind", getSiteKindName(site.kind)},
        {"executions", int64_t(site.executions)},
        {"active_lanes", int64_t(site.activeLanes)},
        {"bytes", int64_t(site.bytes)},
        {"lines", int64_t(site.lines)},
        {"lds_cycles", int64_t(site.ldsCycles)},
        {"lds_bank_conflicts", int64_t(site.bankConflicts)},
        {"matrix_cycles", int64_t(site.matrixCycles)},
    });
    if (site.kind == SiteKind::LoadToLds)
      sites.back().getAsObject()->try_emplace("lds_bytes",
                                              int64_t(site.ldsBytes));
  }
  json::Object o{
      {"kernel", p.kernel},
      {"chip", p.chip},
      {"grid", json::Array{p.grid.x, p.grid.y, p.grid.z}},
      {"block", json::Array{p.block.x, p.block.y, p.block.z}},
      {"workgroups", int64_t(p.workgroups)},
      {"profiled_workgroups", int64_t(p.profiledWorkgroups)},
      {"global_load_bytes", total(p.globalLoadBytes)},
      {"global_store_bytes", total(p.globalStoreBytes)},
      {"unique_global_bytes", int64_t(p.uniqueGlobalBytes)},
      {"l1_line_lookups", total(p.l1LineLookups)},
      {"l2_bytes", total(p.l2Bytes)},
      {"lds_bytes", total(p.ldsBytes)},
      {"lds_cycles", total(p.ldsCycles)},
      {"lds_bank_conflicts", total(p.ldsBankConflicts)},
      {"matrix_instructions", total(p.matrixInstructions)},
      {"matrix_cycles", total(p.matrixCycles)},
      {"flops", total(p.flops)},
      {"bytes_in_flight_per_wave", p.bytesInFlightPerWave},
      {"l1_lines_per_mflop", orNull(perMflop(p, p.l1LineLookups))},
      {"l2_bytes_per_mflop", orNull(perMflop(p, p.l2Bytes))},
      {"lds_bytes_per_mflop", orNull(perMflop(p, p.ldsBytes))},
      {"sites", std::move(sites)},
  };
  if (e) {
    o["bound"] = e->bound;
    o["modelled_us"] = e->modelledSeconds * 1e6;
    o["percent_of_matrix_peak"] = e->percentOfMatrixPeak;
    o["percent_of_hbm_peak"] = e->percentOfHbmPeak;
    o["workgroups_per_cu"] = int64_t(e->workgroupsPerCu);
    o["rounds"] = e->rounds;
    o["clocks"] =
        json::Object{{"matrix", e->matrixClocks},   {"l1", e->l1Clocks},
                     {"l2", e->l2Clocks},           {"lds", e->ldsClocks},
                     {"latency", e->latencyClocks}, {"hbm", e->hbmClocks}};
  }
  os << json::Value(std::move(o)) << "\n";
}
