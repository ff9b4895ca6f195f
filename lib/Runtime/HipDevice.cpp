//===- HipDevice.cpp - An AMD GPU through HIP, loaded at run time ---------===//
//
// Part of mxc. libmxrt builds without ROCm: libamdhip64 is opened with
// dlopen when a "hip:N" device is opened, and the entry points it needs are
// looked up by name (their C signatures, from hip_runtime_api.h, are stable
// across ROCm 5 to 7). Rules, for sharing a process with PyTorch or another
// HIP program:
//  - A HIP runtime already loaded in the process is reused (RTLD_NOLOAD), so
//    that there is one runtime and mxrt_buffer_wrap / mxrt_stream_wrap take
//    its pointers and streams; otherwise the versioned sonames are tried
//    before the unversioned development link.
//  - Every call that depends on the current device makes hip:N current and
//    restores the caller's device before it returns.
//  - Launches are enqueued on the caller's stream (or HIP's null stream) and
//    never wait; only copies given a null stream do (mxrt.h).
//
//===----------------------------------------------------------------------===//

#include "Device.h"

#include <cstddef>
#include <cstdlib>
#include <cstring>
#include <dlfcn.h>
#include <map>
#include <mutex>
#include <vector>

using namespace mxc;
using namespace mxc::runtime;

using std::to_string;

