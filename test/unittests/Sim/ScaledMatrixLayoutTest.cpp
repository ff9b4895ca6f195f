//===- ScaledMatrixLayoutTest.cpp - Scaled MFMA layouts from AMD's docs ---===//
//
// Part of mxc. The gfx950 scaled MFMAs run by the simulator against a plain
// reference matmul with the scales applied (SPEC.md, "Scaled matmul"). Which
// (row, k) each lane's register bits hold, where each accumulator register
// lands, which lane supplies which E8M0 scale and which byte op_sel picks are
// written out below from AMD's and LLVM's descriptions of the instructions,
// not read from the intrinsic table: MatrixIntrinsicTest.cpp places elements
// where the table says, so only this test fails on a wrong table row.
//
// Sources, cited below by tag:
// [Blog]   AMD, "Matrix Core Programming on AMD CDNA3 and CDNA4
//          architecture", rocm.blogs.amd.com/software-tools-optimization/
//          matrix-cores-cdna (ROCm/rocm-blogs): FP8 and FP4 operand layouts
//          (figures 9, 10 and their kernels) and the D layout of
//          v_mfma_scale_f32_32x32x64_f8f6f4; the cbsz/blgp format codes.
// [CK]     ROCm/composable_kernel, test/mx_mfma_op/mx_mfma_op.hpp: the
//          "Register Mapping" tables for FP8, FP6 and FP4 of both
//          instructions; include/ck/utility/data_type.hpp, f6_pk_t::pack and
//          f4x2_pk_t::pack: the bit packing of FP6 and FP4.
// [Probe]  ROCm/composable_kernel, test/mx_mfma_op/scale_mapping_32x32x64 and
//          scale_mapping_16x16x128 (.cpp, and .txt with the output printed on
//          gfx950): which lane's scale multiplies which A element; the 16x16
//          D layout.
// [LLVM]   llvm/include/llvm/IR/IntrinsicsAMDGPU.td, AMDGPUMfmaScaleIntrinsic:
//          operands (A, B, C, cbsz, blgp, op_sel A, scale A, op_sel B,
//          scale B); A and B are <8 x i32> for f8, <6 x i32> for f6 and
//          <4 x i32> for f4 formats, a wider vector being allowed; op_sel is
//          two bits per scale.
// [MLIR]   mlir AMDGPU dialect, amdgpu.scaled_mfma: scalesIdxA/B in [0, 3]
//          pick one E8M0 of a vector<4xf8E8M0FNU>; AMDGPUToROCDL bitcasts that
//          vector to the i32 scale operand and vector<32 x f8/f6/f4> to the
//          <N x i32> A/B operands, so element i sits at bits [i*w, (i+1)*w).
// [Triton] lib/Dialect/TritonGPU/IR/LinearLayoutConversions.cpp,
//          chooseScaledMfmaScaleLayout: lane l holds the scale of row (of A;
//          column of B) l % M and K block l / M.
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <random>
#include <utility>

using namespace mxc;

