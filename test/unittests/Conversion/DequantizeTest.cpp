//===- DequantizeTest.cpp - mx.dequantize kernels, end to end -------------===//
//
// Part of mxc. mx.dequantize compiled by the real pipeline for each chip,
// run in the simulator with its checks on exactly sized buffers, and
// compared bit for bit with SPEC.md, Dequantize: y = round(float32(q) *
// 2^(s-127)) (MxReference.h), every code of every format (specials
// included), scales from 0 (products in fp32's subnormal range) to 0xFF
// (NaN), bf16/f16/f32 output (f16 overflowing to infinity). gfx950
// (hardware FP8 decode) runs every case, the other chips (software decode,
// wave32 on gfx11/gfx12) every format and output type and the M tails.
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
  unsigned format;
  std::string output;
  int64_t m, k;
  std::string chip = "gfx950";
};

/// SPEC.md, Formats: a code's value, specials included (E4M3 0x7F/0xFF
/// NaN; E5M2 exponent 31: infinity with mantissa 0, else NaN).
float decodeAny(const ref::Format &f, uint32_t code) {
  uint32_t magnitude = code & ((1u << (f.bits - 1)) - 1);
  bool negative = code >> (f.bits - 1);
  if (std::string(f.name) == "e4m3" && magnitude == 0x7F)
    return std::numeric_limits<float>::quiet_NaN();
  if (std::string(f.name) == "e5m2" && (magnitude >> 2) == 31) {
    if (magnitude & 3)
      return std::numeric_limits<float>::quiet_NaN();
    return negative ? -INFINITY : INFINITY;
  }
  return float(ref::decode(f, code));
}

class DequantizeTest : public ::testing::TestWithParam<Case> {};

TEST_P(DequantizeTest, MatchesSpec) {
  const Case &c = GetParam();
  const ref::Format &f = ref::kFormats[c.format];
  std::string k = std::to_string(c.k), kb = std::to_string(c.k / 32);
  std::string tq = "memref<?x" + k + "x" + f.type + ">";
  std::string ts = "memref<?x" + kb + "xf8E8M0FNU>";
  std::string ty = "memref<?x" + k + "x" + c.output + ">";
  std::string text = "func.func @d(%q: " + tq + ", %s: " + ts + ", %y: " + ty +
                     ") {\n  mx.dequantize %q, %s -> %y : " + tq + ", " + ts +
                     " -> " + ty + "\n  return\n}\n";

  // Every code; scales 0, 1, 127, 254, 255 on the first blocks, then
  // random from 100 to 160.
  std::mt19937 rng(unsigned(c.m * 131 + c.k + c.format * 17 + c.output.size()));
  int64_t blocks = c.m * c.k / 32;
  std::vector<uint32_t> codes(c.m * c.k);
  for (size_t i = 0; i < codes.size(); ++i)
    codes[i] = i < (1u << f.bits) ? uint32_t(i) : rng() & ((1u << f.bits) - 1);
  std::vector<uint8_t> scales(blocks);
  const uint8_t edgeScales[] = {0, 1, 127, 254, 255};
  for (int64_t blk = 0; blk < blocks; ++blk)
    scales[blk] = blk < 5 ? edgeScales[blk] : uint8_t(100 + rng() % 61);
  std::vector<uint8_t> packed = ref::pack(f, codes, c.m, c.k);

  // Every variant of the plan runs (each takes any M) and must agree.
  unsigned outBytes = c.output == "f32" ? 4 : 2;
  std::vector<std::vector<uint8_t>> buffers = {
      packed, scales, std::vector<uint8_t>(c.m * c.k * outBytes, 0xA5)};
  test::runRowKernel(text, c.m, buffers, c.chip);
  if (HasFatalFailure())
    return;

  const uint8_t *out = buffers[2].data();
  for (size_t i = 0; i < codes.size(); ++i) {
    uint8_t s = scales[i / 32];
    float y = s == 0xFF ? std::numeric_limits<float>::quiet_NaN()
                        : decodeAny(f, codes[i]) * std::ldexp(1.0f, s - 127);
    uint32_t want, got = 0;
    std::memcpy(&got, out + i * outBytes, outBytes);
    bool gotNan;
    if (c.output == "f32") {
      std::memcpy(&want, &y, 4);
      float g;
      std::memcpy(&g, &got, 4);
      gotNan = std::isnan(g);
    } else if (c.output == "bf16") {
      want = ref::toBf16(y);
      gotNan = std::isnan(ref::fromBf16(uint16_t(got)));
    } else {
      want = ref::toHalf(y);
      gotNan = std::isnan(ref::fromHalf(uint16_t(got)));
    }
    if (std::isnan(y))
      ASSERT_TRUE(gotNan) << "element " << i << " code " << codes[i]
                          << " scale " << int(s) << ": got " << got;
    else
      ASSERT_EQ(got, want) << "element " << i << " code " << codes[i]
                           << " scale " << int(s);
  }
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (unsigned f = 0; f < 5; ++f)
    for (const char *out : {"bf16", "f16", "f32"})
      cases.push_back({f, out, 7, 2880});
  for (unsigned f : {0u, 4u})
    for (int64_t m : {1, 7, 300})
      for (int64_t k : {32, 2880, 4096})
        if (!(m == 7 && k == 2880) && !(m == 300 && k != 4096))
          cases.push_back({f, "bf16", m, k});
  return cases;
}

/// For each chip but gfx950: every format, each with two output types,
/// and M tails.
std::vector<Case> otherChipCases() {
  std::vector<Case> cases;
  const char *outputs[] = {"bf16", "f16", "f32"};
  for (const std::string &chip : test::otherRowKernelChips()) {
    std::vector<Case> some;
    for (unsigned f = 0; f < 5; ++f) {
      some.push_back({f, outputs[f % 3], 7, 2880});
      some.push_back({f, outputs[(f + 1) % 3], 7, 96});
    }
    some.push_back({0, "bf16", 1, 32});
    some.push_back({1, "f32", 300, 512});
    for (Case &c : some) {
      c.chip = chip;
      cases.push_back(c);
    }
  }
  return cases;
}

std::string paramName(const ::testing::TestParamInfo<Case> &info) {
  const Case &c = info.param;
  return std::string(ref::kFormats[c.format].name) + "_" + c.output + "_m" +
         std::to_string(c.m) + "k" + std::to_string(c.k) +
         (c.chip != "gfx950" ? "_" + c.chip : "");
}

INSTANTIATE_TEST_SUITE_P(Gfx950, DequantizeTest,
                         ::testing::ValuesIn(allCases()), paramName);
INSTANTIATE_TEST_SUITE_P(OtherChips, DequantizeTest,
                         ::testing::ValuesIn(otherChipCases()), paramName);

} // namespace
