//===- GemmKernel.cpp - The LDS-staged scaled-matmul kernel ---------------===//
//
// Part of mxc. A workgroup owns a tile_m x tile_n block of C; its waves
// split it waves_m x waves_n; each wave holds rep_m x rep_n accumulator
// tiles of one scaled MFMA. Per K step (tile_k elements):
// - all threads copy the step's A and B rows from global memory into LDS
//   tiles (TileOps.h: coalesced 16-byte loads, XOR-swizzled slots), and
//   its scale words: with 512- or 1024-deep steps of the 16-row MFMA
//   straight into the step's buffer too (one lane a row), otherwise every
//   fourth step or so a window of them through registers;
// - each wave reads its operand fragments from LDS in the MFMA's lane
//   layout (the intrinsic table) with 16-byte reads, free of bank
//   conflicts, and its scale words (stored [word][row], or [word / 4][row]
//   in 16-byte slots when loaded straight: consecutive lanes, consecutive
//   banks);
// - the MFMA takes B as its first operand and A as its second, so it
//   computes C transposed: a lane's four consecutive accumulator registers
//   are four consecutive columns of one row of C, stored in one access.
// With prefetch = p the operand tiles have p + 1 buffers: the global loads
// of steps k+1 to k+p are in flight while step k's MFMAs run (loads through
// registers: step k+1's), and one barrier per step separates a buffer's
// writes from its reads.
//
// Bounds: buffer resources end at the last row of A, B and C, so rows past M
// or N read zero and stores there are dropped; chunks past K (the last,
// partial step) and columns past N get an offset past every buffer.
//
//===----------------------------------------------------------------------===//

#include "GemmKernel.h"
#include "TileOps.h"

#include "mlir/Dialect/AMDGPU/IR/AMDGPUDialect.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::tile;
namespace hw = mxc::amdgpu;

namespace {

/// The global loads of one K step, in registers until they go to LDS.
struct StepLoads {
  SmallVector<Value> a, b;
  SmallVector<Value> scalesA, scalesB; ///< Empty when no window starts.
};

class GemmKernelBuilder {
public:
  GemmKernelBuilder(ImplicitLocOpBuilder &b, const GemmKernelSpec &spec)
      : b(b), t(b), spec(spec), p(spec.problem), c(spec.config), mi(*spec.mfma),
        s(getGemmStaging(p, c, *spec.chip)) {}

  void build(gpu::GPUFuncOp func);

private:
  unsigned threads() const { return c.waves() * mi.waveSize; }
  unsigned kSteps() const { return c.tileK / mi.k; }
  unsigned blocksPerMfma() const { return mi.k / 32; }
  int64_t stageBytes() const { return s.stageBytes(); }
  bool anyDirect() const { return s.directA || s.directB || s.directScales; }
  int64_t scaleRegion() const { return s.stages * stageBytes(); }

  void setUp(gpu::GPUFuncOp func);
  Value allocateLds(gpu::GPUFuncOp func);

  /// Scale pieces of one window: A rows then B rows, `piecesPerRow` each.
  unsigned scalePiecesPerRow() const {
    return 4 * s.scaleWindowWords() / s.scalePieceBytes;
  }
  Type scalePieceType() const;
  SmallVector<Value> loadScaleRows(Value rsrc, Value firstRowOffset,
                                   unsigned rows, Value window);
  void storeScaleRows(ArrayRef<Value> pieces, unsigned rows,
                      unsigned firstRowInLds, Value window);
  /// Loads step `kt`'s scale words straight into operand buffer `stage`
  /// (GemmStaging::directScales): one load per (4-word group, operand,
  /// 64-row block), the i-th issued by wave i % waves, lane l taking row
  /// 64 * block + l (lanes past the tile's rows do not write).
  void loadScalesToLds(Value kt, unsigned stage);
  /// The fewest direct scale loads a wave issues per step.
  unsigned scaleLoadsPerWave() const;

  /// Step `kt`'s loads, into (or for) operand buffer `stage`.
  StepLoads loadStep(Value kt, unsigned stage, bool windowStarts);
  /// The operand half of loadStep.
  void loadOperands(Value kt, unsigned stage, StepLoads &loads);
  /// Before a barrier: waits for the loads into LDS of the step the next
  /// compute reads, leaving the `newerSteps` steps issued after it in flight
  /// (`prefetch - 1` in the loop, fewer as the last steps drain).
  void waitForStagedStep(unsigned newerSteps);
  void storeStep(const StepLoads &loads, Value kt, unsigned stage);
  /// Loads and stores a scale window only when step `kt` starts one.
  StepLoads loadStepWithWindow(Value kt, unsigned stage);
  void storeStepWithWindow(const StepLoads &loads, Value kt, unsigned stage);
  Value windowStarts(Value kt);

