//===- CodeObject.cpp - LLVM IR to AMDGPU HSACO ---------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/CodeObject.h"

#include "llvm/ADT/StringSet.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DiagnosticInfo.h"
#include "llvm/IR/DiagnosticPrinter.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/Instruction.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/IRReader/IRReader.h"
#include "llvm/Linker/Linker.h"
#include "llvm/MC/MCAsmInfo.h"
#include "llvm/MC/MCCodeEmitter.h"
#include "llvm/MC/MCContext.h"
#include "llvm/MC/MCInst.h"
#include "llvm/MC/MCInstPrinter.h"
#include "llvm/MC/MCInstrInfo.h"
#include "llvm/MC/MCObjectFileInfo.h"
#include "llvm/MC/MCParser/MCAsmParser.h"
#include "llvm/MC/MCParser/MCTargetAsmParser.h"
#include "llvm/MC/MCRegisterInfo.h"
#include "llvm/MC/MCStreamer.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/MCTargetOptions.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/Endian.h"
#include "llvm/Support/ErrorHandling.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Support/xxhash.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/TargetParser.h"
#include "llvm/TargetParser/Triple.h"
#include "llvm/Transforms/IPO/Internalize.h"
#include "llvm/Transforms/Utils/Cloning.h"
#include "llvm/Transforms/Utils/ModuleUtils.h"

#include <csetjmp>
#include <cstdint>

// Whether LeakSanitizer runs in this build (ASan includes it).
#if defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(leak_sanitizer)
#define MXC_HAS_LEAK_SANITIZER 1
#endif
#endif
#if !defined(MXC_HAS_LEAK_SANITIZER) && defined(__SANITIZE_ADDRESS__)
#define MXC_HAS_LEAK_SANITIZER 1
#endif

using namespace llvm;
using namespace mxc::amdgpu;

static constexpr StringLiteral kTriple = "amdgcn-amd-amdhsa";

/// The directory holding the running executable ("" if unknown): an
/// installed mxc looks beside itself first, so a moved install still works.
static std::string getExecutableDir() {
  std::string self = sys::fs::getMainExecutable(nullptr, nullptr);
  return self.empty() ? "" : sys::path::parent_path(self).str();
}

/// $MXC_LD_LLD, ld.lld beside the executable (when `besideExecutable`), the
/// one configured at build time, then ld.lld or ld.lld-22 on PATH.
static std::string findLdLld(bool besideExecutable) {
  if (const char *env = std::getenv("MXC_LD_LLD"); env && *env)
    return env;
  if (besideExecutable && !getExecutableDir().empty()) {
    SmallString<256> beside(getExecutableDir());
    sys::path::append(beside, "ld.lld");
    if (sys::fs::can_execute(beside))
      return beside.str().str();
  }
  if (sys::fs::can_execute(MXC_LD_LLD_PATH))
    return MXC_LD_LLD_PATH;
  for (StringRef name : {"ld.lld", "ld.lld-22"})
    if (ErrorOr<std::string> found = sys::findProgramByName(name))
      return *found;
  return MXC_LD_LLD_PATH; // Named in the error that follows.
}

StringRef mxc::amdgpu::getDefaultLdLldPath() {
  static const std::string path = findLdLld(/*besideExecutable=*/true);
  return path;
}

std::string mxc::amdgpu::getEmbeddedLdLldPath() {
  return findLdLld(/*besideExecutable=*/false);
}

static void initializeAMDGPUBackend() {
  static bool done = [] {
    LLVMInitializeAMDGPUTargetInfo();
    LLVMInitializeAMDGPUTarget();
    LLVMInitializeAMDGPUTargetMC();
    LLVMInitializeAMDGPUAsmPrinter();
    LLVMInitializeAMDGPUAsmParser();
    return true;
  }();
  (void)done;
}

//===----------------------------------------------------------------------===//
// Checking that every emitted instruction exists on the chip
//===----------------------------------------------------------------------===//

