//===- BlockQuantize.cpp - MX block scales and element codes --------------===//
//
// Part of mxc. Which conversions run in hardware (docs/quantize.md): E4M3
// and E5M2 through v_cvt_pk_fp8_f32 / v_cvt_pk_bf8_f32 (OCP encodings,
// round to nearest even, subnormals kept) after an exact fp32 multiply by
// 2^(127 - s) on chips whose ChipInfo::rowFp8 says Hardware (gfx950), else
// in integer arithmetic on the fp32 bits like E2M3, E3M2 and E2M1 (the
// simulator models no FP6/FP4 conversion instruction, so their bits could
// not be checked against SPEC.md; gfx942's FP8 conversions are FNUZ).
//
//===----------------------------------------------------------------------===//

#include "BlockQuantize.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/LLVMIR/ROCDLDialect.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"

using namespace mlir;
using namespace mxc;
using namespace mxc::quant;
using arith::CmpIPredicate;

/// The fp32 bits of Inf: |x| bits at or above it are Inf or NaN.
static constexpr int64_t kF32InfBits = 0x7F800000;

Value BlockQuantizer::absBits(Value x) const {
  ImplicitLocOpBuilder &b = t.b;
  Value bits = arith::BitcastOp::create(b, b.getI32Type(), x);
  return arith::AndIOp::create(b, bits, t.i32(0x7FFFFFFF));
}

Value BlockQuantizer::maxBits(ArrayRef<Value> bits) const {
  Value result = bits.front();
  for (Value v : bits.drop_front())
    result = arith::MaxUIOp::create(t.b, result, v);
  return result;
}

Value BlockQuantizer::scale(Value amaxBits) const {
  ImplicitLocOpBuilder &b = t.b;
  auto select = [&](Value c, Value x, Value y) {
    return arith::SelectOp::create(b, c, x, y).getResult();
  };
  auto cmp = [&](CmpIPredicate p, Value x, int64_t y) {
    return arith::CmpIOp::create(b, p, x, t.i32(y)).getResult();
  };
  auto shr = [&](Value x, int64_t n) {
    return arith::ShRUIOp::create(b, x, t.i32(n)).getResult();
  };
  auto mantissa = [&](Value x) {
    return arith::AndIOp::create(b, x, t.i32(0x7FFFFF)).getResult();
  };
  Value s;
  if (rounding == mx::ScaleRounding::ceil) {
    // d = fp32(amax / max_finite) (IEEE division); s = 127 + ceil(log2 d)
    // from d's bits: its exponent, plus one when its mantissa is not zero.
    // A subnormal d (d = m 2^-149) has ceil(log2 d) = -126 when m > 2^22,
    // -127 when m = 2^22, less (clamped to 0) below.
    Value amax = arith::BitcastOp::create(b, b.getF32Type(), amaxBits);
    Value maxFinite =
        arith::ConstantOp::create(b, b.getF32FloatAttr(float(info.maxFinite)));
    Value d = arith::DivFOp::create(b, amax, maxFinite);
    Value dBits = arith::BitcastOp::create(b, b.getI32Type(), d);
    Value exponent = shr(dBits, 23);
    Value inexact = arith::ExtUIOp::create(
        b, b.getI32Type(), cmp(CmpIPredicate::ne, mantissa(dBits), 0));
    Value normal = t.add(exponent, inexact);
    Value subnormal = arith::ExtUIOp::create(
        b, b.getI32Type(), cmp(CmpIPredicate::ugt, mantissa(dBits), 0x400000));
    s = select(cmp(CmpIPredicate::eq, exponent, 0), subnormal, normal);
    s = arith::MinUIOp::create(b, s, t.i32(254));
    // An all-zero block gets s = 127.
    s = select(cmp(CmpIPredicate::eq, amaxBits, 0), t.i32(127), s);
  } else {
    // s = 127 + floor(log2 amax) - emax: amax's exponent, or for a
    // subnormal amax = m 2^-149 its leading one's place, 31 - clz(m) - 149.
    // amax = 0 gives clz = 32 and a negative s, clamped to 0.
    Value exponent = shr(amaxBits, 23);
    Value normal = t.addConst(exponent, -info.emax);
    Value lead = LLVM::CountLeadingZerosOp::create(
        b, b.getI32Type(), mantissa(amaxBits), /*is_zero_poison=*/false);
    Value subnormal = arith::SubIOp::create(b, t.i32(9 - info.emax), lead);
    s = select(cmp(CmpIPredicate::eq, exponent, 0), subnormal, normal);
    s = arith::MaxSIOp::create(b, s, t.i32(0));
    s = arith::MinSIOp::create(b, s, t.i32(254));
  }
  // A block holding NaN or Inf gets scale 0xFF.
  return select(cmp(CmpIPredicate::uge, amaxBits, kF32InfBits), t.i32(255), s);
}

