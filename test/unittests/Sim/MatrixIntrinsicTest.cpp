//===- MatrixIntrinsicTest.cpp - Simulated matrix instructions ------------===//
//
// Part of mxc. Each matrix intrinsic run by the simulator against a plain
// reference written from SPEC.md (element and scale decoding) and the
// intrinsic table (which lane holds which element).
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mxc;
using amdgpu::MatrixElement;

namespace {

// SPEC.md, Formats: sign, exponent bits, mantissa bits, bias; E4M3 0x7F/0xFF
// is NaN, E5M2 exponent 31 is Inf/NaN, the FP6/FP4 formats have no specials.
double referenceDecode(MatrixElement fmt, uint32_t code) {
  struct F {
    unsigned e, m;
    int bias;
  };
  static const F table[] = {
      {4, 3, 7}, {5, 2, 15}, {2, 3, 1}, {3, 2, 3}, {2, 1, 1}};
  const F &f = table[unsigned(fmt)];
  unsigned bits = 1 + f.e + f.m;
  code &= (1u << bits) - 1;
  unsigned sign = code >> (bits - 1), exp = (code >> f.m) & ((1u << f.e) - 1),
           man = code & ((1u << f.m) - 1);
  if (fmt == MatrixElement::E4M3 && (code & 0x7F) == 0x7F)
    return NAN;
  if (fmt == MatrixElement::E5M2 && exp == 31)
    return man ? NAN : (sign ? -INFINITY : INFINITY);
  double v =
      exp == 0 ? std::ldexp(double(man), 1 - f.bias - int(f.m))
               : std::ldexp(1.0 + double(man) / (1u << f.m), int(exp) - f.bias);
  return sign ? -v : v;
}

double referenceScale(uint8_t s) {
  return s == 0xFF ? NAN : std::ldexp(1.0, int(s) - 127);
}

const char *kFormatNames[] = {"E4M3", "E5M2", "E2M3", "E3M2", "E2M1"};

struct Case {
  const amdgpu::MatrixIntrinsic *intrinsic;
  MatrixElement a, b;
  int scale; // -1: random scales in [120, 135)
};

class ScaledMfmaTest : public ::testing::TestWithParam<Case> {};

/// A kernel that loads each lane's register images, runs the intrinsic and
/// stores each lane's accumulator (scale bytes 1 of A and 2 of B).
std::string makeKernel(const amdgpu::MatrixIntrinsic &mi, unsigned dwordsA,
                       unsigned dwordsB, MatrixElement a, MatrixElement b) {
  return test::makeScaledMfmaKernel(mi.llvmName, dwordsA, dwordsB,
                                    mi.accRegisters, unsigned(a), unsigned(b),
                                    /*opselA=*/1, /*opselB=*/2);
}

TEST_P(ScaledMfmaTest, MatchesReference) {
  const Case &c = GetParam();
  const amdgpu::MatrixIntrinsic &mi = *c.intrinsic;
  const amdgpu::ChipInfo &chip = *amdgpu::lookupChip("gfx950");
  unsigned bitsA = amdgpu::getElementBits(c.a),
           bitsB = amdgpu::getElementBits(c.b);
  unsigned dwordsA = 32 * bitsA / 32, dwordsB = 32 * bitsB / 32;
  std::string ir = makeKernel(mi, dwordsA, dwordsB, c.a, c.b);
  auto simulator =
      sim::Simulator::load(llvm::MemoryBufferRef(ir, "test.ll"), chip);
  ASSERT_TRUE(bool(simulator)) << llvm::toString(simulator.takeError());

  std::mt19937 rng(unsigned(mi.m) * 131 + unsigned(c.a) * 7 + unsigned(c.b) +
                   c.scale);
  auto randomCode = [&](MatrixElement fmt) {
    unsigned bits = amdgpu::getElementBits(fmt);
    uint32_t code;
    do
      code = rng() & ((1u << bits) - 1);
    while (std::isnan(referenceDecode(fmt, code)) ||
           std::isinf(referenceDecode(fmt, code)));
    return code;
  };
  // Register images: lane l's element e at bits [e*bits, (e+1)*bits).
  auto fill = [&](MatrixElement fmt, unsigned dwords,
                  std::vector<uint32_t> &codes) {
    unsigned bits = amdgpu::getElementBits(fmt);
    std::vector<uint8_t> image(64 * dwords * 4, 0);
    codes.resize(64 * 32);
    for (unsigned lane = 0; lane < 64; ++lane)
      for (unsigned e = 0; e < 32; ++e) {
        uint32_t code = randomCode(fmt);
        codes[lane * 32 + e] = code;
        for (unsigned bit = 0; bit < bits; ++bit)
          if ((code >> bit) & 1) {
            unsigned at = e * bits + bit;
            image[lane * dwords * 4 + at / 8] |= uint8_t(1u << (at % 8));
          }
      }
    return image;
  };
  std::vector<uint32_t> codesA, codesB;
  std::vector<uint8_t> imageA = fill(c.a, dwordsA, codesA);
  std::vector<uint8_t> imageB = fill(c.b, dwordsB, codesB);
  // Scale words: the kernel selects byte 1 of A's and byte 2 of B's.
  std::vector<uint32_t> scaleWordA(64), scaleWordB(64);
  std::vector<uint8_t> sa(64), sb(64);
  for (unsigned lane = 0; lane < 64; ++lane) {
    sa[lane] = uint8_t(c.scale >= 0 ? c.scale : 120 + rng() % 15);
    sb[lane] = uint8_t(c.scale >= 0 ? c.scale : 120 + rng() % 15);
    scaleWordA[lane] = (rng() & 0xFF000000u) | (uint32_t(sa[lane]) << 8) | 0x11;
    scaleWordB[lane] = (uint32_t(sb[lane]) << 16) | 0x2233;
  }
  std::vector<float> acc(64 * mi.accRegisters);
  for (float &v : acc)
    v = float(int(rng() % 9) - 4) / 4.0f;

  sim::Memory memory;
  auto upload = [&](const void *data, size_t bytes) {
    return test::upload(memory, data, bytes);
  };
  uint64_t pa = upload(imageA.data(), imageA.size());
  uint64_t pb = upload(imageB.data(), imageB.size());
  uint64_t psa = upload(scaleWordA.data(), 256),
           psb = upload(scaleWordB.data(), 256);
  uint64_t pc = upload(acc.data(), acc.size() * 4);
  using Arg = sim::ArgValue::Kind;
  sim::LaunchParams launch;
  launch.block.x = 64;
  llvm::Error e = simulator->launch("k", launch,
                                    {{Arg::Pointer, pa},
                                     {Arg::Pointer, pb},
                                     {Arg::Pointer, psa},
                                     {Arg::Pointer, psb},
                                     {Arg::Pointer, pc}},
                                    memory);
  ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e));
  std::vector<float> out(acc.size());
  std::memcpy(out.data(), memory.getBuffer(pc)->data.data(), out.size() * 4);

  // Reference: place every lane's elements and scales where the table says.
  unsigned M = mi.m, N = mi.n, K = mi.k;
  std::vector<double> A(M * K, NAN), B(N * K, NAN), SA(M * K / 32, NAN),
      SB(N * K / 32, NAN);
  const amdgpu::OperandLayout &la = mi.layoutFor(c.a), &lb = mi.layoutFor(c.b);
  for (unsigned lane = 0; lane < 64; ++lane) {
    for (unsigned e = 0; e < la.elementsPerLane(); ++e)
      A[la.row(lane) * K + la.k(lane, e)] =
          referenceDecode(c.a, codesA[lane * 32 + e]);
    for (unsigned e = 0; e < lb.elementsPerLane(); ++e)
      B[lb.row(lane) * K + lb.k(lane, e)] =
          referenceDecode(c.b, codesB[lane * 32 + e]);
    SA[(lane % M) * (K / 32) + lane / M] = referenceScale(sa[lane]);
    SB[(lane % N) * (K / 32) + lane / N] = referenceScale(sb[lane]);
  }
  for (unsigned lane = 0; lane < 64; ++lane)
    for (unsigned r = 0; r < mi.accRegisters; ++r) {
      unsigned row = mi.acc.row(lane, r), col = mi.acc.column(lane);
      double ref = acc[lane * mi.accRegisters + r], bound = std::fabs(ref);
      for (unsigned k = 0; k < K; ++k) {
        double term = A[row * K + k] * SA[row * (K / 32) + k / 32] *
                      B[col * K + k] * SB[col * (K / 32) + k / 32];
        ref += term;
        bound += std::fabs(term);
      }
      float got = out[lane * mi.accRegisters + r];
      if (c.scale == 0xFF) {
        ASSERT_TRUE(std::isnan(got)) << "lane " << lane << " reg " << r;
        continue;
      }
      ASSERT_NEAR(got, ref, 4e-6 * bound + 1e-30)
          << mi.isaName.str() << " " << kFormatNames[unsigned(c.a)] << "x"
          << kFormatNames[unsigned(c.b)] << " lane " << lane << " reg " << r
          << " (row " << row << ", col " << col << ")";
    }
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (const amdgpu::MatrixIntrinsic &mi : amdgpu::getMatrixIntrinsics()) {
    if (!mi.scaled)
      continue;
    for (unsigned a = 0; a < 5; ++a)
      for (unsigned b = 0; b < 5; ++b)
        for (int scale : {-1, 0, 127, 0xFF})
          cases.push_back({&mi, MatrixElement(a), MatrixElement(b), scale});
  }
  return cases;
}

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  const Case &c = info.param;
  std::string scale = c.scale < 0 ? "random" : std::to_string(c.scale);
  return std::to_string(c.intrinsic->m) + "x" + std::to_string(c.intrinsic->n) +
         "x" + std::to_string(c.intrinsic->k) + "_" +
         kFormatNames[unsigned(c.a)] + "x" + kFormatNames[unsigned(c.b)] +
         "_scale_" + scale;
}

INSTANTIATE_TEST_SUITE_P(AllFormats, ScaledMfmaTest,
                         ::testing::ValuesIn(allCases()), caseName);

} // namespace
