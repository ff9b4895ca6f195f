//===- SelectedConfigRegistersTest.cpp - Selected configs never spill -----===//
//
// Part of mxc. Every config the cost model selects for the model shapes of
// docs/gemm.md ("Model shapes"), for every pair of MX formats, at the M of
// decode, prefill and the default M buckets, is compiled by the real
// pipeline for gfx950; the code object's own metadata (the backend's count,
// not the cost model's register estimate) must show no VGPR or SGPR spills,
// no scratch and no dynamic stack.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/Pipeline.h"
#include "mxc/Target/AMDGPU/Chips.h"
#include "mxc/Target/AMDGPU/CodeObjectReader.h"
#include "mxc/Transforms/GemmConfig.h"

#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/ThreadPool.h"
#include "llvm/Support/Threading.h"
#include "gtest/gtest.h"

#include <iostream>
#include <map>
#include <mutex>
#include <set>
#include <tuple>

using namespace mxc;
using amdgpu::MatrixElement;

namespace {

/// The five MX element formats: MLIR type and short name.
struct Format {
  MatrixElement element;
  const char *type;
  const char *name;
};
const Format kFormats[] = {{MatrixElement::E4M3, "f8E4M3FN", "e4m3"},
                           {MatrixElement::E5M2, "f8E5M2", "e5m2"},
                           {MatrixElement::E2M3, "f6E2M3FN", "e2m3"},
                           {MatrixElement::E3M2, "f6E3M2FN", "e3m2"},
                           {MatrixElement::E2M1, "f4E2M1FN", "e2m1"}};

/// Weight shapes (N, K) of the models: gpt-oss (attention output,
/// MLP gate/up, QKV), DeepSeek-V3 (MoE gate/up, down), Llama-3-70B (QKV,
/// gate/up, down), and the square 8192 x 8192.
const std::pair<int64_t, int64_t> kShapes[] = {
    {2880, 4096},  {5760, 2880},  {5120, 2880},  {36864, 7168}, {7168, 18432},
    {10240, 8192}, {57344, 8192}, {8192, 28672}, {8192, 8192}};

/// The M a config is chosen for: decode (1, 16), a small batch (128),
/// prefill (8192), and the largest M of each default M bucket with the M the
/// last one is tuned for (driver::CompileOptions).
std::set<int64_t> getTunedMs() {
  std::set<int64_t> ms = {1, 16, 128, 8192};
  driver::CompileOptions defaults;
  llvm::SmallVector<llvm::StringRef> bounds;
  llvm::StringRef(defaults.mBuckets).split(bounds, ',');
  for (llvm::StringRef bound : bounds) {
    int64_t m = 0;
    if (!bound.getAsInteger(10, m) && m < defaults.tuneM)
      ms.insert(m);
  }
  ms.insert(defaults.tuneM);
  return ms;
}

/// The kernel a (problem, config) pair compiles to depends on M only
/// through the config: M is a run-time argument.
struct KernelKey {
  unsigned a, b;
  int64_t n, k;
  std::string config;
  bool operator<(const KernelKey &o) const {
    return std::tie(a, b, n, k, config) <
           std::tie(o.a, o.b, o.n, o.k, o.config);
  }
};

std::string makeModule(const Format &a, const Format &b, int64_t n, int64_t k) {
  std::string ks = std::to_string(k), ns = std::to_string(n),
              kb = std::to_string(k / 32);
  std::string ta = "memref<?x" + ks + "x" + a.type + ">";
  std::string sa = "memref<?x" + kb + "xf8E8M0FNU>";
  std::string tb = "memref<" + ns + "x" + ks + "x" + b.type + ">";
  std::string sb = "memref<" + ns + "x" + kb + "xf8E8M0FNU>";
  std::string tc = "memref<?x" + ns + "xbf16>";
  return "func.func @mm(%a: " + ta + ", %sa: " + sa + ", %b: " + tb +
         ", %sb: " + sb + ", %c: " + tc +
         ") {\n  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c : " + ta + "[" + sa +
         "] * " + tb + "[" + sb + "] -> " + tc + "\n  return\n}\n";
}

/// The one kernel of `text` compiled with `config` forced, as its code
/// object's metadata describes it; none and `error` when that fails.
std::optional<amdgpu::KernelInfo> compileKernel(const std::string &text,
                                                const std::string &config,
                                                const amdgpu::ChipInfo &chip,
                                                std::string &error) {
  mlir::DialectRegistry registry;
  driver::registerDialects(registry);
  // The test compiles many kernels in parallel, one context each.
  mlir::MLIRContext context(registry, mlir::MLIRContext::Threading::DISABLED);
  std::string diagnostics;
  mlir::ScopedDiagnosticHandler capture(&context, [&](mlir::Diagnostic &d) {
    diagnostics += d.str() + "\n";
    return mlir::success();
  });
  auto module = mlir::parseSourceString<mlir::ModuleOp>(text, &context);
  if (!module) {
    error = "does not parse: " + diagnostics;
    return std::nullopt;
  }
  driver::CompileOptions options;
  options.chip = &chip;
  options.config = config;
  options.mBuckets = "none";
  options.embedBitcode = false;
  mlir::FailureOr<std::string> hsaco = driver::compile(*module, options);
  if (failed(hsaco)) {
    error = "does not compile: " + diagnostics;
    return std::nullopt;
  }
  auto info = amdgpu::readCodeObject(llvm::MemoryBufferRef(*hsaco, "mm"));
  if (!info) {
    error = llvm::toString(info.takeError());
    return std::nullopt;
  }
  if (info->kernels.size() != 1) {
    error = std::to_string(info->kernels.size()) + " kernels, expected one";
    return std::nullopt;
  }
  return info->kernels[0];
}

/// What in `kernel`'s metadata is not spill-free, or "".
std::string checkSpillFree(const amdgpu::KernelInfo &kernel) {
  std::string why;
  if (kernel.vgprSpillCount)
    why += " " + std::to_string(kernel.vgprSpillCount) + " VGPR spills;";
  if (kernel.sgprSpillCount)
    why += " " + std::to_string(kernel.sgprSpillCount) + " SGPR spills;";
  if (kernel.privateSegmentFixedSize)
    why += " " + std::to_string(kernel.privateSegmentFixedSize) +
           " bytes of scratch a lane;";
  if (kernel.usesDynamicStack)
    why += " a dynamic stack;";
  if (!why.empty())
    why += " (" + std::to_string(kernel.vgprCount) + " registers, " +
           std::to_string(kernel.agprCount) + " AGPRs)";
  return why;
}

/// A problem the selector is asked about.
struct Selection {
  std::string name;
  int64_t n, k;
  GemmConfig config;
};

/// The configs the selector chooses for `a` x `b`: every model shape at
/// every tuned M, in one order.
std::vector<Selection> selectAll(const Format &a, const Format &b,
                                 const amdgpu::ChipInfo &chip) {
  std::vector<Selection> chosen;
  for (auto [n, k] : kShapes)
    for (int64_t m : getTunedMs()) {
      GemmProblem problem;
      problem.a = a.element;
      problem.b = b.element;
      problem.m = m;
      problem.n = n;
      problem.k = k;
      problem.cBytes = 2;
      std::string name = std::string(a.name) + " x " + b.name +
                         " M=" + std::to_string(m) + " N=" + std::to_string(n) +
                         " K=" + std::to_string(k);
      std::optional<GemmConfig> config = selectGemmConfig(problem, chip);
      EXPECT_TRUE(config.has_value()) << name << ": no config";
      if (config)
        chosen.push_back({name, n, k, *config});
    }
  return chosen;
}

/// The format whose kernels stand for those of `format`'s width: E4M3 for
/// FP8, E2M3 for FP6, E2M1 for FP4.
unsigned getRepresentative(unsigned format) {
  return format == 1 ? 0 : format == 3 ? 2 : format;
}
const unsigned kRepresentatives[] = {0, 2, 4};

} // namespace

