//===- TileOps.cpp - Tile-level building blocks of mx kernels -------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "TileOps.h"

#include "mxc/Transforms/GemmConfig.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/GPU/IR/GPUDialect.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "llvm/Support/MathExtras.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::tile;

Value TileBuilder::i32(int64_t value) {
  return arith::ConstantIntOp::create(b, value, 32);
}
Value TileBuilder::add(Value x, Value y) {
  return arith::AddIOp::create(b, x, y);
}
Value TileBuilder::addConst(Value x, int64_t y) {
  return y ? add(x, i32(y)) : x;
}
Value TileBuilder::mulConst(Value x, int64_t y) {
  if (y == 1)
    return x;
  return arith::MulIOp::create(b, x, i32(y));
}
Value TileBuilder::divConst(Value x, int64_t y) {
  return y == 1 ? x : arith::DivUIOp::create(b, x, i32(y)).getResult();
}
Value TileBuilder::remConst(Value x, int64_t y) {
  return y == 1 ? i32(0) : arith::RemUIOp::create(b, x, i32(y)).getResult();
}
Value TileBuilder::lessThan(Value x, int64_t limit) {
  return arith::CmpIOp::create(b, arith::CmpIPredicate::ult, x, i32(limit));
}
Value TileBuilder::maskOffset(Value valid, Value offset) {
  return arith::SelectOp::create(b, valid, offset, i32(kMaskedOffset));
}

Value TileBuilder::makeResource(Value base, Value numRecords) {
  auto ptr8 = LLVM::LLVMPointerType::get(b.getContext(), 8);
  Value bytes = arith::MinUIOp::create(
      b, numRecords, arith::ConstantIntOp::create(b, kMaxBufferBytes, 64));
  return ROCDL::MakeBufferRsrcOp::create(b, ptr8, base,
                                         arith::ConstantIntOp::create(b, 0, 16),
                                         bytes, i32(resourceFlags));
}

Value TileBuilder::bufferLoad(Type type, Value rsrc, Value voffset,
                              Value soffset) {
  return ROCDL::RawPtrBufferLoadOp::create(b, type, rsrc, voffset, soffset,
                                           i32(0), nullptr, nullptr, nullptr);
}

void TileBuilder::bufferStore(Value value, Value rsrc, Value voffset) {
  ROCDL::RawPtrBufferStoreOp::create(b, value, rsrc, voffset, i32(0), i32(0),
                                     nullptr, nullptr, nullptr);
}

static Value ldsAddress(ImplicitLocOpBuilder &b, Value base, Value offset) {
  return LLVM::GEPOp::create(b, base.getType(), b.getI8Type(), base,
                             ArrayRef<LLVM::GEPArg>{offset},
                             LLVM::GEPNoWrapFlags::inbounds);
}

Value TileBuilder::ldsLoad(Type type, Value base, Value offset, unsigned align,
                           const LdsScopes *scopes) {
  auto load = LLVM::LoadOp::create(b, type, ldsAddress(b, base, offset), align);
  if (scopes) {
    load.setAliasScopesAttr(scopes->scopes);
    load.setNoaliasScopesAttr(scopes->noalias);
  }
  return load;
}

void TileBuilder::ldsStore(Value value, Value base, Value offset,
                           unsigned align, const LdsScopes *scopes) {
  auto store =
      LLVM::StoreOp::create(b, value, ldsAddress(b, base, offset), align);
  if (scopes) {
    store.setAliasScopesAttr(scopes->scopes);
    store.setNoaliasScopesAttr(scopes->noalias);
  }
}

void TileBuilder::barrier() {
  if (!loadsIntoLds) {
    gpu::BarrierOp::create(b);
    return;
  }
  // A workgroup fence, even one for LDS alone (amdgpu.lds_barrier's MMRA),
  // makes the backend wait for every load into LDS in flight (they are LDS
  // writes counted by vmcnt: s_waitcnt vmcnt(0) before the s_barrier), which
  // would drain a pipeline that keeps the next steps' loads in flight across
  // the barrier. So, as composable_kernel's block_sync_lds: LDS accesses
  // complete (lgkmcnt(0)), then s_barrier; single-thread fences keep the
  // compiler from moving memory accesses across it and cost no wait. Loads
  // into LDS are waited for explicitly (waitVectorLoads).
  LLVM::FenceOp::create(b, LLVM::AtomicOrdering::release, "singlethread");
  // vmcnt 63 and expcnt 7 (no wait), lgkmcnt 0: bits [3:0],[15:14] / [6:4]
  // / [11:8] (GFX9 ISA guides, S_WAITCNT).
  ROCDL::SWaitcntOp::create(b, b.getI32IntegerAttr(0xC07F));
  ROCDL::SBarrierOp::create(b);
  LLVM::FenceOp::create(b, LLVM::AtomicOrdering::acquire, "singlethread");
}

