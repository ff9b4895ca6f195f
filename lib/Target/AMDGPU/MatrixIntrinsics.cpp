//===- MatrixIntrinsics.cpp - AMDGPU matrix instructions as data ----------===//
//
// Part of mxc. Layouts from the CDNA3/CDNA4 and RDNA3/RDNA4 ISA guides'
// matrix operand tables, cross-checked for the scaled MFMA against the
// hardware-validated Triton kernels in ../shared/oracles.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Support/ErrorHandling.h"

#include <cassert>
#include <iterator>

using namespace mxc::amdgpu;

unsigned mxc::amdgpu::getElementBits(MatrixElement element) {
  switch (element) {
  case MatrixElement::E4M3:
  case MatrixElement::E5M2:
    return 8;
  case MatrixElement::E2M3:
  case MatrixElement::E3M2:
    return 6;
  case MatrixElement::E2M1:
    return 4;
  case MatrixElement::BF16:
    return 16;
  case MatrixElement::Count:
    break;
  }
  llvm_unreachable("not a matrix element encoding");
}

// clang-format off
static const MatrixIntrinsic kIntrinsics[] = {
  // CDNA4 scaled MFMA. FP8: two runs of 16 K per lane; FP6/FP4: 32 contiguous K.
  {MatrixInstruction::MfmaScaleF32_32x32x64_F8F6F4,
   "llvm.amdgcn.mfma.scale.f32.32x32x64.f8f6f4", "v_mfma_scale_f32_32x32x64_f8f6f4",
   32, 32, 64, 64, true, MatrixElement::E4M3,
   /*fp8=*/{32, 16, 16, 2, {0, 32}}, /*packed=*/{32, 32, 32, 1, {0, 0}},
   /*acc=*/{32, 4, 8, 4}, 16, 64, "gfx950"},
  {MatrixInstruction::MfmaScaleF32_16x16x128_F8F6F4,
   "llvm.amdgcn.mfma.scale.f32.16x16x128.f8f6f4", "v_mfma_scale_f32_16x16x128_f8f6f4",
   16, 16, 128, 64, true, MatrixElement::E4M3,
   /*fp8=*/{16, 16, 16, 2, {0, 64}}, /*packed=*/{16, 32, 32, 1, {0, 0}},
   /*acc=*/{16, 4, 16, 4}, 4, 32, "gfx950"},
  // BF16 MFMA (CDNA2/CDNA3 "_1k" forms and CDNA4's doubled-K forms).
  {MatrixInstruction::MfmaF32_32x32x16_Bf16,
   "llvm.amdgcn.mfma.f32.32x32x16.bf16", "v_mfma_f32_32x32x16_bf16",
   32, 32, 16, 64, false, MatrixElement::BF16,
   {32, 8, 8, 1, {0, 0}}, {32, 8, 8, 1, {0, 0}}, {32, 4, 8, 4}, 16, 32, "gfx950"},
  {MatrixInstruction::MfmaF32_16x16x32_Bf16,
   "llvm.amdgcn.mfma.f32.16x16x32.bf16", "v_mfma_f32_16x16x32_bf16",
   16, 16, 32, 64, false, MatrixElement::BF16,
   {16, 8, 8, 1, {0, 0}}, {16, 8, 8, 1, {0, 0}}, {16, 4, 16, 4}, 4, 16, "gfx950"},
  {MatrixInstruction::MfmaF32_32x32x8_Bf16_1k,
   "llvm.amdgcn.mfma.f32.32x32x8bf16.1k", "v_mfma_f32_32x32x8_bf16",
   32, 32, 8, 64, false, MatrixElement::BF16,
   {32, 4, 4, 1, {0, 0}}, {32, 4, 4, 1, {0, 0}}, {32, 4, 8, 4}, 16, 32, "gfx90a,gfx942,gfx950"},
  {MatrixInstruction::MfmaF32_16x16x16_Bf16_1k,
   "llvm.amdgcn.mfma.f32.16x16x16bf16.1k", "v_mfma_f32_16x16x16_bf16",
   16, 16, 16, 64, false, MatrixElement::BF16,
   {16, 4, 4, 1, {0, 0}}, {16, 4, 4, 1, {0, 0}}, {16, 4, 16, 4}, 4, 16, "gfx90a,gfx942,gfx950"},
  // RDNA3 WMMA (wave32): lanes 16-31 repeat lanes 0-15's A/B; D rows interleave by half-wave.
  {MatrixInstruction::WmmaR3F32_16x16x16_Bf16,
   "llvm.amdgcn.wmma.f32.16x16x16.bf16", "v_wmma_f32_16x16x16_bf16",
   16, 16, 16, 32, false, MatrixElement::BF16,
   {16, 16, 0, 1, {0, 0}}, {16, 16, 0, 1, {0, 0}}, {16, 1, 2, 1}, 8, 32, "gfx1100"},
  // RDNA4 WMMA (wave32): each half-wave holds 8 of the 16 K; D rows split by half-wave.
  {MatrixInstruction::WmmaR4F32_16x16x16_Bf16,
   "llvm.amdgcn.wmma.f32.16x16x16.bf16", "v_wmma_f32_16x16x16_bf16",
   16, 16, 16, 32, false, MatrixElement::BF16,
   {16, 8, 8, 1, {0, 0}}, {16, 8, 8, 1, {0, 0}}, {16, 8, 8, 8}, 8, 32, "gfx1200,gfx1201"},
};
// clang-format on

static_assert(std::size(kIntrinsics) == size_t(MatrixInstruction::Count),
              "one table row per MatrixInstruction");

llvm::ArrayRef<MatrixIntrinsic> mxc::amdgpu::getMatrixIntrinsics() {
  return kIntrinsics;
}

const MatrixIntrinsic &
mxc::amdgpu::getMatrixIntrinsic(MatrixInstruction instruction) {
  assert(unsigned(instruction) < unsigned(MatrixInstruction::Count) &&
         kIntrinsics[unsigned(instruction)].instruction == instruction &&
         "rows are in MatrixInstruction order");
  return kIntrinsics[unsigned(instruction)];
}

bool MatrixIntrinsic::isOnChip(llvm::StringRef chip) const {
  llvm::SmallVector<llvm::StringRef, 4> names;
  chips.split(names, ',');
  return llvm::is_contained(names, chip);
}

bool MatrixIntrinsic::matchesName(llvm::StringRef name) const {
  return name == llvmName ||
         (name.starts_with(llvmName) && name[llvmName.size()] == '.');
}

const MatrixIntrinsic *
mxc::amdgpu::lookupMatrixIntrinsic(llvm::StringRef name, llvm::StringRef chip) {
  for (const MatrixIntrinsic &intrinsic : kIntrinsics)
    if (intrinsic.matchesName(name) && intrinsic.isOnChip(chip))
      return &intrinsic;
  return nullptr;
}

bool mxc::amdgpu::isMatrixIntrinsic(llvm::StringRef name) {
  return llvm::any_of(kIntrinsics, [&](const MatrixIntrinsic &intrinsic) {
    return intrinsic.matchesName(name);
  });
}

const MatrixIntrinsic *
mxc::amdgpu::lookupMatrixInstruction(llvm::StringRef isaName,
                                     llvm::StringRef chip) {
  for (const MatrixIntrinsic &intrinsic : kIntrinsics)
    if (intrinsic.isaName == isaName && intrinsic.isOnChip(chip))
      return &intrinsic;
  return nullptr;
}
