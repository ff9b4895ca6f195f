//===- mxc.cpp - The mxc compiler -----------------------------------------===//
//
// Part of mxc. `mxc IN.mlir --target gfx950 -o OUT.hsaco`.
//
//===----------------------------------------------------------------------===//

#include "Inspect.h"
#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxFormats.h"
#include "mxc/Driver/KernelBuilders.h"
#include "mxc/Driver/Pipeline.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Support/FileUtilities.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/CommandLine.h"
#include "llvm/Support/Process.h"
#include "llvm/ADT/ScopeExit.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/InitLLVM.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <limits>
#include <optional>

using namespace llvm;
using namespace mxc;

static cl::OptionCategory mxcCategory("mxc options");

/// The most bytes of MLIR text mxc reads: a kernel file is kilobytes, and a
/// device or pipe with no end (/dev/zero) would otherwise fill memory.
static constexpr uint64_t kMaxInputBytes = uint64_t(256) << 20;

/// `path` ("-": standard input) read whole, or an error when it cannot be
/// read or holds more than kMaxInputBytes.
static Expected<std::unique_ptr<MemoryBuffer>>
readBoundedInput(StringRef path) {
  int fd = 0;
  if (path != "-") {
    if (std::error_code ec = sys::fs::openFileForRead(path, fd))
      return createStringError(ec, "cannot read '" + path + "': " +
                                       ec.message());
  }
  llvm::scope_exit closeFd([&] {
    if (path != "-")
      sys::Process::SafelyCloseFileDescriptor(fd);
  });
  std::string name = path == "-" ? "<stdin>" : path.str();
  // Reads in chunks and stops one byte past the limit.
  std::string text;
  sys::fs::file_t file = sys::fs::convertFDToNativeFile(fd);
  char chunk[1 << 16];
  while (text.size() <= kMaxInputBytes) {
    Expected<size_t> got =
        sys::fs::readNativeFile(file, MutableArrayRef<char>(chunk));
    if (!got)
      return createStringError(inconvertibleErrorCode(),
                               "cannot read '" + name +
                                   "': " + toString(got.takeError()));
    if (*got == 0)
      break;
    text.append(chunk, *got);
  }
  if (text.size() > kMaxInputBytes)
    return createStringError(inconvertibleErrorCode(),
                             "'" + name + "' holds more than " +
                                 Twine(kMaxInputBytes) +
                                 " bytes; mxc reads at most that much MLIR");
  return MemoryBuffer::getMemBufferCopy(text, name);
}
static cl::SubCommand
    gemmCommand("gemm",
                "Build a scaled-matmul kernel without writing MLIR:\n"
                "  mxc gemm --a-format F --b-format F --n N --k K [--m M] "
                "[--out bf16] [--bias] [--b-layout nk|kn] --target gfx950 -o "
                "FILE.hsaco");
static cl::SubCommand
    quantizeCommand("quantize",
                    "Build an MX quantize kernel without writing MLIR:\n"
                    "  mxc quantize --format F --k K [--in bf16|f16|f32] "
                    "[--rounding ceil|floor] --target gfx950 -o FILE.hsaco");
static cl::SubCommand dequantizeCommand(
    "dequantize", "Build an MX dequantize kernel without writing MLIR:\n"
                  "  mxc dequantize --format F --k K [--out bf16|f16|f32] "
                  "--target gfx950 -o FILE.hsaco");
static cl::SubCommand swigluCommand(
    "swiglu", "Build a SwiGLU-OAI kernel (optionally fused with an MX "
              "quantize) without writing MLIR:\n"
              "  mxc swiglu --i I [--layout split|interleaved] [--limit L] "
              "[--alpha A] [--beta B] [--in bf16|f16|f32] [--out "
              "bf16|f16|f32|e4m3|e5m2|e2m3|e3m2|e2m1] [--rounding ceil|floor] "
              "--target gfx950 -o FILE.hsaco");
