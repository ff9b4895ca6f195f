//===- KernelBuilders.cpp - MLIR for mxc's ready-made kernels -------------===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#include "mxc/Driver/KernelBuilders.h"
#include "mxc/Dialect/Mx/MxFormats.h"

#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/raw_ostream.h"

#include <cmath>
#include <cstdio>
#include <optional>

using namespace llvm;
using namespace mxc;
using namespace mxc::driver;

namespace {
/// Names parameters as the caller's user spells them, and collects the ones
/// given into the op's location.
class ParamNames {
public:
  ParamNames(ParamSpelling spelling, StringRef function)
      : spelling(spelling), function(function) {}

  /// `a-format` as `--a-format` or `a_format`.
  std::string name(StringRef flag) const {
    if (spelling == ParamSpelling::CommandLine)
      return ("--" + flag).str();
    // `in` is a Python keyword: mxc.quantize takes in_type.
    if (flag == "in")
      return "in_type";
    std::string python = flag.str();
    for (char &c : python)
      if (c == '-')
        c = '_';
    return python;
  }

  /// The parameter and its value: `--k 33` or `k=33`.
  std::string withValue(StringRef flag, const Twine &value) const {
    if (spelling == ParamSpelling::CommandLine)
      return (name(flag) + " " + value).str();
    return (name(flag) + "=" + value).str();
  }

  /// Adds a parameter to the location; `text` values are quoted in Python.
  void add(StringRef flag, const Twine &value, bool text) {
    if (spelling == ParamSpelling::CommandLine) {
      given += (given.empty() ? "" : " ") + withValue(flag, value);
      return;
    }
    std::string shown = text ? ("'" + value + "'").str() : value.str();
    given += (given.empty() ? "" : ", ") + withValue(flag, shown);
  }
  /// A flag without a value (`--bias`, or `bias=True`).
  void addSwitch(StringRef flag) {
    if (spelling == ParamSpelling::CommandLine)
      given += (given.empty() ? "" : " ") + name(flag);
    else
      given += (given.empty() ? "" : ", ") + withValue(flag, "True");
  }

  std::string location() const {
    if (spelling == ParamSpelling::CommandLine)
      return given;
    return "mxc." + function.str() + "(" + given + ")";
  }

private:
  ParamSpelling spelling;
  StringRef function;
  std::string given;
};
} // namespace

static Error bad(const Twine &what) {
  return createStringError(inconvertibleErrorCode(), what);
}

/// The MLIR spelling of `format`'s element type ("f8E4M3FN").
static std::string elementTypeName(mlir::MLIRContext &context,
                                   const mx::FormatInfo &format) {
  std::string name;
  raw_string_ostream os(name);
  mx::getElementType(&context, format.format).print(os);
  return name;
}

/// `text` as the string of a MLIR location: quotes and backslashes escaped.
static std::string escapeLocation(StringRef text) {
  std::string escaped;
  for (char c : text) {
    if (c == '"' || c == '\\')
      escaped += '\\';
    escaped += c;
  }
  return escaped;
}

static Error checkBlockMultiple(const ParamNames &names, int64_t k) {
  if (k % 32)
    return bad(names.withValue("k", Twine(k)) +
               ": K must be a multiple of 32 (the MX block size)");
  return Error::success();
}

static bool isRealType(StringRef type) {
  return type == "bf16" || type == "f16" || type == "f32";
}

/// The MX format a parameter names, or an error naming the parameter.
static Expected<mx::FormatInfo> mxFormat(const ParamNames &names,
                                         StringRef param, StringRef text) {
  if (std::optional<mx::FormatInfo> format = mx::getFormatInfo(text))
    return *format;
  return bad(names.name(param) +
             " must be one of e4m3, e5m2, e2m3, e3m2, e2m1 (got '" + text +
             "')");
}

/// The input type and scale rounding the row ops (quantize, swiglu, rmsnorm)
/// take, checked.
static Error checkRowOpParams(const ParamNames &names, StringRef in,
                              StringRef rounding) {
  if (!isRealType(in))
    return bad(names.name("in") + " must be bf16, f16 or f32 (got '" + in +
               "')");
  if (rounding != "ceil" && rounding != "floor")
    return bad(names.name("rounding") + " must be ceil or floor (got '" +
               rounding + "')");
  return Error::success();
}

