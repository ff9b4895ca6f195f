//===- Device.h - libmxrt's device backends ---------------------*- C++ -*-===//
//
// Part of mxc. What libmxrt needs of a device: memory, streams, loading a
// code object and launching a kernel whose arguments the front end
// (Runtime.cpp) has already checked against the metadata. Two backends: the
// simulator in process, and HIP loaded at run time.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_RUNTIME_DEVICE_H
#define MXC_LIB_RUNTIME_DEVICE_H

#include "mxc/Target/AMDGPU/CodeObjectReader.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/Support/Error.h"
#include <array>
#include <cstdint>
#include <memory>
#include <string>

namespace mxc::runtime {

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
  virtual llvm::StringRef getChip() const = 0;
  /// LDS one workgroup may use.
  virtual uint32_t getLdsBytesPerWorkgroup() const = 0;

  virtual llvm::Expected<uint64_t> allocate(size_t bytes) = 0;
  virtual void free(uint64_t address) = 0;
  /// Checks that [address, address + bytes) is device memory to wrap.
  virtual llvm::Error checkWrap(uint64_t address, size_t bytes) = 0;
  virtual llvm::Error write(uint64_t address, const void *source, size_t bytes,
                            void *stream) = 0;
  virtual llvm::Error read(uint64_t address, void *destination, size_t bytes,
                           void *stream) = 0;

  virtual llvm::Expected<void *> createStream() = 0;
  virtual void destroyStream(void *stream) = 0;
  virtual llvm::Error synchronize(void *stream) = 0;
  virtual llvm::Error synchronizeDevice() = 0;

  virtual llvm::Expected<std::unique_ptr<LoadedCode>>
  load(llvm::MemoryBufferRef file, const amdgpu::CodeObjectInfo &info) = 0;
  virtual llvm::Error launch(LoadedCode &code, const amdgpu::KernelInfo &kernel,
                             const LaunchDims &dims,
                             llvm::ArrayRef<KernelArg> args, void *stream) = 0;
};

/// The simulator as a device: `spec` is the chip ("gfx950"), then options
/// ":check[=race,sync,init]" and ":max-steps=N" (sim::CheckOptions), or an
/// error.
llvm::Expected<std::unique_ptr<Device>> openSimDevice(llvm::StringRef spec);
/// AMD GPU `ordinal` through libamdhip64, or an error saying why not.
llvm::Expected<std::unique_ptr<Device>> openHipDevice(unsigned ordinal);

} // namespace mxc::runtime

#endif // MXC_LIB_RUNTIME_DEVICE_H
