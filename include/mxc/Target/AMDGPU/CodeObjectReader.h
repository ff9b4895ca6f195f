//===- CodeObjectReader.h - What an HSACO says about itself -----*- C++ -*-===//
//
// Part of mxc. Reads an AMDGPU code object (ours or anyone's): its target,
// and per kernel the argument layout, LDS, scratch and register needs from
// the NT_AMDGPU_METADATA note (code object v4+ MessagePack), plus mxc's
// launch plan note where present. Every field is checked, so a malformed
// file gives an error that says what is wrong, never a crash. The types and
// the reader live in CodeObjectInfo.h, free of LLVM for libmxrt's core; this
// header adds the llvm::Error form.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TARGET_AMDGPU_CODEOBJECTREADER_H
#define MXC_TARGET_AMDGPU_CODEOBJECTREADER_H

#include "mxc/Target/AMDGPU/CodeObjectInfo.h"
#include "mxc/Target/AMDGPU/LaunchPlan.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

namespace mxc::amdgpu {

/// Reads `file`. Errors start with the buffer's identifier.
llvm::Expected<CodeObjectInfo> readCodeObject(llvm::MemoryBufferRef file);

} // namespace mxc::amdgpu

#endif // MXC_TARGET_AMDGPU_CODEOBJECTREADER_H
