//===- SimulatorTest.cpp - Loading, faults and control flow ---------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Sim/Simulator.h"
#include "TestIR.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cstring>

using namespace mxc;
using Kind = sim::ArgValue::Kind;

namespace {

const char *kHeader = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare i32 @llvm.amdgcn.workgroup.id.x()
declare void @llvm.amdgcn.s.barrier()
)";

llvm::Expected<sim::Simulator> load(const std::string &body,
                                    const char *chip = "gfx950") {
  static std::string text;
  text = (std::string(test::kAmdgcnTarget) + kHeader) + body;
  return sim::Simulator::load(llvm::MemoryBufferRef(text, "test.ll"),
                              *amdgpu::lookupChip(chip));
}

std::string errorOf(llvm::Error e) { return llvm::toString(std::move(e)); }

TEST(SimulatorLoad, RejectsGarbage) {
  std::string junk = "not IR at all";
  auto s = sim::Simulator::load(llvm::MemoryBufferRef(junk, "junk.ll"),
                                *amdgpu::lookupChip("gfx950"));
  ASSERT_FALSE(bool(s));
  EXPECT_NE(errorOf(s.takeError()).find("junk.ll: bad LLVM IR"),
            std::string::npos);
}

TEST(SimulatorLoad, RejectsTruncatedElf) {
  std::string elf("\x7F"
                  "ELF\x02\x01\x01",
                  7);
  auto s = sim::Simulator::load(llvm::MemoryBufferRef(elf, "cut.hsaco"),
                                *amdgpu::lookupChip("gfx950"));
  ASSERT_FALSE(bool(s));
  EXPECT_NE(errorOf(s.takeError()).find("not a readable ELF code object"),
            std::string::npos);
}

TEST(SimulatorLoad, NamesUnknownIntrinsic) {
  auto s = load(R"(
declare i32 @llvm.amdgcn.s.getpc()
define amdgpu_kernel void @k() {
  %x = call i32 @llvm.amdgcn.lerp(i32 0, i32 0, i32 0)
  ret void
}
declare i32 @llvm.amdgcn.lerp(i32, i32, i32)
)");
  ASSERT_FALSE(bool(s));
  EXPECT_NE(errorOf(s.takeError()).find("unknown intrinsic llvm.amdgcn.lerp"),
            std::string::npos);
}

TEST(SimulatorLoad, RefusesMatrixInstructionOfAnotherChip) {
  std::string text = (std::string(test::kAmdgcnTarget) + kHeader) + R"(
define amdgpu_kernel void @k(ptr addrspace(1) %p) {
  %d = call <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v8i32(<8 x i32> zeroinitializer, <8 x i32> zeroinitializer, <4 x float> zeroinitializer, i32 0, i32 0, i32 0, i32 0, i32 0, i32 0)
  store <4 x float> %d, ptr addrspace(1) %p
  ret void
}
declare <4 x float> @llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4.v8i32.v8i32(<8 x i32>, <8 x i32>, <4 x float>, i32 immarg, i32 immarg, i32 immarg, i32, i32 immarg, i32)
)";
  auto s = sim::Simulator::load(llvm::MemoryBufferRef(text, "t.ll"),
                                *amdgpu::lookupChip("gfx942"));
  ASSERT_FALSE(bool(s));
  EXPECT_NE(errorOf(s.takeError()).find("does not exist on gfx942"),
            std::string::npos);
}

const char *kStoreId = R"(
define amdgpu_kernel void @store_id(ptr addrspace(1) %out, i32 %n) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %g = call i32 @llvm.amdgcn.workgroup.id.x()
  %base = mul i32 %g, 64
  %i = add i32 %base, %l
  %p = getelementptr i32, ptr addrspace(1) %out, i32 %i
  store i32 %i, ptr addrspace(1) %p
  ret void
}
)";