void TileBuilder::waitVectorLoads(unsigned outstanding) {
  // vmcnt in bits [3:0] and [15:14]; expcnt (7) and lgkmcnt (15) not waited.
  unsigned vmcnt = std::min(outstanding, 63u);
  int32_t bits =
      int32_t((vmcnt & 0xF) | ((vmcnt >> 4) << 14) | (7 << 4) | (15 << 8));
  ROCDL::SWaitcntOp::create(b, b.getI32IntegerAttr(bits));
}

Value TileBuilder::concat(ArrayRef<Value> pieces) {
  Value all = pieces.front();
  for (Value piece : pieces.drop_front()) {
    int64_t n = cast<VectorType>(all.getType()).getNumElements() +
                cast<VectorType>(piece.getType()).getNumElements();
    all = vector::ShuffleOp::create(b, all, piece,
                                    llvm::to_vector(llvm::seq<int64_t>(0, n)));
  }
  return all;
}

Value TileBuilder::loadRun(Value rsrc, Value voffset, unsigned bytes) {
  assert(bytes % 4 == 0 && "whole dwords");
  SmallVector<Value> pieces;
  for (unsigned at = 0; at < bytes; at += 16) {
    unsigned piece = std::min(16u, bytes - at);
    Type type = VectorType::get({piece / 4}, b.getI32Type());
    pieces.push_back(bufferLoad(type, rsrc, addConst(voffset, at), i32(0)));
  }
  return concat(pieces);
}

void TileBuilder::storeRun(Value value, Value rsrc, Value voffset) {
  int64_t dwords = cast<VectorType>(value.getType()).getNumElements();
  for (int64_t at = 0; at < dwords; at += 4) {
    int64_t piece = std::min<int64_t>(4, dwords - at);
    Value part = value;
    if (piece != dwords)
      part = vector::ShuffleOp::create(
          b, value, value, llvm::to_vector(llvm::seq<int64_t>(at, at + piece)));
    bufferStore(part, rsrc, addConst(voffset, at * 4));
  }
}

Value TileBuilder::extract(Value vector, int64_t i) {
  return vector::ExtractOp::create(b, vector, i);
}

Value TileBuilder::dpp(Value src, unsigned ctrl) {
  return ROCDL::DPPUpdateOp::create(b, src.getType(), src, src, ctrl,
                                    /*rowMask=*/0xF, /*bankMask=*/0xF,
                                    /*boundCtrl=*/true);
}

namespace {
/// DPP controls (AMD ISA guides, DPP_CTRL). All four act within a row of 16
/// lanes and exist on GFX9 and GFX10+ alike (LLVM's AMDGPUAsmParser::
/// isSupportedDPPCtrl; its GFX11/GFX12 dpp16_ctrl syntax), unlike row_bcast
/// or the wave shifts (GFX9 only), so the reductions built from them run in
/// wave32 and wave64 alike.
enum DppCtrl : unsigned {
  kQuadPerm1032 = 0xB1,   ///< quad_perm [1, 0, 3, 2]: swap neighbours.
  kQuadPerm2301 = 0x4E,   ///< quad_perm [2, 3, 0, 1]: swap pairs.
  kRowMirror = 0x140,     ///< lane 15 - i of the row of 16.
  kRowHalfMirror = 0x141, ///< lane 7 - i of the half row.
};
} // namespace

Value TileBuilder::reduceLanes(Value value, unsigned lanes,
                               function_ref<Value(Value, Value)> combine) {
  assert(llvm::isPowerOf2_32(lanes) && lanes <= 16 && "a DPP row at most");
  // Each step combines a lane with one of the other half of its group of
  // 2, 4, 8, 16 lanes; after it, the group holds one value.
  const unsigned steps[] = {kQuadPerm1032, kQuadPerm2301, kRowHalfMirror,
                            kRowMirror};
  for (unsigned i = 0; (2u << i) <= lanes; ++i)
    value = combine(value, dpp(value, steps[i]));
  return value;
}