  /// The `kk`th MFMA operand of the lane's row `row + rowConst` of a tile.
  Value readFragment(hw::MatrixElement element, const LdsTileLayout &layout,
                     Value tileOffset, Value row, int64_t rowConst, unsigned kk,
                     const LdsScopes &scopes);
  /// Step word `word` of the lane's scale row `row + rowConst`.
  Value readScaleWord(Value wordBase, Value row, int64_t rowConst,
                      unsigned word, const LdsScopes &scopes);
  SmallVector<Value> compute(Value kt, unsigned stage, ValueRange acc);
  void storeResults(ValueRange acc);

  ImplicitLocOpBuilder &b;
  TileBuilder t;
  const GemmKernelSpec &spec;
  const GemmProblem &p;
  const GemmConfig &c;
  const hw::MatrixIntrinsic &mi;
  GemmStaging s;

  // Kernel-wide values.
  Value m, tid, lane, wave, group, laneRow, waveM, waveN, tileM0, tileN0;
  Value rsrcA, rsrcAScales, rsrcB, rsrcBScales, rsrcC, rsrcBias;
  Value lds;
  LdsTileLayout layoutA, layoutB;
  /// Per operand buffer (stage): its own alias scope, no alias with the
  /// others, so reading one stage does not wait for loads into another.
  SmallVector<LdsScopes> stageScopes;
  LdsScopes scaleScopes;
  RowTileCopy copyA, copyB;
  ColumnTileCopy copyBColumns;
  Value scaleRowOffsetA, scaleRowOffsetB;
};

Value GemmKernelBuilder::allocateLds(gpu::GPUFuncOp func) {
  auto module = func->getParentOfType<gpu::GPUModuleOp>();
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPoint(func);
  std::string name = (func.getName() + "_lds").str();
  auto type = LLVM::LLVMArrayType::get(b.getI8Type(), s.ldsBytes);
  auto global = LLVM::GlobalOp::create(b, type, /*isConstant=*/false,
                                       LLVM::Linkage::Internal, name,
                                       Attribute(), /*alignment=*/16,
                                       /*addrSpace=*/3);
  SymbolTable(module).insert(global);
  b.setInsertionPointToStart(&func.getBody().front());
  return LLVM::AddressOfOp::create(b, global);
}

void GemmKernelBuilder::setUp(gpu::GPUFuncOp func) {
  Block &entry = func.getBody().front();
  lds = allocateLds(func);
  b.setInsertionPointAfter(lds.getDefiningOp());
  Type i32Ty = b.getI32Type(), i64Ty = b.getI64Type();
  auto args = entry.getArguments();
  unsigned next = 0;
  Value argA = args[next++], argAScales = args[next++], argB = args[next++],
        argBScales = args[next++];
  Value argBias = spec.biasType ? args[next++] : Value();
  Value argC = args[next++];
  m = args[next++];

  tid = arith::IndexCastUIOp::create(
      b, i32Ty, gpu::ThreadIdOp::create(b, gpu::Dimension::x));
  lane = t.remConst(tid, mi.waveSize);
  // The wave index is uniform: readfirstlane keeps its arithmetic scalar.
  wave = ROCDL::ReadfirstlaneOp::create(b, i32Ty, t.divConst(tid, mi.waveSize));
  waveM = t.divConst(wave, c.wavesN);
  waveN = t.remConst(wave, c.wavesN);
  Value tileN = arith::IndexCastUIOp::create(
      b, i32Ty, gpu::BlockIdOp::create(b, gpu::Dimension::x));
  Value tileM = arith::IndexCastUIOp::create(
      b, i32Ty, gpu::BlockIdOp::create(b, gpu::Dimension::y));
  tileM0 = t.mulConst(tileM, c.tileM);
  tileN0 = t.mulConst(tileN, c.tileN);
  group = t.divConst(lane, mi.m);
  laneRow = t.remConst(lane, mi.m);

  int64_t rowBytesA = p.k * hw::getElementBits(p.a) / 8;
  int64_t rowBytesB = p.k * hw::getElementBits(p.b) / 8;
  int64_t blocks = p.k / 32;
  Value m64 = arith::ExtUIOp::create(b, i64Ty, m);
  auto bytes64 = [&](Value rows, int64_t perRow) -> Value {
    return arith::MulIOp::create(b, rows,
                                 arith::ConstantIntOp::create(b, perRow, 64));
  };
  Value n64 = arith::ConstantIntOp::create(b, p.n, 64);
  rsrcA = t.makeResource(argA, bytes64(m64, rowBytesA));
  rsrcAScales = t.makeResource(argAScales, bytes64(m64, blocks));
  rsrcB = t.makeResource(argB, bytes64(n64, rowBytesB));
  rsrcBScales = t.makeResource(argBScales, bytes64(n64, blocks));
  unsigned cBytes = spec.cType.getIntOrFloatBitWidth() / 8;
  rsrcC = t.makeResource(argC, bytes64(m64, p.n * cBytes));
  if (spec.biasType)
    rsrcBias = t.makeResource(
        argBias, bytes64(n64, spec.biasType.getIntOrFloatBitWidth() / 8));

  // One alias scope per operand buffer and one for the scale windows, each
  // no alias with the others.
  auto domain = LLVM::AliasScopeDomainAttr::get(
      b.getContext(), b.getStringAttr(func.getName() + " LDS"));
  SmallVector<Attribute> scopes;
  for (unsigned region = 0; region <= s.stages; ++region)
    scopes.push_back(LLVM::AliasScopeAttr::get(
        domain, b.getStringAttr(region == s.stages
                                    ? std::string("scales")
                                    : "stage " + std::to_string(region))));
  for (unsigned region = 0; region <= s.stages; ++region) {
    SmallVector<Attribute> others;
    for (unsigned other = 0; other <= s.stages; ++other)
      if (other != region)
        others.push_back(scopes[other]);
    LdsScopes entry{b.getArrayAttr({scopes[region]}), b.getArrayAttr(others)};
    if (region == s.stages)
      scaleScopes = entry;
    else
      stageScopes.push_back(entry);
  }
  layoutA = s.directA ? LdsTileLayout::swizzle(c.tileM, s.stepBytesA)
                      : LdsTileLayout::padded(c.tileM, s.stepBytesA);
  layoutB = s.directB ? LdsTileLayout::swizzle(c.tileN, s.stepBytesB)
                      : LdsTileLayout::padded(c.tileN, s.stepBytesB);
  copyA = RowTileCopy{rsrcA,         t.mulConst(tileM0, rowBytesA),
                      rowBytesA,     layoutA,
                      s.chunkBytesA, threads(),
                      rowBytesA,     s.kTail};
  if (p.bTransposed)
    copyBColumns = ColumnTileCopy{rsrcB, tileN0, p.n, layoutB, threads()};
  else
    copyB = RowTileCopy{rsrcB,         t.mulConst(tileN0, rowBytesB),
                        rowBytesB,     layoutB,
                        s.chunkBytesB, threads(),
                        rowBytesB,     s.kTail};
  scaleRowOffsetA = t.mulConst(tileM0, blocks);
  scaleRowOffsetB = t.mulConst(tileN0, blocks);
}

//===----------------------------------------------------------------------===//
// Global -> LDS
//===----------------------------------------------------------------------===//

Type GemmKernelBuilder::scalePieceType() const {
  unsigned bytes = s.scalePieceBytes;
  if (bytes <= 4)
    return b.getIntegerType(8 * bytes);
  return VectorType::get({bytes / 4}, b.getI32Type());
}

SmallVector<Value> GemmKernelBuilder::loadScaleRows(Value rsrc,
                                                    Value firstRowOffset,
                                                    unsigned rows,
                                                    Value window) {
  // Consecutive threads take consecutive rows: their LDS words are
  // consecutive too.
  int64_t blocks = p.k / 32;
  int64_t windowBytes = 4 * s.scaleWindowWords();
  int64_t pieces = int64_t(rows) * scalePiecesPerRow();
  Value windowByte = t.mulConst(window, windowBytes);
  bool maskTail = blocks % windowBytes != 0;
  SmallVector<Value> out;
  for (int64_t first = 0; first < pieces; first += threads()) {
    Value index = t.addConst(tid, first);
    Value row = t.remConst(index, rows);
    Value byte = t.mulConst(t.divConst(index, rows), s.scalePieceBytes);
    Value offset = t.add(firstRowOffset, t.add(t.mulConst(row, blocks), byte));
    Value valid;
    if (maskTail)
      valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                    t.add(windowByte, byte), t.i32(blocks));
    if (first + threads() > pieces) {
      Value inside = t.lessThan(index, pieces);
      valid =
          valid ? arith::AndIOp::create(b, valid, inside).getResult() : inside;
    }
    if (valid)
      offset = t.maskOffset(valid, offset);
    out.push_back(t.bufferLoad(scalePieceType(), rsrc, offset, windowByte));
  }
  return out;
}

