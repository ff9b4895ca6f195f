//===- RowKernelRun.h - Row-wise mx ops in the simulator -------*- C++ -*-===//
//
// Part of mxc. Compiles a module holding one row-wise mx op (swiglu,
// rmsnorm) with the real pipeline for a chip, selects its launch for a
// runtime M, and runs it in the simulator with the race, barrier and
// LDS-initialisation checks on exactly sized buffers (an access out of
// bounds fails the run). Also what the row-kernel tests share about chips.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TEST_UNITTESTS_CONVERSION_ROWKERNELRUN_H
#define MXC_TEST_UNITTESTS_CONVERSION_ROWKERNELRUN_H

#include "../CompileMlir.h"
#include "../Sim/TestIR.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/Chips.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

#include <string>
#include <vector>

namespace mxc::test {

/// The chips the row kernels run on besides gfx950 (every other chip of
/// --list-targets): each runs a representative set of each test's cases,
/// gfx950 all of them.
inline std::vector<std::string> otherRowKernelChips() {
  std::vector<std::string> chips;
  for (const amdgpu::ChipInfo &chip : amdgpu::getChips())
    if (chip.name != "gfx950")
      chips.push_back(chip.name.str());
  return chips;
}

/// Runs `launch` of the kernels in `ir` for M = `m` on `buffers` (each
/// uploaded as the kernel's pointer arguments in order, M last), which
/// receive the results; the race, barrier and initialisation checks are on.
/// Fails the test (gtest) on any error.
inline void runRowLaunch(const std::string &ir, const amdgpu::ChipInfo &chip,
                         const amdgpu::PlanLaunch &launch, int64_t m,
                         std::vector<std::vector<uint8_t>> &buffers) {
  auto sim = sim::Simulator::load(llvm::MemoryBufferRef(ir, "k.ll"), chip);
  ASSERT_TRUE(bool(sim)) << llvm::toString(sim.takeError());
  sim::CheckOptions checks;
  checks.race = checks.sync = checks.init = true;
  sim->setCheckOptions(checks);
  sim::Memory memory;
  std::vector<uint64_t> addresses;
  using Kind = sim::ArgValue::Kind;
  std::vector<sim::ArgValue> args;
  for (auto [i, bytes] : llvm::enumerate(buffers)) {
    addresses.push_back(
        upload(memory, bytes.data(), bytes.size(), "arg" + std::to_string(i)));
    args.push_back({Kind::Pointer, addresses.back()});
  }
  args.push_back({Kind::I32, uint64_t(m)});
  const int64_t sizes[] = {m};
  sim::LaunchParams params;
  params.grid = {unsigned(launch.grid[0].evaluate(sizes)),
                 unsigned(launch.grid[1].evaluate(sizes)),
                 unsigned(launch.grid[2].evaluate(sizes))};
  params.block = {unsigned(launch.block[0]), unsigned(launch.block[1]),
                  unsigned(launch.block[2])};
  llvm::Error e = sim->launch(launch.kernel, params, args, memory);
  ASSERT_FALSE(bool(e)) << launch.kernel << ": "
                        << llvm::toString(std::move(e));
  for (auto [i, bytes] : llvm::enumerate(buffers))
    if (!bytes.empty())
      std::memcpy(bytes.data(), memory.getBuffer(addresses[i])->data.data(),
                  bytes.size());
}

/// Compiles `text` (one row-wise op, M dynamic) for `chip` and runs the
/// kernel of every variant of its plan for M = `m` (each kernel handles any
/// M; the plan picks by M only for speed) on a copy of `buffers` (the op's
/// operands in order, each its bytes; outputs should come poisoned). The
/// variants must agree byte for byte; `buffers` receive their results.
/// `launchOut` gets the launch the plan selects for `m`. Fails the test
/// (gtest) on any error.
inline void runRowKernel(const std::string &text, int64_t m,
                         std::vector<std::vector<uint8_t>> &buffers,
                         const std::string &chip = "gfx950",
                         amdgpu::PlanLaunch *launchOut = nullptr) {
  driver::CompileOptions options;
  options.chip = amdgpu::lookupChip(chip);
  ASSERT_TRUE(options.chip) << chip;
  options.emit = driver::EmitKind::Llvm;
  amdgpu::LaunchPlan plan;
  std::string ir = compileMlir(text, options, &plan);
  ASSERT_FALSE(ir.empty()) << text;
  ASSERT_EQ(plan.programs.size(), 1u);
  ASSERT_EQ(plan.programs[0].dispatches.size(), 1u);
  std::vector<int64_t> sizes;
  if (!plan.programs[0].sizes.empty())
    sizes.push_back(m);
  auto selected = amdgpu::selectLaunches(plan.programs[0], sizes);
  ASSERT_TRUE(bool(selected)) << llvm::toString(selected.takeError());
  ASSERT_EQ(selected->size(), 1u);
  if (launchOut)
    *launchOut = *selected->front();

  std::vector<std::vector<uint8_t>> first;
  for (const amdgpu::PlanVariant &variant :
       plan.programs[0].dispatches[0].variants) {
    ASSERT_EQ(variant.launches.size(), 1u);
    std::vector<std::vector<uint8_t>> run = buffers;
    runRowLaunch(ir, *options.chip, variant.launches[0], m, run);
    if (::testing::Test::HasFatalFailure())
      return;
    if (first.empty())
      first = std::move(run);
    else
      for (size_t i = 0; i < run.size(); ++i)
        ASSERT_TRUE(run[i] == first[i])
            << variant.launches[0].kernel << " and the first variant's kernel "
            << "disagree on buffer " << i;
  }
  buffers = std::move(first);
}

} // namespace mxc::test

#endif // MXC_TEST_UNITTESTS_CONVERSION_ROWKERNELRUN_H
