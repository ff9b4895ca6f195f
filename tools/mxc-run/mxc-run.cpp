//===- mxc-run.cpp - Run one kernel on the simulator ----------------------===//
//
// Part of mxc.
//   mxc-run --device sim:gfx950 FILE --kernel NAME --grid X[,Y[,Z]]
//           --block X[,Y[,Z]] [--lds BYTES] --arg KIND:... ...
//
//===----------------------------------------------------------------------===//

#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"

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
/// A buffer argument to write back after the run.
struct Output {
  std::string path;
  uint64_t address;
};
} // namespace

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(runCategory);
  cl::ParseCommandLineOptions(argc, argv, "mxc-run: run an AMDGPU kernel\n");

  StringRef dev = device;
  if (dev.starts_with("hip:"))
    return fail("device '" + dev +
                "': the HIP backend comes with libmxrt and is not in this "
                "build; use --device sim:gfxNNN");
  if (!dev.consume_front("sim:"))
    return fail("unknown device '" + device + "'; use sim:gfxNNN or hip:N");
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip(dev);
  if (!chip)
    return fail("unknown chip '" + dev +
                "'; valid: " + amdgpu::listChipNames());

  sim::LaunchParams launch;
  if (!parseDim3(gridOpt, launch.grid))
    return fail("bad --grid '" + gridOpt +
                "'; expected X[,Y[,Z]] of positive integers");
  if (!parseDim3(blockOpt, launch.block))
    return fail("bad --block '" + blockOpt +
                "'; expected X[,Y[,Z]] of positive integers");
  launch.dynamicLdsBytes = ldsBytes;

  ErrorOr<std::unique_ptr<MemoryBuffer>> file =
      MemoryBuffer::getFile(inputFile);
  if (!file)
    return fail("cannot read '" + inputFile +
                "': " + file.getError().message());
  Expected<sim::Simulator> simulator =
      sim::Simulator::load((*file)->getMemBufferRef(), *chip);
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
  if (args.size() != params->size())
    return fail("kernel '" + kernelName + "' takes " + Twine(params->size()) +
                " arguments, got " + Twine(args.size()) + " --arg");

  sim::Memory memory;
  std::vector<sim::ArgValue> values;
  std::vector<Output> outputs;
  for (size_t i = 0; i < args.size(); ++i) {
    StringRef spec = args[i];
    const sim::ParamInfo &param = (*params)[i];
    auto argError = [&](const Twine &why) {
      return fail("argument " + Twine(i) + " ('" + spec + "'): " + why);
    };
    auto [kind, rest] = spec.split(':');
    bool pointer = param.kind == sim::ParamInfo::Kind::Pointer;
    if (kind == "null") {
      if (!pointer)
        return argError("the kernel expects a scalar here");
      values.push_back({sim::ArgValue::Kind::Pointer, 0});
    } else if (kind == "in" || kind == "inout" || kind == "out") {
      if (!pointer)
        return argError("the kernel expects a scalar here, not a buffer");
      std::string path;
      uint64_t bytes = 0;
      std::unique_ptr<MemoryBuffer> contents;
      if (kind == "out") {
        auto [p, size] = rest.rsplit(':');
        if (p.empty() || size.getAsInteger(10, bytes))
          return argError("expected out:PATH:BYTES");
        path = p.str();
      } else {
        path = rest.str();
        ErrorOr<std::unique_ptr<MemoryBuffer>> in = MemoryBuffer::getFile(path);
        if (!in)
          return argError("cannot read '" + path +
                          "': " + in.getError().message());
        contents = std::move(*in);
        bytes = contents->getBufferSize();
      }
      uint64_t address = memory.allocate(bytes, "arg " + std::to_string(i) +
                                                    " (" + path + ")");
      if (contents)
        std::memcpy(memory.getBuffer(address)->data.data(),
                    contents->getBufferStart(), bytes);
      if (kind != "in")
        outputs.push_back({path, address});
      values.push_back({sim::ArgValue::Kind::Pointer, address});
    } else if (kind == "i32" || kind == "i64") {
      unsigned bits = kind == "i32" ? 32 : 64;
      if (param.kind != sim::ParamInfo::Kind::Int || param.bits != bits)
        return argError("the kernel's parameter is not an i" + Twine(bits));
      int64_t v;
      if (rest.getAsInteger(0, v))
        return argError("not an integer");
      values.push_back(
          {bits == 32 ? sim::ArgValue::Kind::I32 : sim::ArgValue::Kind::I64,
           bits == 32 ? uint64_t(uint32_t(v)) : uint64_t(v)});
    } else if (kind == "f32") {
      if (param.kind != sim::ParamInfo::Kind::Float || param.bits != 32)
        return argError("the kernel's parameter is not an f32");
      double d;
      if (rest.getAsDouble(d))
        return argError("not a number");
      float f = float(d);
      uint32_t bitsValue;
      std::memcpy(&bitsValue, &f, 4);
      values.push_back({sim::ArgValue::Kind::F32, bitsValue});
    } else {
      return argError("unknown kind '" + kind +
                      "'; use in:, out:, inout:, i32:, i64:, f32: or null");
    }
  }

  sim::Stats stats;
  auto start = std::chrono::steady_clock::now();
  if (Error e = simulator->launch(kernelName, launch, values, memory, &stats))
    return fail(toString(std::move(e)));
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();

  for (const Output &out : outputs) {
    std::error_code ec;
    raw_fd_ostream os(out.path, ec);
    if (ec)
      return fail("cannot write '" + out.path + "': " + ec.message());
    const auto &data = memory.getBuffer(out.address)->data;
    os.write(reinterpret_cast<const char *>(data.data()), data.size());
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