void GemmKernelBuilder::storeScaleRows(ArrayRef<Value> data, unsigned rows,
                                       unsigned firstRowInLds, Value window) {
  int64_t pieces = int64_t(rows) * scalePiecesPerRow();
  int64_t words = s.scaleWindowWords();
  // Window w lives in buffer w % 2 of [2][words][rowsTotal] dwords.
  Value bufferOffset =
      t.add(t.i32(scaleRegion()),
            t.mulConst(t.remConst(window, s.scaleWindows),
                 words * s.scaleWordStride * 4));
  for (auto [i, pieceValue] : llvm::enumerate(data)) {
    // A plain variable: lambdas capture structured bindings only from C++20.
    Value piece = pieceValue;
    int64_t first = int64_t(i) * threads();
    Value index = t.addConst(tid, first);
    auto body = [&] {
      Value row = t.addConst(t.remConst(index, rows), firstRowInLds);
      Value byte = t.mulConst(t.divConst(index, rows), s.scalePieceBytes);
      Value word = t.divConst(byte, 4);
      Value rowWord = t.add(bufferOffset, t.mulConst(row, 4));
      if (s.scalePieceBytes < 4) {
        Value at = t.add(rowWord, t.add(t.mulConst(word, s.scaleWordStride * 4),
                                        t.remConst(byte, 4)));
        t.ldsStore(piece, lds, at, s.scalePieceBytes, &scaleScopes);
        return;
      }
      for (unsigned d = 0; d < s.scalePieceBytes / 4; ++d) {
        Value dword = s.scalePieceBytes == 4
                          ? piece
                          : vector::ExtractOp::create(b, piece, d).getResult();
        Value at = t.add(
            rowWord, t.mulConst(t.addConst(word, d), s.scaleWordStride * 4));
        t.ldsStore(dword, lds, at, 4, &scaleScopes);
      }
    };
    if (first + threads() <= pieces) {
      body();
      continue;
    }
    auto ifOp = scf::IfOp::create(b, t.lessThan(index, pieces), false);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    body();
  }
}

