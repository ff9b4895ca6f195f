//===- CodeObjectReader.cpp - What an HSACO says about itself -------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObjectReader.h"
#include "MsgPackReader.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/BinaryFormat/ELF.h"
#include "llvm/Object/ELFObjectFile.h"

using namespace llvm;
using namespace mxc::amdgpu;
using mxc::amdgpu::detail::NodeReader;

size_t KernelInfo::getExplicitArgCount() const {
  return llvm::count_if(args,
                        [](const KernelArgInfo &a) { return !a.isHidden(); });
}

const KernelInfo *CodeObjectInfo::lookupKernel(StringRef name) const {
  for (const KernelInfo &kernel : kernels)
    if (kernel.name == name)
      return &kernel;
  return nullptr;
}

/// The processor an e_flags value names. LLVM's own lookup treats an unknown
/// value as unreachable, so user input goes through this table instead.
static std::optional<StringRef> getProcessor(unsigned flags) {
  static const std::pair<unsigned, StringRef> kMachs[] = {
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX900, "gfx900"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX902, "gfx902"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX904, "gfx904"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX906, "gfx906"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX908, "gfx908"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX909, "gfx909"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX90C, "gfx90c"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1010, "gfx1010"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1011, "gfx1011"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1012, "gfx1012"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1030, "gfx1030"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1031, "gfx1031"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1032, "gfx1032"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1033, "gfx1033"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1035, "gfx1035"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1034, "gfx1034"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX90A, "gfx90a"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1100, "gfx1100"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1013, "gfx1013"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1150, "gfx1150"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1103, "gfx1103"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1036, "gfx1036"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1101, "gfx1101"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1102, "gfx1102"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1200, "gfx1200"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1250, "gfx1250"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1151, "gfx1151"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX942, "gfx942"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1201, "gfx1201"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX950, "gfx950"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX9_GENERIC, "gfx9-generic"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX10_1_GENERIC, "gfx10-1-generic"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX10_3_GENERIC, "gfx10-3-generic"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX11_GENERIC, "gfx11-generic"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1152, "gfx1152"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1153, "gfx1153"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX12_GENERIC, "gfx12-generic"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX1251, "gfx1251"},
      {ELF::EF_AMDGPU_MACH_AMDGCN_GFX9_4_GENERIC, "gfx9-4-generic"},
  };
  for (const auto &[mach, name] : kMachs)
    if ((flags & ELF::EF_AMDGPU_MACH) == mach)
      return name;
  return std::nullopt;
}

namespace {
/// Reads one code object, prefixing errors with its name.
class Reader {
public:
  explicit Reader(MemoryBufferRef file) : file(file) {}
  Expected<CodeObjectInfo> read();

private:
  Error fail(const Twine &why) const {
    return createStringError(inconvertibleErrorCode(),
                             file.getBufferIdentifier() + ": " + why);
  }
  Error wrap(Error e) const { return fail(toString(std::move(e))); }

  /// Finds the AMDGPU and mxc notes; their descriptors point into `file`.
  Error findNotes(const object::ELF64LEFile &elf);
  Error readMetadata(CodeObjectInfo &info);
  Expected<KernelInfo> readKernel(const NodeReader &node);
  Error checkKernelSymbols(const object::ELF64LEObjectFile &object,
                           const CodeObjectInfo &info);
  Error checkPlan(const CodeObjectInfo &info);
  Error checkPlanLaunch(const CodeObjectInfo &info, const PlanProgram &program,
                        const PlanLaunch &launch);

  MemoryBufferRef file;
  std::optional<StringRef> metadataNote;
  std::optional<StringRef> planNote;
};
} // namespace

