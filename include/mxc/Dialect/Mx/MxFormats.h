//===- MxFormats.h - Facts about MX element formats -------------*- C++ -*-===//
//
// Part of mxc. One place that knows the MX formats: their bit widths, packing
// and the limits the numerics contract (SPEC.md) is written in.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXFORMATS_H
#define MXC_DIALECT_MX_MXFORMATS_H

#include "mlir/IR/Types.h"
#include "llvm/ADT/StringRef.h"
#include <optional>

namespace mxc::mx {

/// Elements that share one E8M0 scale along K.
constexpr int64_t kBlockSize = 32;

enum class Format { E4M3, E5M2, E2M3, E3M2, E2M1 };

struct FormatInfo {
  Format format;
  llvm::StringRef name; ///< Short name used on command lines ("e4m3").
  unsigned bits;        ///< Storage bits per element.
  unsigned expBits;
  unsigned manBits;
  int bias;
  double maxFinite;
  int emax; ///< Exponent of the largest normal (SPEC.md, `floor` scale mode).
};

/// The format of an MLIR element type, if it is one of the MX formats.
std::optional<FormatInfo> getFormatInfo(mlir::Type type);
/// The format named `name` ("e4m3", "e5m2", "e2m3", "e3m2", "e2m1").
std::optional<FormatInfo> getFormatInfo(llvm::StringRef name);
const FormatInfo &getFormatInfo(Format format);
/// The MLIR element type of `format`.
mlir::Type getElementType(mlir::MLIRContext *ctx, Format format);

/// Whether `type` is stored packed (fewer than 8 bits an element).
bool isPackedElementType(mlir::Type type);

} // namespace mxc::mx

#endif // MXC_DIALECT_MX_MXFORMATS_H