namespace {
using hipError_t = int;
using hipStream_t = void *;
using hipModule_t = void *;
using hipFunction_t = void *;
constexpr hipError_t hipSuccess = 0;
constexpr int hipMemcpyHostToDevice = 1, hipMemcpyDeviceToHost = 2;

/// hipDeviceProp_tR0600 (hip_runtime_api.h, ROCm 6 and later; filled by
/// hipGetDevicePropertiesR0600) up to and including gcnArchName. Only the
/// layout matters here: the fields are those of the header, in its order.
struct DevicePropR0600 {
  char name[256];
  unsigned char uuid[16]; // hipUUID
  char luid[8];
  unsigned luidDeviceNodeMask;
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int regsPerBlock, warpSize;
  size_t memPitch;
  int maxThreadsPerBlock, maxThreadsDim[3], maxGridSize[3], clockRate;
  size_t totalConstMem;
  int major, minor;
  size_t textureAlignment, texturePitchAlignment;
  int deviceOverlap, multiProcessorCount, kernelExecTimeoutEnabled, integrated,
      canMapHostMemory, computeMode, maxTexture1D, maxTexture1DMipmap,
      maxTexture1DLinear, maxTexture2D[2], maxTexture2DMipmap[2],
      maxTexture2DLinear[3], maxTexture2DGather[2], maxTexture3D[3],
      maxTexture3DAlt[3], maxTextureCubemap, maxTexture1DLayered[2],
      maxTexture2DLayered[3], maxTextureCubemapLayered[2], maxSurface1D,
      maxSurface2D[2], maxSurface3D[3], maxSurface1DLayered[2],
      maxSurface2DLayered[3], maxSurfaceCubemap, maxSurfaceCubemapLayered[2];
  size_t surfaceAlignment;
  int concurrentKernels, ECCEnabled, pciBusID, pciDeviceID, pciDomainID,
      tccDriver, asyncEngineCount, unifiedAddressing, memoryClockRate,
      memoryBusWidth, l2CacheSize, persistingL2CacheMaxSize,
      maxThreadsPerMultiProcessor, streamPrioritiesSupported,
      globalL1CacheSupported, localL1CacheSupported;
  size_t sharedMemPerMultiprocessor;
  int regsPerMultiprocessor, managedMemory, isMultiGpuBoard,
      multiGpuBoardGroupID, hostNativeAtomicSupported,
      singleToDoublePrecisionPerfRatio, pageableMemoryAccess,
      concurrentManagedAccess, computePreemptionSupported,
      canUseHostPointerForRegisteredMem, cooperativeLaunch,
      cooperativeMultiDeviceLaunch;
  size_t sharedMemPerBlockOptin;
  int pageableMemoryAccessUsesHostPageTables, directManagedMemAccessFromHost,
      maxBlocksPerMultiProcessor, accessPolicyMaxWindowSize;
  size_t reservedSharedMemPerBlock;
  int hostRegisterSupported, sparseHipArraySupported,
      hostRegisterReadOnlySupported, timelineSemaphoreInteropSupported,
      memoryPoolsSupported, gpuDirectRDMASupported;
  unsigned gpuDirectRDMAFlushWritesOptions;
  int gpuDirectRDMAWritesOrdering;
  unsigned memoryPoolSupportedHandleTypes;
  int deferredMappingHipArraySupported, ipcEventSupported, clusterLaunch,
      unifiedFunctionPointers, reserved[63], hipReserved[32];
  char gcnArchName[256];
};

/// hipDeviceProp_tR0000 (hip_deprecated.h; ROCm 5's hipDeviceProp_t, filled
/// by its hipGetDeviceProperties) up to and including gcnArchName.
struct DevicePropR0000 {
  char name[256];
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int regsPerBlock, warpSize, maxThreadsPerBlock, maxThreadsDim[3],
      maxGridSize[3], clockRate, memoryClockRate, memoryBusWidth;
  size_t totalConstMem;
  int major, minor, multiProcessorCount, l2CacheSize,
      maxThreadsPerMultiProcessor, computeMode, clockInstructionRate;
  unsigned arch; // hipDeviceArch_t: 17 one-bit fields.
  int concurrentKernels, pciDomainID, pciBusID, pciDeviceID;
  size_t maxSharedMemoryPerMultiProcessor;
  int isMultiGpuBoard, canMapHostMemory, gcnArch;
  char gcnArchName[256];
};

/// Bytes passed to hipGetDeviceProperties*: both structs end a few dozen
/// bytes after gcnArchName, well within this.
constexpr size_t kDevicePropBytes = 8192;
static_assert(sizeof(DevicePropR0600) + 128 <= kDevicePropBytes);

/// The HIP entry points libmxrt calls.
struct HipApi {
  void *library = nullptr;
  /// Whether the library was already loaded by the process.
  bool reused = false;
  /// Which struct getDeviceProperties fills.
  bool propsR0600 = false;
  hipError_t (*init)(unsigned);
  hipError_t (*getDeviceCount)(int *);
  hipError_t (*getDevice)(int *);
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

Failure hipFailure(const HipApi &api, const std::string &call,
                   hipError_t code) {
  const char *text = api.getErrorString ? api.getErrorString(code) : nullptr;
  return fail(call + " failed: " + (text ? text : "error") + " (hipError_t " +
              to_string(code) + ")");
}

/// Sonames, newest first; the unversioned name (a development symlink) last.
const char *const kHipNames[] = {"libamdhip64.so.7", "libamdhip64.so.6",
                                 "libamdhip64.so.5", "libamdhip64.so"};

/// Opens libamdhip64; once it has loaded, later calls reuse it (a failure is
/// retried, so setting MXRT_HIP_LIBRARY later still works).
Result<const HipApi *> loadHip() {
  static HipApi api;
  static std::mutex mutex;
  std::lock_guard<std::mutex> lock(mutex);
  if (api.library)
    return &api;
  auto failWith = [&](const std::string &why) -> Result<const HipApi *> {
    if (api.library)
      dlclose(api.library);
    api = HipApi();
    return fail(why);
  };
  const char *override = std::getenv("MXRT_HIP_LIBRARY");
  std::string errors;
  auto tryOpen = [&](const char *name, int flags) {
    api.library = dlopen(name, flags);
    if (!api.library && !(flags & RTLD_NOLOAD)) {
      const char *why = dlerror();
      errors += (errors.empty() ? "" : "; ") + std::string(why ? why : name);
    }
    return api.library != nullptr;
  };
  if (override && *override) {
    // The user's choice, and only it.
    tryOpen(override, RTLD_NOW | RTLD_LOCAL);
  } else {
    for (const char *name : kHipNames)
      if (tryOpen(name, RTLD_NOW | RTLD_NOLOAD)) {
        api.reused = true;
        break;
      }
    for (const char *name : kHipNames)
      if (!api.library && tryOpen(name, RTLD_NOW | RTLD_LOCAL))
        break;
    if (!api.library)
      tryOpen("/opt/rocm/lib/libamdhip64.so", RTLD_NOW | RTLD_LOCAL);
  }
  if (!api.library)
    return failWith("no HIP runtime: cannot load libamdhip64 (" + errors +
                    "); install ROCm's HIP runtime, or set MXRT_HIP_LIBRARY");
  std::string absent;
  auto get = [&](auto &slot, const char *name) {
    void *symbol = dlsym(api.library, name);
    if (!symbol)
      absent += std::string(absent.empty() ? "" : ", ") + name;
    slot = reinterpret_cast<std::remove_reference_t<decltype(slot)>>(symbol);
  };
  get(api.init, "hipInit");
  get(api.getDeviceCount, "hipGetDeviceCount");
  get(api.getDevice, "hipGetDevice");
  get(api.setDevice, "hipSetDevice");
  // ROCm 6 versioned the entry point when hipDeviceProp_t changed layout;
  // ROCm 5 has only the unversioned one, which fills the old layout.
  api.getDeviceProperties = reinterpret_cast<hipError_t (*)(void *, int)>(
      dlsym(api.library, "hipGetDevicePropertiesR0600"));
  api.propsR0600 = api.getDeviceProperties != nullptr;
  if (!api.propsR0600)
    get(api.getDeviceProperties, "hipGetDeviceProperties");
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
  if (!absent.empty())
    return failWith("the HIP runtime lacks " + absent);
  if (hipError_t e = api.init(0))
    return failWith(hipFailure(api, "hipInit", e).message);
  return &api;
}

/// Makes `ordinal` the calling thread's current HIP device for the guard's
/// lifetime, then restores the device the caller had.
class CurrentDevice {
public:
  CurrentDevice(const HipApi &api, int ordinal) : api(api) {
    if (hipError_t e = api.getDevice(&previous)) {
      status = hipFailure(api, "hipGetDevice", e);
      return;
    }
    if (previous == ordinal)
      return;
    if (hipError_t e = api.setDevice(ordinal)) {
      status = hipFailure(api, "hipSetDevice(" + to_string(ordinal) + ")", e);
      return;
    }
    switched = true;
  }
  ~CurrentDevice() {
    if (switched)
      api.setDevice(previous);
  }
  CurrentDevice(const CurrentDevice &) = delete;
  CurrentDevice &operator=(const CurrentDevice &) = delete;

