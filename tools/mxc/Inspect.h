//===- Inspect.h - mxc inspect ----------------------------------*- C++ -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_TOOLS_MXC_INSPECT_H
#define MXC_TOOLS_MXC_INSPECT_H

#include "llvm/ADT/ArrayRef.h"
#include <string>

namespace mxc::tools {

/// Prints what each code object in `files` holds, as text or JSON (the
/// fields of isa_stats.py --json). Returns the exit status.
int runInspect(llvm::ArrayRef<std::string> files, bool asJson);

} // namespace mxc::tools

#endif // MXC_TOOLS_MXC_INSPECT_H
