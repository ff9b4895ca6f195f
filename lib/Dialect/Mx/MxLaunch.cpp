//===- MxLaunch.cpp - mx launch plan attributes and op --------------------===//
//
// Part of mxc. Syntax and verifiers of #mx.runtime_size, #mx.kernel_launch,
// #mx.launch_variant, #mx.gemm_variant and mx.launch_plan.
//
//===----------------------------------------------------------------------===//

#include "mxc/Dialect/Mx/MxAttrs.h"
#include "mxc/Dialect/Mx/MxOps.h"

#include "mlir/Dialect/LLVMIR/LLVMTypes.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/DialectImplementation.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/FunctionInterfaces.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringSet.h"

#include <cstdint>

using namespace mlir;
using namespace mxc::mx;

//===----------------------------------------------------------------------===//
// Shared pieces
//===----------------------------------------------------------------------===//

/// A name: a bare identifier or a quoted string.
static ParseResult parseName(AsmParser &parser, StringAttr &name) {
  std::string text;
  if (parser.parseKeywordOrString(&text))
    return failure();
  name = parser.getBuilder().getStringAttr(text);
  return success();
}

/// `: i32` or `: i64`, as a byte width.
static ParseResult parseScalarWidth(AsmParser &parser, unsigned &bytes) {
  Type type;
  SMLoc loc = parser.getCurrentLocation();
  if (parser.parseColon() || parser.parseType(type))
    return failure();
  if (!type.isSignlessInteger(32) && !type.isSignlessInteger(64))
    return parser.emitError(loc, "expected i32 or i64 (a 4- or 8-byte "
                                 "argument), got ")
           << type;
  bytes = type.getIntOrFloatBitWidth() / 8;
  return success();
}

static ParseResult parseIntegerList(AsmParser &parser,
                                    SmallVectorImpl<int64_t> &values) {
  return parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                        [&]() -> ParseResult {
                                          int64_t v;
                                          if (parser.parseInteger(v))
                                            return failure();
                                          values.push_back(v);
                                          return success();
                                        });
}

//===----------------------------------------------------------------------===//
// RuntimeSizeAttr: <M = a[0], a_scales[0], c[0]>
//===----------------------------------------------------------------------===//

Attribute RuntimeSizeAttr::parse(AsmParser &parser, Type) {
  SMLoc start = parser.getCurrentLocation();
  StringAttr name;
  SmallVector<BufferExtent> extents;
  if (parser.parseLess() || parseName(parser, name) || parser.parseEqual())
    return {};
  auto parseExtent = [&]() -> ParseResult {
    BufferExtent extent;
    if (parseName(parser, extent.buffer) || parser.parseLSquare() ||
        parser.parseInteger(extent.dim) || parser.parseRSquare())
      return failure();
    extents.push_back(extent);
    return success();
  };
  if (parser.parseCommaSeparatedList(parseExtent) || parser.parseGreater())
    return {};
  return RuntimeSizeAttr::getChecked([&] { return parser.emitError(start); },
                                     parser.getContext(), name,
                                     ArrayRef<BufferExtent>(extents));
}

void RuntimeSizeAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printer.printKeywordOrString(getName().getValue());
  printer << " = ";
  llvm::interleaveComma(getExtents(), printer, [&](const BufferExtent &e) {
    printer.printKeywordOrString(e.buffer.getValue());
    printer << '[' << e.dim << ']';
  });
  printer << '>';
}

LogicalResult
RuntimeSizeAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        StringAttr name, ArrayRef<BufferExtent> extents) {
  if (!name || name.getValue().empty())
    return emitError() << "a runtime size needs a name";
  if (extents.empty())
    return emitError() << "runtime size " << name
                       << " is the extent of no buffer";
  return success();
}

//===----------------------------------------------------------------------===//
// KernelLaunchAttr
//===----------------------------------------------------------------------===//

