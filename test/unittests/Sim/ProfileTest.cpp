//===- ProfileTest.cpp - The simulator's traffic counts and timing model --===//
//
// Part of mxc. Expected counts are worked out by hand from the documented
// gfx950 model (docs/profile.md, from AMD's CDNA4 figures): 128-byte global
// lines, a 32 KiB L1 shared by the workgroup's waves, 64 LDS banks of 4
// bytes served in phases of 256 bytes (reads) or 128 bytes (writes), and
// the scaled MFMA's pipe cycles (16x16x128: 32 with an FP8 operand, 16 with
// FP4/FP6 on both sides).
//
//===----------------------------------------------------------------------===//

#include "mxc/Sim/Profile.h"
#include "TestIR.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/TimingModel.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

using namespace mxc;
using Kind = sim::ArgValue::Kind;

namespace {

const char *kHeader = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare i32 @llvm.amdgcn.workgroup.id.x()
declare void @llvm.amdgcn.s.barrier()
declare <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v4i32.v4i32(<4 x i32>, <4 x i32>, <4 x float>, i32, i32, i32, i32, i32, i32)
declare <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v8i32(<8 x i32>, <8 x i32>, <4 x float>, i32, i32, i32, i32, i32, i32)
@lds = addrspace(3) global [16384 x i8] undef, align 16
)";

/// Profiles kernel @k(ptr addrspace(1) %buf) over a `bytes` buffer.
sim::KernelProfile profile(const std::string &body, unsigned lanes,
                           unsigned groups = 1, uint64_t bytes = 65536,
                           std::vector<uint64_t> sample = {}) {
  std::string text = std::string(test::kAmdgcnTarget) + kHeader + body;
  auto s = sim::Simulator::load(llvm::MemoryBufferRef(text, "t.ll"),
                                *amdgpu::lookupChip("gfx950"));
  EXPECT_TRUE(bool(s)) << llvm::toString(s.takeError());
  sim::KernelProfile result;
  if (!s)
    return result;
  sim::Memory memory;
  uint64_t buf = memory.allocate(bytes, "buf");
  sim::LaunchParams launch;
  launch.grid.x = groups;
  launch.block.x = lanes;
  sim::ProfileOptions options;
  options.workgroups = sample;
  llvm::Error e =
      s->profile("k", launch, {{Kind::Pointer, buf}}, memory, options, result);
  EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
  return result;
}

/// A kernel whose lanes do `op` at LDS byte offset `addr` (IR in terms of
/// %w, the workitem id).
std::string ldsKernel(const std::string &addr, const std::string &op) {
  return "define amdgpu_kernel void @k(ptr addrspace(1) %buf) {\n"
         "  %w = call i32 @llvm.amdgcn.workitem.id.x()\n"
         "  %off = " +
         addr +
         "\n"
         "  %p = getelementptr i8, ptr addrspace(3) @lds, i32 %off\n  " +
         op + "\n  ret void\n}\n";
}

const sim::SiteProfile &onlySite(const sim::KernelProfile &p) {
  EXPECT_EQ(p.sites.size(), 1u);
  return p.sites.front();
}

TEST(ProfileTest, LdsReadDwordsContiguousIsOneCycle) {
  auto p = profile(
      ldsKernel("shl i32 %w, 2", "%v = load volatile i32, ptr addrspace(3) %p"),
      64);
  const sim::SiteProfile &s = onlySite(p);
  EXPECT_EQ(s.kind, sim::SiteKind::LdsLoad);
  EXPECT_EQ(s.executions, 1u);
  EXPECT_EQ(s.bytes, 256u);
  EXPECT_EQ(s.ldsCycles, 1u); // 64 lanes x 4 B = one 256-byte phase
  EXPECT_EQ(s.bankConflicts, 0u);
}