namespace {
/// The instructions one backend run encoded: the first of each opcode, as
/// assembly text, by the subtarget it was encoded for. The backend selects
/// some intrinsics a chip lacks into instructions of another chip
/// (`llvm.amdgcn.cvt.scalef32.pk.fp8.f32` for gfx90a encodes gfx950's
/// v_cvt_scalef32_pk_fp8_f32); the chip's own assembler, which checks each
/// instruction against the subtarget's features, tells them apart.
struct EmittedInstructions {
  struct Subtarget {
    std::string cpu;
    FeatureBitset features;
    /// One instruction a line, each of an opcode not seen before.
    std::string text;
  };
  std::vector<Subtarget> subtargets;
  DenseSet<std::pair<unsigned, const MCSubtargetInfo *>> seen;
  DenseMap<const MCSubtargetInfo *, unsigned> subtargetIndex;
};

/// The run of emitMachineCode on this thread that records what the backend
/// encodes (null: none).
thread_local EmittedInstructions *recording = nullptr;

/// AMDGPU's code emitter, which also records each new opcode it encodes into
/// `recording`, printed by AMDGPU's instruction printer.
class RecordingCodeEmitter : public MCCodeEmitter {
public:
  RecordingCodeEmitter(std::unique_ptr<MCCodeEmitter> encoder,
                       std::unique_ptr<MCInstPrinter> printer)
      : encoder(std::move(encoder)), printer(std::move(printer)) {}

  void reset() override { encoder->reset(); }

  void encodeInstruction(const MCInst &inst, SmallVectorImpl<char> &bytes,
                         SmallVectorImpl<MCFixup> &fixups,
                         const MCSubtargetInfo &sti) const override {
    if (recording && printer &&
        recording->seen.insert({inst.getOpcode(), &sti}).second) {
      auto [it, added] = recording->subtargetIndex.try_emplace(
          &sti, recording->subtargets.size());
      if (added)
        recording->subtargets.push_back(
            {sti.getCPU().str(), sti.getFeatureBits(), ""});
      EmittedInstructions::Subtarget &subtarget =
          recording->subtargets[it->second];
      // Labels and relocated symbols become 0: the object writer's
      // temporary labels have no names to print, and the assembler checks
      // the instruction, not where it points.
      MCInst printed = inst;
      for (MCOperand &operand : printed)
        if (operand.isExpr())
          operand = MCOperand::createImm(0);
      raw_string_ostream os(subtarget.text);
      printer->printInst(&printed, /*Address=*/0, /*Annot=*/"", sti, os);
      os << '\n';
    }
    encoder->encodeInstruction(inst, bytes, fixups, sti);
  }

private:
  std::unique_ptr<MCCodeEmitter> encoder;
  std::unique_ptr<MCInstPrinter> printer;
};
} // namespace

/// The registered AMDGPU target (null if this LLVM lacks it).
static const Target *getAMDGPUTarget() {
  static const Target *target = [] {
    initializeAMDGPUBackend();
    std::string error;
    return TargetRegistry::lookupTarget(Triple(kTriple), error);
  }();
  return target;
}

/// A copy of the AMDGPU target whose code emitter records what it encodes;
/// mxc's target machines are made from it, leaving the registry as it is.
static const Target *getRecordingAMDGPUTarget() {
  static Target *recordingTarget = []() -> Target * {
    if (!getAMDGPUTarget())
      return nullptr;
    auto *copy = new Target(*getAMDGPUTarget());
    TargetRegistry::RegisterMCCodeEmitter(
        *copy, [](const MCInstrInfo &instrInfo, MCContext &context) {
          const Target &amdgpu = *getAMDGPUTarget();
          std::unique_ptr<MCCodeEmitter> encoder(
              amdgpu.createMCCodeEmitter(instrInfo, context));
          std::unique_ptr<MCInstPrinter> printer(amdgpu.createMCInstPrinter(
              context.getTargetTriple(), /*SyntaxVariant=*/0,
              *context.getAsmInfo(), instrInfo, *context.getRegisterInfo()));
          return static_cast<MCCodeEmitter *>(
              new RecordingCodeEmitter(std::move(encoder), std::move(printer)));
        });
    return copy;
  }();
  return recordingTarget;
}

/// The mnemonic of a line of assembly ("v_add_f32_e32 v0, v1, v2").
static StringRef getMnemonic(StringRef line) {
  return line.trim().take_until([](char c) { return isSpace(c); });
}

