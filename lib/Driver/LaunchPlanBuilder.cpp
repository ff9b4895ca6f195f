//===- LaunchPlanBuilder.cpp - Serialize mx.launch_plan ops ---------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "LaunchPlanBuilder.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "llvm/ADT/EquivalenceClasses.h"
#include "llvm/ADT/StringMap.h"
#include <map>

using namespace mlir;
using namespace mxc;

namespace {
/// One extent of a program parameter: (parameter index, dimension).
using ParamExtent = std::pair<unsigned, unsigned>;

/// Builds one function's program from its mx.launch_plan ops.
class ProgramBuilder {
public:
  ProgramBuilder(func::FuncOp func, ArrayRef<mx::LaunchPlanOp> ops)
      : func(func), ops(ops) {}
  FailureOr<amdgpu::PlanProgram> build();

private:
  /// The parameter `buffer` of `op` is, or an error at the op.
  FailureOr<unsigned> getParam(mx::LaunchPlanOp op, StringAttr buffer);
  LogicalResult relateSizes();
  LogicalResult addParams();
  /// The program size of parameter extent `extent` (creating it).
  unsigned getSize(ParamExtent extent);
  FailureOr<amdgpu::PlanDispatch> buildDispatch(mx::LaunchPlanOp op);

  func::FuncOp func;
  ArrayRef<mx::LaunchPlanOp> ops;
  amdgpu::PlanProgram program;
  /// Extents the ops say are one size, and the names they give them.
  llvm::EquivalenceClasses<ParamExtent> classes;
  std::map<ParamExtent, std::string> names;
  std::map<ParamExtent, unsigned> sizeOfLeader;
};
} // namespace

FailureOr<unsigned> ProgramBuilder::getParam(mx::LaunchPlanOp op,
                                             StringAttr buffer) {
  Value value = op.lookupBuffer(buffer.getValue());
  auto arg = dyn_cast_or_null<BlockArgument>(value);
  if (!arg || arg.getOwner() != &func.getBody().front())
    return op.emitOpError() << "buffer " << buffer << " is not a parameter of @"
                            << func.getSymName()
                            << "; a launch plan passes the program's "
                               "parameters only";
  return arg.getArgNumber();
}

LogicalResult ProgramBuilder::relateSizes() {
  for (mx::LaunchPlanOp op : ops)
    for (auto size : op.getSizes().getAsRange<mx::RuntimeSizeAttr>()) {
      std::optional<ParamExtent> first;
      for (const mx::BufferExtent &e : size.getExtents()) {
        FailureOr<unsigned> param = getParam(op, e.buffer);
        if (failed(param))
          return failure();
        ParamExtent extent(*param, e.dim);
        classes.insert(extent);
        names.emplace(extent, size.getName().str());
        if (first)
          classes.unionSets(*first, extent);
        else
          first = extent;
      }
    }
  return success();
}

unsigned ProgramBuilder::getSize(ParamExtent extent) {
  ParamExtent leader = extent;
  std::string name;
  if (classes.contains(extent)) {
    leader = classes.getLeaderValue(extent);
    name = names.at(extent);
  }
  auto [it, inserted] = sizeOfLeader.emplace(leader, program.sizes.size());
  if (!inserted)
    return it->second;
  if (name.empty())
    name = "arg" + std::to_string(extent.first) + ".dim" +
           std::to_string(extent.second);
  // Two unrelated sizes of one name: number the later ones.
  std::string unique = name;
  for (unsigned n = 2; program.lookupSize(unique) >= 0; ++n)
    unique = name + std::to_string(n);
  program.sizes.push_back({unique, extent.first, extent.second});
  return it->second;
}

LogicalResult ProgramBuilder::addParams() {
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto memref = dyn_cast<MemRefType>(type);
    if (!memref || !memref.getLayout().isIdentity())
      return func.emitError() << "parameter " << i << " has type " << type
                              << "; a program launching kernels takes "
                                 "identity-layout memrefs only";
    amdgpu::PlanParam param;
    llvm::raw_string_ostream os(param.type);
    memref.print(os);
    Type element = memref.getElementType();
    if (std::optional<mx::FormatInfo> format = mx::getFormatInfo(element))
      param.elementBits = format->bits;
    else if (element.isIntOrFloat())
      param.elementBits = element.getIntOrFloatBitWidth();
    else
      return func.emitError() << "parameter " << i << " has elements of type "
                              << element << ", which have no size in bits";
    program.params.push_back(std::move(param));
  }
  // Sizes in parameter order, so the first dynamic extent is size 0.
  for (auto [i, type] : llvm::enumerate(func.getArgumentTypes())) {
    auto memref = cast<MemRefType>(type);
    for (auto [d, extent] : llvm::enumerate(memref.getShape()))
      program.params[i].shape.push_back(
          ShapedType::isDynamic(extent)
              ? -1 - int64_t(getSize({unsigned(i), unsigned(d)}))
              : extent);
  }
  return success();
}

