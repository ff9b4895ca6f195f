//===- Interpreter.cpp - Running decoded kernels wave by wave -------------===//
//
// Part of mxc. A wave keeps each lane's current block. At each step it runs
// the block that comes first in reverse post-order for all lanes standing in
// it (so divergent lanes reconverge where their paths meet), instruction by
// instruction over the lane mask. Workgroups run one at a time; their waves
// run until a barrier or the end, and a barrier releases once every live
// wave of the workgroup has reached it.
//
//===----------------------------------------------------------------------===//

#include "Checker.h"
#include "Profiler.h"
#include "Program.h"
#include "mxc/Sim/MxNumerics.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/InstrTypes.h"
#include "llvm/IR/Instructions.h"
#include "llvm/Support/Format.h"
#include "llvm/Support/raw_ostream.h"

#include "llvm/ADT/bit.h"
#include <cmath>
#include <cstring>
#include <optional>
#include <unistd.h>

using namespace llvm;
using namespace mxc;
using namespace mxc::sim;

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

uint64_t Memory::allocate(size_t bytes, StringRef name) {
  auto buffer = std::make_unique<Buffer>();
  buffer->base = next;
  buffer->data.assign(bytes, 0);
  buffer->name = name.str();
  // A gap of at least 64 KiB after every buffer stays unmapped.
  next += ((bytes + 0xFFFF) & ~uint64_t(0xFFFF)) + 0x10000;
  buffers.push_back(std::move(buffer));
  return buffers.back()->base;
}

Expected<uint64_t> Memory::tryAllocate(size_t bytes, StringRef name) {
  long pages = sysconf(_SC_PHYS_PAGES), pageBytes = sysconf(_SC_PAGESIZE);
  uint64_t host = pages > 0 && pageBytes > 0
                      ? uint64_t(pages) * uint64_t(pageBytes)
                      : uint64_t(1) << 40;
  uint64_t held = 0;
  for (const auto &buffer : buffers)
    held += buffer->data.size();
  if (bytes > host || held > host - bytes)
    return createStringError(inconvertibleErrorCode(),
                             "a simulated buffer of " + Twine(uint64_t(bytes)) +
                                 " bytes does not fit the host's memory (" +
                                 Twine(host) + " bytes, " + Twine(held) +
                                 " of them in buffers already)");
  return allocate(bytes, name);
}

void Memory::markUninitialized(uint64_t base) {
  if (Buffer *buffer = getBuffer(base))
    buffer->written.assign(buffer->data.size(), 0);
}

void Memory::markWritten(uint64_t address, size_t bytes) {
  Buffer *buffer = find(address, bytes);
  if (!buffer || buffer->written.empty())
    return;
  std::fill_n(buffer->written.begin() + (address - buffer->base), bytes, 1);
}

void Memory::forgetUninitialized() {
  for (auto &buffer : buffers)
    buffer->written.clear();
}

Memory::Buffer *Memory::getBuffer(uint64_t address) {
  for (auto &buffer : buffers)
    if (buffer->base == address)
      return buffer.get();
  return nullptr;
}

Memory::Buffer *Memory::find(uint64_t address, uint64_t size) {
  auto fits = [&](Buffer *b) {
    return address >= b->base && address + size <= b->base + b->data.size();
  };
  if (lastHit && fits(lastHit))
    return lastHit;
  for (auto &buffer : buffers)
    if (fits(buffer.get()))
      return lastHit = buffer.get();
  return nullptr;
}

std::string Memory::describe(uint64_t address) const {
  const Buffer *nearest = nullptr;
  for (auto &buffer : buffers)
    if (buffer->base <= address && (!nearest || buffer->base > nearest->base))
      nearest = buffer.get();
  if (!nearest)
    return "below every buffer";
  std::string text;
  raw_string_ostream os(text);
  os << "buffer '" << nearest->name << "' [0x" << utohexstr(nearest->base)
     << ", 0x" << utohexstr(nearest->base + nearest->data.size()) << ") of "
     << nearest->data.size() << " bytes";
  if (address >= nearest->base + nearest->data.size())
    os << ", " << address - (nearest->base + nearest->data.size())
       << " bytes past its end";
  return text;
}

//===----------------------------------------------------------------------===//
// Element access
//===----------------------------------------------------------------------===//

namespace {

uint64_t readBits(const uint8_t *p, unsigned bytes) {
  switch (bytes) {
  case 1:
    return *p;
  case 2: {
    uint16_t v;
    std::memcpy(&v, p, 2);
    return v;
  }
  case 4: {
    uint32_t v;
    std::memcpy(&v, p, 4);
    return v;
  }
  default: {
    uint64_t v;
    std::memcpy(&v, p, 8);
    return v;
  }
  }
}

void writeBits(uint8_t *p, unsigned bytes, uint64_t v) {
  std::memcpy(p, &v, bytes); // little endian host
}

uint64_t maskBits(uint64_t v, unsigned bits) {
  return bits >= 64 ? v : v & ((uint64_t(1) << bits) - 1);
}

int64_t signExtend(uint64_t v, unsigned bits) {
  if (bits >= 64)
    return int64_t(v);
  unsigned shift = 64 - bits;
  return int64_t(v << shift) >> shift;
}

double readFloat(const uint8_t *p, TypeDesc::Kind kind) {
  switch (kind) {
  case TypeDesc::Kind::Half:
    return halfToFloat(uint16_t(readBits(p, 2)));
  case TypeDesc::Kind::BFloat:
    return bf16ToFloat(uint16_t(readBits(p, 2)));
  case TypeDesc::Kind::Float: {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  default: {
    double d;
    std::memcpy(&d, p, 8);
    return d;
  }
  }
}

void writeFloat(uint8_t *p, TypeDesc::Kind kind, double value) {
  switch (kind) {
  case TypeDesc::Kind::Half:
    writeBits(p, 2, floatToHalf(float(value)));
    return;
  case TypeDesc::Kind::BFloat:
    writeBits(p, 2, floatToBf16(float(value)));
    return;
  case TypeDesc::Kind::Float: {
    float f = float(value);
    std::memcpy(p, &f, 4);
    return;
  }
  default:
    std::memcpy(p, &value, 8);
    return;
  }
}

/// Packs `type`'s elements into a dense little-endian bit string (LLVM's
/// in-memory and bitcast view), or unpacks one.
void packBits(const uint8_t *reg, const TypeDesc &type, uint8_t *bitsOut,
              unsigned totalBits) {
  std::memset(bitsOut, 0, (totalBits + 7) / 8);
  for (unsigned i = 0; i < type.count; ++i) {
    uint64_t v =
        maskBits(readBits(reg + i * type.eltBytes, type.eltBytes), type.bits);
    for (unsigned b = 0; b < type.bits; ++b)
      if ((v >> b) & 1) {
        unsigned bit = i * type.bits + b;
        bitsOut[bit / 8] |= uint8_t(1u << (bit % 8));
      }
  }
}

void unpackBits(const uint8_t *bitsIn, const TypeDesc &type, uint8_t *reg) {
  for (unsigned i = 0; i < type.count; ++i) {
    uint64_t v = 0;
    for (unsigned b = 0; b < type.bits; ++b) {
      unsigned bit = i * type.bits + b;
      v |= uint64_t((bitsIn[bit / 8] >> (bit % 8)) & 1) << b;
    }
    writeBits(reg + i * type.eltBytes, type.eltBytes, v);
  }
}

bool isByteExact(const TypeDesc &type) {
  return type.kind == TypeDesc::Kind::Agg || type.bits % 8 == 0;
}

/// A fault that stops the run.
struct Fault {
  std::string message;
};

} // namespace

//===----------------------------------------------------------------------===//
// Execution state
//===----------------------------------------------------------------------===//

namespace mxc::sim {

struct Wave {
  std::vector<uint8_t> regs;
  std::vector<uint8_t> privateMem;
  std::vector<uint32_t> block; ///< Current block of each lane.
  std::vector<uint32_t> prev;  ///< Block each lane came from.
  uint64_t live = 0;           ///< Lanes not yet returned.
  unsigned index = 0;
  // Where a wave stopped at a barrier.
  bool atBarrier = false;
  uint32_t resumeBlock = 0, resumeInst = 0;
  uint64_t resumeMask = 0;
  /// Released from its barrier; resumes where it stopped at its next step.
  bool resumePending = false;
  /// The MODE register bits the simulator models (kModeFp16Ovfl), as
  /// s_setreg_b32 wrote them; hardware starts a wave with them clear.
  uint32_t mode = 0;
  /// Instructions the wave ran (against CheckOptions::maxWaveInstructions).
  uint64_t instructions = 0;
};

class Executor {
public:
  Executor(const Kernel &kernel, const LaunchParams &launch, Memory &memory,
           uint32_t ldsBytes, Stats *stats, Profiler *profiler,
           Checker *checker, uint64_t maxWaveInstructions)
      : kernel(kernel), launch(launch), memory(memory), ldsBytes(ldsBytes),
        stats(stats), profiler(profiler), checker(checker),
        maxWaveInstructions(maxWaveInstructions ? maxWaveInstructions
                                                : UINT64_MAX),
        waveSize(kernel.waveSize) {}

  /// Runs the workgroups with the given linear ids (x fastest), or the whole
  /// grid when `workgroups` is empty.
  Error run(ArrayRef<ArgValue> args, ArrayRef<uint64_t> workgroups = {});

private:
  void runWorkgroup(ArrayRef<ArgValue> args);
  /// Runs the next block of `wave` (or the rest of the block it stopped in at
  /// a barrier). Waves of a workgroup take steps in turn, so that they move
  /// through a loop together as on hardware (what the L1 model and a race
  /// check see).
  void stepWave(Wave &wave);
  /// Faults naming the waves waiting at a barrier and those that returned.
  [[noreturn]] void barrierNeverReached(ArrayRef<Wave> waves);
  /// Runs instructions [first, end of block) of `blockIndex` over `mask`;
  /// false when the wave stopped at a barrier.
  bool runBlock(Wave &wave, uint32_t blockIndex, uint32_t first, uint64_t mask);
  void execute(Wave &wave, const Inst &inst, uint64_t mask);
  void executeMatrix(Wave &wave, const Inst &inst, uint64_t mask);
  void executeBufferAccess(Wave &wave, const Inst &inst, uint64_t mask);
  void executeLoadToLds(Wave &wave, const Inst &inst, uint64_t mask);
  void executeMemory(Wave &wave, const Inst &inst, uint64_t mask);
  /// Reports a wave-level access to the profiler.
  void profileAccess(Wave &wave, const Inst &inst, bool store,
                     ArrayRef<LaneAccess> globalLanes,
                     ArrayRef<LaneAccess> ldsLanes);
  void executeDpp(Wave &wave, const Inst &inst, uint64_t mask);
  void executeReduce(Wave &wave, const Inst &inst, uint64_t mask);
  void executeFp8Conversion(Wave &wave, const Inst &inst, uint64_t mask);
  /// The memory of `size` bytes at `address`; faults when they are not
  /// within one allocation, or (memcheck) not within the allocations
  /// `origin` says the pointer derives from.
  uint8_t *resolve(Wave &wave, unsigned lane, uint64_t address,
                   unsigned addrSpace, unsigned size, bool write,
                   const Inst &inst, uint32_t origin);
  /// Faults when [address, address + size) of `addrSpace` (1, 3 or 5) lies
  /// outside every allocation of origin set `origin`.
  void checkOrigin(Wave &wave, unsigned lane, uint32_t origin,
                   unsigned addrSpace, uint64_t address, unsigned size,
                   bool write, const Inst &inst);
  /// Where `address` of `addrSpace` lies, for memcheck's reports.
  std::string describeTarget(unsigned addrSpace, uint64_t address) const;
  /// Hands lane `lane`'s access of `size` bytes at `mem` (what resolve()
  /// gave for `address`) to the checker; `value` is what a plain store
  /// writes. Private memory and the dispatch packet are not checked.
  LLVM_ATTRIBUTE_NOINLINE void checkAccess(Wave &wave, unsigned lane,
                                           uint8_t kind, uint64_t address,
                                           const uint8_t *mem, unsigned size,
                                           const Inst &inst,
                                           const uint8_t *value);
  /// checkAccess() for lane `lane` of a load or store.
  LLVM_ATTRIBUTE_NOINLINE void
  checkLoadStore(Wave &wave, unsigned lane, const Inst &inst, uint64_t address,
                 const uint8_t *mem, unsigned memBytes);
  /// Faults when `wave` has run more instructions than allowed.
  [[noreturn]] void instructionLimit(const Wave &wave, const Inst &inst);