TEST(SimulatorRun, ReportsOutOfBoundsStore) {
  auto s = load(kStoreId);
  ASSERT_TRUE(bool(s)) << errorOf(s.takeError());
  sim::Memory memory;
  uint64_t out = memory.allocate(100 * 4, "out"); // grid writes 128 words
  sim::LaunchParams launch;
  launch.grid.x = 2;
  launch.block.x = 64;
  std::string error = errorOf(s->launch(
      "store_id", launch, {{Kind::Pointer, out}, {Kind::I32, 0}}, memory));
  EXPECT_NE(error.find("kernel 'store_id', workgroup (1,0,0), wave 0, lane 36"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("out-of-bounds global store of 4 bytes"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("buffer 'out'"), std::string::npos) << error;
}

TEST(SimulatorRun, ChecksArgumentCountAndLds) {
  auto s = load(kStoreId);
  ASSERT_TRUE(bool(s));
  sim::Memory memory;
  sim::LaunchParams launch;
  EXPECT_NE(errorOf(s->launch("store_id", launch, {}, memory))
                .find("takes 2 arguments, got 0"),
            std::string::npos);
  launch.dynamicLdsBytes = 200 * 1024;
  EXPECT_NE(errorOf(s->launch("store_id", launch,
                              {{Kind::Pointer, 0}, {Kind::I32, 0}}, memory))
                .find("has 163840 per workgroup"),
            std::string::npos);
  EXPECT_NE(
      errorOf(s->launch("nope", launch, {}, memory)).find("no kernel 'nope'"),
      std::string::npos);
}

TEST(SimulatorRun, LaysOutLdsPerKernel) {
  // Two kernels of 96 KiB of LDS each: together more than gfx950's 160 KiB
  // per workgroup, but a workgroup runs one kernel, whose LDS starts at 0
  // (as the AMDGPU backend allocates it). The shared variable goes to both.
  auto s = load(R"(
@shared = internal addrspace(3) global [4 x i32] poison, align 4
@lds_a = internal addrspace(3) global [24576 x i32] poison, align 4
@lds_b = internal addrspace(3) global [24576 x i32] poison, align 4
define internal void @touch_shared() {
  store i32 1, ptr addrspace(3) @shared
  ret void
}
define amdgpu_kernel void @a(ptr addrspace(1) %out) {
  %p = getelementptr i32, ptr addrspace(3) @lds_a, i32 24575
  store i32 7, ptr addrspace(3) %p
  %v = load i32, ptr addrspace(3) %p
  store i32 %v, ptr addrspace(1) %out
  ret void
}
define amdgpu_kernel void @b(ptr addrspace(1) %out) {
  %p = getelementptr i32, ptr addrspace(3) @lds_b, i32 24575
  store i32 9, ptr addrspace(3) %p
  %v = load i32, ptr addrspace(3) %p
  store i32 %v, ptr addrspace(1) %out
  ret void
}
)");
  ASSERT_TRUE(bool(s)) << errorOf(s.takeError());
  // The shared variable (16 bytes) and one kernel's 96 KiB.
  EXPECT_EQ(s->getStaticLdsBytes(), 16u + 96u * 1024);
  sim::Memory memory;
  uint64_t out = memory.allocate(4, "out");
  sim::LaunchParams launch;
  launch.block.x = 1;
  for (auto [kernel, expected] : {std::pair{"a", 7}, std::pair{"b", 9}}) {
    llvm::Error e = s->launch(kernel, launch, {{Kind::Pointer, out}}, memory);
    ASSERT_FALSE(bool(e)) << kernel << ": " << errorOf(std::move(e));
    int32_t v;
    std::memcpy(&v, memory.getBuffer(out)->data.data(), 4);
    EXPECT_EQ(v, expected) << kernel;
  }
  // Each kernel's own LDS and the dynamic tail still must fit.
  launch.dynamicLdsBytes = 64 * 1024;
  EXPECT_NE(errorOf(s->launch("a", launch, {{Kind::Pointer, out}}, memory))
                .find("the launch needs 163856 bytes of LDS"),
            std::string::npos);
}

TEST(SimulatorRun, DivergentLoopsAndLdsExchange) {
  // Lane l sums 0..l-1 in a loop whose trip count diverges, writes it to
  // LDS, and after a barrier reads its mirror lane's value.
  auto s = load(R"(
@lds = addrspace(3) global [128 x i32] undef, align 4
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  br label %loop
loop:
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %s = phi i32 [ 0, %entry ], [ %s2, %loop ]
  %s2 = add i32 %s, %i
  %i1 = add i32 %i, 1
  %next = icmp ult i32 %i1, %l
  br i1 %next, label %loop, label %exit
exit:
  %sum = phi i32 [ %s2, %loop ]
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %l
  store i32 %sum, ptr addrspace(3) %p
  call void @llvm.amdgcn.s.barrier()
  %m = sub i32 127, %l
  %q = getelementptr i32, ptr addrspace(3) @lds, i32 %m
  %v = load i32, ptr addrspace(3) %q
  %o = getelementptr i32, ptr addrspace(1) %out, i32 %l
  store i32 %v, ptr addrspace(1) %o
  ret void
}
)");
  ASSERT_TRUE(bool(s)) << errorOf(s.takeError());
  sim::Memory memory;
  uint64_t out = memory.allocate(128 * 4, "out");
  sim::LaunchParams launch;
  launch.block.x = 128;
  llvm::Error e = s->launch("k", launch, {{Kind::Pointer, out}}, memory);
  ASSERT_FALSE(bool(e)) << errorOf(std::move(e));
  const auto &data = memory.getBuffer(out)->data;
  for (int l = 0; l < 128; ++l) {
    int32_t v;
    std::memcpy(&v, &data[4 * l], 4);
    int m = 127 - l;
    // Lane 0 runs the loop once with %s2 = 0 + 0.
    int expected = m == 0 ? 0 : (m - 1) * m / 2;
    EXPECT_EQ(v, expected) << "lane " << l;
  }
}

const char *kBufferCopy = R"(
declare ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1), i16, i64, i32)
declare <2 x i32> @llvm.amdgcn.raw.ptr.buffer.load.v2i32(ptr addrspace(8), i32, i32, i32)
declare void @llvm.amdgcn.raw.ptr.buffer.store.v2i32(<2 x i32>, ptr addrspace(8), i32, i32, i32)
define amdgpu_kernel void @copy(ptr addrspace(1) %in, ptr addrspace(1) %out, i64 %inBytes, i64 %outBytes) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %src = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %in, i16 0, i64 %inBytes, i32 0)
  %dst = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %out, i16 0, i64 %outBytes, i32 0)
  %off = mul i32 %l, 8
  %v = call <2 x i32> @llvm.amdgcn.raw.ptr.buffer.load.v2i32(ptr addrspace(8) %src, i32 %off, i32 0, i32 0)
  call void @llvm.amdgcn.raw.ptr.buffer.store.v2i32(<2 x i32> %v, ptr addrspace(8) %dst, i32 %off, i32 0, i32 0)
  ret void
}
)";

