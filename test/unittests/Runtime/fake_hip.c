/*===- fake_hip.c - A stand-in libamdhip64 for libmxrt's HIP tests --------===*\
|*                                                                            *|
|* Part of mxc. No machine here has an AMD GPU, so the HIP backend runs       *|
|* against this: host memory for device memory, a recorded launch instead of  *|
|* a kernel. It is written from HIP's documented API (hip_runtime_api.h, the  *|
|* ROCm 6 ABI: hipGetDevicePropertiesR0600 fills hipDeviceProp_tR0600) and    *|
|* checks the rules a library sharing a process with another HIP user must    *|
|* keep; a broken rule is counted in fake_hip_violations, described in        *|
|* fake_hip_violation, and fails the call:                                    *|
|*  - work runs on the device that owns it: memory, modules and streams       *|
|*    belong to the device current when they were made, and a launch or copy *|
|*    must have that device current (as a real runtime requires);             *|
|*  - the calling thread's current device is its own business: tests read it  *|
|*    back through hipGetDevice.                                              *|
|* Host synchronizations and launches are counted so that tests can check     *|
|* that launches do not wait. Built with the soname libamdhip64.so.6, so that *|
|* a process that loaded it is seen to have "a HIP runtime" loaded.           *|
|*                                                                            *|
|* FAKE_HIP_DEVICES: device count (default 1). FAKE_HIP_ARCH: the processor   *|
|* gcnArchName reports (default gfx950). FAKE_HIP_LDS: sharedMemPerBlock      *|
|* (default 65536).                                                           *|
\*===----------------------------------------------------------------------===*/

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

enum {
  hipSuccess = 0,
  hipErrorInvalidValue = 1,
  hipErrorOutOfMemory = 2,
  hipErrorInvalidDevice = 101,
  hipErrorInvalidImage = 200,
  hipErrorNotFound = 500,
  hipErrorInvalidHandle = 400,
};

/* hipDeviceProp_tR0600, field for field as hip_runtime_api.h declares it. */
typedef struct {
  char name[256];
  struct {
    char bytes[16];
  } uuid;
  char luid[8];
  unsigned int luidDeviceNodeMask;
  size_t totalGlobalMem;
  size_t sharedMemPerBlock;
  int regsPerBlock;
  int warpSize;
  size_t memPitch;
  int maxThreadsPerBlock;
  int maxThreadsDim[3];
  int maxGridSize[3];
  int clockRate;
  size_t totalConstMem;
  int major;
  int minor;
  size_t textureAlignment;
  size_t texturePitchAlignment;
  int deviceOverlap;
  int multiProcessorCount;
  int kernelExecTimeoutEnabled;
  int integrated;
  int canMapHostMemory;
  int computeMode;
  int maxTexture1D;
  int maxTexture1DMipmap;
  int maxTexture1DLinear;
  int maxTexture2D[2];
  int maxTexture2DMipmap[2];
  int maxTexture2DLinear[3];
  int maxTexture2DGather[2];
  int maxTexture3D[3];
  int maxTexture3DAlt[3];
  int maxTextureCubemap;
  int maxTexture1DLayered[2];
  int maxTexture2DLayered[3];
  int maxTextureCubemapLayered[2];
  int maxSurface1D;
  int maxSurface2D[2];
  int maxSurface3D[3];
  int maxSurface1DLayered[2];
  int maxSurface2DLayered[3];
  int maxSurfaceCubemap;
  int maxSurfaceCubemapLayered[2];
  size_t surfaceAlignment;
  int concurrentKernels;
  int ECCEnabled;
  int pciBusID;
  int pciDeviceID;
  int pciDomainID;
  int tccDriver;
  int asyncEngineCount;
  int unifiedAddressing;
  int memoryClockRate;
  int memoryBusWidth;
  int l2CacheSize;
  int persistingL2CacheMaxSize;
  int maxThreadsPerMultiProcessor;
  int streamPrioritiesSupported;
  int globalL1CacheSupported;
  int localL1CacheSupported;
  size_t sharedMemPerMultiprocessor;
  int regsPerMultiprocessor;
  int managedMemory;
  int isMultiGpuBoard;
  int multiGpuBoardGroupID;
  int hostNativeAtomicSupported;
  int singleToDoublePrecisionPerfRatio;
  int pageableMemoryAccess;
  int concurrentManagedAccess;
  int computePreemptionSupported;
  int canUseHostPointerForRegisteredMem;
  int cooperativeLaunch;
  int cooperativeMultiDeviceLaunch;
  size_t sharedMemPerBlockOptin;
  int pageableMemoryAccessUsesHostPageTables;
  int directManagedMemAccessFromHost;
  int maxBlocksPerMultiProcessor;
  int accessPolicyMaxWindowSize;
  size_t reservedSharedMemPerBlock;
  int hostRegisterSupported;
  int sparseHipArraySupported;
  int hostRegisterReadOnlySupported;
  int timelineSemaphoreInteropSupported;
  int memoryPoolsSupported;
  int gpuDirectRDMASupported;
  unsigned int gpuDirectRDMAFlushWritesOptions;
  int gpuDirectRDMAWritesOrdering;
  unsigned int memoryPoolSupportedHandleTypes;
  int deferredMappingHipArraySupported;
  int ipcEventSupported;
  int clusterLaunch;
  int unifiedFunctionPointers;
  int reserved[63];
  int hipReserved[32];
  char gcnArchName[256];
  size_t maxSharedMemoryPerMultiProcessor;
  int clockInstructionRate;
  unsigned arch; /* hipDeviceArch_t: 17 one-bit fields */
  unsigned int *hdpMemFlushCntl;
  unsigned int *hdpRegFlushCntl;
  int cooperativeMultiDeviceUnmatchedFunc;
  int cooperativeMultiDeviceUnmatchedGridDim;
  int cooperativeMultiDeviceUnmatchedBlockDim;
  int cooperativeMultiDeviceUnmatchedSharedMem;
  int isLargeBar;
  int asicRevision;
} hipDeviceProp_tR0600;

