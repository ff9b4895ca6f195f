//===- ScaledMatmulToAMDGPU.cpp - mx.scaled_matmul to scaled-MFMA kernels -===//
//
// Part of mxc. Each configured mx.scaled_matmul becomes one gpu.func kernel
// per config variant (docs/gemm.md states its ABI) and an mx.launch_plan
// that says, as data, which kernel runs for which M, with what grid and
// arguments (the Driver serializes it into the code object).
//
// Kernel shape. A workgroup owns a tile_m x tile_n block of C; its waves
// split it waves_m x waves_n; each wave holds rep_m x rep_n accumulator
// tiles of one scaled MFMA. Operands go from global memory straight into
// the MFMA's register layout (the intrinsic table says which K each lane
// holds), with no LDS round trip: every byte is loaded once by one
// instruction. Loads and stores go through buffer resources whose
// num_records end at the last row of A, B and C, so rows past M or N read
// zero and stores to them are dropped by the hardware; columns past N and
// K blocks past K get an offset beyond any buffer.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxOps.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"
#include "mxc/Transforms/GemmConfig.h"
#include "mxc/Transforms/Passes.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/SymbolTable.h"

namespace mxc {
#define GEN_PASS_DEF_CONVERTMXTOAMDGPU
#include "mxc/Dialect/Mx/MxPasses.h.inc"
} // namespace mxc

using namespace mlir;
using namespace mxc;
namespace hw = mxc::amdgpu;
using hw::MatrixElement;

namespace {

/// Word 3 of a CDNA buffer resource: 32-bit data format, float number format
/// (what the hardware expects for raw untyped buffer access on gfx9).
constexpr int32_t kCdnaBufferFlags = (7 << 12) | (4 << 15);
/// A byte offset past every buffer: num_records stays below it (buffers are
/// limited to 2 GiB), so an access there loads zero or is dropped.
constexpr int32_t kMaskedOffset = INT32_MIN;
constexpr int64_t kMaxBufferBytes = 0x7FFFFFFF;

/// Everything the kernel body needs to know, fixed at compile time.
struct GemmKernelSpec {
  GemmProblem problem;
  GemmConfig config;
  const hw::MatrixIntrinsic *mfma;
  Type cType;    ///< bf16, f16 or f32.
  Type biasType; ///< Null without bias.
};

/// One K step's operands in registers: A and B operands per (row block,
/// MFMA in the step) and scale words per row block.
struct StepOperands {
  SmallVector<Value> a, b;             ///< [block * kSteps + kk]
  SmallVector<Value> aScales, bScales; ///< [block * scaleWords + word]

  SmallVector<Value> flatten() const {
    SmallVector<Value> all(a);
    llvm::append_range(all, b);
    llvm::append_range(all, aScales);
    llvm::append_range(all, bScales);
    return all;
  }
  static StepOperands unflatten(ValueRange values, const StepOperands &like) {
    StepOperands s;
    size_t at = 0;
    auto take = [&](SmallVector<Value> &dst, size_t n) {
      dst.assign(values.begin() + at, values.begin() + at + n);
      at += n;
    };
    take(s.a, like.a.size());
    take(s.b, like.b.size());
    take(s.aScales, like.aScales.size());
    take(s.bScales, like.bScales.size());
    return s;
  }
};

/// Builds the body of one kernel.
class GemmKernelBuilder {
public:
  GemmKernelBuilder(ImplicitLocOpBuilder &b, const GemmKernelSpec &spec)
      : b(b), spec(spec), p(spec.problem), c(spec.config), mi(*spec.mfma) {}

  void build(gpu::GPUFuncOp func);

private:
  Value i32(int64_t v) { return arith::ConstantIntOp::create(b, v, 32); }
  Value add(Value x, Value y) { return arith::AddIOp::create(b, x, y); }
  Value mul(Value x, Value y) { return arith::MulIOp::create(b, x, y); }
  Value mulConst(Value x, int64_t v) { return mul(x, i32(v)); }
  Value addConst(Value x, int64_t v) { return v ? add(x, i32(v)) : x; }
  /// `offset` where `valid`, else an offset past every buffer.
  Value maskOffset(Value valid, Value offset) {
    return arith::SelectOp::create(b, valid, offset, i32(kMaskedOffset));
  }
  Value makeResource(Value base, Value numRecords);
  Value bufferLoad(Type type, Value rsrc, Value voffset, Value soffset);
  void bufferStore(Value value, Value rsrc, Value voffset);

