//===- TileOps.h - Tile-level building blocks of mx kernels -----*- C++ -*-===//
//
// Part of mxc. The pieces every mx kernel is made of, below the op and above
// amdgpu/rocdl: 32-bit index arithmetic, buffer resources, LDS tiles with a
// bank-conflict-free swizzle, cooperative global -> LDS copies of row tiles
// and LDS -> register reads of a lane's run of bytes. They know nothing of
// matmuls; the scaled-matmul kernel (GemmKernel.cpp) is built from them.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_CONVERSION_MXTOAMDGPU_TILEOPS_H
#define MXC_LIB_CONVERSION_MXTOAMDGPU_TILEOPS_H

#include "mxc/Target/AMDGPU/Chips.h"

#include "mlir/IR/ImplicitLocOpBuilder.h"
#include "mlir/IR/Value.h"
#include "llvm/ADT/SmallVector.h"

namespace mxc::tile {

/// Byte offset past every buffer: buffers are at most 2 GiB, so an access
/// there reads zero or is dropped by the buffer's range check.
constexpr int32_t kMaskedOffset = INT32_MIN;
/// The most bytes a buffer resource addresses (num_records is clamped here).
constexpr int64_t kMaxBufferBytes = 0x7FFFFFFF;

/// Alias scopes of an LDS access (LLVM alias.scope / noalias metadata): a
/// load straight into LDS and LDS reads in disjoint scopes let the backend
/// read LDS without first waiting for the load.
struct LdsScopes {
  mlir::ArrayAttr scopes, noalias;
};

/// Emits i32 arithmetic and memory operations at one location.
class TileBuilder {
public:
  explicit TileBuilder(mlir::ImplicitLocOpBuilder &b) : b(b) {}
  /// A builder for `chip`: its wave size and its buffer resource layout.
  TileBuilder(mlir::ImplicitLocOpBuilder &b, const amdgpu::ChipInfo &chip)
      : b(b), waveSize(chip.waveSize),
        resourceFlags(
            int32_t(amdgpu::getRawBufferResourceFlags(chip.bufferLayout))),
        loadsIntoLds(chip.maxLoadToLdsBytes > 0) {}

  mlir::Value i32(int64_t value);
  mlir::Value add(mlir::Value x, mlir::Value y);
  mlir::Value addConst(mlir::Value x, int64_t y);
  mlir::Value mulConst(mlir::Value x, int64_t y);
  mlir::Value divConst(mlir::Value x, int64_t y);
  mlir::Value remConst(mlir::Value x, int64_t y);
  mlir::Value lessThan(mlir::Value x, int64_t limit);
  /// `offset` where `valid`, else kMaskedOffset.
  mlir::Value maskOffset(mlir::Value valid, mlir::Value offset);

  /// A raw buffer resource over `numRecords` bytes (i64, clamped to
  /// kMaxBufferBytes) at global pointer `base`.
  mlir::Value makeResource(mlir::Value base, mlir::Value numRecords);
  mlir::Value bufferLoad(mlir::Type type, mlir::Value rsrc, mlir::Value voffset,
                         mlir::Value soffset);
  void bufferStore(mlir::Value value, mlir::Value rsrc, mlir::Value voffset);

  /// Loads `type` from LDS at `base` + `offset` bytes, `align`-aligned.
  mlir::Value ldsLoad(mlir::Type type, mlir::Value base, mlir::Value offset,
                      unsigned align, const LdsScopes *scopes = nullptr);
  void ldsStore(mlir::Value value, mlir::Value base, mlir::Value offset,
                unsigned align, const LdsScopes *scopes = nullptr);
  /// A workgroup barrier that orders the workgroup's LDS accesses (not its
  /// global ones, and not loads into LDS still in flight: waitVectorLoads
  /// waits for those).
  void barrier();
  /// Waits until at most `outstanding` of the wave's vector memory loads are
  /// in flight (gfx9's s_waitcnt vmcnt encoding, that of the chips that load
  /// straight into LDS). A load into LDS has written it only once counted
  /// off, and the backend does not wait for it at a barrier.
  void waitVectorLoads(unsigned outstanding);

  /// `dwords` i32 of `pieces` (vectors of i32) joined in order.
  mlir::Value concat(llvm::ArrayRef<mlir::Value> pieces);

  /// Loads `bytes` (a multiple of 4) from `rsrc` at `voffset` in pieces of
  /// at most 16 bytes, as one vector<bytes/4 x i32>.
  mlir::Value loadRun(mlir::Value rsrc, mlir::Value voffset, unsigned bytes);
  /// Stores `value` (a vector of i32) at `voffset` in pieces of at most 16
  /// bytes (dwordx3 included).
  void storeRun(mlir::Value value, mlir::Value rsrc, mlir::Value voffset);
  /// Element `i` of a vector.
  mlir::Value extract(mlir::Value vector, int64_t i);