/// Adds the row op's types and rounding the user set to the location.
static void addRowOpParams(ParamNames &names, StringRef in, StringRef out,
                           StringRef rounding) {
  if (in != "bf16")
    names.add("in", in, /*text=*/true);
  if (out != "bf16")
    names.add("out", out, /*text=*/true);
  if (rounding != "ceil")
    names.add("rounding", rounding, /*text=*/true);
}

Expected<std::string> mxc::driver::buildGemmModule(mlir::MLIRContext &context,
                                                   const GemmSpec &spec,
                                                   ParamSpelling spelling) {
  ParamNames names(spelling, "gemm");
  std::optional<mx::FormatInfo> fa = mx::getFormatInfo(StringRef(spec.aFormat)),
                                fb = mx::getFormatInfo(StringRef(spec.bFormat));
  if (!fa || !fb)
    return bad(names.name("a-format") + " and " + names.name("b-format") +
               " must each be one of e4m3, e5m2, e2m3, e3m2, e2m1 (got '" +
               spec.aFormat + "' and '" + spec.bFormat + "')");
  if (Error error = checkBlockMultiple(names, spec.k))
    return std::move(error);
  if (!isRealType(spec.out))
    return bad(names.name("out") + " must be bf16, f16 or f32 (got '" +
               spec.out + "')");
  if (spec.bLayout != "nk" && spec.bLayout != "kn")
    return bad(names.name("b-layout") + " must be nk or kn (got '" +
               spec.bLayout + "')");
  std::string ta = elementTypeName(context, *fa),
              tb = elementTypeName(context, *fb);
  std::string n = std::to_string(spec.n), k = std::to_string(spec.k),
              kb = std::to_string(spec.k / 32);
  std::string a = "memref<?x" + k + "x" + ta + ">";
  std::string sa = "memref<?x" + kb + "xf8E8M0FNU>";
  std::string b = spec.bLayout == "nk"
                      ? "memref<" + n + "x" + k + "x" + tb + ">"
                      : "memref<" + k + "x" + n + "x" + tb + ">";
  std::string sb = "memref<" + n + "x" + kb + "xf8E8M0FNU>";
  std::string bias = "memref<" + n + "xf32>";
  std::string c = "memref<?x" + n + "x" + spec.out + ">";
  names.add("a-format", spec.aFormat, /*text=*/true);
  names.add("b-format", spec.bFormat, /*text=*/true);
  names.add("n", n, /*text=*/false);
  names.add("k", k, /*text=*/false);
  if (spec.out != "bf16")
    names.add("out", spec.out, /*text=*/true);
  if (spec.bias)
    names.addSwitch("bias");
  if (spec.bLayout != "nk")
    names.add("b-layout", spec.bLayout, /*text=*/true);
  return "func.func @gemm(%a: " + a + ", %sa: " + sa + ", %b: " + b +
         ", %sb: " + sb + (spec.bias ? ", %bias: " + bias : "") + ", %c: " + c +
         ") {\n  mx.scaled_matmul %a[%sa] * %b[%sb]" +
         (spec.bias ? " + %bias" : "") + " -> %c {b_layout = #mx.b_layout<" +
         spec.bLayout + ">} : " + a + "[" + sa + "] * " + b + "[" + sb + "]" +
         (spec.bias ? " + " + bias : "") + " -> " + c + " loc(\"" +
         escapeLocation(names.location()) + "\")\n  return\n}\n";
}