static cl::SubCommand rmsnormCommand(
    "rmsnorm",
    "Build a Gemma RMSNorm kernel (optionally with a fused residual add and "
    "MX quantize) without writing MLIR:\n"
    "  mxc rmsnorm --h H [--residual] [--eps E] [--in bf16|f16|f32] [--out "
    "bf16|f16|f32|e4m3|e5m2|e2m3|e3m2|e2m1] [--rounding ceil|floor] --target "
    "gfx950 -o FILE.hsaco");
static cl::SubCommand
    inspectCommand("inspect",
                   "Report each kernel's registers, spills, scratch, LDS, "
                   "occupancy, arguments and hot-loop instruction mix, and "
                   "the launch plan:\n  mxc inspect [--json] FILE.hsaco...");
static cl::SubCommand &allCommands = cl::SubCommand::getAll();

static cl::opt<std::string> inputFile(cl::Positional, cl::desc("<input.mlir>"),
                                      cl::cat(mxcCategory));
static cl::opt<std::string> outputFile("o",
                                       cl::desc("Output file ('-' for stdout)"),
                                       cl::value_desc("file"), cl::init("-"),
                                       cl::cat(mxcCategory),
                                       cl::sub(allCommands));
static cl::opt<std::string> target("target",
                                   cl::desc("AMDGPU chip to compile for"),
                                   cl::value_desc("gfxNNN"), cl::init("gfx950"),
                                   cl::cat(mxcCategory), cl::sub(allCommands));
static cl::opt<driver::EmitKind>
    emit("emit", cl::desc("What to produce"), cl::init(driver::EmitKind::Hsaco),
         cl::values(clEnumValN(driver::EmitKind::Mlir, "mlir",
                               "MLIR lowered to the LLVM dialect"),
                    clEnumValN(driver::EmitKind::Llvm, "llvm",
                               "optimized amdgcn LLVM IR"),
                    clEnumValN(driver::EmitKind::Asm, "asm", "AMDGPU assembly"),
                    clEnumValN(driver::EmitKind::Hsaco, "hsaco",
                               "HSACO code object (default)")),
         cl::cat(mxcCategory), cl::sub(allCommands));
// Numeric flags are read as text and parsed strictly (parseWholeNumber):
// cl's integer parsers take signs, octal and hex and would let -5 through.
static cl::opt<std::string>
    optLevel("O", cl::desc("Optimization level 0-3 (default 3)"), cl::Prefix,
             cl::init("3"), cl::cat(mxcCategory), cl::sub(allCommands));
static cl::opt<bool> listTargets("list-targets",
                                 cl::desc("List the chips mxc compiles for"),
                                 cl::cat(mxcCategory));
static cl::opt<bool> noEmbedBitcode(
    "no-embed-bitcode",
    cl::desc("Leave the LLVM bitcode out of the code object (the simulator "
             "then cannot run it)"),
    cl::cat(mxcCategory), cl::sub(allCommands));
static cl::opt<bool> barePtrMemrefs(
    "bare-ptr-memrefs",
    cl::desc("Pass statically shaped memref kernel arguments as bare pointers"),
    cl::cat(mxcCategory));
static cl::opt<std::string> ldLld("ld-lld", cl::desc("Path of ld.lld"),
                                  cl::value_desc("path"), cl::cat(mxcCategory),
                                  cl::sub(allCommands));
static cl::opt<std::string> deviceLibs(
    "device-libs",
    cl::desc("Directory of the ROCm device libraries (ocml.bc, ockl.bc, "
             "oclc_*.bc) linked into kernels that call math functions or "
             "gpu.block_dim/grid_dim (default: the one found at configure "
             "time)"),
    cl::value_desc("dir"), cl::cat(mxcCategory), cl::sub(allCommands));
static cl::opt<std::string>
    config("config",
           cl::desc("Force every scaled matmul's kernel config, e.g. "
                    "mfma=32x32x64,tile=128x128x128,waves=2x2,prefetch=1 "
                    "or '#mx.gemm_config<...>'"),
           cl::value_desc("config"), cl::cat(mxcCategory),
           cl::sub(allCommands));