/// The AMDGPU intrinsic of `module` named like `mnemonic`
/// (llvm.amdgcn.cvt.scalef32.pk.fp8.f32 for v_cvt_scalef32_pk_fp8_f32), or
/// "" if none is.
static std::string findIntrinsicFor(const Module &module, StringRef mnemonic) {
  StringRef base = mnemonic;
  for (StringRef suffix : {"_e32", "_e64", "_sdwa", "_dpp", "_vop3"})
    base.consume_back(suffix);
  if (!base.consume_front("v_") && !base.consume_front("s_"))
    return "";
  for (const Function &function : module) {
    StringRef name = function.getName();
    if (!function.isIntrinsic() || !name.consume_front("llvm.amdgcn."))
      continue;
    std::string spelled = name.str();
    std::replace(spelled.begin(), spelled.end(), '.', '_');
    if (spelled == base)
      return function.getName().str();
  }
  return "";
}

/// Parses what `emitted` recorded with the AMDGPU assembler of its subtarget
/// (CPU and features): an instruction the chip lacks is an error naming it.
static Error checkInstructionsExist(const EmittedInstructions &emitted,
                                    const Module &module, StringRef chip) {
  const Target &target = *getAMDGPUTarget();
  Triple triple(kTriple);
  MCTargetOptions options;
  for (const EmittedInstructions::Subtarget &subtarget : emitted.subtargets) {
    std::unique_ptr<MCRegisterInfo> registers(target.createMCRegInfo(triple));
    std::unique_ptr<MCAsmInfo> asmInfo(
        target.createMCAsmInfo(*registers, triple, options));
    std::unique_ptr<MCInstrInfo> instrInfo(target.createMCInstrInfo());
    std::unique_ptr<MCSubtargetInfo> sti(
        target.createMCSubtargetInfo(triple, subtarget.cpu, ""));
    sti->setFeatureBits(subtarget.features);

    SourceMgr sources;
    sources.AddNewSourceBuffer(
        MemoryBuffer::getMemBuffer(subtarget.text, "emitted",
                                   /*RequiresNullTerminator=*/false),
        SMLoc());
    struct FirstError {
      unsigned line = 0;
      std::string message;
    } firstError;
    sources.setDiagHandler(
        [](const SMDiagnostic &diag, void *context) {
          auto *first = static_cast<FirstError *>(context);
          if (diag.getKind() == SourceMgr::DK_Error && first->line == 0) {
            first->line = std::max(diag.getLineNo(), 1);
            first->message = diag.getMessage().str();
          }
        },
        &firstError);
    MCContext context(triple, asmInfo.get(), registers.get(), sti.get(),
                      &sources, &options);
    std::unique_ptr<MCObjectFileInfo> fileInfo(
        target.createMCObjectFileInfo(context, /*PIC=*/true));
    context.setObjectFileInfo(fileInfo.get());
    std::unique_ptr<MCStreamer> streamer(target.createNullStreamer(context));
    std::unique_ptr<MCAsmParser> parser(
        createMCAsmParser(sources, context, *streamer, *asmInfo));
    std::unique_ptr<MCTargetAsmParser> targetParser(
        target.createMCAsmParser(*sti, *parser, *instrInfo, options));
    if (!targetParser)
      return createStringError(inconvertibleErrorCode(),
                               "the AMDGPU assembler is unavailable");
    parser->setTargetParser(*targetParser);
    // No finalization: branch targets are labels this text does not define.
    bool failed = parser->Run(/*NoInitialTextSection=*/false,
                              /*NoFinalize=*/true);
    if (!failed && firstError.line == 0)
      continue;
    SmallVector<StringRef> lines;
    StringRef(subtarget.text).split(lines, '\n');
    StringRef line = firstError.line && firstError.line <= lines.size()
                         ? lines[firstError.line - 1].trim()
                         : StringRef();
    StringRef mnemonic = getMnemonic(line);
    std::string intrinsic = findIntrinsicFor(module, mnemonic);
    std::string from = intrinsic.empty() ? "" : " (from " + intrinsic + ")";
    if (StringRef(firstError.message).contains("not supported on this GPU"))
      return createStringError(inconvertibleErrorCode(),
                               "the AMDGPU backend emitted " + mnemonic +
                                   ", which " + chip + " does not have" + from);
    return createStringError(
        inconvertibleErrorCode(),
        "the AMDGPU backend emitted '" + line + "', which the " + chip +
            " assembler rejects: " + firstError.message + from);
  }
  return Error::success();
}

static CodeGenOptLevel toCodeGenOptLevel(unsigned optLevel) {
  switch (optLevel) {
  case 0:
    return CodeGenOptLevel::None;
  case 1:
    return CodeGenOptLevel::Less;
  case 2:
    return CodeGenOptLevel::Default;
  default:
    return CodeGenOptLevel::Aggressive;
  }
}