TEST(ProfileTest, LdsReadDwordsStridedBy256BytesConflict64Ways) {
  // Every lane in bank 0, each at its own dword.
  auto p = profile(
      ldsKernel("shl i32 %w, 8", "%v = load volatile i32, ptr addrspace(3) %p"),
      64);
  EXPECT_EQ(onlySite(p).ldsCycles, 64u);
  EXPECT_EQ(onlySite(p).bankConflicts, 63u);
  EXPECT_EQ(p.ldsBankConflicts, 63u);
}

TEST(ProfileTest, LdsBroadcastIsNoConflict) {
  auto p = profile(
      ldsKernel("and i32 %w, 0", "%v = load volatile i32, ptr addrspace(3) %p"),
      64);
  EXPECT_EQ(onlySite(p).ldsCycles, 1u);
  EXPECT_EQ(onlySite(p).bankConflicts, 0u);
}

TEST(ProfileTest, LdsRead128ContiguousIsFourPhases) {
  auto p =
      profile(ldsKernel("shl i32 %w, 4", "%v = load volatile <4 x i32>, ptr "
                                         "addrspace(3) %p, align 16"),
              64);
  EXPECT_EQ(onlySite(p).bytes, 1024u);
  EXPECT_EQ(onlySite(p).ldsCycles, 4u); // 4 phases of 16 lanes
  EXPECT_EQ(onlySite(p).bankConflicts, 0u);
}

TEST(ProfileTest, LdsRead128RowStrideConflicts16Ways) {
  // Lanes 256 bytes apart: the 16 lanes of a phase all use banks 0-3.
  auto p =
      profile(ldsKernel("shl i32 %w, 8", "%v = load volatile <4 x i32>, ptr "
                                         "addrspace(3) %p, align 16"),
              64);
  EXPECT_EQ(onlySite(p).ldsCycles, 64u);
  EXPECT_EQ(onlySite(p).bankConflicts, 60u);
}

TEST(ProfileTest, LdsWrite64IsFourPhasesOf16Lanes) {
  auto p =
      profile(ldsKernel("shl i32 %w, 3",
                        "store volatile i64 1, ptr addrspace(3) %p, align 8"),
              64);
  EXPECT_EQ(onlySite(p).kind, sim::SiteKind::LdsStore);
  EXPECT_EQ(onlySite(p).ldsCycles, 4u); // 512 B in 128-byte write phases
  EXPECT_EQ(onlySite(p).bankConflicts, 0u);
}

const char *kGlobalTwice = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %buf) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %lane = and i32 %w, 63
  %off = mul i32 %lane, STRIDE
  %p = getelementptr i8, ptr addrspace(1) %buf, i32 %off
  %a = load volatile <4 x i32>, ptr addrspace(1) %p, align 4
  %b = load volatile <4 x i32>, ptr addrspace(1) %p, align 4
  ret void
}
)";

TEST(ProfileTest, GlobalLinesAndL1Reuse) {
  // 64 lanes x 16 contiguous bytes: 8 lines per load; the second load and
  // the second wave hit in L1, so L2 sends each line once.
  std::string body = kGlobalTwice;
  test::replaceAll(body, "STRIDE", "16");
  auto p = profile(body, 128);
  ASSERT_EQ(p.sites.size(), 2u);
  EXPECT_EQ(p.sites[0].executions, 2u);
  EXPECT_EQ(p.sites[0].lines, 16u);
  EXPECT_EQ(p.l1LineLookups, 32u);
  EXPECT_EQ(p.l2Bytes, 8u * 128);
  EXPECT_EQ(p.globalLoadBytes, 4u * 1024);
  EXPECT_EQ(p.uniqueGlobalBytes, 8u * 128);
}

TEST(ProfileTest, GlobalStridedLoadTouchesALinePerLane) {
  std::string body = kGlobalTwice;
  test::replaceAll(body, "STRIDE", "256");
  auto p = profile(body, 64);
  EXPECT_EQ(p.sites[0].lines, 64u);
  EXPECT_EQ(p.l2Bytes, 64u * 128);
}

