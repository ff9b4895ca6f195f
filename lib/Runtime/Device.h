//===- Device.h - libmxrt's device backends ---------------------*- C++ -*-===//
//
// Part of mxc. What libmxrt needs of a device: memory, streams, loading a
// code object and launching a kernel whose arguments the front end
// (Runtime.cpp) has already checked against the metadata. Two backends: HIP,
// loaded at run time by libmxrt's core, and the simulator, which lives in
// libmxrt-sim (it links LLVM) and is loaded when a "sim:" device is opened.
//
// This interface uses only the C++ standard library: libmxrt's core links
// nothing else. libmxrt and libmxrt-sim are built and shipped together;
// kSimEntryPoint names the interface version the two agree on.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_RUNTIME_DEVICE_H
#define MXC_LIB_RUNTIME_DEVICE_H

#include "mxc/Target/AMDGPU/CodeObjectInfo.h"

#include <array>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mxc::runtime {

using amdgpu::core::fail;
using amdgpu::core::Failure;
using amdgpu::core::Result;
using amdgpu::core::Status;

/// A checked kernel argument: its bytes, and whether it is a pointer.
struct KernelArg {
  bool pointer = false;
  unsigned size = 0; ///< 4 or 8 (pointers: 8).
  uint64_t bits = 0; ///< Little-endian value.
};

struct LaunchDims {
  std::array<uint32_t, 3> grid;  ///< Workgroups.
  std::array<uint32_t, 3> block; ///< Lanes per workgroup.
  uint32_t dynamicLdsBytes = 0;
};

/// A code object loaded on a device.
class LoadedCode {
public:
  virtual ~LoadedCode() = default;
};

class Device {
public:
  virtual ~Device() = default;
  /// The processor ("gfx950").
  virtual const std::string &getChip() const = 0;
  /// LDS one workgroup may use.
  virtual uint32_t getLdsBytesPerWorkgroup() const = 0;

  virtual Result<uint64_t> allocate(size_t bytes) = 0;
  virtual void free(uint64_t address) = 0;
  /// Checks that [address, address + bytes) is device memory to wrap.
  virtual Status checkWrap(uint64_t address, size_t bytes) = 0;
  /// Copies ordered on `stream`; with a null stream they complete before
  /// returning (mxrt.h).
  virtual Status write(uint64_t address, const void *source, size_t bytes,
                       void *stream) = 0;
  virtual Status read(uint64_t address, void *destination, size_t bytes,
                      void *stream) = 0;

  virtual Result<void *> createStream() = 0;
  virtual void destroyStream(void *stream) = 0;
  virtual Status synchronize(void *stream) = 0;
  virtual Status synchronizeDevice() = 0;

  /// Loads the code object `bytes` (called `name`), which `info` describes
  /// and which outlives the result.
  virtual Result<std::unique_ptr<LoadedCode>>
  load(std::string_view bytes, std::string_view name,
       const amdgpu::CodeObjectInfo &info) = 0;
  /// Enqueues a launch on `stream`; it does not wait for the kernel.
  virtual Status launch(LoadedCode &code, const amdgpu::KernelInfo &kernel,
                        const LaunchDims &dims,
                        const std::vector<KernelArg> &args, void *stream) = 0;
};

/// The function libmxrt-sim exports under kSimEntryPoint: the simulator as a
/// device for `spec`, the chip ("gfx950") then options ":check[=race,sync,
/// init]" and ":max-steps=N"; or null with `*error` saying why not.
using OpenSimDeviceFn = Device *(*)(const char *spec, std::string *error);
/// Versioned with this interface: change it when Device changes.
constexpr const char *kSimEntryPoint = "mxrt_sim_open_device_v1";

/// The simulator through libmxrt-sim (loaded on first use), or a failure
/// saying why not, such as that it is not installed.
Result<std::unique_ptr<Device>> openSimDevice(const std::string &spec);
/// AMD GPU `ordinal` through libamdhip64, or a failure saying why not.
Result<std::unique_ptr<Device>> openHipDevice(unsigned ordinal);

} // namespace mxc::runtime

#endif // MXC_LIB_RUNTIME_DEVICE_H
