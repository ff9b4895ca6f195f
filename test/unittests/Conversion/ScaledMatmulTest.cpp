//===- ScaledMatmulTest.cpp - gfx950 scaled-matmul kernels, end to end ----===//
//
// Part of mxc. mx.scaled_matmul compiled by the real pipeline for gfx950,
// run in the simulator on exactly sized buffers (any out-of-bounds access
// fails the run), and checked against a plain reference written from
// SPEC.md (Formats, Scaled matmul).
//
//===----------------------------------------------------------------------===//

#include "../CompileMlir.h"
#include "../Sim/TestIR.h"
#include "mxc/Sim/MxNumerics.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <cmath>
#include <cstring>
#include <random>

using namespace mxc;

namespace {

enum Fmt { E4M3, E5M2, E2M3, E3M2, E2M1 };
const char *kTypes[] = {"f8E4M3FN", "f8E5M2", "f6E2M3FN", "f6E3M2FN",
                        "f4E2M1FN"};
const char *kNames[] = {"e4m3", "e5m2", "e2m3", "e3m2", "e2m1"};
const unsigned kBits[] = {8, 8, 6, 6, 4};

// SPEC.md, Formats: sign, exponent, mantissa, bias; E4M3 0x7F/0xFF and
// E5M2 exponent 31 are specials (never generated here).
double decode(Fmt f, uint32_t code) {
  static const int e[] = {4, 5, 2, 3, 2}, m[] = {3, 2, 3, 2, 1},
                   bias[] = {7, 15, 1, 3, 1};
  unsigned bits = kBits[f];
  unsigned sign = (code >> (bits - 1)) & 1,
           exp = (code >> m[f]) & ((1u << e[f]) - 1),
           man = code & ((1u << m[f]) - 1);
  double v = exp == 0 ? std::ldexp(double(man), 1 - bias[f] - m[f])
                      : std::ldexp(1.0 + double(man) / (1 << m[f]),
                                   int(exp) - bias[f]);
  return sign ? -v : v;
}

bool isSpecial(Fmt f, uint32_t code) {
  if (f == E4M3)
    return (code & 0x7F) == 0x7F;
  if (f == E5M2)
    return ((code >> 2) & 0x1F) == 0x1F;
  return false;
}

/// Packs row-major codes [rows][k] as the dialect stores them: FP8 a byte
/// each, FP4 two per byte (even K low), FP6 four in three bytes (LE).
std::vector<uint8_t> pack(Fmt f, const std::vector<uint32_t> &codes,
                          int64_t rows, int64_t k) {
  int64_t rowBytes = k * kBits[f] / 8;
  std::vector<uint8_t> out(rows * rowBytes, 0);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t i = 0; i < k; ++i) {
      uint64_t bit = uint64_t(i) * kBits[f];
      uint32_t code = codes[r * k + i];
      for (unsigned j = 0; j < kBits[f]; ++j)
        if ((code >> j) & 1)
          out[r * rowBytes + (bit + j) / 8] |= uint8_t(1u << ((bit + j) % 8));
    }
  return out;
}

struct Case {
  Fmt a, b;
  int64_t m, n, k;
  std::string out = "bf16";
  bool bias = false;
  bool kn = false;
  std::string config; ///< "" lets the cost model choose.
};

std::string caseName(const Case &c) {
  std::string name = std::string(kNames[c.a]) + "x" + kNames[c.b] + "_m" +
                     std::to_string(c.m) + "n" + std::to_string(c.n) + "k" +
                     std::to_string(c.k) + "_" + c.out;
  if (c.bias)
    name += "_bias";
  if (c.kn)
    name += "_kn";
  if (!c.config.empty()) {
    name += "_";
    for (char ch : c.config)
      name += std::isalnum(ch) ? ch : '_';
  }
  return name;
}