  uint8_t *slot(Wave &wave, uint32_t s, unsigned lane) {
    return wave.regs.data() + kernel.slotOffsets[s] +
           lane * kernel.slotTypes[s].size;
  }
  [[noreturn]] void fault(const Wave &wave, unsigned lane, const Twine &what,
                          const Inst *inst);

  const Kernel &kernel;
  const LaunchParams &launch;
  Memory &memory;
  uint32_t ldsBytes;
  Stats *stats;
  Profiler *profiler;
  Checker *checker;
  uint64_t maxWaveInstructions;
  unsigned waveSize;
  std::vector<uint8_t> lds;
  uint32_t group[3] = {0, 0, 0};
  std::vector<uint8_t> dispatchPacket;
  uint64_t dispatchAddress = 0;
  std::vector<uint8_t> phiScratch;
  /// Kernel::allocations resolved for this launch: address space (0 where
  /// the allocation is not known, e.g. a null argument) and byte range.
  struct Range {
    unsigned addrSpace = 0;
    uint64_t begin = 0, end = 0;
  };
  std::vector<Range> ranges;
};

} // namespace mxc::sim

void Executor::fault(const Wave &wave, unsigned lane, const Twine &what,
                     const Inst *inst) {
  std::string text;
  raw_string_ostream os(text);
  os << "kernel '" << kernel.name << "', workgroup (" << group[0] << ","
     << group[1] << "," << group[2] << "), wave " << wave.index << ", lane "
     << lane << " (workitem " << wave.index * waveSize + lane << "): " << what;
  if (inst && inst->ir) {
    os << "\n  at: ";
    inst->ir->print(os);
  }
  throw Fault{text};
}

static const char *addrSpaceName(unsigned as) {
  switch (as) {
  case 3:
    return "LDS";
  case 5:
    return "private";
  default:
    return "global";
  }
}

std::string Executor::describeTarget(unsigned addrSpace,
                                     uint64_t address) const {
  if (addrSpace == 1) {
    if (const Memory::Buffer *buffer =
            const_cast<Memory &>(memory).find(address, 1))
      return "in buffer '" + buffer->name + "' + " +
             std::to_string(address - buffer->base) +
             " (a wild pointer into another allocation)";
    return "at " + memory.describe(address);
  }
  for (auto [i, a] : llvm::enumerate(kernel.allocations)) {
    const Range &r = ranges[i];
    if (r.addrSpace == addrSpace && address >= r.begin && address < r.end)
      return "in " + a.name + " + " + std::to_string(address - r.begin) +
             " (a wild pointer into another allocation)";
  }
  return addrSpace == 3 ? "in LDS outside every variable"
                        : "in private memory outside every alloca";
}

void Executor::checkOrigin(Wave &wave, unsigned lane, uint32_t origin,
                           unsigned addrSpace, uint64_t address, unsigned size,
                           bool write, const Inst &inst) {
  ArrayRef<uint16_t> roots = kernel.originSets[origin];
  for (uint16_t root : roots) {
    const Range &r = ranges[root];
    if (r.addrSpace == 0)
      return; // Not known in this launch: the plain bounds check decides.
    if (r.addrSpace == addrSpace && address >= r.begin &&
        address + size <= r.end)
      return;
  }
  // Outside every allocation: the plain bounds check reports it.
  if (addrSpace == 1
          ? !memory.find(address, size)
          : address + size > (addrSpace == 3 ? ldsBytes : kernel.privateBytes))
    return;
  std::string from;
  for (auto [i, root] : llvm::enumerate(roots)) {
    const Range &r = ranges[root];
    from += i ? (i + 1 == roots.size() ? " or " : ", ") : "";
    from += kernel.allocations[root].name;
    if (r.addrSpace == 1)
      from += " = buffer '" +
              const_cast<Memory &>(memory).find(r.begin, 1)->name + "'";
    from += " [" +
            (r.addrSpace == 1
                 ? "0x" + utohexstr(r.begin) + ", 0x" + utohexstr(r.end)
                 : std::to_string(r.begin) + ", " + std::to_string(r.end)) +
            ")";
  }
  fault(wave, lane,
        Twine("out-of-bounds ") + addrSpaceName(addrSpace) + " " +
            (write ? "store" : "load") + " of " + Twine(size) + " bytes at " +
            (addrSpace == 1 ? "address 0x" + utohexstr(address)
                            : "offset " + std::to_string(address)) +
            ": the pointer derives from " + from + ", but the access lies " +
            describeTarget(addrSpace, address),
        &inst);
}

uint8_t *Executor::resolve(Wave &wave, unsigned lane, uint64_t address,
                           unsigned addrSpace, unsigned size, bool write,
                           const Inst &inst, uint32_t origin) {
  const char *access = write ? "store" : "load";
  if (addrSpace == 0) { // flat: LDS and private live in apertures
    if ((address & kApertureMask) == kLdsAperture) {
      addrSpace = 3;
      address &= ~kApertureMask;
    } else if ((address & kApertureMask) == kPrivateAperture) {
      addrSpace = 5;
      address &= ~kApertureMask;
    }
  }
  if (origin != kNoOrigin &&
      !(addrSpace != 3 && addrSpace != 5 && dispatchAddress &&
        address >= dispatchAddress && address < dispatchAddress + 64))
    checkOrigin(wave, lane, origin,
                addrSpace == 3 || addrSpace == 5 ? addrSpace : 1, address, size,
                write, inst);
  if (addrSpace == 3) {
    if (address + size > ldsBytes)
      fault(wave, lane,
            Twine("out-of-bounds LDS ") + access + " of " + Twine(size) +
                " bytes at offset " + Twine(address) + "; the workgroup has " +
                Twine(ldsBytes) + " bytes of LDS",
            &inst);
    return lds.data() + address;
  }
  if (addrSpace == 5) {
    if (address + size > kernel.privateBytes)
      fault(wave, lane,
            Twine("out-of-bounds private ") + access + " at offset " +
                Twine(address),
            &inst);
    return wave.privateMem.data() + lane * kernel.privateBytes + address;
  }
  if (dispatchAddress && address >= dispatchAddress &&
      address + size <= dispatchAddress + dispatchPacket.size()) {
    if (write)
      fault(wave, lane, "store to the dispatch packet", &inst);
    return dispatchPacket.data() + (address - dispatchAddress);
  }
  Memory::Buffer *buffer = memory.find(address, size);
  if (!buffer)
    fault(wave, lane,
          Twine("out-of-bounds ") + addrSpaceName(addrSpace) + " " + access +
              " of " + Twine(size) + " bytes at address 0x" +
              utohexstr(address) + " (" + memory.describe(address) + ")",
          &inst);
  return buffer->data.data() + (address - buffer->base);
}

void Executor::checkAccess(Wave &wave, unsigned lane, uint8_t kind,
                           uint64_t address, const uint8_t *mem, unsigned size,
                           const Inst &inst, const uint8_t *value) {
  if (mem >= lds.data() && mem < lds.data() + lds.size()) {
    checker->ldsAccess(kind, uint64_t(mem - lds.data()), size, wave.index, lane,
                       inst, value, mem);
    return;
  }
  bool isPrivate = mem >= wave.privateMem.data() &&
                   mem < wave.privateMem.data() + wave.privateMem.size();
  bool isPacket = mem >= dispatchPacket.data() &&
                  mem < dispatchPacket.data() + dispatchPacket.size();
  if (isPrivate)
    checker->privateAccess(kind, uint64_t(mem - wave.privateMem.data()), size,
                           wave.index, lane, inst);
  else if (!isPacket)
    checker->globalAccess(kind, address, size, wave.index, lane, inst, value,
                          mem);
}

void Executor::checkLoadStore(Wave &wave, unsigned lane, const Inst &inst,
                              uint64_t address, const uint8_t *mem,
                              unsigned memBytes) {
  bool store = inst.op == Opcode::Store;
  const uint8_t *value = store ? slot(wave, inst.src[0], lane) : nullptr;
  SmallVector<uint8_t, 16> packed;
  if (store && !isByteExact(inst.type)) {
    packed.resize(memBytes);
    packBits(value, inst.type, packed.data(), inst.type.bits * inst.type.count);
    value = packed.data();
  }
  checkAccess(wave, lane, store ? AccessStore : AccessLoad, address, mem,
              memBytes, inst, value);
}

void Executor::instructionLimit(const Wave &wave, const Inst &inst) {
  std::string text;
  raw_string_ostream os(text);
  os << "kernel '" << kernel.name << "', workgroup (" << group[0] << ","
     << group[1] << "," << group[2] << "), wave " << wave.index << ": ran "
     << wave.instructions << " instructions, over the limit of "
     << maxWaveInstructions
     << " per wave (does it loop forever? --max-steps N raises the limit, 0 "
        "removes it); stopped at "
     << Checker::describe(&inst);
  throw Fault{text};
}

void Executor::executeMemory(Wave &wave, const Inst &inst, uint64_t mask) {
  const TypeDesc &type = inst.type;
  bool store = inst.op == Opcode::Store;
  uint32_t ptrSlot = store ? inst.src[1] : inst.src[0];
  unsigned ptrBytes = kernel.slotTypes[ptrSlot].eltBytes;
  // Memory size of the value: its bits packed, rounded to bytes.
  unsigned memBytes =
      isByteExact(type) ? type.size : (type.bits * type.count + 7) / 8;
  SmallVector<LaneAccess, 64> globalLanes, ldsLanes;
  if (checker)
    checker->beginInstruction();
  for (uint64_t m = mask; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    uint64_t address = readBits(slot(wave, ptrSlot, lane), ptrBytes);
    uint8_t *mem = resolve(wave, lane, address, inst.addrSpace, memBytes, store,
                           inst, inst.origin);
    if (checker)
      checkLoadStore(wave, lane, inst, address, mem, memBytes);
    if (profiler) {
      if (mem >= lds.data() && mem < lds.data() + lds.size())
        ldsLanes.push_back({lane, uint64_t(mem - lds.data()), memBytes});
      else if (inst.addrSpace != 5 &&
               (address & kApertureMask) != kPrivateAperture)
        globalLanes.push_back({lane, address, memBytes});
    }
    if (store) {
      const uint8_t *value = slot(wave, inst.src[0], lane);
      if (isByteExact(type))
        std::memcpy(mem, value, memBytes);
      else
        packBits(value, type, mem, type.bits * type.count);
    } else {
      uint8_t *value = slot(wave, inst.dst, lane);
      if (isByteExact(type))
        std::memcpy(value, mem, memBytes);
      else
        unpackBits(mem, type, value);
    }
  }
  // Everything but LDS counts on vmcnt (more than the hardware counts is
  // the safe side for synccheck: it retires loads into LDS no later).
  if (checker && inst.addrSpace != 3)
    checker->vectorMemoryIssued(wave.index, inst);
  if (profiler)
    profileAccess(wave, inst, store, globalLanes, ldsLanes);
}

void Executor::profileAccess(Wave &wave, const Inst &inst, bool store,
                             ArrayRef<LaneAccess> globalLanes,
                             ArrayRef<LaneAccess> ldsLanes) {
  if (!ldsLanes.empty())
    profiler->ldsAccess(inst, store ? SiteKind::LdsStore : SiteKind::LdsLoad,
                        ldsLanes);
  // A buffer load counts toward vmcnt even when all of it is out of range.
  if (!store && (inst.op == Opcode::BufferLoad || !globalLanes.empty())) {
    uint64_t bytes = 0;
    for (const LaneAccess &a : globalLanes)
      bytes += a.bytes;
    profiler->loadIssued(wave.index, bytes, inst.dst);
  }
  if (globalLanes.empty())
    return;
  profiler->globalAccess(
      inst, store ? SiteKind::GlobalStore : SiteKind::GlobalLoad, globalLanes);
}

/// A buffer resource image (MakeBufferRsrc) as the hardware lays out a V#:
/// base address in bits 0-47 and stride in 48-63 of the first qword,
/// num_records, word 3.
static constexpr uint64_t kRsrcBaseMask = (uint64_t(1) << 48) - 1;

/// Whether `bytes` at byte `offset` of a raw buffer access (index 0, no
/// swizzle) through resource image `rsrc` are in range. GFX9 checks the
/// offset against num_records. GFX10+ does as word 3's OOB_SELECT (bits
/// 28-29) says, as MLIR's AMDGPUToROCDL (makeBufferRsrc) documents the
/// field (0 structured, 1 check index, 2 none, 3 test the offset): out of
/// range for 0 when index >= num_records or offset + size > stride, for 1
/// when index >= num_records, for 2 only when num_records = 0, for 3 when
/// offset + size > num_records.
static bool isInBufferRange(const uint8_t *rsrc,
                            amdgpu::BufferResourceLayout layout,
                            uint64_t offset, unsigned bytes) {
  uint64_t records = readBits(rsrc + 8, 4);
  if (layout == amdgpu::BufferResourceLayout::Gfx9)
    return offset + bytes <= records;
  uint64_t stride = readBits(rsrc, 8) >> 48;
  switch ((readBits(rsrc + 12, 4) >> 28) & 3) {
  case 0:
    return records > 0 && offset + bytes <= stride;
  case 1:
  case 2:
    return records > 0;
  default:
    return offset + bytes <= records;
  }
}

/// raw.ptr.buffer.load/store: the byte offset voffset + soffset is
/// range-checked (isInBufferRange) dword by dword (byte by byte for
/// narrower accesses); out-of-range parts load zero and are not stored, as
/// the hardware does. In-range parts must lie in a buffer like any access.
void Executor::executeBufferAccess(Wave &wave, const Inst &inst,
                                   uint64_t mask) {
  bool store = inst.op == Opcode::BufferStore;
  const TypeDesc &type = store ? kernel.slotTypes[inst.src[0]] : inst.type;
  unsigned first = store ? 1 : 0;
  if (!isByteExact(type))
    fault(wave, llvm::countr_zero(mask),
          "buffer access of a type that is not a whole number of bytes", &inst);
  unsigned size = type.size, granule = std::min(size, 4u);
  SmallVector<LaneAccess, 64> accessed;
  if (checker)
    checker->beginInstruction();
  for (uint64_t m = mask; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    const uint8_t *rsrc = slot(wave, inst.src[first], lane);
    uint64_t base = readBits(rsrc, 8) & kRsrcBaseMask;
    uint64_t offset =
        uint32_t(readBits(slot(wave, inst.src[first + 1], lane), 4) +
                 readBits(slot(wave, inst.src[first + 2], lane), 4));
    const uint8_t *stored = store ? slot(wave, inst.src[0], lane) : nullptr;
    uint8_t *loaded = store ? nullptr : slot(wave, inst.dst, lane);
    for (unsigned at = 0; at < size; at += granule) {
      if (!isInBufferRange(rsrc, kernel.bufferLayout, offset + at, granule)) {
        if (loaded)
          std::memset(loaded + at, 0, granule);
        continue;
      }
      uint8_t *mem = resolve(wave, lane, base + offset + at, 1, granule, store,
                             inst, inst.origin);
      if (checker)
        checkAccess(wave, lane, store ? AccessStore : AccessLoad,
                    base + offset + at, mem, granule, inst,
                    store ? stored + at : nullptr);
      if (store)
        std::memcpy(mem, stored + at, granule);
      else
        std::memcpy(loaded + at, mem, granule);
      if (profiler) {
        // Consecutive in-range granules of a lane are one access.
        if (!accessed.empty() && accessed.back().lane == lane &&
            accessed.back().address + accessed.back().bytes ==
                base + offset + at)
          accessed.back().bytes += granule;
        else
          accessed.push_back({lane, base + offset + at, granule});
      }
    }
  }
  if (checker)
    checker->vectorMemoryIssued(wave.index, inst);
  if (profiler)
    profileAccess(wave, inst, store, accessed, {});
}

/// raw.ptr.buffer.load.lds and global.load.lds (CDNA3/CDNA4 ISA guides,
/// 9.1.9 "Memory Buffer Load to LDS" and 10.3). The LDS pointer is M0, one
/// value for the wave; lane l writes at M0 + offset + l * 4 (1-, 2- and
/// 4-byte loads, the narrow ones zero-extended to a dword) or
/// M0 + offset + l * 16 (dwordx3, leaving the fourth dword as it was, and
/// dwordx4), so inactive lanes leave their slots untouched. The immediate
/// offset moves both the memory and the LDS address. Buffer loads range-check
/// soffset + voffset + offset against num_records per dword, as the other
/// buffer loads here and gfx950 hardware do (docs/simulator.md); what is out
/// of range arrives as zero and is written all the same.
void Executor::executeLoadToLds(Wave &wave, const Inst &inst, uint64_t mask) {
  if (!mask)
    return;
  bool buffer = inst.op == Opcode::BufferLoadToLds;
  unsigned size = unsigned(inst.imm);
  // Bytes each lane writes to LDS, and the distance between lanes.
  unsigned laneBytes = std::max(size, 4u), stride = size > 4 ? 16 : 4;
  int64_t offset = inst.aux[0];
  unsigned first = llvm::countr_zero(mask);
  uint32_t ldsBase = uint32_t(readBits(slot(wave, inst.src[1], first), 4));
  for (uint64_t m = mask; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    if (uint32_t(readBits(slot(wave, inst.src[1], lane), 4)) != ldsBase)
      fault(wave, lane,
            "the LDS pointer of a load to LDS differs between lanes (M0 holds "
            "one for the wave)",
            &inst);
  }
  int64_t ldsStart = int64_t(ldsBase) + offset;
  if (ldsStart < 0 || ldsStart % 4 != 0)
    fault(wave, first,
          "load to LDS at LDS offset " + Twine(ldsStart) +
              (ldsStart < 0 ? ", below the workgroup's LDS"
                            : ", not a multiple of 4 (the hardware drops the "
                              "low bits)"),
          &inst);
  SmallVector<LaneAccess, 64> globalLanes, ldsLanes;
  uint8_t data[16];
  if (checker)
    checker->beginInstruction();
  for (uint64_t m = mask; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    std::memset(data, 0, sizeof(data));
    auto loaded = [&](uint64_t address, unsigned at, unsigned bytes) {
      const uint8_t *mem =
          resolve(wave, lane, address, 1, bytes, false, inst, inst.origin);
      if (checker)
        checkAccess(wave, lane, AccessLoad, address, mem, bytes, inst, nullptr);
      std::memcpy(data + at, mem, bytes);
      if (!profiler)
        return;
      // Consecutive in-range parts of a lane are one access.
      if (!globalLanes.empty() && globalLanes.back().lane == lane &&
          globalLanes.back().address + globalLanes.back().bytes == address)
        globalLanes.back().bytes += bytes;
      else
        globalLanes.push_back({lane, address, bytes});
    };
    if (buffer) {
      const uint8_t *rsrc = slot(wave, inst.src[0], lane);
      uint64_t base = readBits(rsrc, 8) & kRsrcBaseMask;
      // voffset + offset wraps at 32 bits; soffset is added to that.
      uint64_t checked =
          uint64_t(
              uint32_t(readBits(slot(wave, inst.src[3], lane), 4) + offset)) +
          uint32_t(readBits(slot(wave, inst.src[4], lane), 4));
      unsigned granule = std::min(size, 4u);
      for (unsigned at = 0; at < size; at += granule)
        if (isInBufferRange(rsrc, kernel.bufferLayout, checked + at, granule))
          loaded(base + checked + at, at, granule);
    } else {
      uint64_t address = readBits(slot(wave, inst.src[0], lane), 8) + offset;
      loaded(address, 0, size);
    }
    uint64_t ldsAddress = uint64_t(ldsStart) + lane * stride;
    uint8_t *ldsMem = resolve(wave, lane, ldsAddress, 3, laneBytes, true, inst,
                              inst.ldsOrigin);
    // The LDS side is a store of what was read (zero where out of range).
    if (checker)
      checkAccess(wave, lane, AccessStore, ldsAddress, ldsMem, laneBytes, inst,
                  data);
    std::memcpy(ldsMem, data, laneBytes);
    if (profiler || checker)
      ldsLanes.push_back({lane, ldsAddress, laneBytes});
  }
  if (checker) {
    SmallVector<std::pair<uint64_t, unsigned>, 64> writes;
    for (const LaneAccess &a : ldsLanes)
      writes.push_back({a.address, a.bytes});
    checker->vectorMemoryIssued(wave.index, inst, writes);
  }
  if (!profiler)
    return;
  uint64_t bytes = 0;
  for (const LaneAccess &a : globalLanes)
    bytes += a.bytes;
  profiler->loadToLds(inst, globalLanes, ldsLanes, stride);
  profiler->loadIssued(wave.index, bytes);
}

//===----------------------------------------------------------------------===//
// Matrix instructions
//===----------------------------------------------------------------------===//

void Executor::executeMatrix(Wave &wave, const Inst &inst, uint64_t mask) {
  const amdgpu::MatrixIntrinsic &mi = *inst.matrix;
  // Every lane holds part of the operands and the result: the hardware
  // ignores EXEC for matrix instructions, so lanes a branch turned off (or
  // that have exited) would feed and receive values the program never meant.
  uint64_t all = waveSize == 64 ? ~uint64_t(0) : (uint64_t(1) << 32) - 1;
  if (waveSize != mi.waveSize || wave.live != all || mask != all)
    fault(wave, 0,
          "matrix instruction " + mi.isaName +
              " needs every lane of the wave active; " +
              Twine(llvm::popcount(mask & all)) + " of " + Twine(waveSize) +
              " are",
          &inst);
  // Operands: A, B, C [, cbsz, blgp, opselA, scaleA, opselB, scaleB]
  // (scaled MFMA) or A, B, C [, cbsz, abid, blgp] (MFMA) or A, B, C (WMMA).
  amdgpu::MatrixElement fmtA = mi.element, fmtB = mi.element;
  auto constant = [&](unsigned i) {
    return int64_t(readBits(slot(wave, inst.src[i], 0),
                            kernel.slotTypes[inst.src[i]].eltBytes));
  };
  if (mi.scaled) {
    int64_t cbsz = constant(3), blgp = constant(4);
    if (cbsz > 4 || blgp > 4)
      fault(wave, 0,
            "scaled MFMA format code out of range (cbsz " + Twine(cbsz) +
                ", blgp " + Twine(blgp) + ")",
            &inst);
    fmtA = amdgpu::MatrixElement(cbsz);
    fmtB = amdgpu::MatrixElement(blgp);
  } else if (inst.src.size() >= 6 && (constant(3) || constant(5))) {
    fault(wave, 0, "MFMA broadcast controls (cbsz/blgp) are not simulated",
          &inst);
  }
  unsigned M = mi.m, N = mi.n, K = mi.k;
  const amdgpu::OperandLayout &layoutA = mi.layoutFor(fmtA);
  const amdgpu::OperandLayout &layoutB = mi.layoutFor(fmtB);
  unsigned bitsA = amdgpu::getElementBits(fmtA);
  unsigned bitsB = amdgpu::getElementBits(fmtB);

  // Gather A [M][K] and B [N][K] as floats.
  std::vector<float> a(M * K, 0.0f), b(N * K, 0.0f);
  auto gather = [&](uint32_t s, const amdgpu::OperandLayout &layout,
                    unsigned bits, amdgpu::MatrixElement fmt,
                    std::vector<float> &out) {
    unsigned regBytes = kernel.slotTypes[s].size;
    for (unsigned lane = 0; lane < waveSize; ++lane) {
      const uint8_t *reg = slot(wave, s, lane);
      unsigned row = layout.row(lane);
      for (unsigned e = 0; e < layout.elementsPerLane(); ++e) {
        unsigned bit = e * bits;
        if ((bit + bits + 7) / 8 > regBytes)
          fault(wave, lane, "matrix operand register too small for its format",
                &inst);
        uint32_t word = 0;
        std::memcpy(&word, reg + bit / 8, std::min(4u, regBytes - bit / 8));
        uint32_t code = (word >> (bit % 8)) & ((1u << bits) - 1);
        out[row * K + layout.k(lane, e)] = decodeElement(fmt, code);
      }
    }
  };
  gather(inst.src[0], layoutA, bitsA, fmtA, a);
  gather(inst.src[1], layoutB, bitsB, fmtB, b);

  // Scales: lane l's selected byte is row l % M, K block l / M.
  unsigned blocks = K / 32;
  std::vector<int> scaleA(M * blocks, 127), scaleB(N * blocks, 127);
  if (mi.scaled) {
    int64_t opselA = constant(5), opselB = constant(7);
    for (unsigned lane = 0; lane < waveSize; ++lane) {
      uint32_t sa = uint32_t(readBits(slot(wave, inst.src[6], lane), 4));
      uint32_t sb = uint32_t(readBits(slot(wave, inst.src[8], lane), 4));
      scaleA[mi.scaleRow(lane) * blocks + mi.scaleBlock(lane)] =
          (sa >> (8 * opselA)) & 0xFF;
      scaleB[mi.scaleRow(lane) * blocks + mi.scaleBlock(lane)] =
          (sb >> (8 * opselB)) & 0xFF;
    }
  }

  // D = C + sum over K blocks of (block dot product) * 2^(sa + sb - 254).
  uint32_t cSlot = inst.src[2];
  for (unsigned lane = 0; lane < waveSize; ++lane) {
    unsigned col = mi.acc.column(lane);
    const float *bRow = &b[col * K];
    for (unsigned r = 0; r < mi.accRegisters; ++r) {
      unsigned row = mi.acc.row(lane, r);
      const float *aRow = &a[row * K];
      float c;
      std::memcpy(&c, slot(wave, cSlot, lane) + 4 * r, 4);
      double sum = c;
      if (mi.scaled) {
        for (unsigned blk = 0; blk < blocks; ++blk) {
          float dot = 0.0f;
          for (unsigned k = blk * 32; k < blk * 32 + 32; ++k)
            dot += aRow[k] * bRow[k];
          int sa = scaleA[row * blocks + blk], sb = scaleB[col * blocks + blk];
          double scale = (sa == 0xFF || sb == 0xFF)
                             ? std::numeric_limits<double>::quiet_NaN()
                             : std::ldexp(1.0, sa + sb - 254);
          sum += double(dot) * scale;
        }
      } else {
        for (unsigned k = 0; k < K; ++k)
          sum += double(aRow[k]) * double(bRow[k]);
      }
      float d = float(sum);
      std::memcpy(slot(wave, inst.dst, lane) + 4 * r, &d, 4);
    }
  }
  if (stats)
    ++stats->matrixInstructions;
  if (profiler) {
    // FP4/FP6 x FP4/FP6 runs at twice the 8-bit rate (CDNA4 ISA guide).
    unsigned cycles = mi.cycles;
    if (mi.scaled && bitsA < 8 && bitsB < 8)
      cycles /= 2;
    profiler->matrix(inst, wave.index, cycles, 2ull * M * N * K);
  }
}

//===----------------------------------------------------------------------===//
// DPP, reductions and FP8 conversions
//===----------------------------------------------------------------------===//

/// The lane whose value lane `lane` reads under DPP control `ctrl`, or -1
/// when that lane is out of range (AMD GCN3/Vega/CDNA ISA guides, DPP_CTRL;
/// row_share/row_xmask from the RDNA guides). Rows are 16 lanes.
static int dppSourceLane(unsigned ctrl, unsigned lane, unsigned waveSize) {
  int row = int(lane & ~15u), offset = int(lane & 15u), n = int(ctrl & 15u);
  if (ctrl <= 0xFF) // quad_perm: lane i of a quad reads lane ctrl[2i+1:2i]
    return int(lane & ~3u) | int((ctrl >> (2 * (lane & 3))) & 3);
  if (ctrl >= 0x101 && ctrl <= 0x10F) // row_shl:n reads lane + n
    return offset + n < 16 ? row + offset + n : -1;
  if (ctrl >= 0x111 && ctrl <= 0x11F) // row_shr:n reads lane - n
    return offset - n >= 0 ? row + offset - n : -1;
  if (ctrl >= 0x121 && ctrl <= 0x12F) // row_ror:n
    return row + ((offset - n) & 15);
  switch (ctrl) {
  case 0x130: // wave_shl:1
    return lane + 1 < waveSize ? int(lane + 1) : -1;
  case 0x134: // wave_rol:1
    return int((lane + 1) % waveSize);
  case 0x138: // wave_shr:1
    return lane > 0 ? int(lane - 1) : -1;
  case 0x13C: // wave_ror:1
    return int((lane + waveSize - 1) % waveSize);
  case 0x140: // row_mirror
    return row + 15 - offset;
  case 0x141: // row_half_mirror
    return int(lane & ~7u) + 7 - int(lane & 7u);
  case 0x142: // row_bcast:15: rows 1-3 read the last lane of the row before
    return row > 0 ? row - 1 : -1;
  case 0x143: // row_bcast:31: rows 2 and 3 read lane 31
    return lane >= 32 ? 31 : -1;
  default:
    break;
  }
  if (ctrl >= 0x150 && ctrl <= 0x15F) // row_share:n / row_newbcast:n
    return row + n;
  return row + (offset ^ n); // row_xmask:n (0x160-0x16F)
}

/// llvm.amdgcn.update.dpp(old, src, dpp_ctrl, row_mask, bank_mask,
/// bound_ctrl): `v_mov_b32 dst, old` then `v_mov_b32_dpp dst, src` (LLVM
/// AMDGPUUsage). A lane whose row (row_mask) or bank of 4 lanes (bank_mask)
/// is disabled keeps old. A lane whose source is out of range or not active
/// gets 0 with bound_ctrl set (BOUND_CTRL=1) and keeps old otherwise.
void Executor::executeDpp(Wave &wave, const Inst &inst, uint64_t mask) {
  unsigned size = inst.type.size;
  unsigned ctrl = unsigned(inst.imm);
  unsigned rowMask = unsigned(inst.aux[0]), bankMask = unsigned(inst.aux[1]);
  bool boundCtrl = inst.aux[2] != 0;
  std::vector<uint8_t> source(size_t(size) * waveSize);
  for (unsigned lane = 0; lane < waveSize; ++lane)
    std::memcpy(&source[lane * size], slot(wave, inst.src[1], lane), size);
  for (uint64_t m = mask; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    uint8_t *d = slot(wave, inst.dst, lane);
    const uint8_t *old = slot(wave, inst.src[0], lane);
    bool enabled =
        ((rowMask >> (lane / 16)) & 1) && ((bankMask >> ((lane / 4) % 4)) & 1);
    int from = enabled ? dppSourceLane(ctrl, lane, waveSize) : -1;
    if (!enabled)
      std::memmove(d, old, size);
    else if (from >= 0 && ((mask >> from) & 1))
      std::memcpy(d, &source[size_t(from) * size], size);
    else if (boundCtrl)
      std::memset(d, 0, size);
    else
      std::memmove(d, old, size);
  }
}

/// llvm.vector.reduce.*: integer reductions in any order (they associate);
/// fadd/fmul in element order from the start value, rounding each step to
/// the element type (LLVM LangRef, no reassoc flag); fmax/fmin as maxnum/
/// minnum, fmaximum/fminimum propagating NaN.
void Executor::executeReduce(Wave &wave, const Inst &inst, uint64_t mask) {
  const TypeDesc &vt = inst.srcType;
  const TypeDesc &t = inst.type;
  ReduceKind kind = ReduceKind(inst.predicate);
  auto roundTo = [&](double v) {
    uint8_t image[8];
    writeFloat(image, t.kind, v);
    return readFloat(image, t.kind);
  };
  for (uint64_t m = mask; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    const uint8_t *x = slot(wave, inst.src.back(), lane);
    uint8_t *d = slot(wave, inst.dst, lane);
    if (!vt.isFloat()) {
      unsigned bits = vt.bits;
      uint64_t acc = maskBits(readBits(x, vt.eltBytes), bits);
      for (unsigned i = 1; i < vt.count; ++i) {
        uint64_t e = maskBits(readBits(x + i * vt.eltBytes, vt.eltBytes), bits);
        switch (kind) {
        case ReduceKind::Add:
          acc += e;
          break;
        case ReduceKind::Mul:
          acc *= e;
          break;
        case ReduceKind::And:
          acc &= e;
          break;
        case ReduceKind::Or:
          acc |= e;
          break;
        case ReduceKind::Xor:
          acc ^= e;
          break;
        case ReduceKind::SMax:
          acc = signExtend(e, bits) > signExtend(acc, bits) ? e : acc;
          break;
        case ReduceKind::SMin:
          acc = signExtend(e, bits) < signExtend(acc, bits) ? e : acc;
          break;
        case ReduceKind::UMax:
          acc = std::max(acc, e);
          break;
        case ReduceKind::UMin:
          acc = std::min(acc, e);
          break;
        default:
          fault(wave, lane, "floating-point reduction of integers", &inst);
        }
        acc = maskBits(acc, bits);
      }
      writeBits(d, t.eltBytes, acc);
      continue;
    }
    bool ordered = kind == ReduceKind::FAdd || kind == ReduceKind::FMul;
    double acc = ordered ? readFloat(slot(wave, inst.src[0], lane), t.kind)
                         : readFloat(x, vt.kind);
    for (unsigned i = ordered ? 0 : 1; i < vt.count; ++i) {
      double e = readFloat(x + i * vt.eltBytes, vt.kind);
      switch (kind) {
      case ReduceKind::FAdd:
        acc = roundTo(acc + e);
        break;
      case ReduceKind::FMul:
        acc = roundTo(acc * e);
        break;
      case ReduceKind::FMax:
        acc = std::fmax(acc, e);
        break;
      case ReduceKind::FMin:
        acc = std::fmin(acc, e);
        break;
      case ReduceKind::FMaximum:
        acc = std::isnan(acc) || std::isnan(e) ? NAN : std::fmax(acc, e);
        break;
      case ReduceKind::FMinimum:
        acc = std::isnan(acc) || std::isnan(e) ? NAN : std::fmin(acc, e);
        break;
      default:
        fault(wave, lane, "integer reduction of floating-point values", &inst);
      }
    }
    writeFloat(d, t.kind, acc);
  }
}

/// 2^(e - 127) for the biased exponent e of an fp32 scale: the scaled
/// conversions of gfx950 read only the exponent of their scale operand (as
/// the AMDGPU maintainers describe V_CVT_SCALEF32_*; docs/simulator.md).
static double scaleFactor(uint32_t scaleBits) {
  unsigned exponent = (scaleBits >> 23) & 0xFF;
  return exponent == 0xFF ? std::numeric_limits<double>::quiet_NaN()
                          : std::ldexp(1.0, int(exponent) - 127);
}

/// The FP8/BF8 conversions, OCP or FNUZ as the chip's hardware (decoded into
/// Inst::predicate). To FP8: round to nearest even, overflow by MODE.FP16_OVFL
/// (clamp to the largest finite value or give Inf/NaN). The scaled forms of
/// gfx950 (V_CVT_SCALEF32_*) divide by the scale going to FP8 and multiply by
/// it coming back: MLIR defines arith.scaling_truncf as truncf(in / 2^scale)
/// and scaling_extf as in * 2^scale (Arith ExpandOps) and lowers them to
/// these instructions with the scale unchanged (ArithToAMDGPU).
void Executor::executeFp8Conversion(Wave &wave, const Inst &inst,
                                    uint64_t mask) {
  Fp8Encoding encoding = Fp8Encoding(inst.predicate);
  bool clamp = wave.mode & kModeFp16Ovfl;
  auto uniformArg = [&](unsigned i) {
    return readBits(slot(wave, inst.src[i], llvm::countr_zero(mask)),
                    kernel.slotTypes[inst.src[i]].eltBytes);
  };
  for (uint64_t m = mask; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    uint8_t *d = slot(wave, inst.dst, lane);
    auto word = [&](unsigned i) {
      return uint32_t(readBits(slot(wave, inst.src[i], lane), 4));
    };
    auto f32 = [&](unsigned i) {
      return double(
          readFloat(slot(wave, inst.src[i], lane), TypeDesc::Kind::Float));
    };
    switch (inst.op) {
    case Opcode::CvtFromFp8: { // (src, byte_sel)
      uint8_t code = uint8_t(word(0) >> (8 * (uniformArg(1) & 3)));
      writeFloat(d, TypeDesc::Kind::Float, decodeFp8(encoding, code));
      break;
    }
    case Opcode::CvtPkFromFp8: { // (src, word_sel) or (src, scale, word_sel)
      bool scaled = inst.src.size() == 3;
      double factor = scaled ? scaleFactor(word(1)) : 1.0;
      unsigned half = unsigned(uniformArg(scaled ? 2 : 1) & 1);
      for (unsigned i = 0; i < 2; ++i) {
        uint8_t code = uint8_t(word(0) >> (16 * half + 8 * i));
        writeFloat(d + 4 * i, TypeDesc::Kind::Float,
                   double(decodeFp8(encoding, code)) * factor);
      }
      break;
    }
    case Opcode::CvtPkToFp8: { // (a, b, old, word_sel)
      unsigned half = unsigned(uniformArg(3) & 1);
      uint32_t result = word(2);
      uint32_t pair = encodeFp8(encoding, f32(0), clamp) |
                      (uint32_t(encodeFp8(encoding, f32(1), clamp)) << 8);
      result = (result & ~(0xFFFFu << (16 * half))) | (pair << (16 * half));
      writeBits(d, 4, result);
      break;
    }
    default: { // CvtScalePkToFp8: (old <2 x i16>, a, b, scale, word_sel)
      double factor = scaleFactor(word(3));
      unsigned half = unsigned(uniformArg(4) & 1);
      uint32_t result = word(0);
      uint32_t pair =
          encodeFp8(encoding, f32(1) / factor, clamp) |
          (uint32_t(encodeFp8(encoding, f32(2) / factor, clamp)) << 8);
      result = (result & ~(0xFFFFu << (16 * half))) | (pair << (16 * half));
      writeBits(d, 4, result);
      break;
    }
    }
  }
}

//===----------------------------------------------------------------------===//
// Instructions
//===----------------------------------------------------------------------===//

static bool icmp(unsigned pred, uint64_t a, uint64_t b, unsigned bits) {
  int64_t sa = signExtend(a, bits), sb = signExtend(b, bits);
  a = maskBits(a, bits);
  b = maskBits(b, bits);
  switch (pred) {
  case CmpInst::ICMP_EQ:
    return a == b;
  case CmpInst::ICMP_NE:
    return a != b;
  case CmpInst::ICMP_UGT:
    return a > b;
  case CmpInst::ICMP_UGE:
    return a >= b;
  case CmpInst::ICMP_ULT:
    return a < b;
  case CmpInst::ICMP_ULE:
    return a <= b;
  case CmpInst::ICMP_SGT:
    return sa > sb;
  case CmpInst::ICMP_SGE:
    return sa >= sb;
  case CmpInst::ICMP_SLT:
    return sa < sb;
  default:
    return sa <= sb;
  }
}

static bool fcmp(unsigned pred, double a, double b) {
  bool unordered = std::isnan(a) || std::isnan(b);
  switch (pred) {
  case CmpInst::FCMP_FALSE:
    return false;
  case CmpInst::FCMP_OEQ:
    return !unordered && a == b;
  case CmpInst::FCMP_OGT:
    return !unordered && a > b;
  case CmpInst::FCMP_OGE:
    return !unordered && a >= b;
  case CmpInst::FCMP_OLT:
    return !unordered && a < b;
  case CmpInst::FCMP_OLE:
    return !unordered && a <= b;
  case CmpInst::FCMP_ONE:
    return !unordered && a != b;
  case CmpInst::FCMP_ORD:
    return !unordered;
  case CmpInst::FCMP_UNO:
    return unordered;
  case CmpInst::FCMP_UEQ:
    return unordered || a == b;
  case CmpInst::FCMP_UGT:
    return unordered || a > b;
  case CmpInst::FCMP_UGE:
    return unordered || a >= b;
  case CmpInst::FCMP_ULT:
    return unordered || a < b;
  case CmpInst::FCMP_ULE:
    return unordered || a <= b;
  case CmpInst::FCMP_UNE:
    return unordered || a != b;
  default:
    return true;
  }
}

void Executor::execute(Wave &wave, const Inst &inst, uint64_t mask) {
  const TypeDesc &t = inst.type;
  const TypeDesc &st = inst.srcType;
  auto lanes = [&](auto &&body) {
    for (uint64_t m = mask; m; m &= m - 1)
      body(unsigned(llvm::countr_zero(m)));
  };
  // Elementwise over the result's elements, reading operands of the same
  // shape (scalar operands of vectors do not occur in LLVM IR).
  auto intOp = [&](auto &&f) {
    lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *x = slot(wave, inst.src[0], lane);
      const uint8_t *y = slot(wave, inst.src[1], lane);
      for (unsigned i = 0; i < t.count; ++i) {
        uint64_t a = readBits(x + i * t.eltBytes, t.eltBytes);
        uint64_t b = readBits(y + i * t.eltBytes, t.eltBytes);
        writeBits(d + i * t.eltBytes, t.eltBytes,
                  maskBits(f(a, b, lane), t.bits));
      }
    });
  };
  // MODE.FP16_OVFL: a finite result that overflows FP16 becomes the largest
  // finite FP16 (AMD GCN/CDNA ISA guides, MODE register); true infinities
  // stay.
  bool clampFp16 = wave.mode & kModeFp16Ovfl;
  auto writeResult = [&](uint8_t *p, TypeDesc::Kind kind, double value,
                         bool inputFinite) {
    if (clampFp16 && kind == TypeDesc::Kind::Half && inputFinite &&
        std::isfinite(value) && std::fabs(value) >= 65520.0)
      value = std::copysign(65504.0, value);
    writeFloat(p, kind, value);
  };
  auto floatOp = [&](auto &&f) {
    lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *x = slot(wave, inst.src[0], lane);
      const uint8_t *y =
          inst.src.size() > 1 ? slot(wave, inst.src[1], lane) : x;
      for (unsigned i = 0; i < t.count; ++i) {
        double a = readFloat(x + i * t.eltBytes, t.kind);
        double b = readFloat(y + i * t.eltBytes, t.kind);
        writeResult(d + i * t.eltBytes, t.kind, f(a, b),
                    std::isfinite(a) && std::isfinite(b));
      }
    });
  };
  auto floatOp3 = [&](auto &&f) {
    lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *x = slot(wave, inst.src[0], lane);
      const uint8_t *y = slot(wave, inst.src[1], lane);
      const uint8_t *z = slot(wave, inst.src[2], lane);
      for (unsigned i = 0; i < t.count; ++i) {
        double a = readFloat(x + i * t.eltBytes, t.kind);
        double b = readFloat(y + i * t.eltBytes, t.kind);
        double c = readFloat(z + i * t.eltBytes, t.kind);
        writeResult(d + i * t.eltBytes, t.kind, f(a, b, c),
                    std::isfinite(a) && std::isfinite(b) && std::isfinite(c));
      }
    });
  };
  auto castOp = [&](auto &&f) {
    lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *x = slot(wave, inst.src[0], lane);
      for (unsigned i = 0; i < t.count; ++i)
        f(x + i * st.eltBytes, d + i * t.eltBytes);
    });
  };
  auto divCheck = [&](uint64_t b, unsigned lane) {
    if (maskBits(b, t.bits) == 0)
      fault(wave, lane, "integer division by zero", &inst);
  };
  unsigned bits = t.bits;
  // Values the compiler guarantees uniform (immarg) read from lane 0.
  auto uniform = [&](unsigned i) {
    return readBits(slot(wave, inst.src[i], 0),
                    kernel.slotTypes[inst.src[i]].eltBytes);
  };

  switch (inst.op) {
  case Opcode::Add:
    return intOp([](uint64_t a, uint64_t b, unsigned) { return a + b; });
  case Opcode::Sub:
    return intOp([](uint64_t a, uint64_t b, unsigned) { return a - b; });
  case Opcode::Mul:
    return intOp([](uint64_t a, uint64_t b, unsigned) { return a * b; });
  case Opcode::UDiv:
    return intOp([&](uint64_t a, uint64_t b, unsigned lane) {
      divCheck(b, lane);
      return maskBits(a, bits) / maskBits(b, bits);
    });
  case Opcode::URem:
    return intOp([&](uint64_t a, uint64_t b, unsigned lane) {
      divCheck(b, lane);
      return maskBits(a, bits) % maskBits(b, bits);
    });
  case Opcode::SDiv:
    return intOp([&](uint64_t a, uint64_t b, unsigned lane) {
      divCheck(b, lane);
      int64_t x = signExtend(a, bits), y = signExtend(b, bits);
      return uint64_t(y == -1 ? -x : x / y);
    });
  case Opcode::SRem:
    return intOp([&](uint64_t a, uint64_t b, unsigned lane) {
      divCheck(b, lane);
      int64_t x = signExtend(a, bits), y = signExtend(b, bits);
      return uint64_t(y == -1 ? 0 : x % y);
    });
  case Opcode::And:
    return intOp([](uint64_t a, uint64_t b, unsigned) { return a & b; });
  case Opcode::Or:
    return intOp([](uint64_t a, uint64_t b, unsigned) { return a | b; });
  case Opcode::Xor:
    return intOp([](uint64_t a, uint64_t b, unsigned) { return a ^ b; });
  case Opcode::Shl:
    return intOp([&](uint64_t a, uint64_t b, unsigned) {
      return b >= bits ? 0 : a << b;
    });
  case Opcode::LShr:
    return intOp([&](uint64_t a, uint64_t b, unsigned) {
      return b >= bits ? 0 : maskBits(a, bits) >> b;
    });
  case Opcode::AShr:
    return intOp([&](uint64_t a, uint64_t b, unsigned) {
      return uint64_t(signExtend(a, bits) >> std::min<uint64_t>(b, 63));
    });
  case Opcode::SMax:
    return intOp([&](uint64_t a, uint64_t b, unsigned) {
      return signExtend(a, bits) > signExtend(b, bits) ? a : b;
    });
  case Opcode::SMin:
    return intOp([&](uint64_t a, uint64_t b, unsigned) {
      return signExtend(a, bits) < signExtend(b, bits) ? a : b;
    });
  case Opcode::UMax:
    return intOp([&](uint64_t a, uint64_t b, unsigned) {
      return std::max(maskBits(a, bits), maskBits(b, bits));
    });
  case Opcode::UMin:
    return intOp([&](uint64_t a, uint64_t b, unsigned) {
      return std::min(maskBits(a, bits), maskBits(b, bits));
    });
  case Opcode::Abs:
    return intOp([&](uint64_t a, uint64_t, unsigned) {
      int64_t v = signExtend(a, bits);
      return uint64_t(v < 0 ? -v : v);
    });
  case Opcode::CtPop:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      writeBits(d, t.eltBytes,
                llvm::popcount(maskBits(readBits(x, st.eltBytes), bits)));
    });
  case Opcode::Ctlz:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      uint64_t v = maskBits(readBits(x, st.eltBytes), bits);
      writeBits(d, t.eltBytes, v ? llvm::countl_zero(v) - (64 - bits) : bits);
    });
  case Opcode::Cttz:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      uint64_t v = maskBits(readBits(x, st.eltBytes), bits);
      writeBits(d, t.eltBytes, v ? llvm::countr_zero(v) : bits);
    });
  case Opcode::FAdd:
    return floatOp([](double a, double b) { return a + b; });
  case Opcode::FSub:
    return floatOp([](double a, double b) { return a - b; });
  case Opcode::FMul:
    return floatOp([](double a, double b) { return a * b; });
  case Opcode::FDiv:
    return floatOp([](double a, double b) { return a / b; });
  case Opcode::FRem:
    return floatOp([](double a, double b) { return std::fmod(a, b); });
  case Opcode::FNeg:
    return floatOp([](double a, double) { return -a; });
  case Opcode::FAbs:
    return floatOp([](double a, double) { return std::fabs(a); });
  case Opcode::MinNum:
    return floatOp([](double a, double b) { return std::fmin(a, b); });
  case Opcode::MaxNum:
    return floatOp([](double a, double b) { return std::fmax(a, b); });
  case Opcode::Minimum:
    return floatOp([](double a, double b) {
      return std::isnan(a) || std::isnan(b) ? NAN : std::fmin(a, b);
    });
  case Opcode::Maximum:
    return floatOp([](double a, double b) {
      return std::isnan(a) || std::isnan(b) ? NAN : std::fmax(a, b);
    });
  case Opcode::CopySign:
    return floatOp([](double a, double b) { return std::copysign(a, b); });
  case Opcode::Sqrt:
    return floatOp([](double a, double) { return std::sqrt(a); });
  case Opcode::Exp2:
    return floatOp([](double a, double) { return std::exp2(a); });
  case Opcode::Log2:
    return floatOp([](double a, double) { return std::log2(a); });
  case Opcode::Exp:
    return floatOp([](double a, double) { return std::exp(a); });
  case Opcode::Log:
    return floatOp([](double a, double) { return std::log(a); });
  case Opcode::Floor:
    return floatOp([](double a, double) { return std::floor(a); });
  case Opcode::Ceil:
    return floatOp([](double a, double) { return std::ceil(a); });
  case Opcode::Trunc2:
    return floatOp([](double a, double) { return std::trunc(a); });
  case Opcode::RoundEven:
    return floatOp([](double a, double) { return std::nearbyint(a); });
  case Opcode::Rcp:
    return floatOp([](double a, double) { return 1.0 / a; });
  case Opcode::Rsq:
    return floatOp([](double a, double) { return 1.0 / std::sqrt(a); });
  case Opcode::Fma:
    if (t.kind == TypeDesc::Kind::Float)
      return floatOp3([](double a, double b, double c) {
        return double(std::fma(float(a), float(b), float(c)));
      });
    return floatOp3(
        [](double a, double b, double c) { return std::fma(a, b, c); });
  case Opcode::ICmp:
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *x = slot(wave, inst.src[0], lane);
      const uint8_t *y = slot(wave, inst.src[1], lane);
      for (unsigned i = 0; i < t.count; ++i)
        d[i] = icmp(inst.predicate, readBits(x + i * st.eltBytes, st.eltBytes),
                    readBits(y + i * st.eltBytes, st.eltBytes), st.bits);
    });
  case Opcode::FCmp:
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *x = slot(wave, inst.src[0], lane);
      const uint8_t *y = slot(wave, inst.src[1], lane);
      for (unsigned i = 0; i < t.count; ++i)
        d[i] = fcmp(inst.predicate, readFloat(x + i * st.eltBytes, st.kind),
                    readFloat(y + i * st.eltBytes, st.kind));
    });
  case Opcode::Select:
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *c = slot(wave, inst.src[0], lane);
      const uint8_t *x = slot(wave, inst.src[1], lane);
      const uint8_t *y = slot(wave, inst.src[2], lane);
      if (st.count == 1) {
        std::memcpy(d, (c[0] & 1) ? x : y, t.size);
        return;
      }
      for (unsigned i = 0; i < t.count; ++i)
        std::memcpy(d + i * t.eltBytes, ((c[i] & 1) ? x : y) + i * t.eltBytes,
                    t.eltBytes);
    });
  case Opcode::Freeze:
    return lanes([&](unsigned lane) {
      std::memcpy(slot(wave, inst.dst, lane), slot(wave, inst.src[0], lane),
                  t.size);
    });
  case Opcode::Trunc:
  case Opcode::ZExt:
  case Opcode::PtrToInt:
  case Opcode::IntToPtr:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      writeBits(d, t.eltBytes,
                maskBits(maskBits(readBits(x, st.eltBytes), st.bits), t.bits));
    });
  case Opcode::SExt:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      writeBits(
          d, t.eltBytes,
          maskBits(uint64_t(signExtend(readBits(x, st.eltBytes), st.bits)),
                   t.bits));
    });
  case Opcode::FPTrunc:
  case Opcode::FPExt:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      double v = readFloat(x, st.kind);
      writeResult(d, t.kind, v, std::isfinite(v));
    });
  case Opcode::SIToFP:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      writeResult(d, t.kind,
                  double(signExtend(readBits(x, st.eltBytes), st.bits)), true);
    });
  case Opcode::UIToFP:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      writeResult(d, t.kind,
                  double(maskBits(readBits(x, st.eltBytes), st.bits)), true);
    });
  case Opcode::FPToSI:
  case Opcode::FPToUI:
    return castOp([&](const uint8_t *x, uint8_t *d) {
      double v = std::trunc(readFloat(x, st.kind));
      // Out-of-range conversions are poison in LLVM; hardware saturates.
      double lo = inst.op == Opcode::FPToSI ? -std::ldexp(1.0, bits - 1) : 0;
      double hi = inst.op == Opcode::FPToSI ? std::ldexp(1.0, bits - 1) - 1
                                            : std::ldexp(1.0, bits) - 1;
      v = std::isnan(v) ? 0 : std::min(std::max(v, lo), hi);
      writeBits(d, t.eltBytes,
                maskBits(inst.op == Opcode::FPToSI ? uint64_t(int64_t(v))
                                                   : uint64_t(v),
                         bits));
    });
  case Opcode::BitCast:
    return lanes([&](unsigned lane) {
      const uint8_t *x = slot(wave, inst.src[0], lane);
      uint8_t *d = slot(wave, inst.dst, lane);
      if (isByteExact(t) && isByteExact(st)) {
        std::memcpy(d, x, t.size);
        return;
      }
      uint8_t packed[128];
      packBits(x, st, packed, st.bits * st.count);
      unpackBits(packed, t, d);
    });
  case Opcode::AddrSpaceCast:
    return lanes([&](unsigned lane) {
      uint64_t v = readBits(slot(wave, inst.src[0], lane), st.eltBytes);
      unsigned from = inst.addrSpace, to = unsigned(inst.imm);
      if (to == 0 && from == 3)
        v |= kLdsAperture;
      else if (to == 0 && from == 5)
        v |= kPrivateAperture;
      else if (from == 0 && (to == 3 || to == 5))
        v &= ~kApertureMask;
      writeBits(slot(wave, inst.dst, lane), t.eltBytes, v);
    });
  case Opcode::ExtractElement:
    return lanes([&](unsigned lane) {
      uint64_t idx = readBits(slot(wave, inst.src[1], lane),
                              kernel.slotTypes[inst.src[1]].eltBytes);
      if (idx >= st.count)
        fault(wave, lane, "extractelement index out of range", &inst);
      std::memcpy(slot(wave, inst.dst, lane),
                  slot(wave, inst.src[0], lane) + idx * st.eltBytes, t.size);
    });
  case Opcode::InsertElement:
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      std::memcpy(d, slot(wave, inst.src[0], lane), t.size);
      uint64_t idx = readBits(slot(wave, inst.src[2], lane),
                              kernel.slotTypes[inst.src[2]].eltBytes);
      if (idx >= t.count)
        fault(wave, lane, "insertelement index out of range", &inst);
      std::memcpy(d + idx * t.eltBytes, slot(wave, inst.src[1], lane),
                  t.eltBytes);
    });
  case Opcode::ShuffleVector:
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const uint8_t *x = slot(wave, inst.src[0], lane);
      const uint8_t *y = slot(wave, inst.src[1], lane);
      for (unsigned i = 0; i < t.count; ++i) {
        int64_t m = inst.aux[i];
        if (m < 0)
          std::memset(d + i * t.eltBytes, 0, t.eltBytes);
        else if (m < st.count)
          std::memcpy(d + i * t.eltBytes, x + m * st.eltBytes, t.eltBytes);
        else
          std::memcpy(d + i * t.eltBytes, y + (m - st.count) * st.eltBytes,
                      t.eltBytes);
      }
    });
  case Opcode::ExtractValue:
    return lanes([&](unsigned lane) {
      std::memcpy(slot(wave, inst.dst, lane),
                  slot(wave, inst.src[0], lane) + inst.imm, t.size);
    });
  case Opcode::InsertValue:
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      std::memcpy(d, slot(wave, inst.src[0], lane), t.size);
      std::memcpy(d + inst.imm, slot(wave, inst.src[1], lane),
                  kernel.slotTypes[inst.src[1]].size);
    });
  case Opcode::Alloca:
    return lanes([&](unsigned lane) {
      writeBits(slot(wave, inst.dst, lane), t.eltBytes, uint64_t(inst.imm));
    });
  case Opcode::GEP:
    return lanes([&](unsigned lane) {
      uint64_t address = readBits(slot(wave, inst.src[0], lane), t.eltBytes);
      address += inst.imm;
      for (unsigned i = 1; i < inst.src.size(); ++i) {
        const TypeDesc &it = kernel.slotTypes[inst.src[i]];
        int64_t idx = signExtend(
            readBits(slot(wave, inst.src[i], lane), it.eltBytes), it.bits);
        address += uint64_t(idx * inst.aux[i - 1]);
      }
      writeBits(slot(wave, inst.dst, lane), t.eltBytes,
                maskBits(address, t.bits));
    });
  case Opcode::Load:
  case Opcode::Store:
    return executeMemory(wave, inst, mask);
  case Opcode::AtomicRMW:
    if (checker) {
      checker->beginInstruction();
      if (inst.addrSpace != 3)
        checker->vectorMemoryIssued(wave.index, inst);
    }
    return lanes([&](unsigned lane) {
      unsigned ptrBytes = kernel.slotTypes[inst.src[0]].eltBytes;
      uint64_t address = readBits(slot(wave, inst.src[0], lane), ptrBytes);
      uint8_t *mem = resolve(wave, lane, address, inst.addrSpace, t.size, true,
                             inst, inst.origin);
      if (checker)
        checkAccess(wave, lane, AccessLoad | AccessStore | AccessAtomic,
                    address, mem, t.size, inst, nullptr);
      if (profiler) {
        LaneAccess access{lane, address, t.size};
        if (mem >= lds.data() && mem < lds.data() + lds.size()) {
          access.address = uint64_t(mem - lds.data());
          profiler->ldsAccess(inst, SiteKind::LdsAtomic, access);
        } else {
          profiler->globalAccess(inst, SiteKind::GlobalAtomic, access);
        }
      }
      const uint8_t *v = slot(wave, inst.src[1], lane);
      uint8_t *d = slot(wave, inst.dst, lane);
      std::memcpy(d, mem, t.size);
      uint64_t old = readBits(mem, t.eltBytes), val = readBits(v, t.eltBytes);
      switch (AtomicRMWInst::BinOp(inst.predicate)) {
      case AtomicRMWInst::Add:
        writeBits(mem, t.eltBytes, maskBits(old + val, bits));
        break;
      case AtomicRMWInst::Xchg:
        writeBits(mem, t.eltBytes, val);
        break;
      case AtomicRMWInst::Max:
        if (signExtend(val, bits) > signExtend(old, bits))
          writeBits(mem, t.eltBytes, val);
        break;
      case AtomicRMWInst::Min:
        if (signExtend(val, bits) < signExtend(old, bits))
          writeBits(mem, t.eltBytes, val);
        break;
      case AtomicRMWInst::UMax:
        writeBits(mem, t.eltBytes, std::max(old, val));
        break;
      case AtomicRMWInst::UMin:
        writeBits(mem, t.eltBytes, std::min(old, val));
        break;
      default: // FAdd
        writeFloat(mem, t.kind, readFloat(mem, t.kind) + readFloat(v, t.kind));
        break;
      }
    });
  case Opcode::WorkitemId:
    return lanes([&](unsigned lane) {
      unsigned flat = wave.index * waveSize + lane;
      unsigned id[3] = {flat % launch.block.x,
                        (flat / launch.block.x) % launch.block.y,
                        flat / (launch.block.x * launch.block.y)};
      writeBits(slot(wave, inst.dst, lane), 4, id[inst.imm]);
    });
  case Opcode::WorkgroupId:
    return lanes([&](unsigned lane) {
      writeBits(slot(wave, inst.dst, lane), 4, group[inst.imm]);
    });
  case Opcode::DispatchPtr:
    return lanes([&](unsigned lane) {
      writeBits(slot(wave, inst.dst, lane), 8, dispatchAddress);
    });
  case Opcode::WaitCnt:
    if (profiler)
      profiler->waitForLoads(wave.index, uint64_t(inst.imm));
    if (checker)
      checker->vectorMemoryWait(wave.index, uint64_t(inst.imm));
    return;
  case Opcode::Fence:
    // Waves run one at a time over sequentially consistent memory: a fence
    // orders nothing further, but racecheck follows it.
    if (checker)
      checker->fence(wave.index, inst);
    return;
  case Opcode::Nop:
  case Opcode::Barrier:
    return;
  case Opcode::SetReg: {
    // The value is an SGPR: uniform, read from the first active lane.
    uint64_t field = uint64_t(inst.imm);
    uint64_t value =
        readBits(slot(wave, inst.src[1], llvm::countr_zero(mask)), 4);
    wave.mode =
        uint32_t((wave.mode & ~field) | ((value << inst.aux[0]) & field));
    return;
  }
  case Opcode::UpdateDpp:
    return executeDpp(wave, inst, mask);
  case Opcode::VectorReduce:
    return executeReduce(wave, inst, mask);
  case Opcode::Perm:
    // v_perm_b32: each result byte selects from the bytes of {S0, S1} (S1 the
    // low word): 0-7 a byte, 8-11 the sign of bytes 1, 3, 5, 7 spread over
    // the byte, 12 zero, 13 and above 0xFF (AMD CDNA3 ISA guide).
    return lanes([&](unsigned lane) {
      uint64_t data = (readBits(slot(wave, inst.src[0], lane), 4) << 32) |
                      readBits(slot(wave, inst.src[1], lane), 4);
      uint32_t sel = uint32_t(readBits(slot(wave, inst.src[2], lane), 4));
      uint32_t result = 0;
      for (unsigned i = 0; i < 4; ++i) {
        unsigned s = (sel >> (8 * i)) & 0xFF;
        uint32_t byte;
        if (s >= 13)
          byte = 0xFF;
        else if (s == 12)
          byte = 0;
        else if (s >= 8)
          byte = ((data >> (16 * (s - 8) + 15)) & 1) ? 0xFF : 0;
        else
          byte = (data >> (8 * s)) & 0xFF;
        result |= byte << (8 * i);
      }
      writeBits(slot(wave, inst.dst, lane), 4, result);
    });
  case Opcode::CvtFromFp8:
  case Opcode::CvtPkFromFp8:
  case Opcode::CvtPkToFp8:
  case Opcode::CvtScalePkToFp8:
    return executeFp8Conversion(wave, inst, mask);
  case Opcode::Dot2Bf16:
    // v_dot2_bf16_bf16 / v_dot2_f32_bf16: D = a0*b0 + a1*b1 + c. The
    // products of bf16 values are exact in double; the sum is rounded to
    // fp32, then (bf16 result) to bf16, to nearest even.
    return lanes([&](unsigned lane) {
      const uint8_t *a = slot(wave, inst.src[0], lane);
      const uint8_t *b = slot(wave, inst.src[1], lane);
      const TypeDesc &ct = kernel.slotTypes[inst.src[2]];
      double sum = readFloat(slot(wave, inst.src[2], lane), ct.kind);
      for (unsigned i = 0; i < 2; ++i)
        sum += readFloat(a + 2 * i, TypeDesc::Kind::BFloat) *
               readFloat(b + 2 * i, TypeDesc::Kind::BFloat);
      writeFloat(slot(wave, inst.dst, lane), t.kind, double(float(sum)));
    });
  case Opcode::ReadFirstLane:
  case Opcode::ReadLane: {
    unsigned from = llvm::countr_zero(mask);
    if (inst.op == Opcode::ReadLane) {
      from = unsigned(uniform(1));
      if (from >= waveSize)
        fault(wave, 0, "readlane of lane " + Twine(from), &inst);
    }
    std::vector<uint8_t> value(slot(wave, inst.src[0], from),
                               slot(wave, inst.src[0], from) + t.size);
    return lanes([&](unsigned lane) {
      std::memcpy(slot(wave, inst.dst, lane), value.data(), t.size);
    });
  }
  case Opcode::DsBpermute: {
    std::vector<uint32_t> data(waveSize);
    for (unsigned lane = 0; lane < waveSize; ++lane)
      data[lane] = uint32_t(readBits(slot(wave, inst.src[1], lane), 4));
    return lanes([&](unsigned lane) {
      uint32_t addr = uint32_t(readBits(slot(wave, inst.src[0], lane), 4));
      writeBits(slot(wave, inst.dst, lane), 4, data[(addr / 4) % waveSize]);
    });
  }
  case Opcode::MbcntLo:
  case Opcode::MbcntHi:
    return lanes([&](unsigned lane) {
      uint32_t bitsMask = uint32_t(readBits(slot(wave, inst.src[0], lane), 4));
      uint32_t acc = uint32_t(readBits(slot(wave, inst.src[1], lane), 4));
      unsigned base = inst.op == Opcode::MbcntLo ? 0 : 32;
      unsigned below = lane > base ? std::min(lane - base, 32u) : 0;
      uint32_t laneMask = below >= 32 ? ~0u : (1u << below) - 1;
      writeBits(slot(wave, inst.dst, lane), 4,
                acc + llvm::popcount(bitsMask & laneMask));
    });
  case Opcode::Ballot: {
    uint64_t ballot = 0;
    for (uint64_t m = mask; m; m &= m - 1) {
      unsigned lane = llvm::countr_zero(m);
      if (*slot(wave, inst.src[0], lane) & 1)
        ballot |= uint64_t(1) << lane;
    }
    return lanes([&](unsigned lane) {
      writeBits(slot(wave, inst.dst, lane), t.eltBytes,
                maskBits(ballot, t.bits));
    });
  }
  case Opcode::Permlane32Swap:
  case Opcode::Permlane16Swap: {
    // Returns {vdst', vsrc'}. permlane32: lanes 32-63 of vdst swap with
    // lanes 0-31 of vsrc. permlane16: odd 16-lane rows of vdst swap with
    // even rows of vsrc.
    std::vector<uint32_t> dst(waveSize), src(waveSize);
    for (unsigned lane = 0; lane < waveSize; ++lane) {
      dst[lane] = uint32_t(readBits(slot(wave, inst.src[0], lane), 4));
      src[lane] = uint32_t(readBits(slot(wave, inst.src[1], lane), 4));
    }
    std::vector<uint32_t> newDst = dst, newSrc = src;
    for (unsigned lane = 0; lane < waveSize; ++lane) {
      bool upper =
          inst.op == Opcode::Permlane32Swap ? lane >= 32 : (lane / 16) % 2 == 1;
      unsigned shift = inst.op == Opcode::Permlane32Swap ? 32 : 16;
      if (upper && lane - shift < waveSize) {
        newDst[lane] = src[lane - shift];
        newSrc[lane - shift] = dst[lane];
      }
    }
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      writeBits(d, 4, newDst[lane]);
      writeBits(d + 4, 4, newSrc[lane]);
    });
  }
  case Opcode::MakeBufferRsrc:
    // Resource image (kRsrcBaseMask): base | stride << 48, num_records,
    // word 3.
    return lanes([&](unsigned lane) {
      uint8_t *d = slot(wave, inst.dst, lane);
      const TypeDesc &recordsType = kernel.slotTypes[inst.src[2]];
      writeBits(d, 8,
                (readBits(slot(wave, inst.src[0], lane), 8) & kRsrcBaseMask) |
                    (readBits(slot(wave, inst.src[1], lane), 2) << 48));
      writeBits(d + 8, 4,
                std::min<uint64_t>(readBits(slot(wave, inst.src[2], lane),
                                            recordsType.eltBytes),
                                   0xFFFFFFFFu));
      writeBits(d + 12, 4, readBits(slot(wave, inst.src[3], lane), 4));
    });
  case Opcode::BufferLoad:
  case Opcode::BufferStore:
    return executeBufferAccess(wave, inst, mask);
  case Opcode::BufferLoadToLds:
  case Opcode::GlobalLoadToLds:
    return executeLoadToLds(wave, inst, mask);
  case Opcode::MatrixOp:
    return executeMatrix(wave, inst, mask);
  case Opcode::Unreachable:
    fault(wave, llvm::countr_zero(mask), "reached 'unreachable'", &inst);
  case Opcode::Phi:
  case Opcode::Br:
  case Opcode::CondBr:
  case Opcode::Switch:
  case Opcode::Ret:
    break;
  }
  llvm_unreachable("control flow is handled by runBlock");
}

