//===- SwigluTest.cpp - mx.swiglu kernels, end to end ---------------------===//
//
// Part of mxc. mx.swiglu compiled by the real pipeline for each chip (every
// case on gfx950, a representative set on the others) and run in the simulator
// with its race, barrier and initialisation checks on exactly sized, poisoned
// buffers (RowKernelRun.h), against an fp32 reference written from SPEC.md
// (SwiGLU-OAI): split and interleaved layouts, with and without limit, real
// outputs (bf16/f16/f32) and every MX output format. Results must be bit-exact
// except where an exp or division a few ulps off flips a rounding (a value
// within 2^-17 of the exact result gives the kernel's bits): those flips are
// counted and bounded.
//
//===----------------------------------------------------------------------===//

#include "MxReference.h"
#include "RowKernelRun.h"

#include <limits>
#include <optional>
#include <random>

using namespace mxc;
namespace ref = mxc::test::ref;

namespace {

constexpr float kAlpha = 1.702f, kBeta = 1.0f, kLimit = 7.0f;
/// Relative distance from the exact activation within which a flip is
/// legitimate (as ../shared/oracles/check_kernels.py allows).
constexpr double kFlipDistance = 0x1p-17;

struct Case {
  bool split;
  bool limit;
  std::string input;  ///< bf16, f16, f32.
  std::string output; ///< bf16, f16, f32 or an MX format name.
  int64_t m, width;   ///< M and I.
  std::string chip = "gfx950";
};

std::string caseName(const Case &c) {
  return std::string(c.split ? "split" : "interleaved") +
         (c.limit ? "_limit_" : "_") + c.input + "_to_" + c.output + "_m" +
         std::to_string(c.m) + "i" + std::to_string(c.width) +
         (c.chip != "gfx950" ? "_" + c.chip : "");
}

const ref::Format *mxFormat(const std::string &name) {
  for (const ref::Format &f : ref::kFormats)
    if (name == f.name)
      return &f;
  return nullptr;
}

/// SPEC.md, SwiGLU-OAI, in fp32 in the order written there; NaN propagates
/// through the clamps.
float swigluRef(float gate, float up, bool limit) {
  if (limit) {
    gate = std::isnan(gate) ? gate : std::min(gate, kLimit);
    up = std::isnan(up) ? up : std::min(std::max(up, -kLimit), kLimit);
  }
  float sigmoid = 1.0f / (1.0f + std::exp(-(kAlpha * gate)));
  return gate * sigmoid * (up + kBeta);
}
/// The same in double (the exact activation of the clamped inputs).
double swigluExact(float gate, float up, bool limit) {
  double g = gate, u = up;
  if (limit) {
    g = std::isnan(g) ? g : std::min(g, double(kLimit));
    u = std::isnan(u) ? u
                      : std::min(std::max(u, -double(kLimit)), double(kLimit));
  }
  return g / (1.0 + std::exp(-double(kAlpha) * g)) * (u + double(kBeta));
}

std::string makeModule(const Case &c) {
  const ref::Format *f = mxFormat(c.output);
  std::string twoI = std::to_string(2 * c.width), i = std::to_string(c.width);
  std::string tin = "memref<?x" + twoI + "x" + c.input + ">";
  std::string tout = "memref<?x" + i + "x" + (f ? f->type : c.output) + ">";
  std::string ts = "memref<?x" + std::to_string(c.width / 32) + "xf8E8M0FNU>";
  std::string attrs = std::string("layout = #mx.swiglu_layout<") +
                      (c.split ? "split" : "interleaved") + ">";
  if (c.limit)
    attrs += ", limit = 7.0 : f32";
  return "func.func @s(%h: " + tin + ", %y: " + tout +
         (f ? ", %s: " + ts : "") + ") {\n  mx.swiglu %h -> %y" +
         (f ? " scales %s" : "") + " {" + attrs + "} : " + tin + " -> " + tout +
         (f ? ", " + ts : "") + "\n  return\n}\n";
}

class SwigluTest : public ::testing::TestWithParam<Case> {};

TEST_P(SwigluTest, MatchesSpec) {
  const Case &c = GetParam();
  ref::Real in{c.input};
  const ref::Format *f = mxFormat(c.output);
  int64_t m = c.m, width = c.width;
  std::mt19937 rng(unsigned(m * 131 + width * 7 + c.split * 3 + c.limit +
                            c.output.size() * 17 + c.input.size()));
  // Gates and ups: Gaussian rows of magnitudes 2^-6 to 2^4 (past the limit,
  // into exp's saturation), rows of zeros, and NaN/Inf in row 1.
  std::vector<float> gate(m * width), up(m * width);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  for (int64_t r = 0; r < m; ++r) {
    float scale = std::ldexp(1.0f, int(rng() % 11) - 6);
    for (int64_t i = 0; i < width; ++i) {
      gate[r * width + i] = in.round(normal(rng) * scale * 3);
      up[r * width + i] = in.round(normal(rng) * scale * 3);
    }
  }
  if (m > 1) {
    gate[width + 3] = std::numeric_limits<float>::quiet_NaN();
    up[width + 40 % width] = std::numeric_limits<float>::infinity();
    gate[width + 70 % width] = -std::numeric_limits<float>::infinity();
  }
  if (m > 2)
    for (int64_t i = 0; i < width; ++i)
      gate[2 * width + i] = up[2 * width + i] = 0.0f;
  std::vector<uint8_t> input(m * 2 * width * in.bytes());
  for (int64_t r = 0; r < m; ++r)
    for (int64_t i = 0; i < width; ++i) {
      int64_t gi = c.split ? r * 2 * width + i : r * 2 * width + 2 * i;
      int64_t ui = c.split ? gi + width : gi + 1;
      in.store(gate[r * width + i], &input[gi * in.bytes()]);
      in.store(up[r * width + i], &input[ui * in.bytes()]);
    }

  ref::Real out{f ? "f32" : c.output};
  int64_t outBytes = f ? m * width * f->bits / 8 : m * width * out.bytes();
  std::vector<std::vector<uint8_t>> buffers = {
      input, std::vector<uint8_t>(outBytes, 0xA5)};
  if (f)
    buffers.push_back(std::vector<uint8_t>(m * width / 32, 0xA5));
  test::runRowKernel(makeModule(c), m, buffers, c.chip);
  if (HasFatalFailure())
    return;

  std::vector<float> ref32(m * width);
  std::vector<double> exact(m * width);
  for (int64_t i = 0; i < m * width; ++i) {
    ref32[i] = swigluRef(gate[i], up[i], c.limit);
    exact[i] = swigluExact(gate[i], up[i], c.limit);
  }
  ref::Flips flips;
  if (f) {
    int64_t rowBytes = width * f->bits / 8;
    for (int64_t blk = 0; blk < m * width / 32; ++blk) {
      int64_t r = blk / (width / 32), first = blk * 32;
      uint32_t codes[32];
      for (int64_t i = 0; i < 32; ++i)
        codes[i] =
            ref::codeAt(*f, &buffers[1][r * rowBytes], first % width + i);
      std::string why = ref::checkFusedBlock(
          *f, ref::Rounding::Ceil, &ref32[first], &exact[first],
          buffers[2][blk], codes, kFlipDistance, flips);
      ASSERT_EQ(why, "") << "block " << blk << " (row " << r << ")";
    }
  } else {
    for (int64_t i = 0; i < m * width; ++i) {
      float got = out.load(&buffers[1][i * out.bytes()]);
      float want = out.round(ref32[i]);
      if (std::isnan(want)) {
        ASSERT_TRUE(std::isnan(got)) << "element " << i;
        continue;
      }
      if (std::memcmp(&got, &want, 4) == 0)
        continue;
      float lo = out.round(float(exact[i] * (1 - kFlipDistance)));
      float hi = out.round(float(exact[i] * (1 + kFlipDistance)));
      ASSERT_TRUE(got >= std::min(lo, hi) && got <= std::max(lo, hi))
          << "element " << i << ": got " << got << ", expected " << want;
      ++flips.elements;
    }
  }
  // Flips need an exp or division off by ulps at a rounding boundary: rare.
  EXPECT_LE(flips.elements, std::max<int64_t>(2, m * width / 1000));
  EXPECT_LE(flips.scales, std::max<int64_t>(1, m * width / 32 / 1000));
  if (flips.elements || flips.scales)
    std::printf("[ flips    ] %lld elements, %lld scales\n",
                (long long)flips.elements, (long long)flips.scales);
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  // Every output type, both layouts, with and without limit.
  for (bool split : {true, false})
    for (bool limit : {true, false})
      for (const char *out :
           {"bf16", "f16", "f32", "e4m3", "e5m2", "e2m3", "e3m2", "e2m1"})
        cases.push_back({split, limit, "bf16", out, 7, 2880});
  cases.push_back({true, true, "f16", "e4m3", 7, 96});
  cases.push_back({false, false, "f32", "bf16", 7, 96});
  cases.push_back({true, false, "f32", "e2m1", 7, 64});
  // M and I sweeps: split + limit + E4M3 (MiniMax-M3's MoE), interleaved
  // bf16 (gpt-oss).
  for (int64_t m : {1, 7, 300})
    for (int64_t i : {32, 2880, 4096}) {
      if (!(m == 7 && i == 2880)) {
        cases.push_back({true, true, "bf16", "e4m3", m, i});
        cases.push_back({false, false, "bf16", "bf16", m, i});
      }
    }
  return cases;
}

/// For each chip but gfx950: both layouts with and without limit, every
/// input type, every MX output format and a real one, M tails.
std::vector<Case> otherChipCases() {
  std::vector<Case> cases;
  for (const std::string &chip : test::otherRowKernelChips()) {
    std::vector<Case> some = {
        {true, true, "bf16", "e4m3", 7, 2880},
        {false, false, "bf16", "e5m2", 7, 2880},
        {true, false, "f16", "e2m3", 7, 96},
        {false, true, "f32", "e3m2", 7, 96},
        {true, true, "bf16", "e2m1", 1, 32},
        {false, true, "f16", "bf16", 7, 2880},
        {true, false, "f32", "f32", 7, 64},
        {true, true, "bf16", "e4m3", 300, 512},
        {false, false, "bf16", "bf16", 300, 32},
    };
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

INSTANTIATE_TEST_SUITE_P(Gfx950, SwigluTest, ::testing::ValuesIn(allCases()),
                         paramName);
INSTANTIATE_TEST_SUITE_P(OtherChips, SwigluTest,
                         ::testing::ValuesIn(otherChipCases()), paramName);

} // namespace
