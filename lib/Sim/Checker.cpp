//===- Checker.cpp - Race, barrier and LDS initialisation checks ----------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "Checker.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/DebugInfoMetadata.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Support/AtomicOrdering.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mxc;
using namespace mxc::sim;

Error CheckOptions::enable(StringRef list) {
  SmallVector<StringRef, 4> items;
  list.split(items, ',');
  for (StringRef item : items) {
    if (item == "race")
      race = true;
    else if (item == "sync")
      sync = true;
    else if (item == "init")
      init = true;
    else if (item == "all")
      race = sync = init = true;
    else
      return createStringError(inconvertibleErrorCode(),
                               (item.empty() ? Twine("an empty check")
                                             : "unknown check '" + item + "'") +
                                   " in '" + list +
                                   "'; expected race, sync, init or all");
  }
  return Error::success();
}

Checker::Checker(const Kernel &kernel, const CheckOptions &options,
                 Memory &memory, uint32_t ldsBytes)
    : kernel(kernel), options(options), memory(memory), lds(ldsBytes) {
  atomicInst.reserve(kernel.insts.size());
  syncOrder.reserve(kernel.insts.size());
  for (const Inst &inst : kernel.insts) {
    bool atomic = inst.op == Opcode::AtomicRMW;
    AtomicOrdering ordering = AtomicOrdering::NotAtomic;
    SyncScope::ID scope = SyncScope::System;
    if (auto *load = dyn_cast_or_null<LoadInst>(inst.ir)) {
      atomic = load->isAtomic();
      ordering = load->getOrdering();
      scope = load->getSyncScopeID();
    } else if (auto *store = dyn_cast_or_null<StoreInst>(inst.ir)) {
      atomic = store->isAtomic();
      ordering = store->getOrdering();
      scope = store->getSyncScopeID();
    } else if (auto *rmw = dyn_cast_or_null<AtomicRMWInst>(inst.ir)) {
      ordering = rmw->getOrdering();
      scope = rmw->getSyncScopeID();
    } else if (auto *fence = dyn_cast_or_null<FenceInst>(inst.ir)) {
      ordering = fence->getOrdering();
      scope = fence->getSyncScopeID();
    }
    atomicInst.push_back(atomic);
    // Scopes of one thread or one wave order nothing between waves
    // (AMDGPUUsage, memory model: workgroup, agent and system do).
    uint8_t order = 0;
    if (ordering != AtomicOrdering::NotAtomic) {
      SmallVector<StringRef, 8> names;
      inst.ir->getContext().getSyncScopeNames(names);
      StringRef name = scope < names.size() ? names[scope] : "";
      if (!name.starts_with("singlethread") && !name.starts_with("wavefront")) {
        if (isReleaseOrStronger(ordering))
          order |= 1;
        if (isAcquireOrStronger(ordering))
          order |= 2;
      }
    }
    syncOrder.push_back(order);
  }
}

void Checker::beginWorkgroup(const uint32_t id[3], unsigned numWaves,
                             unsigned waveSize) {
  std::copy(id, id + 3, group);
  workgroupStart = ++interval;
  global.clear();
  released.clear();
  // Everything of earlier workgroups counts as ordered (they are not
  // checked against each other); each wave starts an epoch of its own.
  clocks.assign(numWaves, std::vector<uint64_t>(numWaves, tick));
  fenceRelease.assign(numWaves, {});
  pendingAcquire.assign(numWaves, {});
  for (unsigned w = 0; w < numWaves; ++w)
    bump(w);
  if (options.sync) {
    pendingMemory.assign(numWaves, {});
    ldsWriter.assign(lds.size(), 0);
    ldsLoads.clear();
  }
  if (options.init && kernel.privateBytes) {
    privateWritten.resize(numWaves);
    for (std::vector<uint8_t> &written : privateWritten)
      written.assign(size_t(kernel.privateBytes) * waveSize, 0);
  }
}

void Checker::endInterval() {
  if (!pendingInit.empty())
    throw CheckFailure{std::move(pendingInit)};
}

