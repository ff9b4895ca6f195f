//===- LaunchPlanBuilder.cpp - A program's launch plan from its IR --------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "LaunchPlanBuilder.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::driver;

/// The index of `value` among `func`'s parameters, if it is one.
static std::optional<unsigned> getParamIndex(func::FuncOp func, Value value) {
  auto arg = dyn_cast<BlockArgument>(value);
  if (!arg || arg.getOwner() != &func.getBody().front())
    return std::nullopt;
  return arg.getArgNumber();
}

llvm::StringMap<ProgramSizes>
mxc::driver::collectProgramSizes(ModuleOp module) {
  llvm::StringMap<ProgramSizes> result;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    ProgramSizes &sizes = result[func.getSymName()];
    // Extents of parameters `values` that one op requires equal, named `name`.
    auto relate = [&](ValueRange values, unsigned dim, StringRef name) {
      std::optional<ParamExtent> first;
      for (Value v : values) {
        std::optional<unsigned> param = getParamIndex(func, v);
        auto type = dyn_cast<MemRefType>(v.getType());
        if (!param || !type || !type.isDynamicDim(dim))
          continue;
        ParamExtent extent(*param, dim);
        sizes.classes.insert(extent);
        if (first)
          sizes.classes.unionSets(*first, extent);
        else
          first = extent;
        sizes.names.emplace(extent, name.str());
      }
    };
    func.walk([&](mx::ScaledMatmulOp op) {
      relate({op.getA(), op.getAScales(), op.getC()}, 0, "M");
    });
  }
  return result;
}

namespace {
/// Builds one function's program.
class ProgramBuilder {
public:
  ProgramBuilder(func::FuncOp func, const ProgramSizes *sizes)
      : func(func), sizes(sizes) {}
  FailureOr<amdgpu::PlanProgram> build();

private:
  LogicalResult addParams();
  /// The size index of parameter extent `extent` (creating it).
  unsigned getSize(ParamExtent extent);
  /// Size index of `memref.dim %param, constant`, if `v` is one.
  std::optional<unsigned> readDim(Value v);
  FailureOr<amdgpu::PlanDim> readGridDim(Value v);
  FailureOr<amdgpu::PlanArg> readArg(Value v);
  FailureOr<amdgpu::PlanLaunch> readLaunch(gpu::LaunchFuncOp launch);

  func::FuncOp func;
  const ProgramSizes *sizes;
  amdgpu::PlanProgram program;
  std::map<ParamExtent, unsigned> sizeOfLeader;
};
} // namespace

