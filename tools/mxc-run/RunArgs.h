//===- RunArgs.h - mxc-run's command-line values ---------------*- C++ -*-===//
//
// Part of mxc. The parsers for mxc-run's --grid/--block, --arg and --plan
// values, apart from the tool so that unit tests and the command-line fuzzer
// (fuzz/) call them directly. None reads a file or touches a device.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TOOLS_MXC_RUN_RUNARGS_H
#define MXC_TOOLS_MXC_RUN_RUNARGS_H

#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/LaunchPlanInfo.h"

#include "llvm/ADT/StringRef.h"
#include "llvm/Support/Error.h"
#include "llvm/Support/MemoryBuffer.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace mxc::run {

/// One --arg, parsed.
struct ArgSpec {
  enum class Kind { In, Out, InOut, Zero, Null, I32, I64, F32 } kind;
  /// The file of in:, out: and inout:.
  std::string path;
  /// The buffer's size (for in: and inout:, set when the file is read).
  uint64_t bytes = 0;
  /// The scalar's bits (i32 and f32 in the low 32).
  uint64_t bits = 0;
  /// The file's contents, for in: and inout: (readArgFile).
  std::unique_ptr<llvm::MemoryBuffer> contents;

  bool isBuffer() const {
    return kind == Kind::In || kind == Kind::Out || kind == Kind::InOut ||
           kind == Kind::Zero;
  }
  bool isScalar() const {
    return kind == Kind::I32 || kind == Kind::I64 || kind == Kind::F32;
  }
};

/// "X[,Y[,Z]]" of integers from 1 to 2^32 - 1 into `dim`; false if malformed.
bool parseDim3(llvm::StringRef text, sim::Dim3 &dim);

/// Parses --arg `spec` (argument number `index`, for messages). Numbers are
/// parsed strictly: an i32 must fit 32 bits, an f32 be finite unless inf or
/// nan is named. in: and inout: name their file only: readArgFile reads it.
llvm::Expected<ArgSpec> parseArg(size_t index, llvm::StringRef spec);

/// Reads the file of an in: or inout: argument into `arg.contents`.
llvm::Error readArgFile(size_t index, llvm::StringRef spec, ArgSpec &arg);

/// The runtime sizes `text` ("NAME=V[,NAME=V...]", as --plan takes them)
/// gives `program`, in the program's order; every size must be given, from
/// 0 to 2^31 - 1.
llvm::Expected<std::vector<int64_t>>
parsePlanSizes(const amdgpu::PlanProgram &program, llvm::StringRef text);

} // namespace mxc::run

#endif // MXC_TOOLS_MXC_RUN_RUNARGS_H