//===----------------------------------------------------------------------===//
// Control flow and scheduling
//===----------------------------------------------------------------------===//

bool Executor::runBlock(Wave &wave, uint32_t blockIndex, uint32_t first,
                        uint64_t mask) {
  const Block &block = kernel.blocks[blockIndex];
  uint32_t i = block.begin + first;
  // Counted a block at a time; a stop at a barrier gives back the rest.
  wave.instructions += block.end - i;
  if (wave.instructions > maxWaveInstructions)
    instructionLimit(wave, kernel.insts[i]);
  if (first == 0 && block.numPhis) {
    // Phis read their inputs before any of them is written.
    size_t scratch = 0;
    for (uint32_t p = block.begin; p < block.begin + block.numPhis; ++p)
      scratch += kernel.slotTypes[kernel.insts[p].dst].size * waveSize;
    phiScratch.resize(scratch);
    size_t at = 0;
    for (uint32_t p = block.begin; p < block.begin + block.numPhis; ++p) {
      const Inst &phi = kernel.insts[p];
      unsigned size = kernel.slotTypes[phi.dst].size;
      for (uint64_t m = mask; m; m &= m - 1) {
        unsigned lane = llvm::countr_zero(m);
        unsigned which = 0;
        while (which < phi.aux.size() &&
               uint32_t(phi.aux[which]) != wave.prev[lane])
          ++which;
        if (which == phi.aux.size())
          fault(wave, lane, "phi has no value for the block the lane came from",
                &phi);
        std::memcpy(&phiScratch[at + lane * size],
                    slot(wave, phi.src[which], lane), size);
        if (profiler && m == mask)
          profiler->valueCopied(wave.index, phi.src[which], phi.dst);
      }
      at += size * waveSize;
    }
    at = 0;
    for (uint32_t p = block.begin; p < block.begin + block.numPhis; ++p) {
      const Inst &phi = kernel.insts[p];
      unsigned size = kernel.slotTypes[phi.dst].size;
      for (uint64_t m = mask; m; m &= m - 1) {
        unsigned lane = llvm::countr_zero(m);
        std::memcpy(slot(wave, phi.dst, lane), &phiScratch[at + lane * size],
                    size);
      }
      at += size * waveSize;
    }
    i += block.numPhis;
  }
  unsigned active = llvm::popcount(mask);
  for (; i < block.end; ++i) {
    const Inst &inst = kernel.insts[i];
    if (profiler)
      profiler->instruction(wave.index, inst);
    if (stats) {
      ++stats->waveInstructions;
      stats->laneInstructions += active;
    }
    switch (inst.op) {
    case Opcode::Br:
      for (uint64_t m = mask; m; m &= m - 1) {
        unsigned lane = llvm::countr_zero(m);
        wave.prev[lane] = blockIndex;
        wave.block[lane] = inst.succ[0];
      }
      return true;
    case Opcode::CondBr:
      for (uint64_t m = mask; m; m &= m - 1) {
        unsigned lane = llvm::countr_zero(m);
        wave.prev[lane] = blockIndex;
        wave.block[lane] =
            (*slot(wave, inst.src[0], lane) & 1) ? inst.succ[0] : inst.succ[1];
      }
      return true;
    case Opcode::Switch:
      for (uint64_t m = mask; m; m &= m - 1) {
        unsigned lane = llvm::countr_zero(m);
        int64_t v = signExtend(
            readBits(slot(wave, inst.src[0], lane), inst.srcType.eltBytes),
            inst.srcType.bits);
        uint32_t target = inst.succ[0];
        for (size_t c = 0; c < inst.aux.size(); c += 2)
          if (signExtend(uint64_t(inst.aux[c]), inst.srcType.bits) == v)
            target = uint32_t(inst.aux[c + 1]);
        wave.prev[lane] = blockIndex;
        wave.block[lane] = target;
      }
      return true;
    case Opcode::Ret:
      wave.live &= ~mask;
      // The wave's memory instructions complete before it ends.
      if (checker && !wave.live)
        checker->waveEnded(wave.index);
      return true;
    case Opcode::Barrier:
      if (mask != wave.live)
        fault(wave, llvm::countr_zero(wave.live & ~mask),
              "barrier reached by only part of the wave (divergent barrier)",
              &inst);
      wave.instructions -= block.end - i - 1;
      wave.atBarrier = true;
      wave.resumeBlock = blockIndex;
      wave.resumeInst = i + 1 - block.begin;
      wave.resumeMask = mask;
      return false;
    default:
      execute(wave, inst, mask);
    }
  }
  fault(wave, llvm::countr_zero(mask), "block without terminator", nullptr);
}

