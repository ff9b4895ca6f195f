//===- CheckerTest.cpp - Race, barrier and LDS initialisation checks ------===//
//
// Part of mxc. Small kernels that must trip each check, and kernels that
// must pass them: the hazards follow from the rules of the AMDGPU memory
// model (LLVM AMDGPUUsage: waves of a workgroup are ordered only by
// s_barrier; LDS is undefined at workgroup start), not from the checker.
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/Simulator.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cstring>

using namespace mxc;
using Kind = sim::ArgValue::Kind;

namespace {

const char *kHeader = R"(
@lds = internal addrspace(3) global [128 x i32] poison, align 4
declare i32 @llvm.amdgcn.workitem.id.x()
declare i32 @llvm.amdgcn.workgroup.id.x()
declare void @llvm.amdgcn.s.barrier()
)";

/// The result of running kernel @k of `body` with one buffer argument.
struct Outcome {
  std::string error;         ///< Empty when the launch succeeded.
  std::vector<uint32_t> out; ///< The buffer afterwards.
};

sim::CheckOptions allChecks() {
  sim::CheckOptions checks;
  checks.race = checks.sync = checks.init = true;
  return checks;
}

Outcome run(const std::string &body, const sim::CheckOptions &checks,
            unsigned lanes = 128, unsigned workgroups = 1, unsigned words = 128,
            bool outputUndefined = false) {
  std::string text = std::string(test::kAmdgcnTarget) + kHeader + body;
  auto simulator = sim::Simulator::load(llvm::MemoryBufferRef(text, "t.ll"),
                                        *amdgpu::lookupChip("gfx950"));
  if (!simulator)
    return {"load: " + llvm::toString(simulator.takeError()), {}};
  simulator->setCheckOptions(checks);
  sim::Memory memory;
  uint64_t out = memory.allocate(words * 4, "out");
  if (outputUndefined)
    memory.markUninitialized(out);
  sim::LaunchParams launch;
  launch.grid.x = workgroups;
  launch.block.x = lanes;
  Outcome result;
  if (llvm::Error e =
          simulator->launch("k", launch, {{Kind::Pointer, out}}, memory))
    result.error = llvm::toString(std::move(e));
  result.out.resize(words);
  std::memcpy(result.out.data(), memory.getBuffer(out)->data.data(), words * 4);
  return result;
}

bool contains(const std::string &text, llvm::StringRef part) {
  return text.find(part.str()) != std::string::npos;
}

/// Lane l of the writer wave (WRITER, 0 or 1) stores l to lds[l % 64]; then,
/// after SYNC, every lane loads lds[l % 64] and stores it to out[l]. So each
/// word is written by one wave and read by both.
const char *kOneWaveWrites = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %wave = lshr i32 %l, 6
  %i = and i32 %l, 63
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %i
  %writes = icmp eq i32 %wave, WRITER
  br i1 %writes, label %write, label %sync
write:
  store i32 %l, ptr addrspace(3) %p
  br label %sync
sync:
  SYNC
  %v = load i32, ptr addrspace(3) %p
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}
)";

std::string oneWaveWrites(unsigned writer, llvm::StringRef sync) {
  std::string body = kOneWaveWrites;
  test::replaceAll(body, "WRITER", std::to_string(writer));
  test::replaceAll(body, "SYNC", sync);
  return body;
}

const char *kBarrier = "call void @llvm.amdgcn.s.barrier()";

TEST(RaceCheck, MissingBarrierBetweenLdsWriteAndReadOfAnotherWave) {
  // The simulator runs wave 0's blocks before wave 1's, so with wave 0
  // writing the read comes after the write, and with wave 1 writing it
  // comes before: a hazard either way, found from barrier intervals.
  std::string raw = run(oneWaveWrites(0, ""), allChecks()).error;
  EXPECT_TRUE(contains(raw, "racecheck: kernel 'k', workgroup (0,0,0): "
                            "read-after-write hazard on LDS byte 0: wave 0 "
                            "lane 0 writes at 'store i32 %l, ptr addrspace(3) "
                            "%p, align 4', then wave 1 lane 0 reads at '%v = "
                            "load i32, ptr addrspace(3) %p, align 4', with no "
                            "barrier between them"))
      << raw;
  std::string war = run(oneWaveWrites(1, ""), allChecks()).error;
  EXPECT_TRUE(contains(war, "write-after-read hazard on LDS byte 0: wave 0 "
                            "lane 0 reads at '%v = load"))
      << war;
  EXPECT_TRUE(contains(war, "then wave 1 lane 0 writes at 'store i32 %l"))
      << war;
  // Fences alone order nothing between waves.
  std::string fenced =
      run(oneWaveWrites(0, "fence syncscope(\"workgroup\") seq_cst"),
          allChecks())
          .error;
  EXPECT_TRUE(contains(fenced, "read-after-write hazard")) << fenced;
  // Unchecked, the same kernel runs (as on hardware, with some outcome).
  EXPECT_EQ(run(oneWaveWrites(0, ""), {}).error, "");
}