namespace {

/// A/B element formats, numbered as cbsz (A) and blgp (B) take them: 0 E4M3,
/// 1 E5M2, 2 E2M3, 3 E3M2, 4 E2M1 [Blog][MLIR smallFloatTypeToFormatCode].
enum Format : unsigned { E4M3, E5M2, E2M3, E3M2, E2M1, NumFormats };

struct FormatInfo {
  const char *name;
  unsigned exponentBits, mantissaBits;
  int bias;
};

// SPEC.md, Formats.
const FormatInfo kFormats[NumFormats] = {{"E4M3", 4, 3, 7},
                                         {"E5M2", 5, 2, 15},
                                         {"E2M3", 2, 3, 1},
                                         {"E3M2", 3, 2, 3},
                                         {"E2M1", 2, 1, 1}};

unsigned elementBits(Format format) {
  return 1 + kFormats[format].exponentBits + kFormats[format].mantissaBits;
}

/// The value of `code` in `format` (SPEC.md, Formats); NaN for the E4M3 NaN
/// codes and for E5M2's Inf/NaN exponent, which the inputs below avoid.
double decode(Format format, uint32_t code) {
  const FormatInfo &info = kFormats[format];
  unsigned bits = elementBits(format);
  bool negative = (code >> (bits - 1)) & 1;
  unsigned exponent =
      (code >> info.mantissaBits) & ((1u << info.exponentBits) - 1);
  unsigned mantissa = code & ((1u << info.mantissaBits) - 1);
  if ((format == E4M3 && exponent == 15 && mantissa == 7) ||
      (format == E5M2 && exponent == 31))
    return NAN;
  double magnitude =
      exponent == 0
          ? std::ldexp(double(mantissa), 1 - info.bias - int(info.mantissaBits))
          : std::ldexp(
                1.0 + std::ldexp(double(mantissa), -int(info.mantissaBits)),
                int(exponent) - info.bias);
  return negative ? -magnitude : magnitude;
}

/// One scaled MFMA as AMD documents it: M = N, a wave of 64 lanes, each
/// holding 32 A elements, 32 B elements and one scale byte of each.
struct Instruction {
  const char *irName; ///< Intrinsic name without type suffixes.
  const char *isaName;
  unsigned m, k;
  unsigned accRegisters; ///< M * N / 64 f32 registers of C and D per lane.
};

const Instruction kInstructions[] = {
    {"llvm.amdgcn.mfma.scale.f32.32x32x64.f8f6f4",
     "v_mfma_scale_f32_32x32x64_f8f6f4", 32, 64, 16},
    {"llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4",
     "v_mfma_scale_f32_16x16x128_f8f6f4", 16, 128, 4},
};

constexpr unsigned kWave = 64, kElementsPerLane = 32, kScaleBlock = 32;

/// VGPRs of an A or B operand in `format`: 32 elements of 8, 6 or 4 bits
/// fill 8, 6 or 4 registers [LLVM][CK].
unsigned operandRegisters(Format format) {
  return kElementsPerLane * elementBits(format) / 32;
}

/// The k that element `e` of lane `lane`'s A (B) operand holds. Its row of A
/// (column of B) is lane % M in every format [Blog][CK]. Element e occupies
/// bits [e * w, (e + 1) * w) of the lane's registers taken as one
/// little-endian integer (VGPR v holds bits [32v, 32v + 32)): FP8 byte e is
/// byte e % 4 of VGPR e / 4 [CK]; FP4 puts the even k in the low nibble
/// [Blog __amd_create_fp4x2][CK f4x2_pk_t]; FP6 runs on across VGPR
/// boundaries without padding, VGPRs 0-2 holding elements 0-15 [CK f6_pk_t,
/// "Reg 0-2 [0:95]"][MLIR].
unsigned operandK(const Instruction &inst, Format format, unsigned lane,
                  unsigned e) {
  // Lanes l, l + M, l + 2M, ... share a row and split its K.
  unsigned group = lane / inst.m;
  if (elementBits(format) == 8)
    // FP8: two runs of 16 consecutive k, VGPRs 0-3 from 16 * group and
    // VGPRs 4-7 the same 16 shifted by K/2 [Blog: a_reg[i*16 + j] =
    // A[l%32][16*(l/32) + 32*i + j]][CK "Register Mapping ... for FP8"].
    return (e / 16) * (inst.k / 2) + 16 * group + e % 16;
  // FP6 and FP4: 32 consecutive k from 32 * group [Blog fig. 10][CK
  // "Register Mapping ... for FP6", "... for FP4"].
  return 32 * group + e;
}

/// The (row, column) of D that accumulator register `r` of lane `lane`
/// holds; C is read from the same places.
std::pair<unsigned, unsigned> accPosition(const Instruction &inst,
                                          unsigned lane, unsigned r) {
  if (inst.m == 32)
    // [Blog]: c_reg[4i + j] is C[8i + 4*(l/32) + j][l % 32].
    return {8 * (r / 4) + 4 * (lane / 32) + r % 4, lane % 32};
  // [Probe, 16x16x128]: register r of lanes 16g .. 16g + 15 is row 4g + r.
  return {4 * (lane / 16) + r, lane % 16};
}

/// The (row of A or column of B, K block of 32) whose scale lane `lane`
/// supplies [Probe: in 32x32x64, A(r, k) is scaled from lane r + 32 * (k/32);
/// in 16x16x128 from lane r + 16 * (k/32)][Triton].
std::pair<unsigned, unsigned> scaleSlot(const Instruction &inst,
                                        unsigned lane) {
  return {lane % inst.m, lane / inst.m};
}

/// op_sel = i picks bits [8i, 8i + 8) of the 32-bit scale VGPR [LLVM][MLIR].
uint32_t placeScaleByte(uint8_t scale, unsigned opsel) {
  return uint32_t(scale) << (8 * opsel);
}

/// Codes of `format` whose values are nonzero multiples of 1/2 no larger
/// than 7 in magnitude. Products are multiples of 1/4 up to 49, a block of
/// 32 sums to at most 1568, and with scale exponents in [-4, 4] the two or
/// four blocks plus C (a multiple of 1/4 up to 4) stay below 2^17 on a grid
/// of 2^-6: every partial sum, in any order, is exact in fp32. So the result
/// is exact, and any slot a layout error moves changes it unless the values
/// it swaps happen to coincide (each is one of 14 to 28 nonzero values).
std::vector<uint32_t> exactCodes(Format format) {
  std::vector<uint32_t> codes;
  for (uint32_t code = 0; code < (1u << elementBits(format)); ++code) {
    double v = decode(format, code);
    if (!std::isnan(v) && v != 0 && std::fabs(v) <= 7 &&
        v * 2 == std::floor(v * 2))
      codes.push_back(code);
  }
  return codes;
}

/// One run: the scale bytes op_sel picks, and whether A and B travel as
/// <8 x i32> whatever their format (as clang's builtin passes them; the
/// instruction reads only the format's registers [LLVM][Blog fig. 10 kernel]).
struct Variant {
  unsigned opselA, opselB;
  bool wideOperands;
};

// Every byte for A and for B, paired differently, half of them wide.
const Variant kVariants[] = {
    {0, 3, false}, {1, 2, true}, {2, 1, false}, {3, 0, true}};

/// A kernel in which lane l loads its A/B register images, scale words and
/// accumulator, runs the intrinsic and stores D.
std::string makeKernel(const Instruction &inst, Format a, Format b,
                       unsigned dwordsA, unsigned dwordsB,
                       const Variant &variant) {
  return test::makeScaledMfmaKernel(inst.irName, dwordsA, dwordsB,
                                    inst.accRegisters, unsigned(a),
                                    unsigned(b), variant.opselA,
                                    variant.opselB);
}

/// Checks that a written-out layout reaches every slot of a matrix with
/// `columns` columns exactly once (`counts` per slot, row-major).
void expectEachOnce(const std::vector<unsigned> &counts, unsigned columns,
                    const std::string &what) {
  auto bad = std::find_if(counts.begin(), counts.end(),
                          [](unsigned n) { return n != 1; });
  if (bad == counts.end())
    return;
  size_t at = bad - counts.begin();
  ADD_FAILURE() << what << " (" << at / columns << ", " << at % columns
                << ") is reached " << *bad << " times";
}

/// Lane register images of an M x K operand of `codes` in `format`, laid out
/// by operandK, `dwords` VGPRs per lane. VGPRs past the format's are filled
/// with random bits the instruction must not read.
std::vector<uint32_t> packOperand(const Instruction &inst, Format format,
                                  const std::vector<uint32_t> &codes,
                                  unsigned dwords, std::mt19937 &rng) {
  unsigned bits = elementBits(format), used = operandRegisters(format);
  std::vector<uint32_t> regs(kWave * dwords);
  std::vector<unsigned> placed(codes.size(), 0);
  for (unsigned lane = 0; lane < kWave; ++lane) {
    uint32_t *lanes = &regs[lane * dwords];
    for (unsigned v = used; v < dwords; ++v)
      lanes[v] = rng();
    for (unsigned e = 0; e < kElementsPerLane; ++e) {
      unsigned row = lane % inst.m, k = operandK(inst, format, lane, e);
      ++placed[row * inst.k + k];
      uint32_t code = codes[row * inst.k + k];
      for (unsigned i = 0; i < bits; ++i)
        if ((code >> i) & 1)
          lanes[(e * bits + i) / 32] |= 1u << ((e * bits + i) % 32);
    }
  }
  expectEachOnce(placed, inst.k,
                 std::string(kFormats[format].name) + " operand (row, k)");
  return regs;
}

/// Scale words of an M x (K/32) matrix of E8M0 `scales`: lane l's word holds
/// the scale of scaleSlot(l) in byte `opsel` and, in its other bytes, three
/// different values that a wrong byte choice would pick up instead.
std::vector<uint32_t> packScales(const Instruction &inst,
                                 const std::vector<uint8_t> &scales,
                                 unsigned opsel) {
  unsigned blocks = inst.k / kScaleBlock;
  std::vector<uint32_t> words(kWave);
  std::vector<unsigned> placed(scales.size(), 0);
  for (unsigned lane = 0; lane < kWave; ++lane) {
    auto [row, block] = scaleSlot(inst, lane);
    ++placed[row * blocks + block];
    uint8_t scale = scales[row * blocks + block];
    uint32_t word = placeScaleByte(scale, opsel);
    for (unsigned byte = 0, other = 1; byte < 4; ++byte)
      if (byte != opsel)
        word |=
            placeScaleByte(uint8_t(125 + (scale - 125 + other++) % 5), byte);
    words[lane] = word;
  }
  expectEachOnce(placed, blocks, "scale (row, K block)");
  return words;
}

struct Case {
  const Instruction *inst;
  Format a, b;
};

class ScaledMatrixLayoutTest : public ::testing::TestWithParam<Case> {};

void runVariant(const Instruction &inst, Format fa, Format fb,
                const Variant &variant, const amdgpu::ChipInfo &chip,
                std::mt19937 &rng) {
  unsigned M = inst.m, N = inst.m, K = inst.k, blocks = K / kScaleBlock;

  // A [M][K] and B [N][K] as codes of exactly representable values.
  auto randomMatrix = [&](Format format, unsigned rows) {
    std::vector<uint32_t> candidates = exactCodes(format), codes(rows * K);
    for (uint32_t &code : codes)
      code = candidates[rng() % candidates.size()];
    return codes;
  };
  std::vector<uint32_t> codesA = randomMatrix(fa, M),
                        codesB = randomMatrix(fb, N);
  // Scales 2^-2 .. 2^2, different for every block of a row.
  auto randomScales = [&](unsigned rows) {
    std::vector<uint8_t> scales(rows * blocks);
    for (unsigned row = 0; row < rows; ++row) {
      uint8_t choices[] = {125, 126, 127, 128, 129};
      std::shuffle(std::begin(choices), std::end(choices), rng);
      std::copy_n(choices, blocks, &scales[row * blocks]);
    }
    return scales;
  };
  std::vector<uint8_t> scalesA = randomScales(M), scalesB = randomScales(N);

  unsigned dwordsA = variant.wideOperands ? 8 : operandRegisters(fa);
  unsigned dwordsB = variant.wideOperands ? 8 : operandRegisters(fb);
  std::vector<uint32_t> regsA = packOperand(inst, fa, codesA, dwordsA, rng);
  std::vector<uint32_t> regsB = packOperand(inst, fb, codesB, dwordsB, rng);
  std::vector<uint32_t> wordsA = packScales(inst, scalesA, variant.opselA);
  std::vector<uint32_t> wordsB = packScales(inst, scalesB, variant.opselB);
  std::vector<float> acc(kWave * inst.accRegisters);
  for (float &v : acc)
    v = float(int(rng() % 33) - 16) / 4.0f;

  std::string ir = makeKernel(inst, fa, fb, dwordsA, dwordsB, variant);
  auto simulator =
      sim::Simulator::load(llvm::MemoryBufferRef(ir, "layout.ll"), chip);
  ASSERT_TRUE(bool(simulator)) << llvm::toString(simulator.takeError());
  sim::Memory memory;
  auto upload = [&](const auto &data) {
    return test::upload(memory, data.data(), data.size() * sizeof(data[0]));
  };
  uint64_t pa = upload(regsA), pb = upload(regsB), psa = upload(wordsA),
           psb = upload(wordsB), pc = upload(acc);
  using Arg = sim::ArgValue::Kind;
  sim::LaunchParams launch;
  launch.block.x = kWave;
  llvm::Error error = simulator->launch("k", launch,
                                        {{Arg::Pointer, pa},
                                         {Arg::Pointer, pb},
                                         {Arg::Pointer, psa},
                                         {Arg::Pointer, psb},
                                         {Arg::Pointer, pc}},
                                        memory);
  ASSERT_FALSE(bool(error)) << llvm::toString(std::move(error));
  std::vector<float> out(acc.size());
  std::memcpy(out.data(), memory.getBuffer(pc)->data.data(), out.size() * 4);

  // SPEC.md, Scaled matmul: D[m][n] = C[m][n] + sum_k (a[m,k] 2^(sa-127)) *
  // (b[n,k] 2^(sb-127)), in double (exact here).
  auto reference = [&](unsigned row, unsigned col, double c) {
    double sum = c;
    for (unsigned k = 0; k < K; ++k)
      sum +=
          decode(fa, codesA[row * K + k]) *
          std::ldexp(1.0, int(scalesA[row * blocks + k / kScaleBlock]) - 127) *
          decode(fb, codesB[col * K + k]) *
          std::ldexp(1.0, int(scalesB[col * blocks + k / kScaleBlock]) - 127);
    return sum;
  };
  std::vector<unsigned> covered(M * N, 0);
  unsigned mismatches = 0;
  for (unsigned lane = 0; lane < kWave; ++lane)
    for (unsigned r = 0; r < inst.accRegisters; ++r) {
      auto [row, col] = accPosition(inst, lane, r);
      ++covered[row * N + col];
      double expected = reference(row, col, acc[lane * inst.accRegisters + r]);
      ASSERT_EQ(double(float(expected)), expected) << "inexact reference";
      float got = out[lane * inst.accRegisters + r];
      if (got == float(expected))
        continue;
      if (++mismatches <= 8)
        ADD_FAILURE() << "lane " << lane << " register " << r << " (row " << row
                      << ", column " << col << "): got " << got << ", expected "
                      << expected;
    }
  EXPECT_EQ(mismatches, 0u) << "accumulators differing from the reference";
  expectEachOnce(covered, N, "accumulator (row, column)");
}

TEST_P(ScaledMatrixLayoutTest, MatchesReference) {
  const Case &c = GetParam();
  const Instruction &inst = *c.inst;
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip("gfx950");
  ASSERT_TRUE(chip);
  ASSERT_EQ(chip->waveSize, kWave);
  // The table row the simulator will use names the same instruction and
  // shape; where its elements go is what the run checks.
  const amdgpu::MatrixIntrinsic *row =
      amdgpu::lookupMatrixIntrinsic(inst.irName, "gfx950");
  ASSERT_TRUE(row) << inst.irName;
  EXPECT_EQ(row->isaName, inst.isaName);
  EXPECT_EQ(row->m, inst.m);
  EXPECT_EQ(row->n, inst.m);
  EXPECT_EQ(row->k, inst.k);
  EXPECT_EQ(row->accRegisters, inst.accRegisters);

  std::mt19937 rng(inst.m * 25 + unsigned(c.a) * 5 + unsigned(c.b));
  for (const Variant &variant : kVariants) {
    SCOPED_TRACE(std::string(inst.isaName) + " cbsz " +
                 std::to_string(unsigned(c.a)) + " (" + kFormats[c.a].name +
                 ") blgp " + std::to_string(unsigned(c.b)) + " (" +
                 kFormats[c.b].name + ") op_sel A " +
                 std::to_string(variant.opselA) + " B " +
                 std::to_string(variant.opselB) +
                 (variant.wideOperands ? ", <8 x i32> operands" : ""));
    runVariant(inst, c.a, c.b, variant, *chip, rng);
  }
}

std::vector<Case> allCases() {
  std::vector<Case> cases;
  for (const Instruction &inst : kInstructions)
    for (unsigned a = 0; a < NumFormats; ++a)
      for (unsigned b = 0; b < NumFormats; ++b)
        cases.push_back({&inst, Format(a), Format(b)});
  return cases;
}

std::string caseName(const ::testing::TestParamInfo<Case> &info) {
  const Case &c = info.param;
  return std::to_string(c.inst->m) + "x" + std::to_string(c.inst->m) + "x" +
         std::to_string(c.inst->k) + "_" + kFormats[c.a].name + "x" +
         kFormats[c.b].name;
}

INSTANTIATE_TEST_SUITE_P(AllFormatPairs, ScaledMatrixLayoutTest,
                         ::testing::ValuesIn(allCases()), caseName);

} // namespace
