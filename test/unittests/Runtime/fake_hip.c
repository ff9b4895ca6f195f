/*===- fake_hip.c - A stand-in libamdhip64 for libmxrt's HIP tests --------===*\
|*                                                                            *|
|* Part of mxc. No machine here has an AMD GPU, so the HIP backend runs       *|
|* against this: host memory for device memory, a recorded launch instead of  *|
|* a kernel. FAKE_HIP_ARCH sets the reported processor (default gfx950),      *|
|* FAKE_HIP_DEVICES the device count (default 1).                             *|
\*===----------------------------------------------------------------------===*/

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define EXPORT __attribute__((visibility("default")))

EXPORT int hipInit(unsigned flags) { return flags ? 1 : 0; }
EXPORT int hipGetDeviceCount(int *count) {
  const char *n = getenv("FAKE_HIP_DEVICES");
  *count = n ? atoi(n) : 1;
  return 0;
}
EXPORT int hipSetDevice(int device) { return device < 0 ? 101 : 0; }
EXPORT int hipGetDevicePropertiesR0600(void *props, int device) {
  (void)device;
  /* A marketing name first, the processor further in, as in the real
   * struct (its offset differs between ROCm releases). */
  char *p = props;
  strcpy(p, "AMD Instinct MI355X");
  const char *arch = getenv("FAKE_HIP_ARCH");
  strcpy(p + 1160, arch ? arch : "gfx950");
  strcat(p + 1160, ":sramecc+:xnack-");
  return 0;
}
EXPORT const char *hipGetErrorString(int e) {
  return e == 209 ? "hipErrorNoBinaryForGpu" : "hipErrorUnknown";
}
EXPORT int hipMalloc(void **p, size_t bytes) {
  *p = aligned_alloc(256, (bytes + 255) / 256 * 256);
  return *p ? 0 : 2;
}
EXPORT int hipFree(void *p) {
  free(p);
  return 0;
}
EXPORT int hipMemcpyAsync(void *dst, const void *src, size_t bytes, int kind,
                          void *stream) {
  (void)kind, (void)stream;
  memcpy(dst, src, bytes);
  return 0;
}
static int streams;
EXPORT int hipStreamCreate(void **stream) {
  *stream = (void *)(uintptr_t)(0x1000 + ++streams);
  return 0;
}
EXPORT int hipStreamDestroy(void *stream) { return stream ? 0 : 1; }
EXPORT int hipStreamSynchronize(void *stream) { return (void)stream, 0; }
EXPORT int hipDeviceSynchronize(void) { return 0; }
EXPORT int hipModuleLoadData(void **module, const void *image) {
  *module = (void *)image;
  return memcmp(image,
                "\x7f"
                "ELF",
                4)
             ? 209
             : 0;
}
EXPORT int hipModuleUnload(void *module) { return module ? 0 : 1; }

/* What the last launch was given, for the test to read. */
EXPORT char fake_hip_kernel[256];
EXPORT unsigned fake_hip_dims[7];
EXPORT uint64_t fake_hip_args[16];
EXPORT int fake_hip_arg_count; /* set by the test: kernelParams' length */
EXPORT void *fake_hip_stream;

EXPORT int hipModuleGetFunction(void **function, void *module,
                                const char *name) {
  (void)module;
  strncpy(fake_hip_kernel, name, sizeof fake_hip_kernel - 1);
  *function = fake_hip_kernel;
  return 0;
}
EXPORT int hipModuleLaunchKernel(void *f, unsigned gx, unsigned gy, unsigned gz,
                                 unsigned bx, unsigned by, unsigned bz,
                                 unsigned lds, void *stream, void **params,
                                 void **extra) {
  (void)f;
  if (extra)
    return 1;
  unsigned dims[7] = {gx, gy, gz, bx, by, bz, lds};
  memcpy(fake_hip_dims, dims, sizeof dims);
  fake_hip_stream = stream;
  for (int i = 0; i < fake_hip_arg_count && i < 16; ++i)
    memcpy(&fake_hip_args[i], params[i], 8);
  return 0;
}