void Executor::stepWave(Wave &wave) {
  if (wave.resumePending) {
    wave.resumePending = false;
    runBlock(wave, wave.resumeBlock, wave.resumeInst, wave.resumeMask);
    return;
  }
  uint32_t next = ~0u;
  for (uint64_t m = wave.live; m; m &= m - 1)
    next = std::min(next, wave.block[llvm::countr_zero(m)]);
  uint64_t mask = 0;
  for (uint64_t m = wave.live; m; m &= m - 1) {
    unsigned lane = llvm::countr_zero(m);
    if (wave.block[lane] == next)
      mask |= uint64_t(1) << lane;
  }
  runBlock(wave, next, 0, mask);
}

void Executor::barrierNeverReached(ArrayRef<Wave> waves) {
  SmallVector<std::string, 16> waiting, returned;
  const Inst *barrier = nullptr;
  for (const Wave &wave : waves) {
    if (wave.atBarrier) {
      waiting.push_back(std::to_string(wave.index));
      barrier = &kernel.insts[kernel.blocks[wave.resumeBlock].begin +
                              wave.resumeInst - 1];
    } else {
      returned.push_back(std::to_string(wave.index));
    }
  }
  std::string text;
  raw_string_ostream os(text);
  os << "kernel '" << kernel.name << "', workgroup (" << group[0] << ","
     << group[1] << "," << group[2]
     << "): barrier that some waves never reach: "
     << (waiting.size() == 1 ? "wave " : "waves ") << join(waiting, ", ")
     << (waiting.size() == 1 ? " waits at " : " wait at ")
     << Checker::describe(barrier) << " while "
     << (returned.size() == 1 ? "wave " : "waves ") << join(returned, ", ")
     << " returned";
  throw Fault{text};
}

