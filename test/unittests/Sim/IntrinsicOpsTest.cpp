//===- IntrinsicOpsTest.cpp - MODE, FP8 conversions, fences, reductions ---===//
//
// Part of mxc. The intrinsics and constructs of the hardware-validated
// Triton kernels beyond matrix and lane operations: s.setreg of MODE's
// FP16_OVFL with the FP8 conversions it clamps, FNUZ and OCP FP8 per chip,
// v_perm_b32, vector reductions, fdot2, fences and barriers between waves,
// bit-packed <N x i1> loads and one-element vector constants. Expected
// values are written out by hand from the OCP MX/FP8 definitions (SPEC.md),
// the AMD ISA guides and LLVM's LangRef.
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>

using namespace mxc;
using Kind = sim::ArgValue::Kind;

namespace {

llvm::Expected<sim::Simulator> load(const char *chip, const std::string &body) {
  std::string text = std::string(test::kAmdgcnTarget) + body;
  return sim::Simulator::load(llvm::MemoryBufferRef(text, "t.ll"),
                              *amdgpu::lookupChip(chip));
}

/// Runs @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) with one
/// workgroup of `lanes`; returns `outWords` words of out.
std::vector<uint32_t> run(const char *chip, const std::string &body,
                          unsigned lanes, size_t outWords,
                          const std::vector<uint32_t> &in = {0},
                          uint32_t arg = 0) {
  auto s = load(chip, body);
  EXPECT_TRUE(bool(s)) << llvm::toString(s.takeError());
  if (!s)
    return {};
  sim::Memory memory;
  uint64_t out = memory.allocate(outWords * 4, "out");
  uint64_t inAddr = test::upload(memory, in.data(), in.size() * 4, "in");
  sim::LaunchParams launch;
  launch.block.x = lanes;
  llvm::Error e = s->launch(
      "k", launch,
      {{Kind::Pointer, out}, {Kind::Pointer, inAddr}, {Kind::I32, arg}},
      memory);
  EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
  std::vector<uint32_t> words(outWords);
  std::memcpy(words.data(), memory.getBuffer(out)->data.data(), outWords * 4);
  return words;
}

std::string loadError(const char *chip, const std::string &body) {
  auto s = load(chip, body);
  if (s)
    return "";
  return llvm::toString(s.takeError());
}

uint32_t bitsOf(float f) {
  uint32_t u;
  std::memcpy(&u, &f, 4);
  return u;
}

float floatOf(uint32_t u) {
  float f;
  std::memcpy(&f, &u, 4);
  return f;
}

//===----------------------------------------------------------------------===//
// s.setreg MODE.FP16_OVFL and gfx950's scaled FP8/BF8 conversions
//===----------------------------------------------------------------------===//

/// Lane l converts in[3l], in[3l+1] scaled by in[3l+2] into the low half of
/// 0xA5A5A5A5 (out[2l]) and then into the high half of that (out[2l+1]),
/// after s_setreg hwreg(HW_REG_MODE, 23, 1) := %arg.
const char *kScaledCvt = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare void @llvm.amdgcn.s.setreg(i32 immarg, i32)
declare <2 x i16> @llvm.amdgcn.cvt.scalef32.pk.FMT.f32(<2 x i16>, float, float, float, i1 immarg)
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  call void @llvm.amdgcn.s.setreg(i32 1473, i32 %arg)
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %i = mul i32 %w, 3
  %pa = getelementptr float, ptr addrspace(1) %in, i32 %i
  %a = load float, ptr addrspace(1) %pa
  %pb = getelementptr float, ptr addrspace(1) %pa, i32 1
  %b = load float, ptr addrspace(1) %pb
  %ps = getelementptr float, ptr addrspace(1) %pa, i32 2
  %s = load float, ptr addrspace(1) %ps
  %old = bitcast i32 2779096485 to <2 x i16>
  %lo = call <2 x i16> @llvm.amdgcn.cvt.scalef32.pk.FMT.f32(<2 x i16> %old, float %a, float %b, float %s, i1 false)
  %hi = call <2 x i16> @llvm.amdgcn.cvt.scalef32.pk.FMT.f32(<2 x i16> %lo, float %a, float %b, float %s, i1 true)
  %o = mul i32 %w, 2
  %po = getelementptr <2 x i16>, ptr addrspace(1) %out, i32 %o
  store <2 x i16> %lo, ptr addrspace(1) %po
  %po1 = getelementptr <2 x i16>, ptr addrspace(1) %po, i32 1
  store <2 x i16> %hi, ptr addrspace(1) %po1
  ret void
}
)";