Value TileBuilder::reduceWave(Value value,
                              function_ref<Value(Value, Value)> combine) {
  Value row = reduceLanes(value, 16, combine);
  Type type = value.getType();
  Value result = ROCDL::ReadlaneOp::create(b, type, row, i32(0));
  for (int64_t lane = 16; lane < int64_t(waveSize); lane += 16)
    result =
        combine(result, ROCDL::ReadlaneOp::create(b, type, row, i32(lane)));
  return result;
}

Value TileBuilder::reduceWorkgroup(Value waveValue, Value wave, unsigned waves,
                                   Value ldsBase, int64_t ldsOffset,
                                   function_ref<Value(Value, Value)> combine) {
  if (waves == 1)
    return waveValue;
  // Every lane of a wave writes the same (uniform) dword: one store.
  ldsStore(waveValue, ldsBase, addConst(mulConst(wave, 4), ldsOffset), 4);
  barrier();
  Value result;
  for (unsigned w = 0; w < waves; ++w) {
    Value part =
        ldsLoad(waveValue.getType(), ldsBase, i32(ldsOffset + 4 * w), 4);
    result = result ? combine(result, part) : part;
  }
  barrier();
  return result;
}

Value RowRuns::offset(TileBuilder &t, Value row, Value run, Value valid) const {
  Value at = t.add(t.mulConst(row, rowBytes), t.mulConst(run, runBytes));
  return valid ? t.maskOffset(valid, at) : at;
}

Value RowRuns::load(TileBuilder &t, Value row, Value run, Value valid) const {
  return t.loadRun(rsrc, offset(t, row, run, valid), runBytes);
}

void RowRuns::store(TileBuilder &t, Value value, Value row, Value run,
                    Value valid) const {
  t.storeRun(value, rsrc, offset(t, row, run, valid));
}

//===----------------------------------------------------------------------===//
// LDS tiles
//===----------------------------------------------------------------------===//

LdsTileLayout LdsTileLayout::padded(int64_t rows, int64_t rowBytes) {
  LdsTileLayout l;
  l.rows = rows;
  l.rowBytes = rowBytes;
  l.pitch = getLdsPitch(rowBytes);
  return l;
}

LdsTileLayout LdsTileLayout::swizzle(int64_t rows, int64_t rowBytes) {
  assert(canSwizzleLdsRows(rowBytes) && "rows of a power of two of slots");
  LdsTileLayout l;
  l.rows = rows;
  l.rowBytes = rowBytes;
  l.pitch = rowBytes;
  l.swizzled = true;
  int64_t slots = rowBytes / 16;
  // A 256-byte bank window holds 16 slots: 16 / slots rows share one, so
  // the key changes every 16 / slots rows; wider rows take the row's low 4
  // bits.
  l.keyShift = slots >= 16 ? 0 : llvm::Log2_64(uint64_t(16 / slots));
  l.keyMask = unsigned(std::min<int64_t>(slots, 16) - 1);
  return l;
}

int64_t LdsTileLayout::offset(int64_t row, int64_t byte) const {
  if (!swizzled)
    return row * pitch + byte;
  int64_t key = (row >> keyShift) & keyMask;
  return row * pitch + (byte ^ (key << 4));
}

Value LdsTileLayout::offset(TileBuilder &t, Value row, Value byte) const {
  return offset(t, row, 0, byte);
}

Value LdsTileLayout::offset(TileBuilder &t, Value row, int64_t rowConst,
                            Value byte) const {
  ImplicitLocOpBuilder &b = t.b;
  if (!swizzled || keyMask == 0)
    return t.addConst(t.add(t.mulConst(row, pitch), byte), rowConst * pitch);
  Value keyRow = row;
  if (rowConst % keyPeriod() != 0) {
    keyRow = t.addConst(row, rowConst);
    rowConst = 0;
  }
  Value key = keyRow;
  if (keyShift)
    key = arith::ShRUIOp::create(b, key, t.i32(keyShift));
  key = arith::AndIOp::create(b, key, t.i32(keyMask));
  // XOR of the slot index is XOR of the byte offset's bits 4 and up.
  Value swizzled =
      arith::XOrIOp::create(b, byte, arith::ShLIOp::create(b, key, t.i32(4)));
  return t.addConst(t.add(t.mulConst(keyRow, pitch), swizzled),
                    rowConst * pitch);
}

//===----------------------------------------------------------------------===//
// Global -> LDS copies
//===----------------------------------------------------------------------===//