/// Lanes load SIZE bytes each from %buf + SIZE * lane into LDS slots (lane l
/// at l * 4 for 4 bytes, l * 16 for 16), through a buffer resource of
/// RECORDS bytes or a global pointer.
const char *kLoadToLds = R"(
declare ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1), i16, i64, i32)
declare void @llvm.amdgcn.raw.ptr.buffer.load.lds(ptr addrspace(8), ptr addrspace(3), i32 immarg, i32, i32, i32 immarg, i32 immarg)
declare void @llvm.amdgcn.global.load.lds(ptr addrspace(1), ptr addrspace(3), i32 immarg, i32 immarg, i32 immarg)
define amdgpu_kernel void @k(ptr addrspace(1) %buf) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %off = mul i32 %w, SIZE
  LOAD
  ret void
}
)";

std::string loadToLdsKernel(bool buffer, unsigned size, unsigned records) {
  std::string body = kLoadToLds;
  test::replaceAll(
      body, "LOAD",
      buffer ? "%rsrc = call ptr addrspace(8) "
               "@llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %buf, "
               "i16 0, i64 RECORDS, i32 0)\n  call void "
               "@llvm.amdgcn.raw.ptr.buffer.load.lds(ptr addrspace(8) %rsrc, "
               "ptr addrspace(3) @lds, i32 SIZE, i32 %off, i32 0, i32 0, i32 0)"
             : "%off64 = zext i32 %off to i64\n  %p = getelementptr i8, ptr "
               "addrspace(1) %buf, i64 %off64\n  call void "
               "@llvm.amdgcn.global.load.lds(ptr addrspace(1) %p, ptr "
               "addrspace(3) @lds, i32 SIZE, i32 0, i32 0)");
  test::replaceAll(body, "SIZE", std::to_string(size));
  test::replaceAll(body, "RECORDS", std::to_string(records));
  return body;
}

TEST(ProfileTest, LoadToLdsDwordx4CountsBothSides) {
  // 64 lanes x 16 contiguous bytes: 1024 bytes in 8 lines of 128 from
  // memory, all L1 misses; into LDS as a 16-byte-per-lane write: 8 phases of
  // 128 bytes (8 lanes), each over 32 distinct banks, so 8 cycles.
  for (bool buffer : {true, false}) {
    auto p = profile(loadToLdsKernel(buffer, 16, 65536), 64);
    const sim::SiteProfile &s = onlySite(p);
    EXPECT_EQ(s.kind, sim::SiteKind::LoadToLds);
    EXPECT_EQ(sim::getSiteKindName(s.kind), "load.lds");
    EXPECT_EQ(s.executions, 1u);
    EXPECT_EQ(s.activeLanes, 64u);
    EXPECT_EQ(s.bytes, 1024u);
    EXPECT_EQ(s.lines, 8u);
    EXPECT_EQ(s.ldsBytes, 1024u);
    EXPECT_EQ(s.ldsCycles, 8u);
    EXPECT_EQ(s.bankConflicts, 0u);
    EXPECT_EQ(p.globalLoadBytes, 1024u);
    EXPECT_EQ(p.globalStoreBytes, 0u);
    EXPECT_EQ(p.l1LineLookups, 8u);
    EXPECT_EQ(p.l2Bytes, 8u * 128);
    EXPECT_EQ(p.ldsBytes, 1024u);
    EXPECT_EQ(p.ldsCycles, 8u);
    EXPECT_EQ(p.bytesInFlightPerWave, 1024.0);
  }
}

TEST(ProfileTest, LoadToLdsDwordIsTwoWritePhases) {
  // 64 lanes x 4 bytes: 256 bytes, 2 lines; LDS: 2 phases of 32 lanes.
  auto p = profile(loadToLdsKernel(false, 4, 0), 64);
  const sim::SiteProfile &s = onlySite(p);
  EXPECT_EQ(s.bytes, 256u);
  EXPECT_EQ(s.lines, 2u);
  EXPECT_EQ(s.ldsBytes, 256u);
  EXPECT_EQ(s.ldsCycles, 2u);
}