TEST(RaceCheck, BarrierOrdersTheExchange) {
  for (unsigned writer : {0u, 1u}) {
    Outcome r = run(oneWaveWrites(writer, std::string(kBarrier)), allChecks());
    ASSERT_EQ(r.error, "") << "writer wave " << writer;
    for (unsigned l = 0; l < 128; ++l)
      EXPECT_EQ(r.out[l], 64 * writer + l % 64) << "lane " << l;
  }
}

TEST(RaceCheck, WriteWriteByTwoWaves) {
  // Every lane stores to lds[l % 64]: waves 0 and 1 write the same words.
  Outcome r = run(R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %i = and i32 %l, 63
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %i
  store i32 %l, ptr addrspace(3) %p
  ret void
}
)",
                  allChecks());
  EXPECT_TRUE(contains(r.error, "write-after-write hazard on LDS byte 0: "
                                "wave 0 lane 0 writes at 'store i32 %l, ptr "
                                "addrspace(3) %p, align 4', then wave 1 lane "
                                "0 writes at"))
      << r.error;
}

TEST(RaceCheck, GlobalMemoryWithinAWorkgroup) {
  // Every lane of both waves stores its id to out[0].
  Outcome r = run(R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %wave = lshr i32 %l, 6
  %lane = and i32 %l, 63
  %first = icmp eq i32 %lane, 0
  br i1 %first, label %write, label %done
write:
  store i32 %wave, ptr addrspace(1) %out
  br label %done
done:
  ret void
}
)",
                  allChecks());
  EXPECT_TRUE(contains(r.error, "write-after-write hazard on global byte 0x"))
      << r.error;
  EXPECT_TRUE(contains(r.error, " (buffer 'out' + 0): wave 0 lane 0 writes"))
      << r.error;
  // Different workgroups run at different times: not checked between them.
  Outcome apart = run(R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %g = call i32 @llvm.amdgcn.workgroup.id.x()
  store i32 %g, ptr addrspace(1) %out
  ret void
}
)",
                      allChecks(), 64, 4);
  EXPECT_EQ(apart.error, "");
}

TEST(RaceCheck, LanesOfOneWaveAreOrderedByProgramOrder) {
  // Lane l writes lds[l], then reads its neighbour's lds[l ^ 1]: one wave,
  // so the store of every lane precedes the load of every lane.
  Outcome r = run(R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %l
  store i32 %l, ptr addrspace(3) %p
  %n = xor i32 %l, 1
  %q = getelementptr i32, ptr addrspace(3) @lds, i32 %n
  %v = load i32, ptr addrspace(3) %q
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}
)",
                  allChecks(), 64);
  ASSERT_EQ(r.error, "");
  for (unsigned l = 0; l < 64; ++l)
    EXPECT_EQ(r.out[l], l ^ 1);
}

TEST(RaceCheck, IntraInstructionWriteConflict) {
  // Lanes 0 and 1 store to lds[0]: the same value passes, different values
  // are a conflict within the one instruction.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %v = VALUE
  store i32 %v, ptr addrspace(3) @lds
  ret void
}
)";
  std::string same = body, different = body;
  test::replaceAll(same, "VALUE", "add i32 7, 0");
  test::replaceAll(different, "VALUE", "and i32 %l, 1");
  EXPECT_EQ(run(same, allChecks(), 2).error, "");
  std::string e = run(different, allChecks(), 2).error;
  EXPECT_TRUE(contains(e, "racecheck: kernel 'k', workgroup (0,0,0): "
                          "intra-instruction write conflict on LDS byte 0: "
                          "lanes 0 and 1 of wave 0 write different values "
                          "(0x0, 0x1) at 'store i32 %v"))
      << e;
}