void Checker::barrierReleased() {
  endInterval();
  ++interval;
  global.clear();
  // Every wave is ordered after everything any wave did before it.
  std::vector<uint64_t> all(clocks.size());
  for (size_t w = 0; w < clocks.size(); ++w)
    all[w] = clocks[w][w];
  for (size_t w = 0; w < clocks.size(); ++w) {
    clocks[w] = all;
    bump(w);
  }
}

void Checker::joinClock(std::vector<uint64_t> &into,
                        const std::vector<uint64_t> &from) {
  if (into.size() < from.size())
    into.resize(from.size(), 0);
  for (size_t i = 0; i < from.size(); ++i)
    into[i] = std::max(into[i], from[i]);
}

void Checker::synchronize(uint8_t kind, uint64_t key, unsigned wave,
                          const Inst &inst) {
  uint32_t index = uint32_t(&inst - kernel.insts.data());
  if (!(kind & AccessAtomic) && !atomicInst[index])
    return;
  uint8_t order = syncOrder[index];
  if (kind & AccessLoad) {
    auto it = released.find(key);
    if (it != released.end())
      joinClock(order & 2 ? clocks[wave] : pendingAcquire[wave], it->second);
  }
  if (kind & AccessStore) {
    if (order & 1) {
      joinClock(released[key], clocks[wave]);
      bump(wave);
    } else if (!fenceRelease[wave].empty()) {
      joinClock(released[key], fenceRelease[wave]);
    }
  }
}

void Checker::fence(unsigned wave, const Inst &inst) {
  if (!options.race || wave >= clocks.size())
    return;
  uint8_t order = syncOrder[uint32_t(&inst - kernel.insts.data())];
  if (order & 2)
    joinClock(clocks[wave], pendingAcquire[wave]);
  if (order & 1) {
    fenceRelease[wave] = clocks[wave];
    bump(wave);
  }
}

void Checker::endWorkgroup() { endInterval(); }

void Checker::vectorMemoryIssued(
    unsigned wave, const Inst &inst,
    ArrayRef<std::pair<uint64_t, unsigned>> ldsWrites) {
  if (!options.sync)
    return;
  PendingMemory pending{++nextMemoryId, &inst, {}};
  pending.ldsWrites.append(ldsWrites.begin(), ldsWrites.end());
  for (auto [offset, bytes] : ldsWrites)
    std::fill_n(ldsWriter.begin() + offset, bytes, pending.id);
  if (!ldsWrites.empty())
    ldsLoads[pending.id] = {wave, &inst};
  pendingMemory[wave].push_back(std::move(pending));
}

void Checker::retireMemory(unsigned wave, size_t count) {
  std::vector<PendingMemory> &queue = pendingMemory[wave];
  if (queue.size() <= count)
    return;
  size_t retired = queue.size() - count;
  for (size_t i = 0; i < retired; ++i) {
    for (auto [offset, bytes] : queue[i].ldsWrites)
      for (uint64_t b = offset; b < offset + bytes; ++b)
        if (ldsWriter[b] == queue[i].id)
          ldsWriter[b] = 0;
    if (!queue[i].ldsWrites.empty())
      ldsLoads.erase(queue[i].id);
  }
  queue.erase(queue.begin(), queue.begin() + retired);
}

void Checker::vectorMemoryWait(unsigned wave, uint64_t count) {
  if (options.sync)
    retireMemory(wave, size_t(std::min<uint64_t>(count, SIZE_MAX)));
}

/// Whether an access with !alias.scope `scopes` may alias one with !noalias
/// `noAlias` (LLVM LangRef, "'noalias' and 'alias.scope' Metadata"): not
/// when, for some domain, every scope of that domain in `scopes` is in
/// `noAlias`. Missing metadata may alias.
static bool mayAliasInScopes(const MDNode *scopes, const MDNode *noAlias) {
  if (!scopes || !noAlias)
    return true;
  auto domainOf = [](const MDOperand &scope) -> const MDNode * {
    auto *node = dyn_cast<MDNode>(scope.get());
    return node && node->getNumOperands() >= 2
               ? dyn_cast<MDNode>(node->getOperand(1).get())
               : nullptr;
  };
  SmallPtrSet<const MDNode *, 4> domains;
  for (const MDOperand &scope : scopes->operands())
    if (const MDNode *domain = domainOf(scope))
      domains.insert(domain);
  for (const MDNode *domain : domains) {
    bool allExcluded = true;
    for (const MDOperand &scope : scopes->operands())
      if (domainOf(scope) == domain &&
          !llvm::is_contained(noAlias->operands(), scope))
        allExcluded = false;
    if (allExcluded)
      return false;
  }
  return true;
}

