//===- LoadToLdsTest.cpp - Loads from memory straight into LDS ------------===//
//
// Part of mxc. llvm.amdgcn.raw.ptr.buffer.load.lds and
// llvm.amdgcn.global.load.lds (buffer_load_* ... lds, global_load_lds_*)
// against a reference written from AMD's CDNA3/CDNA4 ISA guides (9.1.5.1
// range checking, 9.1.9 "Memory Buffer Load to LDS", 10.3 and the opcode
// descriptions) and IntrinsicsAMDGPU.td, not from the simulator:
//  - LDS address of lane l = M0 (the LDS pointer, one for the wave) +
//    instruction offset + l * 4 for 1-, 2- and 4-byte loads, l * 16 for the
//    3- and 4-dword loads of gfx950;
//  - ubyte/ushort are zero-extended to a dword; dwordx3 writes 3 dwords and
//    skips the 4th; inactive lanes write nothing;
//  - the instruction offset moves both the memory and the LDS address;
//  - a raw buffer is out of range, per dword, where soffset + voffset +
//    instruction offset passes num_records (soffset counts, as AMD's
//    simulator does after measuring gfx950: ROCm/rocm-systems#10928; the ISA
//    text leaves it out); out-of-range data reads zero.
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

constexpr unsigned kLdsBytes = 4096;
constexpr uint32_t kSentinel = 0xDEADBEEF;

/// One wave of 64 lanes fills @lds with kSentinel, lets the lanes whose bit
/// is set in %mask run LOADCALL (lane l's memory offset is %voff = l * VSTRIDE,
/// its LDS pointer %ldsp = @lds + LDSBASE), then copies @lds to %out.
const char *kKernel = R"(
@lds = internal addrspace(3) global [4096 x i8] undef, align 16
declare i32 @llvm.amdgcn.workitem.id.x()
declare ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1), i16, i64, i32)
declare void @llvm.amdgcn.raw.ptr.buffer.load.lds(ptr addrspace(8), ptr addrspace(3), i32 immarg, i32, i32, i32 immarg, i32 immarg)
declare void @llvm.amdgcn.global.load.lds(ptr addrspace(1), ptr addrspace(3), i32 immarg, i32 immarg, i32 immarg)
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i64 %records, i32 %soffset, i64 %mask) {
entry:
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  br label %fill
fill:
  %i = phi i32 [ 0, %entry ], [ %i.next, %fill ]
  %fb = mul i32 %i, 64
  %fw = add i32 %fb, %l
  %fp = getelementptr i32, ptr addrspace(3) @lds, i32 %fw
  store i32 -559038737, ptr addrspace(3) %fp
  %i.next = add i32 %i, 1
  %filled = icmp eq i32 %i.next, 16
  br i1 %filled, label %check, label %fill
check:
  %l64 = zext i32 %l to i64
  %bit = shl i64 1, %l64
  %sel = and i64 %mask, %bit
  %active = icmp ne i64 %sel, 0
  %voff = mul i32 %l, VSTRIDE
  %ldsp = getelementptr i8, ptr addrspace(3) @lds, i32 LDSBASE
  br i1 %active, label %dma, label %copy
dma:
  LOADCALL
  br label %copy
copy:
  %j = phi i32 [ 0, %check ], [ 0, %dma ], [ %j.next, %copy ]
  %cb = mul i32 %j, 64
  %cw = add i32 %cb, %l
  %cp = getelementptr i32, ptr addrspace(3) @lds, i32 %cw
  %v = load i32, ptr addrspace(3) %cp
  %op = getelementptr i32, ptr addrspace(1) %out, i32 %cw
  store i32 %v, ptr addrspace(1) %op
  %j.next = add i32 %j, 1
  %copied = icmp eq i32 %j.next, 16
  br i1 %copied, label %exit, label %copy
exit:
  ret void
}
)";

const char *kBufferCall =
    "%rsrc = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr "
    "addrspace(1) %in, i16 0, i64 %records, i32 0)\n"
    "  call void @llvm.amdgcn.raw.ptr.buffer.load.lds(ptr addrspace(8) %rsrc, "
    "ptr addrspace(3) %ldsp, i32 SIZE, i32 %voff, i32 %soffset, i32 IMM, i32 "
    "0)";

