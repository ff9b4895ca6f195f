//===- RmsNormTest.cpp - mx.rmsnorm kernels, end to end -------------------===//
//
// Part of mxc. mx.rmsnorm compiled by the real pipeline for each chip (every
// case on gfx950, a representative set on the others) and run in the simulator
// with its race, barrier and initialisation checks (RowKernelRun.h), against a
// reference written from SPEC.md (Gemma RMSNorm): residual_out bit for bit, y
// within relerr 5e-3 of the float64 result per row (1e-5 for an f32 output), a
// quantized y bit-exact against SPEC.md's quantization of the fp32 result
// except for counted, bounded flips a few ulps of rsqrt or summation order
// explain. The row widths cover every reduction the kernel uses: DPP within 16
// lanes (H <= 256), reduceWave (a row per wave, H <= 1024 in wave64, 512 in
// wave32), and reduceWave with reduceWorkgroup over 2 to 32 waves (more than
// one run a lane at H = 20480 in wave64). A spike row (one element 2^10 times
// the others, at a place that moves from row to row) makes the norm hang on one
// lane's part of the sum, so a reduction that drops a lane or a wave fails.
//
//===----------------------------------------------------------------------===//

#include "MxReference.h"
#include "RowKernelRun.h"

#include <random>

using namespace mxc;
namespace ref = mxc::test::ref;