Expected<std::string>
mxc::driver::buildQuantizeModule(mlir::MLIRContext &context,
                                 const QuantizeSpec &spec,
                                 ParamSpelling spelling) {
  ParamNames names(spelling, "quantize");
  Expected<mx::FormatInfo> format = mxFormat(names, "format", spec.format);
  if (!format)
    return format.takeError();
  if (Error error = checkBlockMultiple(names, spec.k))
    return std::move(error);
  if (Error error = checkRowOpParams(names, spec.in, spec.rounding))
    return std::move(error);
  std::string elementType = elementTypeName(context, *format);
  std::string k = std::to_string(spec.k), kb = std::to_string(spec.k / 32);
  std::string in = "memref<?x" + k + "x" + spec.in + ">";
  std::string values = "memref<?x" + k + "x" + elementType + ">";
  std::string scales = "memref<?x" + kb + "xf8E8M0FNU>";
  names.add("format", spec.format, /*text=*/true);
  names.add("k", k, /*text=*/false);
  addRowOpParams(names, spec.in, /*out=*/"bf16", spec.rounding);
  return "func.func @quantize(%x: " + in + ", %q: " + values +
         ", %s: " + scales +
         ") {\n  mx.quantize %x -> %q, %s {rounding = #mx.rounding<" +
         spec.rounding + ">} : " + in + " -> " + values + ", " + scales +
         " loc(\"" + escapeLocation(names.location()) + "\")\n  return\n}\n";
}

Expected<std::string>
mxc::driver::buildDequantizeModule(mlir::MLIRContext &context,
                                   const DequantizeSpec &spec,
                                   ParamSpelling spelling) {
  ParamNames names(spelling, "dequantize");
  Expected<mx::FormatInfo> format = mxFormat(names, "format", spec.format);
  if (!format)
    return format.takeError();
  if (Error error = checkBlockMultiple(names, spec.k))
    return std::move(error);
  if (!isRealType(spec.out))
    return bad(names.name("out") + " must be bf16, f16 or f32 (got '" +
               spec.out + "')");
  std::string elementType = elementTypeName(context, *format);
  std::string k = std::to_string(spec.k), kb = std::to_string(spec.k / 32);
  std::string values = "memref<?x" + k + "x" + elementType + ">";
  std::string scales = "memref<?x" + kb + "xf8E8M0FNU>";
  std::string out = "memref<?x" + k + "x" + spec.out + ">";
  names.add("format", spec.format, /*text=*/true);
  names.add("k", k, /*text=*/false);
  if (spec.out != "bf16")
    names.add("out", spec.out, /*text=*/true);
  return "func.func @dequantize(%q: " + values + ", %s: " + scales +
         ", %y: " + out + ") {\n  mx.dequantize %q, %s -> %y : " + values +
         ", " + scales + " -> " + out + " loc(\"" +
         escapeLocation(names.location()) + "\")\n  return\n}\n";
}

/// A real parameter as the user might have written it (`7`, `1e-05`).
static std::string shortReal(double value) {
  char buffer[32];
  std::snprintf(buffer, sizeof(buffer), "%g", value);
  return buffer;
}

/// `value` as the text of an MLIR f32 attribute, or an error naming the
/// parameter when no finite f32 holds it.
static Expected<std::string> f32Attr(const ParamNames &names, StringRef param,
                                     double value) {
  if (!std::isfinite(value) || std::fabs(value) > 3.4028234663852886e38)
    return bad(names.withValue(param, shortReal(value)) +
               ": expected a finite number (within f32's range)");
  char buffer[40];
  std::snprintf(buffer, sizeof(buffer), "%.9e : f32", double(float(value)));
  return std::string(buffer);
}

/// The element type of a row op's output: a real type, or an MX format's
/// (a fused quantize, `quantized` set), or an error.
static Expected<std::string> rowOutputType(mlir::MLIRContext &context,
                                           const ParamNames &names,
                                           StringRef out, bool &quantized) {
  quantized = false;
  if (isRealType(out))
    return out.str();
  std::optional<mx::FormatInfo> format = mx::getFormatInfo(out);
  if (!format)
    return bad(names.name("out") +
               " must be bf16, f16, f32 or an MX format (e4m3, e5m2, e2m3, "
               "e3m2, e2m1) (got '" +
               out + "')");
  quantized = true;
  return elementTypeName(context, *format);
}