/// Whether LLVM's scoped alias analysis lets `a` and `b` alias, so that the
/// backend (SIInsertWaitcnts) makes `a` wait for a load into LDS `b`.
static bool mayAlias(const Inst &a, const Inst &b) {
  if (!a.ir || !b.ir)
    return true;
  auto md = [](const Inst &inst, unsigned kind) {
    return inst.ir->getMetadata(kind);
  };
  return mayAliasInScopes(md(b, LLVMContext::MD_alias_scope),
                          md(a, LLVMContext::MD_noalias)) &&
         mayAliasInScopes(md(a, LLVMContext::MD_alias_scope),
                          md(b, LLVMContext::MD_noalias));
}

void Checker::checkPendingLds(uint64_t offset, unsigned bytes, unsigned wave,
                              unsigned lane, const Inst &inst) {
  for (uint64_t b = offset; b < offset + bytes; ++b) {
    uint64_t id = ldsWriter[b];
    if (!id)
      continue;
    auto [owner, load] = ldsLoads.lookup(id);
    if (owner == wave && mayAlias(inst, *load)) {
      // The backend waits for the load itself (and, in order, for what the
      // wave issued before it).
      std::vector<PendingMemory> &queue = pendingMemory[wave];
      size_t at = 0;
      while (queue[at].id != id)
        ++at;
      retireMemory(wave, queue.size() - at - 1);
      continue;
    }
    throw CheckFailure{
        workgroupPrefix("synccheck") + ", wave " + std::to_string(wave) +
        ", lane " + std::to_string(lane) + ": " + describe(&inst) +
        (inst.op == Opcode::Store ? " writes" : " reads") + " LDS byte " +
        std::to_string(b) + ", which the load into LDS " + describe(load) +
        " of wave " + std::to_string(owner) +
        " may still be writing: no s_waitcnt vmcnt retired it" +
        (owner == wave ? " (its alias scopes tell the backend not to wait)"
                       : " (a barrier does not wait for loads into LDS)")};
  }
}

std::string Checker::describe(const Inst *inst) {
  if (!inst || !inst->ir)
    return "<no instruction>";
  std::string text;
  raw_string_ostream os(text);
  if (const DebugLoc &loc = inst->ir->getDebugLoc()) {
    os << loc->getFilename() << ":" << loc.getLine() << ":" << loc.getCol();
    return text;
  }
  inst->ir->print(os);
  // One line: the instruction without its indentation or metadata.
  StringRef line = StringRef(text).trim();
  line = line.take_until([](char c) { return c == '\n'; });
  size_t meta = line.find(", !");
  if (meta != StringRef::npos)
    line = line.take_front(meta);
  return "'" + line.str() + "'";
}

std::string Checker::workgroupPrefix(StringRef check) const {
  return (check + ": kernel '" + kernel.name + "', workgroup (" +
          Twine(group[0]) + "," + Twine(group[1]) + "," + Twine(group[2]) + ")")
      .str();
}

std::string Checker::describePlace(Place place) const {
  if (place.lds)
    return "LDS byte " + std::to_string(place.address);
  std::string text = "global byte 0x" + utohexstr(place.address);
  if (const Memory::Buffer *buffer =
          const_cast<Memory &>(memory).find(place.address, 1))
    text += " (buffer '" + buffer->name + "' + " +
            std::to_string(place.address - buffer->base) + ")";
  return text;
}