unsigned GemmKernelBuilder::scaleLoadsPerWave() const {
  if (!s.directScales)
    return 0;
  auto blocksOf = [](unsigned rows) { return (rows + 63) / 64; };
  unsigned loads =
      s.scaleStepWords / 4 * (blocksOf(c.tileM) + blocksOf(c.tileN));
  return loads / c.waves();
}

void GemmKernelBuilder::loadScalesToLds(Value kt, unsigned stageIndex) {
  const int64_t waveLanes = 64, slotBytes = 16;
  int64_t blocks = p.k / 32;
  int64_t rowsTotal = int64_t(c.tileM) + c.tileN;
  // The step's 16-byte groups of a row start here (uniform); those past
  // the row's blocks (the K tail) read zero.
  Value stepByte = t.mulConst(kt, 4 * s.scaleStepWords);
  bool maskTail = blocks % (4 * s.scaleStepWords) != 0;
  int64_t tile = int64_t(stageIndex) * stageBytes() + s.ldsBytesA + s.ldsBytesB;
  unsigned index = 0;
  for (unsigned group = 0; group < s.scaleStepWords / 4; ++group)
    for (bool isB : {false, true}) {
      unsigned rows = isB ? c.tileN : c.tileM;
      Value rsrc = isB ? rsrcBScales : rsrcAScales;
      Value rowOffset = isB ? scaleRowOffsetB : scaleRowOffsetA;
      for (unsigned first = 0; first < rows; first += waveLanes, ++index) {
        OpBuilder::InsertionGuard guard(b);
        if (c.waves() > 1) {
          Value issuer = arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                                               wave, t.i32(index % c.waves()));
          auto ifOp = scf::IfOp::create(b, issuer, false);
          b.setInsertionPointToStart(ifOp.thenBlock());
        }
        if (rows - first < waveLanes) {
          auto ifOp =
              scf::IfOp::create(b, t.lessThan(lane, rows - first), false);
          b.setInsertionPointToStart(ifOp.thenBlock());
        }
        Value row = t.addConst(lane, first);
        Value voffset = t.addConst(t.add(rowOffset, t.mulConst(row, blocks)),
                                   group * slotBytes);
        if (maskTail)
          voffset = t.maskOffset(
              arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                    t.addConst(stepByte, group * slotBytes),
                                    t.i32(blocks)),
              voffset);
        int64_t at = tile + (group * rowsTotal + (isB ? c.tileM : 0) + first) *
                                slotBytes;
        Value dst = LLVM::GEPOp::create(b, lds.getType(), b.getI8Type(), lds,
                                        ArrayRef<LLVM::GEPArg>{t.i32(at)},
                                        LLVM::GEPNoWrapFlags::inbounds);
        const LdsScopes &scopes = stageScopes[stageIndex];
        ROCDL::RawPtrBufferLoadLdsOp::create(
            b, rsrc, dst, t.i32(slotBytes), voffset, stepByte, t.i32(0),
            t.i32(0), scopes.scopes, scopes.noalias, nullptr);
      }
    }
}

StepLoads GemmKernelBuilder::loadStep(Value kt, unsigned stageIndex,
                                      bool windowStarts) {
  StepLoads loads;
  // Scales first: their LDS writes wait for them, and vector memory counts
  // in order, so anything issued before them would be waited for too.
  if (s.directScales) {
    loadScalesToLds(kt, stageIndex);
  } else if (windowStarts) {
    Value window = t.divConst(kt, s.scaleWindowSteps);
    loads.scalesA =
        loadScaleRows(rsrcAScales, scaleRowOffsetA, c.tileM, window);
    loads.scalesB =
        loadScaleRows(rsrcBScales, scaleRowOffsetB, c.tileN, window);
  }
  loadOperands(kt, stageIndex, loads);
  return loads;
}

