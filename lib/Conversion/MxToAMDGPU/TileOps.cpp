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

/// Word 3 of a CDNA buffer resource: 32-bit data format, float number format
/// (what the hardware expects for raw untyped buffer access on gfx9).
static constexpr int32_t kCdnaBufferFlags = (7 << 12) | (4 << 15);

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
                                         bytes, i32(kCdnaBufferFlags));
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

Value TileBuilder::ldsLoad(Type type, Value base, Value offset,
                           unsigned align) {
  return LLVM::LoadOp::create(b, type, ldsAddress(b, base, offset), align);
}

void TileBuilder::ldsStore(Value value, Value base, Value offset,
                           unsigned align) {
  LLVM::StoreOp::create(b, value, ldsAddress(b, base, offset), align);
}

void TileBuilder::barrier() { gpu::BarrierOp::create(b); }

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

//===----------------------------------------------------------------------===//
// LDS tiles
//===----------------------------------------------------------------------===//

LdsTileLayout LdsTileLayout::get(int64_t rows, int64_t rowBytes) {
  return LdsTileLayout{rows, rowBytes, getLdsPitch(rowBytes)};
}

Value LdsTileLayout::offset(TileBuilder &t, Value row, Value byte) const {
  return t.add(t.mulConst(row, pitch), byte);
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

SmallVector<Value> RowTileCopy::load(TileBuilder &t, Value tid,
                                     Value kByte) const {
  ImplicitLocOpBuilder &b = t.b;
  Type type = VectorType::get({chunkBytes / 4}, b.getI32Type());
  SmallVector<Value> data;
  for (unsigned i = 0; i < chunksPerThread(); ++i) {
    ChunkIndex c = chunkIndex(t, tid, i, threads, chunks());
    auto [row, byte] = chunkPlace(t, *this, tid, i);
    Value offset =
        t.add(t.add(firstRowOffset, t.mulConst(row, rowStride)), byte);
    Value valid;
    if (maskTail) {
      // Chunks past K read zero; the step start is uniform, the chunk's
      // place in the step is not.
      valid = arith::CmpIOp::create(b, arith::CmpIPredicate::ult,
                                    t.add(kByte, byte), t.i32(validRowBytes));
    }
    if (c.mayBeOutside) {
      Value inside = t.lessThan(c.index, chunks());
      valid =
          valid ? arith::AndIOp::create(b, valid, inside).getResult() : inside;
    }
    if (valid)
      offset = t.maskOffset(valid, offset);
    data.push_back(t.bufferLoad(type, rsrc, offset, kByte));
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
                            Value byte, unsigned bytes, unsigned pieceBytes) {
  Type i32Ty = t.b.getI32Type();
  SmallVector<Value> pieces;
  for (unsigned at = 0; at < bytes; at += pieceBytes) {
    Value offset = layout.offset(t, row, t.addConst(byte, at));
    Type type = VectorType::get({pieceBytes / 4}, i32Ty);
    pieces.push_back(
        t.ldsLoad(type, ldsBase, t.add(tileOffset, offset), pieceBytes));
  }
  return t.concat(pieces);
}
