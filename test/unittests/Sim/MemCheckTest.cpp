//===- MemCheckTest.cpp - Accesses checked against pointer provenance -----===//
//
// Part of mxc. An access must lie in the allocation its pointer derives from
// (LLVM LangRef, "Pointer Aliasing Rules": a pointer value accesses only the
// object it is based on; GEP, casts, select and phi keep that base). These
// kernels reach another, valid buffer, LDS variable or alloca through a
// pointer based on a different one, which the plain bounds check cannot
// see; and kernels whose provenance is lost or ambiguous must run clean.
//
//===----------------------------------------------------------------------===//

#include "TestIR.h"
#include "mxc/Sim/Simulator.h"

#include "llvm/Support/MemoryBuffer.h"
#include "gtest/gtest.h"

using namespace mxc;
using Kind = sim::ArgValue::Kind;

namespace {

/// Runs kernel @k of `body` (one wave of 64 lanes) with arguments (a, b,
/// delta): two 256-byte buffers and b's address minus a's. Returns the
/// error, empty when the launch ran clean.
std::string run(const std::string &body, unsigned lanes = 64) {
  std::string text = std::string(test::kAmdgcnTarget) + body;
  auto simulator = sim::Simulator::load(llvm::MemoryBufferRef(text, "t.ll"),
                                        *amdgpu::lookupChip("gfx950"));
  if (!simulator)
    return "load: " + llvm::toString(simulator.takeError());
  sim::Memory memory;
  uint64_t a = memory.allocate(256, "a"), b = memory.allocate(256, "b");
  sim::LaunchParams launch;
  launch.block.x = lanes;
  if (llvm::Error e = simulator->launch(
          "k", launch,
          {{Kind::Pointer, a}, {Kind::Pointer, b}, {Kind::I64, b - a}}, memory))
    return llvm::toString(std::move(e));
  return "";
}

bool contains(const std::string &text, llvm::StringRef part) {
  return text.find(part.str()) != std::string::npos;
}

const char *kDeclarations = R"(
declare i32 @llvm.amdgcn.workitem.id.x()
declare ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1), i16, i64, i32)
declare i32 @llvm.amdgcn.raw.ptr.buffer.load.i32(ptr addrspace(8), i32, i32, i32 immarg)
)";

std::string kernel(llvm::StringRef body) {
  return std::string(kDeclarations) +
         "define amdgpu_kernel void @k(ptr addrspace(1) %a, ptr addrspace(1) "
         "%b, i64 %delta) {\nentry:\n  %l = call i32 "
         "@llvm.amdgcn.workitem.id.x()\n" +
         body.str() + "\n  ret void\n}\n";
}