  /// Whether the device could not be made current, and why.
  Status &getStatus() { return status; }

private:
  const HipApi &api;
  int previous = 0;
  bool switched = false;
  Status status;
};

struct HipCode : LoadedCode {
  HipCode(const HipApi &api, int ordinal, hipModule_t module)
      : api(api), ordinal(ordinal), module(module) {}
  ~HipCode() override {
    CurrentDevice current(api, ordinal);
    if (!current.getStatus())
      api.moduleUnload(module);
  }
  const HipApi &api;
  int ordinal;
  hipModule_t module;
  std::mutex mutex; ///< Guards functions: launches may come from threads.
  std::map<std::string, hipFunction_t> functions;
};

class HipDevice : public Device {
public:
  HipDevice(const HipApi &api, int ordinal, std::string chip, uint32_t ldsBytes)
      : api(api), ordinal(ordinal), chip(std::move(chip)), ldsBytes(ldsBytes) {}
  const std::string &getChip() const override { return chip; }
  uint32_t getLdsBytesPerWorkgroup() const override { return ldsBytes; }

  Result<uint64_t> allocate(size_t bytes) override {
    CurrentDevice current(api, ordinal);
    if (Status &s = current.getStatus())
      return s.takeFailure();
    void *pointer = nullptr;
    if (hipError_t e = api.malloc(&pointer, std::max<size_t>(bytes, 1)))
      return hipFailure(api, "hipMalloc(" + to_string(bytes) + ")", e);
    return reinterpret_cast<uint64_t>(pointer);
  }
  void free(uint64_t address) override {
    CurrentDevice current(api, ordinal);
    if (!current.getStatus())
      api.free(reinterpret_cast<void *>(address));
  }
  Status checkWrap(uint64_t address, size_t) override {
    if (!address)
      return fail("a null device pointer");
    return Status::success();
  }
  Status write(uint64_t address, const void *source, size_t bytes,
               void *stream) override {
    return copy(reinterpret_cast<void *>(address), source, bytes,
                hipMemcpyHostToDevice, stream, "host to device");
  }
  Status read(uint64_t address, void *destination, size_t bytes,
              void *stream) override {
    return copy(destination, reinterpret_cast<const void *>(address), bytes,
                hipMemcpyDeviceToHost, stream, "device to host");
  }

  Result<void *> createStream() override {
    CurrentDevice current(api, ordinal);
    if (Status &s = current.getStatus())
      return s.takeFailure();
    hipStream_t stream = nullptr;
    if (hipError_t e = api.streamCreate(&stream))
      return hipFailure(api, "hipStreamCreate", e);
    return stream;
  }
  void destroyStream(void *stream) override {
    CurrentDevice current(api, ordinal);
    if (!current.getStatus())
      api.streamDestroy(stream);
  }
  Status synchronize(void *stream) override {
    // The null stream is the current device's.
    CurrentDevice current(api, ordinal);
    if (Status &s = current.getStatus())
      return s.takeFailure();
    if (hipError_t e = api.streamSynchronize(stream))
      return hipFailure(api, "hipStreamSynchronize", e);
    return Status::success();
  }
  Status synchronizeDevice() override {
    CurrentDevice current(api, ordinal);
    if (Status &s = current.getStatus())
      return s.takeFailure();
    if (hipError_t e = api.deviceSynchronize())
      return hipFailure(api, "hipDeviceSynchronize", e);
    return Status::success();
  }

