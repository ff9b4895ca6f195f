//===- Bf16MatrixTest.cpp - Simulated BF16 MFMA and WMMA ------------------===//
//
// Part of mxc. The unscaled matrix rows of the intrinsic table run by the
// simulator against a plain reference. The lane layouts here are written
// out from the CDNA3/CDNA4 and RDNA3/RDNA4 ISA guides' operand tables, not
// read from the table, so a wrong table row fails this test.
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/MxNumerics.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mxc;

namespace {

/// Where lane `lane`'s A/B element `e` sits and where its accumulator
/// register `r` lands, per instruction.
struct IsaLayout {
  llvm::StringRef isaName;
  llvm::StringRef chip;
  llvm::StringRef irName;  ///< Full (mangled) intrinsic name.
  llvm::StringRef abType;  ///< IR type of the A/B operands.
  llvm::StringRef accType; ///< IR type of C/D.
  bool mfma;               ///< Takes cbsz/abid/blgp immediates.
  unsigned wave, m, n, k, elements, regs;
  unsigned (*abRow)(unsigned lane);
  unsigned (*abK)(unsigned lane, unsigned e);
  unsigned (*accRow)(unsigned lane, unsigned r);
  unsigned (*accCol)(unsigned lane);
};

// clang-format off
const IsaLayout kLayouts[] = {
  // CDNA2/3 "_1k": lane l holds row l%32, K [4(l/32), +4). D: 4 rows per
  // block, blocks 8 rows apart, lanes 32-63 four rows down.
  {"v_mfma_f32_32x32x8_bf16", "gfx942", "llvm.amdgcn.mfma.f32.32x32x8bf16.1k",
   "<4 x i16>", "<16 x float>", true, 64, 32, 32, 8, 4, 16,
   [](unsigned l) { return l % 32; },
   [](unsigned l, unsigned e) { return 4 * (l / 32) + e; },
   [](unsigned l, unsigned r) { return 8 * (r / 4) + 4 * (l / 32) + r % 4; },
   [](unsigned l) { return l % 32; }},
  {"v_mfma_f32_16x16x16_bf16", "gfx90a", "llvm.amdgcn.mfma.f32.16x16x16bf16.1k",
   "<4 x i16>", "<4 x float>", true, 64, 16, 16, 16, 4, 4,
   [](unsigned l) { return l % 16; },
   [](unsigned l, unsigned e) { return 4 * (l / 16) + e; },
   [](unsigned l, unsigned r) { return 4 * (l / 16) + r; },
   [](unsigned l) { return l % 16; }},
  // CDNA4 doubles K: eight consecutive K per lane.
  {"v_mfma_f32_32x32x16_bf16", "gfx950", "llvm.amdgcn.mfma.f32.32x32x16.bf16",
   "<8 x bfloat>", "<16 x float>", true, 64, 32, 32, 16, 8, 16,
   [](unsigned l) { return l % 32; },
   [](unsigned l, unsigned e) { return 8 * (l / 32) + e; },
   [](unsigned l, unsigned r) { return 8 * (r / 4) + 4 * (l / 32) + r % 4; },
   [](unsigned l) { return l % 32; }},
  {"v_mfma_f32_16x16x32_bf16", "gfx950", "llvm.amdgcn.mfma.f32.16x16x32.bf16",
   "<8 x bfloat>", "<4 x float>", true, 64, 16, 16, 32, 8, 4,
   [](unsigned l) { return l % 16; },
   [](unsigned l, unsigned e) { return 8 * (l / 16) + e; },
   [](unsigned l, unsigned r) { return 4 * (l / 16) + r; },
   [](unsigned l) { return l % 16; }},
  // RDNA3: every lane holds all 16 K of its row (lanes 16-31 repeat 0-15);
  // D register r holds row 2r (lanes 0-15) and 2r+1 (lanes 16-31).
  {"v_wmma_f32_16x16x16_bf16", "gfx1100",
   "llvm.amdgcn.wmma.f32.16x16x16.bf16.v8f32.v16i16",
   "<16 x i16>", "<8 x float>", false, 32, 16, 16, 16, 16, 8,
   [](unsigned l) { return l % 16; },
   [](unsigned, unsigned e) { return e; },
   [](unsigned l, unsigned r) { return 2 * r + l / 16; },
   [](unsigned l) { return l % 16; }},
  // RDNA4: lanes 0-15 hold K 0-7, lanes 16-31 K 8-15; D register r holds
  // row r (lanes 0-15) and r+8 (lanes 16-31).
  {"v_wmma_f32_16x16x16_bf16", "gfx1201",
   "llvm.amdgcn.wmma.f32.16x16x16.bf16.v8f32.v8i16",
   "<8 x i16>", "<8 x float>", false, 32, 16, 16, 16, 8, 8,
   [](unsigned l) { return l % 16; },
   [](unsigned l, unsigned e) { return 8 * (l / 16) + e; },
   [](unsigned l, unsigned r) { return r + 8 * (l / 16); },
   [](unsigned l) { return l % 16; }},
};
// clang-format on

class Bf16MatrixTest : public ::testing::TestWithParam<IsaLayout> {};

std::string makeKernel(const IsaLayout &layout) {
  std::string ir = std::string(test::kAmdgcnTarget) + R"(
define amdgpu_kernel void @k(ptr addrspace(1) %a, ptr addrspace(1) %b, ptr addrspace(1) %c) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %pa = getelementptr AB, ptr addrspace(1) %a, i32 %l
  %pb = getelementptr AB, ptr addrspace(1) %b, i32 %l
  %pc = getelementptr ACC, ptr addrspace(1) %c, i32 %l
  %xa = load AB, ptr addrspace(1) %pa
  %xb = load AB, ptr addrspace(1) %pb
  %xc = load ACC, ptr addrspace(1) %pc
  %d = call ACC @NAME(AB %xa, AB %xb, ACC %xc IMMS)
  store ACC %d, ptr addrspace(1) %pc
  ret void
}
declare i32 @llvm.amdgcn.workitem.id.x()
declare ACC @NAME(AB, AB, ACC DECLS)
)";
  auto replace = [&](llvm::StringRef from, llvm::StringRef to) {
    test::replaceAll(ir, from, to);
  };
  replace("IMMS", layout.mfma ? ", i32 0, i32 0, i32 0" : "");
  replace("DECLS", layout.mfma ? ", i32 immarg, i32 immarg, i32 immarg" : "");
  replace("AB", layout.abType);
  replace("ACC", layout.accType);
  replace("NAME", layout.irName);
  return ir;
}