Error Reader::findNotes(const object::ELF64LEFile &elf) {
  auto visit = [&](const object::ELF64LEFile::Elf_Note &note) -> Error {
    StringRef desc = note.getDescAsStringRef(4);
    if (note.getName() == "AMDGPU" &&
        note.getType() == ELF::NT_AMDGPU_METADATA) {
      if (metadataNote)
        return fail("two AMDGPU metadata notes");
      metadataNote = desc;
    } else if (note.getName() == kLaunchPlanNoteOwner &&
               note.getType() == kLaunchPlanNoteType) {
      if (planNote)
        return fail("two mxc launch plan notes");
      planNote = desc;
    }
    return Error::success();
  };
  Expected<object::ELF64LEFile::Elf_Shdr_Range> sections = elf.sections();
  if (!sections)
    return wrap(sections.takeError());
  bool sawNoteSection = false;
  for (const auto &section : *sections) {
    if (section.sh_type != ELF::SHT_NOTE)
      continue;
    sawNoteSection = true;
    Error err = Error::success();
    for (const auto &note : elf.notes(section, err))
      if (Error e = visit(note)) {
        consumeError(std::move(err));
        return e;
      }
    if (err)
      return fail("corrupt note section: " + toString(std::move(err)));
  }
  if (sawNoteSection)
    return Error::success();
  // A code object stripped of its section headers still has PT_NOTE.
  Expected<object::ELF64LEFile::Elf_Phdr_Range> segments =
      elf.program_headers();
  if (!segments)
    return wrap(segments.takeError());
  for (const auto &segment : *segments) {
    if (segment.p_type != ELF::PT_NOTE)
      continue;
    Error err = Error::success();
    for (const auto &note : elf.notes(segment, err))
      if (Error e = visit(note)) {
        consumeError(std::move(err));
        return e;
      }
    if (err)
      return fail("corrupt note segment: " + toString(std::move(err)));
  }
  return Error::success();
}

/// Reads an unsigned field that must fit in 32 bits.
static Expected<uint32_t> getU32(const NodeReader &map, StringRef key,
                                 std::optional<uint32_t> fallback) {
  Expected<uint64_t> value =
      fallback ? map.getUnsigned(key, *fallback) : map.getUnsigned(key);
  if (!value)
    return value.takeError();
  if (*value > UINT32_MAX)
    return map.error(key + " " + Twine(*value) + " does not fit in 32 bits");
  return uint32_t(*value);
}

Expected<KernelInfo> Reader::readKernel(const NodeReader &node) {
  KernelInfo kernel;
  Expected<StringRef> name = node.getString(".name");
  if (!name)
    return name.takeError();
  kernel.name = name->str();
  Expected<StringRef> symbol = node.getString(".symbol");
  if (!symbol)
    return symbol.takeError();
  kernel.symbol = symbol->str();

  struct Field {
    StringRef key;
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
    Expected<uint32_t> value = getU32(node, field.key, field.fallback);
    if (!value)
      return value.takeError();
    kernel.*field.member = *value;
  }
  if (kernel.wavefrontSize != 32 && kernel.wavefrontSize != 64)
    return node.error(".wavefront_size " + Twine(kernel.wavefrontSize) +
                      " is neither 32 nor 64");
  if (kernel.kernargSegmentAlign == 0 ||
      !isPowerOf2_32(kernel.kernargSegmentAlign))
    return node.error(".kernarg_segment_align " +
                      Twine(kernel.kernargSegmentAlign) +
                      " is not a power of two");
  if (kernel.maxFlatWorkgroupSize == 0 || kernel.maxFlatWorkgroupSize > 1024)
    return node.error(".max_flat_workgroup_size " +
                      Twine(kernel.maxFlatWorkgroupSize) +
                      " is not in [1, 1024]");

  Expected<NodeReader> dynamicStack = node.get(".uses_dynamic_stack");
  if (!dynamicStack)
    return dynamicStack.takeError();
  if (!dynamicStack->isEmpty()) {
    Expected<bool> value = dynamicStack->asBool();
    if (!value)
      return value.takeError();
    kernel.usesDynamicStack = *value;
  }

  Expected<NodeReader> reqd = node.get(".reqd_workgroup_size");
  if (!reqd)
    return reqd.takeError();
  if (!reqd->isEmpty()) {
    Expected<std::vector<NodeReader>> dims = reqd->asArray();
    if (!dims)
      return dims.takeError();
    if (dims->size() != 3)
      return reqd->error("expected 3 dimensions");
    std::array<uint32_t, 3> size;
    for (unsigned d = 0; d < 3; ++d) {
      Expected<uint64_t> v = (*dims)[d].asUnsigned();
      if (!v)
        return v.takeError();
      if (*v < 1 || *v > 1024)
        return (*dims)[d].error("is not in [1, 1024]");
      size[d] = *v;
    }
    kernel.reqdWorkgroupSize = size;
  }

  Expected<std::vector<NodeReader>> args = node.getOptionalArray(".args");
  if (!args)
    return args.takeError();
  for (const NodeReader &a : *args) {
    KernelArgInfo arg;
    Expected<StringRef> kind = a.getString(".value_kind");
    if (!kind)
      return kind.takeError();
    arg.valueKind = kind->str();
    Expected<StringRef> argName = a.getString(".name", "");
    if (!argName)
      return argName.takeError();
    arg.name = argName->str();
    Expected<StringRef> space = a.getString(".address_space", "");
    if (!space)
      return space.takeError();
    arg.addressSpace = space->str();
    Expected<uint32_t> offset = getU32(a, ".offset", std::nullopt);
    if (!offset)
      return offset.takeError();
    Expected<uint32_t> size = getU32(a, ".size", std::nullopt);
    if (!size)
      return size.takeError();
    arg.offset = *offset;
    arg.size = *size;
    if (uint64_t(arg.offset) + arg.size > kernel.kernargSegmentSize)
      return a.error("bytes [" + Twine(arg.offset) + ", " +
                     Twine(uint64_t(arg.offset) + arg.size) +
                     ") lie outside the " + Twine(kernel.kernargSegmentSize) +
                     "-byte argument segment");
    kernel.args.push_back(std::move(arg));
  }
  return kernel;
}

