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

#include "RunArgs.h"
#include "mxc/Sim/Profile.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/CodeObjectReader.h"
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
#include <cmath>
#include <cstring>

using namespace llvm;
using namespace mxc;
using namespace mxc::run;

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
                  "inout:PATH | zero:BYTES | i32:V | i64:V | f32:V | null"),
         cl::cat(runCategory));
static cl::opt<bool> printStats("print-stats",
                                cl::desc("Print instruction counts and time"),
                                cl::cat(runCategory));
static cl::opt<std::string>
    profileOpt("profile", cl::ValueOptional,
               cl::desc("Profile the run in the simulator: memory traffic, "
                        "LDS bank cycles, matrix cycles and the chip's timing "
                        "model (--profile or --profile=text, --profile=json)"),
               cl::cat(runCategory));
static cl::opt<std::string> workgroupsOpt(
    "workgroups",
    cl::desc("With --profile: run N workgroups spread over the grid and scale "
             "the counts to it, or a list of linear workgroup ids (A,B,...)"),
    cl::cat(runCategory));
static cl::opt<std::string>
    planOpt("plan",
            cl::desc("Run a code object through its launch plan with these "
                     "runtime sizes (NAME=V[,NAME=V...]); --arg gives the "
                     "program's buffers in order, no --kernel/--grid/--block"),
            cl::cat(runCategory));
static cl::opt<std::string>
    programOpt("program",
               cl::desc("With --plan: the program to run (default: the only "
                        "one)"),
               cl::cat(runCategory));

static cl::opt<std::string> checkOpt(
    "check", cl::ValueOptional,
    cl::desc("Check the run in the simulator: --check=race,sync,init (races "
             "between waves, waves at different barriers, loads of LDS never "
             "written); --check alone turns on all"),
    cl::cat(runCategory));
static cl::opt<std::string> maxStepsOpt(
    "max-steps",
    cl::desc("Instructions one wave may run in the simulator before the run "
             "stops as one that never ends (default 10000000; 0: no limit)"),
    cl::cat(runCategory));

static int fail(const Twine &message) {
  WithColor::error(errs(), "mxc-run") << message << "\n";
  return 1;
}

/// The checks `checks` turns on, as --check lists them.
static std::string checkList(const sim::CheckOptions &checks) {
  SmallVector<StringRef, 3> names;
  if (checks.race)
    names.push_back("race");
  if (checks.sync)
    names.push_back("sync");
  if (checks.init)
    names.push_back("init");
  return join(names, ",");
}

static int writeOutput(const std::string &path, const void *data,
                       size_t bytes) {
  std::error_code ec;
  raw_fd_ostream os(path, ec);
  if (ec)
    return fail("cannot write '" + path + "': " + ec.message());
  os.write(static_cast<const char *>(data), bytes);
  os.close();
  // A failed write (a full disk, /dev/full) is an error here, not the
  // stream's fatal error at destruction.
  if (os.has_error()) {
    std::string message = os.error().message();
    os.clear_error();
    return fail("cannot write '" + path + "': " + message);
  }
  return 0;
}

/// The program `--program` names, or the only one.
static Expected<const amdgpu::PlanProgram *>
choosePlanProgram(const amdgpu::CodeObjectInfo *info, StringRef fileName) {
  auto error = [](const Twine &why) {
    return createStringError(inconvertibleErrorCode(), why);
  };
  if (!info || !info->plan || info->plan->programs.empty())
    return error("--plan: '" + fileName +
                 "' has no launch plan (mxc writes one into the code objects "
                 "it builds from mx ops)");
  if (!programOpt.empty()) {
    if (const amdgpu::PlanProgram *program =
            info->plan->lookupProgram(programOpt))
      return program;
    return error("--program: the plan has no program '" + programOpt + "'");
  }
  if (info->plan->programs.size() != 1) {
    std::vector<std::string> names;
    for (const amdgpu::PlanProgram &program : info->plan->programs)
      names.push_back(program.name);
    return error("the plan has several programs (" + join(names, ", ") +
                 "); choose one with --program");
  }
  return &info->plan->programs.front();
}