void Executor::runWorkgroup(ArrayRef<ArgValue> args) {
  std::fill(lds.begin(), lds.end(), 0);
  uint64_t lanesTotal = launch.block.count();
  unsigned numWaves = unsigned((lanesTotal + waveSize - 1) / waveSize);
  std::vector<Wave> waves(numWaves);
  for (unsigned w = 0; w < numWaves; ++w) {
    Wave &wave = waves[w];
    wave.index = w;
    wave.regs = kernel.constantImage;
    wave.privateMem.assign(size_t(kernel.privateBytes) * waveSize, 0);
    wave.block.assign(waveSize, 0);
    wave.prev.assign(waveSize, ~0u);
    unsigned lanes =
        unsigned(std::min<uint64_t>(waveSize, lanesTotal - w * waveSize));
    wave.live = lanes >= 64 ? ~uint64_t(0) : (uint64_t(1) << lanes) - 1;
    for (size_t p = 0; p < args.size(); ++p) {
      uint32_t s = kernel.paramSlots[p];
      const TypeDesc &type = kernel.slotTypes[s];
      for (unsigned lane = 0; lane < waveSize; ++lane)
        writeBits(slot(wave, s, lane), type.eltBytes, args[p].bits);
    }
  }
  if (profiler)
    profiler->beginWorkgroup(numWaves);
  if (checker)
    checker->beginWorkgroup(group, numWaves, waveSize);
  while (true) {
    bool stepped = false;
    for (Wave &wave : waves)
      if (wave.live && !wave.atBarrier) {
        stepWave(wave);
        stepped = true;
      }
    if (stepped)
      continue;
    // Every live wave is now at a barrier or done; a wave that finished
    // while others wait would deadlock hardware too.
    bool waiting = false, finished = false;
    for (Wave &wave : waves) {
      waiting |= wave.atBarrier;
      finished |= !wave.live && !wave.atBarrier;
    }
    if (!waiting)
      break;
    if (finished)
      barrierNeverReached(waves);
    if (checker) {
      SmallVector<BarrierWait, 16> waits;
      for (Wave &wave : waves)
        if (wave.atBarrier)
          waits.push_back(
              {wave.index, &kernel.insts[kernel.blocks[wave.resumeBlock].begin +
                                         wave.resumeInst - 1]});
      checker->checkBarrier(waits);
      checker->barrierReleased();
    }
    for (Wave &wave : waves)
      if (wave.atBarrier) {
        wave.atBarrier = false;
        wave.resumePending = true;
      }
  }
  if (checker)
    checker->endWorkgroup();
  if (profiler)
    profiler->endWorkgroup();
}

