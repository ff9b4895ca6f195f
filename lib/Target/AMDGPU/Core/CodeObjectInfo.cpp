//===- CodeObjectInfo.cpp - What an HSACO says about itself ---------------===//
//
// Part of mxc. The ELF structures are glibc's <elf.h> (the System V gABI);
// the AMDGPU constants are those of LLVM's AMDGPUUsage document ("ELF Code
// Object"). Every offset and count read from the file is checked against
// the file's size before it is used.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObjectInfo.h"
#include "MsgPack.h"

#include <algorithm>
#include <cstring>
#include <elf.h>
#include <set>

using namespace mxc::amdgpu;
using namespace mxc::amdgpu::core;

using std::to_string;

namespace {
// AMDGPUUsage: ELF header and note constants.
constexpr unsigned kElfOsAbiAmdgpuHsa = 64;
constexpr unsigned kElfMachineAmdgpu = 224;
constexpr unsigned kElfFlagsMachMask = 0xff;
constexpr uint32_t kNoteAmdgpuMetadata = 32;
} // namespace

size_t KernelInfo::getExplicitArgCount() const {
  return std::count_if(args.begin(), args.end(),
                       [](const KernelArgInfo &a) { return !a.isHidden(); });
}

const KernelInfo *CodeObjectInfo::lookupKernel(std::string_view name) const {
  for (const KernelInfo &kernel : kernels)
    if (kernel.name == name)
      return &kernel;
  return nullptr;
}

const char *mxc::amdgpu::getProcessorName(unsigned elfFlags) {
  // EF_AMDGPU_MACH values, AMDGPUUsage "AMDGPU ELF Header".
  static const struct {
    unsigned mach;
    const char *name;
  } kMachs[] = {
      {0x02c, "gfx900"},          {0x02d, "gfx902"},
      {0x02e, "gfx904"},          {0x02f, "gfx906"},
      {0x030, "gfx908"},          {0x031, "gfx909"},
      {0x032, "gfx90c"},          {0x033, "gfx1010"},
      {0x034, "gfx1011"},         {0x035, "gfx1012"},
      {0x036, "gfx1030"},         {0x037, "gfx1031"},
      {0x038, "gfx1032"},         {0x039, "gfx1033"},
      {0x03d, "gfx1035"},         {0x03e, "gfx1034"},
      {0x03f, "gfx90a"},          {0x041, "gfx1100"},
      {0x042, "gfx1013"},         {0x043, "gfx1150"},
      {0x044, "gfx1103"},         {0x045, "gfx1036"},
      {0x046, "gfx1101"},         {0x047, "gfx1102"},
      {0x048, "gfx1200"},         {0x049, "gfx1250"},
      {0x04a, "gfx1151"},         {0x04c, "gfx942"},
      {0x04e, "gfx1201"},         {0x04f, "gfx950"},
      {0x051, "gfx9-generic"},    {0x052, "gfx10-1-generic"},
      {0x053, "gfx10-3-generic"}, {0x054, "gfx11-generic"},
      {0x055, "gfx1152"},         {0x058, "gfx1153"},
      {0x059, "gfx12-generic"},   {0x05a, "gfx1251"},
      {0x05f, "gfx9-4-generic"},
  };
  for (const auto &entry : kMachs)
    if ((elfFlags & kElfFlagsMachMask) == entry.mach)
      return entry.name;
  return nullptr;
}

namespace {
/// Reads one code object, prefixing failures with its name.
class Reader {
public:
  Reader(std::string_view file, std::string_view name)
      : file(file), name(name) {}
  Result<CodeObjectInfo> read();

private:
  Failure failure(const std::string &why) const {
    return fail(std::string(name) + ": " + why);
  }
  Failure unreadable(const std::string &why) const {
    return failure("unreadable ELF: " + why);
  }
  /// Whether [offset, offset + size) lies inside the file.
  bool inFile(uint64_t offset, uint64_t size) const {
    return offset <= file.size() && size <= file.size() - offset;
  }
  template <typename T> T load(uint64_t offset) const {
    T value;
    std::memcpy(&value, file.data() + offset, sizeof(T));
    return value;
  }

  Status readSectionHeaders();
  Status visitNotes(uint64_t offset, uint64_t size, const char *container);
  Status findNotes();
  Status readMetadata(CodeObjectInfo &info);
  Result<KernelInfo> readKernel(const NodeReader &node);
  Status checkKernelSymbols(const CodeObjectInfo &info);
  Status checkPlan(const CodeObjectInfo &info);
  Status checkPlanLaunch(const CodeObjectInfo &info, const PlanProgram &program,
                         const PlanLaunch &launch);