const char *kGlobalCall =
    "%voff64 = zext i32 %voff to i64\n"
    "  %gp = getelementptr i8, ptr addrspace(1) %in, i64 %voff64\n"
    "  call void @llvm.amdgcn.global.load.lds(ptr addrspace(1) %gp, ptr "
    "addrspace(3) %ldsp, i32 SIZE, i32 IMM, i32 0)";

struct Case {
  bool buffer = true;
  unsigned size = 4;      ///< Bytes a lane loads.
  unsigned vstride = 0;   ///< Lane l's voffset is l * vstride (0: size).
  unsigned ldsBase = 0;   ///< The LDS pointer's offset in @lds.
  unsigned imm = 0;       ///< The instruction offset.
  uint64_t records = ~0u; ///< num_records of the buffer resource.
  uint32_t soffset = 0;
  uint64_t mask = ~uint64_t(0);
};

std::string kernelFor(const Case &c) {
  std::string ir = std::string(test::kAmdgcnTarget) + kKernel;
  test::replaceAll(ir, "LOADCALL", c.buffer ? kBufferCall : kGlobalCall);
  test::replaceAll(ir, "SIZE", std::to_string(c.size));
  test::replaceAll(ir, "IMM", std::to_string(c.imm));
  test::replaceAll(ir, "VSTRIDE",
                   std::to_string(c.vstride ? c.vstride : c.size));
  test::replaceAll(ir, "LDSBASE", std::to_string(c.ldsBase));
  return ir;
}

llvm::Expected<sim::Simulator> loadCase(const Case &c,
                                        const char *chip = "gfx950") {
  std::string text = kernelFor(c);
  return sim::Simulator::load(llvm::MemoryBufferRef(text, "t.ll"),
                              *amdgpu::lookupChip(chip));
}

constexpr unsigned kInBytes = 4096;

uint8_t inByte(unsigned i) { return uint8_t(i * 7 + 3); }

/// Runs the case; returns @lds as the kernel copied it out, or the error.
struct Outcome {
  std::vector<uint8_t> lds;
  std::string error;
};

Outcome runCase(const Case &c, const char *chip = "gfx950") {
  Outcome result;
  auto s = loadCase(c, chip);
  if (!s) {
    result.error = llvm::toString(s.takeError());
    return result;
  }
  sim::Memory memory;
  uint64_t out = memory.allocate(kLdsBytes, "out");
  std::vector<uint8_t> input(kInBytes);
  for (unsigned i = 0; i < kInBytes; ++i)
    input[i] = inByte(i);
  uint64_t in = test::upload(memory, input.data(), input.size(), "in");
  sim::LaunchParams launch;
  launch.block.x = 64;
  llvm::Error e = s->launch("k", launch,
                            {{Kind::Pointer, out},
                             {Kind::Pointer, in},
                             {Kind::I64, c.records},
                             {Kind::I32, c.soffset},
                             {Kind::I64, c.mask}},
                            memory);
  if (e) {
    result.error = llvm::toString(std::move(e));
    return result;
  }
  result.lds = memory.getBuffer(out)->data;
  return result;
}

/// What the ISA guides say @lds holds afterwards.
std::vector<uint8_t> expectedLds(const Case &c) {
  std::vector<uint8_t> lds(kLdsBytes);
  for (unsigned i = 0; i < kLdsBytes; i += 4)
    std::memcpy(&lds[i], &kSentinel, 4);
  unsigned stride = c.size <= 4 ? 4 : 16;
  unsigned written = c.size <= 4 ? 4 : c.size;
  unsigned component = c.size < 4 ? c.size : 4;
  for (unsigned lane = 0; lane < 64; ++lane) {
    if (!((c.mask >> lane) & 1))
      continue;
    uint8_t data[16] = {0}; // zero extension and out-of-range data
    unsigned voffset = lane * (c.vstride ? c.vstride : c.size);
    for (unsigned at = 0; at < c.size; at += component) {
      uint64_t address = (c.buffer ? c.soffset : 0) + voffset + c.imm + at;
      if (c.buffer && address + component > c.records)
        continue;
      for (unsigned b = 0; b < component; ++b)
        data[at + b] = inByte(unsigned(address + b));
    }
    std::memcpy(&lds[c.ldsBase + c.imm + lane * stride], data, written);
  }
  return lds;
}