void GemmKernelBuilder::loadOperands(Value kt, unsigned stageIndex,
                                     StepLoads &loads) {
  // Operands loaded straight into LDS go now, into step kt's stage; the
  // others come back in registers for storeStep.
  Value stage = t.i32(stageIndex * stageBytes());
  if (s.directA)
    copyA.loadToLds(t, tid, wave, t.mulConst(kt, s.stepBytesA), lds, stage,
                    &stageScopes[stageIndex]);
  else
    loads.a = copyA.load(t, tid, t.mulConst(kt, s.stepBytesA));
  if (s.directB)
    copyB.loadToLds(t, tid, wave, t.mulConst(kt, s.stepBytesB), lds,
                    t.addConst(stage, s.ldsBytesA), &stageScopes[stageIndex]);
  else
    loads.b = p.bTransposed
                  ? copyBColumns.load(t, tid, t.mulConst(kt, c.tileK))
                  : copyB.load(t, tid, t.mulConst(kt, s.stepBytesB));
}

void GemmKernelBuilder::storeStep(const StepLoads &loads, Value kt,
                                  unsigned stageIndex) {
  Value stage = t.i32(stageIndex * stageBytes());
  if (!s.directA)
    copyA.store(t, tid, loads.a, lds, stage);
  Value tileB = t.addConst(stage, s.ldsBytesA);
  if (p.bTransposed)
    copyBColumns.store(t, tid, loads.b, lds, tileB);
  else if (!s.directB)
    copyB.store(t, tid, loads.b, lds, tileB);
  if (!loads.scalesA.empty()) {
    Value window = t.divConst(kt, s.scaleWindowSteps);
    storeScaleRows(loads.scalesA, c.tileM, 0, window);
    storeScaleRows(loads.scalesB, c.tileN, c.tileM, window);
  }
}

Value GemmKernelBuilder::windowStarts(Value kt) {
  return arith::CmpIOp::create(b, arith::CmpIPredicate::eq,
                               t.remConst(kt, s.scaleWindowSteps), t.i32(0));
}

StepLoads GemmKernelBuilder::loadStepWithWindow(Value kt, unsigned stage) {
  if (s.scaleWindowSteps == 1)
    return loadStep(kt, stage, true);
  StepLoads loads;
  // The window's loads, issued by the steps that start one (a uniform
  // branch), before the operands' (see loadStep).
  unsigned piecesA = unsigned(llvm::divideCeil(
      int64_t(c.tileM) * scalePiecesPerRow(), int64_t(threads())));
  unsigned piecesB = unsigned(llvm::divideCeil(
      int64_t(c.tileN) * scalePiecesPerRow(), int64_t(threads())));
  SmallVector<Type> types(piecesA + piecesB, scalePieceType());
  auto ifOp = scf::IfOp::create(b, types, windowStarts(kt), true);
  {
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(ifOp.thenBlock());
    Value window = t.divConst(kt, s.scaleWindowSteps);
    SmallVector<Value> all =
        loadScaleRows(rsrcAScales, scaleRowOffsetA, c.tileM, window);
    llvm::append_range(
        all, loadScaleRows(rsrcBScales, scaleRowOffsetB, c.tileN, window));
    scf::YieldOp::create(b, all);
    // Steps that start no window store none of these (storeStepWithWindow
    // branches on the same condition): poison, so that no register is set.
    b.setInsertionPointToStart(ifOp.elseBlock());
    SmallVector<Value> none;
    for (Type type : types)
      none.push_back(LLVM::PoisonOp::create(b, type));
    scf::YieldOp::create(b, none);
  }
  ValueRange results = ifOp.getResults();
  loads.scalesA.assign(results.begin(), results.begin() + piecesA);
  loads.scalesB.assign(results.begin() + piecesA, results.end());
  loadOperands(kt, stage, loads);
  return loads;
}

void GemmKernelBuilder::waitForStagedStep(unsigned newerSteps) {
  if (!anyDirect())
    return;
  // Loads every wave issues per step; a wave that issued more only waits
  // longer.
  unsigned perStep = (s.directA ? copyA.wholeRounds() : 0) +
                     (s.directB ? copyB.wholeRounds() : 0) +
                     scaleLoadsPerWave();
  t.waitVectorLoads(newerSteps * perStep);
}

void GemmKernelBuilder::storeStepWithWindow(const StepLoads &loads, Value kt,
                                            unsigned stage) {
  if (s.scaleWindowSteps == 1)
    return storeStep(loads, kt, stage);
  StepLoads operands{loads.a, loads.b, {}, {}};
  storeStep(operands, kt, stage);
  auto ifOp = scf::IfOp::create(b, windowStarts(kt), false);
  OpBuilder::InsertionGuard guard(b);
  b.setInsertionPointToStart(ifOp.thenBlock());
  Value window = t.divConst(kt, s.scaleWindowSteps);
  storeScaleRows(loads.scalesA, c.tileM, 0, window);
  storeScaleRows(loads.scalesB, c.tileN, c.tileM, window);
}

//===----------------------------------------------------------------------===//
// LDS -> registers -> MFMA
//===----------------------------------------------------------------------===//

