//===- HipDevice.cpp - An AMD GPU through HIP, loaded at run time ---------===//
//
// Part of mxc. libmxrt builds without ROCm: libamdhip64 is opened with
// dlopen when a "hip:N" device is opened, and the few entry points it needs
// are looked up by name. Their C signatures are stable across ROCm 5 and 6.
//
//===----------------------------------------------------------------------===//

#include "Device.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/ADT/StringMap.h"

#include "llvm/ADT/StringExtras.h"
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <mutex>
#include <vector>

using namespace llvm;
using namespace mxc;
using namespace mxc::runtime;

namespace {
using hipError_t = int;
using hipStream_t = void *;
using hipModule_t = void *;
using hipFunction_t = void *;
constexpr hipError_t hipSuccess = 0;
constexpr int hipMemcpyHostToDevice = 1, hipMemcpyDeviceToHost = 2;

/// The HIP entry points libmxrt calls.
struct HipApi {
  void *library = nullptr;
  hipError_t (*init)(unsigned);
  hipError_t (*getDeviceCount)(int *);
  hipError_t (*setDevice)(int);
  hipError_t (*getDeviceProperties)(void *, int);
  const char *(*getErrorString)(hipError_t);
  hipError_t (*malloc)(void **, size_t);
  hipError_t (*free)(void *);
  hipError_t (*memcpyAsync)(void *, const void *, size_t, int, hipStream_t);
  hipError_t (*streamCreate)(hipStream_t *);
  hipError_t (*streamDestroy)(hipStream_t);
  hipError_t (*streamSynchronize)(hipStream_t);
  hipError_t (*deviceSynchronize)();
  hipError_t (*moduleLoadData)(hipModule_t *, const void *);
  hipError_t (*moduleUnload)(hipModule_t);
  hipError_t (*moduleGetFunction)(hipFunction_t *, hipModule_t, const char *);
  hipError_t (*moduleLaunchKernel)(hipFunction_t, unsigned, unsigned, unsigned,
                                   unsigned, unsigned, unsigned, unsigned,
                                   hipStream_t, void **, void **);
};

Error hipFailure(const HipApi &api, StringRef call, hipError_t code) {
  const char *text = api.getErrorString ? api.getErrorString(code) : nullptr;
  return createStringError(inconvertibleErrorCode(),
                           call + " failed: " + (text ? text : "error") +
                               " (hipError_t " + Twine(code) + ")");
}

/// Opens libamdhip64; once it has loaded, later calls reuse it (a failure is
/// retried, so setting MXRT_HIP_LIBRARY later still works).
Expected<const HipApi *> loadHip() {
  static HipApi api;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  if (api.library)
    return &api;
  auto failWith = [&](const std::string &why) -> Expected<const HipApi *> {
    if (api.library)
      dlclose(api.library);
    api = HipApi();
    return createStringError(inconvertibleErrorCode(), why);
  };
  const char *override = std::getenv("MXRT_HIP_LIBRARY");
  std::vector<std::string> names;
  if (override && *override)
    names.push_back(override);
  else
    names = {"libamdhip64.so", "libamdhip64.so.6", "libamdhip64.so.5",
             "/opt/rocm/lib/libamdhip64.so"};
  std::string errors;
  for (const std::string &name : names) {
    api.library = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (api.library)
      break;
    const char *why = dlerror();
    errors += (errors.empty() ? "" : "; ") + std::string(why ? why : name);
  }
  if (!api.library)
    return failWith("no HIP runtime: cannot load libamdhip64 (" + errors +
                    "); install ROCm's HIP runtime, or set MXRT_HIP_LIBRARY");
  bool missing = false;
  std::string absent;
  auto get = [&](auto &slot, const char *name, const char *fallback = nullptr) {
    void *symbol = dlsym(api.library, name);
    if (!symbol && fallback)
      symbol = dlsym(api.library, fallback);
    if (!symbol) {
      missing = true;
      absent += std::string(absent.empty() ? "" : ", ") + name;
    }
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
  };
  get(api.init, "hipInit");
  get(api.getDeviceCount, "hipGetDeviceCount");
  get(api.setDevice, "hipSetDevice");
  // ROCm 6 renamed the entry point when hipDeviceProp_t grew.
  get(api.getDeviceProperties, "hipGetDevicePropertiesR0600",
      "hipGetDeviceProperties");
  get(api.getErrorString, "hipGetErrorString");
  get(api.malloc, "hipMalloc");
  get(api.free, "hipFree");
  get(api.memcpyAsync, "hipMemcpyAsync");
  get(api.streamCreate, "hipStreamCreate");
  get(api.streamDestroy, "hipStreamDestroy");
  get(api.streamSynchronize, "hipStreamSynchronize");
  get(api.deviceSynchronize, "hipDeviceSynchronize");
  get(api.moduleLoadData, "hipModuleLoadData");
  get(api.moduleUnload, "hipModuleUnload");
  get(api.moduleGetFunction, "hipModuleGetFunction");
  get(api.moduleLaunchKernel, "hipModuleLaunchKernel");
  if (missing)
    return failWith("the HIP runtime lacks " + absent);
  if (hipError_t e = api.init(0))
    return failWith(toString(hipFailure(api, "hipInit", e)));
  return &api;
}

/// The "gfxNNN" processor in a hipDeviceProp_t. The struct's layout changed
/// between ROCm releases, so rather than hard-code the offset of
/// gcnArchName, this finds the one "gfx" name it holds.
std::string findArchName(const std::vector<char> &props) {
  for (size_t i = 0; i + 4 < props.size(); ++i) {
    if (std::memcmp(&props[i], "gfx", 3) != 0 || !isHexDigit(props[i + 3]))
      continue;
    if (i > 0 && props[i - 1] != '\0')
      continue; // Inside some other string.
    size_t end = i + 3;
    while (end < props.size() && isAlnum(props[end]))
      ++end;
    return std::string(&props[i], end - i);
  }
  return "";
}

struct HipCode : LoadedCode {
  HipCode(const HipApi &api, hipModule_t module) : api(api), module(module) {}
  ~HipCode() override { api.moduleUnload(module); }
  const HipApi &api;
  hipModule_t module;
  StringMap<hipFunction_t> functions;
};

class HipDevice : public Device {
public:
  HipDevice(const HipApi &api, int ordinal, std::string chip)
      : api(api), ordinal(ordinal), chip(std::move(chip)) {
    const amdgpu::ChipInfo *info = amdgpu::lookupChip(this->chip);
    ldsBytes = info ? info->ldsBytesPerWorkgroup : 64 * 1024;
  }
  StringRef getChip() const override { return chip; }
  uint32_t getLdsBytesPerWorkgroup() const override { return ldsBytes; }