TEST(RaceCheck, AtomicsToOneAddressAreNotAHazard) {
  // Lane 0 zeroes a counter, a barrier, then every lane of four waves adds
  // one to it; after another barrier lane 0 reads it.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %first = icmp eq i32 %l, 0
  br i1 %first, label %init, label %count
init:
  store i32 0, ptr addrspace(3) @lds
  br label %count
count:
  call void @llvm.amdgcn.s.barrier()
  %old = atomicrmw add ptr addrspace(3) @lds, i32 1 syncscope("workgroup") monotonic
  call void @llvm.amdgcn.s.barrier()
  br i1 %first, label %read, label %done
read:
  %n = LOAD
  store i32 %n, ptr addrspace(1) %out
  br label %done
done:
  ret void
}
)";
  std::string plain = body, early = body;
  test::replaceAll(plain, "LOAD", "load i32, ptr addrspace(3) @lds");
  Outcome r = run(plain, allChecks(), 256);
  ASSERT_EQ(r.error, "");
  EXPECT_EQ(r.out[0], 256u);
  // An atomic and a plain access of two waves in one interval still race:
  // here lane 0 reads the counter before the second barrier.
  test::replaceAll(early, "LOAD", "load i32, ptr addrspace(3) @lds");
  test::replaceAll(early,
                   "monotonic\n  call void @llvm.amdgcn.s.barrier()\n  br i1 "
                   "%first, label %read",
                   "monotonic\n  br i1 %first, label %read");
  std::string e = run(early, allChecks(), 256).error;
  EXPECT_TRUE(contains(e, "read-after-write hazard on LDS byte 0: wave ")) << e;
  EXPECT_TRUE(contains(e, "atomically writes at '%old = atomicrmw add")) << e;
}

/// Lane 0 clears a flag in LDS and all waves pass a barrier. Then the
/// writer wave (WRITER) stores l to lds[l % 64] and sets the flag with
/// PUBLISH; the other wave spins on the flag with WAIT and then reads
/// lds[l % 64] into out[l].
const char *kFlagHandoff = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %wave = lshr i32 %l, 6
  %i = and i32 %l, 63
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %i
  %flag = getelementptr i32, ptr addrspace(3) @lds, i32 100
  %first = icmp eq i32 %l, 0
  br i1 %first, label %clear, label %sync
clear:
  store i32 0, ptr addrspace(3) %flag
  br label %sync
sync:
  call void @llvm.amdgcn.s.barrier()
  %writes = icmp eq i32 %wave, WRITER
  br i1 %writes, label %write, label %wait
write:
  store i32 %l, ptr addrspace(3) %p
  PUBLISH
  br label %done
wait:
  WAIT
  %ready = icmp ne i32 %f, 0
  br i1 %ready, label %read, label %wait
read:
  %v = load i32, ptr addrspace(3) %p
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  br label %done
done:
  ret void
}
)";

std::string flagHandoff(unsigned writer, llvm::StringRef publish,
                        llvm::StringRef wait) {
  std::string body = kFlagHandoff;
  test::replaceAll(body, "WRITER", std::to_string(writer));
  test::replaceAll(body, "PUBLISH", publish);
  test::replaceAll(body, "WAIT", wait);
  return body;
}

TEST(RaceCheck, ReleaseAcquireFlagOrdersTheHandoff) {
  // LLVM's memory model (LangRef, "Memory Model for Concurrent
  // Operations"): a release store read by an acquire load synchronizes, so
  // the data written before the store happens before the reads after the
  // load. So does a release fence before a relaxed store with a relaxed
  // load and an acquire fence after it, and an acq_rel atomicrmw.
  struct Variant {
    const char *publish, *wait;
  } variants[] = {
      {"store atomic i32 1, ptr addrspace(3) %flag syncscope(\"workgroup\") "
       "release, align 4",
       "%f = load atomic i32, ptr addrspace(3) %flag syncscope(\"workgroup\") "
       "acquire, align 4"},
      {"store atomic i32 1, ptr addrspace(3) %flag syncscope(\"agent\") "
       "seq_cst, align 4",
       "%f = load atomic i32, ptr addrspace(3) %flag seq_cst, align 4"},
      {"fence syncscope(\"workgroup\") release\n  store atomic i32 1, ptr "
       "addrspace(3) %flag syncscope(\"workgroup\") monotonic, align 4",
       "%f = load atomic i32, ptr addrspace(3) %flag syncscope(\"workgroup\") "
       "monotonic, align 4\n  fence syncscope(\"workgroup\") acquire"},
      {"%old = atomicrmw xchg ptr addrspace(3) %flag, i32 1 "
       "syncscope(\"workgroup\") acq_rel",
       "%f = atomicrmw add ptr addrspace(3) %flag, i32 0 "
       "syncscope(\"workgroup\") acquire"},
  };
  for (const Variant &v : variants)
    for (unsigned writer : {0u, 1u}) {
      Outcome r = run(flagHandoff(writer, v.publish, v.wait), allChecks());
      ASSERT_EQ(r.error, "") << v.publish << " / writer " << writer;
      for (unsigned l = 0; l < 128; ++l)
        if (l / 64 != writer)
          EXPECT_EQ(r.out[l], 64 * writer + l % 64) << "lane " << l;
    }
}