// Formats of one width select alike (the cost model sees bits only), so
// with SameWidthSameRegisters below, ModelShapesNeverSpill's 9 width pairs
// cover all 25 format pairs.
TEST(SelectedConfigRegistersTest, SameWidthSameConfigs) {
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip("gfx950");
  ASSERT_NE(chip, nullptr);
  for (unsigned a = 0; a < std::size(kFormats); ++a)
    for (unsigned b = 0; b < std::size(kFormats); ++b) {
      unsigned ra = getRepresentative(a), rb = getRepresentative(b);
      if (ra == a && rb == b)
        continue;
      std::vector<Selection> mine = selectAll(kFormats[a], kFormats[b], *chip),
                             theirs =
                                 selectAll(kFormats[ra], kFormats[rb], *chip);
      ASSERT_EQ(mine.size(), theirs.size());
      for (auto [x, y] : llvm::zip(mine, theirs))
        EXPECT_EQ(printGemmConfig(x.config), printGemmConfig(y.config))
            << x.name << " vs " << y.name;
    }
}

// E5M2 and E3M2 kernels differ from E4M3's and E2M3's only in the matrix
// instruction's format codes: the backend gives them the same registers.
TEST(SelectedConfigRegistersTest, SameWidthSameRegisters) {
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip("gfx950");
  ASSERT_NE(chip, nullptr);
  // gpt-oss gate/up has a K tail (2880 % 128 = 64); both instructions.
  const char *configs[] = {
      "mfma=32x32x64,tile=128x128x256,waves=2x2,prefetch=1",
      "mfma=16x16x128,tile=16x64x512,waves=1x2,prefetch=1"};
  auto metadata = [&](unsigned a, unsigned b, const char *config) {
    std::string error;
    std::optional<amdgpu::KernelInfo> kernel = compileKernel(
        makeModule(kFormats[a], kFormats[b], 5760, 2880), config, *chip, error);
    EXPECT_TRUE(kernel.has_value()) << error;
    if (!kernel)
      return std::make_tuple(0u, 0u, 0u, 0u, 0u);
    return std::make_tuple(kernel->vgprCount, kernel->agprCount,
                           kernel->sgprCount, kernel->vgprSpillCount,
                           kernel->privateSegmentFixedSize);
  };
  for (const char *config : configs)
    for (auto [a, b] : {std::pair(1u, 3u), std::pair(3u, 1u)})
      EXPECT_EQ(metadata(a, b, config),
                metadata(getRepresentative(a), getRepresentative(b), config))
          << kFormats[a].name << " x " << kFormats[b].name << " " << config;
}

