//===- CodeObjectInfo.h - What an HSACO says about itself -------*- C++ -*-===//
//
// Part of mxc. Reads an AMDGPU code object (ours or anyone's): its target,
// and per kernel the argument layout, LDS, scratch and register needs from
// the NT_AMDGPU_METADATA note (code object v4+ MessagePack), plus mxc's
// launch plan note where present. Every field is checked, so a malformed
// file gives an error that says what is wrong, never a crash.
//
// Like LaunchPlanInfo.h, this uses only the C++ standard library (libmxrt's
// core reads code objects with it); CodeObjectReader.h adds the llvm::Error
// form for mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_CODEOBJECTINFO_H
#define MXC_TARGET_AMDGPU_CODEOBJECTINFO_H

#include "mxc/Target/AMDGPU/LaunchPlanInfo.h"

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mxc::amdgpu {

/// One kernel argument as the metadata describes it.
struct KernelArgInfo {
  std::string name;         ///< May be empty.
  std::string valueKind;    ///< "global_buffer", "by_value", "hidden_...".
  std::string addressSpace; ///< "global", ... for pointers; else empty.
  uint32_t offset = 0;      ///< In the kernel argument segment.
  uint32_t size = 0;
  bool isHidden() const { return valueKind.compare(0, 7, "hidden_") == 0; }
  bool isPointer() const {
    return valueKind == "global_buffer" ||
           valueKind == "dynamic_shared_pointer";
  }
};

struct KernelInfo {
  std::string name;
  std::string symbol; ///< The kernel descriptor ("name.kd").
  std::vector<KernelArgInfo> args;
  uint32_t kernargSegmentSize = 0;
  uint32_t kernargSegmentAlign = 4;
  uint32_t groupSegmentFixedSize = 0;   ///< Static LDS bytes.
  uint32_t privateSegmentFixedSize = 0; ///< Scratch bytes per lane.
  bool usesDynamicStack = false;
  uint32_t sgprCount = 0;
  uint32_t vgprCount = 0; ///< On gfx90a+ the unified VGPR+AGPR total.
  uint32_t agprCount = 0;
  uint32_t sgprSpillCount = 0;
  uint32_t vgprSpillCount = 0;
  uint32_t wavefrontSize = 64;
  uint32_t maxFlatWorkgroupSize = 1024;
  /// Exact block the kernel was compiled for, if it requires one.
  std::optional<std::array<uint32_t, 3>> reqdWorkgroupSize;

  /// The arguments a caller passes (hidden ones excluded).
  size_t getExplicitArgCount() const;
};

struct CodeObjectInfo {
  /// Processor, from the ELF header ("gfx950"), and the full target id the
  /// metadata names ("amdgcn-amd-amdhsa--gfx950:sramecc+").
  std::string chip;
  std::string targetId;
  std::vector<KernelInfo> kernels;
  std::optional<LaunchPlan> plan;

  const KernelInfo *lookupKernel(std::string_view name) const;
};

/// The processor name ("gfx950") of an AMDGPU ELF e_flags value, or null.
const char *getProcessorName(unsigned elfFlags);

namespace core {

/// Reads the code object `bytes`. Failures start with `name` (the file's
/// name, for messages).
Result<CodeObjectInfo> readCodeObject(std::string_view bytes,
                                      std::string_view name);

} // namespace core
} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_CODEOBJECTINFO_H
