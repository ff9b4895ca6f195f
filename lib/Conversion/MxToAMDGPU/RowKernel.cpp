//===- RowKernel.cpp - Kernels that sweep the rows of their operands ------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "RowKernel.h"

#include "BlockQuantize.h"

#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Dialect/Mx/MxOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::rows;
using tile::TileBuilder;

RowLanes RowLanes::get(int64_t runsPerRow, unsigned waves, unsigned waveSize) {
  RowLanes l;
  l.runsPerRow = runsPerRow;
  l.waveSize = waveSize;
  l.waves = waves;
  l.lanesPerRow = unsigned(
      std::min<uint64_t>(waveSize, llvm::PowerOf2Ceil(uint64_t(runsPerRow))));
  l.rowsPerWave = waveSize / l.lanesPerRow;
  l.segments = llvm::divideCeil(runsPerRow, l.lanesPerRow);
  return l;
}

LanePlace mxc::rows::getLanePlace(TileBuilder &t, const RowLanes &lanes,
                                  Value m) {
  ImplicitLocOpBuilder &b = t.b;
  Type i32 = b.getI32Type();
  LanePlace p;
  p.tid = arith::IndexCastUIOp::create(
      b, i32, gpu::ThreadIdOp::create(b, gpu::Dimension::x));
  p.lane = t.remConst(p.tid, lanes.waveSize);
  // The wave index is uniform: readfirstlane keeps its arithmetic scalar.
  p.wave =
      ROCDL::ReadfirstlaneOp::create(b, i32, t.divConst(p.tid, lanes.waveSize));
  Value group = arith::IndexCastUIOp::create(
      b, i32, gpu::BlockIdOp::create(b, gpu::Dimension::y));
  Value firstRow = t.add(t.mulConst(group, lanes.rowsPerGroup()),
                         t.mulConst(p.wave, lanes.rowsPerWave));
  p.row = t.add(firstRow, t.divConst(p.lane, lanes.lanesPerRow));
  p.run = t.remConst(p.lane, lanes.lanesPerRow);
  if (lanes.segments > 1) {
    Value segment = arith::IndexCastUIOp::create(
        b, i32, gpu::BlockIdOp::create(b, gpu::Dimension::x));
    p.run = t.add(t.mulConst(segment, lanes.lanesPerRow), p.run);
  }
  p.valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult, p.row, m);
  if (lanes.segments * lanes.lanesPerRow != lanes.runsPerRow)
    p.valid =
        arith::AndIOp::create(b, p.valid, t.lessThan(p.run, lanes.runsPerRow));
  return p;
}

LogicalResult mxc::rows::checkPlanBuffers(Operation *op,
                                          ArrayRef<PlanBuffer> buffers) {
  for (const PlanBuffer &buffer : buffers) {
    auto type = cast<MemRefType>(buffer.value.getType());
    if (!type.getLayout().isIdentity())
      return op->emitOpError()
             << buffer.name
             << " must be a contiguous row-major memref (identity layout) to "
                "be passed to a kernel; got "
             << type;
  }
  return success();
}

FailureOr<int64_t> mxc::rows::getStaticRowWidth(Operation *op, Value operand,
                                                StringRef widthName,
                                                StringRef operandName) {
  int64_t width = cast<MemRefType>(operand.getType()).getDimSize(1);
  if (ShapedType::isDynamic(width))
    return op->emitOpError("needs a static ")
           << widthName << " (extent 1 of the " << operandName
           << ") to build its kernel";
  return width;
}

gpu::GPUFuncOp mxc::rows::createRowKernel(ImplicitLocOpBuilder &b,
                                          Operation *op,
                                          gpu::GPUModuleOp kernels,
                                          StringRef opName, unsigned buffers,
                                          unsigned threads) {
  MLIRContext *ctx = op->getContext();
  std::string name = opName.str();
  if (auto func = op->getParentOfType<FunctionOpInterface>())
    name = (func.getName() + "_" + opName).str();
  SmallVector<Type> argTypes(buffers, LLVM::LLVMPointerType::get(ctx, 1));
  argTypes.push_back(IntegerType::get(ctx, 32));
  b.setInsertionPointToEnd(&kernels.getBodyRegion().front());
  auto func = gpu::GPUFuncOp::create(b, name, b.getFunctionType(argTypes, {}));
  func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
  func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({int32_t(threads), 1, 1}));
  SymbolTable(kernels).insert(func);
  b.setInsertionPointToStart(&func.getBody().front());
  return func;
}