  unsigned kSteps() const { return c.tileK / mi.k; }
  unsigned scaleWords() const { return (c.tileK / 32 + 3) / 4; }
  unsigned blocksPerMfma() const { return mi.k / 32; }
  /// Lane groups of a wave: lanes l and l + m hold the same row.
  unsigned numGroups() const { return mi.waveSize / mi.m; }
  /// Whether some lane group's run starting `runK` into the step reaches
  /// `kLimit`: those lanes must read zero.
  bool runMayPassLimit(const hw::OperandLayout &layout, unsigned runK,
                       int64_t kLimit) const {
    return int64_t(runK + layout.groupStride * (numGroups() - 1) +
                   layout.runLength) > kLimit;
  }
  /// Joins dword pieces and reinterprets them as 32 `element`s.
  Value concatDwords(ArrayRef<Value> pieces, ArrayRef<int64_t> dwords,
                     MatrixElement element);
  int64_t rowBytes(MatrixElement e) const {
    return p.k * hw::getElementBits(e) / 8;
  }

  /// Loads one MFMA operand (32 elements of row `rowOffset`'s lane) whose
  /// step-relative first K is `kInStep`; lanes whose K lies at or past
  /// `kLimit` (elements from the step start) read zero.
  Value loadOperand(MatrixElement element, Value rsrc, Value rowOffset,
                    Value soffset, unsigned kInStep, int64_t kLimit);
  /// The [K, N] (kn) variant: column `column`, byte by byte.
  Value loadTransposedOperand(Value column, Value kStart, unsigned kInStep,
                              int64_t kLimit);
  /// Scale words of one row block for one step starting at block `kBlock`.
  void loadScales(Value rsrc, Value rowScaleOffset, Value kBlock,
                  int64_t blockLimit, SmallVectorImpl<Value> &words);
  StepOperands loadStep(Value kt, int64_t kLimit);
  SmallVector<Value> compute(const StepOperands &ops, ValueRange acc,
                             int64_t kLimit);
  void storeResults(ValueRange acc);

  ImplicitLocOpBuilder &b;
  const GemmKernelSpec &spec;
  const GemmProblem &p;
  const GemmConfig &c;
  const hw::MatrixIntrinsic &mi;

