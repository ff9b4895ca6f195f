//===- RunArgs.cpp - mxc-run's command-line values ------------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "RunArgs.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/Twine.h"

#include <cmath>
#include <cstring>

using namespace llvm;
using namespace mxc;
using namespace mxc::run;

bool run::parseDim3(StringRef text, sim::Dim3 &dim) {
  SmallVector<StringRef, 3> parts;
  text.split(parts, ',');
  if (parts.empty() || parts.size() > 3)
    return false;
  uint32_t *fields[3] = {&dim.x, &dim.y, &dim.z};
  for (size_t i = 0; i < parts.size(); ++i)
    if (parts[i].getAsInteger(10, *fields[i]) || *fields[i] == 0)
      return false;
  return true;
}

static Error makeArgError(size_t index, StringRef spec, const Twine &why) {
  return createStringError(inconvertibleErrorCode(), "argument " +
                                                         Twine(index) + " ('" +
                                                         spec + "'): " + why);
}

Expected<ArgSpec> run::parseArg(size_t i, StringRef spec) {
  auto argError = [&](const Twine &why) { return makeArgError(i, spec, why); };
  ArgSpec arg;
  auto [kind, rest] = spec.split(':');
  if (kind == "null") {
    arg.kind = ArgSpec::Kind::Null;
  } else if (kind == "zero") {
    arg.kind = ArgSpec::Kind::Zero;
    if (rest.getAsInteger(10, arg.bytes))
      return argError("expected zero:BYTES");
  } else if (kind == "out") {
    arg.kind = ArgSpec::Kind::Out;
    auto [p, size] = rest.rsplit(':');
    if (p.empty() || size.getAsInteger(10, arg.bytes))
      return argError("expected out:PATH:BYTES");
    arg.path = p.str();
  } else if (kind == "in" || kind == "inout") {
    arg.kind = kind == "in" ? ArgSpec::Kind::In : ArgSpec::Kind::InOut;
    arg.path = rest.str();
    if (arg.path.empty())
      return argError("expected " + kind + ":PATH");
  } else if (kind == "i32" || kind == "i64") {
    int64_t v;
    if (rest.getAsInteger(0, v))
      return argError(kind == "i64" ? "not an integer from -2^63 to 2^63 - 1"
                                    : "not an integer");
    // An i32 is a 32-bit pattern: signed or unsigned values of 32 bits.
    if (kind == "i32" && (v < INT32_MIN || v > int64_t(UINT32_MAX)))
      return argError("does not fit 32 bits (-2147483648 to 4294967295)");
    arg.kind = kind == "i32" ? ArgSpec::Kind::I32 : ArgSpec::Kind::I64;
    arg.bits = kind == "i32" ? uint64_t(uint32_t(v)) : uint64_t(v);
  } else if (kind == "f32") {
    double d;
    if (rest.getAsDouble(d))
      return argError("not a number (or out of range)");
    float f = float(d);
    // A value past the f32 (or even f64) range would silently become
    // infinity; inf and nan must be asked for by name.
    std::string lower = rest.lower();
    bool named =
        StringRef(lower).contains("inf") || StringRef(lower).contains("nan");
    if (!named && !std::isfinite(f))
      return argError("out of the f32 range (magnitude at most 3.4028235e38)");
    uint32_t bits;
    std::memcpy(&bits, &f, 4);
    arg.kind = ArgSpec::Kind::F32;
    arg.bits = bits;
  } else {
    return argError("unknown kind '" + kind +
                    "'; use in:, out:, inout:, i32:, i64:, f32: or null");
  }
  return arg;
}

/// The runtime sizes `--plan` names, in the program's order.
Expected<std::vector<int64_t>>
run::parsePlanSizes(const amdgpu::PlanProgram &program, StringRef text) {
  auto planError = [&](const Twine &why) {
    return createStringError(inconvertibleErrorCode(),
                             "--plan '" + text + "': " + why);
  };
  std::vector<int64_t> sizes(program.sizes.size(), -1);
  SmallVector<StringRef, 4> items;
  text.split(items, ',', -1, /*KeepEmpty=*/false);
  for (StringRef item : items) {
    auto [name, value] = item.split('=');
    int index = program.lookupSize(name.trim());
    if (index < 0) {
      std::vector<std::string> names;
      for (const amdgpu::PlanSize &size : program.sizes)
        names.push_back(size.name);
      return planError("program '" + program.name + "' has no size '" +
                       name.trim() + "'; its sizes: " + join(names, ", "));
    }
    int64_t v;
    if (value.trim().getAsInteger(10, v) || v < 0 || v > INT32_MAX)
      return planError("size '" + name.trim() +
                       "' must be an integer in [0, 2147483647]");
    sizes[index] = v;
  }
  for (auto [i, size] : llvm::enumerate(program.sizes))
    if (sizes[i] < 0)
      return planError("no value for size '" + size.name + "'");
  return sizes;
}

Error run::readArgFile(size_t index, StringRef spec, ArgSpec &arg) {
  ErrorOr<std::unique_ptr<MemoryBuffer>> in = MemoryBuffer::getFile(
      arg.path, /*IsText=*/false, /*RequiresNullTerminator=*/false);
  if (!in)
    return makeArgError(index, spec,
                        "cannot read '" + arg.path +
                            "': " + in.getError().message());
  arg.contents = std::move(*in);
  arg.bytes = arg.contents->getBufferSize();
  return Error::success();
}