TEST(ProfileTest, LoadToLdsOutOfRangeReadsNoMemory) {
  // num_records 512: lanes 0-31 read (4 lines); every lane still writes its
  // LDS slot (zeros past the range).
  auto p = profile(loadToLdsKernel(true, 16, 512), 64);
  const sim::SiteProfile &s = onlySite(p);
  EXPECT_EQ(s.activeLanes, 64u);
  EXPECT_EQ(s.bytes, 512u);
  EXPECT_EQ(s.lines, 4u);
  EXPECT_EQ(s.ldsBytes, 1024u);
  EXPECT_EQ(p.globalLoadBytes, 512u);
}

/// `count` dependent FP8 16x16x128 MFMAs (32 pipe cycles each), from
/// %acc<first> to %acc<first + count>.
std::string mfmaChain(unsigned count, unsigned first = 0) {
  std::string text;
  for (unsigned i = first; i < first + count; ++i)
    text += "  %acc" + std::to_string(i + 1) +
            " = call <4 x float> "
            "@llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v8i32(<8 x "
            "i32> zeroinitializer, <8 x i32> zeroinitializer, <4 x float> "
            "%acc" +
            std::to_string(i) +
            ", i32 0, i32 0, i32 0, i32 127, i32 0, i32 127)\n";
  return text;
}

/// One wave: 16-byte loads straight into LDS (1024 bytes each) and MFMAs in
/// the order `steps` gives: "load" (the next KiB of %buf), "wait N"
/// (s_waitcnt vmcnt(N), gfx9 encoding), or a count of MFMAs.
std::string loadWaitKernel(const std::vector<std::string> &steps) {
  std::string text = R"(
declare ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1), i16, i64, i32)
declare void @llvm.amdgcn.raw.ptr.buffer.load.lds(ptr addrspace(8), ptr addrspace(3), i32 immarg, i32, i32, i32 immarg, i32 immarg)
declare void @llvm.amdgcn.s.waitcnt(i32)
define amdgpu_kernel void @k(ptr addrspace(1) %buf) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %off = mul i32 %w, 16
  %rsrc = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %buf, i16 0, i64 65536, i32 0)
  %acc0 = bitcast <4 x float> zeroinitializer to <4 x float>
)";
  unsigned loads = 0, mfmas = 0;
  for (const std::string &step : steps) {
    if (step == "load") {
      text += "  call void @llvm.amdgcn.raw.ptr.buffer.load.lds(ptr "
              "addrspace(8) %rsrc, ptr addrspace(3) @lds, i32 16, i32 %off, "
              "i32 " +
              std::to_string(1024 * loads++) + ", i32 0, i32 0)\n";
    } else if (step.rfind("wait ", 0) == 0) {
      unsigned n = std::stoul(step.substr(5));
      // vmcnt in [3:0] and [15:14]; expcnt (7) and lgkmcnt (15) not waited.
      unsigned bits = (n & 0xF) | ((n >> 4) << 14) | (7 << 4) | (15 << 8);
      text += "  call void @llvm.amdgcn.s.waitcnt(i32 " + std::to_string(bits) +
              ")\n";
    } else {
      unsigned count = std::stoul(step);
      text += mfmaChain(count, mfmas);
      mfmas += count;
    }
  }
  text += "  %out = getelementptr i8, ptr addrspace(1) %buf, i32 65000\n"
          "  store <4 x float> %acc" +
          std::to_string(mfmas) + ", ptr addrspace(1) %out\n  ret void\n}\n";
  return text;
}

