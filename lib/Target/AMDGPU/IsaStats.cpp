//===- IsaStats.cpp - Static figures of a code object's machine code ------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/IsaStats.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCDisassembler/MCDisassembler.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstPrinter.h"
#include "llvm/MC/MCInstrAnalysis.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Regex.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/TargetParser/Triple.h"

#include <set>

using namespace llvm;
using namespace mxc::amdgpu;

/// isa_stats.py's categories by mnemonic prefix; the first match wins, so
/// the specific prefixes come before the general ones ("ds_read" before
/// "ds_", "s_waitcnt" before "s_").
static const std::pair<StringLiteral, StringLiteral> kCategories[] = {
    {"v_mfma", "matrix"},
    {"v_smfmac", "matrix"},
    {"v_wmma", "matrix"},
    {"v_swmmac", "matrix"},
    {"global_load", "vmem_load"},
    {"buffer_load", "vmem_load"},
    {"flat_load", "vmem_load"},
    {"global_store", "vmem_store"},
    {"buffer_store", "vmem_store"},
    {"flat_store", "vmem_store"},
    {"scratch_", "scratch"},
    {"ds_read", "lds_read"},
    {"ds_load", "lds_read"},
    {"ds_write", "lds_write"},
    {"ds_store", "lds_write"},
    {"ds_", "lds_other"},
    {"s_waitcnt", "waitcnt"},
    {"s_wait_", "waitcnt"},
    {"s_nop", "nop"},
    {"s_barrier", "barrier"},
    {"s_load", "smem"},
    {"s_buffer_load", "smem"},
    {"s_", "salu"},
    {"v_", "valu"},
};

StringRef mxc::amdgpu::getInstructionCategory(StringRef op) {
  for (const auto &[prefix, category] : kCategories)
    if (op.starts_with(prefix))
      return category;
  return "other";
}

namespace {
struct DecodedInst {
  uint64_t address;
  std::string mnemonic;
  std::string text; ///< The whole instruction as llvm-objdump prints it.
  std::optional<uint64_t> branchTarget;
};

/// The MC objects that disassemble one processor's code.
class Disassembler {
public:
  static Expected<std::unique_ptr<Disassembler>> create(StringRef chip);
  std::vector<DecodedInst> run(ArrayRef<uint8_t> bytes, uint64_t address);

private:
  Triple triple{"amdgcn-amd-amdhsa"};
  std::unique_ptr<MCRegisterInfo> registers;
  std::unique_ptr<MCAsmInfo> asmInfo;
  std::unique_ptr<MCSubtargetInfo> subtarget;
  std::unique_ptr<MCInstrInfo> instrInfo;
  std::unique_ptr<MCContext> context;
  std::unique_ptr<MCDisassembler> disassembler;
  std::unique_ptr<MCInstPrinter> printer;
  std::unique_ptr<MCInstrAnalysis> analysis;
};
} // namespace

Expected<std::unique_ptr<Disassembler>> Disassembler::create(StringRef chip) {
  static bool initialized = [] {
    LLVMInitializeAMDGPUTargetInfo();
    LLVMInitializeAMDGPUTargetMC();
    LLVMInitializeAMDGPUDisassembler();
    return true;
  }();
  (void)initialized;
  auto d = std::make_unique<Disassembler>();
  std::string error;
  const Target *target = TargetRegistry::lookupTarget(d->triple, error);
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "no AMDGPU target in this LLVM: " + error);
  d->registers.reset(target->createMCRegInfo(d->triple));
  d->asmInfo.reset(
      target->createMCAsmInfo(*d->registers, d->triple, MCTargetOptions()));
  d->subtarget.reset(target->createMCSubtargetInfo(d->triple, chip, ""));
  d->instrInfo.reset(target->createMCInstrInfo());
  if (!d->registers || !d->asmInfo || !d->subtarget || !d->instrInfo)
    return createStringError(inconvertibleErrorCode(),
                             "cannot set up the AMDGPU disassembler for " +
                                 chip);
  d->context = std::make_unique<MCContext>(
      d->triple, d->asmInfo.get(), d->registers.get(), d->subtarget.get());
  d->disassembler.reset(
      target->createMCDisassembler(*d->subtarget, *d->context));
  d->printer.reset(
      target->createMCInstPrinter(d->triple, d->asmInfo->getAssemblerDialect(),
                                  *d->asmInfo, *d->instrInfo, *d->registers));
  d->analysis.reset(target->createMCInstrAnalysis(d->instrInfo.get()));
  if (!d->disassembler || !d->printer || !d->analysis)
    return createStringError(inconvertibleErrorCode(),
                             "cannot set up the AMDGPU disassembler for " +
                                 chip);
  return d;
}