Value BlockQuantizer::softwareMagnitude(Value q) const {
  ImplicitLocOpBuilder &b = t.b;
  int mbits = int(info.manBits), minExp = 1 - info.bias;
  Value a = absBits(q);
  // Normal results: round the fp32 mantissa to `mbits` bits, to nearest
  // even (add just under half a unit, plus the unit's low bit), then
  // rebias the exponent.
  int shift = 23 - mbits;
  Value odd = arith::AndIOp::create(
      b, arith::ShRUIOp::create(b, a, t.i32(shift)), t.i32(1));
  Value rounded = t.add(t.addConst(a, (int64_t(1) << (shift - 1)) - 1), odd);
  Value normal = t.addConst(arith::ShRUIOp::create(b, rounded, t.i32(shift)),
                            -(int64_t(127 - info.bias) << mbits));
  // Subnormal results (|q| < 2^minExp): adding C = 2^(minExp - mbits + 23),
  // whose ulp is the format's subnormal step, rounds |q| to that step
  // (fp32 addition rounds to nearest even); the code is the distance in
  // ulps. It is exact: |q| < 2^minExp is far below C.
  int64_t cBits = int64_t(minExp - mbits + 23 + 127) << 23;
  Value c = arith::BitcastOp::create(b, b.getF32Type(), t.i32(cBits));
  Value sum = arith::AddFOp::create(
      b, arith::BitcastOp::create(b, b.getF32Type(), a), c);
  Value subnormal =
      t.addConst(arith::BitcastOp::create(b, b.getI32Type(), sum), -cBits);
  Value isSubnormal = arith::CmpIOp::create(b, CmpIPredicate::ult, a,
                                            t.i32(int64_t(minExp + 127) << 23));
  Value magnitude = arith::SelectOp::create(b, isSubnormal, subnormal, normal);
  // Saturate at the largest finite code (reached only in floor mode).
  unsigned maxCode = (1u << (info.bits - 1)) - 1;
  if (info.format == mx::Format::E4M3)
    maxCode = 0x7E;
  else if (info.format == mx::Format::E5M2)
    maxCode = 0x7B;
  return arith::MinUIOp::create(b, magnitude, t.i32(maxCode));
}

Value BlockQuantizer::hardwareFp8Pair(Value x, Value y, Value old,
                                      bool high) const {
  ImplicitLocOpBuilder &b = t.b;
  Type i32 = b.getI32Type();
  auto wordSel = b.getBoolAttr(high);
  if (info.format == mx::Format::E4M3)
    return ROCDL::CvtPkFp8F32Op::create(b, i32, x, y, old, wordSel);
  return ROCDL::CvtPkBf8F32Op::create(b, i32, x, y, old, wordSel);
}