namespace {
/// Where chunk `i` of a thread sits: its index in the tile and whether the
/// thread has one (the last round may not cover every thread).
struct ChunkIndex {
  Value index;
  bool mayBeOutside;
};
ChunkIndex chunkIndex(TileBuilder &t, Value tid, unsigned i, unsigned threads,
                      int64_t chunks) {
  Value index = t.addConst(tid, int64_t(i) * threads);
  return {index, int64_t(i + 1) * threads > chunks};
}

/// Runs `body` only on threads whose chunk lies in the tile.
void guarded(TileBuilder &t, const ChunkIndex &c, int64_t chunks,
             llvm::function_ref<void()> body) {
  if (!c.mayBeOutside) {
    body();
    return;
  }
  auto ifOp = scf::IfOp::create(t.b, t.lessThan(c.index, chunks),
                                /*withElseRegion=*/false);
  OpBuilder::InsertionGuard guard(t.b);
  t.b.setInsertionPointToStart(ifOp.thenBlock());
  body();
}
} // namespace

/// Tile row and byte of round `i`'s chunk of thread `tid`. When a round
/// covers whole rows, rounds differ by a constant number of rows, which
/// folds into the accesses' offsets.
static std::pair<Value, Value> chunkPlace(TileBuilder &t, const RowTileCopy &c,
                                          Value tid, unsigned i) {
  int64_t perRow = c.chunksPerRow();
  Value index = tid;
  int64_t rowStep = 0;
  if (c.threads % perRow == 0)
    rowStep = int64_t(i) * (c.threads / perRow);
  else
    index = t.addConst(tid, int64_t(i) * c.threads);
  Value row = t.addConst(t.divConst(index, perRow), rowStep);
  return {row, t.mulConst(t.remConst(index, perRow), c.chunkBytes)};
}

namespace {
/// Where round `i`'s chunk of a thread comes from and goes to.
struct ChunkAddress {
  Value row, slotByte; ///< In the LDS tile (linear order for loadToLds).
  Value globalByte;    ///< Byte of the global row (the swizzle undone).
  Value voffset, soffset;
};
} // namespace

/// Rounds that cover whole rows differ by a row step; the part of it that
/// is a multiple of the swizzle's key period leaves the key unchanged, so
/// it goes to the (scalar) soffset and rounds share their vector offsets.
static ChunkAddress chunkAddress(TileBuilder &t, const RowTileCopy &c,
                                 Value tid, unsigned i, Value kByte) {
  ImplicitLocOpBuilder &b = t.b;
  ChunkAddress a;
  std::tie(a.row, a.slotByte) = chunkPlace(t, c, tid, i);
  int64_t perRow = c.chunksPerRow();
  Value baseRow = a.row;
  int64_t scalarRows = 0;
  if (c.threads % perRow == 0) {
    int64_t rowStep = int64_t(i) * (c.threads / perRow);
    int64_t period = c.layout.swizzled ? c.layout.keyPeriod() : 1;
    scalarRows = rowStep - rowStep % period;
    baseRow = t.addConst(t.divConst(tid, perRow), rowStep % period);
  }
  a.globalByte = a.slotByte;
  if (c.layout.swizzled && c.layout.keyMask) {
    Value key = baseRow;
    if (c.layout.keyShift)
      key = arith::ShRUIOp::create(b, key, t.i32(c.layout.keyShift));
    key = arith::AndIOp::create(b, key, t.i32(c.layout.keyMask));
    a.globalByte = arith::XOrIOp::create(
        b, a.slotByte, arith::ShLIOp::create(b, key, t.i32(4)));
  }
  a.voffset = t.add(t.add(c.firstRowOffset, t.mulConst(baseRow, c.rowStride)),
                    a.globalByte);
  a.soffset = t.addConst(kByte, scalarRows * c.rowStride);
  return a;
}

/// Where the tile's linear chunk `index` comes from: row index / perRow,
/// slot index % perRow, holding the row's chunk slot ^ key(row).
static ChunkAddress chunkAddressOf(TileBuilder &t, const RowTileCopy &c,
                                   Value index, Value kByte) {
  ImplicitLocOpBuilder &b = t.b;
  int64_t perRow = c.chunksPerRow();
  ChunkAddress a;
  a.row = t.divConst(index, perRow);
  a.slotByte = t.mulConst(t.remConst(index, perRow), c.chunkBytes);
  a.globalByte = a.slotByte;
  if (c.layout.swizzled && c.layout.keyMask) {
    Value key = a.row;
    if (c.layout.keyShift)
      key = arith::ShRUIOp::create(b, key, t.i32(c.layout.keyShift));
    key = arith::AndIOp::create(b, key, t.i32(c.layout.keyMask));
    a.globalByte = arith::XOrIOp::create(
        b, a.slotByte, arith::ShLIOp::create(b, key, t.i32(4)));
  }
  a.voffset = t.add(t.add(c.firstRowOffset, t.mulConst(a.row, c.rowStride)),
                    a.globalByte);
  a.soffset = kByte;
  return a;
}