TEST(SimulatorRun, BufferAccessesOutsideNumRecordsAreMasked) {
  // 64 lanes copy 8 bytes each; the source resource covers 100 bytes
  // (12.5 lanes), the destination 40 bytes (5 lanes).
  auto s = load(kBufferCopy);
  ASSERT_TRUE(bool(s)) << errorOf(s.takeError());
  sim::Memory memory;
  uint64_t in = memory.allocate(512, "in"), out = memory.allocate(512, "out");
  auto &src = memory.getBuffer(in)->data;
  for (unsigned i = 0; i < 512; ++i)
    src[i] = uint8_t(i + 1);
  auto &dst = memory.getBuffer(out)->data;
  std::fill(dst.begin(), dst.end(), 0xEE);
  sim::LaunchParams launch;
  launch.block.x = 64;
  llvm::Error e = s->launch("copy", launch,
                            {{Kind::Pointer, in},
                             {Kind::Pointer, out},
                             {Kind::I64, 100},
                             {Kind::I64, 40}},
                            memory);
  ASSERT_FALSE(bool(e)) << errorOf(std::move(e));
  for (unsigned i = 0; i < 512; ++i)
    EXPECT_EQ(dst[i], i < 40 ? uint8_t(i + 1) : 0xEE) << "byte " << i;

  // The second dword of lane 12 (bytes 100..103) is out of range and reads
  // zero: copy everything to a large destination to see it.
  std::fill(dst.begin(), dst.end(), 0xEE);
  e = s->launch("copy", launch,
                {{Kind::Pointer, in},
                 {Kind::Pointer, out},
                 {Kind::I64, 100},
                 {Kind::I64, 512}},
                memory);
  ASSERT_FALSE(bool(e)) << errorOf(std::move(e));
  for (unsigned i = 0; i < 512; ++i)
    EXPECT_EQ(dst[i], i < 100 ? uint8_t(i + 1) : 0) << "byte " << i;
}