static cl::opt<std::string>
    tuneM("tune-m",
          cl::desc("M the kernel configs are tuned for where M is dynamic "
                   "(default 8192; every M still runs)"),
          cl::value_desc("M"), cl::init("8192"), cl::cat(mxcCategory),
          cl::sub(allCommands));
static cl::opt<std::string>
    mBuckets("m-buckets",
             cl::desc("Where M is dynamic: the largest M of each M bucket "
                      "below --tune-m, ascending (default 16,256: a kernel "
                      "for M <= 16, one for 17 to 256, one tuned for "
                      "--tune-m above), or 'none' for one kernel"),
             cl::value_desc("M,...|none"), cl::init("16,256"),
             cl::cat(mxcCategory), cl::sub(allCommands));
static cl::opt<std::string> printLaunch(
    "print-launch",
    cl::desc("Print each op's variants, the one chosen for the runtime sizes "
             "given (e.g. M=77) and its kernels' grids, blocks and dynamic "
             "LDS bytes (the code object is written only with -o FILE)"),
    cl::value_desc("SIZE=VALUE[,...]"), cl::cat(mxcCategory),
    cl::sub(allCommands));

static cl::opt<bool> printCost(
    "print-cost",
    cl::desc("mxc gemm: print the cost model's config and estimate for M = "
             "--m (or --tune-m) on one line, then compile as usual"),
    cl::cat(mxcCategory), cl::sub(gemmCommand));

// mxc gemm.
static cl::opt<std::string> aFormat("a-format",
                                    cl::desc("A's format: e4m3 e5m2 e2m3 e3m2 "
                                             "e2m1"),
                                    cl::cat(mxcCategory), cl::sub(gemmCommand));
static cl::opt<std::string> bFormat("b-format", cl::desc("B's format"),
                                    cl::cat(mxcCategory), cl::sub(gemmCommand));
static cl::opt<std::string> gemmN("n", cl::desc("N (columns of C)"),
                                  cl::value_desc("N"), cl::cat(mxcCategory),
                                  cl::sub(gemmCommand));
static cl::opt<std::string> gemmK("k", cl::desc("K (multiple of 32)"),
                                  cl::value_desc("K"), cl::cat(mxcCategory),
                                  cl::sub(gemmCommand),
                                  cl::sub(quantizeCommand),
                                  cl::sub(dequantizeCommand));
static cl::opt<std::string>
    gemmM("m",
          cl::desc("M to tune the config for (the kernel takes any M at run "
                   "time; default: --tune-m)"),
          cl::value_desc("M"), cl::cat(mxcCategory), cl::sub(gemmCommand));
static cl::opt<std::string>
    outType("out",
            cl::desc("Output type: bf16 f16 f32 (swiglu, rmsnorm: or an MX "
                     "format, quantized)"),
            cl::init("bf16"), cl::cat(mxcCategory), cl::sub(gemmCommand),
            cl::sub(dequantizeCommand), cl::sub(swigluCommand),
            cl::sub(rmsnormCommand));
static cl::opt<bool> withBias("bias", cl::desc("Add an f32 bias[N]"),
                              cl::cat(mxcCategory), cl::sub(gemmCommand));
static cl::opt<std::string> bLayout("b-layout",
                                    cl::desc("B as [N, K] (nk) or [K, N] (kn)"),
                                    cl::init("nk"), cl::cat(mxcCategory),
                                    cl::sub(gemmCommand));

// mxc quantize.
static cl::opt<std::string>
    quantFormat("format",
                cl::desc("MX element format: e4m3 e5m2 e2m3 e3m2 e2m1"),
                cl::cat(mxcCategory), cl::sub(quantizeCommand),
                cl::sub(dequantizeCommand));
static cl::opt<std::string>
    realType("in", cl::desc("Real input type: bf16 f16 f32"), cl::init("bf16"),
             cl::cat(mxcCategory), cl::sub(quantizeCommand),
             cl::sub(swigluCommand), cl::sub(rmsnormCommand));