TEST(ProfileTest, LatencyIsHiddenByWorkBetweenIssueAndWait) {
  // One wave, one 1024-byte load into LDS from HBM (first touch: 2800
  // clocks) and 100 MFMAs of 32 cycles (3200 clocks of matrix work).
  const amdgpu::TimingModel *model = amdgpu::lookupTimingModel("gfx950");
  ASSERT_NE(model, nullptr);
  // Waited at once: the wave stands 2800 clocks, then computes: 6000.
  auto now = profile(loadWaitKernel({"load", "wait 0", "100"}), 64);
  ASSERT_EQ(now.waveTimelines.size(), 1u);
  ASSERT_EQ(now.waveTimelines[0].waits.size(), 1u);
  EXPECT_EQ(now.waveTimelines[0].waits[0].work, 0u);
  EXPECT_EQ(now.waveTimelines[0].work, 3200u);
  sim::ModelEstimate e = sim::estimate(now, *model, {});
  EXPECT_EQ(e.bound, "latency");
  EXPECT_DOUBLE_EQ(e.matrixClocks, 3200.0);
  EXPECT_DOUBLE_EQ(e.latencyClocks, 3200.0 + 2800.0);
  // Waited after the MFMAs: they cover the latency, the matrix pipe binds.
  auto later = profile(loadWaitKernel({"load", "100", "wait 0"}), 64);
  ASSERT_EQ(later.waveTimelines.size(), 1u);
  ASSERT_EQ(later.waveTimelines[0].waits.size(), 1u);
  EXPECT_EQ(later.waveTimelines[0].waits[0].work, 3200u);
  EXPECT_EQ(later.waveTimelines[0].waits[0].issueWork, 0u);
  e = sim::estimate(later, *model, {});
  EXPECT_EQ(e.bound, "matrix");
  EXPECT_DOUBLE_EQ(e.latencyClocks, 3200.0);
  EXPECT_NEAR(e.modelledSeconds, 3200 / 2.4e9, 1e-15);
  // 40 MFMAs (1280 clocks) hide part of it: 2800 - 1280 exposed.
  e = sim::estimate(profile(loadWaitKernel({"load", "40", "wait 0"}), 64),
                    *model, {});
  EXPECT_DOUBLE_EQ(e.latencyClocks, 1280.0 + (2800.0 - 1280.0));
}

TEST(ProfileTest, WaitcntRetiresLoadsInIssueOrder) {
  // Two loads (2048 bytes, all first touched: 2800 clocks each), vmcnt(1)
  // after 40 MFMAs retires only the first: the wave stands until 2800.
  // The second, issued at 1280, lands at 4080, when the next 40 MFMAs end:
  // vmcnt(0) costs nothing. 2560 clocks of work + 1520 standing.
  auto p = profile(
      loadWaitKernel({"load", "40", "load", "wait 1", "40", "wait 0"}), 64);
  ASSERT_EQ(p.waveTimelines.size(), 1u);
  const sim::WaveLoadTimeline &t = p.waveTimelines[0];
  ASSERT_EQ(t.waits.size(), 2u);
  EXPECT_EQ(t.waits[0].work, 1280u);
  EXPECT_EQ(t.waits[0].issueWork, 0u);
  EXPECT_EQ(t.waits[1].work, 2560u);
  EXPECT_EQ(t.waits[1].issueWork, 1280u);
  EXPECT_EQ(t.waits[1].waitsBeforeIssue, 0u);
  // Waited: the first with both in flight, the second alone.
  EXPECT_DOUBLE_EQ(p.bytesInFlightPerWave, (2048.0 + 1024.0) / 2);
  const amdgpu::TimingModel *model = amdgpu::lookupTimingModel("gfx950");
  sim::ModelEstimate e = sim::estimate(p, *model, {});
  EXPECT_EQ(e.bound, "latency");
  EXPECT_DOUBLE_EQ(e.latencyClocks, 4080.0);
  // vmcnt(0) in place of vmcnt(1) waits for both: 1280 + 2800 + 1280.
  e = sim::estimate(
      profile(loadWaitKernel({"load", "40", "load", "wait 0", "40", "wait 0"}),
              64),
      *model, {});
  EXPECT_DOUBLE_EQ(e.latencyClocks, 1280.0 + 2800.0 + 1280.0);
}