  std::string_view file;
  std::string_view name;
  Elf64_Ehdr header;
  std::vector<Elf64_Shdr> sections;
  std::optional<std::string_view> metadataNote;
  std::optional<std::string_view> planNote;
};
} // namespace

Status Reader::readSectionHeaders() {
  uint64_t count = header.e_shnum;
  if (header.e_shoff == 0)
    return Status::success();
  if (header.e_shentsize != sizeof(Elf64_Shdr))
    return unreadable("section header entries of " +
                      to_string(header.e_shentsize) + " bytes, expected " +
                      to_string(sizeof(Elf64_Shdr)));
  if (!inFile(header.e_shoff, sizeof(Elf64_Shdr)))
    return unreadable("section header table goes past the end of the file");
  // gABI: with 0 in e_shnum, section 0's sh_size holds the count.
  if (count == 0)
    count = load<Elf64_Shdr>(header.e_shoff).sh_size;
  if (count > file.size() / sizeof(Elf64_Shdr) ||
      !inFile(header.e_shoff, count * sizeof(Elf64_Shdr)))
    return unreadable("section header table goes past the end of the file");
  for (uint64_t i = 0; i < count; ++i) {
    Elf64_Shdr section =
        load<Elf64_Shdr>(header.e_shoff + i * sizeof(Elf64_Shdr));
    if (section.sh_type != SHT_NOBITS &&
        !inFile(section.sh_offset, section.sh_size))
      return unreadable("section " + to_string(i) +
                        " goes past the end of the file");
    sections.push_back(section);
  }
  return Status::success();
}

Status Reader::visitNotes(uint64_t offset, uint64_t size,
                          const char *container) {
  // gABI "Note Section": namesz, descsz, type, then the name and the
  // descriptor, each padded to 4 bytes (AMDGPU notes are 4-aligned).
  auto pad = [](uint64_t n) { return (n + 3) & ~uint64_t(3); };
  uint64_t at = 0;
  while (at < size) {
    if (size - at < sizeof(Elf64_Nhdr))
      return failure(std::string("corrupt note ") + container +
                     ": ELF note overflows container");
    Elf64_Nhdr note = load<Elf64_Nhdr>(offset + at);
    uint64_t nameAt = at + sizeof(Elf64_Nhdr);
    uint64_t descAt = nameAt + pad(note.n_namesz);
    if (pad(note.n_namesz) > size - nameAt ||
        pad(note.n_descsz) > size - descAt)
      return failure(std::string("corrupt note ") + container +
                     ": ELF note overflows container");
    std::string_view noteName = file.substr(offset + nameAt, note.n_namesz);
    if (!noteName.empty() && noteName.back() == '\0')
      noteName.remove_suffix(1);
    std::string_view desc = file.substr(offset + descAt, note.n_descsz);
    if (noteName == "AMDGPU" && note.n_type == kNoteAmdgpuMetadata) {
      if (metadataNote)
        return failure("two AMDGPU metadata notes");
      metadataNote = desc;
    } else if (noteName == kLaunchPlanNoteOwner &&
               note.n_type == kLaunchPlanNoteType) {
      if (planNote)
        return failure("two mxc launch plan notes");
      planNote = desc;
    }
    at = descAt + pad(note.n_descsz);
  }
  return Status::success();
}

Status Reader::findNotes() {
  bool sawNoteSection = false;
  for (const Elf64_Shdr &section : sections) {
    if (section.sh_type != SHT_NOTE)
      continue;
    sawNoteSection = true;
    if (Status s = visitNotes(section.sh_offset, section.sh_size, "section"))
      return s;
  }
  if (sawNoteSection)
    return Status::success();
  // A code object stripped of its section headers still has PT_NOTE.
  if (header.e_phnum == 0)
    return Status::success();
  if (header.e_phentsize != sizeof(Elf64_Phdr) ||
      !inFile(header.e_phoff, uint64_t(header.e_phnum) * sizeof(Elf64_Phdr)))
    return unreadable("program header table goes past the end of the file");
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf64_Phdr segment =
        load<Elf64_Phdr>(header.e_phoff + i * sizeof(Elf64_Phdr));
    if (segment.p_type != PT_NOTE)
      continue;
    if (!inFile(segment.p_offset, segment.p_filesz))
      return failure("corrupt note segment: it goes past the end of the file");
    if (Status s = visitNotes(segment.p_offset, segment.p_filesz, "segment"))
      return s;
  }
  return Status::success();
}

