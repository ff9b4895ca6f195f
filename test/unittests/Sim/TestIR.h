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

/// A kernel @k(a, b, sa, sb, c) in which lane l loads its A and B register
/// images (`dwordsA`/`dwordsB` words at l * 4 * dwords), its scale words
/// sa[l], sb[l] and its `accRegisters` accumulators c[l], runs the scaled
/// MFMA `intrinsic` (its name without type suffixes) with format codes
/// `cbsz`/`blgp` and scale bytes `opselA`/`opselB`, and stores D to c[l].
inline std::string makeScaledMfmaKernel(llvm::StringRef intrinsic,
                                        unsigned dwordsA, unsigned dwordsB,
                                        unsigned accRegisters, unsigned cbsz,
                                        unsigned blgp, unsigned opselA,
                                        unsigned opselB) {
  std::string ir = std::string(kAmdgcnTarget) + R"(
define amdgpu_kernel void @k(ptr addrspace(1) %a, ptr addrspace(1) %b, ptr addrspace(1) %sa, ptr addrspace(1) %sb, ptr addrspace(1) %c) {
  %l = call i32 @llvm.amdgcn.workitem.id.x()
  %oa = mul i32 %l, BYTESA
  %ob = mul i32 %l, BYTESB
  %pa = getelementptr i8, ptr addrspace(1) %a, i32 %oa
  %pb = getelementptr i8, ptr addrspace(1) %b, i32 %ob
  %psa = getelementptr i32, ptr addrspace(1) %sa, i32 %l
  %psb = getelementptr i32, ptr addrspace(1) %sb, i32 %l
  %pc = getelementptr VC, ptr addrspace(1) %c, i32 %l
  %xa = load VA, ptr addrspace(1) %pa, align 4
  %xb = load VB, ptr addrspace(1) %pb, align 4
  %xsa = load i32, ptr addrspace(1) %psa
  %xsb = load i32, ptr addrspace(1) %psb
  %xc = load VC, ptr addrspace(1) %pc
  %d = call VC @NAME(VA %xa, VB %xb, VC %xc, i32 CBSZ, i32 BLGP, i32 OPSELA, i32 %xsa, i32 OPSELB, i32 %xsb)
  store VC %d, ptr addrspace(1) %pc
  ret void
}
declare i32 @llvm.amdgcn.workitem.id.x()
declare VC @NAME(VA, VB, VC, i32 immarg, i32 immarg, i32 immarg, i32, i32 immarg, i32)
)";
  auto vector = [](unsigned count, llvm::StringRef element) {
    return "<" + std::to_string(count) + " x " + element.str() + ">";
  };
  replaceAll(ir, "BYTESA", std::to_string(4 * dwordsA));
  replaceAll(ir, "BYTESB", std::to_string(4 * dwordsB));
  replaceAll(ir, "VA", vector(dwordsA, "i32"));
  replaceAll(ir, "VB", vector(dwordsB, "i32"));
  replaceAll(ir, "VC", vector(accRegisters, "float"));
  replaceAll(ir, "NAME",
             intrinsic.str() + ".v" + std::to_string(dwordsA) + "i32.v" +
                 std::to_string(dwordsB) + "i32");
  replaceAll(ir, "CBSZ", std::to_string(cbsz));
  replaceAll(ir, "BLGP", std::to_string(blgp));
  replaceAll(ir, "OPSELA", std::to_string(opselA));
  replaceAll(ir, "OPSELB", std::to_string(opselB));
  return ir;
}

} // namespace mxc::test

#endif // MXC_TEST_UNITTESTS_SIM_TESTIR_H
