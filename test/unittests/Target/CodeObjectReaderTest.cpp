//===- CodeObjectReaderTest.cpp - Reading HSACO metadata and plans --------===//
//
// Part of mxc. A GEMM code object compiled here is read back: metadata,
// launch plan, disassembly; then thousands of corrupted copies must each give
// an answer or an error, never a crash.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObjectReader.h"
#include "../CompileMlir.h"
#include "mxc/Target/AMDGPU/IsaStats.h"

#include "gtest/gtest.h"
#include <random>

using namespace mxc;
using namespace mxc::amdgpu;

namespace {
constexpr const char *kLinear = R"mlir(
func.func @linear(%x: memref<?x256xf8E4M3FN>, %xs: memref<?x8xf8E8M0FNU>,
                  %w: memref<96x256xf4E2M1FN>, %ws: memref<96x8xf8E8M0FNU>,
                  %bias: memref<96xf32>, %y: memref<?x96xf32>) {
  mx.scaled_matmul %x[%xs] * %w[%ws] + %bias -> %y
      : memref<?x256xf8E4M3FN>[memref<?x8xf8E8M0FNU>]
        * memref<96x256xf4E2M1FN>[memref<96x8xf8E8M0FNU>] + memref<96xf32>
        -> memref<?x96xf32>
  return
}
)mlir";

/// The linear layer above as an HSACO (compiled once).
const std::string &getCodeObject() {
  static const std::string hsaco = test::compileGfx950CodeObject(
      kLinear, "mfma=32x32x64,tile=32x32x128,waves=1x1,prefetch=1");
  return hsaco;
}
} // namespace

TEST(CodeObjectReaderTest, ReadsKernelMetadata) {
  const std::string &hsaco = getCodeObject();
  ASSERT_FALSE(hsaco.empty());
  auto info = readCodeObject(llvm::MemoryBufferRef(hsaco, "linear.hsaco"));
  ASSERT_TRUE(bool(info)) << llvm::toString(info.takeError());
  EXPECT_EQ(info->chip, "gfx950");
  EXPECT_EQ(
      llvm::StringRef(info->targetId).rsplit("--").second.split(':').first,
      "gfx950");
  ASSERT_EQ(info->kernels.size(), 1u);
  const KernelInfo &k = info->kernels[0];
  EXPECT_EQ(k.name, "linear_scaled_matmul");
  EXPECT_EQ(k.symbol, "linear_scaled_matmul.kd");
  EXPECT_EQ(k.wavefrontSize, 64u);
  ASSERT_TRUE(k.reqdWorkgroupSize.has_value());
  EXPECT_EQ((*k.reqdWorkgroupSize)[0], 64u);
  EXPECT_EQ(k.maxFlatWorkgroupSize, 64u);
  // x, xs, w, ws, bias, y as pointers, then M.
  ASSERT_EQ(k.getExplicitArgCount(), 7u);
  for (unsigned i = 0; i < 6; ++i) {
    EXPECT_TRUE(k.args[i].isPointer()) << i;
    EXPECT_EQ(k.args[i].offset, 8 * i);
    EXPECT_EQ(k.args[i].size, 8u);
  }
  EXPECT_EQ(k.args[6].valueKind, "by_value");
  EXPECT_EQ(k.args[6].size, 4u);
  EXPECT_GE(k.kernargSegmentSize, 52u);
  EXPECT_GT(k.vgprCount, 0u);
  EXPECT_EQ(k.vgprSpillCount, 0u);
  EXPECT_EQ(k.privateSegmentFixedSize, 0u);
}