static cl::opt<std::string> scaleRounding(
    "rounding", cl::desc("E8M0 scale rounding: ceil (default) or floor"),
    cl::init("ceil"), cl::cat(mxcCategory), cl::sub(quantizeCommand),
    cl::sub(swigluCommand), cl::sub(rmsnormCommand));

// mxc swiglu.
static cl::opt<std::string> swigluWidth("i",
                                        cl::desc("I (columns of the output; "
                                                 "the input has 2I)"),
                                        cl::value_desc("I"),
                                        cl::cat(mxcCategory),
                                        cl::sub(swigluCommand));
static cl::opt<std::string>
    swigluLayout("layout",
                 cl::desc("Where gate and up sit: split (gate = x[:, :I]) or "
                          "interleaved (gate = x[:, 0::2], default)"),
                 cl::init("interleaved"), cl::cat(mxcCategory),
                 cl::sub(swigluCommand));
static cl::opt<std::string> swigluLimit("limit",
                                        cl::desc("Clamp (none by default)"),
                                        cl::cat(mxcCategory),
                                        cl::sub(swigluCommand));
static cl::opt<std::string> swigluAlpha("alpha",
                                        cl::desc("alpha (default 1.702)"),
                                        cl::init("1.702"), cl::cat(mxcCategory),
                                        cl::sub(swigluCommand));
static cl::opt<std::string> swigluBeta("beta", cl::desc("beta (default 1.0)"),
                                       cl::init("1.0"), cl::cat(mxcCategory),
                                       cl::sub(swigluCommand));

// mxc rmsnorm.
static cl::opt<std::string> normWidth("h", cl::desc("H (columns)"),
                                      cl::value_desc("H"), cl::cat(mxcCategory),
                                      cl::sub(rmsnormCommand));
static cl::opt<bool> normResidual("residual",
                                  cl::desc("Add a residual first and write "
                                           "residual_out"),
                                  cl::cat(mxcCategory),
                                  cl::sub(rmsnormCommand));
static cl::opt<std::string> normEps("eps", cl::desc("eps (default 1e-6)"),
                                    cl::init("1e-6"), cl::cat(mxcCategory),
                                    cl::sub(rmsnormCommand));

// mxc inspect.
static cl::list<std::string> inspectFiles(cl::Positional, cl::OneOrMore,
                                          cl::desc("<FILE.hsaco>..."),
                                          cl::cat(mxcCategory),
                                          cl::sub(inspectCommand));
static cl::opt<bool> inspectJson("json",
                                 cl::desc("Print JSON (isa_stats.py's fields)"),
                                 cl::cat(mxcCategory), cl::sub(inspectCommand));

static int fail(const Twine &message) {
  WithColor::error(errs(), "mxc") << message << "\n";
  return 1;
}

/// The largest value a kernel's 32-bit M (or other size) argument holds.
static constexpr int64_t kMaxInt32 = std::numeric_limits<int32_t>::max();
static constexpr int64_t kMaxInt64 = std::numeric_limits<int64_t>::max();

/// A whole number from `min` to `max` written in decimal digits only: no
/// sign, base prefix, fraction or exponent; too large is an error, never a
/// wrap or a truncation. On failure sets `error` to why.
static std::optional<int64_t>
parseWholeNumber(StringRef text, int64_t min, int64_t max, std::string &error) {
  int64_t value;
  if (text.empty() || !all_of(text, isDigit)) {
    error = "'" + text.str() + "' is not a whole number (decimal digits only)";
    return std::nullopt;
  }
  if (text.getAsInteger(10, value) || value < min || value > max) {
    error = ("expected a whole number from " + Twine(min) + " to " +
             Twine(max) + ", got " + text)
                .str();
    return std::nullopt;
  }
  return value;
}

/// Parses numeric flag `flag`'s text, or prints "--flag TEXT: why" (or that
/// it is missing).
static std::optional<int64_t> parseFlag(StringRef flag, StringRef text,
                                        int64_t min, int64_t max) {
  if (text.empty()) {
    WithColor::error(errs(), "mxc") << flag << " needs a value\n";
    return std::nullopt;
  }
  std::string error;
  std::optional<int64_t> value = parseWholeNumber(text, min, max, error);
  if (!value)
    WithColor::error(errs(), "mxc")
        << flag << " " << text << ": " << error << "\n";
  return value;
}

