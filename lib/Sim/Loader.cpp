//===- Loader.cpp - Reading kernels into the simulator --------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "Program.h"
#include "mxc/Target/AMDGPU/CodeObject.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Object/ELFObjectFile.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"

using namespace llvm;
using namespace mxc;
using namespace mxc::sim;

static Error loadError(MemoryBufferRef file, const Twine &why) {
  return createStringError(inconvertibleErrorCode(),
                           file.getBufferIdentifier() + ": " + why);
}

/// The bitcode an mxc code object carries in its .llvmbc section.
static Expected<MemoryBufferRef> findEmbeddedBitcode(MemoryBufferRef file) {
  Expected<std::unique_ptr<object::ObjectFile>> object =
      object::ObjectFile::createObjectFile(file);
  if (!object)
    return loadError(file, "not a readable ELF code object: " +
                               toString(object.takeError()));
  auto *elf = dyn_cast<object::ELF64LEObjectFile>(object->get());
  if (!elf || elf->getELFFile().getHeader().e_machine != ELF::EM_AMDGPU)
    return loadError(file, "not an AMDGPU code object (ELF machine is not "
                           "EM_AMDGPU)");
  std::optional<StringRef> bitcode, hash;
  for (const object::SectionRef &section : elf->sections()) {
    Expected<StringRef> name = section.getName();
    if (!name) {
      consumeError(name.takeError());
      continue;
    }
    if (*name != amdgpu::kBitcodeSection &&
        *name != amdgpu::kBitcodeHashSection)
      continue;
    Expected<StringRef> contents = section.getContents();
    if (!contents)
      return loadError(file, "unreadable " + *name +
                                 " section: " + toString(contents.takeError()));
    (*name == amdgpu::kBitcodeSection ? bitcode : hash) = *contents;
  }
  if (bitcode) {
    // LLVM's bitcode reader may crash on corrupt bitcode: only bitcode whose
    // checksum holds reaches it.
    if (!hash)
      return loadError(file, "the .llvmbc section has no checksum (" +
                                 amdgpu::kBitcodeHashSection +
                                 " section); compile the kernel again with "
                                 "this mxc");
    if (hash->size() != 8 ||
        support::endian::read64le(hash->data()) != xxh3_64bits(*bitcode))
      return loadError(file, "the .llvmbc section is corrupt (its checksum "
                             "does not match)");
    return MemoryBufferRef(*bitcode, file.getBufferIdentifier());
  }
  return loadError(file, "the code object carries no LLVM bitcode (.llvmbc "
                         "section); compile it with mxc without "
                         "--no-embed-bitcode");
}

Expected<Simulator> Simulator::load(MemoryBufferRef file,
                                    const amdgpu::ChipInfo &chip) {
  auto context = std::make_unique<LLVMContext>();
  std::unique_ptr<Module> module;
  StringRef bytes = file.getBuffer();
  // The ELF code object and its bitcode must outlive the parse only.
  std::unique_ptr<object::ObjectFile> holder;
  MemoryBufferRef source = file;
  if (bytes.starts_with("\x7F"
                        "ELF")) {
    Expected<MemoryBufferRef> bitcode = findEmbeddedBitcode(file);
    if (!bitcode)
      return bitcode.takeError();
    source = *bitcode;
    bytes = source.getBuffer();
  }
  if (bytes.starts_with("BC\xC0\xDE")) {
    Expected<std::unique_ptr<Module>> parsed =
        parseBitcodeFile(source, *context);
    if (!parsed)
      return loadError(file, "bad bitcode: " + toString(parsed.takeError()));
    module = std::move(*parsed);
  } else {
    SMDiagnostic diag;
    module = parseAssembly(source, diag, *context);
    if (!module) {
      std::string text;
      raw_string_ostream os(text);
      diag.print("", os, /*ShowColors=*/false);
      return loadError(file, "bad LLVM IR: " + StringRef(text).trim());
    }
  }
  std::string problems;
  raw_string_ostream os(problems);
  if (verifyModule(*module, &os))
    return loadError(file, "invalid LLVM IR: " + StringRef(problems).trim());
  if (!module->getTargetTriple().isAMDGCN())
    return loadError(file, "not amdgcn IR (target triple '" +
                               module->getTargetTriple().str() + "')");
  Expected<std::unique_ptr<Program>> program =
      Program::create(std::move(context), std::move(module), chip);
  if (!program)
    return loadError(file, toString(program.takeError()));
  return Simulator(std::move(*program));
}
