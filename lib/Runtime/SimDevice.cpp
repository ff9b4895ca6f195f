//===- SimDevice.cpp - The simulator as a libmxrt device ------------------===//
//
// Part of mxc. Memory is the simulator's bounds-checked global memory; every
// call completes before it returns, so streams are only names. This is
// libmxrt-sim: it links LLVM, so libmxrt's core loads it only when a "sim:"
// device is opened, through the one symbol it exports (kSimEntryPoint).
//
//===----------------------------------------------------------------------===//

#include "Device.h"
#include "mxc/Sim/Simulator.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBufferRef.h"

#include <cstring>

using namespace llvm;
using namespace mxc;
using namespace mxc::runtime;

/// `e` as the core's Status.
static Status toStatus(Error e) {
  if (!e)
    return Status::success();
  return fail(toString(std::move(e)));
}

namespace {
struct SimCode : LoadedCode {
  explicit SimCode(sim::Simulator simulator)
      : simulator(std::move(simulator)) {}
  sim::Simulator simulator;
};

class SimDevice : public Device {
public:
  SimDevice(const amdgpu::ChipInfo &chip, const sim::CheckOptions &checks)
      : chip(chip), chipName(chip.name.str()), checks(checks) {}
  const std::string &getChip() const override { return chipName; }
  uint32_t getLdsBytesPerWorkgroup() const override {
    return chip.ldsBytesPerWorkgroup;
  }

  Result<uint64_t> allocate(size_t bytes) override {
    Expected<uint64_t> address =
        memory.tryAllocate(bytes, "buffer " + std::to_string(++allocations));
    if (!address)
      return fail(toString(address.takeError()));
    // Device memory starts undefined until the host writes it (initcheck).
    memory.markUninitialized(*address);
    return *address;
  }
  void free(uint64_t) override {
    // Simulated memory lives as long as the device: a stale pointer then
    // still reads as what it was, which the bounds checks cannot tell apart
    // from use after free; keeping it is the simpler truth.
  }
  Status checkWrap(uint64_t address, size_t bytes) override {
    if (!memory.find(address, std::max<size_t>(bytes, 1)))
      return fail(("0x" + utohexstr(address) + " + " + Twine(bytes) +
                   " bytes is not memory of this simulator device (" +
                   memory.describe(address) + ")")
                      .str());
    return Status::success();
  }
  Status write(uint64_t address, const void *source, size_t bytes,
               void *) override {
    sim::Memory::Buffer *buffer = memory.find(address, bytes);
    if (!buffer)
      return outOfRange(address, bytes);
    std::memcpy(buffer->data.data() + (address - buffer->base), source, bytes);
    memory.markWritten(address, bytes);
    return Status::success();
  }
  Status read(uint64_t address, void *destination, size_t bytes,
              void *) override {
    sim::Memory::Buffer *buffer = memory.find(address, bytes);
    if (!buffer)
      return outOfRange(address, bytes);
    std::memcpy(destination, buffer->data.data() + (address - buffer->base),
                bytes);
    return Status::success();
  }

  Result<void *> createStream() override {
    return reinterpret_cast<void *>(++streams);
  }
  void destroyStream(void *) override {}
  Status synchronize(void *) override { return Status::success(); }
  Status synchronizeDevice() override { return Status::success(); }

  Result<std::unique_ptr<LoadedCode>>
  load(std::string_view bytes, std::string_view name,
       const amdgpu::CodeObjectInfo &) override {
    Expected<sim::Simulator> simulator = sim::Simulator::load(
        MemoryBufferRef(StringRef(bytes.data(), bytes.size()),
                        StringRef(name.data(), name.size())),
        chip);
    if (!simulator)
      return fail(toString(simulator.takeError()));
    simulator->setCheckOptions(checks);
    return std::make_unique<SimCode>(std::move(*simulator));
  }

  Status launch(LoadedCode &code, const amdgpu::KernelInfo &kernel,
                const LaunchDims &dims, const std::vector<KernelArg> &args,
                void *) override {
    sim::Simulator &simulator = static_cast<SimCode &>(code).simulator;
    Expected<std::vector<sim::ParamInfo>> params =
        simulator.getParams(kernel.name);
    if (!params)
      return fail(toString(params.takeError()));
    if (params->size() != args.size())
      return fail(
          "the kernel's bitcode takes " + std::to_string(params->size()) +
          " arguments where its metadata lists " + std::to_string(args.size()));
    std::vector<sim::ArgValue> values;
    for (auto [arg, param] : llvm::zip(args, *params)) {
      using Kind = sim::ArgValue::Kind;
      Kind kind = arg.pointer ? Kind::Pointer
                  : param.kind == sim::ParamInfo::Kind::Float
                      ? Kind::F32
                      : (arg.size == 8 ? Kind::I64 : Kind::I32);
      values.push_back({kind, arg.bits});
    }
    sim::LaunchParams launch;
    launch.grid = {dims.grid[0], dims.grid[1], dims.grid[2]};
    launch.block = {dims.block[0], dims.block[1], dims.block[2]};
    launch.dynamicLdsBytes = dims.dynamicLdsBytes;
    return toStatus(simulator.launch(kernel.name, launch, values, memory));
  }

private:
  Failure outOfRange(uint64_t address, size_t bytes) {
    return fail((Twine(bytes) + " bytes at 0x" + utohexstr(address) +
                 " are not inside one buffer (" + memory.describe(address) +
                 ")")
                    .str());
  }

  const amdgpu::ChipInfo &chip;
  std::string chipName;
  sim::CheckOptions checks;
  sim::Memory memory;
  unsigned allocations = 0;
  uintptr_t streams = 0;
};
} // namespace

/// The simulator as a device for `spec`, or an error.
static Expected<std::unique_ptr<Device>> openSimulator(StringRef spec) {
  SmallVector<StringRef, 3> parts;
  spec.split(parts, ':');
  StringRef name = parts.front();
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip(name);
  if (!chip)
    return createStringError(inconvertibleErrorCode(),
                             "unknown chip '" + name + "' (the simulator " +
                                 "models " + amdgpu::listChipNames() + ")");
  sim::CheckOptions checks;
  for (StringRef option : ArrayRef(parts).drop_front()) {
    auto [key, value] = option.split('=');
    if (key == "check") {
      if (Error e = checks.enable(value.empty() ? "all" : value))
        return std::move(e);
    } else if (key == "max-steps" && !value.empty() &&
               llvm::all_of(value, isDigit) &&
               !value.getAsInteger(10, checks.maxWaveInstructions)) {
      continue;
    } else {
      return createStringError(
          inconvertibleErrorCode(),
          "unknown simulator option '" + option +
              "'; expected check[=race,sync,init] or max-steps=N (decimal)");
    }
  }
  return std::make_unique<SimDevice>(*chip, checks);
}

/// libmxrt-sim's one exported symbol (exports-sim.map).
extern "C" __attribute__((visibility("default"))) Device *
mxrt_sim_open_device_v1(const char *spec, std::string *error) {
  Expected<std::unique_ptr<Device>> device = openSimulator(spec);
  if (!device) {
    *error = toString(device.takeError());
    return nullptr;
  }
  return device->release();
}