void expectMatches(const Case &c, const char *chip = "gfx950") {
  Outcome got = runCase(c, chip);
  ASSERT_TRUE(got.error.empty()) << got.error;
  std::vector<uint8_t> want = expectedLds(c);
  for (unsigned i = 0; i < kLdsBytes; ++i)
    ASSERT_EQ(got.lds[i], want[i])
        << "LDS byte " << i << " (lane slot " << i / (c.size <= 4 ? 4 : 16)
        << "), " << (c.buffer ? "buffer" : "global") << " size " << c.size
        << " on " << chip;
}

TEST(LoadToLds, EverySizePlacesLanesByLaneId) {
  for (bool buffer : {true, false})
    for (unsigned size : {1u, 2u, 4u, 12u, 16u}) {
      Case c;
      c.buffer = buffer;
      c.size = size;
      expectMatches(c);
    }
}

TEST(LoadToLdsReference, SlotsFollowTheIsaFormula) {
  // The reference itself, spot-checked by hand: lane 3 of a ushort load
  // reads bytes 6, 7 and writes them zero-extended at LDS 12..15; lane 2 of
  // a dwordx3 load reads bytes 24..35, writes LDS 32..43 and leaves 44..47.
  Case c;
  c.size = 2;
  std::vector<uint8_t> lds = expectedLds(c);
  EXPECT_EQ(lds[12], inByte(6));
  EXPECT_EQ(lds[13], inByte(7));
  EXPECT_EQ(lds[14], 0);
  EXPECT_EQ(lds[15], 0);
  c.size = 12;
  lds = expectedLds(c);
  EXPECT_EQ(lds[32], inByte(24));
  EXPECT_EQ(lds[43], inByte(35));
  EXPECT_EQ(lds[44], 0xEF); // the sentinel's low byte
  EXPECT_EQ(lds[47], 0xDE);
}

TEST(LoadToLds, DwordFormsRunOnGfx942AndGfx90a) {
  for (const char *chip : {"gfx942", "gfx90a"})
    for (bool buffer : {true, false})
      for (unsigned size : {1u, 2u, 4u}) {
        Case c;
        c.buffer = buffer;
        c.size = size;
        c.mask = 0xFFFF0000FFFF00FFull;
        expectMatches(c, chip);
      }
}

TEST(LoadToLds, ImmediateOffsetMovesMemoryAndLds) {
  for (bool buffer : {true, false})
    for (unsigned size : {1u, 4u, 16u}) {
      Case c;
      c.buffer = buffer;
      c.size = size;
      c.ldsBase = 256;
      c.imm = 48;
      c.vstride = 20;
      expectMatches(c);
    }
}

TEST(LoadToLds, InactiveLanesLeaveTheirSlots) {
  for (bool buffer : {true, false})
    for (unsigned size : {2u, 4u, 12u, 16u}) {
      Case c;
      c.buffer = buffer;
      c.size = size;
      c.mask = 0x8000000000000001ull | 0x0F0F00F0A5A50000ull;
      expectMatches(c);
    }
}

TEST(LoadToLds, OutOfRangeBufferReadsZeroPerDword) {
  // soffset 1024, voffset 16 * l, offset 8, num_records 1224: lane 11's
  // dwords at 1024 + 184..199 are in range; lane 12's at 1024 + 200.. are
  // not, so its slot is all zero.
  for (unsigned size : {4u, 12u, 16u}) {
    Case c;
    c.size = size;
    c.vstride = 16;
    c.imm = 8;
    c.records = 1224;
    c.soffset = 1024;
    expectMatches(c);
  }
  // A ushort at 98..99 is in range of 100; the lanes after read zero.
  Case c;
  c.size = 2;
  c.records = 100;
  expectMatches(c);

  // Spot check of the reference: lane 12's first dword reads zero, lane 11's
  // last dword (offset 196) reads byte 1024 + 196.
  Case x;
  x.size = 16;
  x.vstride = 16;
  x.imm = 8;
  x.records = 1224;
  x.soffset = 1024;
  std::vector<uint8_t> lds = expectedLds(x);
  EXPECT_EQ(lds[8 + 11 * 16 + 12], inByte(1024 + 196));
  EXPECT_EQ(lds[8 + 12 * 16], 0);
}