  // Kernel-wide values.
  Value m, lane, group, laneRow;
  Value rsrcA, rsrcAScales, rsrcB, rsrcBScales, rsrcC, rsrcBias;
  SmallVector<Value> rowsA, rowsB; ///< First row of each row block + lane.
  SmallVector<Value> offsetsA, offsetsB, scaleOffsetsA, scaleOffsetsB;
};

Value GemmKernelBuilder::makeResource(Value base, Value numRecords) {
  auto ptr8 = LLVM::LLVMPointerType::get(b.getContext(), 8);
  Value bytes = arith::MinUIOp::create(
      b, numRecords, arith::ConstantIntOp::create(b, kMaxBufferBytes, 64));
  return ROCDL::MakeBufferRsrcOp::create(b, ptr8, base,
                                         arith::ConstantIntOp::create(b, 0, 16),
                                         bytes, i32(kCdnaBufferFlags));
}

Value GemmKernelBuilder::bufferLoad(Type type, Value rsrc, Value voffset,
                                    Value soffset) {
  return ROCDL::RawPtrBufferLoadOp::create(b, type, rsrc, voffset, soffset,
                                           i32(0), nullptr, nullptr, nullptr);
}

void GemmKernelBuilder::bufferStore(Value value, Value rsrc, Value voffset) {
  ROCDL::RawPtrBufferStoreOp::create(b, value, rsrc, voffset, i32(0), i32(0),
                                     nullptr, nullptr, nullptr);
}

Value GemmKernelBuilder::loadOperand(MatrixElement element, Value rsrc,
                                     Value rowOffset, Value soffset,
                                     unsigned kInStep, int64_t kLimit) {
  const hw::OperandLayout &layout = mi.layoutFor(element);
  unsigned bits = hw::getElementBits(element);
  Type i32Ty = b.getI32Type();
  SmallVector<Value> pieces;
  SmallVector<int64_t> pieceDwords;
  for (unsigned run = 0; run < layout.numRuns; ++run) {
    // Lane group g holds K [runBase + groupStride * g, + runLength).
    unsigned runK = kInStep + layout.runBase[run];
    unsigned runBytes = layout.runLength * bits / 8;
    Value laneK = mulConst(group, layout.groupStride * bits / 8);
    Value offset = add(rowOffset, addConst(laneK, runK * bits / 8));
    if (runMayPassLimit(layout, runK, kLimit)) {
      // Some lane groups' runs lie past K: theirs read zero.
      Value k = addConst(mulConst(group, layout.groupStride), runK);
      Value valid =
          arith::CmpIOp::create(b, arith::CmpIPredicate::slt, k, i32(kLimit));
      offset = maskOffset(valid, offset);
    }
    for (unsigned at = 0; at < runBytes; at += 16) {
      unsigned dwords = std::min(16u, runBytes - at) / 4;
      Type type = dwords == 1 ? i32Ty : VectorType::get({dwords}, i32Ty);
      Value piece = bufferLoad(type, rsrc, addConst(offset, at), soffset);
      if (dwords == 1)
        piece =
            vector::BroadcastOp::create(b, VectorType::get({1}, i32Ty), piece);
      pieces.push_back(piece);
      pieceDwords.push_back(dwords);
    }
  }
  return concatDwords(pieces, pieceDwords, element);
}

Value GemmKernelBuilder::concatDwords(ArrayRef<Value> pieces,
                                      ArrayRef<int64_t> dwords,
                                      MatrixElement element) {
  Value all = pieces.front();
  int64_t count = dwords.front();
  for (auto [piece, n] : llvm::zip(pieces.drop_front(), dwords.drop_front())) {
    auto mask = llvm::to_vector(llvm::seq<int64_t>(0, count + n));
    all = vector::ShuffleOp::create(b, all, piece, mask);
    count += n;
  }
  auto type =
      VectorType::get({32}, mxc::getElementType(b.getContext(), element));
  return vector::BitCastOp::create(b, type, all);
}

Value GemmKernelBuilder::loadTransposedOperand(Value column, Value kStart,
                                               unsigned kInStep,
                                               int64_t kLimit) {
  // B is [K, N] bytes (FP8 only): the lane's 16-K runs are columns of
  // bytes N apart, gathered one byte at a time.
  const hw::OperandLayout &layout = mi.fp8Layout;
  Type i8Ty = b.getI8Type(), i32Ty = b.getI32Type();
  Value columnValid =
      arith::CmpIOp::create(b, arith::CmpIPredicate::slt, column, i32(p.n));
  SmallVector<Value> pieces;
  SmallVector<int64_t> pieceDwords;
  for (unsigned run = 0; run < layout.numRuns; ++run) {
    unsigned runK = kInStep + layout.runBase[run];
    Value laneK = addConst(mulConst(group, layout.groupStride), runK);
    Value valid = columnValid;
    if (runMayPassLimit(layout, runK, kLimit))
      valid = arith::AndIOp::create(
          b, valid,
          arith::CmpIOp::create(b, arith::CmpIPredicate::slt, laneK,
                                i32(kLimit)));
    Value first = add(mulConst(add(kStart, laneK), p.n), column);
    first = maskOffset(valid, first);
    Value words = arith::ConstantOp::create(
        b, DenseElementsAttr::get(VectorType::get({4}, i32Ty),
                                  b.getI32IntegerAttr(0)));
    for (unsigned word = 0; word < layout.runLength / 4; ++word) {
      Value dword = i32(0);
      for (unsigned byte = 0; byte < 4; ++byte) {
        unsigned k = 4 * word + byte;
        Value v = bufferLoad(i8Ty, rsrcB, addConst(first, k * p.n), i32(0));
        v = arith::ExtUIOp::create(b, i32Ty, v);
        if (byte)
          v = arith::ShLIOp::create(b, v, i32(8 * byte));
        dword = arith::OrIOp::create(b, dword, v);
      }
      words = vector::InsertOp::create(b, dword, words, word);
    }
    pieces.push_back(words);
    pieceDwords.push_back(4);
  }
  return concatDwords(pieces, pieceDwords, p.b);
}

void GemmKernelBuilder::loadScales(Value rsrc, Value rowScaleOffset,
                                   Value kBlock, int64_t blockLimit,
                                   SmallVectorImpl<Value> &words) {
  // Lane l's scale byte is K block (first block of its MFMA) + l / m. After
  // the shift below, MFMA kk of the step finds it at byte
  // (blocksPerMfma * kk) % 4 of word (blocksPerMfma * kk) / 4.
  Type i32Ty = b.getI32Type();
  Value shift = mulConst(group, 8);
  if (usesScaleDwords(p)) {
    // K % 128 == 0: every row's scales are dword-aligned; one load brings
    // four blocks, and a shift moves the lane's own block to byte 0 or 2.
    for (unsigned w = 0; w < scaleWords(); ++w) {
      if (int64_t(4 * w) >= blockLimit)
        break;
      Value word =
          bufferLoad(i32Ty, rsrc, addConst(rowScaleOffset, 4 * w), kBlock);
      words.push_back(arith::ShRUIOp::create(b, word, shift));
    }
    return;
  }
  // Scales one byte at a time: rows start at any byte.
  SmallVector<Value> packed(scaleWords(), i32(0));
  for (unsigned kk = 0; kk < kSteps(); ++kk) {
    unsigned first = blocksPerMfma() * kk;
    if (int64_t(first) >= blockLimit)
      break;
    Value offset = add(rowScaleOffset, addConst(group, first));
    if (int64_t(first + numGroups()) > blockLimit)
      offset = maskOffset(arith::CmpIOp::create(b, arith::CmpIPredicate::slt,
                                                addConst(group, first),
                                                i32(blockLimit)),
                          offset);
    Value byte = bufferLoad(b.getI8Type(), rsrc, offset, kBlock);
    Value v = arith::ExtUIOp::create(b, i32Ty, byte);
    if (first % 4)
      v = arith::ShLIOp::create(b, v, i32(8 * (first % 4)));
    packed[first / 4] = arith::OrIOp::create(b, packed[first / 4], v);
  }
  for (unsigned w = 0; w < scaleWords(); ++w)
    if (int64_t(4 * w) < blockLimit)
      words.push_back(packed[w]);
}

StepOperands GemmKernelBuilder::loadStep(Value kt, int64_t kLimit) {
  StepOperands ops;
  Value kStart = mulConst(kt, c.tileK);
  Value kBlock = mulConst(kt, c.tileK / 32);
  Value soffsetA = mulConst(kt, c.tileK * hw::getElementBits(p.a) / 8);
  Value soffsetB = mulConst(kt, c.tileK * hw::getElementBits(p.b) / 8);
  for (unsigned i = 0; i < c.repM(); ++i)
    for (unsigned kk = 0; kk < kSteps(); ++kk)
      if (int64_t(kk * mi.k) < kLimit)
        ops.a.push_back(
            loadOperand(p.a, rsrcA, offsetsA[i], soffsetA, kk * mi.k, kLimit));
  for (unsigned j = 0; j < c.repN(); ++j)
    for (unsigned kk = 0; kk < kSteps(); ++kk)
      if (int64_t(kk * mi.k) < kLimit)
        ops.b.push_back(
            p.bTransposed
                ? loadTransposedOperand(rowsB[j], kStart, kk * mi.k, kLimit)
                : loadOperand(p.b, rsrcB, offsetsB[j], soffsetB, kk * mi.k,
                              kLimit));
  int64_t blockLimit = kLimit / 32;
  for (unsigned i = 0; i < c.repM(); ++i)
    loadScales(rsrcAScales, scaleOffsetsA[i], kBlock, blockLimit, ops.aScales);
  for (unsigned j = 0; j < c.repN(); ++j)
    loadScales(rsrcBScales, scaleOffsetsB[j], kBlock, blockLimit, ops.bScales);
  return ops;
}

SmallVector<Value> GemmKernelBuilder::compute(const StepOperands &ops,
                                              ValueRange acc, int64_t kLimit) {
  SmallVector<Value> out(acc);
  unsigned steps = 0;
  while (steps < kSteps() && int64_t(steps * mi.k) < kLimit)
    ++steps;
  unsigned words = ops.aScales.size() / c.repM();
  auto scaleVector = [&](Value word) {
    Value v = vector::BroadcastOp::create(
        b, VectorType::get({1}, b.getI32Type()), word);
    return vector::BitCastOp::create(
        b, VectorType::get({4}, b.getType<Float8E8M0FNUType>()), v);
  };
  SmallVector<Value> scalesA, scalesB;
  for (Value w : ops.aScales)
    scalesA.push_back(scaleVector(w));
  for (Value w : ops.bScales)
    scalesB.push_back(scaleVector(w));
  for (unsigned kk = 0; kk < steps; ++kk) {
    unsigned first = blocksPerMfma() * kk;
    for (unsigned i = 0; i < c.repM(); ++i)
      for (unsigned j = 0; j < c.repN(); ++j) {
        Value &d = out[i * c.repN() + j];
        d = mlir::amdgpu::ScaledMFMAOp::create(
            b, d.getType(), b.getI32IntegerAttr(mi.m),
            b.getI32IntegerAttr(mi.n), b.getI32IntegerAttr(mi.k),
            ops.a[i * steps + kk], ops.b[j * steps + kk], d,
            scalesA[i * words + first / 4], scalesB[j * words + first / 4],
            b.getI32IntegerAttr(first % 4), b.getI32IntegerAttr(first % 4));
      }
  }
  return out;
}

void GemmKernelBuilder::storeResults(ValueRange acc) {
  Type f32 = b.getF32Type();
  unsigned cBytes = spec.cType.getIntOrFloatBitWidth() / 8;
  // The accumulator's lane part: row groupStride * (lane / columns), column
  // lane % columns (intrinsic table).
  Value accRow = mulConst(arith::DivUIOp::create(b, lane, i32(mi.acc.columns)),
                          mi.acc.groupStride);
  Value accColumn = arith::RemUIOp::create(b, lane, i32(mi.acc.columns));
  for (unsigned j = 0; j < c.repN(); ++j) {
    Value column = add(arith::SubIOp::create(b, rowsB[j], laneRow), accColumn);
    Value valid =
        arith::CmpIOp::create(b, arith::CmpIPredicate::slt, column, i32(p.n));
    Value bias;
    if (spec.biasType) {
      unsigned biasBytes = spec.biasType.getIntOrFloatBitWidth() / 8;
      Type storage = biasBytes == 4 ? b.getI32Type() : b.getI16Type();
      Value raw =
          bufferLoad(storage, rsrcBias,
                     maskOffset(valid, mulConst(column, biasBytes)), i32(0));
      bias = arith::BitcastOp::create(b, spec.biasType, raw);
      if (biasBytes != 4)
        bias = arith::ExtFOp::create(b, f32, bias);
    }
    for (unsigned i = 0; i < c.repM(); ++i) {
      Value tile = acc[i * c.repN() + j];
      Value rowBase = add(arith::SubIOp::create(b, rowsA[i], laneRow), accRow);
      for (unsigned r = 0; r < mi.accRegisters; ++r) {
        Value v = vector::ExtractOp::create(b, tile, r);
        if (bias)
          v = arith::AddFOp::create(b, v, bias);
        unsigned rowInTile = mi.acc.row(0, r);
        Value row = addConst(rowBase, rowInTile);
        Value offset = mulConst(add(mulConst(row, p.n), column), cBytes);
        Value stored = v;
        if (cBytes != 4) {
          stored = arith::TruncFOp::create(b, spec.cType, v);
          stored = arith::BitcastOp::create(b, b.getI16Type(), stored);
        }
        bufferStore(stored, rsrcC, maskOffset(valid, offset));
      }
    }
  }
}

void GemmKernelBuilder::build(gpu::GPUFuncOp func) {
  Block &entry = func.getBody().front();
  b.setInsertionPointToStart(&entry);
  Type i32Ty = b.getI32Type(), i64Ty = b.getI64Type();
  auto args = entry.getArguments();
  unsigned next = 0;
  Value argA = args[next++], argAScales = args[next++], argB = args[next++],
        argBScales = args[next++];
  Value argBias = spec.biasType ? args[next++] : Value();
  Value argC = args[next++];
  m = args[next++];

  Value tid = arith::IndexCastUIOp::create(
      b, i32Ty, gpu::ThreadIdOp::create(b, gpu::Dimension::x));
  lane = arith::RemUIOp::create(b, tid, i32(mi.waveSize));
  // The wave index is uniform: readfirstlane keeps its arithmetic scalar.
  Value wave = ROCDL::ReadfirstlaneOp::create(
      b, i32Ty, arith::DivUIOp::create(b, tid, i32(mi.waveSize)));
  Value waveM = arith::DivUIOp::create(b, wave, i32(c.wavesN));
  Value waveN = arith::RemUIOp::create(b, wave, i32(c.wavesN));
  Value tileN = arith::IndexCastUIOp::create(
      b, i32Ty, gpu::BlockIdOp::create(b, gpu::Dimension::x));
  Value tileM = arith::IndexCastUIOp::create(
      b, i32Ty, gpu::BlockIdOp::create(b, gpu::Dimension::y));
  group = arith::DivUIOp::create(b, lane, i32(mi.m));
  laneRow = arith::RemUIOp::create(b, lane, i32(mi.m));

  Value m64 = arith::ExtUIOp::create(b, i64Ty, m);
  auto bytes64 = [&](Value rows, int64_t perRow) -> Value {
    return arith::MulIOp::create(b, rows,
                                 arith::ConstantIntOp::create(b, perRow, 64));
  };
  Value n64 = arith::ConstantIntOp::create(b, p.n, 64);
  int64_t blocks = p.k / 32;
  rsrcA = makeResource(argA, bytes64(m64, rowBytes(p.a)));
  rsrcAScales = makeResource(argAScales, bytes64(m64, blocks));
  rsrcB = makeResource(argB, bytes64(n64, rowBytes(p.b)));
  rsrcBScales = makeResource(argBScales, bytes64(n64, blocks));
  unsigned cBytes = spec.cType.getIntOrFloatBitWidth() / 8;
  rsrcC = makeResource(argC, bytes64(m64, p.n * cBytes));
  if (spec.biasType)
    rsrcBias = makeResource(
        argBias, bytes64(n64, spec.biasType.getIntOrFloatBitWidth() / 8));

  unsigned waveTileM = c.tileM / c.wavesM, waveTileN = c.tileN / c.wavesN;
  Value firstRowA = add(mulConst(tileM, c.tileM), mulConst(waveM, waveTileM));
  Value firstRowB = add(mulConst(tileN, c.tileN), mulConst(waveN, waveTileN));
  for (unsigned i = 0; i < c.repM(); ++i) {
    Value row = add(addConst(firstRowA, i * mi.m), laneRow);
    rowsA.push_back(row);
    offsetsA.push_back(mulConst(row, rowBytes(p.a)));
    scaleOffsetsA.push_back(mulConst(row, blocks));
  }
  for (unsigned j = 0; j < c.repN(); ++j) {
    Value row = add(addConst(firstRowB, j * mi.n), laneRow);
    rowsB.push_back(row);
    offsetsB.push_back(mulConst(row, rowBytes(p.b)));
    scaleOffsetsB.push_back(mulConst(row, blocks));
  }

  auto accType = VectorType::get({int64_t(mi.accRegisters)}, b.getF32Type());
  Value zero = arith::ConstantOp::create(
      b, DenseElementsAttr::get(accType, b.getF32FloatAttr(0.0f)));
  SmallVector<Value> acc(c.repM() * c.repN(), zero);

  int64_t fullSteps = p.k / c.tileK, tailK = p.k % c.tileK;
  int64_t full = c.tileK;
  if (fullSteps > 0) {
    if (c.prefetch) {
      // Iteration kt computes step kt while step kt + 1's loads fly.
      StepOperands first = loadStep(i32(0), full);
      SmallVector<Value> init(acc);
      llvm::append_range(init, first.flatten());
      auto loop =
          scf::ForOp::create(b, i32(0), i32(fullSteps - 1), i32(1), init);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(loop.getBody());
        Value kt = loop.getInductionVar();
        ValueRange iter = loop.getRegionIterArgs();
        StepOperands current =
            StepOperands::unflatten(iter.drop_front(acc.size()), first);
        StepOperands nextOps = loadStep(addConst(kt, 1), full);
        SmallVector<Value> yielded =
            compute(current, iter.take_front(acc.size()), full);
        llvm::append_range(yielded, nextOps.flatten());
        scf::YieldOp::create(b, yielded);
      }
      ValueRange results = loop.getResults();
      StepOperands last =
          StepOperands::unflatten(results.drop_front(acc.size()), first);
      acc = compute(last, results.take_front(acc.size()), full);
    } else {
      auto loop = scf::ForOp::create(b, i32(0), i32(fullSteps), i32(1), acc);
      {
        OpBuilder::InsertionGuard guard(b);
        b.setInsertionPointToStart(loop.getBody());
        StepOperands ops = loadStep(loop.getInductionVar(), full);
        scf::YieldOp::create(b, compute(ops, loop.getRegionIterArgs(), full));
      }
      acc = SmallVector<Value>(loop.getResults());
    }
  }
  if (tailK > 0)
    acc = compute(loadStep(i32(fullSteps), tailK), acc, tailK);
  storeResults(acc);
  gpu::ReturnOp::create(b);
}