Value GemmKernelBuilder::readFragment(hw::MatrixElement element,
                                      const LdsTileLayout &layout,
                                      Value tileOffset, Value row,
                                      int64_t rowConst, unsigned kk,
                                      const LdsScopes &scopes) {
  const hw::OperandLayout &ol = mi.layoutFor(element);
  unsigned bits = hw::getElementBits(element);
  unsigned runBytes = ol.runLength * bits / 8;
  // The widest read that divides every run's length and start.
  unsigned piece = 16;
  auto fits = [&](unsigned elements) {
    return (elements * bits / 8) % piece == 0;
  };
  while (piece > 4 && !(fits(ol.runLength) && fits(ol.groupStride) &&
                        fits(ol.runBase[ol.numRuns - 1]) && fits(mi.k)))
    piece /= 2;
  Value groupByte = t.mulConst(group, ol.groupStride * bits / 8);
  SmallVector<Value> runs;
  for (unsigned run = 0; run < ol.numRuns; ++run) {
    unsigned first = (kk * mi.k + ol.runBase[run]) * bits / 8;
    runs.push_back(readLdsRun(t, layout, lds, tileOffset, row, rowConst,
                              t.addConst(groupByte, first), runBytes, piece,
                              &scopes));
  }
  auto type = VectorType::get({32}, getElementType(b.getContext(), element));
  return vector::BitCastOp::create(b, type, t.concat(runs));
}

Value GemmKernelBuilder::readScaleWord(Value wordBase, Value row,
                                       int64_t rowConst, unsigned word,
                                       const LdsScopes &scopes) {
  // (window base + lane part) + constant, shared by every row block.
  Value at;
  if (s.directScales) {
    int64_t rowsTotal = int64_t(c.tileM) + c.tileN;
    at = t.addConst(t.add(wordBase, t.mulConst(row, 16)),
                    16 * (rowConst + int64_t(word / 4) * rowsTotal) +
                        4 * (word % 4));
  } else {
    at = t.addConst(t.add(wordBase, t.mulConst(row, 4)),
                    4 * (rowConst + int64_t(word) * s.scaleWordStride));
  }
  Value value = t.ldsLoad(b.getI32Type(), lds, at, 4, &scopes);
  // Lane group g's scale is block g of its MFMA: shifting the word by g
  // bytes puts it where the instruction's byte select looks.
  value = arith::ShRUIOp::create(b, value, t.mulConst(group, 8));
  Value v = vector::BroadcastOp::create(b, VectorType::get({1}, b.getI32Type()),
                                        value);
  return vector::BitCastOp::create(
      b, VectorType::get({4}, b.getType<Float8E8M0FNUType>()), v);
}