TEST(RaceCheck, FlagHandoffWithoutReleaseAcquireIsARace) {
  // Relaxed atomics, or release/acquire at wavefront scope, order nothing
  // between waves; a plain flag is itself a race.
  struct Variant {
    const char *publish, *wait, *hazard;
  } variants[] = {
      {"store atomic i32 1, ptr addrspace(3) %flag syncscope(\"workgroup\") "
       "monotonic, align 4",
       "%f = load atomic i32, ptr addrspace(3) %flag syncscope(\"workgroup\") "
       "monotonic, align 4",
       "read-after-write hazard on LDS byte 0"},
      {"store atomic i32 1, ptr addrspace(3) %flag syncscope(\"wavefront\") "
       "release, align 4",
       "%f = load atomic i32, ptr addrspace(3) %flag syncscope(\"wavefront\") "
       "acquire, align 4",
       "read-after-write hazard on LDS byte 0"},
      {"store i32 1, ptr addrspace(3) %flag",
       "%f = load i32, ptr addrspace(3) %flag", "hazard on LDS byte 400"},
  };
  for (const Variant &v : variants) {
    std::string e = run(flagHandoff(0, v.publish, v.wait), allChecks()).error;
    EXPECT_TRUE(contains(e, v.hazard)) << v.publish << ": " << e;
  }
}

TEST(SyncCheck, WavesAtDifferentBarriers) {
  // Wave 0 waits at one barrier, wave 1 at another: hardware releases them
  // together (s_barrier counts waves, not instructions), which the
  // simulator does unchecked; synccheck names both.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %wave = lshr i32 %l, 6
  %zero = icmp eq i32 %wave, 0
  br i1 %zero, label %a, label %b
a:
  call void @llvm.amdgcn.s.barrier()
  br label %done
b:
  call void @llvm.amdgcn.s.barrier()
  br label %done
done:
  ret void
}
)";
  EXPECT_EQ(run(body, {}).error, "");
  sim::CheckOptions sync;
  sync.sync = true;
  std::string e = run(body, sync, 192).error;
  EXPECT_EQ(e, "synccheck: kernel 'k', workgroup (0,0,0): waves wait at "
               "different barriers: wave 0 at 'call void "
               "@llvm.amdgcn.s.barrier()'; waves 1, 2 at 'call void "
               "@llvm.amdgcn.s.barrier()'");
}

TEST(SyncCheck, BarrierSomeWavesNeverReach) {
  // Wave 1 returns; wave 0 waits at the barrier for it forever.
  std::string e = run(R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %wave = lshr i32 %l, 6
  %zero = icmp eq i32 %wave, 0
  br i1 %zero, label %wait, label %done
wait:
  call void @llvm.amdgcn.s.barrier()
  br label %done
done:
  ret void
}
)",
                      allChecks())
                      .error;
  EXPECT_EQ(e, "kernel 'k', workgroup (0,0,0): barrier that some waves never "
               "reach: wave 0 waits at 'call void @llvm.amdgcn.s.barrier()' "
               "while wave 1 returned");
}

TEST(SyncCheck, BarrierUnderDivergentExec) {
  // Only the even lanes of the wave reach the barrier.
  std::string e = run(R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %odd = and i32 %l, 1
  %even = icmp eq i32 %odd, 0
  br i1 %even, label %wait, label %done
wait:
  call void @llvm.amdgcn.s.barrier()
  br label %done
done:
  ret void
}
)",
                      allChecks(), 64)
                      .error;
  EXPECT_TRUE(contains(e, "wave 0, lane 1 (workitem 1): barrier reached by "
                          "only part of the wave (divergent barrier)"))
      << e;
}