void Checker::hazard(StringRef what, Place place, const Accessor &first,
                     bool firstWrites, const Accessor &second,
                     bool secondWrites) {
  auto side = [&](const Accessor &a, bool writes) {
    return ("wave " + Twine(unsigned(a.wave)) + " lane " +
            Twine(unsigned(a.lane)) + " " + (a.atomic ? "atomically " : "") +
            (writes ? "writes" : "reads") + " at " +
            describe(&kernel.insts[a.inst]))
        .str();
  };
  throw CheckFailure{
      workgroupPrefix("racecheck") + ": " + what.str() + " hazard on " +
      describePlace(place) + ": " + side(first, firstWrites) + ", then " +
      side(second, secondWrites) + ", with no barrier between them"};
}

void Checker::access(ByteState &state, Place place, uint8_t kind, unsigned wave,
                     unsigned lane, const Inst &inst, const uint8_t *value,
                     const uint8_t *current) {
  uint32_t index = uint32_t(&inst - kernel.insts.data());
  bool atomic = (kind & AccessAtomic) || atomicInst[index];
  Accessor me{index, uint8_t(wave), uint8_t(lane), atomic, clocks[wave][wave]};
  bool loads = kind & AccessLoad, stores = kind & AccessStore;
  // Two accesses of different waves conflict unless both are atomic.
  // Two accesses of different waves conflict unless both are atomic or one
  // happens before the other.
  auto conflicts = [&](const Accessor &other) {
    return !ordered(other, wave) && !(atomic && other.atomic);
  };
  bool written = state.writeInterval >= workgroupStart;
  // Reported at the end of the interval, so that a write of another wave
  // later in it shows as the race it is (when races are checked).
  if (options.init && place.lds && loads &&
      state.writeInterval < workgroupStart && pendingInit.empty())
    pendingInit = workgroupPrefix("initcheck") + ", wave " +
                  std::to_string(wave) + ", lane " + std::to_string(lane) +
                  ": " + (atomic ? "atomic update" : "load") + " of " +
                  describePlace(place) +
                  ", which no wave of the workgroup wrote before it (LDS "
                  "starts undefined), at " +
                  describe(&inst);
  if (options.race) {
    if (loads && written && conflicts(state.writer))
      hazard(stores ? "write-after-write" : "read-after-write", place,
             state.writer, true, me, stores);
    if (stores) {
      if (written && conflicts(state.writer))
        hazard("write-after-write", place, state.writer, true, me, true);
      if (state.readInterval >= workgroupStart) {
        for (unsigned r = 0; r < (state.secondReader ? 2u : 1u); ++r)
          if (conflicts(state.readers[r]))
            hazard("write-after-read", place, state.readers[r], false, me,
                   true);
      }
      if (written && state.writeSerial == serial && !atomic && value &&
          current && state.writer.lane != lane && *value != *current)
        throw CheckFailure{
            workgroupPrefix("racecheck") +
            ": intra-instruction write conflict on " + describePlace(place) +
            ": lanes " + std::to_string(unsigned(state.writer.lane)) + " and " +
            std::to_string(lane) + " of wave " + std::to_string(wave) +
            " write different values (0x" + utohexstr(*current) + ", 0x" +
            utohexstr(*value) + ") at " + describe(&inst)};
    }
    if (loads) {
      // A reader ordered before this one is covered by it: a later write
      // ordered after this read is ordered after that one too.
      if (state.readInterval < workgroupStart ||
          ordered(state.readers[0], wave)) {
        state.readInterval = interval;
        state.readers[0] = me;
        state.secondReader = false;
      } else if (!state.secondReader || ordered(state.readers[1], wave)) {
        state.readers[1] = me;
        state.secondReader = true;
      }
    }
  }
  if (stores) {
    state.writeInterval = interval;
    state.writeSerial = serial;
    state.writer = me;
  }
}

void Checker::ldsAccess(uint8_t kind, uint64_t offset, unsigned bytes,
                        unsigned wave, unsigned lane, const Inst &inst,
                        const uint8_t *value, const uint8_t *current) {
  // A load into LDS writes its bytes in order with its wave's other loads
  // into LDS; only the ds instructions must wait for it.
  if (options.sync && inst.op != Opcode::BufferLoadToLds &&
      inst.op != Opcode::GlobalLoadToLds)
    checkPendingLds(offset, bytes, wave, lane, inst);
  for (unsigned b = 0; b < bytes; ++b)
    access(lds[offset + b], {true, offset + b}, kind, wave, lane, inst,
           value ? value + b : nullptr, current ? current + b : nullptr);
  if (options.race)
    synchronize(kind, (uint64_t(1) << 63) | offset, wave, inst);
}