LogicalResult checkContiguous(Operation *op, Value memref, StringRef role) {
  auto type = cast<MemRefType>(memref.getType());
  if (type.getLayout().isIdentity())
    return success();
  return op->emitOpError() << role << " must be a contiguous row-major memref "
                           << "(identity layout) to be passed to a kernel; "
                           << "got " << type;
}

struct ConvertMxToAMDGPUPass
    : public mxc::impl::ConvertMxToAMDGPUBase<ConvertMxToAMDGPUPass> {
  using ConvertMxToAMDGPUBase::ConvertMxToAMDGPUBase;

  void runOnOperation() override;
  LogicalResult lower(mx::ScaledMatmulOp op, gpu::GPUModuleOp kernels,
                      const hw::ChipInfo &target);
};

LogicalResult ConvertMxToAMDGPUPass::lower(mx::ScaledMatmulOp op,
                                           gpu::GPUModuleOp kernels,
                                           const hw::ChipInfo &target) {
  // The configs and the M ranges they serve: one per M bucket
  // (mx-select-config's mx.variants), or the one config for every M.
  struct ConfigVariant {
    int64_t minM, maxM;
    mx::GemmConfigAttr config;
  };
  SmallVector<ConfigVariant> variants;
  if (auto list = op->getAttrOfType<ArrayAttr>(mx::kVariantsAttrName)) {
    for (auto variant : list.getAsRange<mx::GemmVariantAttr>())
      variants.push_back(
          {variant.getMinM(), variant.getMaxM(), variant.getConfig()});
  } else if (op.getConfig()) {
    variants.push_back({0, mx::kMaxInt32Size, *op.getConfig()});
  } else {
    return op.emitOpError("has no config; run mx-select-config first");
  }
  FailureOr<GemmProblem> problem = getGemmProblem(op, 0);
  if (failed(problem))
    return failure();
  Value buffers[] = {op.getA(), op.getAScales(), op.getB(), op.getBScales(),
                     op.getC()};
  StringRef roles[] = {"A", "A scales", "B", "B scales", "C"};
  for (auto [value, role] : llvm::zip(buffers, roles))
    if (failed(checkContiguous(op, value, role)))
      return failure();
  if (op.getBias() && failed(checkContiguous(op, op.getBias(), "bias")))
    return failure();

  MLIRContext *ctx = op.getContext();
  Builder attrs(ctx);
  // The plan names the op's buffers by operand name, in kernel order.
  SmallVector<Value> planBuffers = {op.getA(), op.getAScales(), op.getB(),
                                    op.getBScales()};
  SmallVector<StringRef> names = {"a", "a_scales", "b", "b_scales"};
  if (op.getBias()) {
    planBuffers.push_back(op.getBias());
    names.push_back("bias");
  }
  planBuffers.push_back(op.getC());
  names.push_back("c");
  // The runtime size M: whichever of A's, its scales' and C's rows are
  // dynamic (the op's verifier makes them equal).
  StringAttr mName = attrs.getStringAttr("M");
  SmallVector<mx::BufferExtent> mExtents;
  for (auto [value, name] : llvm::zip(planBuffers, names))
    if ((name == "a" || name == "a_scales" || name == "c") &&
        cast<MemRefType>(value.getType()).isDynamicDim(0))
      mExtents.push_back({attrs.getStringAttr(name), 0});
  int64_t staticM = op.getA().getType().getDimSize(0);
  bool dynamicM = ShapedType::isDynamic(staticM);

  std::string baseName = "scaled_matmul";
  if (auto func = op->getParentOfType<FunctionOpInterface>())
    baseName = (func.getName() + "_" + baseName).str();
  auto ptr1 = LLVM::LLVMPointerType::get(ctx, 1);
  SmallVector<Type> argTypes(planBuffers.size(), ptr1);
  argTypes.push_back(IntegerType::get(ctx, 32));
  SmallVector<Attribute> planVariants;
  for (auto [v, variant] : llvm::enumerate(variants)) {
    GemmKernelSpec spec{*problem, toGemmConfig(variant.config), nullptr,
                        op.getC().getType().getElementType(),
                        op.getBias() ? op.getBias().getType().getElementType()
                                     : Type()};
    std::string why = checkGemmConfig(spec.problem, spec.config, target);
    if (!why.empty())
      return op.emitOpError("config ")
             << printGemmConfig(spec.config) << " cannot run on " << chip
             << ": " << why;
    spec.mfma = getScaledMfma(spec.config.mfmaM, target.name);
    SmallVector<mx::SizeRange> when;
    if (dynamicM)
      when.push_back({mName, variant.minM, variant.maxM});
    // A static M of 0 leaves nothing to compute: no kernel, no launch.
    if (staticM == 0) {
      planVariants.push_back(mx::LaunchVariantAttr::get(ctx, when, {}));
      continue;
    }

    // The kernel: the largest M range's keeps the plain name, the others
    // say the largest M they serve.
    std::string name = baseName;
    if (v + 1 != variants.size())
      name += "_m" + std::to_string(variant.maxM);
    ImplicitLocOpBuilder b(op.getLoc(), ctx);
    b.setInsertionPointToEnd(&kernels.getBodyRegion().front());
    auto func =
        gpu::GPUFuncOp::create(b, name, b.getFunctionType(argTypes, {}));
    func->setAttr(gpu::GPUDialect::getKernelFuncAttrName(), b.getUnitAttr());
    int32_t threads = int32_t(spec.config.waves() * target.waveSize);
    func.setKnownBlockSizeAttr(b.getDenseI32ArrayAttr({threads, 1, 1}));
    func->setAttr(mx::kConfigAttrName, variant.config);
    SymbolTable(kernels).insert(func);
    GemmKernelBuilder(b, spec).build(func);

    // Its launch: one workgroup per C tile, grid y following M.
    int64_t gridX = llvm::divideCeil(spec.problem.n, spec.config.tileN);
    mx::GridExtent gridY =
        dynamicM ? mx::GridExtent::ceilDiv(mName, spec.config.tileM)
                 : mx::GridExtent::constant(
                       llvm::divideCeil(staticM, spec.config.tileM));
    SmallVector<mx::KernelArg> args;
    for (StringRef buffer : names)
      args.push_back(mx::KernelArg::buffer(attrs.getStringAttr(buffer)));
    args.push_back(dynamicM ? mx::KernelArg::size(mName, 4)
                            : mx::KernelArg::constant(staticM, 4));
    auto kernel = SymbolRefAttr::get(
        kernels.getNameAttr(), {FlatSymbolRefAttr::get(func.getNameAttr())});
    auto launch = mx::KernelLaunchAttr::get(
        ctx, kernel,
        {mx::GridExtent::constant(gridX), gridY, mx::GridExtent::constant(1)},
        {threads, 1, 1}, /*ldsBytes=*/0, args, variant.config);
    planVariants.push_back(mx::LaunchVariantAttr::get(ctx, when, {launch}));
  }

  SmallVector<Attribute> sizes;
  if (!mExtents.empty())
    sizes.push_back(mx::RuntimeSizeAttr::get(ctx, mName, mExtents));
  OpBuilder b(op);
  mx::LaunchPlanOp::create(b, op.getLoc(), "scaled_matmul", planBuffers,
                           attrs.getStrArrayAttr(names),
                           attrs.getArrayAttr(sizes),
                           attrs.getArrayAttr(planVariants));
  op.erase();
  return success();
}