Value BlockQuantizer::encode(ArrayRef<Value> values, Value scale) const {
  ImplicitLocOpBuilder &b = t.b;
  unsigned bits = info.bits;
  assert(values.size() * bits % 32 == 0 && "whole dwords of codes");
  unsigned words = unsigned(values.size() * bits / 32);
  // 2^(127 - s): a normal fp32 for s < 254, 2^-127 (subnormal) for 254.
  Value below = arith::CmpIOp::create(b, CmpIPredicate::ult, scale, t.i32(254));
  Value invBits = arith::SelectOp::create(
      b, below,
      arith::ShLIOp::create(b, arith::SubIOp::create(b, t.i32(254), scale),
                            t.i32(23)),
      t.i32(0x400000));
  Value inv = arith::BitcastOp::create(b, b.getF32Type(), invBits);
  // The product is exact unless it underflows (SPEC.md, Elements).
  SmallVector<Value> q;
  for (Value v : values)
    q.push_back(arith::MulFOp::create(b, v, inv));

  bool hardware = bits == 8 && fp8 == amdgpu::Fp8Conversion::Hardware;
  SmallVector<Value> packed(words, t.i32(0));
  if (hardware) {
    // floor mode saturates: clamping first makes the hardware's round to
    // nearest even give the largest finite code for anything beyond it.
    if (rounding == mx::ScaleRounding::floor) {
      Value hi = arith::ConstantOp::create(
          b, b.getF32FloatAttr(float(info.maxFinite)));
      Value lo = arith::ConstantOp::create(
          b, b.getF32FloatAttr(-float(info.maxFinite)));
      for (Value &v : q)
        v = arith::MaxNumFOp::create(b, arith::MinNumFOp::create(b, v, hi), lo);
    }
    for (unsigned w = 0; w < words; ++w) {
      Value word = hardwareFp8Pair(q[4 * w], q[4 * w + 1], t.i32(0), false);
      packed[w] = hardwareFp8Pair(q[4 * w + 2], q[4 * w + 3], word, true);
    }
  } else {
    for (auto [i, v] : llvm::enumerate(q)) {
      Value sign = arith::ShLIOp::create(
          b,
          arith::ShRUIOp::create(
              b, arith::BitcastOp::create(b, b.getI32Type(), v), t.i32(31)),
          t.i32(bits - 1));
      Value code = arith::OrIOp::create(b, softwareMagnitude(v), sign);
      // Element i at bit i * bits of the row's little-endian bit stream.
      unsigned bit = unsigned(i) * bits, word = bit / 32, at = bit % 32;
      packed[word] = arith::OrIOp::create(
          b, packed[word], arith::ShLIOp::create(b, code, t.i32(at)));
      if (at + bits > 32)
        packed[word + 1] = arith::OrIOp::create(
            b, packed[word + 1],
            arith::ShRUIOp::create(b, code, t.i32(32 - at)));
    }
  }

  // A NaN/Inf block: every element the format's NaN (E4M3, E5M2: 0x7F) or,
  // where there is none (FP6, FP4), the positive code with every magnitude
  // bit set.
  uint32_t nanCode = (1u << (bits - 1)) - 1;
  Value bad = arith::CmpIOp::create(b, CmpIPredicate::eq, scale, t.i32(255));
  SmallVector<Value> result;
  for (unsigned w = 0; w < words; ++w) {
    uint32_t nanWord = 0;
    for (unsigned bit = 0; bit < 32; ++bit) {
      unsigned streamBit = w * 32 + bit;
      if ((nanCode >> (streamBit % bits)) & 1)
        nanWord |= 1u << bit;
    }
    result.push_back(
        arith::SelectOp::create(b, bad, t.i32(int32_t(nanWord)), packed[w]));
  }
  Value vec = vector::FromElementsOp::create(
      b, VectorType::get({int64_t(words)}, b.getI32Type()), result);
  return vec;
}

