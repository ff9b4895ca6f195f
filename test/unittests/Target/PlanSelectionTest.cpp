//===- PlanSelectionTest.cpp - Choosing a plan variant by sizes -----------===//
//
// Part of mxc. The rule (docs/code-objects.md): per dispatch, the first
// variant whose inclusive ranges hold the runtime sizes runs; no variant, an
// error. Then, on plans mxc writes for a scaled matmul with dynamic M: one
// variant per M bucket, and the decode bucket's grid covers the chip.
//
//===----------------------------------------------------------------------===//

#include "../CompileMlir.h"
#include "mxc/Target/AMDGPU/LaunchPlan.h"

#include "llvm/BinaryFormat/MsgPackDocument.h"
#include "gtest/gtest.h"

using namespace mxc;
using namespace mxc::amdgpu;

namespace {

PlanLaunch makeLaunch(std::string kernel, int64_t tileM) {
  PlanLaunch launch;
  launch.kernel = std::move(kernel);
  launch.grid[1].divisor = tileM;
  launch.grid[1].size = 0;
  launch.args = {{PlanArg::Kind::Param, 0, 0, 8},
                 {PlanArg::Kind::Size, 0, 0, 4}};
  return launch;
}

/// One program, size M, and one op with three M buckets as mxc builds them:
/// [0, 16], [17, 256], [257, 2^31 - 1].
PlanProgram makeBucketed() {
  PlanProgram program;
  program.name = "p";
  program.params.push_back({"memref<?x64xf8E4M3FN>", {-1, 64}, 8});
  program.sizes.push_back({"M", 0, 0});
  PlanDispatch dispatch;
  dispatch.op = "scaled_matmul";
  dispatch.variants.push_back({{{0, 0, 16}}, {makeLaunch("decode", 16)}});
  dispatch.variants.push_back({{{0, 17, 256}}, {makeLaunch("medium", 32)}});
  dispatch.variants.push_back(
      {{{0, 257, 2147483647}}, {makeLaunch("prefill", 256)}});
  program.dispatches.push_back(dispatch);
  return program;
}

/// The kernels selectLaunches runs for M = `m`, or the error.
std::string kernelsFor(const PlanProgram &program, int64_t m) {
  const int64_t sizes[] = {m};
  auto launches = selectLaunches(program, sizes);
  if (!launches)
    return "error: " + llvm::toString(launches.takeError());
  std::string names;
  for (const PlanLaunch *launch : *launches)
    names += (names.empty() ? "" : " ") + launch->kernel;
  return names;
}

TEST(PlanSelectionTest, BucketEdges) {
  PlanProgram program = makeBucketed();
  EXPECT_EQ(kernelsFor(program, 1), "decode");
  EXPECT_EQ(kernelsFor(program, 16), "decode");
  EXPECT_EQ(kernelsFor(program, 17), "medium");
  EXPECT_EQ(kernelsFor(program, 256), "medium");
  EXPECT_EQ(kernelsFor(program, 257), "prefill");
  EXPECT_EQ(kernelsFor(program, 8192), "prefill");
  EXPECT_EQ(kernelsFor(program, 2147483647), "prefill");
}

TEST(PlanSelectionTest, ZeroRowsRunTheFirstBucketWithAnEmptyGrid) {
  PlanProgram program = makeBucketed();
  EXPECT_EQ(kernelsFor(program, 0), "decode");
  // ceil(0 / 16) = 0 workgroups: the launch is skipped, not refused.
  auto resolved =
      resolveLaunch(program.dispatches[0].variants[0].launches[0], {0});
  ASSERT_TRUE(bool(resolved)) << llvm::toString(resolved.takeError());
  EXPECT_TRUE(resolved->empty);
}

TEST(PlanSelectionTest, SizesOutsideEveryRangeAreRefused) {
  PlanProgram program = makeBucketed();
  EXPECT_EQ(kernelsFor(program, 2147483648),
            "error: no variant of scaled_matmul in program 'p' runs for M = "
            "2147483648; its variants take M in [0, 16]; M in [17, 256]; M in "
            "[257, 2147483647]");
  EXPECT_EQ(kernelsFor(program, -1).substr(0, 60),
            "error: no variant of scaled_matmul in program 'p' runs for M");
  const int64_t none[] = {1, 2};
  auto wrongCount = selectLaunches(program, none);
  ASSERT_FALSE(bool(wrongCount));
  EXPECT_EQ(llvm::toString(wrongCount.takeError()),
            "program 'p' takes 1 runtime sizes, got 2");
}

TEST(PlanSelectionTest, FirstMatchWinsAndDispatchesRunInOrder) {
  PlanProgram program = makeBucketed();
  // A second op: a variant of two launches (a GEMM, then a reduction) for
  // small M and an unconditional fallback.
  PlanDispatch second;
  second.op = "other";
  second.variants.push_back(
      {{{0, 0, 100}}, {makeLaunch("split", 16), makeLaunch("reduce", 16)}});
  second.variants.push_back({{}, {makeLaunch("fallback", 64)}});
  program.dispatches.push_back(second);
  EXPECT_EQ(kernelsFor(program, 16), "decode split reduce");
  EXPECT_EQ(kernelsFor(program, 100), "medium split reduce");
  EXPECT_EQ(kernelsFor(program, 101), "medium fallback");
  // The first variant that matches, even where a later one also does.
  program.dispatches[1].variants[1].when = {{0, 0, 2147483647}};
  EXPECT_EQ(kernelsFor(program, 50), "medium split reduce");
}

TEST(PlanSelectionTest, RoundTripsAndChecksRanges) {
  LaunchPlan plan;
  plan.programs.push_back(makeBucketed());
  auto back = readLaunchPlan(writeLaunchPlan(plan));
  ASSERT_TRUE(bool(back)) << llvm::toString(back.takeError());
  EXPECT_EQ(kernelsFor(back->programs.at(0), 17), "medium");
  EXPECT_EQ(kernelsFor(back->programs.at(0), 2147483647), "prefill");

  plan.programs[0].dispatches[0].variants[1].when[0].min = 300;
  auto empty = readLaunchPlan(writeLaunchPlan(plan));
  ASSERT_FALSE(bool(empty));
  EXPECT_EQ(llvm::toString(empty.takeError()),
            "launch plan.mxc.programs[0].dispatches[0].variants[1].when[0]: "
            "range [300, 256] is empty or negative");
  plan.programs[0].dispatches[0].variants[1].when[0] = {1, 0, 5};
  auto size = readLaunchPlan(writeLaunchPlan(plan));
  ASSERT_FALSE(bool(size));
  EXPECT_EQ(llvm::toString(size.takeError()),
            "launch plan.mxc.programs[0].dispatches[0].variants[1].when[0]: "
            "size 1 is out of range: no such size");
  plan.programs[0].dispatches[0].variants.clear();
  auto none = readLaunchPlan(writeLaunchPlan(plan));
  ASSERT_FALSE(bool(none));
  EXPECT_EQ(llvm::toString(none.takeError()),
            "launch plan.mxc.programs[0].dispatches[0]: a dispatch needs at "
            "least one variant");
}

/// A version 1 plan (one list of launches per program) reads as one
/// dispatch of one unconditional variant.
TEST(PlanSelectionTest, ReadsVersion1) {
  llvm::msgpack::Document doc;
  auto root = doc.getRoot().getMap(/*Convert=*/true);
  auto version = doc.getArrayNode();
  version.push_back(doc.getNode(int64_t(1)));
  version.push_back(doc.getNode(int64_t(0)));
  root["mxc.version"] = version;
  auto param = doc.getMapNode();
  param["type"] = doc.getNode("memref<?x4xf32>");
  auto shape = doc.getArrayNode();
  shape.push_back(doc.getNode(int64_t(-1)));
  shape.push_back(doc.getNode(int64_t(4)));
  param["shape"] = shape;
  param["element_bits"] = doc.getNode(uint64_t(32));
  auto size = doc.getMapNode();
  size["name"] = doc.getNode("M");
  size["param"] = doc.getNode(uint64_t(0));
  size["dim"] = doc.getNode(uint64_t(0));
  auto launch = doc.getMapNode();
  launch["kernel"] = doc.getNode("k");
  auto grid = doc.getArrayNode();
  for (int d = 0; d < 3; ++d) {
    auto dim = doc.getMapNode();
    dim["constant"] = doc.getNode(int64_t(1));
    grid.push_back(dim);
  }
  launch["grid"] = grid;
  auto block = doc.getArrayNode();
  for (int d = 0; d < 3; ++d)
    block.push_back(doc.getNode(int64_t(1)));
  launch["block"] = block;
  launch["dynamic_lds_bytes"] = doc.getNode(uint64_t(0));
  launch["args"] = doc.getArrayNode();
  auto program = doc.getMapNode();
  program["name"] = doc.getNode("p");
  auto params = doc.getArrayNode(), sizes = doc.getArrayNode(),
       launches = doc.getArrayNode(), programs = doc.getArrayNode();
  params.push_back(param);
  sizes.push_back(size);
  launches.push_back(launch);
  program["params"] = params;
  program["sizes"] = sizes;
  program["launches"] = launches;
  programs.push_back(program);
  root["mxc.programs"] = programs;
  std::string blob;
  doc.writeToBlob(blob);

  auto plan = readLaunchPlan(blob);
  ASSERT_TRUE(bool(plan)) << llvm::toString(plan.takeError());
  const PlanProgram &p = plan->programs.at(0);
  ASSERT_EQ(p.dispatches.size(), 1u);
  ASSERT_EQ(p.dispatches[0].variants.size(), 1u);
  EXPECT_TRUE(p.dispatches[0].variants[0].when.empty());
  EXPECT_EQ(kernelsFor(p, 5), "k");
  EXPECT_EQ(kernelsFor(p, 3000000000), "k");

  // Another major version is refused.
  root["mxc.version"].getArray()[0] = doc.getNode(int64_t(3));
  blob.clear();
  doc.writeToBlob(blob);
  auto newer = readLaunchPlan(blob);
  ASSERT_FALSE(bool(newer));
  EXPECT_EQ(llvm::toString(newer.takeError()),
            "launch plan: version 3 plans are not readable by this mxc (it "
            "reads versions 1 and 2)");
}

/// A decode-sized GEMM (N = K = 8192) compiled for dynamic M with default
/// options.
LaunchPlan compileDecodeGemm(const driver::CompileOptions &base) {
  const char *text = R"mlir(
func.func @gemm(%a: memref<?x8192xf8E4M3FN>, %sa: memref<?x256xf8E8M0FNU>,
                %b: memref<8192x8192xf8E4M3FN>, %sb: memref<8192x256xf8E8M0FNU>,
                %c: memref<?x8192xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x8192xf8E4M3FN>[memref<?x256xf8E8M0FNU>]
        * memref<8192x8192xf8E4M3FN>[memref<8192x256xf8E8M0FNU>]
        -> memref<?x8192xbf16>
  return
}
)mlir";
  driver::CompileOptions options = base;
  options.chip = lookupChip("gfx950");
  options.emit = driver::EmitKind::Mlir;
  LaunchPlan plan;
  EXPECT_FALSE(test::compileMlir(text, options, &plan).empty());
  return plan;
}