std::vector<DecodedInst> Disassembler::run(ArrayRef<uint8_t> code,
                                           uint64_t address) {
  // The AMDGPU decoder mishandles an instruction cut short by the end of its
  // buffer (LLVM 22 crashes reporting the short literal), so it reads from a
  // copy with zeros after the code.
  std::vector<uint8_t> bytes(code.begin(), code.end());
  bytes.resize(code.size() + 16, 0);
  std::vector<DecodedInst> instructions;
  uint64_t offset = 0;
  while (offset < code.size()) {
    MCInst inst;
    uint64_t size = 0;
    DecodedInst decoded;
    decoded.address = address + offset;
    MCDisassembler::DecodeStatus status = disassembler->getInstruction(
        inst, size, ArrayRef(bytes).slice(offset), decoded.address, nulls());
    if (status != MCDisassembler::Success || size == 0) {
      // Undecodable words are counted, as llvm-objdump prints them.
      decoded.mnemonic = "<unknown>";
      size = 4;
    } else {
      raw_string_ostream os(decoded.text);
      printer->printInst(&inst, decoded.address, "", *subtarget, os);
      StringRef text = StringRef(decoded.text).trim();
      decoded.mnemonic = text.substr(0, text.find_first_of(" \t")).str();
      uint64_t target;
      if (analysis->isBranch(inst) &&
          analysis->evaluateBranch(inst, decoded.address, size, target))
        decoded.branchTarget = target;
    }
    instructions.push_back(std::move(decoded));
    offset += size;
  }
  return instructions;
}

static bool isMatrix(StringRef mnemonic) {
  return getInstructionCategory(mnemonic) == "matrix";
}

/// FLOPs of one matrix instruction, from its M x N x K shape.
static uint64_t getMatrixFlops(StringRef mnemonic) {
  static const Regex shape("_([0-9]+)x([0-9]+)x([0-9]+)");
  SmallVector<StringRef, 4> groups;
  if (!shape.match(mnemonic, &groups))
    return 0;
  uint64_t m, n, k;
  if (groups[1].getAsInteger(10, m) || groups[2].getAsInteger(10, n) ||
      groups[3].getAsInteger(10, k))
    return 0;
  return 2 * m * n * k;
}

/// The value of modifier `key:N` in an instruction's text, else 0.
static unsigned getModifier(StringRef text, StringRef key) {
  size_t at = text.find((key + ":").str());
  if (at == StringRef::npos)
    return 0;
  unsigned value = 0;
  text.drop_front(at + key.size() + 1).consumeInteger(10, value);
  return value;
}

/// Issue-to-issue cycles from the intrinsic table; scaled MFMAs run at half
/// that when neither operand is 8-bit (cbsz/blgp format codes 0 and 1).
static std::optional<unsigned> getMatrixCycles(const DecodedInst &inst,
                                               StringRef chip) {
  const MatrixIntrinsic *row = lookupMatrixInstruction(inst.mnemonic, chip);
  if (!row)
    return std::nullopt;
  if (!row->scaled)
    return row->cycles;
  bool fp8 = getModifier(inst.text, "cbsz") <= 1 ||
             getModifier(inst.text, "blgp") <= 1;
  return fp8 ? row->cycles : row->cycles / 2;
}

/// The innermost backward-branch loop holding the most matrix instructions
/// (ties: the shorter), as [first, last] indices into `code`.
static std::optional<std::pair<size_t, size_t>>
findHotLoop(ArrayRef<DecodedInst> code) {
  std::optional<std::pair<size_t, size_t>> best;
  std::pair<unsigned, int64_t> bestKey;
  for (size_t last = 0; last < code.size(); ++last) {
    const DecodedInst &branch = code[last];
    if (!branch.branchTarget || *branch.branchTarget > branch.address)
      continue;
    size_t first = last;
    while (first > 0 && code[first - 1].address >= *branch.branchTarget)
      --first;
    if (code[first].address != *branch.branchTarget)
      continue; // Into another function or mid-instruction.
    unsigned matrix = 0;
    for (size_t i = first; i <= last; ++i)
      matrix += isMatrix(code[i].mnemonic);
    std::pair<unsigned, int64_t> key(matrix, -int64_t(last - first + 1));
    if (matrix && (!best || key > bestKey)) {
      best = {first, last};
      bestKey = key;
    }
  }
  return best;
}