struct CvtCase {
  float a, b, scale;
  uint8_t codeA, codeB;               ///< MODE.FP16_OVFL clear
  uint8_t clampedA = 0, clampedB = 0; ///< set (0, 0: the same codes)
};

void checkScaledCvt(const char *format, const std::vector<CvtCase> &cases) {
  std::string body = kScaledCvt;
  test::replaceAll(body, "FMT", format);
  std::vector<uint32_t> in;
  for (const CvtCase &c : cases) {
    in.push_back(bitsOf(c.a));
    in.push_back(bitsOf(c.b));
    in.push_back(bitsOf(c.scale));
  }
  for (uint32_t clamp : {0u, 1u}) {
    std::vector<uint32_t> out = run("gfx950", body, unsigned(cases.size()),
                                    2 * cases.size(), in, clamp);
    ASSERT_EQ(out.size(), 2 * cases.size());
    for (size_t i = 0; i < cases.size(); ++i) {
      const CvtCase &c = cases[i];
      bool same = c.clampedA == 0 && c.clampedB == 0;
      uint32_t ca = clamp && !same ? c.clampedA : c.codeA;
      uint32_t cb = clamp && !same ? c.clampedB : c.codeB;
      uint32_t lo = 0xA5A50000u | (cb << 8) | ca;
      SCOPED_TRACE(std::string(format) + " case " + std::to_string(i) +
                   " clamp " + std::to_string(clamp));
      EXPECT_EQ(out[2 * i], lo);
      EXPECT_EQ(out[2 * i + 1], (cb << 24) | (ca << 16) | (lo & 0xFFFF));
    }
  }
}

TEST(IntrinsicOpsTest, ScaledConversionToOcpE4M3) {
  const float nan = std::nanf(""), inf = INFINITY;
  checkScaledCvt(
      "fp8",
      {
          // E4M3: bias 7, 3 mantissa bits, max 448 = 0x7E, 0x7F NaN.
          {1.0f, -2.5f, 1.0f, 0x38, 0xC2},
          // 464 is halfway between 448 (mantissa 110) and 480 (111, not
          // finite): ties to even give 448 with or without the clamp.
          {448.0f, 464.0f, 1.0f, 0x7E, 0x7E},
          // Past 464: NaN, or +-448 with FP16_OVFL.
          {500.0f, -500.0f, 1.0f, 0x7F, 0xFF, 0x7E, 0xFE},
          // Subnormals are multiples of 2^-9; 2^-10 ties to 0, 3*2^-10 to 2.
          {std::ldexp(1.0f, -9), std::ldexp(1.0f, -10), 1.0f, 0x01, 0x00},
          {3 * std::ldexp(1.0f, -10), -0.0f, 1.0f, 0x02, 0x80},
          // NaN stays NaN; a true infinity is not clamped (no E4M3 infinity).
          {nan, inf, 1.0f, 0x7F, 0x7F},
          // Divided by the scale: 3/4 = 0.75; 100/4 = 25 ties between 24 and
          // 26 to 24 (mantissa 100).
          {3.0f, 100.0f, 4.0f, 0x34, 0x5C},
          // 100/0.5 = 200 ties between 192 and 208 to 192; 6/0.5 = 12.
          {100.0f, 6.0f, 0.5f, 0x74, 0x54},
          // Only the scale's exponent counts: 3.0 scales like 2.0.
          {6.0f, 1.0f, 3.0f, 0x44, 0x30},
          {240.0f, std::ldexp(1.0f, -6), 1.0f, 0x77, 0x08},
      });
}

TEST(IntrinsicOpsTest, ScaledConversionToOcpE5M2) {
  checkScaledCvt(
      "bf8",
      {
          // E5M2: bias 15, 2 mantissa bits, max 57344 = 0x7B, Inf 0x7C.
          {1.0f, 57344.0f, 1.0f, 0x3C, 0x7B},
          // 61440 ties between 57344 (mantissa 11) and 65536 (even): Inf.
          {61440.0f, -1.0e6f, 1.0f, 0x7C, 0xFC, 0x7B, 0xFB},
          {-0.75f, std::ldexp(1.0f, -16), 1.0f, 0xBA, 0x01},
      });
}