Expected<std::string> mxc::driver::buildSwigluModule(mlir::MLIRContext &context,
                                                     const SwigluSpec &spec,
                                                     ParamSpelling spelling) {
  ParamNames names(spelling, "swiglu");
  if (Error error = checkRowOpParams(names, spec.in, spec.rounding))
    return std::move(error);
  bool quantized;
  Expected<std::string> out =
      rowOutputType(context, names, spec.out, quantized);
  if (!out)
    return out.takeError();
  if (spec.layout != "split" && spec.layout != "interleaved")
    return bad(names.name("layout") + " must be split or interleaved (got '" +
               spec.layout + "')");
  Expected<std::string> alpha = f32Attr(names, "alpha", spec.alpha);
  if (!alpha)
    return alpha.takeError();
  Expected<std::string> beta = f32Attr(names, "beta", spec.beta);
  if (!beta)
    return beta.takeError();
  std::string attrs = "layout = #mx.swiglu_layout<" + spec.layout +
                      ">, alpha = " + *alpha + ", beta = " + *beta +
                      ", rounding = #mx.rounding<" + spec.rounding + ">";
  std::string i = std::to_string(spec.i);
  names.add("i", i, /*text=*/false);
  if (spec.limit) {
    Expected<std::string> limit = f32Attr(names, "limit", *spec.limit);
    if (!limit)
      return limit.takeError();
    attrs += ", limit = " + *limit;
    names.add("limit", shortReal(*spec.limit), /*text=*/false);
  }
  names.add("layout", spec.layout, /*text=*/true);
  addRowOpParams(names, spec.in, spec.out, spec.rounding);
  std::string in =
      "memref<?x" + std::to_string(2 * spec.i) + "x" + spec.in + ">";
  std::string y = "memref<?x" + i + "x" + *out + ">";
  std::string scales =
      "memref<?x" + std::to_string(spec.i / 32) + "xf8E8M0FNU>";
  return "func.func @swiglu(%x: " + in + ", %y: " + y +
         (quantized ? ", %s: " + scales : "") + ") {\n  mx.swiglu %x -> %y" +
         (quantized ? " scales %s" : "") + " {" + attrs + "} : " + in + " -> " +
         y + (quantized ? ", " + scales : "") + " loc(\"" +
         escapeLocation(names.location()) + "\")\n  return\n}\n";
}

Expected<std::string>
mxc::driver::buildRmsNormModule(mlir::MLIRContext &context,
                                const RmsNormSpec &spec,
                                ParamSpelling spelling) {
  ParamNames names(spelling, "rmsnorm");
  if (Error error = checkRowOpParams(names, spec.in, spec.rounding))
    return std::move(error);
  bool quantized;
  Expected<std::string> out =
      rowOutputType(context, names, spec.out, quantized);
  if (!out)
    return out.takeError();
  Expected<std::string> eps = f32Attr(names, "eps", spec.eps);
  if (!eps)
    return eps.takeError();
  std::string h = std::to_string(spec.h);
  names.add("h", h, /*text=*/false);
  if (spec.residual)
    names.addSwitch("residual");
  addRowOpParams(names, spec.in, spec.out, spec.rounding);
  std::string x = "memref<?x" + h + "x" + spec.in + ">";
  std::string w = "memref<" + h + "x" + spec.in + ">";
  std::string y = "memref<?x" + h + "x" + *out + ">";
  std::string scales =
      "memref<?x" + std::to_string(spec.h / 32) + "xf8E8M0FNU>";
  std::string args = "%x: " + x + ", %w: " + w, op = "mx.rmsnorm %x, %w",
              types = x + ", " + w;
  if (spec.residual) {
    args += ", %r: " + x + ", %ro: " + x;
    op += " residual %r -> %ro";
    types += ", " + x + " -> " + x;
  }
  args += ", %y: " + y;
  op += " -> %y";
  types += " -> " + y;
  if (quantized) {
    args += ", %s: " + scales;
    op += " scales %s";
    types += ", " + scales;
  }
  return "func.func @rmsnorm(" + args + ") {\n  " + op + " {eps = " + *eps +
         ", rounding = #mx.rounding<" + spec.rounding + ">} : " + types +
         " loc(\"" + escapeLocation(names.location()) + "\")\n  return\n}\n";
}