Attribute KernelLaunchAttr::parse(AsmParser &parser, Type) {
  SMLoc start = parser.getCurrentLocation();
  SymbolRefAttr kernel;
  SmallVector<GridExtent> grid;
  SmallVector<int64_t> block;
  int64_t lds = 0;
  SmallVector<KernelArg> args;
  Attribute config;
  if (parser.parseLess() || parser.parseAttribute(kernel) ||
      parser.parseComma() || parser.parseKeyword("grid"))
    return {};
  auto parseGrid = [&]() -> ParseResult {
    int64_t value;
    OptionalParseResult constant = parser.parseOptionalInteger(value);
    if (constant.has_value()) {
      if (failed(*constant))
        return failure();
      grid.push_back(GridExtent::constant(value));
      return success();
    }
    StringAttr size;
    if (parser.parseKeyword("ceildiv") || parser.parseLParen() ||
        parseName(parser, size) || parser.parseComma() ||
        parser.parseInteger(value) || parser.parseRParen())
      return failure();
    grid.push_back(GridExtent::ceilDiv(size, value));
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseGrid) ||
      parser.parseComma() || parser.parseKeyword("block") ||
      parseIntegerList(parser, block) || parser.parseComma() ||
      parser.parseKeyword("lds") || parser.parseInteger(lds) ||
      parser.parseComma() || parser.parseKeyword("args"))
    return {};
  auto parseArg = [&]() -> ParseResult {
    int64_t value;
    OptionalParseResult constant = parser.parseOptionalInteger(value);
    if (constant.has_value()) {
      unsigned bytes;
      if (failed(*constant) || parseScalarWidth(parser, bytes))
        return failure();
      args.push_back(KernelArg::constant(value, bytes));
      return success();
    }
    StringAttr name;
    if (parseName(parser, name))
      return failure();
    if (failed(parser.parseOptionalColon())) {
      args.push_back(KernelArg::buffer(name));
      return success();
    }
    Type type;
    SMLoc loc = parser.getCurrentLocation();
    if (parser.parseType(type))
      return failure();
    if (!type.isSignlessInteger(32) && !type.isSignlessInteger(64))
      return parser.emitError(loc, "expected i32 or i64 (a 4- or 8-byte "
                                   "argument), got ")
             << type;
    args.push_back(KernelArg::size(name, type.getIntOrFloatBitWidth() / 8));
    return success();
  };
  if (parser.parseCommaSeparatedList(AsmParser::Delimiter::Square, parseArg))
    return {};
  if (succeeded(parser.parseOptionalComma()))
    if (parser.parseKeyword("config") || parser.parseAttribute(config))
      return {};
  if (parser.parseGreater())
    return {};
  return KernelLaunchAttr::getChecked(
      [&] { return parser.emitError(start); }, parser.getContext(), kernel,
      ArrayRef<GridExtent>(grid), ArrayRef<int64_t>(block), lds,
      ArrayRef<KernelArg>(args), config);
}

void KernelLaunchAttr::print(AsmPrinter &printer) const {
  printer << '<';
  printer.printAttribute(getKernel());
  printer << ", grid [";
  llvm::interleaveComma(getGrid(), printer, [&](const GridExtent &e) {
    if (e.isConstant()) {
      printer << e.value;
      return;
    }
    printer << "ceildiv(";
    printer.printKeywordOrString(e.size.getValue());
    printer << ", " << e.value << ')';
  });
  printer << "], block [";
  llvm::interleaveComma(getBlock(), printer);
  printer << "], lds " << getLdsBytes() << ", args [";
  llvm::interleaveComma(getArgs(), printer, [&](const KernelArg &a) {
    switch (a.kind) {
    case KernelArg::Kind::Buffer:
      printer.printKeywordOrString(a.name.getValue());
      return;
    case KernelArg::Kind::Size:
      printer.printKeywordOrString(a.name.getValue());
      break;
    case KernelArg::Kind::Constant:
      printer << a.value;
      break;
    }
    printer << " : i" << a.bytes * 8;
  });
  printer << ']';
  if (getConfig()) {
    printer << ", config ";
    printer.printAttribute(getConfig());
  }
  printer << '>';
}