TEST(IntrinsicOpsTest, SetregOfUnmodeledFieldsIsRefused) {
  auto kernel = [](unsigned hwreg) {
    return "declare void @llvm.amdgcn.s.setreg(i32 immarg, i32)\n"
           "define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr "
           "addrspace(1) %in, i32 %arg) {\n"
           "  call void @llvm.amdgcn.s.setreg(i32 " +
           std::to_string(hwreg) +
           ", i32 1)\n"
           "  ret void\n}\n";
  };
  // hwreg(MODE, 0, 4): the FP rounding modes.
  std::string error = loadError("gfx950", kernel(1 | (0 << 6) | (3 << 11)));
  EXPECT_NE(error.find("hwreg(id 1, offset 0, size 4)"), std::string::npos)
      << error;
  // hwreg(MODE, 22, 2) covers bit 22 too.
  EXPECT_NE(loadError("gfx950", kernel(1 | (22 << 6) | (1 << 11))), "");
  // hwreg(STATUS, 23, 1).
  EXPECT_NE(loadError("gfx950", kernel(2 | (23 << 6))), "");
  // MODE bit 23 of RDNA is not FP16_OVFL.
  EXPECT_NE(loadError("gfx1201", kernel(1473)), "");
  EXPECT_EQ(loadError("gfx942", kernel(1473)), "");
}

TEST(IntrinsicOpsTest, Fp16OverflowClampsConversionsAndArithmetic) {
  const char *body = R"(
declare void @llvm.amdgcn.s.setreg(i32 immarg, i32)
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  call void @llvm.amdgcn.s.setreg(i32 1473, i32 %arg)
  %x = load float, ptr addrspace(1) %in
  %h = fptrunc float %x to half
  %big = fadd half 0xH7A00, 0xH7A00
  %inf = fptrunc float 0x7FF0000000000000 to half
  %hb = bitcast half %h to i16
  %bb = bitcast half %big to i16
  %ib = bitcast half %inf to i16
  %v0 = insertelement <4 x i16> zeroinitializer, i16 %hb, i32 0
  %v1 = insertelement <4 x i16> %v0, i16 %bb, i32 1
  %v2 = insertelement <4 x i16> %v1, i16 %ib, i32 2
  store <4 x i16> %v2, ptr addrspace(1) %out
  ret void
}
)";
  // 70000 and 49152 + 49152 overflow FP16 (max 65504 = 0x7BFF).
  std::vector<uint32_t> in = {bitsOf(70000.0f)};
  EXPECT_EQ(run("gfx950", body, 1, 2, in, 0),
            (std::vector<uint32_t>{0x7C007C00u, 0x00007C00u}));
  EXPECT_EQ(run("gfx950", body, 1, 2, in, 1),
            (std::vector<uint32_t>{0x7BFF7BFFu, 0x00007C00u}));
}

//===----------------------------------------------------------------------===//
// FP8 per chip: FNUZ on gfx942, OCP on gfx950
//===----------------------------------------------------------------------===//

const char *kFp8Decode = R"(
declare <2 x float> @llvm.amdgcn.cvt.pk.f32.fp8(i32, i1 immarg)
declare float @llvm.amdgcn.cvt.f32.fp8(i32, i32 immarg)
declare i32 @llvm.amdgcn.cvt.pk.fp8.f32(float, float, i32, i1 immarg)
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  %x = load i32, ptr addrspace(1) %in
  %lo = call <2 x float> @llvm.amdgcn.cvt.pk.f32.fp8(i32 %x, i1 false)
  %hi = call <2 x float> @llvm.amdgcn.cvt.pk.f32.fp8(i32 %x, i1 true)
  %b2 = call float @llvm.amdgcn.cvt.f32.fp8(i32 %x, i32 2)
  %v = shufflevector <2 x float> %lo, <2 x float> %hi, <4 x i32> <i32 0, i32 1, i32 2, i32 3>
  store <4 x float> %v, ptr addrspace(1) %out
  %p4 = getelementptr float, ptr addrspace(1) %out, i32 4
  store float %b2, ptr addrspace(1) %p4
  %e0 = call i32 @llvm.amdgcn.cvt.pk.fp8.f32(float 240.0, float 0.5, i32 0, i1 false)
  %e1 = call i32 @llvm.amdgcn.cvt.pk.fp8.f32(float -0.0, float 300.0, i32 %e0, i1 true)
  %p5 = getelementptr i32, ptr addrspace(1) %out, i32 5
  store i32 %e1, ptr addrspace(1) %p5
  ret void
}
)";