Error Executor::run(ArrayRef<ArgValue> args, ArrayRef<uint64_t> workgroups) {
  lds.assign(ldsBytes, 0);
  // An HSA kernel dispatch packet, for kernels that read their sizes from it.
  dispatchPacket.assign(64, 0);
  auto put16 = [&](unsigned at, uint16_t v) {
    std::memcpy(&dispatchPacket[at], &v, 2);
  };
  auto put32 = [&](unsigned at, uint32_t v) {
    std::memcpy(&dispatchPacket[at], &v, 4);
  };
  put16(2, 3); // dimensions
  put16(4, uint16_t(launch.block.x));
  put16(6, uint16_t(launch.block.y));
  put16(8, uint16_t(launch.block.z));
  put32(12, launch.grid.x * launch.block.x);
  put32(16, launch.grid.y * launch.block.y);
  put32(20, launch.grid.z * launch.block.z);
  put32(24, kernel.privateBytes);
  put32(28, ldsBytes);
  dispatchAddress = 0x10000; // below every buffer
  ranges.assign(kernel.allocations.size(), Range{});
  for (auto [i, a] : llvm::enumerate(kernel.allocations)) {
    Range &r = ranges[i];
    switch (a.kind) {
    case Allocation::Kind::Argument: {
      // The whole buffer the argument points into (a launch plan may pass a
      // pointer into the middle of one).
      if (a.begin >= args.size())
        break;
      if (const Memory::Buffer *buffer = memory.find(args[a.begin].bits, 1))
        r = {1, buffer->base, buffer->base + buffer->data.size()};
      break;
    }
    case Allocation::Kind::Lds:
      r = {3, a.begin, a.dynamicLds ? ldsBytes : a.begin + a.size};
      break;
    case Allocation::Kind::Private:
      r = {5, a.begin, a.begin + a.size};
      break;
    }
  }
  try {
    if (workgroups.empty()) {
      for (group[2] = 0; group[2] < launch.grid.z; ++group[2])
        for (group[1] = 0; group[1] < launch.grid.y; ++group[1])
          for (group[0] = 0; group[0] < launch.grid.x; ++group[0])
            runWorkgroup(args);
    } else {
      for (uint64_t id : workgroups) {
        group[0] = uint32_t(id % launch.grid.x);
        group[1] = uint32_t(id / launch.grid.x % launch.grid.y);
        group[2] = uint32_t(id / (uint64_t(launch.grid.x) * launch.grid.y));
        runWorkgroup(args);
      }
    }
  } catch (const Fault &f) {
    return createStringError(inconvertibleErrorCode(), f.message);
  } catch (const CheckFailure &f) {
    return createStringError(inconvertibleErrorCode(), f.message);
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Simulator
//===----------------------------------------------------------------------===//

Simulator::Simulator(std::unique_ptr<Program> program)
    : program(std::move(program)) {}
Simulator::~Simulator() = default;
Simulator::Simulator(Simulator &&) noexcept = default;

std::vector<std::string> Simulator::getKernelNames() const {
  return program->getKernelNames();
}

uint32_t Simulator::getStaticLdsBytes() const {
  return program->getStaticLdsBytes();
}

Expected<std::vector<ParamInfo>> Simulator::getParams(StringRef name) const {
  const Kernel *kernel = program->getKernel(name);
  if (!kernel)
    return createStringError(inconvertibleErrorCode(),
                             "no kernel '" + name + "'; the module has: " +
                                 join(program->getKernelNames(), ", "));
  return kernel->params;
}

Expected<const Kernel *> Simulator::checkLaunch(StringRef name,
                                                const LaunchParams &launch,
                                                size_t numArgs) const {
  const Kernel *kernel = program->getKernel(name);
  if (!kernel)
    return createStringError(inconvertibleErrorCode(),
                             "no kernel '" + name + "'; the module has: " +
                                 join(program->getKernelNames(), ", "));
  if (numArgs != kernel->params.size())
    return createStringError(inconvertibleErrorCode(),
                             "kernel '" + name + "' takes " +
                                 Twine(kernel->params.size()) +
                                 " arguments, got " + Twine(numArgs));
  if (launch.grid.count() == 0 || launch.block.count() == 0)
    return createStringError(inconvertibleErrorCode(),
                             "grid and block sizes must be at least 1");
  if (launch.block.count() > 1024)
    return createStringError(inconvertibleErrorCode(),
                             "a workgroup holds at most 1024 lanes, got " +
                                 Twine(launch.block.count()));
  uint64_t lds = uint64_t(kernel->staticLdsBytes) + launch.dynamicLdsBytes;
  if (lds > program->getChip().ldsBytesPerWorkgroup)
    return createStringError(
        inconvertibleErrorCode(),
        "the launch needs " + Twine(lds) + " bytes of LDS; " +
            program->getChip().name + " has " +
            Twine(program->getChip().ldsBytesPerWorkgroup) + " per workgroup");
  return kernel;
}

Error Simulator::launch(StringRef name, const LaunchParams &launch,
                        ArrayRef<ArgValue> args, Memory &memory, Stats *stats) {
  Expected<const Kernel *> kernel = checkLaunch(name, launch, args.size());
  if (!kernel)
    return kernel.takeError();
  uint32_t lds = (*kernel)->staticLdsBytes + launch.dynamicLdsBytes;
  std::optional<Checker> checker;
  if (checks.any())
    checker.emplace(**kernel, checks, memory, lds);
  // What an untracked launch writes is unknown: count everything as written.
  if (!checks.init)
    memory.forgetUninitialized();
  Executor executor(**kernel, launch, memory, lds, stats, nullptr,
                    checker ? &*checker : nullptr, checks.maxWaveInstructions);
  return executor.run(args);
}

Error Simulator::profile(StringRef name, const LaunchParams &launch,
                         ArrayRef<ArgValue> args, Memory &memory,
                         const ProfileOptions &options, KernelProfile &result) {
  Expected<const Kernel *> kernel = checkLaunch(name, launch, args.size());
  if (!kernel)
    return kernel.takeError();
  StringRef chip = program->getChip().name;
  const amdgpu::TimingModel *model = amdgpu::lookupTimingModel(chip);
  if (!model)
    return createStringError(inconvertibleErrorCode(),
                             "no timing model for " + chip +
                                 "; profiles need one (gfx950 has one)");
  for (uint64_t id : options.workgroups)
    if (id >= launch.grid.count())
      return createStringError(inconvertibleErrorCode(),
                               "workgroup " + Twine(id) +
                                   " is outside the grid of " +
                                   Twine(launch.grid.count()));
  uint32_t lds = (*kernel)->staticLdsBytes + launch.dynamicLdsBytes;
  Profiler profiler(**kernel, launch, *model, lds);
  std::optional<Checker> checker;
  if (checks.any())
    checker.emplace(**kernel, checks, memory, lds);
  // What an untracked launch writes is unknown: count everything as written.
  if (!checks.init)
    memory.forgetUninitialized();
  Executor executor(**kernel, launch, memory, lds, nullptr, &profiler,
                    checker ? &*checker : nullptr, checks.maxWaveInstructions);
  if (Error e = executor.run(args, options.workgroups))
    return e;
  result = profiler.finish(launch.grid.count(), memory);
  return Error::success();
}