void Checker::globalAccess(uint8_t kind, uint64_t address, unsigned bytes,
                           unsigned wave, unsigned lane, const Inst &inst,
                           const uint8_t *value, const uint8_t *current) {
  if (options.init) {
    Memory::Buffer *buffer = memory.find(address, bytes);
    if (buffer && !buffer->written.empty()) {
      uint8_t *written = buffer->written.data() + (address - buffer->base);
      if ((kind & AccessLoad) && pendingInit.empty())
        for (unsigned b = 0; b < bytes; ++b)
          if (!written[b]) {
            // Reported at the end of the interval, like LDS, so that a
            // write of another wave later in it shows as a race.
            uint32_t index = uint32_t(&inst - kernel.insts.data());
            bool atomic = (kind & AccessAtomic) || atomicInst[index];
            pendingInit =
                workgroupPrefix("initcheck") + ", wave " +
                std::to_string(wave) + ", lane " + std::to_string(lane) + ": " +
                (atomic ? "atomic update" : "load") + " of " +
                describePlace({false, address + b}) +
                ", which neither the host nor a kernel wrote before it (an "
                "output buffer starts undefined), at " +
                describe(&inst);
            break;
          }
      if (kind & AccessStore)
        std::fill_n(written, bytes, 1);
    }
  }
  if (!options.race)
    return;
  for (unsigned b = 0; b < bytes; ++b)
    access(global[address + b], {false, address + b}, kind, wave, lane, inst,
           value ? value + b : nullptr, current ? current + b : nullptr);
  synchronize(kind, address, wave, inst);
}

void Checker::privateAccess(uint8_t kind, uint64_t offset, unsigned bytes,
                            unsigned wave, unsigned lane, const Inst &inst) {
  if (!options.init || wave >= privateWritten.size())
    return;
  uint8_t *written = privateWritten[wave].data() + offset;
  if (kind & AccessLoad)
    for (unsigned b = 0; b < bytes; ++b)
      if (!written[b]) {
        uint64_t at = (offset + b) % kernel.privateBytes;
        std::string where = "private byte " + std::to_string(at);
        for (const Allocation &a : kernel.allocations)
          if (a.kind == Allocation::Kind::Private && at >= a.begin &&
              at < a.begin + a.size)
            where += " (" + a.name + " + " + std::to_string(at - a.begin) + ")";
        throw CheckFailure{workgroupPrefix("initcheck") + ", wave " +
                           std::to_string(wave) + ", lane " +
                           std::to_string(lane) + ": load of " + where +
                           ", which the lane never wrote (private memory "
                           "starts undefined), at " +
                           describe(&inst)};
      }
  if (kind & AccessStore)
    std::fill_n(written, bytes, 1);
}

void Checker::checkBarrier(ArrayRef<BarrierWait> waiting) {
  if (!options.sync || waiting.empty())
    return;
  // Group the waves by the barrier they wait at, in order of first wave.
  SmallVector<std::pair<const Inst *, SmallVector<unsigned, 4>>, 2> groups;
  for (const BarrierWait &w : waiting) {
    auto it =
        llvm::find_if(groups, [&](auto &g) { return g.first == w.barrier; });
    if (it == groups.end())
      groups.push_back({w.barrier, {w.wave}});
    else
      it->second.push_back(w.wave);
  }
  if (groups.size() == 1)
    return;
  std::string text =
      workgroupPrefix("synccheck") + ": waves wait at different barriers:";
  for (auto [i, g] : llvm::enumerate(groups)) {
    text += i ? "; " : " ";
    text +=
        (g.second.size() == 1 ? "wave " : "waves ") +
        join(map_range(g.second, [](unsigned w) { return std::to_string(w); }),
             ", ") +
        " at " + describe(g.first);
  }
  throw CheckFailure{text};
}