TEST(PlanSelectionTest, DynamicMGetsOneKernelPerBucket) {
  LaunchPlan plan = compileDecodeGemm({});
  ASSERT_EQ(plan.programs.size(), 1u);
  const PlanProgram &program = plan.programs[0];
  ASSERT_EQ(program.dispatches.size(), 1u);
  const PlanDispatch &dispatch = program.dispatches[0];
  ASSERT_EQ(dispatch.variants.size(), 3u);
  // The last bucket ends where C (rows of 8192 bf16) outgrows 2^31 - 1 bytes.
  int64_t expected[3][2] = {{0, 16}, {17, 256}, {257, 2147483647 / 16384}};
  for (unsigned v = 0; v < 3; ++v) {
    ASSERT_EQ(dispatch.variants[v].when.size(), 1u);
    EXPECT_EQ(dispatch.variants[v].when[0].min, expected[v][0]);
    EXPECT_EQ(dispatch.variants[v].when[0].max, expected[v][1]);
  }
  EXPECT_EQ(kernelsFor(program, 1), "gemm_scaled_matmul_m16");
  EXPECT_EQ(kernelsFor(program, 100), "gemm_scaled_matmul_m256");
  EXPECT_EQ(kernelsFor(program, 8192), "gemm_scaled_matmul");

  // Decode: M <= 16 on gfx950 (MI355X: 256 CUs) launches a workgroup for
  // every CU, where the one prefill kernel launched 8192 / 256 = 32.
  for (int64_t m : {1, 16}) {
    const int64_t sizes[] = {m};
    auto launches = selectLaunches(program, sizes);
    ASSERT_TRUE(bool(launches)) << llvm::toString(launches.takeError());
    auto resolved = resolveLaunch(*launches->front(), sizes);
    ASSERT_TRUE(bool(resolved)) << llvm::toString(resolved.takeError());
    EXPECT_GE(uint64_t(resolved->grid[0]) * resolved->grid[1] *
                  resolved->grid[2],
              256u)
        << "M = " << m;
  }
}

TEST(PlanSelectionTest, NoBucketsGivesOneKernel) {
  driver::CompileOptions options;
  options.mBuckets = "none";
  LaunchPlan plan = compileDecodeGemm(options);
  ASSERT_EQ(plan.programs.at(0).dispatches.at(0).variants.size(), 1u);
  EXPECT_EQ(kernelsFor(plan.programs[0], 1), "gemm_scaled_matmul");
  // Bounds at or over tune-m leave one bucket, tuned for tune-m.
  options.mBuckets = "16,256";
  options.tuneM = 16;
  plan = compileDecodeGemm(options);
  ASSERT_EQ(plan.programs.at(0).dispatches.at(0).variants.size(), 1u);
}

} // namespace