SmallVector<Value> GemmKernelBuilder::compute(Value kt, unsigned stageIndex,
                                              ValueRange acc) {
  SmallVector<Value> out(acc);
  unsigned repM = c.repM(), repN = c.repN();
  unsigned waveTileM = c.tileM / c.wavesM, waveTileN = c.tileN / c.wavesN;
  Value stage = t.i32(stageIndex * stageBytes());
  Value tileB = t.addConst(stage, s.ldsBytesA);
  // The lane's row in each tile; row block i adds i * m (a constant).
  Value rowA = t.add(t.mulConst(waveM, waveTileM), laneRow);
  Value rowB = t.add(t.mulConst(waveN, waveTileN), laneRow);

  // Scale words of this step: window (kt / steps) % 2, word (kt % steps) *
  // step words.
  // (Direct: the step's own words, in its operand buffer.)
  Value wordBase;
  const LdsScopes &scopes =
      s.directScales ? stageScopes[stageIndex] : scaleScopes;
  if (s.directScales) {
    wordBase = t.addConst(stage, s.ldsBytesA + s.ldsBytesB);
  } else {
    Value window = t.divConst(kt, s.scaleWindowSteps);
    wordBase =
        t.add(t.i32(scaleRegion()),
              t.mulConst(t.add(t.mulConst(t.remConst(window, s.scaleWindows),
                                          s.scaleWindowWords()),
                               t.mulConst(t.remConst(kt, s.scaleWindowSteps),
                                          s.scaleStepWords)),
                         s.scaleWordStride * 4));
  }
  SmallVector<Value> scalesA, scalesB; ///< [block * stepWords + word]
  for (unsigned i = 0; i < repM; ++i)
    for (unsigned w = 0; w < s.scaleStepWords; ++w)
      scalesA.push_back(readScaleWord(wordBase, rowA, i * mi.m, w, scopes));
  for (unsigned j = 0; j < repN; ++j)
    for (unsigned w = 0; w < s.scaleStepWords; ++w)
      scalesB.push_back(
          readScaleWord(wordBase, rowB, c.tileM + j * mi.m, w, scopes));

  for (unsigned kk = 0; kk < kSteps(); ++kk) {
    // Keeps the backend from hoisting every fragment read of the step above
    // the first MFMAs: one MFMA step's fragments are live at a time.
    if (kk)
      ROCDL::SchedBarrier::create(b, b.getI32IntegerAttr(0));
    SmallVector<Value> fragA, fragB;
    for (unsigned i = 0; i < repM; ++i)
      fragA.push_back(readFragment(p.a, layoutA, stage, rowA, i * mi.m, kk,
                                   stageScopes[stageIndex]));
    for (unsigned j = 0; j < repN; ++j)
      fragB.push_back(readFragment(p.b, layoutB, tileB, rowB, j * mi.m, kk,
                                   stageScopes[stageIndex]));
    unsigned first = blocksPerMfma() * kk;
    unsigned word = first / 4, byte = first % 4;
    for (unsigned i = 0; i < repM; ++i)
      for (unsigned j = 0; j < repN; ++j) {
        // B first: the accumulator holds C transposed (see the top).
        Value &d = out[i * repN + j];
        d = mlir::amdgpu::ScaledMFMAOp::create(
            b, d.getType(), b.getI32IntegerAttr(mi.m),
            b.getI32IntegerAttr(mi.n), b.getI32IntegerAttr(mi.k), fragB[j],
            fragA[i], d, scalesB[j * s.scaleStepWords + word],
            scalesA[i * s.scaleStepWords + word], b.getI32IntegerAttr(byte),
            b.getI32IntegerAttr(byte));
      }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// Epilogue
//===----------------------------------------------------------------------===//

void GemmKernelBuilder::storeResults(ValueRange acc) {
  Type f32 = b.getF32Type(), i32Ty = b.getI32Type();
  const hw::AccumulatorLayout &al = mi.acc;
  unsigned cBytes = spec.cType.getIntOrFloatBitWidth() / 8;
  unsigned waveTileM = c.tileM / c.wavesM, waveTileN = c.tileN / c.wavesN;
  // Transposed accumulators: column = row of C, row = column of C.
  Value laneM = t.add(t.add(tileM0, t.mulConst(waveM, waveTileM)),
                      t.remConst(lane, al.columns));
  Value laneN = t.add(t.add(tileN0, t.mulConst(waveN, waveTileN)),
                      t.mulConst(t.divConst(lane, al.columns), al.groupStride));
  // A lane's `run` consecutive registers are consecutive columns of C.
  unsigned run = al.rowsPerBlock;
  bool wide = run == 4 && p.n % 4 == 0;
  unsigned biasBytes =
      spec.biasType ? spec.biasType.getIntOrFloatBitWidth() / 8 : 0;

  // Loads `count` bias values from column `n` on, as f32.
  auto loadBias = [&](Value n, Value valid, unsigned count) -> Value {
    Type storage =
        biasBytes == 4 ? Type(i32Ty) : Type(b.getIntegerType(8 * biasBytes));
    Type type =
        count == 1 ? storage : VectorType::get({count * biasBytes / 4}, i32Ty);
    Value raw =
        t.bufferLoad(type, rsrcBias,
                     t.maskOffset(valid, t.mulConst(n, biasBytes)), t.i32(0));
    if (count == 1) {
      Value v = arith::BitcastOp::create(b, spec.biasType, raw);
      return biasBytes == 4 ? v : arith::ExtFOp::create(b, f32, v).getResult();
    }
    Value v = vector::BitCastOp::create(
        b, VectorType::get({count}, spec.biasType), raw);
    return biasBytes == 4
               ? v
               : arith::ExtFOp::create(b, VectorType::get({count}, f32), v)
                     .getResult();
  };
  // Converts f32 values (scalar or vector) to C's storage.
  auto toStorage = [&](Value v) -> Value {
    if (cBytes == 4)
      return v;
    auto vt = dyn_cast<VectorType>(v.getType());
    Type cType =
        vt ? Type(VectorType::get(vt.getShape(), spec.cType)) : spec.cType;
    Value narrow = arith::TruncFOp::create(b, cType, v);
    if (!vt)
      return arith::BitcastOp::create(b, b.getI16Type(), narrow);
    return vector::BitCastOp::create(
        b, VectorType::get({vt.getNumElements() / 2}, i32Ty), narrow);
  };

  unsigned blocksPerTile = mi.accRegisters / run;
  for (unsigned j = 0; j < c.repN(); ++j)
    for (unsigned q = 0; q < blocksPerTile; ++q) {
      Value n = t.addConst(laneN, j * mi.n + q * al.blockStride);
      if (wide) {
        Value valid = t.lessThan(n, p.n);
        Value bias = biasBytes ? loadBias(n, valid, run) : Value();
        for (unsigned i = 0; i < c.repM(); ++i) {
          Value tile = acc[i * c.repN() + j];
          Value v = vector::ShuffleOp::create(
              b, tile, tile,
              llvm::to_vector(llvm::seq<int64_t>(q * run, (q + 1) * run)));
          if (bias)
            v = arith::AddFOp::create(b, v, bias);
          Value row = t.addConst(laneM, i * mi.m);
          Value offset = t.mulConst(t.add(t.mulConst(row, p.n), n), cBytes);
          t.bufferStore(toStorage(v), rsrcC, t.maskOffset(valid, offset));
        }
        continue;
      }
      for (unsigned e = 0; e < run; ++e) {
        Value column = t.addConst(n, e);
        Value valid = t.lessThan(column, p.n);
        Value bias = biasBytes ? loadBias(column, valid, 1) : Value();
        for (unsigned i = 0; i < c.repM(); ++i) {
          Value v =
              vector::ExtractOp::create(b, acc[i * c.repN() + j], q * run + e);
          if (bias)
            v = arith::AddFOp::create(b, v, bias);
          Value row = t.addConst(laneM, i * mi.m);
          Value offset =
              t.mulConst(t.add(t.mulConst(row, p.n), column), cBytes);
          t.bufferStore(toStorage(v), rsrcC, t.maskOffset(valid, offset));
        }
      }
    }
}

//===----------------------------------------------------------------------===//
// The kernel
//===----------------------------------------------------------------------===//

void GemmKernelBuilder::build(gpu::GPUFuncOp func) {
  setUp(func);
  auto accType = VectorType::get({int64_t(mi.accRegisters)}, b.getF32Type());
  Value zero = arith::ConstantOp::create(
      b, DenseElementsAttr::get(accType, b.getF32FloatAttr(0.0f)));
  SmallVector<Value> acc(c.repM() * c.repN(), zero);
  int64_t steps = s.steps;

  if (s.stages >= 2) {
    // `ahead` = prefetch steps are in flight while one computes: steps 0 to
    // ahead - 1 are issued before the loop; the step kt iteration issues
    // step kt + ahead's loads into buffer (kt + ahead) % stages, computes
    // step kt from buffer kt % stages, writes what came through registers
    // and meets one barrier. The loop takes `stages` steps an iteration, so
    // which buffer a step uses is a constant (LDS offsets fold into the
    // instructions); the last `ahead` steps only compute.
    unsigned stages = s.stages, ahead = stages - 1;
    for (int64_t p = 0; p < std::min<int64_t>(ahead, steps); ++p)
      storeStepWithWindow(loadStepWithWindow(t.i32(p), unsigned(p)), t.i32(p),
                          unsigned(p));
    if (steps >= ahead) {
      waitForStagedStep(stages - 2);
      t.barrier();
    }
    auto stepOnce = [&](Value kt, unsigned stage, ValueRange in) {
      Value next = t.addConst(kt, ahead);
      unsigned nextStage = (stage + ahead) % stages;
      StepLoads loads = loadStepWithWindow(next, nextStage);
      SmallVector<Value> result = compute(kt, stage, in);
      storeStepWithWindow(loads, next, nextStage);
      waitForStagedStep(stages - 2);
      t.barrier();
      return result;
    };
    int64_t loading = std::max<int64_t>(0, steps - ahead);
    int64_t groups = loading / stages;
    if (groups > 0) {
      auto loop = scf::ForOp::create(b, t.i32(0), t.i32(groups * stages),
                                     t.i32(stages), acc);
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointToStart(loop.getBody());
      Value kt = loop.getInductionVar();
      SmallVector<Value> result(loop.getRegionIterArgs());
      for (unsigned u = 0; u < stages; ++u)
        result = stepOnce(t.addConst(kt, u), u, result);
      scf::YieldOp::create(b, result);
      b.setInsertionPointAfter(loop);
      acc = SmallVector<Value>(loop.getResults());
    }
    for (int64_t kt = groups * stages; kt < loading; ++kt)
      acc = stepOnce(t.i32(kt), unsigned(kt % stages), acc);
    // The last steps only compute. Step `loading` was waited for before the
    // last barrier (unless the prologue issued fewer than `ahead` steps); each
    // later one waits until only the steps after it are in flight, and meets
    // a barrier so that every wave's loads of it have landed.
    for (int64_t kt = loading; kt < steps; ++kt) {
      if (kt > loading || steps < ahead) {
        waitForStagedStep(unsigned(steps - 1 - kt));
        t.barrier();
      }
      acc = compute(t.i32(kt), unsigned(kt % stages), acc);
    }
  } else {
    // One buffer: load, barrier, compute, barrier.
    auto loop = scf::ForOp::create(b, t.i32(0), t.i32(steps), t.i32(1), acc);
    OpBuilder::InsertionGuard guard(b);
    b.setInsertionPointToStart(loop.getBody());
    Value kt = loop.getInductionVar();
    storeStepWithWindow(loadStepWithWindow(kt, 0), kt, 0);
    if (anyDirect())
      t.waitVectorLoads(0);
    t.barrier();
    SmallVector<Value> result = compute(kt, 0, loop.getRegionIterArgs());
    t.barrier();
    scf::YieldOp::create(b, result);
    b.setInsertionPointAfter(loop);
    acc = SmallVector<Value>(loop.getResults());
  }
  storeResults(acc);
  gpu::ReturnOp::create(b);
}

} // namespace

void mxc::buildGemmKernel(ImplicitLocOpBuilder &b, gpu::GPUFuncOp func,
                          const GemmKernelSpec &spec) {
  GemmKernelBuilder(b, spec).build(func);
}