/// The MLIR of `mxc gemm`'s kernel, or an error message (KernelBuilders.h).
static Expected<std::string> makeGemmModule(mlir::MLIRContext &context,
                                            int64_t nValue, int64_t kValue) {
  return driver::buildGemmModule(
      context, {aFormat, bFormat, nValue, kValue, outType, withBias, bLayout});
}

/// The MLIR of `mxc quantize`'s kernel (rows M dynamic), or an error message.
static Expected<std::string> makeQuantizeModule(mlir::MLIRContext &context,
                                                int64_t kValue) {
  return driver::buildQuantizeModule(
      context, {quantFormat, kValue, realType, scaleRounding});
}

/// The MLIR of `mxc dequantize`'s kernel (rows M dynamic), or an error
/// message.
static Expected<std::string> makeDequantizeModule(mlir::MLIRContext &context,
                                                  int64_t kValue) {
  return driver::buildDequantizeModule(context, {quantFormat, kValue, outType});
}

/// A real number flag's value, or an error naming the flag: finite decimal
/// or exponent notation only (the builders check it fits an f32).
static Expected<double> realFlag(StringRef flag, StringRef text) {
  double value;
  if (text.empty() || text.trim() != text || text.getAsDouble(value) ||
      !std::isfinite(value))
    return createStringError(inconvertibleErrorCode(),
                             flag + " " + text + ": expected a finite number");
  return value;
}

/// The MLIR of `mxc swiglu`'s kernel (rows M dynamic), or an error message.
static Expected<std::string> makeSwigluModule(mlir::MLIRContext &context,
                                              int64_t width) {
  driver::SwigluSpec spec;
  spec.i = width;
  spec.layout = swigluLayout;
  spec.in = realType;
  spec.out = outType;
  spec.rounding = scaleRounding;
  Expected<double> alpha = realFlag("--alpha", swigluAlpha);
  if (!alpha)
    return alpha.takeError();
  Expected<double> beta = realFlag("--beta", swigluBeta);
  if (!beta)
    return beta.takeError();
  spec.alpha = *alpha;
  spec.beta = *beta;
  if (!swigluLimit.empty()) {
    Expected<double> limit = realFlag("--limit", swigluLimit);
    if (!limit)
      return limit.takeError();
    spec.limit = *limit;
  }
  return driver::buildSwigluModule(context, spec);
}

/// The MLIR of `mxc rmsnorm`'s kernel (rows M dynamic), or an error
/// message.
static Expected<std::string> makeRmsNormModule(mlir::MLIRContext &context,
                                               int64_t width) {
  driver::RmsNormSpec spec;
  spec.h = width;
  spec.residual = normResidual;
  spec.in = realType;
  spec.out = outType;
  spec.rounding = scaleRounding;
  Expected<double> eps = realFlag("--eps", normEps);
  if (!eps)
    return eps.takeError();
  spec.eps = *eps;
  return driver::buildRmsNormModule(context, spec);
}