TEST(SimulatorRun, BufferResourceLargerThanItsBufferFaults) {
  auto s = load(kBufferCopy);
  ASSERT_TRUE(bool(s));
  sim::Memory memory;
  uint64_t in = memory.allocate(256, "in"), out = memory.allocate(512, "out");
  sim::LaunchParams launch;
  launch.block.x = 64;
  std::string error = errorOf(s->launch("copy", launch,
                                        {{Kind::Pointer, in},
                                         {Kind::Pointer, out},
                                         {Kind::I64, 512},
                                         {Kind::I64, 512}},
                                        memory));
  EXPECT_NE(error.find("lane 32"), std::string::npos) << error;
  EXPECT_NE(error.find("out-of-bounds global load"), std::string::npos)
      << error;
}

/// kBufferCopy with word 3 of the source resource an argument.
const char *kBufferCopyFlags = R"(
declare ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1), i16, i64, i32)
declare <2 x i32> @llvm.amdgcn.raw.ptr.buffer.load.v2i32(ptr addrspace(8), i32, i32, i32)
declare void @llvm.amdgcn.raw.ptr.buffer.store.v2i32(<2 x i32>, ptr addrspace(8), i32, i32, i32)
define amdgpu_kernel void @copy(ptr addrspace(1) %in, ptr addrspace(1) %out, i64 %inBytes, i32 %flags) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %src = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %in, i16 0, i64 %inBytes, i32 %flags)
  %dst = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %out, i16 0, i64 512, i32 822243328)
  %off = mul i32 %l, 8
  %v = call <2 x i32> @llvm.amdgcn.raw.ptr.buffer.load.v2i32(ptr addrspace(8) %src, i32 %off, i32 0, i32 0)
  call void @llvm.amdgcn.raw.ptr.buffer.store.v2i32(<2 x i32> %v, ptr addrspace(8) %dst, i32 %off, i32 0, i32 0)
  ret void
}
)";

/// Copies 8 bytes a lane over 32 lanes through a source resource of 100
/// bytes with word 3 `flags` on `chip`; the 256 bytes written.
std::vector<uint8_t> copyWithFlags(const char *chip, uint32_t flags) {
  auto s = load(kBufferCopyFlags, chip);
  EXPECT_TRUE(bool(s)) << errorOf(s.takeError());
  if (!s)
    return {};
  sim::Memory memory;
  uint64_t in = memory.allocate(512, "in"), out = memory.allocate(512, "out");
  auto &src = memory.getBuffer(in)->data;
  for (unsigned i = 0; i < 512; ++i)
    src[i] = uint8_t(i + 1);
  sim::LaunchParams launch;
  launch.block.x = 32;
  llvm::Error e = s->launch("copy", launch,
                            {{Kind::Pointer, in},
                             {Kind::Pointer, out},
                             {Kind::I64, 100},
                             {Kind::I32, flags}},
                            memory);
  EXPECT_FALSE(bool(e)) << errorOf(std::move(e));
  const auto &dst = memory.getBuffer(out)->data;
  return std::vector<uint8_t>(dst.begin(), dst.begin() + 256);
}

// GFX10+ range-checks a raw access as word 3's OOB_SELECT (bits 28-29)
// says (MLIR's AMDGPUToROCDL documents it): 3 against num_records, 2 not at all
// (num_records 0 aside), 0 (structured) against the stride, here 0, so
// everything is out of range. GFX9 has no such field.
TEST(SimulatorRun, BufferRangeCheckFollowsOobSelectOnGfx10Plus) {
  std::vector<uint8_t> got = copyWithFlags("gfx1100", 0x31027000);
  for (unsigned i = 0; i < 256; ++i)
    EXPECT_EQ(got[i], i < 100 ? uint8_t(i + 1) : 0) << "OOB_SELECT 3, " << i;
  got = copyWithFlags("gfx1201", 0x21027000);
  for (unsigned i = 0; i < 256; ++i)
    EXPECT_EQ(got[i], uint8_t(i + 1)) << "OOB_SELECT 2, byte " << i;
  got = copyWithFlags("gfx1100", 0x27000);
  for (unsigned i = 0; i < 256; ++i)
    EXPECT_EQ(got[i], 0) << "OOB_SELECT 0, byte " << i;
  got = copyWithFlags("gfx942", 0x27000 | (2u << 28));
  for (unsigned i = 0; i < 256; ++i)
    EXPECT_EQ(got[i], i < 100 ? uint8_t(i + 1) : 0) << "gfx942, byte " << i;
}

} // namespace
