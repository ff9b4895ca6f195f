//===- LaneOpsTest.cpp - Cross-lane intrinsics, wave64 and wave32 ---------===//
//
// Part of mxc. Each cross-lane intrinsic the simulator knows, checked lane
// by lane against its ISA definition, on a wave64 chip and a wave32 chip.
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cstring>

using namespace mxc;
using Kind = sim::ArgValue::Kind;

namespace {

const char *kHeader = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare i32 @llvm.amdgcn.mbcnt.lo(i32, i32)
declare i32 @llvm.amdgcn.mbcnt.hi(i32, i32)
declare i32 @llvm.amdgcn.readlane.i32(i32, i32)
declare i32 @llvm.amdgcn.readfirstlane.i32(i32)
declare i32 @llvm.amdgcn.ds.bpermute(i32, i32)
declare { i32, i32 } @llvm.amdgcn.permlane16.swap(i32, i32, i1 immarg, i1 immarg)
declare { i32, i32 } @llvm.amdgcn.permlane32.swap(i32, i32, i1 immarg, i1 immarg)
)";

/// Runs `body` (a kernel @k(ptr addrspace(1) %out) writing `rows` words per
/// workitem at out[row * lanes + workitem]) with one workgroup of `lanes`.
std::vector<uint32_t> run(const char *chip, const std::string &body,
                          unsigned lanes, unsigned rows) {
  std::string text = std::string(test::kAmdgcnTarget) + kHeader + body;
  auto s = sim::Simulator::load(llvm::MemoryBufferRef(text, "t.ll"),
                                *amdgpu::lookupChip(chip));
  EXPECT_TRUE(bool(s)) << llvm::toString(s.takeError());
  if (!s)
    return {};
  sim::Memory memory;
  uint64_t out = memory.allocate(size_t(rows) * lanes * 4, "out");
  sim::LaunchParams launch;
  launch.block.x = lanes;
  llvm::Error e = s->launch("k", launch, {{Kind::Pointer, out}}, memory);
  EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
  std::vector<uint32_t> words(size_t(rows) * lanes);
  std::memcpy(words.data(), memory.getBuffer(out)->data.data(),
              words.size() * 4);
  return words;
}

// Rows: 0 mbcnt(-1) (lane id), 1 mbcnt(0xAAAAAAAA pattern), 2 readlane(3w, 5),
// 3 readfirstlane in lanes >= 10 of the wave, 4 ds.bpermute from the mirror
// lane, 5/6 permlane16.swap results, 7/8 permlane32.swap results (wave64).
const char *kLaneOps = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %lo = call i32 @llvm.amdgcn.mbcnt.lo(i32 -1, i32 0)
  %id = call i32 @llvm.amdgcn.mbcnt.hi(i32 -1, i32 %lo)
  %plo = call i32 @llvm.amdgcn.mbcnt.lo(i32 2863311530, i32 100)
  %pat = call i32 @llvm.amdgcn.mbcnt.hi(i32 2863311530, i32 %plo)
  %w3 = mul i32 %w, 3
  %rl = call i32 @llvm.amdgcn.readlane.i32(i32 %w3, i32 5)
  %late = icmp uge i32 %id, 10
  br i1 %late, label %then, label %join
then:
  %rf = call i32 @llvm.amdgcn.readfirstlane.i32(i32 %w)
  br label %join
join:
  %first = phi i32 [ %rf, %then ], [ 4294967295, %entry ]
  %mirror = sub i32 WAVEMINUS1, %id
  %addr = shl i32 %mirror, 2
  %bp = call i32 @llvm.amdgcn.ds.bpermute(i32 %addr, i32 %w)
  %src = add i32 %w, 1000
  %p16 = call { i32, i32 } @llvm.amdgcn.permlane16.swap(i32 %w, i32 %src, i1 false, i1 false)
  %p16a = extractvalue { i32, i32 } %p16, 0
  %p16b = extractvalue { i32, i32 } %p16, 1
  P32
  %v = insertelement <9 x i32> poison, i32 %id, i32 0
  %v1 = insertelement <9 x i32> %v, i32 %pat, i32 1
  %v2 = insertelement <9 x i32> %v1, i32 %rl, i32 2
  %v3 = insertelement <9 x i32> %v2, i32 %first, i32 3
  %v4 = insertelement <9 x i32> %v3, i32 %bp, i32 4
  %v5 = insertelement <9 x i32> %v4, i32 %p16a, i32 5
  %v6 = insertelement <9 x i32> %v5, i32 %p16b, i32 6
  %v7 = insertelement <9 x i32> %v6, i32 %p32a, i32 7
  %v8 = insertelement <9 x i32> %v7, i32 %p32b, i32 8
  br label %store
