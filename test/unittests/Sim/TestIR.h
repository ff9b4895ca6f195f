//===- TestIR.h - Helpers for hand-written amdgcn test kernels --*- C++ -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TEST_UNITTESTS_SIM_TESTIR_H
#define MXC_TEST_UNITTESTS_SIM_TESTIR_H

#include "mxc/Sim/Simulator.h"

#include "llvm/ADT/StringRef.h"

#include <cstring>
#include <string>

namespace mxc::test {

/// The target lines every hand-written amdgcn test module starts with.
inline constexpr const char *kAmdgcnTarget =
    "target datalayout = "
    "\"e-p:64:64-p1:64:64-p2:32:32-p3:32:32-p4:64:64-p5:32:32-p6:32:32-p7:160:"
    "256:256:32-p8:128:128:128:48-p9:192:256:256:32-i64:64-v16:16-v24:32-v32:"
    "32-v48:64-v96:128-v192:256-v256:256-v512:512-v1024:1024-v2048:2048-n32:"
    "64-S32-A5-G1-ni:7:8:9\"\n"
    "target triple = \"amdgcn-amd-amdhsa\"\n";

/// Replaces every `from` in `text` with `to` (kernel templates).
inline void replaceAll(std::string &text, llvm::StringRef from,
                       llvm::StringRef to) {
  for (size_t at = 0; (at = text.find(from.str(), at)) != std::string::npos;
       at += to.size())
    text.replace(at, from.size(), to.str());
}

/// A buffer of `bytes` in `memory` filled from `data`.
inline uint64_t upload(sim::Memory &memory, const void *data, size_t bytes,
                       llvm::StringRef name = "buffer") {
  uint64_t address = memory.allocate(bytes, name);
  if (bytes)
    std::memcpy(memory.getBuffer(address)->data.data(), data, bytes);
  return address;
}

} // namespace mxc::test

#endif // MXC_TEST_UNITTESTS_SIM_TESTIR_H
