//===- DppTest.cpp - llvm.amdgcn.update.dpp, wave64 and wave32 ------------===//
//
// Part of mxc. Every DPP control kind, row and bank masks, bound_ctrl and
// inactive source lanes, against the DPP_CTRL table of the AMD ISA guides
// (GCN3/Vega/CDNA for GFX9, RDNA for GFX10+) written out below, on gfx950
// (wave64) and gfx1201 (wave32).
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cstring>
#include <functional>

using namespace mxc;
using Kind = sim::ArgValue::Kind;

namespace {

/// Workitems w with w % 7 == 3 skip the DPP (EXEC off there); the others
/// write update.dpp(old = w + 1000, src = w + 100, ...); skipped ones 77777.
const char *kDppKernel = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare TYPE @llvm.amdgcn.update.dpp.SUFFIX(TYPE, TYPE, i32 immarg, i32 immarg, i32 immarg, i1 immarg)
define amdgpu_kernel void @k(ptr addrspace(1) %out) {
entry:
  %w = call i32 @llvm.amdgcn.workitem.id.x()
  %r = urem i32 %w, 7
  %on = icmp ne i32 %r, 3
  br i1 %on, label %dpp, label %join
dpp:
  %old = add i32 %w, 1000
  %src = add i32 %w, 100
  %oldT = bitcast i32 %old to TYPE
  %srcT = bitcast i32 %src to TYPE
  %vT = call TYPE @llvm.amdgcn.update.dpp.SUFFIX(TYPE %oldT, TYPE %srcT, i32 CTRL, i32 ROWMASK, i32 BANKMASK, i1 BOUND)
  %v = bitcast TYPE %vT to i32
  br label %join
join:
  %x = phi i32 [ %v, %dpp ], [ 77777, %entry ]
  %p = getelementptr i32, ptr addrspace(1) %out, i32 %w
  store i32 %x, ptr addrspace(1) %p
  ret void
}
)";

struct Controls {
  unsigned ctrl, rowMask = 0xF, bankMask = 0xF;
  bool boundCtrl = false;
  bool isFloat = false;
};

std::string dppKernel(const Controls &c) {
  std::string text = std::string(test::kAmdgcnTarget) + kDppKernel;
  test::replaceAll(text, "TYPE", c.isFloat ? "float" : "i32");
  test::replaceAll(text, "SUFFIX", c.isFloat ? "f32" : "i32");
  test::replaceAll(text, "CTRL", std::to_string(c.ctrl));
  test::replaceAll(text, "ROWMASK", std::to_string(c.rowMask));
  test::replaceAll(text, "BANKMASK", std::to_string(c.bankMask));
  test::replaceAll(text, "BOUND", c.boundCtrl ? "true" : "false");
  return text;
}

llvm::Expected<sim::Simulator> loadDpp(const char *chip, const Controls &c) {
  std::string text = dppKernel(c);
  return sim::Simulator::load(llvm::MemoryBufferRef(text, "dpp.ll"),
                              *amdgpu::lookupChip(chip));
}

std::vector<uint32_t> runDpp(const char *chip, const Controls &c,
                             unsigned lanes) {
  auto s = loadDpp(chip, c);
  EXPECT_TRUE(bool(s)) << llvm::toString(s.takeError());
  if (!s)
    return {};
  sim::Memory memory;
  uint64_t out = memory.allocate(lanes * 4, "out");
  sim::LaunchParams launch;
  launch.block.x = lanes;
  llvm::Error e = s->launch("k", launch, {{Kind::Pointer, out}}, memory);
  EXPECT_FALSE(bool(e)) << llvm::toString(std::move(e));
  std::vector<uint32_t> words(lanes);
  std::memcpy(words.data(), memory.getBuffer(out)->data.data(), lanes * 4);
  return words;
}

/// A DPP control and, from the ISA's DPP_CTRL table, the lane (0..wave-1)
/// lane `l` of a wave of `wave` lanes reads, or -1 when out of range.
struct Case {
  const char *name;
  unsigned ctrl;
  std::function<int(int l, int wave)> source;
};

const std::vector<Case> &commonCases() {
  static const std::vector<Case> cases = {
      {"quad_perm:[1,0,3,2]", 0xB1,
       [](int l, int) {
         const int perm[4] = {1, 0, 3, 2};
         return l / 4 * 4 + perm[l % 4];
       }},
      {"quad_perm:[2,3,0,1]", 0x4E,
       [](int l, int) {
         const int perm[4] = {2, 3, 0, 1};
         return l / 4 * 4 + perm[l % 4];
       }},
      {"quad_perm:[3,3,1,0]", 0x1F,
       [](int l, int) {
         const int perm[4] = {3, 3, 1, 0};
         return l / 4 * 4 + perm[l % 4];
       }},
      {"row_shl:1", 0x101,
       [](int l, int) { return l % 16 + 1 <= 15 ? l + 1 : -1; }},
      {"row_shl:15", 0x10F,
       [](int l, int) { return l % 16 == 0 ? l + 15 : -1; }},
      {"row_shr:1", 0x111, [](int l, int) { return l % 16 >= 1 ? l - 1 : -1; }},
      {"row_shr:2", 0x112, [](int l, int) { return l % 16 >= 2 ? l - 2 : -1; }},
      {"row_shr:4", 0x114, [](int l, int) { return l % 16 >= 4 ? l - 4 : -1; }},
      {"row_shr:8", 0x118, [](int l, int) { return l % 16 >= 8 ? l - 8 : -1; }},
      {"row_ror:3", 0x123,
       [](int l, int) { return l / 16 * 16 + (l % 16 + 13) % 16; }},
      {"row_mirror", 0x140,
       [](int l, int) { return l / 16 * 16 + (15 - l % 16); }},
      {"row_half_mirror", 0x141,
       [](int l, int) { return l / 8 * 8 + (7 - l % 8); }},
  };
  return cases;
}