Error Reader::readMetadata(CodeObjectInfo &info) {
  if (!metadataNote)
    return fail("no AMDGPU metadata note (NT_AMDGPU_METADATA): not a code "
                "object v4+ kernel object");
  if (Error e = mxc::amdgpu::detail::checkMsgPack(*metadataNote,
                                                  "the AMDGPU metadata note"))
    return wrap(std::move(e));
  msgpack::Document doc;
  if (!doc.readFromBlob(*metadataNote, /*Multi=*/false))
    return fail("the AMDGPU metadata note is not valid MessagePack (a "
                "map repeats a key)");
  NodeReader root(doc.getRoot(), "AMDGPU metadata");
  Expected<StringRef> target = root.getString("amdhsa.target");
  if (!target)
    return wrap(target.takeError());
  info.targetId = target->str();
  // "amdgcn-amd-amdhsa--gfx950[:features]" must agree with the ELF header.
  StringRef processor = StringRef(info.targetId).rsplit("--").second;
  processor = processor.split(':').first;
  if (processor != info.chip)
    return fail("the metadata's target '" + info.targetId +
                "' disagrees with the ELF header's processor '" + info.chip +
                "'");
  Expected<std::vector<NodeReader>> kernels = root.getArray("amdhsa.kernels");
  if (!kernels)
    return wrap(kernels.takeError());
  StringSet<> names;
  for (const NodeReader &node : *kernels) {
    Expected<KernelInfo> kernel = readKernel(node);
    if (!kernel)
      return wrap(kernel.takeError());
    if (!names.insert(kernel->name).second)
      return fail("kernel '" + kernel->name + "' is described twice");
    info.kernels.push_back(std::move(*kernel));
  }
  return Error::success();
}

Error Reader::checkKernelSymbols(const object::ELF64LEObjectFile &object,
                                 const CodeObjectInfo &info) {
  StringSet<> descriptors;
  for (const object::ELFSymbolRef &symbol :
       object.getDynamicSymbolIterators()) {
    Expected<StringRef> name = symbol.getName();
    if (!name)
      return wrap(name.takeError());
    if (symbol.getELFType() == ELF::STT_OBJECT)
      descriptors.insert(*name);
  }
  for (const KernelInfo &kernel : info.kernels)
    if (!descriptors.contains(kernel.symbol))
      return fail("kernel '" + kernel.name + "': its descriptor symbol '" +
                  kernel.symbol + "' is not in the dynamic symbol table");
  return Error::success();
}