int main(int argc, char **argv) {
  InitLLVM init(argc, argv);
  cl::HideUnrelatedOptions(mxcCategory);
  cl::ParseCommandLineOptions(argc, argv,
                              "mxc: MX kernel compiler for AMD GPUs\n");

  if (inspectCommand)
    return tools::runInspect(inspectFiles, inspectJson);
  if (listTargets) {
    for (const amdgpu::ChipInfo &chip : amdgpu::getChips())
      outs() << chip.name << "\t" << chip.description << "\n";
    return 0;
  }
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip(target);
  if (!chip)
    return fail("unknown target '" + target +
                "'; valid targets: " + amdgpu::listChipNames());
  std::string numberError;
  std::optional<int64_t> level = parseWholeNumber(optLevel, 0, 3, numberError);
  if (!level)
    return fail("-O" + optLevel + " is not a level; use -O0 to -O3");
  // M is a 32-bit kernel argument: a size to tune for must fit.
  std::optional<int64_t> tuneFor = parseFlag("--tune-m", tuneM, 1, kMaxInt32);
  if (!tuneFor)
    return 1;
  if (gemmCommand && !gemmM.empty()) {
    tuneFor = parseFlag("--m", gemmM, 1, kMaxInt32);
    if (!tuneFor)
      return 1;
  }
  // --m-buckets: ascending Ms below 2^31 - 1, or none.
  if (StringRef(mBuckets) != "none") {
    SmallVector<StringRef> bounds;
    StringRef(mBuckets).split(bounds, ',');
    int64_t previous = 0;
    for (StringRef bound : bounds) {
      std::optional<int64_t> v =
          parseWholeNumber(bound, 1, kMaxInt32 - 1, numberError);
      if (!v)
        return fail("--m-buckets " + mBuckets + ": " + numberError +
                    " (or 'none')");
      if (*v <= previous)
        return fail("--m-buckets " + mBuckets + ": bounds must ascend; " +
                    Twine(*v) + " follows " + Twine(previous));
      previous = *v;
    }
  }
  // --print-launch NAME=VALUE,...: runtime sizes by name.
  StringMap<int64_t> launchSizes;
  SmallVector<StringRef> items;
  StringRef(printLaunch).split(items, ',');
  for (StringRef item : items) {
    if (item.empty())
      continue;
    auto [key, value] = item.split('=');
    if (key.empty() || !item.contains('='))
      return fail("--print-launch wants SIZE=VALUE[,...] (got '" + printLaunch +
                  "')");
    std::optional<int64_t> v =
        parseWholeNumber(value, 0, kMaxInt64, numberError);
    if (!v)
      return fail("--print-launch " + item + ": " + numberError);
    if (!launchSizes.try_emplace(key, *v).second)
      return fail("--print-launch: " + key + " is given twice");
  }
  bool printPlan = !printLaunch.empty();
  bool writeOutput = !printPlan || outputFile != "-";
  mlir::DialectRegistry registry;
  driver::registerDialects(registry);
  mlir::MLIRContext context(registry);
  context.loadAllAvailableDialects();
  // One line per error: no dump of the operation under it.
  context.printOpOnDiagnostic(false);
  // The config becomes a verified #mx.gemm_config here, so a bad one is an
  // error of the flag rather than of some op.
  mx::GemmConfigAttr configAttr;
  if (!config.empty()) {
    std::string error;
    configAttr = parseGemmConfig(&context, config, error);
    if (!configAttr)
      return fail("--config: " + error);
  }

  std::string errorMessage;
  std::unique_ptr<MemoryBuffer> input;
  // A row kernel's module from its width flag, as the input; false after
  // reporting why not.
  auto readRowWidth =
      [&](StringRef flag, StringRef text, int64_t limit,
          Expected<std::string> (*make)(mlir::MLIRContext &, int64_t),
          StringRef file) {
        std::optional<int64_t> width = parseFlag(flag, text, 1, limit);
        if (!width)
          return false;
        Expected<std::string> module = make(context, *width);
        if (!module) {
          fail(toString(module.takeError()));
          return false;
        }
        input = MemoryBuffer::getMemBufferCopy(*module, file);
        return true;
      };
  if (gemmCommand) {
    std::optional<int64_t> n = parseFlag("--n", gemmN, 1, kMaxInt64);
    if (!n)
      return 1;
    std::optional<int64_t> k = parseFlag("--k", gemmK, 1, kMaxInt64);
    if (!k)
      return 1;
    Expected<std::string> text = makeGemmModule(context, *n, *k);
    if (!text)
      return fail(toString(text.takeError()));
    input = MemoryBuffer::getMemBufferCopy(*text, "gemm.mlir");
    if (printCost) {
      // The problem mx-select-config sees for the tuned M, and the config it
      // (or --config) gives it.
      GemmProblem problem;
      problem.a = amdgpu::MatrixElement(
          unsigned(mx::getFormatInfo(StringRef(aFormat))->format));
      problem.b = amdgpu::MatrixElement(
          unsigned(mx::getFormatInfo(StringRef(bFormat))->format));
      problem.m = *tuneFor;
      problem.n = *n;
      problem.k = *k;
      problem.bTransposed = bLayout == "kn";
      problem.cBytes = outType == "f32" ? 4 : 2;
      std::optional<GemmConfig> chosen = configAttr
                                             ? toGemmConfig(configAttr)
                                             : selectGemmConfig(problem, *chip);
      if (!chosen)
        return fail("--print-cost: no config for this problem on " + target);
      if (std::string why = checkGemmConfig(problem, *chosen, *chip);
          !why.empty())
        return fail("--print-cost: " + why);
      GemmCost cost = estimateGemmCost(problem, *chosen, *chip);
      outs() << "cost: M=" << problem.m << " config "
             << printGemmConfig(*chosen) << " vgprs " << cost.vgprs << " sgprs "
             << cost.sgprs << " cycles " << format("%.0f", cost.cycles)
             << " us " << format("%.2f", cost.microseconds) << " matrix_peak "
             << format("%.1f", cost.percentOfMatrixPeak) << "\n";
    }
  } else if (quantizeCommand) {
    if (!readRowWidth("--k", gemmK, kMaxInt64, makeQuantizeModule,
                      "quantize.mlir"))
      return 1;
  } else if (dequantizeCommand) {
    if (!readRowWidth("--k", gemmK, kMaxInt64, makeDequantizeModule,
                      "dequantize.mlir"))
      return 1;
  } else if (swigluCommand) {
    if (!readRowWidth("--i", swigluWidth, kMaxInt64 / 4, makeSwigluModule,
                      "swiglu.mlir"))
      return 1;
  } else if (rmsnormCommand) {
    if (!readRowWidth("--h", normWidth, kMaxInt64 / 4, makeRmsNormModule,
                      "rmsnorm.mlir"))
      return 1;
  } else {
    if (inputFile.empty())
      return fail(
          "no input file; usage: mxc IN.mlir --target gfx950 -o OUT.hsaco");
    Expected<std::unique_ptr<MemoryBuffer>> read = readBoundedInput(inputFile);
    if (!read)
      return fail(toString(read.takeError()));
    input = std::move(*read);
  }
  if (writeOutput && emit == driver::EmitKind::Hsaco && outputFile == "-" &&
      outs().is_displayed())
    return fail(
        "refusing to write a binary code object to a terminal; use -o FILE");

  SourceMgr sourceMgr;
  sourceMgr.AddNewSourceBuffer(std::move(input), SMLoc());
  mlir::SourceMgrDiagnosticHandler diagHandler(sourceMgr, &context);
  // `mxc gemm` wrote its module itself: its diagnostics name the flags (the
  // op's location) instead of a line of that text. Registered last, this
  // handler sees diagnostics first.
  std::optional<mlir::ScopedDiagnosticHandler> gemmDiagnostics;
  if (gemmCommand || quantizeCommand || dequantizeCommand || swigluCommand ||
      rmsnormCommand)
    gemmDiagnostics.emplace(&context, [](mlir::Diagnostic &diag) {
      std::string where;
      if (auto name = dyn_cast<mlir::NameLoc>(diag.getLocation()))
        where = name.getName().str() + ": ";
      if (diag.getSeverity() == mlir::DiagnosticSeverity::Error)
        WithColor::error(errs(), "mxc") << where << diag.str() << "\n";
      else if (diag.getSeverity() == mlir::DiagnosticSeverity::Warning)
        WithColor::warning(errs(), "mxc") << where << diag.str() << "\n";
      return mlir::success();
    });
  mlir::OwningOpRef<mlir::ModuleOp> module =
      mlir::parseSourceFile<mlir::ModuleOp>(sourceMgr, &context);
  if (!module)
    return 1; // the parser or verifier reported file:line:col

  driver::CompileOptions options;
  options.chip = chip;
  options.optLevel = unsigned(*level);
  options.emit = emit;
  options.embedBitcode = !noEmbedBitcode;
  options.barePtrMemrefs = barePtrMemrefs;
  options.ldLldPath = ldLld;
  options.deviceLibsPath = deviceLibs;
  options.config = config;
  options.tuneM = *tuneFor;
  options.mBuckets = mBuckets;
  amdgpu::LaunchPlan plan;
  mlir::FailureOr<std::string> result =
      driver::compile(*module, options, &plan);
  if (failed(result))
    return 1;
  if (printPlan) {
    for (const amdgpu::PlanProgram &program : plan.programs) {
      std::vector<int64_t> sizes;
      for (const amdgpu::PlanSize &size : program.sizes) {
        auto it = launchSizes.find(size.name);
        if (it == launchSizes.end())
          return fail("--print-launch: program '" + program.name +
                      "' needs runtime size " + size.name + "=VALUE");
        sizes.push_back(it->second);
      }
      for (const amdgpu::PlanDispatch &dispatch : program.dispatches) {
        // The variants, the one these sizes choose marked with '*'.
        Expected<unsigned> chosen =
            amdgpu::selectVariant(program, dispatch, sizes);
        if (!chosen)
          return fail("--print-launch " + printLaunch + ": " +
                      toString(chosen.takeError()));
        outs() << program.name << ": " << dispatch.op << ", "
               << dispatch.variants.size()
               << (dispatch.variants.size() == 1 ? " variant" : " variants")
               << "; " << printLaunch << " runs variant " << *chosen << "\n";
        for (auto [v, variant] : llvm::enumerate(dispatch.variants)) {
          outs() << (v == *chosen ? "* " : "  ") << "variant " << v << ": "
                 << amdgpu::describeWhen(program, variant) << ":";
          for (const amdgpu::PlanLaunch &launch : variant.launches)
            outs() << " " << launch.kernel;
          if (variant.launches.empty())
            outs() << " no launch";
          outs() << "\n";
        }
        for (const amdgpu::PlanLaunch &launch :
             dispatch.variants[*chosen].launches) {
          int64_t grid[3];
          for (unsigned d = 0; d < 3; ++d) {
            grid[d] = launch.grid[d].evaluate(sizes);
            if (grid[d] > int64_t(UINT32_MAX))
              return fail("--print-launch " + printLaunch + ": " +
                          launch.kernel + " needs " + Twine(grid[d]) +
                          " workgroups in grid dimension " + Twine(d) +
                          "; at most 4294967295 exist");
          }
          // A size passed in 4 bytes must fit them.
          for (const amdgpu::PlanArg &arg : launch.args)
            if (arg.kind == amdgpu::PlanArg::Kind::Size && arg.bytes == 4 &&
                sizes[arg.index] > kMaxInt32)
              return fail("--print-launch " + printLaunch + ": " +
                          launch.kernel + " takes " +
                          program.sizes[arg.index].name +
                          " as a 32-bit argument; at most " + Twine(kMaxInt32));
          outs() << launch.kernel << ": grid " << grid[0] << "," << grid[1]
                 << "," << grid[2] << " block " << launch.block[0] << ","
                 << launch.block[1] << "," << launch.block[2] << " lds "
                 << launch.dynamicLdsBytes;
          if (!launch.config.empty())
            outs() << " config " << launch.config;
          outs() << "\n";
        }
      }
    }
    if (!writeOutput)
      return 0;
  }

  std::unique_ptr<ToolOutputFile> output =
      mlir::openOutputFile(outputFile, &errorMessage);
  if (!output)
    return fail(errorMessage);
  output->os() << *result;
  output->os().close();
  if (output->os().has_error()) {
    // Cleared, or the stream's destructor would end in a fatal error.
    std::string message = output->os().error().message();
    output->os().clear_error();
    return fail("cannot write '" + outputFile + "': " + message);
  }
  output->keep();
  return 0;
}
