//===- mxc-run.cpp - Run one kernel on the simulator ----------------------===//
//
// Part of mxc.
//   mxc-run --device sim:gfx950|hip:N FILE --kernel NAME --grid X[,Y[,Z]]
//           --block X[,Y[,Z]] [--lds BYTES] --arg KIND:... ...
//
// Code objects run through libmxrt (on the simulator or a GPU, arguments
// checked against the kernel's metadata); LLVM IR (.ll/.bc) has no metadata
// and runs in the simulator directly.
//
//===----------------------------------------------------------------------===//

#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxrt/mxrt.h"

#include "llvm/ADT/ScopeExit.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <chrono>
#include <cstring>

using namespace llvm;
using namespace mxc;

static cl::OptionCategory runCategory("mxc-run options");
static cl::opt<std::string> inputFile(cl::Positional, cl::Required,
                                      cl::desc("<kernel .ll, .bc or .hsaco>"),
                                      cl::cat(runCategory));
static cl::opt<std::string> device("device",
                                   cl::desc("sim:gfxNNN (simulator) or hip:N"),
                                   cl::init("sim:gfx950"),
                                   cl::cat(runCategory));
static cl::opt<std::string> kernelName("kernel", cl::desc("Kernel to run"),
                                       cl::cat(runCategory));
static cl::opt<std::string> gridOpt("grid", cl::desc("Workgroups X[,Y[,Z]]"),
                                    cl::init("1"), cl::cat(runCategory));
static cl::opt<std::string> blockOpt("block",
                                     cl::desc("Lanes per workgroup X[,Y[,Z]]"),
                                     cl::init("64"), cl::cat(runCategory));
static cl::opt<unsigned> ldsBytes("lds", cl::desc("Dynamic LDS bytes"),
                                  cl::init(0), cl::cat(runCategory));
static cl::list<std::string>
    args("arg",
         cl::desc("Kernel argument, in order: in:PATH | out:PATH:BYTES | "
                  "inout:PATH | i32:V | i64:V | f32:V | null"),
         cl::cat(runCategory));
static cl::opt<bool> printStats("print-stats",
                                cl::desc("Print instruction counts and time"),
                                cl::cat(runCategory));

static int fail(const Twine &message) {
  WithColor::error(errs(), "mxc-run") << message << "\n";
  return 1;
}

static bool parseDim3(StringRef text, sim::Dim3 &dim) {
  SmallVector<StringRef, 3> parts;
  text.split(parts, ',');
  if (parts.empty() || parts.size() > 3)
    return false;
  uint32_t *fields[3] = {&dim.x, &dim.y, &dim.z};
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i].getAsInteger(10, *fields[i]) || *fields[i] == 0)
      return false;
  return true;
}

namespace {
/// One --arg, parsed.
struct ArgSpec {
  enum class Kind { In, Out, InOut, Null, I32, I64, F32 } kind;
  std::string path;
  uint64_t bytes = 0;
  uint64_t bits = 0;
  std::unique_ptr<MemoryBuffer> contents;
  bool isBuffer() const {
    return kind == Kind::In || kind == Kind::Out || kind == Kind::InOut;
  }
  bool isScalar() const {
    return kind == Kind::I32 || kind == Kind::I64 || kind == Kind::F32;
  }
};
} // namespace