/*--- What tests read -------------------------------------------------------*/
EXPORT int fake_hip_init_calls;
EXPORT int fake_hip_sync_calls; /* hipStreamSynchronize, hipDeviceSynchronize */
EXPORT int fake_hip_launches;
EXPORT int fake_hip_violations;
EXPORT char fake_hip_violation[256];
EXPORT int fake_hip_last_malloc_device = -1;
EXPORT int fake_hip_last_module_device = -1;
/* The last launch: kernel, grid and block and LDS, arguments, stream. */
EXPORT char fake_hip_kernel[256];
EXPORT unsigned fake_hip_dims[7];
EXPORT uint64_t fake_hip_args[16];
EXPORT int fake_hip_arg_count; /* set by the test: kernelParams' length */
EXPORT void *fake_hip_stream;

static int violate(int code, const char *what) {
  ++fake_hip_violations;
  snprintf(fake_hip_violation, sizeof fake_hip_violation, "%s", what);
  return code;
}

static int deviceCount(void) {
  const char *n = getenv("FAKE_HIP_DEVICES");
  return n ? atoi(n) : 1;
}

static _Thread_local int current;

/* Objects a device owns: handles are the addresses of these records. */
typedef struct Function Function;
typedef struct {
  int device;
  const void *image;
  /* The module owns its functions, as HIP's does: freed on unload. */
  Function *functions;
} Module;
typedef struct {
  int device;
} Stream;
struct Function {
  Module *module;
  char name[256];
  Function *next;
};
typedef struct {
  void *pointer;
  size_t bytes;
  int device;
} Allocation;
static Allocation allocations[256];

/* The device owning [p, p + bytes), or -1 (host memory). */
static int deviceOf(const void *p, size_t bytes) {
  for (int i = 0; i < 256; ++i) {
    const char *base = allocations[i].pointer;
    if (base && (const char *)p >= base &&
        (const char *)p + bytes <= base + allocations[i].bytes)
      return allocations[i].device;
  }
  return -1;
}

/* The null stream is the current device's; any other must be current's. */
static int checkStream(void *stream, const char *call) {
  if (stream && ((Stream *)stream)->device != current)
    return violate(hipErrorInvalidHandle, call);
  return hipSuccess;
}

EXPORT int hipInit(unsigned flags) {
  ++fake_hip_init_calls;
  return flags ? hipErrorInvalidValue : hipSuccess;
}
EXPORT int hipGetDeviceCount(int *count) {
  *count = deviceCount();
  return hipSuccess;
}
EXPORT int hipGetDevice(int *device) {
  *device = current;
  return hipSuccess;
}
EXPORT int hipSetDevice(int device) {
  if (device < 0 || device >= deviceCount())
    return hipErrorInvalidDevice;
  current = device;
  return hipSuccess;
}
EXPORT int hipGetDevicePropertiesR0600(hipDeviceProp_tR0600 *props,
                                       int device) {
  if (device < 0 || device >= deviceCount())
    return hipErrorInvalidDevice;
  memset(props, 0, sizeof *props);
  /* A device name that looks like a processor: the processor is
   * gcnArchName's, nothing else's. */
  strcpy(props->name, "gfx000");
  const char *arch = getenv("FAKE_HIP_ARCH");
  snprintf(props->gcnArchName, sizeof props->gcnArchName, "%s:sramecc+:xnack-",
           arch ? arch : "gfx950");
  const char *lds = getenv("FAKE_HIP_LDS");
  props->sharedMemPerBlock = lds ? strtoull(lds, 0, 10) : 65536;
  props->maxSharedMemoryPerMultiProcessor = props->sharedMemPerBlock;
  props->warpSize = 64;
  return hipSuccess;
}
EXPORT const char *hipGetErrorString(int e) {
  return e == hipErrorInvalidImage ? "hipErrorInvalidImage" : "hipErrorUnknown";
}