TEST(InitCheck, LoadOfLdsTheWorkgroupNeverWrote) {
  // Workgroup 0 writes lds[l] and reads it back; workgroup 1 only reads, so
  // what workgroup 0 left in LDS does not count.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %g = call i32 @llvm.amdgcn.workgroup.id.x()
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %l
  %first = icmp eq i32 %g, 0
  br i1 %first, label %write, label %read
write:
  store i32 %l, ptr addrspace(3) %p
  br label %read
read:
  %v = load i32, ptr addrspace(3) %p
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}
)";
  EXPECT_EQ(run(body, allChecks(), 64, 1).error, "");
  std::string e = run(body, allChecks(), 64, 2).error;
  EXPECT_EQ(e, "initcheck: kernel 'k', workgroup (1,0,0), wave 0, lane 0: "
               "load of LDS byte 0, which no wave of the workgroup wrote "
               "before it (LDS starts undefined), at '%v = load i32, ptr "
               "addrspace(3) %p, align 4'");
  // Only initcheck looks at this; racecheck alone passes.
  sim::CheckOptions race;
  race.race = true;
  EXPECT_EQ(run(body, race, 64, 2).error, "");
}

TEST(InitCheck, PartlyWrittenWord) {
  // Lane 0 writes the low half of lds[0] and loads all four bytes.
  std::string e = run(R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  store i16 1, ptr addrspace(3) @lds
  %v = load i32, ptr addrspace(3) @lds
  store i32 %v, ptr addrspace(1) %out
  ret void
}
)",
                      allChecks(), 1)
                      .error;
  EXPECT_TRUE(contains(e, "load of LDS byte 2, which no wave")) << e;
}

TEST(InitCheck, KernelReadsItsOutputBeforeWritingIt) {
  // out[l] += 1: a load of an output buffer the host never wrote (device
  // memory starts undefined). The host-filled buffer passes.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  %v = load i32, ptr addrspace(1) %o
  %w = add i32 %v, 1
  store i32 %w, ptr addrspace(1) %o
  ret void
}
)";
  std::string e = run(body, allChecks(), 64, 1, 128, true).error;
  EXPECT_EQ(e.substr(0, e.find(" at '")),
            "initcheck: kernel 'k', workgroup (0,0,0), wave 0, lane 0: load "
            "of global byte 0x100000000 (buffer 'out' + 0), which neither the "
            "host nor a kernel wrote before it (an output buffer starts "
            "undefined),")
      << e;
  EXPECT_EQ(run(body, allChecks(), 64, 1, 128, false).error, "");
  // Without initcheck the read is not looked at.
  sim::CheckOptions race;
  race.race = true;
  EXPECT_EQ(run(body, race, 64, 1, 128, true).error, "");
  // Written first, then read: clean.
  const char *writesFirst = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %l, ptr addrspace(1) %o
  %v = load i32, ptr addrspace(1) %o
  %w = add i32 %v, 1
  store i32 %w, ptr addrspace(1) %o
  ret void
}
)";
  EXPECT_EQ(run(writesFirst, allChecks(), 64, 1, 128, true).error, "");
}

TEST(InitCheck, PrivateMemoryTheLaneNeverWrote) {
  // Lane l writes s[0] only when l is odd, then every lane loads s[0].
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %s = alloca [2 x i32], align 4, addrspace(5)
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %odd = trunc i32 %l to i1
  br i1 %odd, label %write, label %read
write:
  store i32 %l, ptr addrspace(5) %s
  br label %read
read:
  %v = load i32, ptr addrspace(5) %s
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}
)";
  std::string e = run(body, allChecks(), 64).error;
  EXPECT_EQ(e, "initcheck: kernel 'k', workgroup (0,0,0), wave 0, lane 0: "
               "load of private byte 0 (alloca %s + 0), which the lane never "
               "wrote (private memory starts undefined), at '%v = load i32, "
               "ptr addrspace(5) %s, align 4'");
  std::string allWrite = body;
  test::replaceAll(allWrite, "br i1 %odd, label %write, label %read",
                   "br label %write");
  EXPECT_EQ(run(allWrite, allChecks(), 64).error, "");
}

