//===- Chips.cpp - AMDGPU chips mxc compiles for --------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/ADT/STLExtras.h"
#include <string>

using namespace mxc::amdgpu;

// LDS and register budgets from the AMDGPU backend's processor table
// (llvm/docs/AMDGPUUsage.rst); matrix paths from the ISA guides.
static const ChipInfo kChips[] = {
    {"gfx950", "CDNA4 (MI350, MI355)", 64, 160 * 1024, 512,
     MatrixPath::ScaledMfma, Fp8Flavor::Ocp, 256},
    {"gfx942", "CDNA3 (MI300, MI325)", 64, 64 * 1024, 512, MatrixPath::MfmaBf16,
     Fp8Flavor::Fnuz, 304},
    {"gfx90a", "CDNA2 (MI200)", 64, 64 * 1024, 512, MatrixPath::MfmaBf16,
     Fp8Flavor::None, 104},
    {"gfx1100", "RDNA3 (RX 7900)", 32, 64 * 1024, 256, MatrixPath::WmmaBf16,
     Fp8Flavor::None, 96},
    {"gfx1200", "RDNA4 (RX 9060)", 32, 64 * 1024, 256, MatrixPath::WmmaBf16,
     Fp8Flavor::Ocp, 32},
    {"gfx1201", "RDNA4 (RX 9070)", 32, 64 * 1024, 256, MatrixPath::WmmaBf16,
     Fp8Flavor::Ocp, 64},
};

llvm::ArrayRef<ChipInfo> mxc::amdgpu::getChips() { return kChips; }

const ChipInfo *mxc::amdgpu::lookupChip(llvm::StringRef name) {
  for (const ChipInfo &chip : kChips)
    if (chip.name == name)
      return &chip;
  return nullptr;
}

std::string mxc::amdgpu::listChipNames() {
  std::string names;
  for (const ChipInfo &chip : kChips) {
    if (!names.empty())
      names += ", ";
    names += chip.name.str();
  }
  return names;
}