int64_t mxc::rows::getNarrowVariantLimit(const amdgpu::ChipInfo &chip,
                                         const RowGrid &grid) {
  // segments * ceil(M / rowsPerGroup) < CUs  <=>
  // ceil(M / rowsPerGroup) <= ceil(CUs / segments) - 1.
  int64_t groups = llvm::divideCeil(int64_t(chip.computeUnits), grid.segments);
  return (groups - 1) * grid.rowsPerGroup;
}

int64_t mxc::rows::getStaticM(ArrayRef<PlanBuffer> buffers) {
  for (const PlanBuffer &buffer : buffers) {
    auto type = cast<MemRefType>(buffer.value.getType());
    if (buffer.rowsAreM && !type.isDynamicDim(0))
      return type.getDimSize(0);
  }
  return ShapedType::kDynamic;
}

void mxc::rows::replaceWithRowPlan(RewriterBase &rewriter, Operation *op,
                                   StringRef opName,
                                   ArrayRef<PlanBuffer> buffers,
                                   ArrayRef<RowVariant> variants) {
  MLIRContext *ctx = op->getContext();
  Builder attrs(ctx);
  StringAttr mName = attrs.getStringAttr("M");
  SmallVector<mx::BufferExtent> mExtents;
  int64_t staticM = ShapedType::kDynamic;
  for (const PlanBuffer &buffer : buffers) {
    if (!buffer.rowsAreM)
      continue;
    auto type = cast<MemRefType>(buffer.value.getType());
    if (type.isDynamicDim(0))
      mExtents.push_back({attrs.getStringAttr(buffer.name), 0});
    else
      staticM = type.getDimSize(0);
  }
  // The verifiers make the extents equal: one static extent fixes M.
  bool dynamicM = ShapedType::isDynamic(staticM);
  if (!dynamicM)
    mExtents.clear();

  SmallVector<Attribute> planVariants;
  int64_t minM = 0;
  for (auto [v, variant] : llvm::enumerate(variants)) {
    bool last = v + 1 == variants.size();
    int64_t maxM = last ? std::numeric_limits<int32_t>::max() : variant.maxM;
    // A static M runs the variant whose range holds it, and no kernel when
    // it is 0.
    bool used =
        dynamicM ? true : staticM > 0 && staticM >= minM && staticM <= maxM;
    if (!used) {
      rewriter.eraseOp(gpu::GPUFuncOp(variant.kernel));
      minM = maxM + 1;
      continue;
    }
    const RowGrid &grid = variant.grid;
    mx::GridExtent gridY =
        dynamicM ? mx::GridExtent::ceilDiv(mName, grid.rowsPerGroup)
                 : mx::GridExtent::constant(
                       llvm::divideCeil(staticM, grid.rowsPerGroup));
    SmallVector<mx::KernelArg> args;
    for (const PlanBuffer &buffer : buffers)
      args.push_back(mx::KernelArg::buffer(attrs.getStringAttr(buffer.name)));
    args.push_back(dynamicM ? mx::KernelArg::size(mName, 4)
                            : mx::KernelArg::constant(staticM, 4));
    gpu::GPUFuncOp kernel = variant.kernel;
    auto kernels = kernel->getParentOfType<gpu::GPUModuleOp>();
    auto symbol = SymbolRefAttr::get(
        kernels.getNameAttr(), {FlatSymbolRefAttr::get(kernel.getNameAttr())});
    auto launch = mx::KernelLaunchAttr::get(
        ctx, symbol,
        {mx::GridExtent::constant(grid.segments), gridY,
         mx::GridExtent::constant(1)},
        {int64_t(grid.threads), 1, 1}, variant.ldsBytes, args, Attribute());
    SmallVector<mx::SizeRange> when;
    if (dynamicM && variants.size() > 1)
      when.push_back({mName, minM, maxM});
    planVariants.push_back(mx::LaunchVariantAttr::get(ctx, when, {launch}));
    minM = maxM + 1;
  }
  // Nothing to compute: one variant without launches.
  if (planVariants.empty())
    planVariants.push_back(mx::LaunchVariantAttr::get(ctx, {}, {}));

  SmallVector<Attribute> sizes;
  if (!mExtents.empty())
    sizes.push_back(mx::RuntimeSizeAttr::get(ctx, mName, mExtents));
  SmallVector<Value> values;
  SmallVector<StringRef> names;
  for (const PlanBuffer &buffer : buffers) {
    values.push_back(buffer.value);
    names.push_back(buffer.name);
  }
  rewriter.setInsertionPoint(op);
  mx::LaunchPlanOp::create(
      rewriter, op->getLoc(), opName, values, attrs.getStrArrayAttr(names),
      attrs.getArrayAttr(sizes), attrs.getArrayAttr(planVariants));
  rewriter.eraseOp(op);
}