TEST_P(Bf16MatrixTest, MatchesReference) {
  const IsaLayout &layout = GetParam();
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip(layout.chip);
  ASSERT_TRUE(chip);
  ASSERT_EQ(chip->waveSize, layout.wave);
  // The table row the simulator will use agrees on the shape.
  const amdgpu::MatrixIntrinsic *row =
      amdgpu::lookupMatrixIntrinsic(layout.irName, layout.chip);
  ASSERT_TRUE(row) << layout.irName.str();
  EXPECT_EQ(row->isaName, layout.isaName);
  EXPECT_EQ(row->m, layout.m);
  EXPECT_EQ(row->k, layout.k);
  EXPECT_EQ(row->accRegisters, layout.regs);

  std::string ir = makeKernel(layout);
  auto simulator =
      sim::Simulator::load(llvm::MemoryBufferRef(ir, "t.ll"), *chip);
  ASSERT_TRUE(bool(simulator)) << llvm::toString(simulator.takeError());

  // A [M][K], B [N][K] of random bf16 values; C random.
  unsigned M = layout.m, N = layout.n, K = layout.k, W = layout.wave;
  std::mt19937 rng(M * 7 + K + W);
  auto randomBf16 = [&]() {
    float v = std::ldexp(float(int(rng() % 255) - 127), int(rng() % 7) - 9);
    return sim::floatToBf16(v);
  };
  std::vector<uint16_t> a(M * K), b(N * K);
  for (uint16_t &v : a)
    v = randomBf16();
  for (uint16_t &v : b)
    v = randomBf16();
  std::vector<uint16_t> regsA(W * layout.elements), regsB(W * layout.elements);
  for (unsigned lane = 0; lane < W; ++lane)
    for (unsigned e = 0; e < layout.elements; ++e) {
      unsigned kk = layout.abK(lane, e);
      regsA[lane * layout.elements + e] = a[layout.abRow(lane) * K + kk];
      regsB[lane * layout.elements + e] = b[layout.abRow(lane) * K + kk];
    }
  std::vector<float> acc(W * layout.regs);
  for (float &v : acc)
    v = float(int(rng() % 17) - 8) / 8.0f;

  sim::Memory memory;
  auto upload = [&](const void *data, size_t bytes) {
    return test::upload(memory, data, bytes);
  };
  uint64_t pa = upload(regsA.data(), regsA.size() * 2);
  uint64_t pb = upload(regsB.data(), regsB.size() * 2);
  uint64_t pc = upload(acc.data(), acc.size() * 4);
  using Arg = sim::ArgValue::Kind;
  sim::LaunchParams launch;
  launch.block.x = W;
  llvm::Error e = simulator->launch(
      "k", launch, {{Arg::Pointer, pa}, {Arg::Pointer, pb}, {Arg::Pointer, pc}},
      memory);
  ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e));
  std::vector<float> out(acc.size());
  std::memcpy(out.data(), memory.getBuffer(pc)->data.data(), out.size() * 4);

  std::vector<bool> seen(M * N, false);
  for (unsigned lane = 0; lane < W; ++lane)
    for (unsigned r = 0; r < layout.regs; ++r) {
      unsigned row = layout.accRow(lane, r), col = layout.accCol(lane);
      ASSERT_LT(row, M);
      seen[row * N + col] = true;
      double ref = acc[lane * layout.regs + r], bound = std::fabs(ref);
      for (unsigned kk = 0; kk < K; ++kk) {
        double term = double(sim::bf16ToFloat(a[row * K + kk])) *
                      double(sim::bf16ToFloat(b[col * K + kk]));
        ref += term;
        bound += std::fabs(term);
      }
      ASSERT_NEAR(out[lane * layout.regs + r], ref, 1e-6 * bound + 1e-30)
          << layout.isaName.str() << " on " << layout.chip.str() << " lane "
          << lane << " reg " << r << " (row " << row << ", col " << col << ")";
    }
  // The accumulator layout covers the whole tile.
  EXPECT_EQ(std::count(seen.begin(), seen.end(), true), int(M * N));
}

std::string caseName(const ::testing::TestParamInfo<IsaLayout> &info) {
  std::string name = info.param.isaName.str() + "_" + info.param.chip.str();
  return name;
}

INSTANTIATE_TEST_SUITE_P(AllRows, Bf16MatrixTest, ::testing::ValuesIn(kLayouts),
                         caseName);

} // namespace