  Result<std::unique_ptr<LoadedCode>>
  load(std::string_view bytes, std::string_view,
       const amdgpu::CodeObjectInfo &) override {
    CurrentDevice current(api, ordinal);
    if (Status &s = current.getStatus())
      return s.takeFailure();
    hipModule_t module = nullptr;
    if (hipError_t e = api.moduleLoadData(&module, bytes.data()))
      return hipFailure(api, "hipModuleLoadData", e);
    return std::make_unique<HipCode>(api, ordinal, module);
  }

  Status launch(LoadedCode &loaded, const amdgpu::KernelInfo &kernel,
                const LaunchDims &dims, const std::vector<KernelArg> &args,
                void *stream) override {
    CurrentDevice current(api, ordinal);
    if (Status &s = current.getStatus())
      return s.takeFailure();
    auto &code = static_cast<HipCode &>(loaded);
    hipFunction_t function;
    {
      std::lock_guard<std::mutex> lock(code.mutex);
      hipFunction_t &cached = code.functions[kernel.name];
      if (!cached)
        if (hipError_t e = api.moduleGetFunction(&cached, code.module,
                                                 kernel.name.c_str()))
          return hipFailure(api, "hipModuleGetFunction", e);
      function = cached;
    }
    // kernelParams: one pointer per explicit argument; HIP fills the
    // hidden ones. HIP copies the values before the call returns.
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
    return Status::success();
  }

private:
  Status copy(void *destination, const void *source, size_t bytes, int kind,
              void *stream, const char *direction) {
    CurrentDevice current(api, ordinal);
    if (Status &s = current.getStatus())
      return s.takeFailure();
    if (hipError_t e =
            api.memcpyAsync(destination, source, bytes, kind, stream))
      return hipFailure(api, std::string("hipMemcpyAsync (") + direction + ")",
                        e);
    // A null stream promises the host memory is done with on return.
    if (!stream)
      if (hipError_t e = api.streamSynchronize(nullptr))
        return hipFailure(api, "hipStreamSynchronize", e);
    return Status::success();
  }

  const HipApi &api;
  int ordinal;
  std::string chip;
  uint32_t ldsBytes;
};
} // namespace

Result<std::unique_ptr<Device>> mxc::runtime::openHipDevice(unsigned ordinal) {
  Result<const HipApi *> loaded = loadHip();
  if (!loaded)
    return loaded.takeFailure();
  const HipApi &api = **loaded;
  int count = 0;
  if (hipError_t e = api.getDeviceCount(&count))
    return hipFailure(api, "hipGetDeviceCount", e);
  if (count == 0)
    return fail("the HIP runtime sees no AMD GPU");
  if (ordinal >= unsigned(count))
    return fail("no GPU " + to_string(ordinal) + ": the HIP runtime sees " +
                to_string(count) + " (hip:0 to hip:" + to_string(count - 1) +
                ")");
  // Properties by ordinal: no current device needed.
  std::vector<char> props(kDevicePropBytes, 0);
  if (hipError_t e = api.getDeviceProperties(props.data(), int(ordinal)))
    return hipFailure(api,
                      api.propsR0600 ? "hipGetDevicePropertiesR0600"
                                     : "hipGetDeviceProperties",
                      e);
  size_t archAt = api.propsR0600 ? offsetof(DevicePropR0600, gcnArchName)
                                 : offsetof(DevicePropR0000, gcnArchName);
  size_t ldsAt = api.propsR0600 ? offsetof(DevicePropR0600, sharedMemPerBlock)
                                : offsetof(DevicePropR0000, sharedMemPerBlock);
  // gcnArchName is the target id: "gfx950:sramecc+:xnack-".
  std::string arch(&props[archAt], strnlen(&props[archAt], 256));
  std::string chip = arch.substr(0, arch.find(':'));
  if (chip.compare(0, 3, "gfx") != 0 || chip.size() < 4)
    return fail("cannot tell GPU " + to_string(ordinal) +
                "'s processor: hipDeviceProp_t.gcnArchName is '" + arch + "'");
  size_t lds;
  std::memcpy(&lds, &props[ldsAt], sizeof(lds));
  if (lds == 0 || lds > UINT32_MAX)
    return fail("GPU " + to_string(ordinal) +
                " reports sharedMemPerBlock = " + to_string(lds));
  return std::make_unique<HipDevice>(api, int(ordinal), chip, uint32_t(lds));
}
