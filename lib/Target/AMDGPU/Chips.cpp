//===- Chips.cpp - AMDGPU chips mxc compiles for --------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/Support/MathExtras.h"
#include <algorithm>
#include <string>

using namespace mxc::amdgpu;

// LDS and register budgets from the AMDGPU backend's processor table
// (llvm/docs/AMDGPUUsage.rst) and its VGPR allocation granules (CDNA2+: a
// unified 512-register file, granule 8; RDNA3/4 in wave32: 1536 registers,
// granule 24); matrix paths from the ISA guides. Loads to LDS: the CDNA3 and
// CDNA4 ISA guides (9.1.9 "Memory Buffer Load to LDS"; CDNA4 adds
// dwordx3/x4) and the backend, which selects none on GFX11/GFX12. Buffer
// resources: the GFX9 layout on CDNA, the GFX10+ one on RDNA (as MLIR's
// AMDGPUToROCDL tells them apart). FP8 in the row kernels: gfx950's OCP
// conversions; software on gfx942 (FNUZ hardware), gfx90a and gfx1100
// (none) and gfx12, whose OCP conversions' rounding of subnormal results
// mxc has not checked against SPEC.md (docs/quantize.md).
static const ChipInfo kChips[] = {
    {"gfx950", "CDNA4 (MI350, MI355)", 64, 160 * 1024, 512,
     MatrixPath::ScaledMfma, Fp8Flavor::Ocp, 256, 512, 8, 8, 16,
     BufferResourceLayout::Gfx9, Fp8Conversion::Hardware},
    {"gfx942", "CDNA3 (MI300, MI325)", 64, 64 * 1024, 512, MatrixPath::MfmaBf16,
     Fp8Flavor::Fnuz, 304, 512, 8, 8, 4, BufferResourceLayout::Gfx9,
     Fp8Conversion::Software},
    {"gfx90a", "CDNA2 (MI200)", 64, 64 * 1024, 512, MatrixPath::MfmaBf16,
     Fp8Flavor::None, 104, 512, 8, 8, 4, BufferResourceLayout::Gfx9,
     Fp8Conversion::Software},
    {"gfx1100", "RDNA3 (RX 7900)", 32, 64 * 1024, 256, MatrixPath::WmmaBf16,
     Fp8Flavor::None, 96, 1536, 24, 16, 0, BufferResourceLayout::Gfx10Plus,
     Fp8Conversion::Software},
    {"gfx1200", "RDNA4 (RX 9060)", 32, 64 * 1024, 256, MatrixPath::WmmaBf16,
     Fp8Flavor::Ocp, 32, 1536, 24, 16, 0, BufferResourceLayout::Gfx10Plus,
     Fp8Conversion::Software},
    {"gfx1201", "RDNA4 (RX 9070)", 32, 64 * 1024, 256, MatrixPath::WmmaBf16,
     Fp8Flavor::Ocp, 64, 1536, 24, 16, 0, BufferResourceLayout::Gfx10Plus,
     Fp8Conversion::Software},
};

unsigned mxc::amdgpu::getRawBufferResourceFlags(BufferResourceLayout layout) {
  // GFX9: NUM_FORMAT float (bits 12-14: 7), DATA_FORMAT 32 (bits 15-18: 4).
  unsigned flags = (7u << 12) | (4u << 15);
  if (layout == BufferResourceLayout::Gfx10Plus)
    flags |= (1u << 24) | (3u << 28);
  return flags;
}

unsigned ChipInfo::getWavesPerSimd(unsigned vgprs) const {
  unsigned rounded = std::max(vgprGranule, llvm::alignTo(vgprs, vgprGranule));
  return std::min(maxWavesPerSimd, vgprFilePerLane / unsigned(rounded));
}

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