  /// `src` as read by DPP control `ctrl` (v_mov_b32_dpp; every lane
  /// enabled, out-of-range sources read 0). `src` is i32 or f32.
  mlir::Value dpp(mlir::Value src, unsigned ctrl);
  /// `combine` over the aligned group of `lanes` lanes (1, 2, 4, 8 or 16) a
  /// lane belongs to, by a DPP butterfly; every lane of the group gets the
  /// result. `combine` must be commutative and associative.
  mlir::Value reduceLanes(
      mlir::Value value, unsigned lanes,
      llvm::function_ref<mlir::Value(mlir::Value, mlir::Value)> combine);
  /// `combine` over all `waveSize` lanes of a wave (every lane active), as
  /// a uniform value: rows of 16 by DPP, then the rows (four in wave64, two
  /// in wave32) by readlane.
  mlir::Value
  reduceWave(mlir::Value value,
             llvm::function_ref<mlir::Value(mlir::Value, mlir::Value)> combine);
  /// `combine` over every wave's `waveValue` (uniform per wave) of a
  /// workgroup of `waves` waves through `waves` dwords of LDS at `ldsBase` +
  /// `ldsOffset`; every lane gets the result. Barriers before the reads
  /// and after them (so the LDS may be reused).
  mlir::Value reduceWorkgroup(
      mlir::Value waveValue, mlir::Value wave, unsigned waves,
      mlir::Value ldsBase, int64_t ldsOffset,
      llvm::function_ref<mlir::Value(mlir::Value, mlir::Value)> combine);

  mlir::ImplicitLocOpBuilder &b;
  /// Lanes of a wave (reduceWave).
  unsigned waveSize = 64;
  /// Word 3 of the resources makeResource builds (GFX9's unless built for a
  /// chip).
  int32_t resourceFlags = int32_t(
      amdgpu::getRawBufferResourceFlags(amdgpu::BufferResourceLayout::Gfx9));
  /// The chip loads straight into LDS (the GFX9 chips: gfx90a, gfx942,
  /// gfx950), so barrier() must not drain vmcnt (GFX9's s_waitcnt).
  bool loadsIntoLds = true;
};

/// A tile of `rows` rows of `rowBytes` bytes in LDS, in one of two layouts
/// that keep 16-byte accesses free of bank conflicts:
/// - padded: rows `pitch` bytes apart, the row's 16-byte slots plus one
///   when their number is even. An odd number of slots puts the same slot of
///   16 consecutive rows (one 256-byte read phase of ds_read_b128) on all
///   64 banks, and keeps each row contiguous, so 16-byte writes of
///   consecutive slots of a row (a 128-byte write phase) are conflict-free.
///   Offsets are plain sums, so constant parts fold into offset fields.
/// - swizzled: rows unpadded (a power of two of slots), slot s of row r
///   stored at slot s ^ key(r), key(r) = (r >> keyShift) & keyMask: the 16
///   rows of a read phase land on distinct banks, and a wave's 64 x 16
///   contiguous bytes, as a load straight into LDS writes them, are whole
///   rows.
struct LdsTileLayout {
  int64_t rows = 0, rowBytes = 0, pitch = 0;
  bool swizzled = false;
  unsigned keyShift = 0, keyMask = 0;

  static LdsTileLayout padded(int64_t rows, int64_t rowBytes);
  static LdsTileLayout swizzle(int64_t rows, int64_t rowBytes);
  int64_t bytes() const { return rows * pitch; }
  /// Rows whose distance is a multiple of this have the same key.
  int64_t keyPeriod() const { return int64_t(keyMask + 1) << keyShift; }
  /// Where byte `byte` of row `row` lives, relative to the tile.
  int64_t offset(int64_t row, int64_t byte) const;
  mlir::Value offset(TileBuilder &t, mlir::Value row, mlir::Value byte) const;
  /// The same for row `row + rowConst`, with the constant kept out of the
  /// key where it does not change it (so it folds into an offset field).
  mlir::Value offset(TileBuilder &t, mlir::Value row, int64_t rowConst,
                     mlir::Value byte) const;
};

/// Rounds of a load straight into LDS that share one LDS pointer (M0): the
/// 12-bit instruction offset, which moves the LDS address as well as the
/// memory address, holds 0 to 4095: four rounds of a wave's 64 x 16 bytes.
constexpr unsigned kLdsRoundsPerPointer = 4;

/// A cooperative copy of one K step of a row-major global operand into an
/// LDS tile: tile row r is global row `firstRow + r`, `layout.rowBytes`
/// bytes from byte `kByte` of the row. Each of `threads` threads moves
/// `chunkBytes` (8 or 16) at a time, consecutive threads consecutive chunks
/// of a row, so a wave's load touches as few 128-byte lines as its bytes.
struct RowTileCopy {
  mlir::Value rsrc;
  mlir::Value firstRowOffset; ///< Byte offset of tile row 0 (uniform).
  int64_t rowStride = 0;      ///< Bytes between global rows.
  LdsTileLayout layout;
  unsigned chunkBytes = 16;
  unsigned threads = 0;
  /// Bytes of a global row that hold data: chunks at or past it read zero.
  /// Only checked (at run time, per step) when `maskTail`.
  int64_t validRowBytes = 0;
  bool maskTail = false;