Expected<std::unique_ptr<TargetMachine>>
mxc::amdgpu::createTargetMachine(const ChipInfo &chip, unsigned optLevel) {
  Triple triple(kTriple);
  const Target *target = getRecordingAMDGPUTarget();
  if (!target)
    return createStringError(inconvertibleErrorCode(),
                             "AMDGPU backend unavailable");
  TargetOptions options;
  std::unique_ptr<TargetMachine> tm(target->createTargetMachine(
      triple, chip.name, /*Features=*/"", options, Reloc::PIC_, std::nullopt,
      toCodeGenOptLevel(optLevel)));
  if (!tm)
    return createStringError(inconvertibleErrorCode(),
                             "cannot create a target machine for " +
                                 chip.name.str());
  return tm;
}

void mxc::amdgpu::setModuleTarget(Module &module, TargetMachine &tm) {
  module.setTargetTriple(tm.getTargetTriple());
  module.setDataLayout(tm.createDataLayout());
}

void mxc::amdgpu::optimizeModule(Module &module, TargetMachine &tm,
                                 unsigned optLevel) {
  setModuleTarget(module, tm);

  LoopAnalysisManager lam;
  FunctionAnalysisManager fam;
  CGSCCAnalysisManager cgam;
  ModuleAnalysisManager mam;
  PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);

  OptimizationLevel level = OptimizationLevel::O0;
  switch (optLevel) {
  case 0:
    break;
  case 1:
    level = OptimizationLevel::O1;
    break;
  case 2:
    level = OptimizationLevel::O2;
    break;
  default:
    level = OptimizationLevel::O3;
    break;
  }
  ModulePassManager mpm = level == OptimizationLevel::O0
                              ? pb.buildO0DefaultPipeline(level)
                              : pb.buildPerModuleDefaultPipeline(level);
  mpm.run(module, mam);
}

void mxc::amdgpu::embedBitcode(Module &module) {
  // The bitcode is of the module before the section is added: the IR that
  // codegen sees, minus the section itself.
  SmallString<0> bitcode;
  raw_svector_ostream os(bitcode);
  WriteBitcodeToFile(module, os);
  llvm::embedBufferInModule(module, MemoryBufferRef(bitcode, "mxc"),
                            kBitcodeSection);
  // The checksum as 8 read-only bytes of a section of its own (a section
  // like .llvmbc's, marked excluded, would not survive the link).
  char hash[8];
  support::endian::write64le(hash, xxh3_64bits(bitcode));
  Constant *bytes = ConstantDataArray::getString(
      module.getContext(), StringRef(hash, sizeof(hash)), /*AddNull=*/false);
  auto *global = new GlobalVariable(
      module, bytes->getType(), /*isConstant=*/true,
      GlobalValue::PrivateLinkage, bytes, "mxc.llvmbc.xxh3", nullptr,
      GlobalValue::NotThreadLocal, /*AddressSpace=*/4);
  global->setSection(kBitcodeHashSection);
  global->setAlignment(Align(8));
  appendToCompilerUsed(module, {global});
}

void mxc::amdgpu::embedLaunchPlan(Module &module, const LaunchPlan &plan) {
  std::string note = encodeLaunchPlanNote(plan);
  Constant *bytes = ConstantDataArray::getString(module.getContext(), note,
                                                 /*AddNull=*/false);
  // Read-only data in the constant address space; the ".note" prefix makes
  // it SHT_NOTE, which the linker keeps in the code object's note segment.
  auto *global = new GlobalVariable(
      module, bytes->getType(), /*isConstant=*/true,
      GlobalValue::PrivateLinkage, bytes, "mxc.launch_plan", nullptr,
      GlobalValue::NotThreadLocal, /*AddressSpace=*/4);
  global->setSection(kLaunchPlanSection);
  global->setAlignment(Align(4));
  appendToCompilerUsed(module, {global});
}