/// Reads an unsigned field that must fit in 32 bits.
static Result<uint32_t> getU32(const NodeReader &map, std::string_view key,
                               std::optional<uint32_t> fallback) {
  Result<uint64_t> value =
      fallback ? map.getUnsigned(key, *fallback) : map.getUnsigned(key);
  if (!value)
    return value.takeFailure();
  if (*value > UINT32_MAX)
    return map.error(std::string(key) + " " + to_string(*value) +
                     " does not fit in 32 bits");
  return uint32_t(*value);
}

Result<KernelInfo> Reader::readKernel(const NodeReader &node) {
  KernelInfo kernel;
  Result<std::string_view> kernelName = node.getString(".name");
  if (!kernelName)
    return kernelName.takeFailure();
  kernel.name = std::string(*kernelName);
  Result<std::string_view> symbol = node.getString(".symbol");
  if (!symbol)
    return symbol.takeFailure();
  kernel.symbol = std::string(*symbol);

  struct Field {
    const char *key;
    uint32_t KernelInfo::*member;
    std::optional<uint32_t> fallback; ///< None: required.
  };
  const Field fields[] = {
      {".kernarg_segment_size", &KernelInfo::kernargSegmentSize, std::nullopt},
      {".kernarg_segment_align", &KernelInfo::kernargSegmentAlign,
       std::nullopt},
      {".group_segment_fixed_size", &KernelInfo::groupSegmentFixedSize,
       std::nullopt},
      {".private_segment_fixed_size", &KernelInfo::privateSegmentFixedSize,
       std::nullopt},
      {".sgpr_count", &KernelInfo::sgprCount, std::nullopt},
      {".vgpr_count", &KernelInfo::vgprCount, std::nullopt},
      {".agpr_count", &KernelInfo::agprCount, 0},
      {".sgpr_spill_count", &KernelInfo::sgprSpillCount, 0},
      {".vgpr_spill_count", &KernelInfo::vgprSpillCount, 0},
      {".wavefront_size", &KernelInfo::wavefrontSize, std::nullopt},
      {".max_flat_workgroup_size", &KernelInfo::maxFlatWorkgroupSize,
       std::nullopt},
  };
  for (const Field &field : fields) {
    Result<uint32_t> value = getU32(node, field.key, field.fallback);
    if (!value)
      return value.takeFailure();
    kernel.*field.member = *value;
  }
  if (kernel.wavefrontSize != 32 && kernel.wavefrontSize != 64)
    return node.error(".wavefront_size " + to_string(kernel.wavefrontSize) +
                      " is neither 32 nor 64");
  uint32_t align = kernel.kernargSegmentAlign;
  if (align == 0 || (align & (align - 1)) != 0)
    return node.error(".kernarg_segment_align " + to_string(align) +
                      " is not a power of two");
  if (kernel.maxFlatWorkgroupSize == 0 || kernel.maxFlatWorkgroupSize > 1024)
    return node.error(".max_flat_workgroup_size " +
                      to_string(kernel.maxFlatWorkgroupSize) +
                      " is not in [1, 1024]");

  Result<NodeReader> dynamicStack = node.get(".uses_dynamic_stack");
  if (!dynamicStack)
    return dynamicStack.takeFailure();
  if (!dynamicStack->isEmpty()) {
    Result<bool> value = dynamicStack->asBool();
    if (!value)
      return value.takeFailure();
    kernel.usesDynamicStack = *value;
  }

  Result<NodeReader> reqd = node.get(".reqd_workgroup_size");
  if (!reqd)
    return reqd.takeFailure();
  if (!reqd->isEmpty()) {
    Result<std::vector<NodeReader>> dims = reqd->asArray();
    if (!dims)
      return dims.takeFailure();
    if (dims->size() != 3)
      return reqd->error("expected 3 dimensions");
    std::array<uint32_t, 3> size;
    for (unsigned d = 0; d < 3; ++d) {
      Result<uint64_t> v = (*dims)[d].asUnsigned();
      if (!v)
        return v.takeFailure();
      if (*v < 1 || *v > 1024)
        return (*dims)[d].error("is not in [1, 1024]");
      size[d] = uint32_t(*v);
    }
    kernel.reqdWorkgroupSize = size;
  }

  Result<std::vector<NodeReader>> args = node.getOptionalArray(".args");
  if (!args)
    return args.takeFailure();
  for (const NodeReader &a : *args) {
    KernelArgInfo arg;
    Result<std::string_view> kind = a.getString(".value_kind");
    if (!kind)
      return kind.takeFailure();
    arg.valueKind = std::string(*kind);
    Result<std::string_view> argName = a.getString(".name", "");
    if (!argName)
      return argName.takeFailure();
    arg.name = std::string(*argName);
    Result<std::string_view> space = a.getString(".address_space", "");
    if (!space)
      return space.takeFailure();
    arg.addressSpace = std::string(*space);
    Result<uint32_t> offset = getU32(a, ".offset", std::nullopt);
    if (!offset)
      return offset.takeFailure();
    Result<uint32_t> size = getU32(a, ".size", std::nullopt);
    if (!size)
      return size.takeFailure();
    arg.offset = *offset;
    arg.size = *size;
    if (uint64_t(arg.offset) + arg.size > kernel.kernargSegmentSize)
      return a.error(
          "bytes [" + to_string(arg.offset) + ", " +
          to_string(uint64_t(arg.offset) + arg.size) + ") lie outside the " +
          to_string(kernel.kernargSegmentSize) + "-byte argument segment");
    kernel.args.push_back(std::move(arg));
  }
  return kernel;
}

