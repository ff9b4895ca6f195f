//===- Checker.h - Race, barrier and LDS initialisation checks --*- C++ -*-===//
//
// Part of mxc. The opt-in checks of a launch (CheckOptions), like
// compute-sanitizer's racecheck, synccheck and initcheck. The executor calls
// the checker from every memory path when a check is on; otherwise it holds
// none, and a plain run pays a null test per lane of a memory instruction.
//
// Waves of a workgroup run in turn a basic block at a time, so the order in
// which the simulator happens to interleave them says nothing about the
// order hardware guarantees. Races are therefore found from barrier
// intervals: every access is stamped with the workgroup's barrier count, and
// two accesses of one byte in the same interval by different waves, at least
// one a write and not both atomic, are a hazard however they interleaved.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_SIM_CHECKER_H
#define MXC_LIB_SIM_CHECKER_H

#include "Program.h"

#include "llvm/ADT/ArrayRef.h"
#include "llvm/ADT/DenseMap.h"
#include <string>
#include <vector>

namespace mxc::sim {

/// What one lane's access does to memory: a bit set. An atomicrmw is
/// Load | Store | Atomic; an atomic load or store carries Atomic too (the
/// checker also finds that from the instruction itself).
enum AccessKind : uint8_t {
  AccessLoad = 1,
  AccessStore = 2,
  AccessAtomic = 4,
};

/// A finding of a check; it stops the run like a fault.
struct CheckFailure {
  std::string message;
};

/// A wave waiting at a barrier, for the barrier check.
struct BarrierWait {
  unsigned wave;
  const Inst *barrier;
};

class Checker {
public:
  Checker(const Kernel &kernel, const CheckOptions &options, Memory &memory,
          uint32_t ldsBytes);

  bool checksRaces() const { return options.race; }

  /// A new workgroup of `numWaves` waves: nothing of LDS or private memory
  /// is written, no access is pending.
  void beginWorkgroup(const uint32_t group[3], unsigned numWaves,
                      unsigned waveSize);
  /// Called once per wave-level memory instruction, before its lanes'
  /// accesses: lanes of one instruction are not ordered by program order.
  void beginInstruction() { ++serial; }

  /// Lane `lane` of wave `wave` accesses LDS bytes [offset, offset + bytes)
  /// with `inst`. For a plain store, `value` is what it stores and `current`
  /// what the bytes hold before it (for conflicts between lanes of one
  /// store); both may be null otherwise. Throws CheckFailure on a finding.
  void ldsAccess(uint8_t kind, uint64_t offset, unsigned bytes, unsigned wave,
                 unsigned lane, const Inst &inst, const uint8_t *value,
                 const uint8_t *current);
  /// The same for global memory at `address` (races, and initcheck of
  /// buffers Memory::markUninitialized marked).
  void globalAccess(uint8_t kind, uint64_t address, unsigned bytes,
                    unsigned wave, unsigned lane, const Inst &inst,
                    const uint8_t *value, const uint8_t *current);

  /// Lane `lane` of wave `wave` accesses private bytes [offset, offset +
  /// bytes) of the wave's private memory (lane * privateBytes + address):
  /// initcheck of what the lane never wrote.
  void privateAccess(uint8_t kind, uint64_t offset, unsigned bytes,
                     unsigned wave, unsigned lane, const Inst &inst);

  /// Before every waiting wave is released (synccheck): each must wait at the
  /// same barrier instruction. Throws CheckFailure naming them otherwise.
  void checkBarrier(llvm::ArrayRef<BarrierWait> waiting);
  /// Every wave of the workgroup passed a barrier: a new interval begins.
  void barrierReleased();
  /// Wave `wave` ran fence `inst` (racecheck: a release fence publishes
  /// through the next atomic store, an acquire fence takes in what atomic
  /// loads since saw).
  void fence(unsigned wave, const Inst &inst);
  /// Wave `wave` issued vector memory instruction `inst` (a global or buffer
  /// load or store, or a load into LDS writing `ldsWrites`, [offset, bytes)
  /// ranges): synccheck follows it until an s_waitcnt retires it.
  void vectorMemoryIssued(
      unsigned wave, const Inst &inst,
      llvm::ArrayRef<std::pair<uint64_t, unsigned>> ldsWrites = {});
  /// Wave `wave` ran s_waitcnt vmcnt(`count`): all but its newest `count`
  /// vector memory instructions have completed.
  void vectorMemoryWait(unsigned wave, uint64_t count);
  /// Wave `wave` returned: what it issued has completed.
  void waveEnded(unsigned wave) { vectorMemoryWait(wave, 0); }
  /// Every wave of the workgroup returned.
  void endWorkgroup();