static HotLoopStats summarizeLoop(ArrayRef<DecodedInst> body, StringRef chip) {
  HotLoopStats loop;
  loop.instructions = body.size();
  std::set<std::string> ops;
  bool cyclesKnown = true;
  unsigned cycles = 0;
  for (const DecodedInst &inst : body) {
    ++loop.mix[getInstructionCategory(inst.mnemonic).str()];
    if (!isMatrix(inst.mnemonic))
      continue;
    ++loop.matrixInstructions;
    loop.flopsPerIteration += getMatrixFlops(inst.mnemonic);
    ops.insert(inst.mnemonic);
    std::optional<unsigned> c = getMatrixCycles(inst, chip);
    cyclesKnown &= c.has_value();
    cycles += c.value_or(0);
  }
  unsigned nonMatrix = loop.instructions - loop.matrixInstructions;
  loop.nonMatrixPerMatrix = double(nonMatrix) / loop.matrixInstructions;
  if (loop.flopsPerIteration)
    loop.nonMatrixPerMflop = nonMatrix / (loop.flopsPerIteration / 1e6);
  if (cyclesKnown)
    loop.matrixCyclesPerIteration = cycles;
  loop.matrixOps.assign(ops.begin(), ops.end());
  return loop;
}

Expected<std::vector<KernelIsaStats>>
mxc::amdgpu::analyzeIsa(MemoryBufferRef file, const CodeObjectInfo &info) {
  auto fail = [&](const Twine &why) {
    return createStringError(inconvertibleErrorCode(),
                             file.getBufferIdentifier() + ": " + why);
  };
  Expected<std::unique_ptr<object::ObjectFile>> object =
      object::ObjectFile::createObjectFile(file);
  if (!object)
    return fail(toString(object.takeError()));
  auto *elf = dyn_cast<object::ELF64LEObjectFile>(object->get());
  if (!elf)
    return fail("not a 64-bit little-endian ELF file");
  Expected<std::unique_ptr<Disassembler>> disassembler =
      Disassembler::create(info.chip);
  if (!disassembler)
    return disassembler.takeError();
  const ChipInfo *chip = lookupChip(info.chip);

  std::vector<KernelIsaStats> result;
  for (const KernelInfo &kernel : info.kernels) {
    KernelIsaStats stats;
    stats.kernel = &kernel;
    stats.wavesPerSimd = chip ? chip->getWavesPerSimd(kernel.vgprCount) : 0;
    // The kernel's code: its function symbol's bytes.
    std::optional<object::ELFSymbolRef> code;
    for (const object::ELFSymbolRef &symbol :
         elf->getDynamicSymbolIterators()) {
      Expected<StringRef> name = symbol.getName();
      if (name && *name == kernel.name && symbol.getELFType() == ELF::STT_FUNC)
        code = symbol;
    }
    if (!code)
      return fail("kernel '" + kernel.name + "' has no code symbol");
    Expected<uint64_t> address = code->getAddress();
    Expected<object::section_iterator> section = code->getSection();
    if (!address || !section || *section == elf->section_end()) {
      consumeError(address.takeError());
      consumeError(section.takeError());
      return fail("kernel '" + kernel.name +
                  "': its code symbol lies in no "
                  "section");
    }
    Expected<StringRef> contents = (*section)->getContents();
    if (!contents)
      return fail("kernel '" + kernel.name +
                  "': " + toString(contents.takeError()));
    uint64_t start = *address - (*section)->getAddress();
    uint64_t size = code->getSize();
    if (*address < (*section)->getAddress() || start > contents->size() ||
        size > contents->size() - start)
      return fail("kernel '" + kernel.name +
                  "': its code lies outside its "
                  "section");
    ArrayRef<uint8_t> bytes(
        reinterpret_cast<const uint8_t *>(contents->data()) + start, size);
    std::vector<DecodedInst> insts = (*disassembler)->run(bytes, *address);
    stats.instructions = insts.size();
    stats.matrixInstructions = llvm::count_if(
        insts, [](const DecodedInst &i) { return isMatrix(i.mnemonic); });
    if (auto loop = findHotLoop(insts))
      stats.hotLoop = summarizeLoop(
          ArrayRef(insts).slice(loop->first, loop->second - loop->first + 1),
          info.chip);
    result.push_back(std::move(stats));
  }
  return result;
}