const std::vector<Case> &gfx9Cases() {
  static const std::vector<Case> cases = {
      {"wave_shl:1", 0x130,
       [](int l, int wave) { return l + 1 < wave ? l + 1 : -1; }},
      {"wave_rol:1", 0x134, [](int l, int wave) { return (l + 1) % wave; }},
      {"wave_shr:1", 0x138, [](int l, int) { return l >= 1 ? l - 1 : -1; }},
      {"wave_ror:1", 0x13C,
       [](int l, int wave) { return (l + wave - 1) % wave; }},
      // Lane 15 of each row to the whole next row; row 0 has none.
      {"row_bcast:15", 0x142,
       [](int l, int) { return l >= 16 ? l / 16 * 16 - 1 : -1; }},
      // Lane 31 to rows 2 and 3.
      {"row_bcast:31", 0x143, [](int l, int) { return l >= 32 ? 31 : -1; }},
      // row_newbcast:5 (gfx90a+): lane 5 of the row to the row.
      {"row_newbcast:5", 0x155, [](int l, int) { return l / 16 * 16 + 5; }},
  };
  return cases;
}

const std::vector<Case> &gfx10Cases() {
  static const std::vector<Case> cases = {
      {"row_share:3", 0x153, [](int l, int) { return l / 16 * 16 + 3; }},
      {"row_xmask:5", 0x165,
       [](int l, int) { return l / 16 * 16 + ((l % 16) ^ 5); }},
  };
  return cases;
}

/// The expected word of every workitem of a workgroup of `lanes`.
std::vector<uint32_t> expected(const Case &c, const Controls &k, unsigned wave,
                               unsigned lanes) {
  auto active = [](unsigned w) { return w % 7 != 3; };
  std::vector<uint32_t> words(lanes);
  for (unsigned w = 0; w < lanes; ++w) {
    if (!active(w)) {
      words[w] = 77777;
      continue;
    }
    unsigned base = w / wave * wave, l = w % wave;
    uint32_t old = w + 1000;
    bool rowOn = (k.rowMask >> (l / 16)) & 1;
    bool bankOn = (k.bankMask >> (l % 16 / 4)) & 1;
    if (!rowOn || !bankOn) {
      words[w] = old;
      continue;
    }
    int from = c.source(int(l), int(wave));
    bool valid = from >= 0 && active(base + unsigned(from));
    words[w] = valid ? base + unsigned(from) + 100 : (k.boundCtrl ? 0 : old);
  }
  return words;
}

void checkCases(const char *chip, unsigned wave,
                const std::vector<Case> &cases) {
  const Controls masks[] = {{0, 0xF, 0xF, false},
                            {0, 0xF, 0xF, true},
                            {0, 0xA, 0xF, true},
                            {0, 0xF, 0x5, false}};
  for (const Case &c : cases)
    for (Controls k : masks) {
      k.ctrl = c.ctrl;
      SCOPED_TRACE(std::string(chip) + " " + c.name +
                   " row_mask=" + std::to_string(k.rowMask) +
                   " bank_mask=" + std::to_string(k.bankMask) +
                   " bound_ctrl=" + std::to_string(k.boundCtrl));
      unsigned lanes = 2 * wave;
      EXPECT_EQ(runDpp(chip, k, lanes), expected(c, k, wave, lanes));
    }
}

TEST(DppTest, Wave64ControlsOnGfx950) {
  checkCases("gfx950", 64, commonCases());
  checkCases("gfx950", 64, gfx9Cases());
}

TEST(DppTest, Wave32ControlsOnGfx1201) {
  checkCases("gfx1201", 32, commonCases());
  checkCases("gfx1201", 32, gfx10Cases());
}

TEST(DppTest, FloatMovesBitsUnchanged) {
  // The same lane movement for update.dpp.f32 (row_shr:4, bound_ctrl).
  Controls k{0x114, 0xF, 0xF, true, /*isFloat=*/true};
  const Case &c = commonCases()[7];
  ASSERT_STREQ(c.name, "row_shr:4");
  EXPECT_EQ(runDpp("gfx950", k, 64), expected(c, k, 64, 64));
}

TEST(DppTest, ControlsMissingOnTheChipAreRefused) {
  struct Refusal {
    const char *chip;
    unsigned ctrl;
  } refusals[] = {{"gfx1201", 0x130}, {"gfx1201", 0x142}, {"gfx1201", 0x143},
                  {"gfx950", 0x161},  {"gfx950", 0x100},  {"gfx1201", 0x110},
                  {"gfx950", 0x144}};
  for (const Refusal &r : refusals) {
    auto s = loadDpp(r.chip, {r.ctrl});
    ASSERT_FALSE(bool(s)) << r.chip << " ctrl " << r.ctrl;
    std::string error = llvm::toString(s.takeError());
    EXPECT_NE(error.find("does not exist on " + std::string(r.chip)),
              std::string::npos)
        << error;
  }
}

} // namespace