TEST(LoadToLds, LdsOverflowFaults) {
  // 64 lanes x 16 bytes from LDS offset 3088 end at 4112 > 4096: lane 63.
  Case c;
  c.size = 16;
  c.ldsBase = 3088;
  std::string error = runCase(c).error;
  EXPECT_NE(error.find("wave 0, lane 63"), std::string::npos) << error;
  EXPECT_NE(error.find("out-of-bounds LDS store of 16 bytes at offset 4096"),
            std::string::npos)
      << error;
  EXPECT_NE(error.find("llvm.amdgcn.raw.ptr.buffer.load.lds"),
            std::string::npos)
      << error;
  // Without lane 63 it fits.
  c.mask = ~uint64_t(0) >> 1;
  expectMatches(c);
}

TEST(LoadToLds, GlobalReadOutsideItsBufferFaults) {
  Case c;
  c.buffer = false;
  c.size = 16;
  c.vstride = 64; // lane 63 reads at 4032..4047, lane 64 would be past
  c.imm = 64;     // ... and the offset pushes lane 63 to 4096
  std::string error = runCase(c).error;
  EXPECT_NE(error.find("lane 63"), std::string::npos) << error;
  EXPECT_NE(error.find("out-of-bounds global load of 16 bytes"),
            std::string::npos)
      << error;
}

TEST(LoadToLds, LdsPointerMustBeUniformAndDwordAligned) {
  Case c;
  c.ldsBase = 2;
  std::string error = runCase(c).error;
  EXPECT_NE(error.find("LDS offset 2, not a multiple of 4"), std::string::npos)
      << error;

  std::string ir = kernelFor(Case());
  test::replaceAll(ir, "getelementptr i8, ptr addrspace(3) @lds, i32 0",
                   "getelementptr i8, ptr addrspace(3) @lds, i32 %voff");
  auto s = sim::Simulator::load(llvm::MemoryBufferRef(ir, "t.ll"),
                                *amdgpu::lookupChip("gfx950"));
  ASSERT_TRUE(bool(s)) << llvm::toString(s.takeError());
  sim::Memory memory;
  uint64_t out = memory.allocate(kLdsBytes, "out");
  uint64_t in = memory.allocate(kInBytes, "in");
  sim::LaunchParams launch;
  launch.block.x = 64;
  error = llvm::toString(s->launch("k", launch,
                                   {{Kind::Pointer, out},
                                    {Kind::Pointer, in},
                                    {Kind::I64, kInBytes},
                                    {Kind::I32, 0},
                                    {Kind::I64, ~uint64_t(0)}},
                                   memory));
  EXPECT_NE(error.find("lane 1 "), std::string::npos) << error;
  EXPECT_NE(error.find("LDS pointer of a load to LDS differs between lanes"),
            std::string::npos)
      << error;
}

TEST(LoadToLds, SizesAChipLacksAreRefusedAtLoad) {
  for (bool buffer : {true, false}) {
    const char *name = buffer ? "llvm.amdgcn.raw.ptr.buffer.load.lds"
                              : "llvm.amdgcn.global.load.lds";
    for (unsigned size : {12u, 16u}) {
      Case c;
      c.buffer = buffer;
      c.size = size;
      auto s = loadCase(c, "gfx942");
      ASSERT_FALSE(bool(s));
      std::string error = llvm::toString(s.takeError());
      EXPECT_NE(error.find(std::string("intrinsic ") + name + " of " +
                           std::to_string(size) +
                           " bytes a lane: gfx942 loads at most 4 bytes a "
                           "lane into LDS"),
                std::string::npos)
          << error;
    }
    Case c;
    c.buffer = buffer;
    auto s = loadCase(c, "gfx1201");
    ASSERT_FALSE(bool(s));
    std::string error = llvm::toString(s.takeError());
    EXPECT_NE(error.find("gfx1201 has no loads into LDS"), std::string::npos)
        << error;
    c.size = 8;
    s = loadCase(c);
    ASSERT_FALSE(bool(s));
    error = llvm::toString(s.takeError());
    EXPECT_NE(error.find("of 8 bytes a lane; the sizes are 1, 2, 4, 12 and 16"),
              std::string::npos)
        << error;
  }
}

} // namespace