std::string makeModule(const Case &c) {
  std::string k = std::to_string(c.k), n = std::to_string(c.n),
              kb = std::to_string(c.k / 32);
  std::string ta = std::string("memref<?x") + k + "x" + kTypes[c.a] + ">";
  std::string sa = "memref<?x" + kb + "xf8E8M0FNU>";
  std::string tb = c.kn ? "memref<" + k + "x" + n + "x" + kTypes[c.b] + ">"
                        : "memref<" + n + "x" + k + "x" + kTypes[c.b] + ">";
  std::string sb = "memref<" + n + "x" + kb + "xf8E8M0FNU>";
  std::string tc = "memref<?x" + n + "x" + c.out + ">";
  std::string tbias = "memref<" + n + "xf32>";
  std::string args = "%a: " + ta + ", %sa: " + sa + ", %b: " + tb +
                     ", %sb: " + sb + (c.bias ? ", %bias: " + tbias : "") +
                     ", %c: " + tc;
  return "func.func @mm(" + args + ") {\n  mx.scaled_matmul %a[%sa] * %b[%sb]" +
         (c.bias ? " + %bias" : "") + " -> %c" +
         (c.kn ? " {b_layout = #mx.b_layout<kn>}" : "") + " : " + ta + "[" +
         sa + "] * " + tb + "[" + sb + "]" + (c.bias ? " + " + tbias : "") +
         " -> " + tc + "\n  return\n}\n";
}

class ScaledMatmulTest : public ::testing::TestWithParam<Case> {};