/// Keeps a copy of the stack between `low` and `high`: the backend's frames
/// a fatal error jumps over. What they own (the call graph walk of the
/// legacy pass manager, the error message) cannot be freed, since only those
/// frames knew it; it stays allocated, and the copy, reachable from a
/// global, is where LeakSanitizer finds the pointers to it, so that it reads
/// as kept rather than as a leak of mxc. Only sanitizer builds keep it: the
/// copy is for the leak check, the memory is kept either way.
[[gnu::no_sanitize_address, gnu::noinline]] static void
keepAbandonedFrames(const char *low, const char *high) {
#ifdef MXC_HAS_LEAK_SANITIZER
  constexpr size_t kMaxBytes = 64u << 20;
  auto begin = reinterpret_cast<uintptr_t>(low) & ~uintptr_t(7);
  auto end = reinterpret_cast<uintptr_t>(high);
  if (end <= begin || end - begin > kMaxBytes)
    return;
  size_t words = (end - begin) / sizeof(uintptr_t);
  static auto *kept = new std::vector<std::unique_ptr<uintptr_t[]>>;
  auto copy = std::make_unique<uintptr_t[]>(words);
  // Word by word, without ASan's checks: instrumented frames in the range
  // have poisoned redzones.
  const volatile uintptr_t *from = reinterpret_cast<uintptr_t *>(begin);
  for (size_t i = 0; i < words; ++i)
    copy[i] = from[i];
  kept->push_back(std::move(copy));
#else
  (void)low;
  (void)high;
#endif
}

Expected<SmallString<0>> mxc::amdgpu::emitMachineCode(Module &module,
                                                      TargetMachine &tm,
                                                      CodeGenFileType kind) {
  // Assembly text is checked through the object a copy of the module
  // compiles to: only the object writer's encoder sees each instruction.
  if (kind == CodeGenFileType::AssemblyFile) {
    std::unique_ptr<Module> copy = CloneModule(module);
    if (Expected<SmallString<0>> object =
            emitMachineCode(*copy, tm, CodeGenFileType::ObjectFile);
        !object)
      return object.takeError();
  }
  SmallString<0> buffer;
  raw_svector_ostream os(buffer);
  legacy::PassManager pm;
  if (tm.addPassesToEmitFile(pm, os, nullptr, kind))
    return createStringError(inconvertibleErrorCode(),
                             "the AMDGPU backend cannot emit this file type");
  // The backend reports what it cannot select ("Cannot select: intrinsic
  // ...", an intrinsic the chip lacks) as a fatal error, which would end the
  // process. The handler records the reason and jumps back here, as
  // llvm::CrashRecoveryContext does for clang, without installing signal
  // handlers that would hide real crashes from sanitizers and fuzzers. The
  // backend's state of this module is abandoned (kept, never freed: see
  // keepAbandonedFrames), not resumed.
  static thread_local std::jmp_buf *fatalJump = nullptr;
  static thread_local std::string *fatalReason = nullptr;
  static thread_local const char *backendFramesEnd = nullptr;
  std::jmp_buf jump;
  std::string reason;
  fatalJump = &jump;
  fatalReason = &reason;
  // The frames pm.run makes lie below this one's (the stack grows down).
  backendFramesEnd = static_cast<const char *>(__builtin_frame_address(0));
  EmittedInstructions emitted;
  recording = kind == CodeGenFileType::ObjectFile ? &emitted : nullptr;
  bool failed = false;
  {
    ScopedFatalErrorHandler handler(
        [](void *, const char *message, bool) {
          *fatalReason = message;
          keepAbandonedFrames(
              static_cast<const char *>(__builtin_frame_address(0)),
              backendFramesEnd);
          std::longjmp(*fatalJump, 1);
        },
        nullptr);
    if (setjmp(jump) == 0)
      pm.run(module);
    else
      failed = true;
  }
  fatalJump = nullptr;
  fatalReason = nullptr;
  backendFramesEnd = nullptr;
  recording = nullptr;
  if (failed) {
    // One line: the selection DAG dump after the first line says nothing to
    // a user.
    StringRef first = StringRef(reason).trim();
    first = first.take_until([](char c) { return c == '\n'; }).rtrim();
    return createStringError(inconvertibleErrorCode(),
                             "the AMDGPU backend cannot compile this for " +
                                 tm.getTargetCPU() + ": " + first);
  }
  if (Error error = checkInstructionsExist(emitted, module, tm.getTargetCPU()))
    return std::move(error);
  return buffer;
}

namespace {
/// A temporary file removed when it goes out of scope.
struct TempFile {
  SmallString<128> path;
  ~TempFile() {
    if (!path.empty())
      sys::fs::remove(path);
  }
};
} // namespace