TEST(IntrinsicOpsTest, Fp8IsFnuzOnGfx942AndOcpOnGfx950) {
  // Bytes 0x38, 0x80, 0x7F, 0x01 (byte 0 first).
  std::vector<uint32_t> in = {0x017F8038u};
  std::vector<uint32_t> fnuz = run("gfx942", kFp8Decode, 1, 6, in);
  std::vector<uint32_t> ocp = run("gfx950", kFp8Decode, 1, 6, in);
  ASSERT_EQ(fnuz.size(), 6u);
  ASSERT_EQ(ocp.size(), 6u);
  // E4M3FNUZ: bias 8, 0x80 the only NaN, 0x7F = 1.875 * 2^7 = 240.
  EXPECT_EQ(floatOf(fnuz[0]), 0.5f);
  EXPECT_TRUE(std::isnan(floatOf(fnuz[1])));
  EXPECT_EQ(floatOf(fnuz[2]), 240.0f);
  EXPECT_EQ(floatOf(fnuz[3]), std::ldexp(1.0f, -10));
  EXPECT_EQ(floatOf(fnuz[4]), 240.0f);
  // 240 -> 0x7F, 0.5 -> 0x38; -0.0 -> 0x00 (no negative zero); 300
  // overflows to NaN 0x80.
  EXPECT_EQ(fnuz[5], 0x8000387Fu);
  // OCP E4M3: bias 7, 0x80 = -0.0, 0x7F NaN.
  EXPECT_EQ(ocp[0], bitsOf(1.0f));
  EXPECT_EQ(ocp[1], bitsOf(-0.0f));
  EXPECT_TRUE(std::isnan(floatOf(ocp[2])));
  EXPECT_EQ(floatOf(ocp[3]), std::ldexp(1.0f, -9));
  EXPECT_TRUE(std::isnan(floatOf(ocp[4])));
  // 240 -> 0x77, 0.5 -> 0x30; -0.0 -> 0x80; 300 -> 288 = 0x79.
  EXPECT_EQ(ocp[5], 0x79803077u);
  // No hardware FP8 on gfx1100; no scaled conversions before gfx950.
  EXPECT_NE(loadError("gfx1100", kFp8Decode).find("no FP8"), std::string::npos);
  std::string scaled = kScaledCvt;
  test::replaceAll(scaled, "FMT", "fp8");
  EXPECT_NE(loadError("gfx942", scaled).find("does not exist on gfx942"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// v_perm_b32, reductions, fdot2
//===----------------------------------------------------------------------===//

TEST(IntrinsicOpsTest, PermSelectsBytesOfBothSources) {
  const char *body = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare i32 @llvm.amdgcn.perm(i32, i32, i32)
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %i = mul i32 %w, 3
  %p0 = getelementptr i32, ptr addrspace(1) %in, i32 %i
  %s0 = load i32, ptr addrspace(1) %p0
  %p1 = getelementptr i32, ptr addrspace(1) %p0, i32 1
  %s1 = load i32, ptr addrspace(1) %p1
  %p2 = getelementptr i32, ptr addrspace(1) %p0, i32 2
  %sel = load i32, ptr addrspace(1) %p2
  %r = call i32 @llvm.amdgcn.perm(i32 %s0, i32 %s1, i32 %sel)
  %po = getelementptr i32, ptr addrspace(1) %out, i32 %w
  store i32 %r, ptr addrspace(1) %po
  ret void
}
)";
  // {S0, S1}: bytes 0-3 of S1 = 01 9A 80 7F, bytes 4-7 of S0 = 26 E4 5B C3.
  uint32_t s0 = 0xC35BE426u, s1 = 0x7F809A01u;
  std::vector<uint32_t> in = {s0, s1, 0x07050200u,  // bytes 0, 2, 5, 7
                              s0, s1, 0x0B0A0908u,  // signs of 1, 3, 5, 7
                              s0, s1, 0x0D0C0E03u}; // byte 3, 0xFF, 0, 0xFF
  EXPECT_EQ(run("gfx942", body, 3, 3, in),
            (std::vector<uint32_t>{0xC3E48001u, 0xFFFF00FFu, 0xFF00FF7Fu}));
}

TEST(IntrinsicOpsTest, VectorReductions) {
  const char *body = R"(
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  %a = load <8 x i32>, ptr addrspace(1) %in
  %pb = getelementptr i32, ptr addrspace(1) %in, i32 8
  %b = load <4 x i32>, ptr addrspace(1) %pb
  %pf = getelementptr i32, ptr addrspace(1) %in, i32 12
  %f = load <4 x float>, ptr addrspace(1) %pf
  %pg = getelementptr i32, ptr addrspace(1) %in, i32 16
  %g = load <4 x float>, ptr addrspace(1) %pg
  %pc = getelementptr i32, ptr addrspace(1) %in, i32 20
  %c = load <4 x i8>, ptr addrspace(1) %pc
  %r0 = call i32 @llvm.vector.reduce.smax.v8i32(<8 x i32> %a)
  %r1 = call i32 @llvm.vector.reduce.smin.v8i32(<8 x i32> %a)
  %r2 = call i32 @llvm.vector.reduce.umax.v8i32(<8 x i32> %a)
  %r3 = call i32 @llvm.vector.reduce.umin.v8i32(<8 x i32> %a)
  %r4 = call i32 @llvm.vector.reduce.add.v8i32(<8 x i32> %a)
  %r5 = call i32 @llvm.vector.reduce.or.v4i32(<4 x i32> %b)
  %r6 = call i32 @llvm.vector.reduce.and.v4i32(<4 x i32> %b)
  %r7 = call i32 @llvm.vector.reduce.xor.v4i32(<4 x i32> %b)
  %f0 = call float @llvm.vector.reduce.fmax.v4f32(<4 x float> %f)
  %f1 = call float @llvm.vector.reduce.fmin.v4f32(<4 x float> %f)
  %f2 = call float @llvm.vector.reduce.fminimum.v4f32(<4 x float> %f)
  %f3 = call float @llvm.vector.reduce.fadd.v4f32(float -0.0, <4 x float> %g)
  %c0 = call i8 @llvm.vector.reduce.smax.v4i8(<4 x i8> %c)
  %c1 = call i8 @llvm.vector.reduce.umax.v4i8(<4 x i8> %c)
  %r8 = bitcast float %f0 to i32
  %r9 = bitcast float %f1 to i32
  %r10 = bitcast float %f2 to i32
  %r11 = bitcast float %f3 to i32
  %r12 = zext i8 %c0 to i32
  %r13 = zext i8 %c1 to i32
  %v0 = insertelement <14 x i32> poison, i32 %r0, i32 0
  %v1 = insertelement <14 x i32> %v0, i32 %r1, i32 1
  %v2 = insertelement <14 x i32> %v1, i32 %r2, i32 2
  %v3 = insertelement <14 x i32> %v2, i32 %r3, i32 3
  %v4 = insertelement <14 x i32> %v3, i32 %r4, i32 4
  %v5 = insertelement <14 x i32> %v4, i32 %r5, i32 5
  %v6 = insertelement <14 x i32> %v5, i32 %r6, i32 6
  %v7 = insertelement <14 x i32> %v6, i32 %r7, i32 7
  %v8 = insertelement <14 x i32> %v7, i32 %r8, i32 8
  %v9 = insertelement <14 x i32> %v8, i32 %r9, i32 9
  %v10 = insertelement <14 x i32> %v9, i32 %r10, i32 10
  %v11 = insertelement <14 x i32> %v10, i32 %r11, i32 11
  %v12 = insertelement <14 x i32> %v11, i32 %r12, i32 12
  %v13 = insertelement <14 x i32> %v12, i32 %r13, i32 13
  store <14 x i32> %v13, ptr addrspace(1) %out
  ret void
}
)";
  const uint32_t nan = 0x7FC00000u;
  std::vector<uint32_t> in = {
      uint32_t(-5),
      3,
      uint32_t(-100),
      7,
      2,
      uint32_t(-1),
      0,
      6, // a
      0x0F,
      0xF0,
      0x3C,
      0x100, // b
      bitsOf(1.5f),
      nan,
      bitsOf(-3.0f),
      bitsOf(2.25f), // f
      bitsOf(16777216.0f),
      bitsOf(1.0f),
      bitsOf(1.0f),
      0,           // g
      0xFF7F0580u, // c = i8 [-128, 5, 127, -1]
  };
  std::vector<uint32_t> out = run("gfx950", body, 1, 14, in);
  ASSERT_EQ(out.size(), 14u);
  EXPECT_EQ(out[0], 7u);
  EXPECT_EQ(out[1], uint32_t(-100));
  EXPECT_EQ(out[2], 0xFFFFFFFFu);
  EXPECT_EQ(out[3], 0u);
  EXPECT_EQ(out[4], uint32_t(-88));
  EXPECT_EQ(out[5], 0x1FFu);
  EXPECT_EQ(out[6], 0u);
  EXPECT_EQ(out[7], 0x1C3u);
  EXPECT_EQ(out[8], bitsOf(2.25f)); // maxnum ignores the NaN
  EXPECT_EQ(out[9], bitsOf(-3.0f));
  EXPECT_TRUE(std::isnan(floatOf(out[10]))); // fminimum propagates it
  // In order, rounding each step to fp32: 2^24 + 1 rounds back to 2^24.
  EXPECT_EQ(out[11], bitsOf(16777216.0f));
  EXPECT_EQ(out[12], 0x7Fu);
  EXPECT_EQ(out[13], 0xFFu);
}