const char *kCountingLoop = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %i1 = add i32 %i, 1
  %more = icmp ne i32 %i1, TRIPS
  br i1 %more, label %loop, label %done
done:
  store i32 %i1, ptr addrspace(1) %out
  ret void
}
)";

TEST(InstructionLimit, StopsAWaveThatRunsTooLong) {
  // The entry block runs 1 instruction, each trip 4, the exit 2: 1 + 4 * 100
  // + 2 = 403 for 100 trips.
  std::string body = kCountingLoop;
  test::replaceAll(body, "TRIPS", "100");
  sim::CheckOptions limit;
  limit.maxWaveInstructions = 403;
  Outcome r = run(body, limit, 64);
  EXPECT_EQ(r.error, "");
  EXPECT_EQ(r.out[0], 100u);
  limit.maxWaveInstructions = 402;
  EXPECT_EQ(run(body, limit, 64).error,
            "kernel 'k', workgroup (0,0,0), wave 0: ran 403 instructions, "
            "over the limit of 402 per wave (does it loop forever? "
            "--max-steps N raises the limit, 0 removes it); stopped at "
            "'store i32 %i1, ptr addrspace(1) %out, align 4'");
  // 0 is no limit.
  limit.maxWaveInstructions = 0;
  EXPECT_EQ(run(body, limit, 64).error, "");
}

TEST(InstructionLimit, DefaultEndsAnEndlessLoop) {
  std::string body = kCountingLoop;
  test::replaceAll(body, "TRIPS", "0"); // 2^32 trips
  std::string e = run(body, {}, 64).error;
  EXPECT_TRUE(contains(e, "over the limit of 10000000 per wave")) << e;
}

TEST(CheckOptions, ParsesCheckLists) {
  sim::CheckOptions o;
  EXPECT_FALSE(o.any());
  EXPECT_EQ(o.maxWaveInstructions, 10000000u);
  ASSERT_FALSE(bool(o.enable("race,init")));
  EXPECT_TRUE(o.race && o.init && !o.sync);
  sim::CheckOptions all;
  ASSERT_FALSE(bool(all.enable("all")));
  EXPECT_TRUE(all.race && all.sync && all.init);
  EXPECT_EQ(llvm::toString(sim::CheckOptions().enable("race,,sync")),
            "an empty check in 'race,,sync'; expected race, sync, init or "
            "all");
  EXPECT_EQ(llvm::toString(sim::CheckOptions().enable("races")),
            "unknown check 'races' in 'races'; expected race, sync, init or "
            "all");
}

} // namespace

namespace {
/// An MFMA (v_mfma_f32_32x32x8_bf16, gfx950) that lanes below LIMIT reach;
/// the result's first register goes to out[lane].
const char *kMatrixUnderBranch = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  %in = icmp ult i32 %l, LIMIT
  br i1 %in, label %mma, label %done
mma:
  %d = call <16 x float> @llvm.amdgcn.mfma.f32.32x32x8bf16.1k(<4 x i16> <i16 16256, i16 16256, i16 16256, i16 16256>, <4 x i16> <i16 16256, i16 16256, i16 16256, i16 16256>, <16 x float> zeroinitializer, i32 0, i32 0, i32 0)
  %e = extractelement <16 x float> %d, i32 0
  %b = bitcast float %e to i32
  store i32 %b, ptr addrspace(1) %o
  br label %done
done:
  ret void
}
declare <16 x float> @llvm.amdgcn.mfma.f32.32x32x8bf16.1k(<4 x i16>, <4 x i16>, <16 x float>, i32, i32, i32)
)";
} // namespace

// The hardware ignores EXEC for matrix instructions: one reached by part of
// a wave is refused (checks on or off), one reached by all of it runs. A
// and B are all 1.0 (bf16 0x3F80), so every element of D is K = 8.
TEST(SyncCheck, MatrixInstructionNeedsTheWholeWave) {
  std::string partial = kMatrixUnderBranch, whole = kMatrixUnderBranch;
  test::replaceAll(partial, "LIMIT", "32");
  test::replaceAll(whole, "LIMIT", "64");
  for (const sim::CheckOptions &checks : {sim::CheckOptions(), allChecks()}) {
    Outcome bad = run(partial, checks, 64, 1, 64);
    EXPECT_TRUE(contains(bad.error, "v_mfma_f32_32x32x8_bf16 needs every "
                                    "lane of the wave active; 32 of 64 are"))
        << bad.error;
    Outcome good = run(whole, checks, 64, 1, 64);
    ASSERT_EQ(good.error, "");
    float first;
    std::memcpy(&first, &good.out[0], 4);
    EXPECT_EQ(first, 8.0f);
  }
}