store:
  %r = phi i32 [ 0, %join ], [ %r1, %store ]
  %x = extractelement <9 x i32> %v8, i32 %r
  %row = mul i32 %r, LANES
  %at = add i32 %row, %w
  %p = getelementptr i32, ptr addrspace(1) %out, i32 %at
  store i32 %x, ptr addrspace(1) %p
  %r1 = add i32 %r, 1
  %more = icmp ult i32 %r1, 9
  br i1 %more, label %store, label %done
done:
  ret void
}
)";

std::string laneOpsKernel(unsigned wave, unsigned lanes) {
  std::string text = kLaneOps;
  auto replace = [&](llvm::StringRef from, llvm::StringRef to) {
    test::replaceAll(text, from, to);
  };
  replace("WAVEMINUS1", std::to_string(wave - 1));
  replace("LANES", std::to_string(lanes));
  replace(
      "P32",
      wave == 64
          ? R"(%p32 = call { i32, i32 } @llvm.amdgcn.permlane32.swap(i32 %w, i32 %src, i1 false, i1 false)
  %p32a = extractvalue { i32, i32 } %p32, 0
  %p32b = extractvalue { i32, i32 } %p32, 1)"
          : "%p32a = add i32 0, 0\n  %p32b = add i32 0, 0");
  return text;
}

void checkLaneOps(const char *chip, unsigned wave) {
  const unsigned lanes = 2 * wave; // two waves: ids restart per wave
  std::vector<uint32_t> out = run(chip, laneOpsKernel(wave, lanes), lanes, 9);
  ASSERT_EQ(out.size(), 9u * lanes);
  auto at = [&](unsigned row, unsigned w) { return out[row * lanes + w]; };
  for (unsigned w = 0; w < lanes; ++w) {
    unsigned lane = w % wave, base = w - lane;
    SCOPED_TRACE(std::string(chip) + " workitem " + std::to_string(w));
    EXPECT_EQ(at(0, w), lane);
    // Odd lanes below this one (0xAAAAAAAA in both halves), plus 100.
    EXPECT_EQ(at(1, w), 100 + lane / 2);
    EXPECT_EQ(at(2, w), 3 * (base + 5));
    EXPECT_EQ(at(3, w), lane >= 10 ? base + 10 : 0xFFFFFFFFu);
    EXPECT_EQ(at(4, w), base + (wave - 1 - lane));
    // permlane16.swap: odd 16-lane rows of the first operand trade places
    // with even rows of the second.
    bool oddRow = (lane / 16) % 2 == 1;
    EXPECT_EQ(at(5, w), oddRow ? w - 16 + 1000 : w);
    EXPECT_EQ(at(6, w), oddRow ? w + 1000 : w + 16);
    if (wave == 64) {
      bool upper = lane >= 32;
      EXPECT_EQ(at(7, w), upper ? w - 32 + 1000 : w);
      EXPECT_EQ(at(8, w), upper ? w + 1000 : w + 32);
    }
  }
}

TEST(LaneOps, Wave64OnGfx950) { checkLaneOps("gfx950", 64); }
TEST(LaneOps, Wave32OnGfx1201) { checkLaneOps("gfx1201", 32); }

TEST(LaneOps, Wave32SplitsWorkgroupsIntoWavesOf32) {
  // readfirstlane of the workitem id gives each wave's first workitem.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %f = call i32 @llvm.amdgcn.readfirstlane.i32(i32 %w)
  %p = getelementptr i32, ptr addrspace(1) %out, i32 %w
  store i32 %f, ptr addrspace(1) %p
  ret void
}
)";
  std::vector<uint32_t> out = run("gfx1100", body, 100, 1);
  ASSERT_EQ(out.size(), 100u);
  for (unsigned w = 0; w < 100; ++w)
    EXPECT_EQ(out[w], w / 32 * 32) << "workitem " << w;
}

TEST(LaneOps, Wave64FeatureOnGfx1100) {
  // A gfx11 kernel compiled for wave64 runs in waves of 64.
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out) #0 {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %f = call i32 @llvm.amdgcn.readfirstlane.i32(i32 %w)
  %p = getelementptr i32, ptr addrspace(1) %out, i32 %w
  store i32 %f, ptr addrspace(1) %p
  ret void
}
attributes #0 = { "target-features"="+wavefrontsize64" }
)";
  std::vector<uint32_t> out = run("gfx1100", body, 100, 1);
  ASSERT_EQ(out.size(), 100u);
  for (unsigned w = 0; w < 100; ++w)
    EXPECT_EQ(out[w], w / 64 * 64) << "workitem " << w;
}

} // namespace