TEST(IntrinsicOpsTest, Fdot2Bf16) {
  const char *body = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare bfloat @llvm.amdgcn.fdot2.bf16.bf16(<2 x bfloat>, <2 x bfloat>, bfloat)
declare float @llvm.amdgcn.fdot2.f32.bf16(<2 x bfloat>, <2 x bfloat>, float, i1 immarg)
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %i = mul i32 %w, 3
  %pa = getelementptr <2 x bfloat>, ptr addrspace(1) %in, i32 %i
  %a = load <2 x bfloat>, ptr addrspace(1) %pa
  %pb = getelementptr <2 x bfloat>, ptr addrspace(1) %pa, i32 1
  %b = load <2 x bfloat>, ptr addrspace(1) %pb
  %pc = getelementptr <2 x bfloat>, ptr addrspace(1) %pa, i32 2
  %c = load bfloat, ptr addrspace(1) %pc
  %d = call bfloat @llvm.amdgcn.fdot2.bf16.bf16(<2 x bfloat> %a, <2 x bfloat> %b, bfloat %c)
  %cf = fpext bfloat %c to float
  %e = call float @llvm.amdgcn.fdot2.f32.bf16(<2 x bfloat> %a, <2 x bfloat> %b, float %cf, i1 false)
  %db = bitcast bfloat %d to i16
  %dz = zext i16 %db to i32
  %o = mul i32 %w, 2
  %po = getelementptr i32, ptr addrspace(1) %out, i32 %o
  store i32 %dz, ptr addrspace(1) %po
  %eb = bitcast float %e to i32
  %po1 = getelementptr i32, ptr addrspace(1) %po, i32 1
  store i32 %eb, ptr addrspace(1) %po1
  ret void
}
)";
  // bf16 pairs, element 0 in the low half: (1.5, 2.0).(2.0, -0.25) + 0.5 = 3;
  // (1.75, 0).(2^-3, 0) + 0 = 0.21875; (1 + 2^-7)^2 = 1 + 2^-6 + 2^-14,
  // which bf16 rounds to 1 + 2^-6 and fp32 holds exactly.
  std::vector<uint32_t> in = {0x40003FC0u, 0xBE804000u, 0x3F00u,
                              0x00003FE0u, 0x00003E00u, 0x0000u,
                              0x00003F81u, 0x00003F81u, 0x0000u};
  EXPECT_EQ(run("gfx1201", body, 3, 6, in),
            (std::vector<uint32_t>{0x4040u, bitsOf(3.0f), 0x3E60u,
                                   bitsOf(0.21875f), 0x3F82u, 0x3F820200u}));
  EXPECT_NE(loadError("gfx950", body).find("does not exist on gfx950"),
            std::string::npos);
}