Expected<std::string> mxc::amdgpu::linkCodeObject(StringRef object,
                                                  StringRef ldLldPath) {
  if (!sys::fs::can_execute(ldLldPath))
    return createStringError(inconvertibleErrorCode(),
                             "cannot run the linker '" + ldLldPath.str() +
                                 "' (install lld-22 or pass --ld-lld)");
  TempFile objFile, hsacoFile;
  int fd;
  if (std::error_code ec =
          sys::fs::createTemporaryFile("mxc", "o", fd, objFile.path))
    return createStringError(ec, "cannot create a temporary object file");
  {
    raw_fd_ostream os(fd, /*shouldClose=*/true);
    os << object;
  }
  if (std::error_code ec =
          sys::fs::createTemporaryFile("mxc", "hsaco", hsacoFile.path))
    return createStringError(ec, "cannot create a temporary code object file");

  StringRef args[] = {ldLldPath,    "-shared", "--no-undefined",
                      objFile.path, "-o",      hsacoFile.path};
  std::string message;
  int rc =
      sys::ExecuteAndWait(ldLldPath, args, std::nullopt, {}, 0, 0, &message);
  if (rc != 0)
    return createStringError(inconvertibleErrorCode(),
                             "ld.lld failed (exit " + std::to_string(rc) + ")" +
                                 (message.empty() ? "" : ": " + message));
  ErrorOr<std::unique_ptr<MemoryBuffer>> linked =
      MemoryBuffer::getFile(hsacoFile.path);
  if (!linked)
    return createStringError(linked.getError(),
                             "cannot read the linked code object");
  if ((*linked)->getBufferSize() == 0)
    return createStringError(inconvertibleErrorCode(),
                             "the linker '" + ldLldPath.str() +
                                 "' exited 0 but wrote no code object");
  return (*linked)->getBuffer().str();
}

//===----------------------------------------------------------------------===//
// ROCm device libraries
//===----------------------------------------------------------------------===//

StringRef mxc::amdgpu::getDefaultDeviceLibsPath() {
  // Computed once: $MXC_DEVICE_LIBS, the directory configured at build time,
  // then where Debian and ROCm install them.
  static const std::string path = []() -> std::string {
    if (const char *env = std::getenv("MXC_DEVICE_LIBS"); env && *env)
      return env;
    std::vector<std::string> candidates = {MXC_DEVICE_LIBS_PATH};
    if (const char *rocm = std::getenv("ROCM_PATH"); rocm && *rocm)
      candidates.push_back(std::string(rocm) + "/amdgcn/bitcode");
    for (const char *dir :
         {"/usr/lib/x86_64-linux-gnu/amdgcn/bitcode",
          "/usr/lib/aarch64-linux-gnu/amdgcn/bitcode",
          "/usr/lib/amdgcn/bitcode", "/opt/rocm/amdgcn/bitcode"})
      candidates.push_back(dir);
    for (const std::string &dir : candidates)
      if (!dir.empty() && hasDeviceLibraries(dir))
        return dir;
    return MXC_DEVICE_LIBS_PATH;
  }();
  return path;
}

/// The AMDGPU address space of LDS variables.
static constexpr unsigned kLdsAddressSpace = 3;

std::vector<UndefinedSymbol>
mxc::amdgpu::getUndefinedSymbols(const Module &module) {
  auto firstUser = [](const GlobalValue &value) -> const Function * {
    for (const User *user : value.users())
      if (const auto *inst = dyn_cast<Instruction>(user))
        return inst->getFunction();
    return nullptr;
  };
  std::vector<UndefinedSymbol> undefined;
  auto consider = [&](const GlobalValue &value) {
    if (value.isDeclaration() && !value.use_empty() &&
        !value.hasExternalWeakLinkage())
      undefined.push_back({value.getName().str(), firstUser(value)});
  };
  for (const Function &function : module)
    if (!function.isIntrinsic())
      consider(function);
  for (const GlobalVariable &variable : module.globals())
    if (variable.getAddressSpace() != kLdsAddressSpace)
      consider(variable);
  return undefined;
}

bool mxc::amdgpu::isDeviceLibrarySymbol(StringRef name) {
  return name.starts_with("__ocml_") || name.starts_with("__ockl_") ||
         name.starts_with("__oclc_");
}

unsigned mxc::amdgpu::getDeviceLibIsaVersion(StringRef processor) {
  llvm::AMDGPU::IsaVersion isa = llvm::AMDGPU::getIsaVersion(processor);
  if (isa.Major == 0)
    return 0;
  return isa.Major * 1000 + isa.Minor * 100 + isa.Stepping;
}

