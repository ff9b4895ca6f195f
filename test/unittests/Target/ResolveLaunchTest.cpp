//===- ResolveLaunchTest.cpp - A plan's launch for given sizes ------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Target/AMDGPU/LaunchPlan.h"

#include "gtest/gtest.h"

using namespace mxc::amdgpu;

namespace {

/// A launch of grid (ceil(M / 128), 2, 1) taking buffer 0, M as i32 and 7.
PlanLaunch makeLaunch() {
  PlanLaunch launch;
  launch.kernel = "k";
  launch.grid[0].divisor = 128;
  launch.grid[0].size = 0;
  launch.grid[1].constant = 2;
  launch.args = {{PlanArg::Kind::Param, 0, 0, 8},
                 {PlanArg::Kind::Size, 0, 0, 4},
                 {PlanArg::Kind::Constant, 0, 7, 8}};
  return launch;
}

TEST(ResolveLaunchTest, GridAndArguments) {
  llvm::Expected<ResolvedLaunch> r = resolveLaunch(makeLaunch(), {300});
  ASSERT_TRUE(bool(r)) << llvm::toString(r.takeError());
  EXPECT_EQ(r->grid[0], 3u);
  EXPECT_EQ(r->grid[1], 2u);
  EXPECT_EQ(r->grid[2], 1u);
  EXPECT_FALSE(r->empty);
  ASSERT_EQ(r->args.size(), 3u);
  EXPECT_TRUE(r->args[0].isBuffer);
  EXPECT_EQ(r->args[1].value, 300);
  EXPECT_EQ(r->args[1].bytes, 4u);
  EXPECT_EQ(r->args[2].value, 7);
}

TEST(ResolveLaunchTest, ZeroSizeIsEmpty) {
  llvm::Expected<ResolvedLaunch> r = resolveLaunch(makeLaunch(), {0});
  ASSERT_TRUE(bool(r));
  EXPECT_TRUE(r->empty);
}

TEST(ResolveLaunchTest, SizeOver32BitArgumentIsAnError) {
  llvm::Expected<ResolvedLaunch> r =
      resolveLaunch(makeLaunch(), {int64_t(1) << 31});
  ASSERT_FALSE(bool(r));
  EXPECT_NE(llvm::toString(r.takeError()).find("over 2147483647"),
            std::string::npos);
}

} // namespace