//===----------------------------------------------------------------------===//
// Fences and barriers, <N x i1> loads, one-element vector constants
//===----------------------------------------------------------------------===//

TEST(IntrinsicOpsTest, BarrierOrdersLdsBetweenWaves) {
  // Wave 1 writes LDS; wave 0, which the simulator runs first, reads it
  // after the barrier (mirrored), between fences of every scope.
  const char *body = R"(
@lds = internal addrspace(3) global [64 x i32] poison, align 4
declare i32 @llvm.amdgcn.workitem.id.x()
declare void @llvm.amdgcn.s.barrier()
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
entry:
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %writer = icmp uge i32 %w, 64
  br i1 %writer, label %write, label %sync
write:
  %i = sub i32 %w, 64
  %v3 = mul i32 %w, 3
  %v = add i32 %v3, 1
  %p = getelementptr i32, ptr addrspace(3) @lds, i32 %i
  store i32 %v, ptr addrspace(3) %p
  br label %sync
sync:
  fence syncscope("workgroup") release
  fence syncscope("wavefront") acquire
  fence syncscope("workgroup-one-as") acq_rel
  call void @llvm.amdgcn.s.barrier()
  fence syncscope("workgroup") acquire
  fence syncscope("agent") seq_cst
  fence syncscope("singlethread") acquire
  fence seq_cst
  %reader = icmp ult i32 %w, 64
  br i1 %reader, label %read, label %done
read:
  %j = sub i32 63, %w
  %q = getelementptr i32, ptr addrspace(3) @lds, i32 %j
  %x = load i32, ptr addrspace(3) %q
  %po = getelementptr i32, ptr addrspace(1) %out, i32 %w
  store i32 %x, ptr addrspace(1) %po
  br label %done
done:
  ret void
}
)";
  std::vector<uint32_t> want(64);
  for (unsigned w = 0; w < 64; ++w)
    want[w] = 3 * (64 + 63 - w) + 1;
  EXPECT_EQ(run("gfx950", body, 128, 64), want);
  std::string bad = body;
  test::replaceAll(bad, "syncscope(\"agent\")", "syncscope(\"cluster9\")");
  EXPECT_NE(loadError("gfx950", bad).find("unknown sync scope"),
            std::string::npos);
}