Error Reader::checkPlanLaunch(const CodeObjectInfo &info,
                              const PlanProgram &program,
                              const PlanLaunch &launch) {
  auto planError = [&](const Twine &why) {
    return fail("launch plan of '" + program.name + "', kernel '" +
                launch.kernel + "': " + why);
  };
  const KernelInfo *kernel = info.lookupKernel(launch.kernel);
  if (!kernel)
    return planError("no such kernel in the code object");
  if (launch.args.size() != kernel->getExplicitArgCount())
    return planError("passes " + Twine(launch.args.size()) +
                     " arguments; the kernel takes " +
                     Twine(kernel->getExplicitArgCount()));
  unsigned i = 0;
  for (const KernelArgInfo &arg : kernel->args) {
    if (arg.isHidden())
      continue;
    if (launch.args[i].bytes != arg.size)
      return planError("argument " + Twine(i) + " has " +
                       Twine(launch.args[i].bytes) +
                       " bytes; the kernel's has " + Twine(arg.size));
    ++i;
  }
  return Error::success();
}

Error Reader::checkPlan(const CodeObjectInfo &info) {
  for (const PlanProgram &program : info.plan->programs)
    for (const PlanDispatch &dispatch : program.dispatches)
      for (const PlanVariant &variant : dispatch.variants)
        for (const PlanLaunch &launch : variant.launches)
          if (Error e = checkPlanLaunch(info, program, launch))
            return e;
  return Error::success();
}

Expected<CodeObjectInfo> Reader::read() {
  if (!file.getBuffer().starts_with("\x7F"
                                    "ELF"))
    return fail("not an ELF file");
  Expected<std::unique_ptr<object::ObjectFile>> object =
      object::ObjectFile::createObjectFile(file);
  if (!object)
    return fail("unreadable ELF: " + toString(object.takeError()));
  auto *elfObject = dyn_cast<object::ELF64LEObjectFile>(object->get());
  if (!elfObject)
    return fail("not a 64-bit little-endian ELF file");
  const object::ELF64LEFile &elf = elfObject->getELFFile();
  const auto &header = elf.getHeader();
  if (header.e_machine != ELF::EM_AMDGPU)
    return fail("not an AMDGPU code object (ELF machine " +
                Twine(header.e_machine) + ", expected EM_AMDGPU " +
                Twine(unsigned(ELF::EM_AMDGPU)) + ")");
  if (header.e_ident[ELF::EI_OSABI] != ELF::ELFOSABI_AMDGPU_HSA)
    return fail("not an HSA code object (ELF OS ABI " +
                Twine(unsigned(header.e_ident[ELF::EI_OSABI])) + ")");
  if (header.e_type != ELF::ET_DYN)
    return fail("not a linked code object (ELF type " + Twine(header.e_type) +
                "; link it with ld.lld -shared)");

  CodeObjectInfo info;
  std::optional<StringRef> chip = getProcessor(header.e_flags);
  if (!chip)
    return fail("unknown AMDGPU processor in the ELF flags (EF_AMDGPU_MACH "
                "0x" +
                Twine::utohexstr(header.e_flags & ELF::EF_AMDGPU_MACH) + ")");
  info.chip = chip->str();

  if (Error e = findNotes(elf))
    return std::move(e);
  if (Error e = readMetadata(info))
    return std::move(e);
  if (Error e = checkKernelSymbols(*elfObject, info))
    return std::move(e);
  if (planNote) {
    Expected<LaunchPlan> plan = readLaunchPlan(*planNote);
    if (!plan)
      return wrap(plan.takeError());
    info.plan = std::move(*plan);
    if (Error e = checkPlan(info))
      return std::move(e);
  }
  return info;
}

Expected<CodeObjectInfo> mxc::amdgpu::readCodeObject(MemoryBufferRef file) {
  return Reader(file).read();
}