TEST(ProfileTest, RegisterLoadIsWaitedForAtItsFirstUse) {
  // A global load into registers, its value stored after 100 MFMAs (3200
  // clocks): the backend waits before the store, so the MFMAs hide the
  // 2800 clocks; stored at once, they do not.
  auto kernel = [](unsigned before) {
    return "define amdgpu_kernel void @k(ptr addrspace(1) %buf) {\n"
           "  %acc0 = bitcast <4 x float> zeroinitializer to <4 x float>\n"
           "  %w = call i32 @llvm.amdgcn.workitem.id.x()\n"
           "  %in = getelementptr <4 x i32>, ptr addrspace(1) %buf, i32 %w\n"
           "  %v = load <4 x i32>, ptr addrspace(1) %in, align 16\n" +
           mfmaChain(before) +
           "  %o1 = getelementptr <4 x i32>, ptr addrspace(1) %buf, i32 %w\n"
           "  %out = getelementptr i8, ptr addrspace(1) %o1, i32 4096\n"
           "  store <4 x i32> %v, ptr addrspace(1) %out\n" +
           (before ? std::string() : mfmaChain(100)) +
           "  %o2 = getelementptr i8, ptr addrspace(1) %buf, i32 8192\n"
           "  store <4 x float> %acc100, ptr addrspace(1) %o2\n"
           "  ret void\n}\n";
  };
  const amdgpu::TimingModel *model = amdgpu::lookupTimingModel("gfx950");
  // 64 lanes x 16 bytes, first touched (the loads are fewer bytes than the
  // grid touches): 2800 clocks.
  sim::ModelEstimate hidden =
      sim::estimate(profile(kernel(100), 64), *model, {});
  EXPECT_EQ(hidden.bound, "matrix");
  EXPECT_DOUBLE_EQ(hidden.latencyClocks, 3200.0);
  sim::ModelEstimate exposed =
      sim::estimate(profile(kernel(0), 64), *model, {});
  EXPECT_EQ(exposed.bound, "latency");
  EXPECT_DOUBLE_EQ(exposed.latencyClocks, 2800.0 + 3200.0);
}

TEST(ProfileTest, ScaledMfmaCyclesByFormat) {
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %buf) {
  %f4 = call <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v4i32.v4i32(<4 x i32> zeroinitializer, <4 x i32> zeroinitializer, <4 x float> zeroinitializer, i32 4, i32 4, i32 0, i32 127, i32 0, i32 127)
  %f8 = call <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v8i32(<8 x i32> zeroinitializer, <8 x i32> zeroinitializer, <4 x float> %f4, i32 0, i32 0, i32 0, i32 127, i32 0, i32 127)
  %mixed = call <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v4i32(<8 x i32> zeroinitializer, <4 x i32> zeroinitializer, <4 x float> %f8, i32 0, i32 4, i32 0, i32 127, i32 0, i32 127)
  ret void
}
declare <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v4i32(<8 x i32>, <4 x i32>, <4 x float>, i32, i32, i32, i32, i32, i32)
)";
  auto p = profile(body, 64);
  ASSERT_EQ(p.sites.size(), 3u);
  EXPECT_EQ(p.sites[0].matrixCycles, 16u);
  EXPECT_EQ(p.sites[1].matrixCycles, 32u);
  EXPECT_EQ(p.sites[2].matrixCycles, 32u);
  EXPECT_EQ(p.matrixCycles, 80u);
  EXPECT_EQ(p.flops, 3u * 2 * 16 * 16 * 128);
}

const char *kPerGroup = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %buf) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %g = call i32 @llvm.amdgcn.workgroup.id.x()
  %base = shl i32 %g, 10
  %lane = shl i32 %w, 4
  %off = add i32 %base, %lane
  %p = getelementptr i8, ptr addrspace(1) %buf, i32 %off
  store <4 x i32> zeroinitializer, ptr addrspace(1) %p, align 16
  ret void
}
)";

TEST(ProfileTest, SampledWorkgroupsScaleToTheGrid) {
  // 8 workgroups each store their own KiB of an 8 KiB buffer; profiling 2
  // of them estimates the whole footprint.
  auto p = profile(kPerGroup, 64, 8, 8192, sim::sampleWorkgroups({8, 1, 1}, 2));
  EXPECT_EQ(p.workgroups, 8u);
  EXPECT_EQ(p.profiledWorkgroups, 2u);
  EXPECT_DOUBLE_EQ(p.scale(), 4.0);
  EXPECT_EQ(p.globalStoreBytes, 2048u);
  EXPECT_EQ(p.uniqueGlobalBytes, 8192u);
  // The whole grid: exact.
  auto all = profile(kPerGroup, 64, 8, 8192);
  EXPECT_EQ(all.profiledWorkgroups, 8u);
  EXPECT_EQ(all.uniqueGlobalBytes, 8192u);
}

