//===- MxLaunch.h - Pieces of mx launch plan attributes ---------*- C++ -*-===//
//
// Part of mxc. The values the launch plan attributes (MxLaunchAttrs.td)
// hold in their arrays. Names are StringAttrs: the context owns them, so an
// attribute's copy of an array never outlives its strings.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXLAUNCH_H
#define MXC_DIALECT_MX_MXLAUNCH_H

#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/StringRef.h"
#include <cstdint>

namespace mxc::mx {

/// Extent `dim` of the buffer named `buffer`.
struct BufferExtent {
  mlir::StringAttr buffer;
  unsigned dim = 0;

  bool operator==(const BufferExtent &other) const {
    return buffer == other.buffer && dim == other.dim;
  }
};

/// One grid dimension: the constant `value` when `size` is null, else
/// ceil(size / value).
struct GridExtent {
  mlir::StringAttr size;
  int64_t value = 1;

  static GridExtent constant(int64_t value) { return {nullptr, value}; }
  static GridExtent ceilDiv(mlir::StringAttr size, int64_t divisor) {
    return {size, divisor};
  }
  bool isConstant() const { return !size; }
  bool operator==(const GridExtent &other) const {
    return size == other.size && value == other.value;
  }
};

/// One kernel argument: a buffer's base pointer (8 bytes), a runtime size or
/// a constant (4 or 8 bytes).
struct KernelArg {
  enum class Kind : uint8_t { Buffer, Size, Constant };
  Kind kind = Kind::Constant;
  mlir::StringAttr name; ///< The buffer or size; null for constants.
  int64_t value = 0;     ///< For constants.
  unsigned bytes = 8;

  static KernelArg buffer(mlir::StringAttr name) {
    return {Kind::Buffer, name, 0, 8};
  }
  static KernelArg size(mlir::StringAttr name, unsigned bytes) {
    return {Kind::Size, name, 0, bytes};
  }
  static KernelArg constant(int64_t value, unsigned bytes) {
    return {Kind::Constant, nullptr, value, bytes};
  }
  bool operator==(const KernelArg &other) const {
    return kind == other.kind && name == other.name && value == other.value &&
           bytes == other.bytes;
  }
};

/// `size` in [min, max], inclusive.
struct SizeRange {
  mlir::StringAttr size;
  int64_t min = 0, max = 0;

  bool operator==(const SizeRange &other) const {
    return size == other.size && min == other.min && max == other.max;
  }
};

inline llvm::hash_code hash_value(const BufferExtent &e) {
  return llvm::hash_combine(e.buffer, e.dim);
}
inline llvm::hash_code hash_value(const GridExtent &e) {
  return llvm::hash_combine(e.size, e.value);
}
inline llvm::hash_code hash_value(const KernelArg &a) {
  return llvm::hash_combine(unsigned(a.kind), a.name, a.value, a.bytes);
}
inline llvm::hash_code hash_value(const SizeRange &r) {
  return llvm::hash_combine(r.size, r.min, r.max);
}

/// The config a kernel was built with (on its gpu.func).
constexpr llvm::StringLiteral kConfigAttrName = "mx.config";
/// A scaled matmul's configs by M range (an array of #mx.gemm_variant).
constexpr llvm::StringLiteral kVariantsAttrName = "mx.variants";

/// Largest runtime size a kernel's 32-bit size argument holds.
constexpr int64_t kMaxInt32Size = 2147483647;

} // namespace mxc::mx

#endif // MXC_DIALECT_MX_MXLAUNCH_H