TEST(CodeObjectReaderTest, ReadsLaunchPlan) {
  const std::string &hsaco = getCodeObject();
  auto info = readCodeObject(llvm::MemoryBufferRef(hsaco, "linear.hsaco"));
  ASSERT_TRUE(bool(info)) << llvm::toString(info.takeError());
  ASSERT_TRUE(info->plan.has_value());
  const PlanProgram *program = info->plan->lookupProgram("linear");
  ASSERT_NE(program, nullptr);
  ASSERT_EQ(program->params.size(), 6u);
  // x, xs and y share M: one runtime size.
  ASSERT_EQ(program->sizes.size(), 1u);
  EXPECT_EQ(program->sizes[0].name, "M");
  EXPECT_EQ(program->params[0].shape, (std::vector<int64_t>{-1, 256}));
  EXPECT_EQ(program->params[1].shape, (std::vector<int64_t>{-1, 8}));
  EXPECT_EQ(program->params[5].shape, (std::vector<int64_t>{-1, 96}));
  EXPECT_EQ(program->params[2].elementBits, 4u);
  const int64_t m = 77;
  EXPECT_EQ(program->params[0].getBytes(m), 77u * 256);
  EXPECT_EQ(program->params[2].getBytes(m), 96u * 256 / 2);
  EXPECT_EQ(program->params[5].getBytes(m), 77u * 96 * 4);
  // A forced config: one variant, for every M whose buffers a kernel
  // addresses (2^31 - 1 bytes; C's rows of 96 f32 are the widest).
  ASSERT_EQ(program->dispatches.size(), 1u);
  EXPECT_EQ(program->dispatches[0].op, "scaled_matmul");
  ASSERT_EQ(program->dispatches[0].variants.size(), 1u);
  const PlanVariant &variant = program->dispatches[0].variants[0];
  ASSERT_EQ(variant.when.size(), 1u);
  EXPECT_EQ(variant.when[0].size, 0u);
  EXPECT_EQ(variant.when[0].min, 0);
  EXPECT_EQ(variant.when[0].max, 2147483647 / (96 * 4));
  ASSERT_EQ(variant.launches.size(), 1u);
  const PlanLaunch &launch = variant.launches[0];
  EXPECT_EQ(launch.kernel, "linear_scaled_matmul");
  EXPECT_EQ(launch.config, "mfma=32x32x64,tile=32x32x128,waves=1x1,prefetch=1");
  EXPECT_EQ(launch.grid[0].evaluate(m), 3); // ceil(96 / 32)
  EXPECT_EQ(launch.grid[1].evaluate(m), 3); // ceil(77 / 32)
  EXPECT_EQ(launch.grid[2].evaluate(m), 1);
  EXPECT_EQ(launch.block[0], 64u);
  ASSERT_EQ(launch.args.size(), 7u);
  for (unsigned i = 0; i < 6; ++i) {
    EXPECT_EQ(launch.args[i].kind, PlanArg::Kind::Param);
    EXPECT_EQ(launch.args[i].index, i);
  }
  EXPECT_EQ(launch.args[6].kind, PlanArg::Kind::Size);
  EXPECT_EQ(launch.args[6].bytes, 4u);
}

TEST(CodeObjectReaderTest, PlanRoundTripsAndChecksIndices) {
  LaunchPlan plan;
  PlanProgram program;
  program.name = "p";
  program.params.push_back({"memref<?x4xf32>", {-1, 4}, 32});
  program.sizes.push_back({"M", 0, 0});
  PlanLaunch launch;
  launch.kernel = "k";
  launch.grid[1] = {1, 16, 0};
  launch.block[0] = 256;
  launch.args = {{PlanArg::Kind::Param, 0, 0, 8},
                 {PlanArg::Kind::Size, 0, 0, 4},
                 {PlanArg::Kind::Constant, 0, -5, 8}};
  program.dispatches.push_back({"op", {{{{0, 1, 64}}, {launch}}}});
  plan.programs.push_back(program);

  auto back = readLaunchPlan(writeLaunchPlan(plan));
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  const PlanProgram &p = back->programs.at(0);
  EXPECT_EQ(p.params[0].shape, (std::vector<int64_t>{-1, 4}));
  const PlanVariant &v = p.dispatches.at(0).variants.at(0);
  EXPECT_EQ(p.dispatches[0].op, "op");
  EXPECT_EQ(v.when.at(0).min, 1);
  EXPECT_EQ(v.when.at(0).max, 64);
  EXPECT_EQ(v.launches[0].grid[1].evaluate(int64_t(33)), 3);
  EXPECT_EQ(v.launches[0].args[2].value, -5);
  EXPECT_EQ(v.launches[0].args[1].kind, PlanArg::Kind::Size);

  plan.programs[0].dispatches[0].variants[0].launches[0].args[0].index = 3;
  auto bad = readLaunchPlan(writeLaunchPlan(plan));
  ASSERT_FALSE(bool(bad));
  EXPECT_EQ(llvm::toString(bad.takeError()),
            "launch plan.mxc.programs[0].dispatches[0].variants[0].launches[0]."
            "args[0]: index 3 is out of range: no such parameter");
}