LogicalResult
KernelLaunchAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                         SymbolRefAttr kernel, ArrayRef<GridExtent> grid,
                         ArrayRef<int64_t> block, int64_t ldsBytes,
                         ArrayRef<KernelArg> args, Attribute) {
  if (!kernel)
    return emitError() << "a kernel launch needs a kernel symbol";
  if (grid.size() != 3 || block.size() != 3)
    return emitError() << "grid and block need 3 dimensions each, got "
                       << grid.size() << " and " << block.size();
  for (const GridExtent &e : grid) {
    if (e.isConstant() && (e.value < 1 || e.value > int64_t(UINT32_MAX)))
      return emitError() << "grid dimension " << e.value
                         << " is not in [1, 2^32 - 1]";
    if (!e.isConstant() && e.value < 1)
      return emitError() << "grid dimension ceildiv(" << e.size << ", "
                         << e.value << ") needs a divisor of at least 1";
  }
  int64_t lanes = 1;
  for (int64_t b : block) {
    if (b < 1 || b > 1024)
      return emitError() << "block dimension " << b << " is not in [1, 1024]";
    lanes *= b;
  }
  if (lanes > 1024)
    return emitError() << "block of " << lanes
                       << " lanes; a workgroup holds at most 1024";
  if (ldsBytes < 0 || ldsBytes > int64_t(UINT32_MAX))
    return emitError() << "dynamic LDS of " << ldsBytes
                       << " bytes is not in [0, 2^32 - 1]";
  for (auto [i, a] : llvm::enumerate(args)) {
    if (a.kind != KernelArg::Kind::Constant &&
        (!a.name || a.name.getValue().empty()))
      return emitError() << "argument " << i << " needs a name";
    if (a.kind == KernelArg::Kind::Buffer ? a.bytes != 8
                                          : a.bytes != 4 && a.bytes != 8)
      return emitError() << "argument " << i << " of " << a.bytes
                         << " bytes; buffers take 8, scalars 4 or 8";
    if (a.kind == KernelArg::Kind::Constant && a.bytes == 4 &&
        (a.value < INT32_MIN || a.value > INT32_MAX))
      return emitError() << "constant argument " << a.value
                         << " does not fit an i32";
  }
  return success();
}

//===----------------------------------------------------------------------===//
// LaunchVariantAttr: <when [M in [0, 16]], launches [...]>
//===----------------------------------------------------------------------===//

Attribute LaunchVariantAttr::parse(AsmParser &parser, Type) {
  SMLoc start = parser.getCurrentLocation();
  SmallVector<SizeRange> when;
  SmallVector<KernelLaunchAttr> launches;
  auto parseRange = [&]() -> ParseResult {
    SizeRange range;
    if (parseName(parser, range.size) || parser.parseKeyword("in") ||
        parser.parseLSquare() || parser.parseInteger(range.min) ||
        parser.parseComma() || parser.parseInteger(range.max) ||
        parser.parseRSquare())
      return failure();
    when.push_back(range);
    return success();
  };
  auto parseLaunch = [&]() -> ParseResult {
    KernelLaunchAttr launch;
    if (parser.parseAttribute(launch))
      return failure();
    launches.push_back(launch);
    return success();
  };
  if (parser.parseLess() || parser.parseKeyword("when") ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     parseRange) ||
      parser.parseComma() || parser.parseKeyword("launches") ||
      parser.parseCommaSeparatedList(AsmParser::Delimiter::Square,
                                     parseLaunch) ||
      parser.parseGreater())
    return {};
  return LaunchVariantAttr::getChecked(
      [&] { return parser.emitError(start); }, parser.getContext(),
      ArrayRef<SizeRange>(when), ArrayRef<KernelLaunchAttr>(launches));
}

void LaunchVariantAttr::print(AsmPrinter &printer) const {
  printer << "<when [";
  llvm::interleaveComma(getWhen(), printer, [&](const SizeRange &r) {
    printer.printKeywordOrString(r.size.getValue());
    printer << " in [" << r.min << ", " << r.max << ']';
  });
  printer << "], launches [";
  llvm::interleaveComma(getLaunches(), printer,
                        [&](KernelLaunchAttr l) { printer.printAttribute(l); });
  printer << "]>";
}

LogicalResult
LaunchVariantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                          ArrayRef<SizeRange> when,
                          ArrayRef<KernelLaunchAttr> launches) {
  llvm::SmallDenseSet<StringAttr> seen;
  for (const SizeRange &r : when) {
    if (!r.size || r.size.getValue().empty())
      return emitError() << "a size range needs a size name";
    if (r.min < 0 || r.min > r.max)
      return emitError() << "range " << r.size << " in [" << r.min << ", "
                         << r.max << "] is empty or negative";
    if (!seen.insert(r.size).second)
      return emitError() << "size " << r.size << " has two ranges";
  }
  for (KernelLaunchAttr launch : launches)
    if (!launch)
      return emitError() << "a variant's launches must be #mx.kernel_launch";
  return success();
}