TEST(MemCheck, GepFromOneBufferIntoAnother) {
  // a + (b - a) is b's first byte: in a buffer, but not in a.
  std::string error = run(kernel(R"(
  %p = getelementptr i8, ptr addrspace(1) %a, i64 %delta
  %v = load i32, ptr addrspace(1) %p
  store i32 %v, ptr addrspace(1) %b)"));
  EXPECT_TRUE(contains(error, "lane 0 (workitem 0): out-of-bounds global load "
                              "of 4 bytes at address 0x"))
      << error;
  EXPECT_TRUE(contains(error, ": the pointer derives from kernel argument 0 "
                              "(%a) = buffer 'a' [0x"))
      << error;
  EXPECT_TRUE(contains(error, "but the access lies in buffer 'b' + 0 (a wild "
                              "pointer into another allocation)"))
      << error;
  EXPECT_TRUE(contains(error, "at:   %v = load i32")) << error;
}

TEST(MemCheck, IntegerRoundTripKeepsTheBase) {
  // ptrtoint, add of a plain offset, inttoptr: still based on a.
  std::string error = run(kernel(R"(
  %ai = ptrtoint ptr addrspace(1) %a to i64
  %bi = add i64 %ai, %delta
  %p = inttoptr i64 %bi to ptr addrspace(1)
  store i32 %l, ptr addrspace(1) %p)"));
  EXPECT_TRUE(contains(error, "out-of-bounds global store of 4 bytes"))
      << error;
  EXPECT_TRUE(contains(error, "derives from kernel argument 0 (%a)")) << error;
  EXPECT_TRUE(contains(error, "lies in buffer 'b' + 0")) << error;
}

TEST(MemCheck, PhiOverALoopKeepsTheBase) {
  // The pointer walks from a in steps of delta / 2 (b lies two steps on):
  // the phi is still based on a when it reaches b.
  std::string error = run(kernel(R"(
  %step = lshr i64 %delta, 1
  br label %loop
loop:
  %p = phi ptr addrspace(1) [ %a, %entry ], [ %q, %loop ]
  %i = phi i32 [ 0, %entry ], [ %i1, %loop ]
  %inside = icmp ult i32 %i, 1
  %r = select i1 %inside, ptr addrspace(1) %p, ptr addrspace(1) %p
  %s = getelementptr i8, ptr addrspace(1) %r, i64 0
  %q = getelementptr i8, ptr addrspace(1) %p, i64 %step
  %i1 = add i32 %i, 1
  %more = icmp ult i32 %i1, 2
  br i1 %more, label %loop, label %done
done:
  store i32 %l, ptr addrspace(1) %q)"));
  EXPECT_TRUE(contains(error, "derives from kernel argument 0 (%a)")) << error;
  EXPECT_TRUE(contains(error, "lies in buffer 'b' + 0")) << error;
}

TEST(MemCheck, AccessOutsideEveryBufferKeepsThePlainReport) {
  std::string error = run(kernel(R"(
  %p = getelementptr i8, ptr addrspace(1) %a, i64 256
  store i32 %l, ptr addrspace(1) %p)"));
  EXPECT_TRUE(contains(error, "out-of-bounds global store of 4 bytes at "
                              "address 0x100000100 (buffer 'a' [0x100000000, "
                              "0x100000100) of 256 bytes, 0 bytes past its "
                              "end)"))
      << error;
}

TEST(MemCheck, SelectOfTwoBuffersMayAccessEither) {
  // Lanes pick a or b: each access lies in one of the two.
  EXPECT_EQ(run(kernel(R"(
  %odd = trunc i32 %l to i1
  %base = select i1 %odd, ptr addrspace(1) %a, ptr addrspace(1) %b
  %p = getelementptr i32, ptr addrspace(1) %base, i32 %l
  store i32 %l, ptr addrspace(1) %p)")),
            "");
}

TEST(MemCheck, LostProvenanceFallsBackToTheBoundsCheck) {
  // An address built from a plain integer derives from nothing known: the
  // access must only lie in some buffer.
  EXPECT_EQ(run(kernel(R"(
  %ai = ptrtoint ptr addrspace(1) %a to i64
  %bi = add i64 %ai, %delta
  %x = mul i64 %bi, 1
  %p = inttoptr i64 %x to ptr addrspace(1)
  store i32 %l, ptr addrspace(1) %p)")),
            "");
  // A pointer loaded from memory likewise.
  EXPECT_EQ(run(kernel(R"(
  %bi = ptrtoint ptr addrspace(1) %b to i64
  store i64 %bi, ptr addrspace(1) %a
  %p = load ptr addrspace(1), ptr addrspace(1) %a
  %q = getelementptr i8, ptr addrspace(1) %p, i64 8
  store i32 %l, ptr addrspace(1) %q)")),
            "");
}

TEST(MemCheck, BufferResourceWithinNumRecordsButOutsideItsBase) {
  // num_records covers b's first word from a's base: the hardware would
  // load it; the resource is based on a.
  std::string error = run(kernel(R"(
  %n = add i64 %delta, 4
  %rsrc = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %a, i16 0, i64 %n, i32 0)
  %off = trunc i64 %delta to i32
  %v = call i32 @llvm.amdgcn.raw.ptr.buffer.load.i32(ptr addrspace(8) %rsrc, i32 %off, i32 0, i32 0)
  store i32 %v, ptr addrspace(1) %b)"));
  EXPECT_TRUE(contains(error, "out-of-bounds global load of 4 bytes")) << error;
  EXPECT_TRUE(contains(error, "derives from kernel argument 0 (%a)")) << error;
  EXPECT_TRUE(contains(error, "lies in buffer 'b' + 0")) << error;
  // The same resource within a runs clean.
  EXPECT_EQ(run(kernel(R"(
  %rsrc = call ptr addrspace(8) @llvm.amdgcn.make.buffer.rsrc.p8.p1(ptr addrspace(1) %a, i16 0, i64 256, i32 0)
  %off = shl i32 %l, 2
  %v = call i32 @llvm.amdgcn.raw.ptr.buffer.load.i32(ptr addrspace(8) %rsrc, i32 %off, i32 0, i32 0)
  store i32 %v, ptr addrspace(1) %b)")),
            "");
}

TEST(MemCheck, LdsVariableRunsIntoTheNext) {
  // @x and @y are laid out back to back (x at 0, y at 64): x[16 + l] is
  // LDS of the workgroup, in y.
  std::string body = R"(
@x = internal addrspace(3) global [16 x i32] poison, align 4
@y = internal addrspace(3) global [16 x i32] poison, align 4
)" + kernel(R"(
  %i = add i32 %l, INDEX
  %p = getelementptr i32, ptr addrspace(3) @x, i32 %i
  store i32 %l, ptr addrspace(3) %p
  %q = getelementptr i32, ptr addrspace(3) @y, i32 0
  store i32 %l, ptr addrspace(3) %q)");
  std::string over = body;
  test::replaceAll(over, "INDEX", "16");
  std::string error = run(over, 1);
  EXPECT_TRUE(contains(error, "out-of-bounds LDS store of 4 bytes at offset "
                              "64: the pointer derives from LDS variable @x "
                              "[0, 64), but the access lies in LDS variable "
                              "@y + 0 (a wild pointer into another "
                              "allocation)"))
      << error;
  std::string within = body;
  test::replaceAll(within, "INDEX", "0");
  EXPECT_EQ(run(within, 16), "");
}

TEST(MemCheck, AllocaRunsIntoTheNext) {
  std::string error = run(kernel(R"(
  %s = alloca [4 x i32], align 4, addrspace(5)
  %t = alloca [4 x i32], align 4, addrspace(5)
  store i32 1, ptr addrspace(5) %t
  %p = getelementptr i32, ptr addrspace(5) %s, i32 4
  %v = load i32, ptr addrspace(5) %p
  store i32 %v, ptr addrspace(1) %b)"));
  EXPECT_TRUE(contains(error, "out-of-bounds private load of 4 bytes at "
                              "offset 16: the pointer derives from alloca %s "
                              "[0, 16), but the access lies in alloca %t + 0"))
      << error;
}

TEST(MemCheck, FlatPointerToLdsKeepsTheVariable) {
  std::string body = R"(
@x = internal addrspace(3) global [16 x i32] poison, align 4
@y = internal addrspace(3) global [16 x i32] poison, align 4
)" + kernel(R"(
  %f = addrspacecast ptr addrspace(3) @x to ptr
  %p = getelementptr i32, ptr %f, i32 16
  store i32 %l, ptr %p
  %q = getelementptr i32, ptr addrspace(3) @y, i32 0
  store i32 %l, ptr addrspace(3) %q)");
  std::string error = run(body, 1);
  EXPECT_TRUE(contains(error, "derives from LDS variable @x [0, 64), but the "
                              "access lies in LDS variable @y + 0"))
      << error;
}

} // namespace