Status Reader::readMetadata(CodeObjectInfo &info) {
  if (!metadataNote)
    return failure("no AMDGPU metadata note (NT_AMDGPU_METADATA): not a code "
                   "object v4+ kernel object");
  Result<MsgPackNode> doc =
      parseMsgPack(*metadataNote, "the AMDGPU metadata note");
  if (!doc)
    return failure(doc.getMessage());
  NodeReader root(&*doc, "AMDGPU metadata");
  Result<std::string_view> target = root.getString("amdhsa.target");
  if (!target)
    return failure(target.getMessage());
  info.targetId = std::string(*target);
  // "amdgcn-amd-amdhsa--gfx950[:features]" must agree with the ELF header.
  size_t dashes = info.targetId.rfind("--");
  std::string processor =
      dashes == std::string::npos ? "" : info.targetId.substr(dashes + 2);
  processor = processor.substr(0, processor.find(':'));
  if (processor != info.chip)
    return failure("the metadata's target '" + info.targetId +
                   "' disagrees with the ELF header's processor '" + info.chip +
                   "'");
  Result<std::vector<NodeReader>> kernels = root.getArray("amdhsa.kernels");
  if (!kernels)
    return failure(kernels.getMessage());
  std::set<std::string> names;
  for (const NodeReader &node : *kernels) {
    Result<KernelInfo> kernel = readKernel(node);
    if (!kernel)
      return failure(kernel.getMessage());
    if (!names.insert(kernel->name).second)
      return failure("kernel '" + kernel->name + "' is described twice");
    info.kernels.push_back(std::move(*kernel));
  }
  return Status::success();
}

Status Reader::checkKernelSymbols(const CodeObjectInfo &info) {
  std::set<std::string_view> descriptors;
  for (size_t i = 0; i < sections.size(); ++i) {
    const Elf64_Shdr &symtab = sections[i];
    if (symtab.sh_type != SHT_DYNSYM)
      continue;
    if (symtab.sh_entsize != sizeof(Elf64_Sym))
      return unreadable("dynamic symbol entries of " +
                        to_string(symtab.sh_entsize) + " bytes");
    if (symtab.sh_link >= sections.size())
      return unreadable("the dynamic symbol table links to no section");
    const Elf64_Shdr &strtab = sections[symtab.sh_link];
    std::string_view strings =
        strtab.sh_type == SHT_STRTAB
            ? file.substr(strtab.sh_offset, strtab.sh_size)
            : std::string_view();
    for (uint64_t s = 0; s < symtab.sh_size / sizeof(Elf64_Sym); ++s) {
      Elf64_Sym symbol =
          load<Elf64_Sym>(symtab.sh_offset + s * sizeof(Elf64_Sym));
      if (ELF64_ST_TYPE(symbol.st_info) != STT_OBJECT)
        continue;
      size_t end = strings.find('\0', symbol.st_name);
      if (symbol.st_name >= strings.size() || end == std::string_view::npos)
        return unreadable("dynamic symbol " + to_string(s) +
                          " has a name outside its string table");
      descriptors.insert(strings.substr(symbol.st_name, end - symbol.st_name));
    }
  }
  for (const KernelInfo &kernel : info.kernels)
    if (!descriptors.count(kernel.symbol))
      return failure("kernel '" + kernel.name + "': its descriptor symbol '" +
                     kernel.symbol + "' is not in the dynamic symbol table");
  return Status::success();
}

