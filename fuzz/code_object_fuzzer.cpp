//===- code_object_fuzzer.cpp - Fuzz the code-object loader ---------------===//
//
// Part of mxc. libFuzzer target: the input is a code object as a host
// application hands it to libmxrt. It goes through mxc's ELF, note, msgpack
// and launch-plan readers (the core reader and the LLVM one), the launch
// plan's evaluation for a few runtime sizes, and libmxrt's module load on a
// simulator device (which also reads the embedded bitcode). Any outcome but
// a crash, abort or sanitizer report is fine.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObjectInfo.h"
#include "mxc/Target/AMDGPU/CodeObjectReader.h"
#include "mxc/Target/AMDGPU/LaunchPlanInfo.h"
#include "mxrt/mxrt.h"

#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <vector>

using namespace mxc;

/// Evaluates every launch `program` makes for a few runtime sizes, small,
/// odd and as large as the plan allows.
static void evaluatePlan(const amdgpu::PlanProgram &program) {
  for (int64_t value : {int64_t(0), int64_t(1), int64_t(77), int64_t(1) << 20,
                        int64_t(INT32_MAX), int64_t(INT64_MAX)}) {
    std::vector<int64_t> sizes(program.sizes.size(), value);
    auto launches = amdgpu::core::selectLaunches(
        program, amdgpu::SizeView(sizes.data(), sizes.size()));
    if (!launches)
      continue;
    for (const amdgpu::PlanLaunch *launch : *launches)
      (void)amdgpu::core::resolveLaunch(
          *launch, amdgpu::SizeView(sizes.data(), sizes.size()));
  }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  std::string_view bytes(reinterpret_cast<const char *>(data), size);

  // The launch-plan reader alone, as if the input were the plan's msgpack.
  if (auto plan = amdgpu::core::readLaunchPlan(bytes))
    for (const amdgpu::PlanProgram &program : plan->programs)
      evaluatePlan(program);

  if (auto info = amdgpu::core::readCodeObject(bytes, "fuzz.hsaco")) {
    if (info->plan)
      for (const amdgpu::PlanProgram &program : info->plan->programs)
        evaluatePlan(program);
  }
  llvm::Expected<amdgpu::CodeObjectInfo> info =
      amdgpu::readCodeObject(llvm::MemoryBufferRef(
          llvm::StringRef(bytes.data(), bytes.size()), "fuzz.hsaco"));
  if (!info)
    llvm::consumeError(info.takeError());

  static mxrt_device device = [] {
    mxrt_device d = nullptr;
    if (mxrt_device_open("sim:gfx950", &d) != MXRT_SUCCESS) {
      std::fprintf(stderr, "cannot open sim:gfx950: %s\n", mxrt_last_error());
      std::abort();
    }
    return d;
  }();
  mxrt_module module = nullptr;
  if (mxrt_module_load_data(device, data, size, "fuzz.hsaco", &module) !=
      MXRT_SUCCESS)
    return 0;
  for (size_t k = 0; k < mxrt_module_kernel_count(module); ++k) {
    const char *name = mxrt_module_kernel_name(module, k);
    mxrt_kernel_info kernel;
    if (mxrt_module_kernel_info(module, name, &kernel) != MXRT_SUCCESS)
      continue;
    for (uint32_t a = 0; a < kernel.arg_count; ++a) {
      mxrt_arg_info arg;
      (void)mxrt_module_kernel_arg(module, name, a, &arg);
    }
  }
  for (size_t p = 0; p < mxrt_module_program_count(module); ++p) {
    const char *name = mxrt_module_program_name(module, p);
    size_t params = 0, sizeCount = 0;
    if (mxrt_program_signature(module, name, &params, &sizeCount) !=
        MXRT_SUCCESS)
      continue;
    std::vector<int64_t> sizes(sizeCount, 4097);
    for (size_t i = 0; i < params; ++i) {
      uint64_t paramBytes = 0;
      (void)mxrt_program_param_bytes(module, name, i, sizes.data(),
                                     sizes.size(), &paramBytes);
    }
  }
  mxrt_module_unload(module);
  return 0;
}