TEST(ProfileTest, SampleSpreadsOverTheGrid) {
  EXPECT_EQ(sim::sampleWorkgroups({10, 1, 1}, 3),
            (std::vector<uint64_t>{0, 4, 9}));
  EXPECT_EQ(sim::sampleWorkgroups({2, 2, 1}, 10),
            (std::vector<uint64_t>{0, 1, 2, 3}));
}

TEST(ProfileTest, BarrierKernelRunsAndCountsEachWave) {
  // Wave 0 writes LDS, every wave reads it after the barrier.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %buf) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %first = icmp ult i32 %w, 64
  br i1 %first, label %write, label %sync
write:
  %wp = getelementptr i32, ptr addrspace(3) @lds, i32 %w
  store i32 %w, ptr addrspace(3) %wp
  br label %sync
sync:
  fence syncscope("workgroup") release
  call void @llvm.amdgcn.s.barrier()
  fence syncscope("workgroup") acquire
  %lane = and i32 %w, 63
  %rp = getelementptr i32, ptr addrspace(3) @lds, i32 %lane
  %v = load i32, ptr addrspace(3) %rp
  %op = getelementptr i32, ptr addrspace(1) %buf, i32 %w
  store i32 %v, ptr addrspace(1) %op
  ret void
}
)";
  auto p = profile(body, 256);
  uint64_t ldsReads = 0, ldsWrites = 0;
  for (const sim::SiteProfile &s : p.sites) {
    if (s.kind == sim::SiteKind::LdsLoad)
      ldsReads += s.executions;
    if (s.kind == sim::SiteKind::LdsStore)
      ldsWrites += s.executions;
  }
  EXPECT_EQ(ldsWrites, 1u);
  EXPECT_EQ(ldsReads, 4u);
  EXPECT_EQ(p.globalStoreBytes, 1024u);
}

TEST(ProfileTest, ModelNamesTheBindingResource) {
  const amdgpu::TimingModel *model = amdgpu::lookupTimingModel("gfx950");
  ASSERT_NE(model, nullptr);
  // Workgroups of 4 waves with 4000 L1 line lookups and 250 matrix cycles
  // on each SIMD: L1 lookups bind, not the matrix pipes.
  sim::KernelProfile p;
  p.chip = "gfx950";
  p.block = {256, 1, 1};
  p.workgroups = p.profiledWorkgroups = 256 * 4;
  p.matrixCycles = 1000 * p.profiledWorkgroups;
  p.busiestSimdMatrixCycles = 250 * p.profiledWorkgroups;
  p.l1LineLookups = 4000 * p.profiledWorkgroups; // 4000 clocks a workgroup
  p.flops = 1;
  sim::ModelEstimate e = sim::estimate(p, *model, {});
  EXPECT_EQ(e.bound, "l1");
  // 1024 workgroups of 4 waves: 8 waves a SIMD -> 8 workgroups a CU at most,
  // but only 4 per CU exist; one round of 4 x 4000 lookups at 1 a clock.
  EXPECT_EQ(e.workgroupsPerCu, 4u);
  EXPECT_DOUBLE_EQ(e.l1Clocks, 16000.0);
  EXPECT_DOUBLE_EQ(e.matrixClocks, 1000.0); // 4 x 250 on each SIMD
  // Matrix work 1000 cycles x 1024 / (256 x 4 SIMDs) = 1000 of 16000 clocks.
  EXPECT_NEAR(e.percentOfMatrixPeak, 100.0 * 1000 / 16000, 1e-9);
  EXPECT_NEAR(e.modelledSeconds, 16000 / 2.4e9, 1e-15);
}

} // namespace
