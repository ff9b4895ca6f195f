//===- Inspect.cpp - mxc inspect: what a code object holds ----------------===//
//
// Part of mxc. Per kernel: registers, spills, scratch, LDS, occupancy, the
// argument layout, and the hot loop's instruction mix (the figures of
// ../shared/tools/isa_stats.py); then mxc's launch plan where present.
//
//===----------------------------------------------------------------------===//

#include "Inspect.h"
#include "mxc/Target/AMDGPU/CodeObjectReader.h"
#include "mxc/Target/AMDGPU/IsaStats.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/JSON.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;
using namespace mxc;
using namespace mxc::amdgpu;

static std::string describeDim(const PlanDim &dim, const PlanProgram &program) {
  if (!dim.divisor)
    return std::to_string(dim.constant);
  return "ceil(" + program.sizes[dim.size].name + "/" +
         std::to_string(dim.divisor) + ")";
}

static std::string describeArg(const PlanArg &arg, const PlanProgram &program) {
  switch (arg.kind) {
  case PlanArg::Kind::Param:
    return "arg" + std::to_string(arg.index);
  case PlanArg::Kind::Size:
    return program.sizes[arg.index].name;
  case PlanArg::Kind::Constant:
    return std::to_string(arg.value);
  }
  llvm_unreachable("unknown PlanArg kind");
}

static void printLaunch(raw_ostream &os, const PlanLaunch &launch,
                        const PlanProgram &program) {
  os << "  launch " << launch.kernel << " grid "
     << describeDim(launch.grid[0], program) << ","
     << describeDim(launch.grid[1], program) << ","
     << describeDim(launch.grid[2], program) << " block " << launch.block[0]
     << "," << launch.block[1] << "," << launch.block[2] << " lds "
     << launch.dynamicLdsBytes << " args(";
  for (auto [i, arg] : llvm::enumerate(launch.args))
    os << (i ? ", " : "") << describeArg(arg, program);
  os << ")";
  if (!launch.config.empty())
    os << " config " << launch.config;
  os << "\n";
}

static void printText(raw_ostream &os, StringRef file,
                      const CodeObjectInfo &info,
                      ArrayRef<KernelIsaStats> stats) {
  os << file << ": " << info.targetId << ", " << info.kernels.size()
     << (info.kernels.size() == 1 ? " kernel\n" : " kernels\n");
  for (const KernelIsaStats &s : stats) {
    const KernelInfo &k = *s.kernel;
    os << "kernel " << k.name << "\n";
    os << "  registers: vgpr " << k.vgprCount << " agpr " << k.agprCount
       << " sgpr " << k.sgprCount << "; spills vgpr " << k.vgprSpillCount
       << " sgpr " << k.sgprSpillCount << "; scratch "
       << k.privateSegmentFixedSize << " B; lds " << k.groupSegmentFixedSize
       << " B; waves/simd " << s.wavesPerSimd << "\n";
    os << "  workgroup: wave" << k.wavefrontSize << ", at most "
       << k.maxFlatWorkgroupSize << " lanes";
    if (k.reqdWorkgroupSize)
      os << ", exactly " << (*k.reqdWorkgroupSize)[0] << ","
         << (*k.reqdWorkgroupSize)[1] << "," << (*k.reqdWorkgroupSize)[2];
    os << "; kernarg " << k.kernargSegmentSize << " B\n";
    os << "  args:";
    for (auto [i, arg] : llvm::enumerate(k.args)) {
      os << (i ? ", " : " ") << arg.valueKind;
      if (!arg.name.empty())
        os << " " << arg.name;
      os << " " << arg.size << "B@" << arg.offset;
    }
    os << "\n  code: " << s.instructions << " instructions, "
       << s.matrixInstructions << " matrix\n";
    if (!s.hotLoop) {
      os << "  hot loop: none (no loop holds a matrix instruction)\n";
      continue;
    }
    const HotLoopStats &l = *s.hotLoop;
    os << "  hot loop: " << l.instructions << " instructions, "
       << l.matrixInstructions << " matrix (" << join(l.matrixOps, ",") << "), "
       << l.flopsPerIteration << " FLOP/iter, "
       << format("%.2f", l.nonMatrixPerMatrix) << " non-matrix per matrix, "
       << format("%.1f", l.nonMatrixPerMflop)
       << " per MFLOP, matrix cycles/iter ";
    if (l.matrixCyclesPerIteration)
      os << *l.matrixCyclesPerIteration << "\n";
    else
      os << "unknown\n";
    os << "  mix:";
    for (const auto &[category, count] : l.mix)
      os << " " << category << "=" << count;
    os << "\n";
  }
  if (!info.plan)
    return;
  for (const PlanProgram &program : info.plan->programs) {
    os << "program " << program.name << "(";
    for (auto [i, param] : llvm::enumerate(program.params))
      os << (i ? ", " : "") << "arg" << i << ": " << param.type;
    os << ")\n";
    for (const PlanSize &size : program.sizes)
      os << "  size " << size.name << " = dim " << size.dim << " of arg"
         << size.param << "\n";
    for (const PlanDispatch &dispatch : program.dispatches)
      for (auto [v, variant] : llvm::enumerate(dispatch.variants)) {
        if (dispatch.variants.size() > 1 || !variant.when.empty())
          os << "  " << (dispatch.op.empty() ? "op" : dispatch.op)
             << " variant " << v << ": " << describeWhen(program, variant)
             << "\n";
        for (const PlanLaunch &launch : variant.launches)
          printLaunch(os, launch, program);
      }
  }
}