SmallVector<Value> mxc::quant::decodeCodes(tile::TileBuilder &t,
                                           mx::Format format, Value words,
                                           unsigned count,
                                           amdgpu::Fp8Conversion fp8) {
  ImplicitLocOpBuilder &b = t.b;
  const mx::FormatInfo &info = mx::getFormatInfo(format);
  Type f32 = b.getF32Type(), i32 = b.getI32Type();
  SmallVector<Value> out;
  if (info.bits == 8 && fp8 == amdgpu::Fp8Conversion::Hardware) {
    auto pair = VectorType::get({2}, f32);
    for (unsigned i = 0; i < count; i += 2) {
      Value word = t.extract(words, i / 4);
      auto high = b.getBoolAttr((i / 2) % 2 == 1);
      Value two =
          format == mx::Format::E4M3
              ? ROCDL::CvtPkF32Fp8Op::create(b, pair, word, high).getResult()
              : ROCDL::CvtPkF32Bf8Op::create(b, pair, word, high).getResult();
      out.push_back(t.extract(two, 0));
      out.push_back(t.extract(two, 1));
    }
    return out;
  }
  unsigned bits = info.bits, mbits = info.manBits;
  int64_t minExp = 1 - info.bias;
  for (unsigned i = 0; i < count; ++i) {
    // Element i at bit i * bits of the stream. An FP6 code may straddle two
    // words: its group of four (three bytes) is gathered with v_perm_b32
    // first (the shift-or pair would become a funnel shift).
    unsigned bit = i * bits, word = bit / 32, at = bit % 32;
    Value code;
    if (at + bits > 32) {
      unsigned firstByte = (bit / 24) * 3, byteInWord = firstByte % 4;
      word = firstByte / 4;
      int64_t selector = byteInWord | (byteInWord + 1) << 8 |
                         (byteInWord + 2) << 16 | 0x0C << 24;
      Value group = LLVM::CallIntrinsicOp::create(
                        b, i32, b.getStringAttr("llvm.amdgcn.perm"),
                        ValueRange{t.extract(words, word + 1),
                                   t.extract(words, word), t.i32(selector)})
                        .getResult(0);
      code = arith::ShRUIOp::create(b, group, t.i32(bit % 24));
    } else {
      code = arith::ShRUIOp::create(b, t.extract(words, word), t.i32(at));
    }
    code = arith::AndIOp::create(b, code, t.i32((1 << bits) - 1));
    Value exponent = arith::ShRUIOp::create(
        b, arith::AndIOp::create(b, code, t.i32((1 << (bits - 1)) - 1)),
        t.i32(mbits));
    Value mantissa = arith::AndIOp::create(b, code, t.i32((1 << mbits) - 1));
    // Normal: rebias the exponent, widen the mantissa. Subnormal (exponent
    // 0): mantissa x 2^(minExp - mbits), exact in fp32.
    Value normal = arith::OrIOp::create(
        b,
        arith::ShLIOp::create(b, t.addConst(exponent, 127 - info.bias),
                              t.i32(23)),
        arith::ShLIOp::create(b, mantissa, t.i32(23 - mbits)));
    Value step = arith::BitcastOp::create(
        b, f32, t.i32((minExp - int64_t(mbits) + 127) << 23));
    Value subnormal = arith::BitcastOp::create(
        b, i32,
        arith::MulFOp::create(b, arith::UIToFPOp::create(b, f32, mantissa),
                              step));
    Value isSubnormal =
        arith::CmpIOp::create(b, CmpIPredicate::eq, exponent, t.i32(0));
    Value magnitude =
        arith::SelectOp::create(b, isSubnormal, subnormal, normal);
    // FP8 specials (SPEC.md, Formats): E4M3's magnitude 0x7F is NaN; E5M2's
    // exponent 31 is infinity with mantissa 0, else NaN.
    if (format == mx::Format::E4M3) {
      Value isNan = arith::CmpIOp::create(
          b, CmpIPredicate::eq, arith::AndIOp::create(b, code, t.i32(0x7F)),
          t.i32(0x7F));
      magnitude =
          arith::SelectOp::create(b, isNan, t.i32(0x7FC00000), magnitude);
    } else if (format == mx::Format::E5M2) {
      Value special =
          arith::CmpIOp::create(b, CmpIPredicate::eq, exponent, t.i32(31));
      Value isInf =
          arith::CmpIOp::create(b, CmpIPredicate::eq, mantissa, t.i32(0));
      Value value = arith::SelectOp::create(b, isInf, t.i32(0x7F800000),
                                            t.i32(0x7FC00000));
      magnitude = arith::SelectOp::create(b, special, value, magnitude);
    }
    Value sign = arith::ShLIOp::create(
        b, arith::ShRUIOp::create(b, code, t.i32(bits - 1)), t.i32(31));
    out.push_back(arith::BitcastOp::create(
        b, f32, arith::OrIOp::create(b, magnitude, sign)));
  }
  return out;
}

Value mxc::quant::scaleValue(tile::TileBuilder &t, Value s) {
  ImplicitLocOpBuilder &b = t.b;
  Value bits = arith::ShLIOp::create(b, s, t.i32(23));
  bits = arith::SelectOp::create(
      b, arith::CmpIOp::create(b, CmpIPredicate::eq, s, t.i32(0)),
      t.i32(0x400000), bits);
  bits = arith::SelectOp::create(
      b, arith::CmpIOp::create(b, CmpIPredicate::eq, s, t.i32(255)),
      t.i32(0x7FC00000), bits);
  return arith::BitcastOp::create(b, b.getF32Type(), bits);
}