EXPORT int hipMalloc(void **p, size_t bytes) {
  for (int i = 0; i < 256; ++i)
    if (!allocations[i].pointer) {
      *p = aligned_alloc(256, (bytes + 255) / 256 * 256);
      if (!*p)
        return hipErrorOutOfMemory;
      allocations[i] = (Allocation){*p, bytes, current};
      fake_hip_last_malloc_device = current;
      return hipSuccess;
    }
  return hipErrorOutOfMemory;
}
EXPORT int hipFree(void *p) {
  for (int i = 0; i < 256; ++i)
    if (p && allocations[i].pointer == p) {
      free(p);
      allocations[i].pointer = NULL;
      return hipSuccess;
    }
  return hipErrorInvalidValue;
}
EXPORT int hipMemcpyAsync(void *dst, const void *src, size_t bytes, int kind,
                          void *stream) {
  if (checkStream(stream, "hipMemcpyAsync on another device's stream"))
    return hipErrorInvalidHandle;
  /* hipMemcpyHostToDevice = 1, hipMemcpyDeviceToHost = 2. */
  const void *devicePointer = kind == 1 ? dst : src;
  int owner = deviceOf(devicePointer, bytes);
  if (owner < 0)
    return hipErrorInvalidValue;
  if (owner != current)
    return violate(hipErrorInvalidDevice,
                   "hipMemcpyAsync with another device current");
  memcpy(dst, src, bytes);
  return hipSuccess;
}

EXPORT int hipStreamCreate(void **stream) {
  Stream *s = malloc(sizeof *s);
  s->device = current;
  *stream = s;
  return hipSuccess;
}
EXPORT int hipStreamDestroy(void *stream) {
  if (!stream)
    return hipErrorInvalidHandle;
  free(stream);
  return hipSuccess;
}
EXPORT int hipStreamSynchronize(void *stream) {
  ++fake_hip_sync_calls;
  return checkStream(stream, "hipStreamSynchronize on another device's stream");
}
EXPORT int hipDeviceSynchronize(void) {
  ++fake_hip_sync_calls;
  return hipSuccess;
}

EXPORT int hipModuleLoadData(void **module, const void *image) {
  if (memcmp(image,
             "\x7f"
             "ELF",
             4) != 0)
    return hipErrorInvalidImage;
  Module *m = malloc(sizeof *m);
  *m = (Module){current, image};
  fake_hip_last_module_device = current;
  *module = m;
  return hipSuccess;
}
EXPORT int hipModuleUnload(void *module) {
  if (!module)
    return hipErrorInvalidHandle;
  if (((Module *)module)->device != current)
    return violate(hipErrorInvalidDevice,
                   "hipModuleUnload with another device current");
  for (Function *f = ((Module *)module)->functions; f;) {
    Function *next = f->next;
    free(f);
    f = next;
  }
  free(module);
  return hipSuccess;
}
EXPORT int hipModuleGetFunction(void **function, void *module,
                                const char *name) {
  Function *f = malloc(sizeof *f);
  f->module = module;
  snprintf(f->name, sizeof f->name, "%s", name);
  f->next = ((Module *)module)->functions;
  ((Module *)module)->functions = f;
  *function = f;
  return hipSuccess;
}
EXPORT int hipModuleLaunchKernel(void *function, unsigned gx, unsigned gy,
                                 unsigned gz, unsigned bx, unsigned by,
                                 unsigned bz, unsigned lds, void *stream,
                                 void **params, void **extra) {
  Function *f = function;
  if (extra)
    return hipErrorInvalidValue;
  if (f->module->device != current)
    return violate(hipErrorInvalidDevice,
                   "hipModuleLaunchKernel with another device current");
  if (checkStream(stream, "hipModuleLaunchKernel on another device's stream"))
    return hipErrorInvalidHandle;
  ++fake_hip_launches;
  snprintf(fake_hip_kernel, sizeof fake_hip_kernel, "%s", f->name);
  unsigned dims[7] = {gx, gy, gz, bx, by, bz, lds};
  memcpy(fake_hip_dims, dims, sizeof dims);
  fake_hip_stream = stream;
  for (int i = 0; i < fake_hip_arg_count && i < 16; ++i)
    memcpy(&fake_hip_args[i], params[i], 8);
  return hipSuccess;
}