//===----------------------------------------------------------------------===//
// GemmVariantAttr
//===----------------------------------------------------------------------===//

LogicalResult
GemmVariantAttr::verify(function_ref<InFlightDiagnostic()> emitError,
                        int64_t minM, int64_t maxM, GemmConfigAttr config) {
  if (minM < 0 || minM > maxM || maxM > kMaxInt32Size)
    return emitError() << "M range [" << minM << ", " << maxM
                       << "] is not within [0, " << kMaxInt32Size
                       << "] with min <= max";
  if (!config)
    return emitError() << "a gemm variant needs a config";
  return success();
}

//===----------------------------------------------------------------------===//
// LaunchPlanOp
//===----------------------------------------------------------------------===//

namespace mxc::mx {
/// `(a = %0, b = %1)`: buffers and their names.
ParseResult
parseNamedBuffers(OpAsmParser &parser,
                  SmallVectorImpl<OpAsmParser::UnresolvedOperand> &buffers,
                  ArrayAttr &names) {
  SmallVector<Attribute> nameAttrs;
  if (parser.parseCommaSeparatedList(
          AsmParser::Delimiter::Paren, [&]() -> ParseResult {
            StringAttr name;
            if (parseName(parser, name) || parser.parseEqual() ||
                parser.parseOperand(buffers.emplace_back()))
              return failure();
            nameAttrs.push_back(name);
            return success();
          }))
    return failure();
  names = parser.getBuilder().getArrayAttr(nameAttrs);
  return success();
}

void printNamedBuffers(OpAsmPrinter &printer, Operation *, OperandRange buffers,
                       ArrayAttr names) {
  printer << '(';
  llvm::interleaveComma(llvm::zip(names, buffers), printer, [&](auto pair) {
    printer.printKeywordOrString(cast<StringAttr>(std::get<0>(pair)));
    printer << " = ";
    printer.printOperand(std::get<1>(pair));
  });
  printer << ')';
}
} // namespace mxc::mx

Value LaunchPlanOp::lookupBuffer(StringRef name) {
  for (auto [bufferName, buffer] : llvm::zip(getBufferNames(), getBuffers()))
    if (cast<StringAttr>(bufferName).getValue() == name)
      return buffer;
  return {};
}

LogicalResult LaunchPlanOp::verify() {
  if (getBufferNames().size() != getBuffers().size())
    return emitOpError() << "has " << getBuffers().size() << " buffers and "
                         << getBufferNames().size() << " buffer names";
  llvm::StringSet<> names;
  for (Attribute name : getBufferNames())
    if (!names.insert(cast<StringAttr>(name).getValue()).second)
      return emitOpError() << "names two buffers " << name;
  llvm::StringSet<> sizeNames;
  for (auto size : getSizes().getAsRange<RuntimeSizeAttr>()) {
    if (names.contains(size.getName().getValue()) ||
        !sizeNames.insert(size.getName().getValue()).second)
      return emitOpError() << "size " << size.getName()
                           << " has the name of another size or buffer";
    for (const BufferExtent &e : size.getExtents()) {
      Value buffer = lookupBuffer(e.buffer.getValue());
      if (!buffer)
        return emitOpError() << "size " << size.getName() << " is an extent of "
                             << e.buffer << ", which is no buffer of the op";
      auto type = cast<MemRefType>(buffer.getType());
      if (e.dim >= type.getRank() || !type.isDynamicDim(e.dim))
        return emitOpError() << "size " << size.getName() << " is extent "
                             << e.dim << " of " << e.buffer << " (" << type
                             << "), which is not a dynamic extent";
    }
  }
  if (getVariants().empty())
    return emitOpError("needs at least one variant");
  for (auto [v, variant] :
       llvm::enumerate(getVariants().getAsRange<LaunchVariantAttr>())) {
    auto variantError = [&]() {
      return emitOpError() << "variant " << v << ": ";
    };
    for (const SizeRange &r : variant.getWhen())
      if (!sizeNames.contains(r.size.getValue()))
        return variantError() << "range of unknown size " << r.size;
    for (KernelLaunchAttr launch : variant.getLaunches()) {
      for (const GridExtent &e : launch.getGrid())
        if (!e.isConstant() && !sizeNames.contains(e.size.getValue()))
          return variantError() << "grid of " << launch.getKernel()
                                << " uses unknown size " << e.size;
      for (auto [i, a] : llvm::enumerate(launch.getArgs())) {
        if (a.kind == KernelArg::Kind::Buffer && !names.contains(a.name))
          return variantError()
                 << "argument " << i << " of " << launch.getKernel()
                 << " names no buffer: " << a.name;
        if (a.kind == KernelArg::Kind::Size && !sizeNames.contains(a.name))
          return variantError()
                 << "argument " << i << " of " << launch.getKernel()
                 << " names no size: " << a.name;
      }
    }
  }
  return success();
}