void ConvertMxToAMDGPUPass::runOnOperation() {
  ModuleOp module = getOperation();
  const hw::ChipInfo *target = hw::lookupChip(chip);
  if (!target) {
    module.emitError("unknown chip '")
        << chip << "'; known: " << hw::listChipNames();
    return signalPassFailure();
  }
  SmallVector<mx::ScaledMatmulOp> matmuls;
  module.walk([&](mx::ScaledMatmulOp op) { matmuls.push_back(op); });
  if (matmuls.empty())
    return;
  if (target->matrixPath != hw::MatrixPath::ScaledMfma) {
    matmuls.front().emitOpError("has no lowering for ")
        << chip << " in this build of mxc (native scaled MFMA needs gfx950)";
    return signalPassFailure();
  }
  OpBuilder b(module.getBodyRegion());
  module->setAttr(gpu::GPUDialect::getContainerModuleAttrName(),
                  b.getUnitAttr());
  auto kernels = dyn_cast_or_null<gpu::GPUModuleOp>(
      SymbolTable::lookupSymbolIn(module, "mx_kernels"));
  if (!kernels) {
    b.setInsertionPointToEnd(module.getBody());
    kernels = gpu::GPUModuleOp::create(b, module.getLoc(), "mx_kernels");
  }
  for (mx::ScaledMatmulOp op : matmuls)
    if (failed(lower(op, kernels, *target)))
      return signalPassFailure();
}

} // namespace