FailureOr<amdgpu::PlanDispatch>
ProgramBuilder::buildDispatch(mx::LaunchPlanOp op) {
  amdgpu::PlanDispatch dispatch;
  dispatch.op = op.getSourceOp().str();
  // The op's size names, as program sizes: any extent names the class.
  llvm::StringMap<unsigned> sizeIndex;
  for (auto size : op.getSizes().getAsRange<mx::RuntimeSizeAttr>()) {
    const mx::BufferExtent &e = size.getExtents().front();
    FailureOr<unsigned> param = getParam(op, e.buffer);
    if (failed(param))
      return failure();
    sizeIndex[size.getName()] = getSize({*param, e.dim});
  }
  for (auto variant : op.getVariants().getAsRange<mx::LaunchVariantAttr>()) {
    amdgpu::PlanVariant plan;
    for (const mx::SizeRange &range : variant.getWhen())
      plan.when.push_back(
          {sizeIndex.at(range.size.getValue()), range.min, range.max});
    for (mx::KernelLaunchAttr launch : variant.getLaunches()) {
      amdgpu::PlanLaunch out;
      out.kernel = launch.getKernel().getLeafReference().str();
      for (auto [d, e] : llvm::enumerate(launch.getGrid())) {
        if (e.isConstant()) {
          out.grid[d].constant = e.value;
        } else {
          out.grid[d].divisor = e.value;
          out.grid[d].size = sizeIndex.at(e.size.getValue());
        }
      }
      for (auto [d, extent] : llvm::enumerate(launch.getBlock()))
        out.block[d] = uint32_t(extent);
      out.dynamicLdsBytes = uint32_t(launch.getLdsBytes());
      if (auto config =
              dyn_cast_or_null<mx::GemmConfigAttr>(launch.getConfig()))
        out.config = printGemmConfig(toGemmConfig(config));
      for (const mx::KernelArg &arg : launch.getArgs()) {
        amdgpu::PlanArg planArg;
        planArg.bytes = arg.bytes;
        switch (arg.kind) {
        case mx::KernelArg::Kind::Buffer: {
          FailureOr<unsigned> param = getParam(op, arg.name);
          if (failed(param))
            return failure();
          planArg.kind = amdgpu::PlanArg::Kind::Param;
          planArg.index = *param;
          break;
        }
        case mx::KernelArg::Kind::Size:
          planArg.kind = amdgpu::PlanArg::Kind::Size;
          planArg.index = sizeIndex.at(arg.name.getValue());
          break;
        case mx::KernelArg::Kind::Constant:
          planArg.kind = amdgpu::PlanArg::Kind::Constant;
          planArg.value = arg.value;
          break;
        }
        out.args.push_back(planArg);
      }
      plan.launches.push_back(std::move(out));
    }
    dispatch.variants.push_back(std::move(plan));
  }
  return dispatch;
}

FailureOr<amdgpu::PlanProgram> ProgramBuilder::build() {
  program.name = func.getSymName().str();
  if (failed(relateSizes()) || failed(addParams()))
    return failure();
  for (mx::LaunchPlanOp op : ops) {
    FailureOr<amdgpu::PlanDispatch> dispatch = buildDispatch(op);
    if (failed(dispatch))
      return failure();
    program.dispatches.push_back(std::move(*dispatch));
  }
  return program;
}

FailureOr<amdgpu::LaunchPlan> mxc::driver::buildLaunchPlan(ModuleOp module) {
  amdgpu::LaunchPlan plan;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    // The ops run in order only in the function's entry block.
    SmallVector<mx::LaunchPlanOp> ops;
    WalkResult nested = func.walk([&](mx::LaunchPlanOp op) {
      if (op->getBlock() == &func.getBody().front()) {
        ops.push_back(op);
        return WalkResult::advance();
      }
      op.emitOpError("is under control flow; launch plans describe the ops "
                     "in a function's entry block only");
      return WalkResult::interrupt();
    });
    if (nested.wasInterrupted())
      return failure();
    if (ops.empty())
      continue;
    FailureOr<amdgpu::PlanProgram> program = ProgramBuilder(func, ops).build();
    if (failed(program))
      return failure();
    plan.programs.push_back(std::move(*program));
  }
  return plan;
}