/// The bitcode libraries whose functions mxc links, in the order clang links
/// them.
static constexpr StringLiteral kDeviceLibraries[] = {"ocml.bc", "ockl.bc"};

bool mxc::amdgpu::hasDeviceLibraries(StringRef dir) {
  if (dir.empty())
    return false;
  for (StringRef library : kDeviceLibraries) {
    SmallString<256> path(dir);
    sys::path::append(path, library);
    if (!sys::fs::is_regular_file(path))
      return false;
  }
  return true;
}

namespace {
/// One oclc control variable: a constant the device libraries read to pick a
/// code path, which an oclc_<file>.bc of the package defines.
struct ControlVariable {
  StringRef global;
  /// The oclc_*.bc file that defines it to `value`, without ".bc".
  std::string file;
  unsigned bits;
  unsigned value;
};

/// Routes the context's diagnostics into a string while linking, so that a
/// broken library is an error message, not a process exit.
class CapturedDiagnostics {
public:
  explicit CapturedDiagnostics(LLVMContext &context)
      : context(context), oldHandler(context.getDiagnosticHandler()) {
    context.setDiagnosticHandler(std::make_unique<Handler>(errors));
  }
  ~CapturedDiagnostics() {
    context.setDiagnosticHandler(std::move(oldHandler));
  }
  std::string takeErrors() { return std::move(errors); }

private:
  struct Handler : DiagnosticHandler {
    explicit Handler(std::string &errors) : errors(errors) {}
    bool handleDiagnostics(const DiagnosticInfo &info) override {
      // Warnings and remarks of the linker are not the user's concern.
      if (info.getSeverity() != DS_Error)
        return true;
      raw_string_ostream os(errors);
      if (!errors.empty())
        os << "; ";
      DiagnosticPrinterRawOStream printer(os);
      info.print(printer);
      return true;
    }
    std::string &errors;
  };

  LLVMContext &context;
  std::unique_ptr<DiagnosticHandler> oldHandler;
  std::string errors;
};
} // namespace

/// The code object version the module is compiled for, as the device
/// libraries' `__oclc_ABI_version` spells it (500, 600). A module without the
/// `amdhsa_code_object_version` flag gets one, so the backend emits the
/// version the libraries were told.
static unsigned getOrSetCodeObjectVersion(Module &module) {
  // clang's default for LLVM 22 (and the backend's): code object v6.
  constexpr unsigned kDefaultVersion = 600;
  if (auto *flag = mdconst::extract_or_null<ConstantInt>(
          module.getModuleFlag("amdhsa_code_object_version")))
    return flag->getZExtValue();
  module.addModuleFlag(Module::Error, "amdhsa_code_object_version",
                       kDefaultVersion);
  return kDefaultVersion;
}

/// The control variables as clang sets them for HIP by default, for `chip`:
/// IEEE f32 denormals (the kernels' floating-point mode), no finite-only or
/// unsafe-math assumptions, correctly rounded f32 sqrt, and the chip's wave
/// size.
static SmallVector<ControlVariable> getControlVariables(const ChipInfo &chip,
                                                        unsigned abiVersion) {
  auto onOff = [](bool on) { return on ? "_on" : "_off"; };
  bool wave64 = chip.waveSize == 64;
  return {
      {"__oclc_ISA_version",
       "oclc_isa_version_" + chip.name.drop_front(3).str(), 32,
       getDeviceLibIsaVersion(chip.name)},
      {"__oclc_ABI_version", "oclc_abi_version_" + std::to_string(abiVersion),
       32, abiVersion},
      {"__oclc_wavefrontsize64",
       std::string("oclc_wavefrontsize64") + onOff(wave64), 8, wave64},
      {"__oclc_daz_opt", "oclc_daz_opt_off", 8, 0},
      {"__oclc_finite_only_opt", "oclc_finite_only_off", 8, 0},
      {"__oclc_unsafe_math_opt", "oclc_unsafe_math_off", 8, 0},
      {"__oclc_correctly_rounded_sqrt32", "oclc_correctly_rounded_sqrt_on", 8,
       1},
  };
}

/// Whether `module` declares, and does not define, `name`.
static bool declares(const Module &module, StringRef name) {
  const GlobalValue *value = module.getNamedValue(name);
  return value && value->isDeclaration();
}