TEST(IntrinsicOpsTest, BitPackedBoolVectorsLoadFromLds) {
  // Bytes 1, 0, 1, 1 in LDS: <16 x i1> element i is bit i of the image, so
  // elements 0 and 8 are bits 0 of bytes 0 and 1; <32 x i1> elements 16 and
  // 24 those of bytes 2 and 3, element 1 bit 1 of byte 0.
  const char *body = R"(
@flags = internal addrspace(3) global [4 x i8] poison, align 4
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  %b = load <4 x i8>, ptr addrspace(1) %in
  store <4 x i8> %b, ptr addrspace(3) @flags
  %v16 = load <16 x i1>, ptr addrspace(3) @flags
  %v32 = load <32 x i1>, ptr addrspace(3) @flags
  %e0 = extractelement <16 x i1> %v16, i32 0
  %e8 = extractelement <16 x i1> %v16, i32 8
  %e16 = extractelement <32 x i1> %v32, i32 16
  %e24 = extractelement <32 x i1> %v32, i32 24
  %e1 = extractelement <32 x i1> %v32, i32 1
  %z0 = zext i1 %e0 to i32
  %z8 = zext i1 %e8 to i32
  %z16 = zext i1 %e16 to i32
  %z24 = zext i1 %e24 to i32
  %z1 = zext i1 %e1 to i32
  %w0 = insertelement <5 x i32> poison, i32 %z0, i32 0
  %w1 = insertelement <5 x i32> %w0, i32 %z8, i32 1
  %w2 = insertelement <5 x i32> %w1, i32 %z16, i32 2
  %w3 = insertelement <5 x i32> %w2, i32 %z24, i32 3
  %w4 = insertelement <5 x i32> %w3, i32 %z1, i32 4
  store <5 x i32> %w4, ptr addrspace(1) %out
  ret void
}
)";
  EXPECT_EQ(run("gfx1201", body, 1, 5, {0x01010001u}),
            (std::vector<uint32_t>{1, 0, 1, 1, 0}));
}

TEST(IntrinsicOpsTest, OneElementVectorConstants) {
  const char *body = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
define amdgpu_kernel void @k(ptr addrspace(1) %out, ptr addrspace(1) %in, i32 %arg) {
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %odd = trunc i32 %w to i1
  %v = select i1 %odd, <1 x i8> splat (i8 127), <1 x i8> <i8 5>
  %e = extractelement <1 x i8> %v, i32 0
  %z = zext i8 %e to i32
  %p = getelementptr i32, ptr addrspace(1) %out, i32 %w
  store i32 %z, ptr addrspace(1) %p
  ret void
}
)";
  EXPECT_EQ(run("gfx950", body, 2, 2), (std::vector<uint32_t>{5, 127}));
}

} // namespace
