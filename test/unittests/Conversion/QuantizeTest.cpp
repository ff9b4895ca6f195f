//===- QuantizeTest.cpp - mx.quantize kernels, end to end -----------------===//
//
// Part of mxc. mx.quantize compiled by the real pipeline for each chip, run
// in the simulator with its race, barrier and initialisation checks on
// exactly sized buffers (an access out of bounds fails the run), and
// compared bit for bit with MxReference.h (SPEC.md, Quantize): every element
// format, both scale modes, bf16/f16/f32 input, random blocks and the edge
// blocks of the issue. gfx950 (hardware FP8) runs every case; the other
// chips (software FP8, wave32 on gfx11/gfx12) every format in both modes
// and the M tails.
//
//===----------------------------------------------------------------------===//

#include "../CompileMlir.h"
#include "../Sim/TestIR.h"
#include "MxReference.h"
#include "RowKernelRun.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <limits>
#include <random>

using namespace mxc;
namespace ref = mxc::test::ref;

namespace {

struct Case {
  unsigned format; ///< Index into ref::kFormats.
  ref::Rounding rounding;
  std::string input; ///< bf16, f16 or f32.
  int64_t m, k;
  bool staticM = false;
  std::string chip = "gfx950";
};

std::string caseName(const Case &c) {
  return std::string(ref::kFormats[c.format].name) +
         (c.rounding == ref::Rounding::Ceil ? "_ceil_" : "_floor_") + c.input +
         "_m" + std::to_string(c.m) + "k" + std::to_string(c.k) +
         (c.staticM ? "_static" : "") +
         (c.chip != "gfx950" ? "_" + c.chip : "");
}

/// `x` as the input type stores it, and the value the kernel reads.
struct InputCodec {
  std::string type;
  unsigned bytes() const { return type == "f32" ? 4 : 2; }
  float round(float x) const {
    if (type == "bf16")
      return ref::fromBf16(ref::toBf16(x));
    if (type == "f16")
      return ref::fromHalf(ref::toHalf(x));
    return x;
  }
  void store(float x, uint8_t *at) const {
    if (type == "f32") {
      std::memcpy(at, &x, 4);
      return;
    }
    uint16_t h = type == "bf16" ? ref::toBf16(x) : ref::toHalf(x);
    std::memcpy(at, &h, 2);
  }
};

/// The edge blocks for `f` (values before rounding to the input
/// type): zeros, -0.0, NaN, +-Inf, amax at and one ulp above a power-of-two
/// boundary, d subnormal giving s = 1 and s = 0, bf16-subnormal inputs,
/// ties of the element format, values near the fp32 maximum, amax past the
/// largest finite value (floor mode saturates).
std::vector<std::vector<float>>
edgeBlocks(const ref::Format &f, const InputCodec &in, std::mt19937 &rng) {
  std::uniform_real_distribution<float> unit(-1.0f, 1.0f);
  auto filled = [&](float scale) {
    std::vector<float> v(32);
    for (float &x : v)
      x = unit(rng) * scale;
    return v;
  };
  std::vector<std::vector<float>> blocks;
  blocks.push_back(std::vector<float>(32, 0.0f));
  blocks.push_back(std::vector<float>(32, -0.0f));
  for (float special : {std::numeric_limits<float>::quiet_NaN(),
                        std::numeric_limits<float>::infinity(),
                        -std::numeric_limits<float>::infinity()}) {
    std::vector<float> v = filled(3.0f);
    v[rng() % 32] = special;
    blocks.push_back(v);
  }
  // amax = max_finite * 2^-3 exactly, and the next value of the input type.
  float boundary = float(f.maxFinite) * 0.125f;
  float above = std::nextafter(boundary, INFINITY);
  while (in.round(above) <= boundary)
    above = std::nextafter(above, INFINITY);
  for (float amax : {boundary, in.round(above), -boundary}) {
    std::vector<float> v = filled(boundary * 0.9f);
    v[rng() % 32] = amax;
    blocks.push_back(v);
  }
  // d = amax / max_finite subnormal: 1.5 * 2^-127 (s = 1), 2^-127 and
  // 2^-128 (s = 0).
  for (double d : {1.5 * std::ldexp(1.0, -127), std::ldexp(1.0, -127),
                   std::ldexp(1.0, -128)}) {
    float amax = float(d * f.maxFinite);
    std::vector<float> v = filled(amax * 0.5f);
    v[rng() % 32] = amax;
    blocks.push_back(v);
  }
  // bf16 (and fp32) subnormals.
  {
    std::vector<float> v(32);
    for (unsigned i = 0; i < 32; ++i)
      v[i] = std::ldexp(float(int(rng() % 255) - 127), -133);
    blocks.push_back(v);
  }
  // Ties: the midpoints of consecutive codes at scale 1 (amax = max_finite
  // gives s = 127 in both modes), alternating signs.
  {
    std::vector<float> v;
    v.push_back(float(f.maxFinite));
    uint32_t maxCode = ref::elementCode(f, float(f.maxFinite), 127);
    for (uint32_t c = 0; v.size() < 32; c = (c + 1) % maxCode) {
      float mid = float((ref::decode(f, c) + ref::decode(f, c + 1)) / 2);
      v.push_back(v.size() % 2 ? mid : -mid);
    }
    blocks.push_back(v);
  }
  // Near the fp32 maximum (the input type's largest values for f16).
  {
    float big = in.type == "f16" ? 65504.0f : 3.3e38f;
    std::vector<float> v = filled(big);
    v[0] = big;
    v[1] = -big;
    blocks.push_back(v);
  }
  // Past the largest finite value at the scale floor mode picks (464 for
  // E4M3), and the largest value below the next power of two.
  {
    std::vector<float> v = filled(float(f.maxFinite));
    v[0] = float(f.maxFinite * 1.0357);
    v[5] = -float(std::ldexp(1.0, f.emax + 1) * 0.99);
    blocks.push_back(v);
  }
  return blocks;
}

std::string makeModule(const Case &c) {
  const ref::Format &f = ref::kFormats[c.format];
  std::string rows = c.staticM ? std::to_string(c.m) : "?";
  std::string k = std::to_string(c.k), kb = std::to_string(c.k / 32);
  std::string tin = "memref<" + rows + "x" + k + "x" + c.input + ">";
  std::string tq = "memref<" + rows + "x" + k + "x" + f.type + ">";
  std::string ts = "memref<" + rows + "x" + kb + "xf8E8M0FNU>";
  std::string mode = c.rounding == ref::Rounding::Ceil ? "ceil" : "floor";
  return "func.func @q(%x: " + tin + ", %q: " + tq + ", %s: " + ts +
         ") {\n  mx.quantize %x -> %q, %s {rounding = #mx.rounding<" + mode +
         ">} : " + tin + " -> " + tq + ", " + ts + "\n  return\n}\n";
}

class QuantizeTest : public ::testing::TestWithParam<Case> {};

TEST_P(QuantizeTest, MatchesSpec) {
  const Case &c = GetParam();
  const ref::Format &f = ref::kFormats[c.format];
  InputCodec in{c.input};
  std::string text = makeModule(c);

  // Inputs: random blocks of magnitudes 2^-40 to 2^40 (bf16, f32) or
  // 2^-14 to 2^14 (f16), the edge blocks first.
  std::mt19937 rng(unsigned(c.m * 7919 + c.k * 31 + c.format * 3 +
                            int(c.rounding) + c.input.size()));
  int64_t blocks = c.m * c.k / 32;
  std::vector<std::vector<float>> edges = edgeBlocks(f, in, rng);
  std::vector<float> x(c.m * c.k);
  int range = c.input == "f16" ? 14 : 40;
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int64_t blk = 0; blk < blocks; ++blk) {
    float scale = std::ldexp(1.0f, int(rng() % (2 * range + 1)) - range);
    for (int64_t i = 0; i < 32; ++i)
      x[blk * 32 + i] = in.round(
          blk < int64_t(edges.size()) ? edges[blk][i] : normal(rng) * scale);
  }
  std::vector<uint8_t> input(x.size() * in.bytes());
  for (size_t i = 0; i < x.size(); ++i)
    in.store(x[i], input.data() + i * in.bytes());