void mxc::rows::buildRowVariants(RewriterBase &rewriter, Operation *op,
                                 StringRef opName, ArrayRef<PlanBuffer> buffers,
                                 const amdgpu::ChipInfo &chip,
                                 const RowGrid &wide, bool hasNarrow,
                                 RowVariantBuilder build) {
  int64_t narrowLimit = getNarrowVariantLimit(chip, wide);
  bool narrow = hasNarrow && narrowLimit >= 1;
  int64_t staticM = getStaticM(buffers);
  SmallVector<RowVariant> variants;
  if (!ShapedType::isDynamic(staticM)) {
    // One kernel, for the M there is.
    variants.push_back(build(narrow && staticM <= narrowLimit, opName));
  } else {
    if (narrow) {
      variants.push_back(
          build(true, (opName + "_m" + Twine(narrowLimit)).str()));
      variants.back().maxM = narrowLimit;
    }
    variants.push_back(build(false, opName));
  }
  replaceWithRowPlan(rewriter, op, opName, buffers, variants);
}

void mxc::rows::buildRowKernels(RewriterBase &rewriter, Operation *op,
                                gpu::GPUModuleOp kernels, StringRef opName,
                                ArrayRef<PlanBuffer> buffers,
                                const amdgpu::ChipInfo &chip,
                                int64_t runsPerRow, unsigned waves,
                                RowKernelBody body) {
  ImplicitLocOpBuilder b(op->getLoc(), rewriter);
  RowLanes wide = RowLanes::get(runsPerRow, waves, chip.waveSize);
  // Small M: one-wave workgroups, as many as the rows' waves.
  RowLanes narrow = RowLanes::get(runsPerRow, 1, chip.waveSize);
  auto grid = [](const RowLanes &lanes) {
    return RowGrid{lanes.segments, lanes.rowsPerGroup(), lanes.threads()};
  };
  buildRowVariants(rewriter, op, opName, buffers, chip, grid(wide), waves > 1,
                   [&](bool small, StringRef name) {
                     const RowLanes &lanes = small ? narrow : wide;
                     gpu::GPUFuncOp func = createRowKernel(
                         b, op, kernels, name, unsigned(buffers.size()),
                         lanes.threads());
                     body(b, func, lanes);
                     return RowVariant{func, grid(lanes)};
                   });
}

Value mxc::rows::allocateKernelLds(ImplicitLocOpBuilder &b,
                                   gpu::GPUFuncOp kernel, int64_t bytes) {
  auto module = kernel->getParentOfType<gpu::GPUModuleOp>();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(kernel);
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), bytes);
  auto global = LLVM::GlobalOp::create(
      b, type, /*isConstant=*/false, LLVM::Linkage::Internal,
      (kernel.getName() + "_lds").str(), Attribute(), /*alignment=*/16,
      /*addrSpace=*/3);
  SymbolTable(module).insert(global);
  b.setInsertionPointToStart(&kernel.getBody().front());
  return LLVM::AddressOfOp::create(b, global);
}

Value mxc::rows::makeRowsResource(TileBuilder &t, Value base, Value rows,
                                  int64_t rowBytes) {
  ImplicitLocOpBuilder &b = t.b;
  Value rows64 = arith::ExtUIOp::create(b, b.getI64Type(), rows);
  Value bytes = arith::MulIOp::create(
      b, rows64, arith::ConstantIntOp::create(b, rowBytes, 64));
  return t.makeResource(base, bytes);
}