/// Links the definitions `module` needs from the bitcode file at `path`,
/// adding the names of what it took to `linked`.
static Error linkNeeded(Module &module, StringRef path, StringSet<> &linked) {
  LLVMContext &context = module.getContext();
  SMDiagnostic diag;
  // Lazily: only the function bodies the linker takes are read.
  std::unique_ptr<Module> library = getLazyIRFileModule(path, diag, context);
  if (!library)
    return createStringError(inconvertibleErrorCode(),
                             "cannot read device library '" + path +
                                 "': " + diag.getMessage());
  // The libraries are built for amdgcn without a processor; they take the
  // module's layout and triple, as clang links them.
  library->setDataLayout(module.getDataLayout());
  library->setTargetTriple(module.getTargetTriple());
  CapturedDiagnostics diagnostics(context);
  bool failed =
      Linker::linkModules(module, std::move(library), Linker::LinkOnlyNeeded,
                          [&](Module &, const StringSet<> &names) {
                            for (const auto &name : names)
                              linked.insert(name.getKey());
                          });
  std::string errors = diagnostics.takeErrors();
  if (failed || !errors.empty())
    return createStringError(inconvertibleErrorCode(),
                             "cannot link device library '" + path + "'" +
                                 (errors.empty() ? "" : ": " + errors));
  return Error::success();
}

/// Defines the declared control variable `control` in the IR.
static Error defineControlVariable(Module &module,
                                   const ControlVariable &control) {
  GlobalVariable *variable = module.getNamedGlobal(control.global);
  if (!variable || !variable->getValueType()->isIntegerTy(control.bits))
    return createStringError(inconvertibleErrorCode(),
                             "the device libraries declare '" + control.global +
                                 "' with a type other than i" +
                                 Twine(control.bits));
  variable->setInitializer(
      ConstantInt::get(variable->getValueType(), control.value));
  variable->setConstant(true);
  variable->setLinkage(GlobalValue::InternalLinkage);
  variable->setVisibility(GlobalValue::DefaultVisibility);
  return Error::success();
}

Error mxc::amdgpu::linkDeviceLibraries(Module &module, const ChipInfo &chip,
                                       StringRef dir) {
  auto pathOf = [&](StringRef file) {
    SmallString<256> path(dir);
    sys::path::append(path, file);
    return std::string(path);
  };
  StringSet<> linked;
  // ockl and ocml may call each other: link again until nothing more of
  // either is needed.
  for (bool progress = true; progress;) {
    progress = false;
    for (StringRef library : kDeviceLibraries) {
      bool needed = any_of(
          getUndefinedSymbols(module), [&](const UndefinedSymbol &symbol) {
            return isDeviceLibrarySymbol(symbol.name) &&
                   !StringRef(symbol.name).starts_with("__oclc_");
          });
      if (!needed)
        break;
      size_t before = linked.size();
      if (Error error = linkNeeded(module, pathOf(library), linked))
        return error;
      progress |= linked.size() != before;
    }
  }

  unsigned abiVersion = getOrSetCodeObjectVersion(module);
  for (const ControlVariable &control : getControlVariables(chip, abiVersion)) {
    if (!declares(module, control.global))
      continue;
    std::string path = pathOf(control.file + ".bc");
    if (sys::fs::is_regular_file(path)) {
      if (Error error = linkNeeded(module, path, linked))
        return error;
      // The shipped file must say what mxc means.
      const GlobalVariable *variable = module.getNamedGlobal(control.global);
      auto *value = variable && variable->hasInitializer()
                        ? dyn_cast<ConstantInt>(variable->getInitializer())
                        : nullptr;
      if (!value || value->getZExtValue() != control.value)
        return createStringError(inconvertibleErrorCode(),
                                 "device library '" + path + "' does not set " +
                                     control.global + " to " +
                                     Twine(control.value));
      continue;
    }
    if (Error error = defineControlVariable(module, control))
      return error;
  }

  // What the libraries brought in is private to this code object.
  internalizeModule(module, [&](const GlobalValue &value) {
    return !value.hasName() || !linked.contains(value.getName());
  });

  std::string problems;
  raw_string_ostream os(problems);
  if (verifyModule(module, &os))
    return createStringError(
        inconvertibleErrorCode(),
        "the module linked with the device libraries in '" + dir +
            "' is not valid IR: " + StringRef(problems).trim());
  return Error::success();
}