Status Reader::checkPlanLaunch(const CodeObjectInfo &info,
                               const PlanProgram &program,
                               const PlanLaunch &launch) {
  auto planError = [&](const std::string &why) {
    return failure("launch plan of '" + program.name + "', kernel '" +
                   launch.kernel + "': " + why);
  };
  const KernelInfo *kernel = info.lookupKernel(launch.kernel);
  if (!kernel)
    return planError("no such kernel in the code object");
  if (launch.args.size() != kernel->getExplicitArgCount())
    return planError("passes " + to_string(launch.args.size()) +
                     " arguments; the kernel takes " +
                     to_string(kernel->getExplicitArgCount()));
  unsigned i = 0;
  for (const KernelArgInfo &arg : kernel->args) {
    if (arg.isHidden())
      continue;
    if (launch.args[i].bytes != arg.size)
      return planError("argument " + to_string(i) + " has " +
                       to_string(launch.args[i].bytes) +
                       " bytes; the kernel's has " + to_string(arg.size));
    ++i;
  }
  return Status::success();
}

Status Reader::checkPlan(const CodeObjectInfo &info) {
  for (const PlanProgram &program : info.plan->programs)
    for (const PlanDispatch &dispatch : program.dispatches)
      for (const PlanVariant &variant : dispatch.variants)
        for (const PlanLaunch &launch : variant.launches)
          if (Status s = checkPlanLaunch(info, program, launch))
            return s;
  return Status::success();
}

Result<CodeObjectInfo> Reader::read() {
  if (file.substr(0, 4) != std::string_view("\x7F"
                                            "ELF",
                                            4))
    return failure("not an ELF file");
  if (file.size() < sizeof(Elf64_Ehdr))
    return unreadable("invalid buffer: the size (" + to_string(file.size()) +
                      ") is smaller than an ELF header (" +
                      to_string(sizeof(Elf64_Ehdr)) + ")");
  header = load<Elf64_Ehdr>(0);
  if (header.e_ident[EI_CLASS] != ELFCLASS64 ||
      header.e_ident[EI_DATA] != ELFDATA2LSB)
    return unreadable("not a 64-bit little-endian ELF file (class " +
                      to_string(header.e_ident[EI_CLASS]) + ", data " +
                      to_string(header.e_ident[EI_DATA]) + ")");
  if (Status s = readSectionHeaders())
    return s.takeFailure();
  if (header.e_machine != kElfMachineAmdgpu)
    return failure("not an AMDGPU code object (ELF machine " +
                   to_string(header.e_machine) + ", expected EM_AMDGPU " +
                   to_string(kElfMachineAmdgpu) + ")");
  if (header.e_ident[EI_OSABI] != kElfOsAbiAmdgpuHsa)
    return failure("not an HSA code object (ELF OS ABI " +
                   to_string(header.e_ident[EI_OSABI]) + ")");
  if (header.e_type != ET_DYN)
    return failure("not a linked code object (ELF type " +
                   to_string(header.e_type) + "; link it with ld.lld -shared)");

  CodeObjectInfo info;
  const char *chip = getProcessorName(header.e_flags);
  if (!chip) {
    const char *digits = "0123456789abcdef";
    unsigned mach = header.e_flags & kElfFlagsMachMask;
    return failure("unknown AMDGPU processor in the ELF flags (EF_AMDGPU_MACH "
                   "0x" +
                   std::string{digits[mach >> 4], digits[mach & 15]} + ")");
  }
  info.chip = chip;

  if (Status s = findNotes())
    return s.takeFailure();
  if (Status s = readMetadata(info))
    return s.takeFailure();
  if (Status s = checkKernelSymbols(info))
    return s.takeFailure();
  if (planNote) {
    Result<LaunchPlan> plan = core::readLaunchPlan(*planNote);
    if (!plan)
      return failure(plan.getMessage());
    info.plan = std::move(*plan);
    if (Status s = checkPlan(info))
      return s.takeFailure();
  }
  return info;
}

Result<CodeObjectInfo>
mxc::amdgpu::core::readCodeObject(std::string_view bytes,
                                  std::string_view name) {
  return Reader(bytes, name).read();
}