  int64_t chunksPerRow() const { return layout.rowBytes / chunkBytes; }
  /// Rounds every thread (and so every wave) issues a load in.
  unsigned wholeRounds() const { return unsigned(chunks() / threads); }
  int64_t chunks() const { return layout.rows * chunksPerRow(); }
  unsigned chunksPerThread() const {
    return unsigned((chunks() + threads - 1) / threads);
  }

  /// Issues the loads of the step whose first byte in each row is `kByte`
  /// (uniform i32); returns one vector<chunkBytes/4 x i32> per chunk.
  llvm::SmallVector<mlir::Value> load(TileBuilder &t, mlir::Value tid,
                                      mlir::Value kByte) const;
  /// Writes what load() returned into the tile at `ldsBase` + `tileOffset`.
  void store(TileBuilder &t, mlir::Value tid, llvm::ArrayRef<mlir::Value> data,
             mlir::Value ldsBase, mlir::Value tileOffset) const;
  /// Loads the step straight into the (swizzled, 16-byte chunk) tile at
  /// `ldsBase` + `tileOffset` (uniform): chunk c of the tile's linear order
  /// is lane c % 64 of wave c / 64's load, which fetches the global chunk
  /// the swizzle stores there. `wave` is the uniform wave index.
  void loadToLds(TileBuilder &t, mlir::Value tid, mlir::Value wave,
                 mlir::Value kByte, mlir::Value ldsBase, mlir::Value tileOffset,
                 const LdsScopes *scopes = nullptr) const;
};

/// A cooperative copy of one K step of a [K, N] byte operand into an LDS
/// tile of N rows of K bytes (transposing it): tile row r is column
/// `firstColumn + r`; global byte (k, n) sits at k * `columns` + n. It
/// moves one byte per thread and access; columns past `columns` and rows
/// past the buffer read zero.
struct ColumnTileCopy {
  mlir::Value rsrc;
  mlir::Value firstColumn; ///< Uniform.
  int64_t columns = 0;
  LdsTileLayout layout;
  unsigned threads = 0;

  unsigned bytesPerThread() const {
    return unsigned((layout.rows * layout.rowBytes + threads - 1) / threads);
  }
  llvm::SmallVector<mlir::Value> load(TileBuilder &t, mlir::Value tid,
                                      mlir::Value kRow) const;
  void store(TileBuilder &t, mlir::Value tid, llvm::ArrayRef<mlir::Value> data,
             mlir::Value ldsBase, mlir::Value tileOffset) const;
};

/// Per-lane runs of a row-major [rows, rowBytes] global buffer: lane
/// (`row`, `run`) owns bytes [run * runBytes, (run + 1) * runBytes) of row
/// `row`. Runs of a wave are consecutive, so a 16-byte run per lane makes
/// every access of the wave touch as few 128-byte lines as its bytes; lanes
/// that are not `valid` (rows past M, runs past the row) get an offset past
/// every buffer: their loads read zero and their stores are dropped.
struct RowRuns {
  mlir::Value rsrc;
  int64_t rowBytes = 0;
  unsigned runBytes = 0;

  mlir::Value offset(TileBuilder &t, mlir::Value row, mlir::Value run,
                     mlir::Value valid) const;
  mlir::Value load(TileBuilder &t, mlir::Value row, mlir::Value run,
                   mlir::Value valid) const;
  void store(TileBuilder &t, mlir::Value value, mlir::Value row,
             mlir::Value run, mlir::Value valid) const;
};

/// Reads `bytes` bytes of row `row + rowConst` of an LDS tile from byte
/// `byte` on, in pieces of `pieceBytes` (a power of two dividing `bytes` and
/// `byte`), as one vector of i32. Reads whose rows differ by constants share
/// their address arithmetic where the layout allows.
mlir::Value readLdsRun(TileBuilder &t, const LdsTileLayout &layout,
                       mlir::Value ldsBase, mlir::Value tileOffset,
                       mlir::Value row, int64_t rowConst, mlir::Value byte,
                       unsigned bytes, unsigned pieceBytes,
                       const LdsScopes *scopes = nullptr);

} // namespace mxc::tile

#endif // MXC_LIB_CONVERSION_MXTOAMDGPU_TILEOPS_H
