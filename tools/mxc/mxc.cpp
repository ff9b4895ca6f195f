//===- mxc.cpp - The mxc compiler -----------------------------------------===//
//
// Part of mxc. `mxc IN.mlir --target gfx950 -o OUT.hsaco`.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/Pipeline.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mxc;

static cl::OptionCategory mxcCategory("mxc options");

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::cat(mxcCategory));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(mxcCategory));
static cl::opt<std::string> target("target",
                                   cl::desc("AMDGPU chip to compile for"),
                                   cl::value_desc("gfxNNN"), cl::init("gfx950"),
                                   cl::cat(mxcCategory));
static cl::opt<driver::EmitKind>
    emit("emit", cl::desc("What to produce"), cl::init(driver::EmitKind::Hsaco),
         cl::values(clEnumValN(driver::EmitKind::Mlir, "mlir",
                               "MLIR lowered to the LLVM dialect"),
                    clEnumValN(driver::EmitKind::Llvm, "llvm",
                               "optimized amdgcn LLVM IR"),
                    clEnumValN(driver::EmitKind::Asm, "asm", "AMDGPU assembly"),
                    clEnumValN(driver::EmitKind::Hsaco, "hsaco",
                               "HSACO code object (default)")),
         cl::cat(mxcCategory));
static cl::opt<unsigned>
    optLevel("O", cl::desc("Optimization level 0-3 (default 3)"), cl::Prefix,
             cl::init(3), cl::cat(mxcCategory));
static cl::opt<bool> listTargets("list-targets",
                                 cl::desc("List the chips mxc compiles for"),
                                 cl::cat(mxcCategory));
static cl::opt<bool> noEmbedBitcode(
    "no-embed-bitcode",
    cl::desc("Leave the LLVM bitcode out of the code object (the simulator "
             "then cannot run it)"),
    cl::cat(mxcCategory));
static cl::opt<bool> barePtrMemrefs(
    "bare-ptr-memrefs",
    cl::desc("Pass statically shaped memref kernel arguments as bare pointers"),
    cl::cat(mxcCategory));
static cl::opt<std::string> ldLld("ld-lld", cl::desc("Path of ld.lld"),
                                  cl::value_desc("path"), cl::cat(mxcCategory));

static int fail(const Twine &message) {
  WithColor::error(errs(), "mxc") << message << "\n";
  return 1;
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(mxcCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "mxc: MX kernel compiler for AMD GPUs\n");

  if (listTargets) {
    for (const amdgpu::ChipInfo &chip : amdgpu::getChips())
      outs() << chip.name << "\t" << chip.description << "\n";
    return 0;
  }
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip(target);
  if (!chip)
    return fail("unknown target '" + target +
                "'; valid targets: " + amdgpu::listChipNames());
  if (optLevel > 3)
    return fail("-O" + Twine(optLevel) + " is not a level; use -O0 to -O3");
  if (inputFile.empty())
    return fail(
        "no input file; usage: mxc IN.mlir --target gfx950 -o OUT.hsaco");
  if (emit == driver::EmitKind::Hsaco && outputFile == "-" &&
      outs().is_displayed())
    return fail(
        "refusing to write a binary code object to a terminal; use -o FILE");

  std::string errorMessage;
  std::unique_ptr<MemoryBuffer> input =
      mlir::openInputFile(inputFile, &errorMessage);
  if (!input)
    return fail(errorMessage);

  mlir::DialectRegistry registry;
  driver::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();

  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // the parser or verifier reported file:line:col

  driver::CompileOptions options;
  options.chip = chip;
  options.optLevel = optLevel;
  options.emit = emit;
  options.embedBitcode = !noEmbedBitcode;
  options.barePtrMemrefs = barePtrMemrefs;
  options.ldLldPath = ldLld;
  mlir::FailureOr<std::string> result = driver::compile(*module, options);
  if (failed(result))
    return 1;

  std::unique_ptr<ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &errorMessage);
  if (!output)
    return fail(errorMessage);
  output->os() << *result;
  output->os().flush();
  if (output->os().has_error())
    return fail("cannot write '" + outputFile + "'");
  output->keep();
  return 0;
}