TEST(SelectedConfigRegistersTest, ModelShapesNeverSpill) {
  const amdgpu::ChipInfo *chip = amdgpu::lookupChip("gfx950");
  ASSERT_NE(chip, nullptr);
  // Each kernel the selector chooses, with the problems that chose it.
  std::map<KernelKey, std::vector<std::string>> kernels;
  for (unsigned a : kRepresentatives)
    for (unsigned b : kRepresentatives)
      for (const Selection &s : selectAll(kFormats[a], kFormats[b], *chip))
        kernels[{a, b, s.n, s.k, printGemmConfig(s.config)}].push_back(s.name);

  std::map<KernelKey, std::string> failures;
  std::mutex mutex;
  {
    llvm::DefaultThreadPool pool(llvm::hardware_concurrency());
    for (const auto &entry : kernels) {
      const KernelKey &key = entry.first;
      pool.async([&, key] {
        std::string error;
        std::optional<amdgpu::KernelInfo> kernel = compileKernel(
            makeModule(kFormats[key.a], kFormats[key.b], key.n, key.k),
            key.config, *chip, error);
        std::string why = kernel ? checkSpillFree(*kernel) : error;
        std::lock_guard<std::mutex> lock(mutex);
        if (!why.empty())
          failures[key] = why;
      });
    }
    pool.wait();
  }
  for (const auto &[key, why] : failures)
    ADD_FAILURE() << key.config << " for " << kFormats[key.a].name << " x "
                  << kFormats[key.b].name << " N=" << key.n << " K=" << key.k
                  << ":" << why << "\n  chosen for "
                  << llvm::join(kernels[key], ", ");
  std::cout << "[ INFO     ] " << kernels.size() << " kernels compiled, "
            << failures.size() << " spill\n";
}