static json::Object toJson(StringRef file, const KernelIsaStats &s) {
  const KernelInfo &k = *s.kernel;
  json::Object o{{"file", sys::path::filename(file)},
                 {"kernel", k.name},
                 {"instructions", s.instructions},
                 {"vgpr_count", k.vgprCount},
                 {"agpr_count", k.agprCount},
                 {"sgpr_count", k.sgprCount},
                 {"vgpr_spill_count", k.vgprSpillCount},
                 {"sgpr_spill_count", k.sgprSpillCount},
                 {"private_segment_fixed_size", k.privateSegmentFixedSize},
                 {"group_segment_fixed_size", k.groupSegmentFixedSize},
                 {"waves_per_simd", s.wavesPerSimd},
                 {"matrix_total", s.matrixInstructions}};
  if (s.hotLoop) {
    const HotLoopStats &l = *s.hotLoop;
    json::Object mix;
    for (const auto &[category, count] : l.mix)
      mix[category] = count;
    json::Array ops;
    for (const std::string &op : l.matrixOps)
      ops.push_back(op);
    o["loop"] = json::Object{
        {"instructions", l.instructions},
        {"mix", std::move(mix)},
        {"flops_per_iter", l.flopsPerIteration},
        // Ties to even, as isa_stats.py's round() does.
        {"non_matrix_per_matrix",
         std::nearbyint(l.nonMatrixPerMatrix * 100) / 100},
        {"non_matrix_per_mflop", std::nearbyint(l.nonMatrixPerMflop * 10) / 10},
        {"matrix_cycles_per_iter",
         l.matrixCyclesPerIteration ? json::Value(*l.matrixCyclesPerIteration)
                                    : json::Value(nullptr)},
        {"matrix_ops", std::move(ops)}};
  }
  return o;
}

int mxc::tools::runInspect(ArrayRef<std::string> files, bool asJson) {
  json::Array all;
  int status = 0;
  for (const std::string &file : files) {
    ErrorOr<std::unique_ptr<MemoryBuffer>> buffer = MemoryBuffer::getFile(file);
    if (!buffer) {
      WithColor::error(errs(), "mxc inspect")
          << "cannot read '" << file << "': " << buffer.getError().message()
          << "\n";
      status = 1;
      continue;
    }
    Expected<CodeObjectInfo> info =
        readCodeObject((*buffer)->getMemBufferRef());
    Expected<std::vector<KernelIsaStats>> stats =
        info ? analyzeIsa((*buffer)->getMemBufferRef(), *info)
             : Expected<std::vector<KernelIsaStats>>(info.takeError());
    if (!stats) {
      WithColor::error(errs(), "mxc inspect")
          << toString(stats.takeError()) << "\n";
      status = 1;
      continue;
    }
    if (asJson) {
      for (const KernelIsaStats &s : *stats)
        all.push_back(toJson(file, s));
      continue;
    }
    printText(outs(), file, *info, *stats);
  }
  if (asJson)
    outs() << formatv("{0:1}", json::Value(std::move(all))) << "\n";
  return status;
}