namespace {

/// As for SwiGLU: flips a value within 2^-17 of the exact one explains.
constexpr double kFlipDistance = 0x1p-17;

struct Case {
  bool residual;
  std::string input;  ///< bf16, f16, f32 (residual and weight the same).
  std::string output; ///< bf16, f16, f32 or an MX format name.
  int64_t m, h;
  float eps = 1e-6f;
  std::string chip = "gfx950";
};

std::string caseName(const Case &c) {
  return std::string(c.residual ? "residual_" : "") + c.input + "_to_" +
         c.output + "_m" + std::to_string(c.m) + "h" + std::to_string(c.h) +
         (c.eps != 1e-6f ? "_eps" : "") +
         (c.chip != "gfx950" ? "_" + c.chip : "");
}

const ref::Format *mxFormat(const std::string &name) {
  for (const ref::Format &f : ref::kFormats)
    if (name == f.name)
      return &f;
  return nullptr;
}

std::string makeModule(const Case &c) {
  const ref::Format *f = mxFormat(c.output);
  std::string h = std::to_string(c.h);
  std::string tx = "memref<?x" + h + "x" + c.input + ">";
  std::string tw = "memref<" + h + "x" + c.input + ">";
  std::string ty = "memref<?x" + h + "x" + (f ? f->type : c.output) + ">";
  std::string ts = "memref<?x" + std::to_string(c.h / 32) + "xf8E8M0FNU>";
  std::string args = "%x: " + tx + ", %w: " + tw;
  std::string op = "mx.rmsnorm %x, %w";
  std::string types = tx + ", " + tw;
  if (c.residual) {
    args += ", %r: " + tx + ", %ro: " + tx;
    op += " residual %r -> %ro";
    types += ", " + tx + " -> " + tx;
  }
  args += ", %y: " + ty;
  op += " -> %y";
  types += " -> " + ty;
  if (f) {
    args += ", %s: " + ts;
    op += " scales %s";
    types += ", " + ts;
  }
  char eps[32];
  std::snprintf(eps, sizeof(eps), "%.9e", double(c.eps));
  return "func.func @n(" + args + ") {\n  " + op + " {eps = " + eps +
         " : f32} : " + types + "\n  return\n}\n";
}

class RmsNormTest : public ::testing::TestWithParam<Case> {};

TEST_P(RmsNormTest, MatchesSpec) {
  const Case &c = GetParam();
  ref::Real in{c.input};
  const ref::Format *f = mxFormat(c.output);
  int64_t m = c.m, h = c.h;
  std::mt19937 rng(unsigned(m * 613 + h * 5 + c.residual * 11 +
                            c.output.size() * 3 + c.input.size()));
  std::normal_distribution<float> normal(0.0f, 1.0f);
  // Rows of magnitudes 2^-8 to 2^8 (f16: 2^-4 to 2^4, so spikes stay
  // finite); every third row a spike row, row 2 zeros.
  std::vector<float> x(m * h), r(m * h, 0.0f), w(h);
  int range = c.input == "f16" ? 4 : 8;
  for (int64_t row = 0; row < m; ++row) {
    float scale = std::ldexp(1.0f, int(rng() % (2 * range + 1)) - range);
    for (int64_t i = 0; i < h; ++i) {
      x[row * h + i] = in.round(normal(rng) * scale);
      if (c.residual)
        r[row * h + i] = in.round(normal(rng) * scale);
    }
    if (row % 3 == 0)
      x[row * h + (row * 37 + 5) % h] = in.round(1024.0f * scale);
    if (row == 2)
      for (int64_t i = 0; i < h; ++i)
        x[row * h + i] = r[row * h + i] = 0.0f;
  }
  for (float &v : w)
    v = in.round(normal(rng) * 0.5f);

  auto encode = [&](const std::vector<float> &v) {
    std::vector<uint8_t> out(v.size() * in.bytes());
    for (size_t i = 0; i < v.size(); ++i)
      in.store(v[i], &out[i * in.bytes()]);
    return out;
  };
  ref::Real out{f ? "f32" : c.output};
  int64_t outBytes = f ? m * h * f->bits / 8 : m * h * out.bytes();
  std::vector<std::vector<uint8_t>> buffers = {encode(x), encode(w)};
  if (c.residual) {
    buffers.push_back(encode(r));
    buffers.push_back(std::vector<uint8_t>(m * h * in.bytes(), 0xA5));
  }
  buffers.push_back(std::vector<uint8_t>(outBytes, 0xA5));
  if (f)
    buffers.push_back(std::vector<uint8_t>(m * h / 32, 0xA5));
  test::runRowKernel(makeModule(c), m, buffers, c.chip);
  if (HasFatalFailure())
    return;
  const std::vector<uint8_t> &y = buffers[c.residual ? 4 : 2];

  ref::Flips flips;
  for (int64_t row = 0; row < m; ++row) {
    // s = f32(x) + f32(r); residual_out = cast(s), bit for bit.
    std::vector<float> s(h);
    double sumSq = 0;
    for (int64_t i = 0; i < h; ++i) {
      s[i] = x[row * h + i] + r[row * h + i];
      sumSq += double(s[i]) * double(s[i]);
      if (c.residual) {
        std::vector<uint8_t> want = in.encode(s[i]);
        ASSERT_EQ(0, std::memcmp(want.data(),
                                 &buffers[3][(row * h + i) * in.bytes()],
                                 in.bytes()))
            << "residual_out row " << row << " element " << i;
      }
    }
    double rstd = 1.0 / std::sqrt(sumSq / double(h) + double(c.eps));
    std::vector<double> exact(h);
    std::vector<float> ref32(h);
    float rstd32 = float(rstd);
    for (int64_t i = 0; i < h; ++i) {
      exact[i] = double(s[i]) * rstd * (1.0 + double(w[i]));
      ref32[i] = s[i] * rstd32 * (1.0f + w[i]);
    }
    if (f) {
      int64_t rowBytes = h * f->bits / 8;
      for (int64_t blk = 0; blk < h / 32; ++blk) {
        uint32_t codes[32];
        for (int64_t i = 0; i < 32; ++i)
          codes[i] = ref::codeAt(*f, &y[row * rowBytes], blk * 32 + i);
        std::string why = ref::checkFusedBlock(
            *f, ref::Rounding::Ceil, &ref32[blk * 32], &exact[blk * 32],
            buffers.back()[row * (h / 32) + blk], codes, kFlipDistance, flips);
        ASSERT_EQ(why, "") << "row " << row << " block " << blk;
      }
      continue;
    }
    double err = 0, norm = 0;
    for (int64_t i = 0; i < h; ++i) {
      double got = out.load(&y[(row * h + i) * out.bytes()]);
      err += (got - exact[i]) * (got - exact[i]);
      norm += exact[i] * exact[i];
    }
    double bound = c.output == "f32" ? 1e-5 : 5e-3;
    if (norm == 0)
      EXPECT_EQ(err, 0) << "row " << row;
    else
      EXPECT_LT(std::sqrt(err / norm), bound) << "row " << row;
  }
  EXPECT_LE(flips.elements, std::max<int64_t>(2, m * h / 1000));
  EXPECT_LE(flips.scales, std::max<int64_t>(1, m * h / 32 / 1000));
  if (flips.elements || flips.scales)
    std::printf("[ flips    ] %lld elements, %lld scales\n",
                (long long)flips.elements, (long long)flips.scales);
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  // Output types, with and without the residual.
  for (bool residual : {true, false})
    for (const char *out : {"bf16", "f16", "f32", "e4m3", "e2m1"})
      cases.push_back({residual, "bf16", out, 7, 2880});
  cases.push_back({true, "f16", "f16", 7, 96});
  cases.push_back({true, "f32", "e5m2", 7, 512});
  cases.push_back({false, "f32", "f32", 7, 64, 1e-2f});
  // Every reduction: 1, 2 and 16 lanes, a wave, 8 and 16 waves (two runs a
  // lane, the second past the row on some lanes).
  for (int64_t h : {16, 32, 256, 1024, 8192, 20480})
    cases.push_back({true, "bf16", "f32", 7, h});
  // M and H sweeps.
  for (int64_t m : {1, 7, 300})
    for (int64_t h : {32, 2880, 4096}) {
      if (m == 7 && h == 2880)
        continue;
      cases.push_back({true, "bf16", "bf16", m, h});
      cases.push_back({false, "bf16", "e4m3", m, h});
    }
  return cases;
}

/// For each chip but gfx950: every reduction (1, 2 and 16 lanes, a wave,
/// two waves, 16 and 32 waves in wave32), with and without the residual,
/// every input type, real and MX outputs, M tails.
std::vector<Case> otherChipCases() {
  std::vector<Case> cases;
  for (const std::string &chip : test::otherRowKernelChips()) {
    std::vector<Case> some;
    for (int64_t h : {16, 32, 256, 512, 1024, 8192, 20480})
      some.push_back({true, "bf16", "f32", 7, h});
    some.push_back({true, "bf16", "e4m3", 7, 2880});
    some.push_back({false, "f16", "e5m2", 7, 512});
    some.push_back({true, "f32", "e2m1", 7, 96});
    some.push_back({false, "bf16", "e2m3", 1, 32});
    some.push_back({false, "f32", "e3m2", 7, 64, 1e-2f});
    some.push_back({true, "f16", "f16", 300, 256});
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

INSTANTIATE_TEST_SUITE_P(Gfx950, RmsNormTest, ::testing::ValuesIn(allCases()),
                         paramName);
INSTANTIATE_TEST_SUITE_P(OtherChips, RmsNormTest,
                         ::testing::ValuesIn(otherChipCases()), paramName);

} // namespace