/// Wave w loads out[64w .. 64w + 63] into its own quarter of @lds with
/// buffer_load_dword ... lds (a load into LDS, counted by vmcnt: CDNA3/CDNA4
/// ISA guides, 9.1.9), then WAIT, a barrier, and lane l reads lds[l ^ XOR]
/// (XOR 64: the other wave's words; 0: its own) into out[l]. DMASCOPE and
/// READSCOPE give the load into LDS and the read their alias metadata.
const char *kLoadIntoLds = R"(
declare ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1), i16, i64, i32)
declare void @llvm.amdgcn.raw.ptr.buffer.load.lds(ptr addrspace(8), ptr addrspace(3), i32 immarg, i32, i32, i32 immarg, i32 immarg)
declare void @llvm.amdgcn.s.waitcnt(i32 immarg)
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %wave = lshr i32 %l, 6
  %rsrc = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %out, i16 0, i64 512, i32 0)
  %bytes = shl i32 %wave, 8
  %ldsp = getelementptr i8, ptr addrspace(3) @lds, i32 %bytes
  %voff = shl i32 %l, 2
  call void @llvm.amdgcn.raw.ptr.buffer.load.lds(ptr addrspace(8) %rsrc, ptr addrspace(3) %ldsp, i32 4, i32 %voff, i32 0, i32 0, i32 0)DMASCOPE
  WAIT
  call void @llvm.amdgcn.s.barrier()
  %src = xor i32 %l, XOR
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %src
  %v = load i32, ptr addrspace(3) %p, align 4READSCOPE
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}
!0 = distinct !{!0, !"domain"}
!1 = distinct !{!1, !0, !"staged"}
!2 = distinct !{!2, !0, !"read"}
!3 = !{!1}
!4 = !{!2}
)";

std::string loadIntoLds(bool wait, bool otherWave, bool scoped) {
  std::string body = kLoadIntoLds;
  auto put = [&](llvm::StringRef key, llvm::StringRef value) {
    body.replace(body.find(key.str()), key.size(), value.str());
  };
  // s_waitcnt vmcnt(0) expcnt(7) lgkmcnt(15): vmcnt alone.
  put("WAIT", wait ? "call void @llvm.amdgcn.s.waitcnt(i32 3952)" : "");
  put("XOR", otherWave ? "64" : "0");
  put("DMASCOPE", scoped ? ", !alias.scope !3, !noalias !4" : "");
  put("READSCOPE", scoped ? ", !alias.scope !4, !noalias !3" : "");
  return body;
}

TEST(SyncCheck, LoadIntoLdsReadByAnotherWaveWithoutVmcntWait) {
  // A barrier does not wait for loads into LDS: the other wave may read
  // before the data lands.
  std::string e = run(loadIntoLds(false, true, true), allChecks()).error;
  EXPECT_TRUE(contains(e, "synccheck: kernel 'k', workgroup (0,0,0), wave "))
      << e;
  EXPECT_TRUE(contains(e, "may still be writing: no s_waitcnt vmcnt retired "
                          "it (a barrier does not wait for loads into LDS)"))
      << e;
  EXPECT_EQ(run(loadIntoLds(false, true, true), {}).error, "");
}

TEST(SyncCheck, LoadIntoLdsWaitedForBeforeTheBarrier) {
  EXPECT_EQ(run(loadIntoLds(true, true, true), allChecks()).error, "");
  EXPECT_EQ(run(loadIntoLds(true, false, true), allChecks()).error, "");
}

TEST(SyncCheck, OwnLoadIntoLdsTheBackendWaitsForUnlessScopesSayOtherwise) {
  // Without alias scopes the backend (SIInsertWaitcnts) makes a wave's LDS
  // read wait for its own loads into LDS it may alias: nothing to report.
  EXPECT_EQ(run(loadIntoLds(false, false, false), allChecks()).error, "");
  // Scopes that say they do not alias remove that wait: a missing s_waitcnt
  // is the kernel's bug.
  std::string e = run(loadIntoLds(false, false, true), allChecks()).error;
  EXPECT_TRUE(contains(e, "(its alias scopes tell the backend not to wait)"))
      << e;
}