unsigned ProgramBuilder::getSize(ParamExtent extent) {
  ParamExtent leader = extent;
  std::string name;
  if (sizes && sizes->classes.contains(extent)) {
    leader = sizes->classes.getLeaderValue(extent);
    auto named = sizes->names.find(extent);
    if (named != sizes->names.end())
      name = named->second;
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

std::optional<unsigned> ProgramBuilder::readDim(Value v) {
  auto dim = v.getDefiningOp<memref::DimOp>();
  if (!dim)
    return std::nullopt;
  std::optional<unsigned> param = getParamIndex(func, dim.getSource());
  std::optional<int64_t> index = dim.getConstantIndex();
  if (!param || !index)
    return std::nullopt;
  return getSize({*param, unsigned(*index)});
}

FailureOr<amdgpu::PlanDim> ProgramBuilder::readGridDim(Value v) {
  amdgpu::PlanDim dim;
  // Only what a plan reader accepts: a constant in [1, 2^32), a divisor of
  // at least 1 (PlanDim::evaluate then cannot overflow).
  if (auto c = v.getDefiningOp<arith::ConstantIndexOp>()) {
    if (c.value() < 1 || c.value() > int64_t(UINT32_MAX))
      return failure();
    dim.constant = c.value();
    return dim;
  }
  if (auto div = v.getDefiningOp<arith::CeilDivUIOp>())
    if (auto c = div.getRhs().getDefiningOp<arith::ConstantIndexOp>();
        c && c.value() >= 1)
      if (std::optional<unsigned> size = readDim(div.getLhs())) {
        dim.divisor = c.value();
        dim.size = *size;
        return dim;
      }
  return failure();
}

FailureOr<amdgpu::PlanArg> ProgramBuilder::readArg(Value v) {
  amdgpu::PlanArg arg;
  Type type = v.getType();
  arg.bytes =
      isa<LLVM::LLVMPointerType>(type)
          ? 8
          : (type.isIntOrFloat() ? type.getIntOrFloatBitWidth() / 8 : 0);
  if (arg.bytes != 4 && arg.bytes != 8)
    return failure();
  // A buffer: the aligned pointer of a parameter.
  if (auto ptr = v.getDefiningOp<LLVM::IntToPtrOp>())
    if (auto cast = ptr.getArg().getDefiningOp<arith::IndexCastUIOp>())
      if (auto extract =
              cast.getIn()
                  .getDefiningOp<memref::ExtractAlignedPointerAsIndexOp>())
        if (std::optional<unsigned> param =
                getParamIndex(func, extract.getSource())) {
          arg.kind = amdgpu::PlanArg::Kind::Param;
          arg.index = *param;
          return arg;
        }
  // A runtime size.
  Value in = v;
  if (auto cast = v.getDefiningOp<arith::IndexCastUIOp>())
    in = cast.getIn();
  else if (auto cast = v.getDefiningOp<arith::IndexCastOp>())
    in = cast.getIn();
  if (std::optional<unsigned> size = readDim(in)) {
    arg.kind = amdgpu::PlanArg::Kind::Size;
    arg.index = *size;
    return arg;
  }
  // A constant.
  IntegerAttr value;
  if (matchPattern(v, m_Constant(&value))) {
    arg.kind = amdgpu::PlanArg::Kind::Constant;
    arg.value = value.getValue().getSExtValue();
    return arg;
  }
  return failure();
}

FailureOr<amdgpu::PlanLaunch>
ProgramBuilder::readLaunch(gpu::LaunchFuncOp launch) {
  amdgpu::PlanLaunch plan;
  plan.kernel = launch.getKernelName().str();
  gpu::KernelDim3 grid = launch.getGridSizeOperandValues();
  gpu::KernelDim3 block = launch.getBlockSizeOperandValues();
  Value gridValues[] = {grid.x, grid.y, grid.z};
  Value blockValues[] = {block.x, block.y, block.z};
  for (unsigned d = 0; d < 3; ++d) {
    FailureOr<amdgpu::PlanDim> g = readGridDim(gridValues[d]);
    auto b = blockValues[d].getDefiningOp<arith::ConstantIndexOp>();
    if (failed(g) || !b || b.value() < 1 || b.value() > 1024)
      return launch.emitError("launch dimensions are not ones mxc's launch "
                              "plan can describe (grid constants from 1 to "
                              "2^32-1 or ceil(size / tile) with tile >= 1, "
                              "block constants from 1 to 1024)");
    plan.grid[d] = *g;
    plan.block[d] = b.value();
  }
  if (Value lds = launch.getDynamicSharedMemorySize()) {
    auto c = lds.getDefiningOp<arith::ConstantIntOp>();
    if (!c)
      return launch.emitError("dynamic LDS size is not a constant");
    plan.dynamicLdsBytes = c.value();
  }
  for (auto [i, operand] : llvm::enumerate(launch.getKernelOperands())) {
    FailureOr<amdgpu::PlanArg> arg = readArg(operand);
    if (failed(arg))
      return launch.emitError() << "kernel argument " << i
                                << " is neither a parameter's pointer, a "
                                   "runtime size nor a constant";
    plan.args.push_back(*arg);
  }
  if (auto kernel = SymbolTable::lookupNearestSymbolFrom<gpu::GPUFuncOp>(
          launch, launch.getKernel()))
    if (auto config = kernel->getAttrOfType<mx::GemmConfigAttr>("mx.config"))
      plan.config = printGemmConfig(toGemmConfig(config));
  return plan;
}

FailureOr<amdgpu::PlanProgram> ProgramBuilder::build() {
  program.name = func.getSymName().str();
  if (failed(addParams()))
    return failure();
  for (Operation &op : func.getBody().front())
    if (auto launch = dyn_cast<gpu::LaunchFuncOp>(op)) {
      FailureOr<amdgpu::PlanLaunch> plan = readLaunch(launch);
      if (failed(plan))
        return failure();
      program.launches.push_back(std::move(*plan));
    }
  return program;
}

FailureOr<amdgpu::LaunchPlan>
mxc::driver::buildLaunchPlan(ModuleOp module,
                             const llvm::StringMap<ProgramSizes> &sizes) {
  amdgpu::LaunchPlan plan;
  for (auto func : module.getOps<func::FuncOp>()) {
    if (func.isExternal())
      continue;
    // Launches must sit in the function's entry block to run in order.
    WalkResult nested = func.walk([&](gpu::LaunchFuncOp launch) {
      if (launch->getBlock() == &func.getBody().front())
        return WalkResult::advance();
      launch.emitError("launch plans describe launches in a function's entry "
                       "block only, not under control flow");
      return WalkResult::interrupt();
    });
    if (nested.wasInterrupted())
      return failure();
    if (func.getOps<gpu::LaunchFuncOp>().empty())
      continue;
    auto it = sizes.find(func.getSymName());
    FailureOr<amdgpu::PlanProgram> program =
        ProgramBuilder(func, it == sizes.end() ? nullptr : &it->second).build();
    if (failed(program))
      return failure();
    plan.programs.push_back(std::move(*program));
  }
  return plan;
}
