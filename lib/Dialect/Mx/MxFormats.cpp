//===- MxFormats.cpp - Facts about MX element formats ---------------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxFormats.h"

#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLExtras.h"

using namespace mlir;

namespace mxc::mx {

// OCP MX v1.0 element formats (SPEC.md, Formats).
static const FormatInfo kFormats[] = {
    {Format::E4M3, "e4m3", 8, 4, 3, 7, 448.0, 8},
    {Format::E5M2, "e5m2", 8, 5, 2, 15, 57344.0, 15},
    {Format::E2M3, "e2m3", 6, 2, 3, 1, 7.5, 2},
    {Format::E3M2, "e3m2", 6, 3, 2, 3, 28.0, 4},
    {Format::E2M1, "e2m1", 4, 2, 1, 1, 6.0, 2},
};

const FormatInfo &getFormatInfo(Format format) {
  return kFormats[static_cast<unsigned>(format)];
}

std::optional<FormatInfo> getFormatInfo(Type type) {
  if (isa<Float8E4M3FNType>(type))
    return kFormats[0];
  if (isa<Float8E5M2Type>(type))
    return kFormats[1];
  if (isa<Float6E2M3FNType>(type))
    return kFormats[2];
  if (isa<Float6E3M2FNType>(type))
    return kFormats[3];
  if (isa<Float4E2M1FNType>(type))
    return kFormats[4];
  return std::nullopt;
}

std::optional<FormatInfo> getFormatInfo(llvm::StringRef name) {
  for (const FormatInfo &info : kFormats)
    if (info.name == name)
      return info;
  return std::nullopt;
}

Type getElementType(MLIRContext *ctx, Format format) {
  switch (format) {
  case Format::E4M3:
    return Float8E4M3FNType::get(ctx);
  case Format::E5M2:
    return Float8E5M2Type::get(ctx);
  case Format::E2M3:
    return Float6E2M3FNType::get(ctx);
  case Format::E3M2:
    return Float6E3M2FNType::get(ctx);
  case Format::E2M1:
    return Float4E2M1FNType::get(ctx);
  }
  llvm_unreachable("unknown MX format");
}

bool isPackedElementType(Type type) {
  std::optional<FormatInfo> info = getFormatInfo(type);
  return info && info->bits < 8;
}

} // namespace mxc::mx