  // Every variant of the plan runs (each takes any M) and must agree.
  int64_t valueBytes = c.m * c.k * f.bits / 8;
  std::vector<std::vector<uint8_t>> buffers = {
      input, std::vector<uint8_t>(valueBytes, 0xA5),
      std::vector<uint8_t>(blocks, 0xA5)};
  test::runRowKernel(text, c.m, buffers, c.chip);
  if (HasFatalFailure())
    return;

  // Reference and comparison, block by block.
  std::vector<uint32_t> codes(x.size());
  std::vector<uint8_t> scales(blocks);
  for (int64_t blk = 0; blk < blocks; ++blk) {
    scales[blk] = ref::blockScale(f, c.rounding, &x[blk * 32]);
    for (int64_t i = 0; i < 32; ++i)
      codes[blk * 32 + i] =
          scales[blk] == 0xFF
              ? f.nanCode
              : ref::elementCode(f, x[blk * 32 + i], scales[blk]);
  }
  std::vector<uint8_t> expected = ref::pack(f, codes, c.m, c.k);
  const uint8_t *gotValues = buffers[1].data();
  const uint8_t *gotScales = buffers[2].data();
  int64_t blockBytes = 32 * f.bits / 8;
  for (int64_t blk = 0; blk < blocks; ++blk) {
    ASSERT_EQ(gotScales[blk], scales[blk])
        << "scale of block " << blk << " (row " << blk / (c.k / 32) << ")";
    for (int64_t i = 0; i < blockBytes; ++i)
      ASSERT_EQ(gotValues[blk * blockBytes + i], expected[blk * blockBytes + i])
          << "byte " << i << " of block " << blk << " (scale "
          << int(scales[blk]) << ", x[0] = " << x[blk * 32] << ")";
  }
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  auto ceil = ref::Rounding::Ceil, floor = ref::Rounding::Floor;
  // Every format x mode x input type, edge blocks and K tails of a wave.
  for (unsigned f = 0; f < 5; ++f)
    for (auto r : {ceil, floor})
      for (const char *in : {"bf16", "f16", "f32"})
        cases.push_back({f, r, in, 7, 2880});
  // M and K sweeps.
  for (auto [f, r] : {std::pair{0u, ceil}, {4u, floor}, {2u, ceil}})
    for (int64_t m : {1, 7, 300})
      for (int64_t k : {32, 2880, 4096})
        if (!(m == 300 && k != 4096 && f != 0) && !(m == 7 && k == 2880))
          cases.push_back({f, r, "bf16", m, k});
  cases.push_back({1, floor, "f32", 300, 32});
  cases.push_back({3, ceil, "bf16", 5, 96, /*staticM=*/true});
  return cases;
}