TEST(CodeObjectReaderTest, FindsHotLoopOrNone) {
  const std::string &hsaco = getCodeObject();
  llvm::MemoryBufferRef file(hsaco, "linear.hsaco");
  auto info = readCodeObject(file);
  ASSERT_TRUE(bool(info)) << llvm::toString(info.takeError());
  auto stats = analyzeIsa(file, *info);
  ASSERT_TRUE(bool(stats)) << llvm::toString(stats.takeError());
  ASSERT_EQ(stats->size(), 1u);
  EXPECT_GT((*stats)[0].instructions, 50u);
  EXPECT_GT((*stats)[0].matrixInstructions, 0u);
  EXPECT_EQ((*stats)[0].wavesPerSimd,
            lookupChip("gfx950")->getWavesPerSimd(info->kernels[0].vgprCount));
  // K = 256 with a 128 K tile and prefetch: the loop may be fully unrolled;
  // where it remains, its matrix ops are the FP8 x FP4 32x32x64.
  if (const auto &loop = (*stats)[0].hotLoop)
    EXPECT_EQ(loop->matrixOps,
              (std::vector<std::string>{"v_mfma_scale_f32_32x32x64_f8f6f4"}));
  EXPECT_EQ(getInstructionCategory("buffer_load_dwordx4"), "vmem_load");
  EXPECT_EQ(getInstructionCategory("s_waitcnt"), "waitcnt");
  EXPECT_EQ(getInstructionCategory("v_mfma_scale_f32_16x16x128_f8f6f4"),
            "matrix");
  EXPECT_EQ(getInstructionCategory("ds_read_b128"), "lds_read");
}

/// Random byte changes and truncations: every copy is read (and, when it
/// reads, disassembled) without crashing.
TEST(CodeObjectReaderTest, SurvivesCorruption) {
  const std::string &good = getCodeObject();
  ASSERT_FALSE(good.empty());
  std::mt19937 rng(1234);
  unsigned readable = 0, rejected = 0;
  for (unsigned trial = 0; trial < 3000; ++trial) {
    std::string bytes = good;
    // Bias changes toward the headers and notes, where parsing happens.
    size_t region =
        trial % 3 == 0 ? bytes.size() : std::min<size_t>(0x1000, bytes.size());
    unsigned changes = 1 + rng() % 4;
    for (unsigned c = 0; c < changes; ++c)
      bytes[rng() % region] = char(rng());
    if (trial % 7 == 0)
      bytes.resize(rng() % bytes.size());
    llvm::MemoryBufferRef file(bytes, "fuzz.hsaco");
    auto info = readCodeObject(file);
    if (!info) {
      EXPECT_FALSE(llvm::toString(info.takeError()).empty());
      ++rejected;
      continue;
    }
    ++readable;
    auto stats = analyzeIsa(file, *info);
    if (!stats)
      llvm::consumeError(stats.takeError());
  }
  EXPECT_GT(rejected, 100u);
  EXPECT_GT(readable, 100u);
}
