//===- MatrixInstructionTest.cpp - The matrix-instruction enum ------------===//
//
// Part of mxc. The enum that configs name instructions by keys the
// instruction table: each value must find its own row, and the dialect's
// keywords must name the instructions AMD's ISA guides list with the shapes
// written here (CDNA3/CDNA4 ISA, "Matrix Arithmetic Instructions"; RDNA3/4
// ISA, WMMA), independently of the table.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxDialect.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using namespace mxc;
using amdgpu::MatrixInstruction;

namespace {

struct Expected {
  MatrixInstruction instruction;
  const char *keyword; ///< The dialect's spelling.
  const char *isaName; ///< The instruction llvm-objdump prints.
  unsigned m, n, k;
  bool scaled;
};

const Expected kExpected[] = {
    {MatrixInstruction::MfmaScaleF32_32x32x64_F8F6F4,
     "mfma_scale_f32_32x32x64_f8f6f4", "v_mfma_scale_f32_32x32x64_f8f6f4", 32,
     32, 64, true},
    {MatrixInstruction::MfmaScaleF32_16x16x128_F8F6F4,
     "mfma_scale_f32_16x16x128_f8f6f4", "v_mfma_scale_f32_16x16x128_f8f6f4",
     16, 16, 128, true},
    {MatrixInstruction::MfmaF32_32x32x16_Bf16, "mfma_f32_32x32x16_bf16",
     "v_mfma_f32_32x32x16_bf16", 32, 32, 16, false},
    {MatrixInstruction::MfmaF32_16x16x32_Bf16, "mfma_f32_16x16x32_bf16",
     "v_mfma_f32_16x16x32_bf16", 16, 16, 32, false},
    {MatrixInstruction::MfmaF32_32x32x8_Bf16_1k, "mfma_f32_32x32x8_bf16_1k",
     "v_mfma_f32_32x32x8_bf16", 32, 32, 8, false},
    {MatrixInstruction::MfmaF32_16x16x16_Bf16_1k, "mfma_f32_16x16x16_bf16_1k",
     "v_mfma_f32_16x16x16_bf16", 16, 16, 16, false},
    {MatrixInstruction::WmmaR3F32_16x16x16_Bf16, "wmma_r3_f32_16x16x16_bf16",
     "v_wmma_f32_16x16x16_bf16", 16, 16, 16, false},
    {MatrixInstruction::WmmaR4F32_16x16x16_Bf16, "wmma_r4_f32_16x16x16_bf16",
     "v_wmma_f32_16x16x16_bf16", 16, 16, 16, false},
};

TEST(MatrixInstructionTest, EveryValueFindsItsRow) {
  ASSERT_EQ(std::size(kExpected), size_t(MatrixInstruction::Count));
  for (const Expected &e : kExpected) {
    const amdgpu::MatrixIntrinsic &mi = amdgpu::getMatrixIntrinsic(e.instruction);
    EXPECT_EQ(mi.instruction, e.instruction) << e.keyword;
    EXPECT_EQ(mi.isaName, e.isaName) << e.keyword;
    EXPECT_EQ(mi.m, e.m) << e.keyword;
    EXPECT_EQ(mi.n, e.n) << e.keyword;
    EXPECT_EQ(mi.k, e.k) << e.keyword;
    EXPECT_EQ(mi.scaled, e.scaled) << e.keyword;
    // The dialect's enum: same number, the keyword above.
    EXPECT_EQ(mx::stringifyMatrixInstruction(
                  mx::MatrixInstruction(unsigned(e.instruction))),
              e.keyword);
  }
}

TEST(MatrixInstructionTest, ConfigsNameTheirInstruction) {
  mlir::MLIRContext context;
  context.loadDialect<mx::MxDialect>();
  std::string error;
  // The short form names a scaled MFMA by its shape, the attribute by its
  // keyword; both come back as the same instruction.
  mx::GemmConfigAttr shortForm = parseGemmConfig(
      &context, "mfma=16x16x128,tile=32x32x128,waves=1x1", error);
  ASSERT_TRUE(shortForm) << error;
  EXPECT_EQ(toGemmConfig(shortForm).instruction,
            MatrixInstruction::MfmaScaleF32_16x16x128_F8F6F4);
  mx::GemmConfigAttr attr = parseGemmConfig(
      &context,
      "<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = "
      "64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>",
      error);
  ASSERT_TRUE(attr) << error;
  GemmConfig config = toGemmConfig(attr);
  EXPECT_EQ(config.instruction,
            MatrixInstruction::MfmaScaleF32_32x32x64_F8F6F4);
  EXPECT_EQ(config.repM(), 1u);
  EXPECT_EQ(printGemmConfig(config),
            "mfma=32x32x64,tile=64x64x128,waves=2x2,prefetch=1");
  // A shape no scaled MFMA has.
  error.clear();
  EXPECT_FALSE(parseGemmConfig(&context, "mfma=32x32x16", error));
  EXPECT_EQ(error, "mfma '32x32x16' is not 32x32x64 or 16x16x128");
}

} // namespace