SmallVector<Value> mxc::rows::unpackToF32(TileBuilder &t, Value words,
                                          Type elementType) {
  ImplicitLocOpBuilder &b = t.b;
  Type f32 = b.getF32Type();
  int64_t count = cast<VectorType>(words.getType()).getNumElements();
  SmallVector<Value> out;
  for (int64_t i = 0; i < count; ++i) {
    Value w = t.extract(words, i);
    if (elementType.isF32()) {
      out.push_back(arith::BitcastOp::create(b, f32, w));
    } else if (elementType.isBF16()) {
      // A bf16 is the high half of the fp32 of the same value.
      Value lo = arith::ShLIOp::create(b, w, t.i32(16));
      Value hi = arith::AndIOp::create(b, w, t.i32(int32_t(0xFFFF0000)));
      out.push_back(arith::BitcastOp::create(b, f32, lo));
      out.push_back(arith::BitcastOp::create(b, f32, hi));
    } else {
      for (int64_t shift : {0, 16}) {
        Value half = arith::TruncIOp::create(
            b, b.getI16Type(), arith::ShRUIOp::create(b, w, t.i32(shift)));
        Value f16 = arith::BitcastOp::create(b, b.getF16Type(), half);
        out.push_back(arith::ExtFOp::create(b, f32, f16));
      }
    }
  }
  return out;
}

Value mxc::rows::packFromF32(TileBuilder &t, ArrayRef<Value> values,
                             Type elementType) {
  ImplicitLocOpBuilder &b = t.b;
  int64_t n = int64_t(values.size());
  Value run = vector::FromElementsOp::create(
      b, VectorType::get({n}, b.getF32Type()), values);
  if (!elementType.isF32())
    run = arith::TruncFOp::create(b, VectorType::get({n}, elementType), run);
  int64_t bytes = n * elementType.getIntOrFloatBitWidth() / 8;
  return vector::BitCastOp::create(
      b, VectorType::get({bytes / 4}, b.getI32Type()), run);
}

void mxc::rows::storeQuantizedRun(TileBuilder &t, const QuantizedRows &out,
                                  ArrayRef<Value> x, Value lane, Value row,
                                  Value run, Value valid) {
  ImplicitLocOpBuilder &b = t.b;
  const mx::FormatInfo &format = mx::getFormatInfo(out.format);
  int64_t rowBytes = out.cols * format.bits / 8;
  unsigned codeBytes = unsigned(x.size() * format.bits / 8);
  quant::BlockQuantizer q(t, out.format, out.rounding, out.fp8);
  SmallVector<Value> bits;
  for (Value v : x)
    bits.push_back(q.absBits(v));
  // The block's largest |x|: the pair's halves meet through one DPP swap.
  Value amax = t.reduceLanes(q.maxBits(bits), 2, [&](Value a, Value c) {
    return arith::MaxUIOp::create(b, a, c).getResult();
  });
  Value scale = q.scale(amax);
  Value codes = q.encode(x, scale);

  // The even lane of a pair (the block's first half) stores what is
  // stored once per block.
  Value even =
      arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                            arith::AndIOp::create(b, lane, t.i32(1)), t.i32(0));
  Value blockValid = arith::AndIOp::create(b, valid, even);
  Value block = arith::ShRUIOp::create(b, run, t.i32(1));
  if (codeBytes == 8) {
    // FP4: the odd lane's two words join the even lane's, 16 bytes.
    Value lo0 = t.extract(codes, 0), lo1 = t.extract(codes, 1);
    Value hi0 = t.dpp(lo0, 0xB1), hi1 = t.dpp(lo1, 0xB1);
    Value all =
        vector::FromElementsOp::create(b, VectorType::get({4}, b.getI32Type()),
                                       ValueRange{lo0, lo1, hi0, hi1});
    tile::RowRuns values{out.valuesRsrc, rowBytes, 16};
    values.store(t, all, row, block, blockValid);
  } else {
    tile::RowRuns values{out.valuesRsrc, rowBytes, codeBytes};
    values.store(t, codes, row, run, valid);
  }
  tile::RowRuns scales{out.scalesRsrc, out.cols / 32, 1};
  // Built one after the other: as call arguments their order would be the
  // compiler's.
  Value scaleOffset = scales.offset(t, row, block, blockValid);
  Value scaleByte = arith::TruncIOp::create(b, b.getI8Type(), scale);
  t.bufferStore(scaleByte, out.scalesRsrc, scaleOffset);
}
