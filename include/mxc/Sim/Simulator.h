//===- Simulator.h - SIMT simulator of AMDGPU kernels -----------*- C++ -*-===//
//
// Part of mxc. Runs amdgcn LLVM IR (the IR mxc hands to the AMDGPU backend,
// or any .ll/.bc, or the .llvmbc section of an HSACO) wave by wave: lanes of
// a wave run in step where they agree and split where control flow diverges,
// meeting again at wave-wide operations and barriers. Global memory accesses
// are bounds-checked against the buffers the host allocated; LDS and private
// accesses against their sizes.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_SIM_SIMULATOR_H
#define MXC_SIM_SIMULATOR_H

#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBufferRef.h"
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mxc::sim {

/// Global memory of the simulated device: buffers at distinct addresses with
/// unmapped gaps between them, so a stray access never lands in a neighbour.
class Memory {
public:
  struct Buffer {
    uint64_t base;
    std::vector<uint8_t> data;
    std::string name;
    /// initcheck: one flag a byte, set once the host or a kernel wrote it;
    /// empty when every byte is initialised (the host filled the buffer).
    std::vector<uint8_t> written;
  };

  /// Allocates `bytes` zeroed bytes named `name` (used in reports).
  uint64_t allocate(size_t bytes, llvm::StringRef name);
  /// allocate(), or an error when the host's memory cannot hold the buffer
  /// beside those allocated (simulated memory is host memory; an allocation
  /// beyond it would end the process).
  llvm::Expected<uint64_t> tryAllocate(size_t bytes, llvm::StringRef name);
  /// Marks the buffer at `base` as holding nothing the host wrote (an
  /// output: device memory starts undefined), for initcheck.
  void markUninitialized(uint64_t base);
  /// Marks [address, address + bytes) as written by the host.
  void markWritten(uint64_t address, size_t bytes);
  /// Marks every buffer as initialised (after a launch that did not track
  /// what it wrote).
  void forgetUninitialized();
  /// The buffer that starts at `address`, or null.
  Buffer *getBuffer(uint64_t address);
  /// The buffer holding all of [address, address + size), or null.
  Buffer *find(uint64_t address, uint64_t size);
  /// A description of where `address` falls relative to the buffers.
  std::string describe(uint64_t address) const;

private:
  std::vector<std::unique_ptr<Buffer>> buffers;
  Buffer *lastHit = nullptr;
  uint64_t next = 0x100000000ull;
};

struct Dim3 {
  uint32_t x = 1, y = 1, z = 1;
  uint64_t count() const { return uint64_t(x) * y * z; }
};

/// One kernel argument as the host passes it.
struct ArgValue {
  enum class Kind { Pointer, I32, I64, F32 };
  Kind kind;
  uint64_t bits; ///< Address, or the scalar's bits.
};

/// A kernel parameter as the IR declares it.
struct ParamInfo {
  enum class Kind { Pointer, Int, Float };
  Kind kind;
  unsigned bits;      ///< Integer/float width; 64 for pointers.
  unsigned addrSpace; ///< For pointers.
};

struct LaunchParams {
  Dim3 grid;  ///< Workgroups.
  Dim3 block; ///< Lanes per workgroup.
  uint32_t dynamicLdsBytes = 0;
};

/// Instructions one wave may run before the simulator stops it as a kernel
/// that never ends (CheckOptions::maxWaveInstructions). Real kernels run far
/// fewer: the 1024^3 MXFP8 Triton GEMM runs about 3,000 per wave, and its
/// K loop about 350 per iteration of K = 128.
constexpr uint64_t kDefaultMaxWaveInstructions = 10'000'000;

/// Opt-in correctness checks of a launch, like compute-sanitizer's tools
/// (docs/simulator.md, Checks). A finding stops the run with an error that
/// names the kernel, workgroup, waves, lanes and instructions.
struct CheckOptions {
  /// Two waves of a workgroup touching the same LDS or global byte between
  /// the same two barriers, at least one writing (atomics with atomics
  /// excepted), and two lanes of one store writing a byte differently.
  bool race = false;
  /// Waves of a workgroup waiting at different barrier instructions.
  bool sync = false;
  /// A load of LDS bytes the workgroup never wrote, of private bytes the
  /// lane never wrote, or of global bytes neither the host nor a kernel
  /// wrote (Memory::markUninitialized).
  bool init = false;
  /// Instructions one wave may run; 0 for no limit. Always applies.
  uint64_t maxWaveInstructions = kDefaultMaxWaveInstructions;

  bool any() const { return race || sync || init; }
  /// Turns on the checks a comma-separated list names (race, sync, init,
  /// all); an error names the first unknown or empty item.
  llvm::Error enable(llvm::StringRef list);
};

/// What a launch executed, for benchmarks.
struct Stats {
  uint64_t waveInstructions = 0;
  uint64_t laneInstructions = 0;
  uint64_t matrixInstructions = 0;
};

class Program;
struct Kernel;
struct ProfileOptions;
struct KernelProfile;

/// A loaded module of kernels for one chip.
class Simulator {
public:
  ~Simulator();
  Simulator(Simulator &&) noexcept;

  /// Loads LLVM IR text, bitcode, or an ELF code object whose .llvmbc
  /// section holds bitcode. `name` is used in error messages.
  static llvm::Expected<Simulator> load(llvm::MemoryBufferRef file,
                                        const amdgpu::ChipInfo &chip);

  std::vector<std::string> getKernelNames() const;
  /// The checks and instruction limit of later launches and profiles.
  void setCheckOptions(const CheckOptions &options) { checks = options; }
  const CheckOptions &getCheckOptions() const { return checks; }
  llvm::Expected<std::vector<ParamInfo>>
  getParams(llvm::StringRef kernel) const;
  /// The most static LDS one kernel of the module uses (each kernel's LDS
  /// variables are laid out for it alone).
  uint32_t getStaticLdsBytes() const;

  /// Runs `kernel` to completion. Errors name the kernel, workgroup, wave,
  /// lane and address of the first fault.
  llvm::Error launch(llvm::StringRef kernel, const LaunchParams &launch,
                     llvm::ArrayRef<ArgValue> args, Memory &memory,
                     Stats *stats = nullptr);

  /// Runs `kernel` like launch(), over the workgroups `options` picks, and
  /// counts what it asks of the memory system and the matrix pipes. Needs a
  /// timing model of the chip (mxc/Target/AMDGPU/TimingModel.h).
  llvm::Error profile(llvm::StringRef kernel, const LaunchParams &launch,
                      llvm::ArrayRef<ArgValue> args, Memory &memory,
                      const ProfileOptions &options, KernelProfile &result);

private:
  explicit Simulator(std::unique_ptr<Program> program);
  /// The kernel `name` if `launch` and `args` suit it.
  llvm::Expected<const Kernel *> checkLaunch(llvm::StringRef name,
                                             const LaunchParams &launch,
                                             size_t numArgs) const;
  std::unique_ptr<Program> program;
  CheckOptions checks;
};

} // namespace mxc::sim

#endif // MXC_SIM_SIMULATOR_H