  Expected<uint64_t> allocate(size_t bytes) override {
    if (Error e = select())
      return std::move(e);
    void *pointer = nullptr;
    if (hipError_t e = api.malloc(&pointer, std::max<size_t>(bytes, 1)))
      return hipFailure(api, "hipMalloc(" + std::to_string(bytes) + ")", e);
    return reinterpret_cast<uint64_t>(pointer);
  }
  void free(uint64_t address) override {
    if (!select())
      api.free(reinterpret_cast<void *>(address));
  }
  Error checkWrap(uint64_t address, size_t) override {
    if (!address)
      return createStringError(inconvertibleErrorCode(),
                               "a null device pointer");
    return Error::success();
  }
  Error write(uint64_t address, const void *source, size_t bytes,
              void *stream) override {
    if (Error e = select())
      return e;
    if (hipError_t e =
            api.memcpyAsync(reinterpret_cast<void *>(address), source, bytes,
                            hipMemcpyHostToDevice, stream))
      return hipFailure(api, "hipMemcpyAsync (host to device)", e);
    return stream ? Error::success() : synchronize(nullptr);
  }
  Error read(uint64_t address, void *destination, size_t bytes,
             void *stream) override {
    if (Error e = select())
      return e;
    if (hipError_t e =
            api.memcpyAsync(destination, reinterpret_cast<void *>(address),
                            bytes, hipMemcpyDeviceToHost, stream))
      return hipFailure(api, "hipMemcpyAsync (device to host)", e);
    return stream ? Error::success() : synchronize(nullptr);
  }

