//===- CodeObjectReader.cpp - What an HSACO says about itself -------------===//
//
// Part of mxc. The reader itself is MxcCodeObjectCore's (LLVM-free, shared
// with libmxrt); this is its llvm::Error form.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObjectReader.h"

using namespace llvm;
using namespace mxc::amdgpu;

Expected<CodeObjectInfo> mxc::amdgpu::readCodeObject(MemoryBufferRef file) {
  core::Result<CodeObjectInfo> info =
      core::readCodeObject(file.getBuffer(), file.getBufferIdentifier());
  if (!info)
    return toError(info.takeFailure());
  return std::move(*info);
}