/// `a.voffset`, or past every buffer where the chunk lies past K or outside
/// the tile.
static Value maskedOffset(TileBuilder &t, const RowTileCopy &c,
                          const ChunkAddress &a, const ChunkIndex &index,
                          Value kByte) {
  ImplicitLocOpBuilder &b = t.b;
  Value valid;
  if (c.maskTail) {
    // Chunks past K read zero; the step start is uniform, the chunk's
    // place in the step is not.
    valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                  t.add(kByte, a.globalByte),
                                  t.i32(c.validRowBytes));
  }
  if (index.mayBeOutside) {
    Value inside = t.lessThan(index.index, c.chunks());
    valid =
        valid ? arith::AndIOp::create(b, valid, inside).getResult() : inside;
  }
  return valid ? t.maskOffset(valid, a.voffset) : a.voffset;
}

SmallVector<Value> RowTileCopy::load(TileBuilder &t, Value tid,
                                     Value kByte) const {
  ImplicitLocOpBuilder &b = t.b;
  Type type = VectorType::get({chunkBytes / 4}, b.getI32Type());
  SmallVector<Value> data;
  for (unsigned i = 0; i < chunksPerThread(); ++i) {
    ChunkIndex c = chunkIndex(t, tid, i, threads, chunks());
    ChunkAddress a = chunkAddress(t, *this, tid, i, kByte);
    data.push_back(t.bufferLoad(type, rsrc, maskedOffset(t, *this, a, c, kByte),
                                a.soffset));
  }
  return data;
}

void RowTileCopy::store(TileBuilder &t, Value tid, ArrayRef<Value> data,
                        Value ldsBase, Value tileOffset) const {
  for (unsigned i = 0; i < chunksPerThread(); ++i) {
    ChunkIndex c = chunkIndex(t, tid, i, threads, chunks());
    guarded(t, c, chunks(), [&] {
      auto [row, byte] = chunkPlace(t, *this, tid, i);
      Value at = t.add(tileOffset, layout.offset(t, row, byte));
      t.ldsStore(data[i], ldsBase, at, chunkBytes);
    });
  }
}

void RowTileCopy::loadToLds(TileBuilder &t, Value tid, Value wave, Value kByte,
                            Value ldsBase, Value tileOffset,
                            const LdsScopes *scopes) const {
  ImplicitLocOpBuilder &b = t.b;
  assert(layout.swizzled && chunkBytes == 16 &&
         layout.pitch == layout.rowBytes);
  const int64_t waveLanes = 64, waveBytes = waveLanes * chunkBytes;
  // Where every round is whole, wave w's rounds write its own consecutive
  // KiBs of the tile: rounds share one LDS pointer (M0) per
  // kLdsRoundsPerPointer of them and the instruction offset, which moves
  // the memory address too, tells them apart; their vector offsets take
  // that offset back off and the scalar offset is the step's byte alone.
  unsigned rounds = chunksPerThread();
  bool waveMajor = rounds > 1 && chunks() % threads == 0;
  for (unsigned i = 0; i < rounds; ++i) {
    ChunkIndex c = chunkIndex(t, tid, i, threads, chunks());
    auto body = [&] {
      if (waveMajor) {
        // Lane l of wave w writes the tile's linear chunk
        // (w * rounds + i) * 64 + l, which holds the row's chunk
        // slot ^ key(row).
        int64_t instOffset = int64_t(i % kLdsRoundsPerPointer) * waveBytes;
        Value index =
            t.add(tid, t.mulConst(t.addConst(t.mulConst(wave, rounds - 1), i),
                                  waveLanes));
        ChunkAddress a = chunkAddressOf(t, *this, index, kByte);
        Value voffset = t.addConst(a.voffset, -instOffset);
        if (maskTail)
          voffset =
              t.maskOffset(arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                                 t.add(kByte, a.globalByte),
                                                 t.i32(validRowBytes)),
                           voffset);
        Value first = t.add(tileOffset,
                            t.mulConst(t.addConst(t.mulConst(wave, rounds),
                                                  i - i % kLdsRoundsPerPointer),
                                       waveBytes));
        Value lds = LLVM::GEPOp::create(b, ldsBase.getType(), b.getI8Type(),
                                        ldsBase, ArrayRef<LLVM::GEPArg>{first},
                                        LLVM::GEPNoWrapFlags::inbounds);
        ROCDL::RawPtrBufferLoadLdsOp::create(
            b, rsrc, lds, t.i32(chunkBytes), voffset, kByte, t.i32(instOffset),
            t.i32(0), scopes ? scopes->scopes : nullptr,
            scopes ? scopes->noalias : nullptr, nullptr);
        return;
      }
      // This lane writes the tile's linear chunk c (row c / perRow, slot
      // c % perRow), which holds the row's chunk slot ^ key(row).
      ChunkAddress a = chunkAddress(t, *this, tid, i, kByte);
      Value voffset = maskedOffset(t, *this, a, c, kByte);
      // The wave's 64 lanes write 1 KiB from here on (uniform).
      Value first = t.addConst(t.add(tileOffset, t.mulConst(wave, waveBytes)),
                               int64_t(i) * threads * chunkBytes);
      Value lds = LLVM::GEPOp::create(b, ldsBase.getType(), b.getI8Type(),
                                      ldsBase, ArrayRef<LLVM::GEPArg>{first},
                                      LLVM::GEPNoWrapFlags::inbounds);
      ROCDL::RawPtrBufferLoadLdsOp::create(
          b, rsrc, lds, t.i32(chunkBytes), voffset, a.soffset, t.i32(0),
          t.i32(0), scopes ? scopes->scopes : nullptr,
          scopes ? scopes->noalias : nullptr, nullptr);
    };
    guarded(t, c, chunks(), body);
  }
}