  Expected<void *> createStream() override {
    if (Error e = select())
      return std::move(e);
    hipStream_t stream = nullptr;
    if (hipError_t e = api.streamCreate(&stream))
      return hipFailure(api, "hipStreamCreate", e);
    return stream;
  }
  void destroyStream(void *stream) override {
    if (!select())
      api.streamDestroy(stream);
  }
  Error synchronize(void *stream) override {
    if (Error e = select())
      return e;
    if (hipError_t e = api.streamSynchronize(stream))
      return hipFailure(api, "hipStreamSynchronize", e);
    return Error::success();
  }
  Error synchronizeDevice() override {
    if (Error e = select())
      return e;
    if (hipError_t e = api.deviceSynchronize())
      return hipFailure(api, "hipDeviceSynchronize", e);
    return Error::success();
  }

  Expected<std::unique_ptr<LoadedCode>>
  load(MemoryBufferRef file, const amdgpu::CodeObjectInfo &) override {
    if (Error e = select())
      return std::move(e);
    hipModule_t module = nullptr;
    if (hipError_t e = api.moduleLoadData(&module, file.getBufferStart()))
      return hipFailure(api, "hipModuleLoadData", e);
    return std::make_unique<HipCode>(api, module);
  }

  Error launch(LoadedCode &loaded, const amdgpu::KernelInfo &kernel,
               const LaunchDims &dims, ArrayRef<KernelArg> args,
               void *stream) override {
    if (Error e = select())
      return e;
    auto &code = static_cast<HipCode &>(loaded);
    hipFunction_t &function = code.functions[kernel.name];
    if (!function)
      if (hipError_t e = api.moduleGetFunction(&function, code.module,
                                               kernel.name.c_str()))
        return hipFailure(api, "hipModuleGetFunction", e);
    // kernelParams: one pointer per explicit argument; HIP fills the
    // hidden ones.
    std::vector<uint64_t> values(args.size());
    std::vector<void *> pointers(args.size());
    for (size_t i = 0; i < args.size(); ++i) {
      values[i] = args[i].bits;
      pointers[i] = &values[i];
    }
    if (hipError_t e = api.moduleLaunchKernel(
            function, dims.grid[0], dims.grid[1], dims.grid[2], dims.block[0],
            dims.block[1], dims.block[2], dims.dynamicLdsBytes, stream,
            pointers.data(), nullptr))
      return hipFailure(api, "hipModuleLaunchKernel", e);
    return stream ? Error::success() : synchronize(nullptr);
  }

private:
  Error select() {
    if (hipError_t e = api.setDevice(ordinal))
      return hipFailure(api, "hipSetDevice(" + std::to_string(ordinal) + ")",
                        e);
    return Error::success();
  }

  const HipApi &api;
  int ordinal;
  std::string chip;
  uint32_t ldsBytes;
};
} // namespace

Expected<std::unique_ptr<Device>>
mxc::runtime::openHipDevice(unsigned ordinal) {
  Expected<const HipApi *> api = loadHip();
  if (!api)
    return api.takeError();
  int count = 0;
  if (hipError_t e = (*api)->getDeviceCount(&count))
    return hipFailure(**api, "hipGetDeviceCount", e);
  if (count == 0)
    return createStringError(inconvertibleErrorCode(),
                             "the HIP runtime sees no AMD GPU");
  if (ordinal >= unsigned(count))
    return createStringError(inconvertibleErrorCode(),
                             "no GPU " + Twine(ordinal) +
                                 ": the HIP runtime "
                                 "sees " +
                                 Twine(count) +
                                 " (hip:0 to hip:" + Twine(count - 1) + ")");
  std::vector<char> props(16384, 0);
  if (hipError_t e = (*api)->getDeviceProperties(props.data(), int(ordinal)))
    return hipFailure(**api, "hipGetDeviceProperties", e);
  std::string chip = findArchName(props);
  if (chip.empty())
    return createStringError(inconvertibleErrorCode(),
                             "cannot tell GPU " + Twine(ordinal) +
                                 "'s processor from hipDeviceProp_t");
  return std::make_unique<HipDevice>(**api, int(ordinal), chip);
}