LogicalResult
LaunchPlanOp::verifySymbolUses(SymbolTableCollection &symbolTable) {
  for (auto variant : getVariants().getAsRange<LaunchVariantAttr>())
    for (KernelLaunchAttr launch : variant.getLaunches()) {
      auto kernel = symbolTable.lookupNearestSymbolFrom<FunctionOpInterface>(
          *this, launch.getKernel());
      if (!kernel)
        return emitOpError()
               << "launches " << launch.getKernel() << ", which is no function";
      ArrayRef<Type> types = kernel.getArgumentTypes();
      if (types.size() != launch.getArgs().size())
        return emitOpError()
               << "passes " << launch.getArgs().size() << " arguments to "
               << launch.getKernel() << ", which takes " << types.size();
      for (auto [i, arg, type] : llvm::enumerate(launch.getArgs(), types)) {
        bool pointer = isa<LLVM::LLVMPointerType>(type);
        bool matches = arg.kind == KernelArg::Kind::Buffer
                           ? pointer
                           : type.isSignlessInteger(arg.bytes * 8);
        if (!matches)
          return emitOpError()
                 << "argument " << i << " of " << launch.getKernel()
                 << " has type " << type << "; the plan passes "
                 << (arg.kind == KernelArg::Kind::Buffer
                         ? std::string("a buffer pointer")
                         : "an i" + std::to_string(arg.bytes * 8));
      }
    }
  return success();
}

//===----------------------------------------------------------------------===//
// Discardable attributes
//===----------------------------------------------------------------------===//

LogicalResult MxDialect::verifyOperationAttribute(Operation *op,
                                                  NamedAttribute attr) {
  StringRef name = attr.getName().getValue();
  if (name == kConfigAttrName) {
    if (!isa<GemmConfigAttr>(attr.getValue()))
      return op->emitError() << "'" << name << "' must be a #mx.gemm_config";
    return success();
  }
  if (name != kVariantsAttrName)
    return op->emitError() << "unknown mx attribute '" << name << "'";
  auto matmul = dyn_cast<ScaledMatmulOp>(op);
  if (!matmul)
    return op->emitError() << "'" << name
                           << "' belongs on mx.scaled_matmul only";
  auto variants = dyn_cast<ArrayAttr>(attr.getValue());
  if (!variants || variants.empty() ||
      !llvm::all_of(variants, llvm::IsaPred<GemmVariantAttr>))
    return op->emitError() << "'" << name
                           << "' must be a non-empty array of "
                              "#mx.gemm_variant";
  if (!matmul.getA().getType().isDynamicDim(0))
    return op->emitError() << "'" << name
                           << "' chooses by M, and M (A's extent 0) is static";
  if (matmul.getConfig())
    return op->emitError() << "has both 'config' and '" << name
                           << "'; a config per M range replaces the one config";
  // Ranges in order, each starting where the last ended, covering every M
  // a kernel's 32-bit M argument holds.
  int64_t next = 0;
  for (auto variant : variants.getAsRange<GemmVariantAttr>()) {
    if (variant.getMinM() != next)
      return op->emitError()
             << "'" << name
             << "': the range starting at M = " << variant.getMinM()
             << " should start at " << next
             << " (ranges ascend without gaps or overlaps from M = 0)";
    next = variant.getMaxM() + 1;
  }
  if (next != kMaxInt32Size + 1)
    return op->emitError() << "'" << name
                           << "': the last range ends at M = " << next - 1
                           << "; it must end at " << kMaxInt32Size;
  return success();
}