/// Runs a code object through libmxrt on `deviceSpec`.
static int runWithRuntime(StringRef deviceSpec, const MemoryBuffer &file,
                          const sim::LaunchParams &launch,
                          std::vector<ArgSpec> &specs,
                          const amdgpu::CodeObjectInfo *info) {
  auto mxrtFail = [] { return fail(mxrt_last_error()); };
  mxrt_device device = nullptr;
  if (mxrt_device_open(deviceSpec.str().c_str(), &device))
    return mxrtFail();
  scope_exit closeDevice([&] { mxrt_device_close(device); });
  mxrt_module module = nullptr;
  if (mxrt_module_load_data(device, file.getBufferStart(), file.getBufferSize(),
                            std::string(file.getBufferIdentifier()).c_str(),
                            &module))
    return mxrtFail();
  scope_exit unload([&] { mxrt_module_unload(module); });
  const amdgpu::PlanProgram *program = nullptr;
  std::vector<int64_t> sizes;
  if (!planOpt.empty()) {
    Expected<const amdgpu::PlanProgram *> chosen =
        choosePlanProgram(info, inputFile);
    if (!chosen)
      return fail(toString(chosen.takeError()));
    program = *chosen;
    Expected<std::vector<int64_t>> parsed = parsePlanSizes(*program, planOpt);
    if (!parsed)
      return fail(toString(parsed.takeError()));
    sizes = std::move(*parsed);
    kernelName = program->name;
  } else if (kernelName.empty()) {
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
  scope_exit freeBuffers([&] {
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
      // Outputs start zeroed, as the simulator's buffers do; there an `out:`
      // buffer stays unwritten by the host, so that initcheck reports a
      // kernel reading it before writing it.
      std::vector<uint8_t> zeros;
      const void *data = nullptr;
      if (spec.contents) {
        data = spec.contents->getBufferStart();
      } else {
        zeros.resize(spec.bytes);
        data = zeros.data();
      }
      bool hostWrites =
          spec.kind != ArgSpec::Kind::Out || !deviceSpec.starts_with("sim:");
      if (hostWrites && mxrt_buffer_write(buffer, 0, data, spec.bytes, nullptr))
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
  if (program) {
    if (mxrt_program_run(module, program->name.c_str(), buffers.data(),
                         buffers.size(), sizes.data(), sizes.size(), nullptr))
      return mxrtFail();
  } else if (mxrt_launch(module, kernelName.c_str(), grid, block,
                         launch.dynamicLdsBytes, values.data(), values.size(),
                         nullptr)) {
    return mxrtFail();
  }
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  size_t next = 0;
  for (ArgSpec &spec : specs) {
    if (!spec.isBuffer())
      continue;
    mxrt_buffer buffer = buffers[next++];
    if (spec.kind == ArgSpec::Kind::In || spec.kind == ArgSpec::Kind::Zero)
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

namespace {
/// One kernel launch on the simulator.
struct SimLaunch {
  std::string kernel;
  sim::LaunchParams params;
  std::vector<sim::ArgValue> args;
};
} // namespace

/// Runs (or profiles) LLVM IR, or a code object's embedded bitcode, in the
/// simulator directly.
static int runInSimulator(const amdgpu::ChipInfo &chip,
                          const sim::CheckOptions &checks,
                          const MemoryBuffer &file,
                          const sim::LaunchParams &launch,
                          std::vector<ArgSpec> &specs,
                          const amdgpu::CodeObjectInfo *info) {
  Expected<sim::Simulator> simulator =
      sim::Simulator::load(file.getMemBufferRef(), chip);
  if (!simulator)
    return fail(toString(simulator.takeError()));
  simulator->setCheckOptions(checks);

  sim::Memory memory;
  std::vector<uint64_t> addresses(specs.size(), 0);
  std::vector<std::pair<std::string, uint64_t>> outputs;
  for (auto [i, spec] : llvm::enumerate(specs)) {
    if (!spec.isBuffer())
      continue;
    Expected<uint64_t> address = memory.tryAllocate(
        spec.bytes, "arg " + std::to_string(i) + " (" +
                        (spec.path.empty() ? args[i] : spec.path) + ")");
    if (!address)
      return fail("argument " + Twine(i) + " ('" + args[i] +
                  "'): " + toString(address.takeError()));
    addresses[i] = *address;
    // An empty file's buffer may have no storage: memcpy needs pointers.
    if (spec.contents && spec.bytes)
      std::memcpy(memory.getBuffer(addresses[i])->data.data(),
                  spec.contents->getBufferStart(), spec.bytes);
    // An output holds nothing the host wrote (initcheck); `zero:` is zeroed.
    if (spec.kind == ArgSpec::Kind::Out)
      memory.markUninitialized(addresses[i]);
    if (spec.kind == ArgSpec::Kind::Out || spec.kind == ArgSpec::Kind::InOut)
      outputs.push_back({spec.path, addresses[i]});
  }

  std::vector<SimLaunch> launches;
  if (!planOpt.empty()) {
    Expected<const amdgpu::PlanProgram *> program =
        choosePlanProgram(info, inputFile);
    if (!program)
      return fail(toString(program.takeError()));
    Expected<std::vector<int64_t>> sizes = parsePlanSizes(**program, planOpt);
    if (!sizes)
      return fail(toString(sizes.takeError()));
    if (specs.size() != (*program)->params.size())
      return fail("program '" + (*program)->name + "' takes " +
                  Twine((*program)->params.size()) + " buffers, got " +
                  Twine(specs.size()) + " --arg");
    for (auto [i, param] : llvm::enumerate((*program)->params)) {
      if (!specs[i].isBuffer())
        return fail("argument " + Twine(i) + " ('" + args[i] +
                    "'): the program's parameters are buffers");
      uint64_t needed = param.getBytes(*sizes);
      if (specs[i].bytes < needed)
        return fail("argument " + Twine(i) + " ('" + args[i] + "', " +
                    param.type + ") holds " + Twine(specs[i].bytes) +
                    " bytes; the sizes need " + Twine(needed));
    }
    // The launches of each op's variant for these sizes.
    Expected<std::vector<const amdgpu::PlanLaunch *>> selected =
        amdgpu::selectLaunches(**program, *sizes);
    if (!selected)
      return fail(toString(selected.takeError()));
    for (const amdgpu::PlanLaunch *launch : *selected) {
      const amdgpu::PlanLaunch &planned = *launch;
      Expected<amdgpu::ResolvedLaunch> resolved =
          amdgpu::resolveLaunch(planned, *sizes);
      if (!resolved)
        return fail(toString(resolved.takeError()));
      if (resolved->empty)
        continue;
      SimLaunch run;
      run.kernel = planned.kernel;
      run.params.grid = {resolved->grid[0], resolved->grid[1],
                         resolved->grid[2]};
      run.params.block = {planned.block[0], planned.block[1], planned.block[2]};
      run.params.dynamicLdsBytes = planned.dynamicLdsBytes;
      for (const amdgpu::ResolvedLaunch::Arg &arg : resolved->args) {
        if (arg.isBuffer)
          run.args.push_back(
              {sim::ArgValue::Kind::Pointer, addresses[arg.param]});
        else if (arg.bytes == 4)
          run.args.push_back(
              {sim::ArgValue::Kind::I32, uint64_t(uint32_t(arg.value))});
        else
          run.args.push_back({sim::ArgValue::Kind::I64, uint64_t(arg.value)});
      }
      launches.push_back(std::move(run));
    }
  } else {
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
    SimLaunch run;
    run.kernel = kernelName;
    run.params = launch;
    for (auto [i, spec] : llvm::enumerate(specs)) {
      const sim::ParamInfo &param = (*params)[i];
      auto argError = [&](const Twine &why) {
        return fail("argument " + Twine(i) + " ('" + args[i] + "'): " + why);
      };
      bool pointer = param.kind == sim::ParamInfo::Kind::Pointer;
      if (spec.kind == ArgSpec::Kind::Null) {
        if (!pointer)
          return argError("the kernel expects a scalar here");
        run.args.push_back({sim::ArgValue::Kind::Pointer, 0});
      } else if (spec.isBuffer()) {
        if (!pointer)
          return argError("the kernel expects a scalar here, not a buffer");
        run.args.push_back({sim::ArgValue::Kind::Pointer, addresses[i]});
      } else if (spec.kind == ArgSpec::Kind::F32) {
        if (param.kind != sim::ParamInfo::Kind::Float || param.bits != 32)
          return argError("the kernel's parameter is not an f32");
        run.args.push_back({sim::ArgValue::Kind::F32, spec.bits});
      } else {
        unsigned bits = spec.kind == ArgSpec::Kind::I32 ? 32 : 64;
        if (param.kind != sim::ParamInfo::Kind::Int || param.bits != bits)
          return argError("the kernel's parameter is not an i" + Twine(bits));
        run.args.push_back(
            {bits == 32 ? sim::ArgValue::Kind::I32 : sim::ArgValue::Kind::I64,
             spec.bits});
      }
    }
    launches.push_back(std::move(run));
  }

  bool profiling = profileOpt.getNumOccurrences() > 0;
  bool json = profileOpt == "json";
  sim::Stats stats;
  auto start = std::chrono::steady_clock::now();
  for (SimLaunch &run : launches) {
    if (!profiling) {
      if (Error e = simulator->launch(run.kernel, run.params, run.args, memory,
                                      &stats))
        return fail(toString(std::move(e)));
      continue;
    }
    sim::ProfileOptions options;
    StringRef sample = workgroupsOpt;
    if (sample.contains(',')) {
      SmallVector<StringRef, 8> ids;
      sample.split(ids, ',');
      for (StringRef id : ids) {
        uint64_t v;
        if (id.trim().getAsInteger(10, v))
          return fail("--workgroups '" + workgroupsOpt +
                      "': expected a count or a list of workgroup ids");
        options.workgroups.push_back(v);
      }
    } else if (!sample.empty()) {
      uint64_t count;
      if (sample.getAsInteger(10, count) || count == 0)
        return fail("--workgroups '" + workgroupsOpt +
                    "': expected a positive count or a list of ids");
      options.workgroups = sim::sampleWorkgroups(run.params.grid, count);
    }
    sim::KernelProfile profile;
    if (Error e = simulator->profile(run.kernel, run.params, run.args, memory,
                                     options, profile))
      return fail(toString(std::move(e)));
    sim::OccupancyHint hint;
    if (info)
      if (const amdgpu::KernelInfo *kernel = info->lookupKernel(run.kernel))
        hint.vgprs = kernel->vgprCount;
    sim::ModelEstimate estimate =
        sim::estimate(profile, *amdgpu::lookupTimingModel(chip.name), hint);
    if (json)
      sim::printProfileJson(outs(), profile, &estimate);
    else
      sim::printProfile(outs(), profile, &estimate);
  }
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
    if (spec->kind == ArgSpec::Kind::In || spec->kind == ArgSpec::Kind::InOut)
      if (Error e = readArgFile(i, text, *spec))
        return fail(toString(std::move(e)));
    specs.push_back(std::move(*spec));
  }

  bool profiling = profileOpt.getNumOccurrences() > 0;
  if (profiling && profileOpt != "" && profileOpt != "text" &&
      profileOpt != "json")
    return fail("--profile=" + profileOpt + ": expected text or json");
  if (profiling && hip)
    return fail("--profile runs on the simulator; use --device sim:gfxNNN");
  if (profiling && printStats)
    return fail("--print-stats counts plain runs; --profile reports its own "
                "counts, so give one of them");
  sim::CheckOptions checks;
  if (checkOpt.getNumOccurrences()) {
    if (Error e = checks.enable(checkOpt.empty() ? StringRef("all")
                                                 : StringRef(checkOpt)))
      return fail("--check=" + checkOpt + ": " + toString(std::move(e)));
  }
  if (maxStepsOpt.getNumOccurrences()) {
    StringRef text = maxStepsOpt;
    if (text.empty() || !llvm::all_of(text, isDigit) ||
        text.getAsInteger(10, checks.maxWaveInstructions))
      return fail("--max-steps '" + maxStepsOpt +
                  "': expected a whole number of instructions from 0 (no "
                  "limit) to 18446744073709551615, in decimal digits only");
  }
  if (hip && (checkOpt.getNumOccurrences() || maxStepsOpt.getNumOccurrences()))
    return fail("--check and --max-steps run on the simulator; use --device "
                "sim:gfxNNN");
  if (!workgroupsOpt.empty() && !profiling)
    return fail("--workgroups samples a profile; add --profile");
  if (!planOpt.empty()) {
    if (!kernelName.empty() || gridOpt.getNumOccurrences() ||
        blockOpt.getNumOccurrences() || ldsBytes.getNumOccurrences())
      return fail("--plan takes the kernels, grids and blocks from the "
                  "launch plan; drop --kernel, --grid, --block and --lds");
    for (auto [i, spec] : llvm::enumerate(specs))
      if (!spec.isBuffer())
        return fail("argument " + Twine(i) + " ('" + args[i] +
                    "'): with --plan every argument is one of the program's "
                    "buffers (in:, out:, inout: or zero:)");
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
  if (isIR) {
    if (hip)
      return fail("'" + inputFile +
                  "' is LLVM IR, which only the simulator "
                  "runs; give hip:N a code object (mxc -o FILE.hsaco)");
    return runInSimulator(*chip, checks, **file, launch, specs, nullptr);
  }
  // The simulator device takes the checks after its chip (docs/runtime.md).
  std::string deviceSpec = device;
  if (!hip) {
    if (checks.any())
      deviceSpec += ":check=" + checkList(checks);
    if (maxStepsOpt.getNumOccurrences())
      deviceSpec += ":max-steps=" + std::to_string(checks.maxWaveInstructions);
  }
  if (!profiling && planOpt.empty())
    return runWithRuntime(deviceSpec, **file, launch, specs, nullptr);
  // The launch plan and the registers the occupancy model needs.
  Expected<amdgpu::CodeObjectInfo> info =
      amdgpu::readCodeObject((*file)->getMemBufferRef());
  if (!info)
    return fail(toString(info.takeError()));
  if (profiling) {
    if (info->chip != chip->name)
      return fail("'" + inputFile + "' is built for " + info->chip + ", not " +
                  chip->name);
    return runInSimulator(*chip, checks, **file, launch, specs, &*info);
  }
  return runWithRuntime(deviceSpec, **file, launch, specs, &*info);
}