/// Parses --arg `spec` (number `i`), or returns an error message.
static Expected<ArgSpec> parseArg(size_t i, StringRef spec) {
  auto argError = [&](const Twine &why) {
    return createStringError(inconvertibleErrorCode(), "argument " + Twine(i) +
                                                           " ('" + spec +
                                                           "'): " + why);
  };
  ArgSpec arg;
  auto [kind, rest] = spec.split(':');
  if (kind == "null") {
    arg.kind = ArgSpec::Kind::Null;
  } else if (kind == "out") {
    arg.kind = ArgSpec::Kind::Out;
    auto [p, size] = rest.rsplit(':');
    if (p.empty() || size.getAsInteger(10, arg.bytes))
      return argError("expected out:PATH:BYTES");
    arg.path = p.str();
  } else if (kind == "in" || kind == "inout") {
    arg.kind = kind == "in" ? ArgSpec::Kind::In : ArgSpec::Kind::InOut;
    arg.path = rest.str();
    ErrorOr<std::unique_ptr<MemoryBuffer>> in = MemoryBuffer::getFile(
        arg.path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
    if (!in)
      return argError("cannot read '" + arg.path +
                      "': " + in.getError().message());
    arg.contents = std::move(*in);
    arg.bytes = arg.contents->getBufferSize();
  } else if (kind == "i32" || kind == "i64") {
    int64_t v;
    if (rest.getAsInteger(0, v))
      return argError("not an integer");
    arg.kind = kind == "i32" ? ArgSpec::Kind::I32 : ArgSpec::Kind::I64;
    arg.bits = kind == "i32" ? uint64_t(uint32_t(v)) : uint64_t(v);
  } else if (kind == "f32") {
    double d;
    if (rest.getAsDouble(d))
      return argError("not a number");
    float f = float(d);
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    arg.kind = ArgSpec::Kind::F32;
    arg.bits = bits;
  } else {
    return argError("unknown kind '" + kind +
                    "'; use in:, out:, inout:, i32:, i64:, f32: or null");
  }
  return arg;
}

static int writeOutput(const std::string &path, const void *data,
                       size_t bytes) {
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  os.write(static_cast<const char *>(data), bytes);
  return 0;
}

/// Runs a code object through libmxrt on `deviceSpec`.
static int runWithRuntime(StringRef deviceSpec, const MemoryBuffer &file,
                          const sim::LaunchParams &launch,
                          std::vector<ArgSpec> &specs) {
  auto mxrtFail = [] { return fail(mxrt_last_error()); };
  mxrt_device device = nullptr;
  if (mxrt_device_open(deviceSpec.str().c_str(), &device))
    return mxrtFail();
  auto closeDevice = make_scope_exit([&] { mxrt_device_close(device); });
  mxrt_module module = nullptr;
  if (mxrt_module_load_data(device, file.getBufferStart(), file.getBufferSize(),
                            std::string(file.getBufferIdentifier()).c_str(),
                            &module))
    return mxrtFail();
  auto unload = make_scope_exit([&] { mxrt_module_unload(module); });
  if (kernelName.empty()) {
    if (mxrt_module_kernel_count(module) != 1) {
      std::vector<std::string> names;
      for (size_t i = 0; i < mxrt_module_kernel_count(module); ++i)
        names.push_back(mxrt_module_kernel_name(module, i));
      return fail("the code object has several kernels (" + join(names, ", ") +
                  "); choose one with --kernel");
    }
    kernelName = mxrt_module_kernel_name(module, 0);
  }
  std::vector<mxrt_value> values;
  std::vector<mxrt_buffer> buffers;
  auto freeBuffers = make_scope_exit([&] {
    for (mxrt_buffer b : buffers)
      mxrt_buffer_free(b);
  });
  for (ArgSpec &spec : specs) {
    mxrt_value value{};
    if (spec.isBuffer()) {
      mxrt_buffer buffer = nullptr;
      if (mxrt_buffer_alloc(device, spec.bytes, &buffer))
        return mxrtFail();
      buffers.push_back(buffer);
      // Outputs start zeroed, as the simulator's buffers do.
      std::vector<uint8_t> zeros;
      const void *data = nullptr;
      if (spec.contents) {
        data = spec.contents->getBufferStart();
      } else {
        zeros.resize(spec.bytes);
        data = zeros.data();
      }
      if (mxrt_buffer_write(buffer, 0, data, spec.bytes, nullptr))
        return mxrtFail();
      value.kind = MXRT_VALUE_BUFFER;
      value.buffer = buffer;
    } else if (spec.kind == ArgSpec::Kind::Null) {
      value.kind = MXRT_VALUE_POINTER;
      value.pointer = nullptr;
    } else if (spec.kind == ArgSpec::Kind::I64) {
      value.kind = MXRT_VALUE_I64;
      value.i64 = int64_t(spec.bits);
    } else if (spec.kind == ArgSpec::Kind::I32) {
      value.kind = MXRT_VALUE_I32;
      value.i32 = int32_t(uint32_t(spec.bits));
    } else {
      value.kind = MXRT_VALUE_F32;
      uint32_t bits = uint32_t(spec.bits);
      std::memcpy(&value.f32, &bits, 4);
    }
    values.push_back(value);
  }
  uint32_t grid[3] = {launch.grid.x, launch.grid.y, launch.grid.z};
  uint32_t block[3] = {launch.block.x, launch.block.y, launch.block.z};
  auto start = std::chrono::steady_clock::now();
  if (mxrt_launch(module, kernelName.c_str(), grid, block,
                  launch.dynamicLdsBytes, values.data(), values.size(),
                  nullptr))
    return mxrtFail();
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  size_t next = 0;
  for (ArgSpec &spec : specs) {
    if (!spec.isBuffer())
      continue;
    mxrt_buffer buffer = buffers[next++];
    if (spec.kind == ArgSpec::Kind::In)
      continue;
    std::vector<uint8_t> data(spec.bytes);
    if (mxrt_buffer_read(buffer, 0, data.data(), data.size(), nullptr))
      return mxrtFail();
    if (int rc = writeOutput(spec.path, data.data(), data.size()))
      return rc;
  }
  if (printStats)
    outs() << "kernel " << kernelName << " on " << deviceSpec << " in "
           << format("%.3f", seconds)
           << " s (instruction counts: run the kernel's .ll/.bc)\n";
  return 0;
}

/// Runs LLVM IR in the simulator directly.
static int runInSimulator(const amdgpu::ChipInfo &chip,
                          const MemoryBuffer &file,
                          const sim::LaunchParams &launch,
                          std::vector<ArgSpec> &specs) {
  Expected<sim::Simulator> simulator =
      sim::Simulator::load(file.getMemBufferRef(), chip);
  if (!simulator)
    return fail(toString(simulator.takeError()));
  std::vector<std::string> kernels = simulator->getKernelNames();
  if (kernelName.empty()) {
    if (kernels.size() != 1)
      return fail("the module has several kernels (" + join(kernels, ", ") +
                  "); choose one with --kernel");
    kernelName = kernels.front();
  }
  Expected<std::vector<sim::ParamInfo>> params =
      simulator->getParams(kernelName);
  if (!params)
    return fail(toString(params.takeError()));
  if (specs.size() != params->size())
    return fail("kernel '" + kernelName + "' takes " + Twine(params->size()) +
                " arguments, got " + Twine(specs.size()) + " --arg");

  sim::Memory memory;
  std::vector<sim::ArgValue> values;
  std::vector<std::pair<std::string, uint64_t>> outputs;
  for (auto [i, spec] : llvm::enumerate(specs)) {
    const sim::ParamInfo &param = (*params)[i];
    auto argError = [&](const Twine &why) {
      return fail("argument " + Twine(i) + " ('" + args[i] + "'): " + why);
    };
    bool pointer = param.kind == sim::ParamInfo::Kind::Pointer;
    if (spec.kind == ArgSpec::Kind::Null) {
      if (!pointer)
        return argError("the kernel expects a scalar here");
      values.push_back({sim::ArgValue::Kind::Pointer, 0});
    } else if (spec.isBuffer()) {
      if (!pointer)
        return argError("the kernel expects a scalar here, not a buffer");
      uint64_t address = memory.allocate(
          spec.bytes, "arg " + std::to_string(i) + " (" + spec.path + ")");
      if (spec.contents)
        std::memcpy(memory.getBuffer(address)->data.data(),
                    spec.contents->getBufferStart(), spec.bytes);
      if (spec.kind != ArgSpec::Kind::In)
        outputs.push_back({spec.path, address});
      values.push_back({sim::ArgValue::Kind::Pointer, address});
    } else if (spec.kind == ArgSpec::Kind::F32) {
      if (param.kind != sim::ParamInfo::Kind::Float || param.bits != 32)
        return argError("the kernel's parameter is not an f32");
      values.push_back({sim::ArgValue::Kind::F32, spec.bits});
    } else {
      unsigned bits = spec.kind == ArgSpec::Kind::I32 ? 32 : 64;
      if (param.kind != sim::ParamInfo::Kind::Int || param.bits != bits)
        return argError("the kernel's parameter is not an i" + Twine(bits));
      values.push_back(
          {bits == 32 ? sim::ArgValue::Kind::I32 : sim::ArgValue::Kind::I64,
           spec.bits});
    }
  }

  sim::Stats stats;
  auto start = std::chrono::steady_clock::now();
  if (Error e = simulator->launch(kernelName, launch, values, memory, &stats))
    return fail(toString(std::move(e)));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  for (const auto &[path, address] : outputs) {
    const auto &data = memory.getBuffer(address)->data;
    if (int rc = writeOutput(path, data.data(), data.size()))
      return rc;
  }
  if (printStats)
    outs() << "kernel " << kernelName << ": " << stats.waveInstructions
           << " wave instructions, " << stats.laneInstructions
           << " lane instructions, " << stats.matrixInstructions
           << " matrix instructions in " << format("%.3f", seconds) << " s ("
           << format("%.1f", stats.laneInstructions / seconds / 1e6)
           << " M lane-instructions/s)\n";
  return 0;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(argc, argv, "mxc-run: run an AMDGPU kernel\n");

  StringRef dev = device;
  bool hip = dev.starts_with("hip:");
  const amdgpu::ChipInfo *chip = nullptr;
  if (!hip) {
    if (!dev.consume_front("sim:"))
      return fail("unknown device '" + device + "'; use sim:gfxNNN or hip:N");
    chip = amdgpu::lookupChip(dev);
    if (!chip)
      return fail("unknown chip '" + dev +
                  "'; valid: " + amdgpu::listChipNames());
  }

  sim::LaunchParams launch;
  if (!parseDim3(gridOpt, launch.grid))
    return fail("bad --grid '" + gridOpt +
                "'; expected X[,Y[,Z]] of positive integers");
  if (!parseDim3(blockOpt, launch.block))
    return fail("bad --block '" + blockOpt +
                "'; expected X[,Y[,Z]] of positive integers");
  launch.dynamicLdsBytes = ldsBytes;

  std::vector<ArgSpec> specs;
  for (auto [i, text] : llvm::enumerate(args)) {
    Expected<ArgSpec> spec = parseArg(i, text);
    if (!spec)
      return fail(toString(spec.takeError()));
    specs.push_back(std::move(*spec));
  }

  ErrorOr<std::unique_ptr<MemoryBuffer>> file = MemoryBuffer::getFile(
      inputFile, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!file)
    return fail("cannot read '" + inputFile +
                "': " + file.getError().message());
  // LLVM IR by its name or bitcode magic; anything else is a code object.
  StringRef name = inputFile;
  bool isIR = name.ends_with(".ll") || name.ends_with(".bc") ||
              (*file)->getBuffer().starts_with("BC\xC0\xDE");
  if (!isIR)
    return runWithRuntime(device, **file, launch, specs);
  if (hip)
    return fail("'" + inputFile +
                "' is LLVM IR, which only the simulator "
                "runs; give hip:N a code object (mxc -o FILE.hsaco)");
  return runInSimulator(*chip, **file, launch, specs);
}