SmallVector<Value> ColumnTileCopy::load(TileBuilder &t, Value tid,
                                        Value kRow) const {
  ImplicitLocOpBuilder &b = t.b;
  int64_t total = layout.rows * layout.rowBytes;
  SmallVector<Value> data;
  // Consecutive threads read consecutive columns of one K row.
  Value soffset = t.mulConst(kRow, columns);
  for (unsigned i = 0; i < bytesPerThread(); ++i) {
    ChunkIndex c = chunkIndex(t, tid, i, threads, total);
    Value k = t.divConst(c.index, layout.rows);
    Value n = t.add(firstColumn, t.remConst(c.index, layout.rows));
    Value offset = t.add(t.mulConst(k, columns), n);
    Value valid = t.lessThan(n, columns);
    if (c.mayBeOutside)
      valid = arith::AndIOp::create(b, valid, t.lessThan(c.index, total));
    offset = t.maskOffset(valid, offset);
    data.push_back(t.bufferLoad(b.getI8Type(), rsrc, offset, soffset));
  }
  return data;
}

void ColumnTileCopy::store(TileBuilder &t, Value tid, ArrayRef<Value> data,
                           Value ldsBase, Value tileOffset) const {
  int64_t total = layout.rows * layout.rowBytes;
  for (unsigned i = 0; i < bytesPerThread(); ++i) {
    ChunkIndex c = chunkIndex(t, tid, i, threads, total);
    guarded(t, c, total, [&] {
      Value k = t.divConst(c.index, layout.rows);
      Value n = t.remConst(c.index, layout.rows);
      t.ldsStore(data[i], ldsBase, t.add(tileOffset, layout.offset(t, n, k)),
                 1);
    });
  }
}

Value mxc::tile::readLdsRun(TileBuilder &t, const LdsTileLayout &layout,
                            Value ldsBase, Value tileOffset, Value row,
                            int64_t rowConst, Value byte, unsigned bytes,
                            unsigned pieceBytes, const LdsScopes *scopes) {
  Type i32Ty = t.b.getI32Type();
  SmallVector<Value> pieces;
  // (tile + lane part) + constant: the lane part is shared by the reads of
  // every row block, the constant folds into the instruction.
  int64_t constRows = rowConst;
  if (layout.swizzled && layout.keyMask && rowConst % layout.keyPeriod() != 0) {
    row = t.addConst(row, rowConst);
    constRows = 0;
  }
  for (unsigned at = 0; at < bytes; at += pieceBytes) {
    Value offset = layout.offset(t, row, t.addConst(byte, at));
    Type type = VectorType::get({pieceBytes / 4}, i32Ty);
    Value address =
        t.addConst(t.add(tileOffset, offset), constRows * layout.pitch);
    pieces.push_back(t.ldsLoad(type, ldsBase, address, pieceBytes, scopes));
  }
  return t.concat(pieces);
}