  /// Where `inst` is in the source (file:line:col of its debug location),
  /// or its IR text.
  static std::string describe(const Inst *inst);

private:
  /// Who accessed a byte.
  struct Accessor {
    uint32_t inst = 0; ///< Index into Kernel::insts.
    uint8_t wave = 0;
    uint8_t lane = 0;
    bool atomic = false;
    uint64_t epoch = 0; ///< The wave's epoch (its own clock entry) then.
  };
  /// What is known of one byte: its last write, and up to two readers of
  /// different waves in the current interval.
  struct ByteState {
    uint64_t writeInterval = 0; ///< 0: never written.
    uint64_t readInterval = 0;
    uint64_t writeSerial = 0;
    Accessor writer;
    Accessor readers[2];
    bool secondReader = false;
  };
  /// Where a byte is, for reports.
  struct Place {
    bool lds;
    uint64_t address; ///< LDS offset or global address.
  };

  /// Whether `other` happens before wave `wave`'s current access: program
  /// order, a barrier, or a release/acquire pair through an atomic.
  bool ordered(const Accessor &other, unsigned wave) const {
    return other.wave == wave || other.epoch <= clocks[wave][other.wave];
  }
  /// Release/acquire of an atomic access at `key` (racecheck).
  void synchronize(uint8_t kind, uint64_t key, unsigned wave, const Inst &inst);
  /// Starts a new epoch of `wave`: what it does from now on is not covered
  /// by what it released so far.
  void bump(unsigned wave) { clocks[wave][wave] = ++tick; }
  static void joinClock(std::vector<uint64_t> &into,
                        const std::vector<uint64_t> &from);

  void access(ByteState &state, Place place, uint8_t kind, unsigned wave,
              unsigned lane, const Inst &inst, const uint8_t *value,
              const uint8_t *current);
  [[noreturn]] void hazard(llvm::StringRef what, Place place,
                           const Accessor &first, bool firstWrites,
                           const Accessor &second, bool secondWrites);
  std::string describePlace(Place place) const;
  /// Throws the initcheck finding of the interval that ends, if any.
  void endInterval();
  std::string workgroupPrefix(llvm::StringRef check) const;

  const Kernel &kernel;
  CheckOptions options;
  Memory &memory;
  /// Instructions that are atomic whatever their opcode (load/store atomic).
  std::vector<bool> atomicInst;
  std::vector<ByteState> lds;
  /// Global bytes touched in the current interval (cleared at barriers).
  llvm::DenseMap<uint64_t, ByteState> global;
  uint32_t group[3] = {0, 0, 0};
  /// Barrier intervals, counted over the whole launch so that stamps of an
  /// earlier workgroup never match; `workgroupStart` is this workgroup's
  /// first.
  uint64_t interval = 0, workgroupStart = 0;
  uint64_t serial = 0;
  /// The first load of unwritten LDS or global memory in the current
  /// interval.
  std::string pendingInit;
  /// racecheck's happens-before (vector clocks, as in FastTrack): clocks[c][w]
  /// is the latest epoch of wave w that wave c is ordered after; barriers
  /// join all of them, release/acquire atomics pass them through a location
  /// (`released`), fences through the next atomic (`fenceRelease`,
  /// `pendingAcquire`).
  std::vector<std::vector<uint64_t>> clocks, fenceRelease, pendingAcquire;
  llvm::DenseMap<uint64_t, std::vector<uint64_t>> released;
  uint64_t tick = 0;
  /// Per instruction: bit 0 releases, bit 1 acquires, at a scope wider than
  /// one wave (atomics and fences).
  std::vector<uint8_t> syncOrder;
  /// initcheck: per wave, a flag per byte of its private memory.
  std::vector<std::vector<uint8_t>> privateWritten;

  /// synccheck of loads into LDS: each wave's vector memory instructions in
  /// issue order (they complete in order, as vmcnt counts them), and per
  /// LDS byte the id of the pending load into LDS that writes it (0: none).
  struct PendingMemory {
    uint64_t id;
    const Inst *inst;
    llvm::SmallVector<std::pair<uint64_t, unsigned>, 4> ldsWrites;
  };
  std::vector<std::vector<PendingMemory>> pendingMemory;
  std::vector<uint64_t> ldsWriter;
  /// The wave and instruction of each pending load into LDS, by id.
  llvm::DenseMap<uint64_t, std::pair<unsigned, const Inst *>> ldsLoads;
  uint64_t nextMemoryId = 0;
  /// Retires wave `wave`'s oldest pending instructions until `count` remain.
  void retireMemory(unsigned wave, size_t count);
  /// synccheck: `inst` of wave `wave` accesses LDS bytes a load into LDS
  /// may still be writing.
  void checkPendingLds(uint64_t offset, unsigned bytes, unsigned wave,
                       unsigned lane, const Inst &inst);
};

} // namespace mxc::sim

#endif // MXC_LIB_SIM_CHECKER_H