TEST_P(ScaledMatmulTest, MatchesReference) {
  const Case &c = GetParam();
  // Compile with the real pipeline.
  std::string text = makeModule(c);
  driver::CompileOptions options;
  options.chip = amdgpu::lookupChip("gfx950");
  options.emit = driver::EmitKind::Llvm;
  options.config = c.config;
  options.tuneM = c.m;
  amdgpu::LaunchPlan plan;
  std::string ir = test::compileMlir(text, options, &plan);
  ASSERT_FALSE(ir.empty()) << text;
  ASSERT_EQ(plan.programs.size(), 1u);
  ASSERT_EQ(plan.programs[0].dispatches.size(), 1u);
  ASSERT_EQ(plan.programs[0].sizes.size(), 1u);
  EXPECT_EQ(plan.programs[0].sizes[0].name, "M");
  // The kernel the plan picks for this M (one per M bucket by default).
  const int64_t sizes[] = {c.m};
  auto selected = amdgpu::selectLaunches(plan.programs[0], sizes);
  ASSERT_TRUE(bool(selected)) << llvm::toString(selected.takeError());
  ASSERT_EQ(selected->size(), 1u);
  const amdgpu::PlanLaunch &launch = *selected->front();

  // Inputs.
  std::mt19937 rng(unsigned(c.m * 131 + c.n * 7 + c.k + c.a * 5 + c.b));
  auto codes = [&](Fmt f, int64_t count) {
    std::vector<uint32_t> out(count);
    for (uint32_t &v : out)
      do
        v = rng() & ((1u << kBits[f]) - 1);
      while (isSpecial(f, v));
    return out;
  };
  int64_t kb = c.k / 32;
  std::vector<uint32_t> codesA = codes(c.a, c.m * c.k),
                        codesB = codes(c.b, c.n * c.k);
  std::vector<uint8_t> scalesA(c.m * kb), scalesB(c.n * kb);
  // f16 tops out at 65504: keep its products small.
  unsigned lowest = c.out == "f16" ? 108 : 118;
  for (uint8_t &s : scalesA)
    s = uint8_t(lowest + rng() % 18);
  for (uint8_t &s : scalesB)
    s = uint8_t(lowest + rng() % 18);
  std::vector<float> bias(c.n);
  for (float &v : bias)
    v = float(int(rng() % 64) - 32) / 8.0f;
  std::vector<uint8_t> bytesA = pack(c.a, codesA, c.m, c.k);
  std::vector<uint8_t> bytesB;
  if (c.kn) { // [K, N], FP8 only
    bytesB.resize(c.k * c.n);
    for (int64_t n = 0; n < c.n; ++n)
      for (int64_t k = 0; k < c.k; ++k)
        bytesB[k * c.n + n] = uint8_t(codesB[n * c.k + k]);
  } else {
    bytesB = pack(c.b, codesB, c.n, c.k);
  }

  // Run on exactly sized buffers.
  auto sim =
      sim::Simulator::load(llvm::MemoryBufferRef(ir, "mm.ll"), *options.chip);
  ASSERT_TRUE(bool(sim)) << llvm::toString(sim.takeError());
  // The kernel stages through LDS: every case also runs the race, barrier
  // and LDS-initialisation checks.
  sim::CheckOptions checks;
  checks.race = checks.sync = checks.init = true;
  sim->setCheckOptions(checks);
  sim::Memory memory;
  auto upload = [&](const void *data, size_t bytes, const char *name) {
    return test::upload(memory, data, bytes, name);
  };
  unsigned cBytes = c.out == "f32" ? 4 : 2;
  using Kind = sim::ArgValue::Kind;
  std::vector<sim::ArgValue> args = {
      {Kind::Pointer, upload(bytesA.data(), bytesA.size(), "A")},
      {Kind::Pointer, upload(scalesA.data(), scalesA.size(), "A scales")},
      {Kind::Pointer, upload(bytesB.data(), bytesB.size(), "B")},
      {Kind::Pointer, upload(scalesB.data(), scalesB.size(), "B scales")}};
  if (c.bias)
    args.push_back(
        {Kind::Pointer, upload(bias.data(), bias.size() * 4, "bias")});
  std::vector<uint8_t> poison(c.m * c.n * cBytes, 0xFF);
  uint64_t cAddr = upload(poison.data(), poison.size(), "C");
  args.push_back({Kind::Pointer, cAddr});
  args.push_back({Kind::I32, uint64_t(c.m)});
  sim::LaunchParams params;
  params.grid = {unsigned(launch.grid[0].evaluate(sizes)),
                 unsigned(launch.grid[1].evaluate(sizes)),
                 unsigned(launch.grid[2].evaluate(sizes))};
  params.block = {unsigned(launch.block[0]), unsigned(launch.block[1]),
                  unsigned(launch.block[2])};
  llvm::Error e = sim->launch(launch.kernel, params, args, memory);
  ASSERT_FALSE(bool(e)) << llvm::toString(std::move(e)) << "\nconfig "
                        << launch.config;

  // Reference (SPEC.md, Scaled matmul) and comparison.
  const uint8_t *out = memory.getBuffer(cAddr)->data.data();
  double errNorm = 0, refNorm = 0;
  for (int64_t m = 0; m < c.m; ++m)
    for (int64_t n = 0; n < c.n; ++n) {
      double ref = 0, magnitude = 0;
      for (int64_t k = 0; k < c.k; ++k) {
        double term = decode(c.a, codesA[m * c.k + k]) *
                      std::ldexp(1.0, scalesA[m * kb + k / 32] - 127) *
                      decode(c.b, codesB[n * c.k + k]) *
                      std::ldexp(1.0, scalesB[n * kb + k / 32] - 127);
        ref += term;
        magnitude += std::fabs(term);
      }
      if (c.bias)
        ref += bias[n];
      double got;
      size_t at = size_t(m * c.n + n) * cBytes;
      if (c.out == "f32") {
        float f;
        std::memcpy(&f, out + at, 4);
        got = f;
      } else {
        uint16_t h;
        std::memcpy(&h, out + at, 2);
        got = c.out == "bf16" ? sim::bf16ToFloat(h) : sim::halfToFloat(h);
      }
      errNorm += (got - ref) * (got - ref);
      refNorm += ref * ref;
      if (c.out != "f32") {
        double ulp =
            c.out == "bf16" ? std::ldexp(1.0, -8) : std::ldexp(1.0, -11);
        double bound = ulp * std::fabs(ref) + std::ldexp(1.0, -20) * magnitude +
                       (c.out == "f16" ? std::ldexp(1.0, -24) : 1e-30);
        ASSERT_LE(std::fabs(got - ref), bound)
            << "C[" << m << "][" << n << "] = " << got << ", reference " << ref
            << " (config " << launch.config << ")";
      }
    }
  if (c.out == "f32" && refNorm > 0)
    EXPECT_LT(std::sqrt(errNorm / refNorm), 1e-3) << "config " << launch.config;
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  // Every A x B format pair, with M, N and K tails.
  for (int a = 0; a < 5; ++a)
    for (int b = 0; b < 5; ++b)
      cases.push_back({Fmt(a), Fmt(b), 33, 72, 160});
  // M and K sweeps on the common pairs.
  for (auto [a, b] : {std::pair{E4M3, E4M3}, {E4M3, E2M1}, {E2M1, E2M1}}) {
    for (int64_t m : {1, 7, 16, 300})
      cases.push_back({a, b, m, 96, 96});
    for (int64_t k : {32, 4096})
      cases.push_back({a, b, 7, 40, k});
  }
  // Output types, bias, [K, N] B.
  cases.push_back({E4M3, E4M3, 33, 64, 256, "f32"});
  cases.push_back({E4M3, E2M1, 33, 64, 256, "f16", true});
  cases.push_back({E5M2, E5M2, 20, 50, 192, "bf16", false, true});
  cases.push_back({E4M3, E4M3, 40, 70, 160, "f32", true, true});
  // Forced configs: both instructions, several waves, with and without
  // prefetch, K steps of 256.
  for (const char *config :
       {"mfma=16x16x128,tile=32x64x128,waves=2x2,prefetch=1",
        "mfma=32x32x64,tile=64x64x256,waves=2x1,prefetch=0",
        "mfma=32x32x64,tile=128x64x128,waves=2x2,prefetch=1",
        "mfma=16x16x128,tile=16x128x256,waves=1x4,prefetch=0"}) {
    cases.push_back({E4M3, E2M1, 70, 136, 640, "bf16", false, false, config});
    cases.push_back({E3M2, E5M2, 45, 100, 416, "f32", true, false, config});
  }
  // Two and three K steps in flight (loads straight into LDS), with more
  // steps than buffers, fewer (K = 160: two steps, one of them partial) and
  // scale windows of one step (tile_k 512).
  for (const char *config :
       {"mfma=32x32x64,tile=64x64x128,waves=2x2,prefetch=2",
        "mfma=16x16x128,tile=32x64x128,waves=2x2,prefetch=3",
        "mfma=16x16x128,tile=16x32x512,waves=1x2,prefetch=2"}) {
    cases.push_back({E4M3, E2M1, 70, 136, 1408, "bf16", false, false, config});
    cases.push_back({E2M1, E4M3, 33, 72, 160, "f32", true, false, config});
  }
  // Scale words straight into LDS (16x16x128, tile_k 512 or 1024, K % 512
  // == 0): tiles of fewer than 64 rows and of more, loads that do not
  // divide evenly among the waves, K steps of which the last is partial
  // (K = 1536 at tile_k 1024: its second 16-byte group of scale words lies
  // past K), more steps than buffers, and decode's single row.
  for (const char *config :
       {"mfma=16x16x128,tile=16x32x1024,waves=1x2,prefetch=1",
        "mfma=16x16x128,tile=16x64x512,waves=1x4,prefetch=3",
        "mfma=16x16x128,tile=16x32x512,waves=1x1,prefetch=0"})
    cases.push_back({E2M1, E4M3, 33, 200, 1536, "f16", false, false, config});
  // (FP4 B: these need more registers than FP8 B leaves.)
  for (const char *config :
       {"mfma=16x16x128,tile=16x32x1024,waves=1x2,prefetch=1",
        "mfma=16x16x128,tile=16x64x512,waves=1x4,prefetch=3",
        "mfma=16x16x128,tile=16x32x512,waves=1x1,prefetch=0",
        "mfma=16x16x128,tile=16x128x512,waves=1x4,prefetch=2",
        "mfma=16x16x128,tile=32x64x512,waves=2x2,prefetch=3"}) {
    cases.push_back({E4M3, E2M1, 70, 136, 2560, "bf16", false, false, config});
    cases.push_back({E2M1, E2M1, 1, 72, 1536, "f32", true, false, config});
  }
  cases.push_back({E2M1, E2M1, 1, 72, 2048, "bf16", false, false,
                   "mfma=16x16x128,tile=16x32x1024,waves=1x2,prefetch=3"});
  // 256x256 tiles on 2x4 waves without prefetch (gpt-oss MXFP4 at K = 2880
  // picks them): M, N and K tails, scale rows of an odd number of bytes.
  cases.push_back({E2M1, E2M1, 40, 264, 1440, "bf16", false, false,
                   "mfma=32x32x64,tile=256x256x512,waves=2x4,prefetch=0"});
  return cases;
}

INSTANTIATE_TEST_SUITE_P(Gfx950, ScaledMatmulTest,
                         ::testing::ValuesIn(allCases()),
                         [](const ::testing::TestParamInfo<Case> &info) {
                           return caseName(info.param);
                         });

} // namespace