/// For each chip but gfx950: every format in both modes (the input type
/// changing with them), short and long rows, M tails and a static M.
std::vector<Case> otherChipCases() {
  std::vector<Case> cases;
  auto ceil = ref::Rounding::Ceil, floor = ref::Rounding::Floor;
  const char *inputs[] = {"bf16", "f16", "f32"};
  for (const std::string &chip : test::otherRowKernelChips()) {
    std::vector<Case> some;
    for (unsigned f = 0; f < 5; ++f) {
      some.push_back({f, ceil, inputs[f % 3], 7, 2880});
      some.push_back({f, floor, inputs[(f + 1) % 3], 7, 2880});
    }
    some.push_back({0, floor, "bf16", 1, 32});
    some.push_back({1, ceil, "bf16", 300, 512});
    some.push_back({4, floor, "f32", 300, 32});
    some.push_back({3, ceil, "bf16", 5, 96, /*staticM=*/true});
    for (Case &c : some) {
      c.chip = chip;
      cases.push_back(c);
    }
  }
  return cases;
}

std::string paramName(const ::testing::TestParamInfo<Case> &info) {
  return caseName(info.param);
}

INSTANTIATE_TEST_SUITE_P(Gfx950, QuantizeTest, ::testing::ValuesIn(allCases()),
                         paramName);
INSTANTIATE_TEST_SUITE_P(OtherChips, QuantizeTest,
                         ::testing::ValuesIn(otherChipCases()), paramName);

} // namespace
