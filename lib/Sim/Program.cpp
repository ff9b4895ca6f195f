//===- Program.cpp - Decoding LLVM IR for the simulator -------------------===//
//
// Part of mxc. Anything the interpreter cannot run is refused here, at load,
// with the instruction or intrinsic named.
//
//===----------------------------------------------------------------------===//

#include "Program.h"

#include "llvm/ADT/PostOrderIterator.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/CFG.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/DataLayout.h"
#include "llvm/IR/GetElementPtrTypeIterator.h"
#include "llvm/IR/InstIterator.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/IntrinsicInst.h"
#include "llvm/IR/Operator.h"
#include "llvm/Support/raw_ostream.h"

using namespace llvm;
using namespace mxc;
using namespace mxc::sim;

namespace mxc::sim {

static Error unsupported(const Twine &what, const Value *value) {
  std::string text;
  raw_string_ostream os(text);
  os << what;
  if (value) {
    os << ": ";
    value->print(os);
  }
  return createStringError(inconvertibleErrorCode(), text);
}

/// Decodes one kernel function.
class Decoder {
public:
  Decoder(Program &program, Kernel &kernel, const DataLayout &layout)
      : program(program), kernel(kernel), layout(layout) {}

  Error run(Function &fn);

private:
  Expected<TypeDesc> describe(Type *type, const Value *context);
  Expected<uint32_t> slotFor(Value *value);
  Error writeConstant(Constant *constant, const TypeDesc &type, uint8_t *out);
  Expected<uint64_t> constantAddress(Constant *constant);
  Error decodeInstruction(Instruction &inst);
  Error decodeCall(CallInst &call, Inst &out);
  Error decodeIntrinsicOperands(CallInst &call, StringRef name, Inst &out);

  Program &program;
  Kernel &kernel;
  const DataLayout &layout;
  DenseMap<Value *, uint32_t> slots;
  DenseMap<BasicBlock *, uint32_t> blockIndex;
  std::vector<std::pair<uint32_t, Constant *>> constants;
};

} // namespace mxc::sim

Expected<TypeDesc> Decoder::describe(Type *type, const Value *context) {
  TypeDesc desc;
  Type *elt = type;
  if (auto *vec = dyn_cast<FixedVectorType>(type)) {
    elt = vec->getElementType();
    desc.count = vec->getNumElements();
  } else if (isa<StructType>(type) || isa<ArrayType>(type)) {
    desc.kind = TypeDesc::Kind::Agg;
    desc.eltBytes = 1;
    desc.size = desc.count = layout.getTypeAllocSize(type);
    return desc;
  }
  if (auto *intTy = dyn_cast<IntegerType>(elt)) {
    unsigned bits = intTy->getBitWidth();
    if (bits > 64)
      return unsupported("integers wider than 64 bits", context);
    desc.kind = TypeDesc::Kind::Int;
    desc.bits = bits;
    desc.eltBytes = bits <= 8 ? 1 : bits <= 16 ? 2 : bits <= 32 ? 4 : 8;
  } else if (elt->isHalfTy()) {
    desc = {TypeDesc::Kind::Half, 16, desc.count, 2, 0};
  } else if (elt->isBFloatTy()) {
    desc = {TypeDesc::Kind::BFloat, 16, desc.count, 2, 0};
  } else if (elt->isFloatTy()) {
    desc = {TypeDesc::Kind::Float, 32, desc.count, 4, 0};
  } else if (elt->isDoubleTy()) {
    desc = {TypeDesc::Kind::Double, 64, desc.count, 8, 0};
  } else if (elt->isPointerTy()) {
    unsigned bits = layout.getPointerSizeInBits(elt->getPointerAddressSpace());
    desc = {TypeDesc::Kind::Ptr, uint8_t(bits), desc.count, uint16_t(bits / 8),
            0};
  } else {
    return unsupported("values of this type", context);
  }
  desc.size = uint32_t(desc.eltBytes) * desc.count;
  return desc;
}

Expected<uint32_t> Decoder::slotFor(Value *value) {
  auto it = slots.find(value);
  if (it != slots.end())
    return it->second;
  Expected<TypeDesc> type = describe(value->getType(), value);
  if (!type)
    return type.takeError();
  uint32_t slot = kernel.slotTypes.size();
  kernel.slotTypes.push_back(*type);
  kernel.slotOffsets.push_back(kernel.regBytes);
  // Keep every region 16-byte aligned for the vector loops.
  kernel.regBytes += (type->size * kernel.waveSize + 15) & ~15u;
  slots[value] = slot;
  if (auto *constant = dyn_cast<Constant>(value))
    constants.push_back({slot, constant});
  return slot;
}

Expected<uint64_t> Decoder::constantAddress(Constant *constant) {
  if (isa<ConstantPointerNull>(constant) || isa<UndefValue>(constant))
    return 0;
  if (auto *global = dyn_cast<GlobalVariable>(constant)) {
    auto it = kernel.ldsOffsets.find(global);
    if (it == kernel.ldsOffsets.end())
      return unsupported("global variables outside LDS (addrspace 3)", global);
    return it->second;
  }
  if (auto *expr = dyn_cast<ConstantExpr>(constant)) {
    switch (expr->getOpcode()) {
    case Instruction::GetElementPtr: {
      auto *gep = cast<GEPOperator>(expr);
      APInt offset(64, 0);
      if (!gep->accumulateConstantOffset(layout, offset))
        return unsupported("non-constant GEP expression", expr);
      Expected<uint64_t> base =
          constantAddress(cast<Constant>(gep->getPointerOperand()));
      if (!base)
        return base.takeError();
      return *base + offset.getSExtValue();
    }
    case Instruction::AddrSpaceCast: {
      Expected<uint64_t> base = constantAddress(expr->getOperand(0));
      if (!base)
        return base.takeError();
      unsigned from = expr->getOperand(0)->getType()->getPointerAddressSpace();
      unsigned to = expr->getType()->getPointerAddressSpace();
      if (to == 0 && from == 3)
        return kLdsAperture | *base;
      if (to == 0 && from == 5)
        return kPrivateAperture | *base;
      return *base;
    }
    case Instruction::IntToPtr:
    case Instruction::PtrToInt:
      if (auto *ci = dyn_cast<ConstantInt>(expr->getOperand(0)))
        return ci->getZExtValue();
      return constantAddress(expr->getOperand(0));
    default:
      break;
    }
  }
  return unsupported("constant expression", constant);
}

Error Decoder::writeConstant(Constant *constant, const TypeDesc &type,
                             uint8_t *out) {
  if (isa<UndefValue>(constant) || isa<ConstantAggregateZero>(constant) ||
      isa<ConstantPointerNull>(constant)) {
    std::memset(out, 0, type.size);
    return Error::success();
  }
  auto writeScalar = [&](Constant *c, uint8_t *dst) -> Error {
    uint64_t bits = 0;
    if (auto *ci = dyn_cast<ConstantInt>(c))
      bits = ci->getZExtValue();
    else if (auto *cf = dyn_cast<ConstantFP>(c))
      bits = cf->getValueAPF().bitcastToAPInt().getZExtValue();
    else if (isa<UndefValue>(c))
      bits = 0;
    else if (c->getType()->isPointerTy()) {
      Expected<uint64_t> address = constantAddress(c);
      if (!address)
        return address.takeError();
      bits = *address;
    } else {
      return unsupported("constant", c);
    }
    std::memcpy(dst, &bits, type.eltBytes);
    return Error::success();
  };
  if (type.kind == TypeDesc::Kind::Agg) {
    if (auto *cs = dyn_cast<ConstantStruct>(constant)) {
      const StructLayout *sl = layout.getStructLayout(cs->getType());
      for (unsigned i = 0; i < cs->getNumOperands(); ++i) {
        Constant *field = cs->getOperand(i);
        Expected<TypeDesc> ft = describe(field->getType(), field);
        if (!ft)
          return ft.takeError();
        if (Error e = writeConstant(
                field, *ft, out + sl->getElementOffset(i).getFixedValue()))
          return e;
      }
      return Error::success();
    }
    return unsupported("aggregate constant", constant);
  }
  // A one-element vector (`<1 x i8> splat (i8 127)`) is still a vector.
  if (type.count == 1 && !constant->getType()->isVectorTy())
    return writeScalar(constant, out);
  for (unsigned i = 0; i < type.count; ++i) {
    Constant *element = constant->getAggregateElement(i);
    if (!element)
      return unsupported("constant", constant);
    if (Error e = writeScalar(element, out + i * type.eltBytes))
      return e;
  }
  return Error::success();
}

/// The simulator's op for an intrinsic, by name.
static std::optional<Opcode> intrinsicOpcode(StringRef name) {
  // Strip type suffixes of overloaded intrinsics we match by prefix.
  return StringSwitch<std::optional<Opcode>>(name)
      .StartsWith("llvm.amdgcn.workitem.id.", Opcode::WorkitemId)
      .StartsWith("llvm.amdgcn.workgroup.id.", Opcode::WorkgroupId)
      .Case("llvm.amdgcn.dispatch.ptr", Opcode::DispatchPtr)
      .Case("llvm.amdgcn.s.barrier", Opcode::Barrier)
      .Case("llvm.amdgcn.s.setreg", Opcode::SetReg)
      .Case("llvm.amdgcn.s.waitcnt", Opcode::WaitCnt)
      .Case("llvm.amdgcn.sched.barrier", Opcode::Nop)
      .Case("llvm.amdgcn.sched.group.barrier", Opcode::Nop)
      .Case("llvm.amdgcn.s.setprio", Opcode::Nop)
      .StartsWith("llvm.assume", Opcode::Nop)
      .StartsWith("llvm.lifetime.", Opcode::Nop)
      .StartsWith("llvm.experimental.noalias.scope.decl", Opcode::Nop)
      .StartsWith("llvm.smax.", Opcode::SMax)
      .StartsWith("llvm.smin.", Opcode::SMin)
      .StartsWith("llvm.umax.", Opcode::UMax)
      .StartsWith("llvm.umin.", Opcode::UMin)
      .StartsWith("llvm.abs.", Opcode::Abs)
      .StartsWith("llvm.fabs.", Opcode::FAbs)
      .StartsWith("llvm.minnum.", Opcode::MinNum)
      .StartsWith("llvm.maxnum.", Opcode::MaxNum)
      .StartsWith("llvm.minimum.", Opcode::Minimum)
      .StartsWith("llvm.maximum.", Opcode::Maximum)
      .StartsWith("llvm.fma.", Opcode::Fma)
      .StartsWith("llvm.fmuladd.", Opcode::Fma)
      .StartsWith("llvm.sqrt.", Opcode::Sqrt)
      .StartsWith("llvm.exp2.", Opcode::Exp2)
      .StartsWith("llvm.amdgcn.exp2.", Opcode::Exp2)
      .StartsWith("llvm.log2.", Opcode::Log2)
      .StartsWith("llvm.amdgcn.log.", Opcode::Log2)
      .StartsWith("llvm.exp.", Opcode::Exp)
      .StartsWith("llvm.log.", Opcode::Log)
      .StartsWith("llvm.floor.", Opcode::Floor)
      .StartsWith("llvm.ceil.", Opcode::Ceil)
      .StartsWith("llvm.trunc.", Opcode::Trunc2)
      .StartsWith("llvm.roundeven.", Opcode::RoundEven)
      .StartsWith("llvm.rint.", Opcode::RoundEven)
      .StartsWith("llvm.copysign.", Opcode::CopySign)
      .StartsWith("llvm.ctpop.", Opcode::CtPop)
      .StartsWith("llvm.ctlz.", Opcode::Ctlz)
      .StartsWith("llvm.cttz.", Opcode::Cttz)
      .StartsWith("llvm.amdgcn.rcp.", Opcode::Rcp)
      .StartsWith("llvm.amdgcn.rsq.", Opcode::Rsq)
      .StartsWith("llvm.amdgcn.readfirstlane", Opcode::ReadFirstLane)
      .StartsWith("llvm.amdgcn.readlane", Opcode::ReadLane)
      .Case("llvm.amdgcn.ds.bpermute", Opcode::DsBpermute)
      .Case("llvm.amdgcn.mbcnt.lo", Opcode::MbcntLo)
      .Case("llvm.amdgcn.mbcnt.hi", Opcode::MbcntHi)
      .Case("llvm.amdgcn.permlane32.swap", Opcode::Permlane32Swap)
      .Case("llvm.amdgcn.permlane16.swap", Opcode::Permlane16Swap)
      .StartsWith("llvm.amdgcn.ballot.", Opcode::Ballot)
      .StartsWith("llvm.amdgcn.update.dpp.", Opcode::UpdateDpp)
      .StartsWith("llvm.vector.reduce.", Opcode::VectorReduce)
      .Case("llvm.amdgcn.perm", Opcode::Perm)
      .Cases({"llvm.amdgcn.cvt.f32.fp8", "llvm.amdgcn.cvt.f32.bf8"},
             Opcode::CvtFromFp8)
      .Cases({"llvm.amdgcn.cvt.pk.f32.fp8", "llvm.amdgcn.cvt.pk.f32.bf8",
              "llvm.amdgcn.cvt.scalef32.pk.f32.fp8",
              "llvm.amdgcn.cvt.scalef32.pk.f32.bf8"},
             Opcode::CvtPkFromFp8)
      .Cases({"llvm.amdgcn.cvt.pk.fp8.f32", "llvm.amdgcn.cvt.pk.bf8.f32"},
             Opcode::CvtPkToFp8)
      .Cases({"llvm.amdgcn.cvt.scalef32.pk.fp8.f32",
              "llvm.amdgcn.cvt.scalef32.pk.bf8.f32"},
             Opcode::CvtScalePkToFp8)
      .Cases({"llvm.amdgcn.fdot2.bf16.bf16", "llvm.amdgcn.fdot2.f32.bf16"},
             Opcode::Dot2Bf16)
      .StartsWith("llvm.amdgcn.make.buffer.rsrc.", Opcode::MakeBufferRsrc)
      // Before the prefix below, which it shares.
      .Case("llvm.amdgcn.raw.ptr.buffer.load.lds", Opcode::BufferLoadToLds)
      .Case("llvm.amdgcn.global.load.lds", Opcode::GlobalLoadToLds)
      .StartsWith("llvm.amdgcn.raw.ptr.buffer.load.", Opcode::BufferLoad)
      .StartsWith("llvm.amdgcn.raw.ptr.buffer.store.", Opcode::BufferStore)
      .Default(std::nullopt);
}

Error Decoder::decodeCall(CallInst &call, Inst &out) {
  Function *callee = call.getCalledFunction();
  if (!callee || !callee->isIntrinsic())
    return unsupported("calls to functions other than intrinsics (inline "
                       "them first)",
                       &call);
  StringRef name = callee->getName();
  if (const amdgpu::MatrixIntrinsic *matrix =
          amdgpu::lookupMatrixIntrinsic(name, program.chip.name)) {
    out.op = Opcode::MatrixOp;
    out.matrix = matrix;
  } else if (amdgpu::isMatrixIntrinsic(name)) {
    return unsupported("matrix intrinsic " + name + " does not exist on " +
                           program.chip.name,
                       nullptr);
  } else if (std::optional<Opcode> op = intrinsicOpcode(name)) {
    out.op = *op;
  } else {
    return unsupported("unknown intrinsic " + name, nullptr);
  }
  if (out.op == Opcode::WorkitemId || out.op == Opcode::WorkgroupId)
    out.imm = name.back() - 'x';
  for (Value *arg : call.args()) {
    Expected<uint32_t> slot = slotFor(arg);
    if (!slot)
      return slot.takeError();
    out.src.push_back(*slot);
  }
  if (!call.arg_empty()) {
    Expected<TypeDesc> t = describe(call.getArgOperand(0)->getType(), &call);
    if (!t)
      return t.takeError();
    out.srcType = *t;
  }
  return decodeIntrinsicOperands(call, name, out);
}

/// The GFX major version of a processor name: 9 for gfx90a/gfx942/gfx950,
/// 11 for gfx1100, 12 for gfx1201.
static unsigned getGfxMajor(StringRef chip) {
  unsigned major = 0;
  StringRef digits = chip.drop_front(3);
  if (digits.size() > 2)
    digits.drop_back(2).getAsInteger(10, major);
  return major;
}

/// Whether the DPP control `ctrl` exists on a chip of GFX major `gfx`
/// (AMDGPU ISA guides, "DPP_CTRL"; LLVM's AMDGPUAsmParser::isSupportedDPPCtrl):
/// quad_perm, row_shl/shr/ror, row_mirror and row_half_mirror everywhere;
/// wave_shl/rol/shr/ror and row_bcast:15/31 on GFX8/9 only; 0x150-0x15F is
/// row_newbcast on gfx90a and later GFX9 and row_share on GFX10+;
/// row_xmask on GFX10+.
static bool isDppCtrlValid(unsigned ctrl, unsigned gfx) {
  if (ctrl <= 0xFF)
    return true;
  if ((ctrl > 0x100 && ctrl <= 0x10F) || (ctrl > 0x110 && ctrl <= 0x11F) ||
      (ctrl > 0x120 && ctrl <= 0x12F) || ctrl == 0x140 || ctrl == 0x141)
    return true;
  if (ctrl == 0x130 || ctrl == 0x134 || ctrl == 0x138 || ctrl == 0x13C ||
      ctrl == 0x142 || ctrl == 0x143)
    return gfx <= 9;
  if (ctrl >= 0x150 && ctrl <= 0x15F)
    return true; // gfx90a+ (every GFX9 chip the simulator knows) and GFX10+
  if (ctrl >= 0x160 && ctrl <= 0x16F)
    return gfx >= 10;
  return false;
}

Error Decoder::decodeIntrinsicOperands(CallInst &call, StringRef name,
                                       Inst &out) {
  auto immediate = [&](unsigned i) -> std::optional<uint64_t> {
    if (auto *ci = dyn_cast<ConstantInt>(call.getArgOperand(i)))
      return ci->getZExtValue();
    return std::nullopt;
  };
  const amdgpu::ChipInfo &chip = program.chip;
  unsigned gfx = getGfxMajor(chip.name);
  auto fp8Encoding = [&](bool bf8) -> Expected<Fp8Encoding> {
    switch (chip.fp8) {
    case amdgpu::Fp8Flavor::Ocp:
      return bf8 ? Fp8Encoding::OcpE5M2 : Fp8Encoding::OcpE4M3;
    case amdgpu::Fp8Flavor::Fnuz:
      return bf8 ? Fp8Encoding::FnuzE5M2 : Fp8Encoding::FnuzE4M3;
    case amdgpu::Fp8Flavor::None:
      break;
    }
    return unsupported("intrinsic " + name + ": " + chip.name +
                           " has no FP8 conversion instructions",
                       nullptr);
  };
  switch (out.op) {
  case Opcode::WaitCnt: {
    // s_waitcnt's SIMM16 (AMD ISA guides): vmcnt in [3:0] and [15:14] on
    // GFX9 and GFX10, in [15:10] on GFX11. Only the profiler reads it (loads
    // complete at once in the simulator).
    std::optional<uint64_t> bits = immediate(0);
    if (!bits)
      return unsupported("s.waitcnt with a non-constant count", &call);
    out.imm = gfx >= 11 ? int64_t((*bits >> 10) & 0x3F)
                        : int64_t((*bits & 0xF) | (((*bits >> 14) & 3) << 4));
    return Error::success();
  }
  case Opcode::SetReg: {
    // s_setreg_b32's SIMM16 (AMD ISA guides): ID in [5:0], OFFSET in
    // [10:6], SIZE-1 in [15:11]. The simulator models MODE (ID 1) bit 23,
    // FP16_OVFL, of GFX9 chips; any other field is refused rather than
    // ignored.
    std::optional<uint64_t> hwreg = immediate(0);
    if (!hwreg)
      return unsupported("s.setreg with a non-constant hwreg", &call);
    unsigned id = *hwreg & 0x3F, offset = (*hwreg >> 6) & 0x1F,
             size = ((*hwreg >> 11) & 0x1F) + 1;
    uint64_t field = ((uint64_t(1) << size) - 1) << offset;
    if (id != 1 || gfx != 9 || (field & ~uint64_t(kModeFp16Ovfl)))
      return unsupported("s.setreg of hwreg(id " + Twine(id) + ", offset " +
                             Twine(offset) + ", size " + Twine(size) + ") on " +
                             chip.name +
                             "; only MODE bit 23 (FP16_OVFL) of GFX9 chips "
                             "is modeled",
                         &call);
    out.imm = int64_t(field);
    out.aux.push_back(offset);
    return Error::success();
  }
  case Opcode::UpdateDpp: {
    std::optional<uint64_t> ctrl = immediate(2), rowMask = immediate(3),
                            bankMask = immediate(4), boundCtrl = immediate(5);
    if (!ctrl || !rowMask || !bankMask || !boundCtrl)
      return unsupported("update.dpp with non-constant controls", &call);
    if (!isDppCtrlValid(unsigned(*ctrl), gfx))
      return unsupported("update.dpp control 0x" + utohexstr(*ctrl) +
                             " does not exist on " + chip.name,
                         &call);
    if (out.type.kind == TypeDesc::Kind::Agg || out.type.count != 1)
      return unsupported("update.dpp of a vector or aggregate", &call);
    out.imm = int64_t(*ctrl);
    out.aux = {int64_t(*rowMask & 0xF), int64_t(*bankMask & 0xF),
               int64_t(*boundCtrl & 1)};
    return Error::success();
  }
  case Opcode::VectorReduce: {
    StringRef kind = name.drop_front(strlen("llvm.vector.reduce."));
    kind = kind.take_until([](char c) { return c == '.'; });
    std::optional<ReduceKind> reduce =
        StringSwitch<std::optional<ReduceKind>>(kind)
            .Case("add", ReduceKind::Add)
            .Case("mul", ReduceKind::Mul)
            .Case("and", ReduceKind::And)
            .Case("or", ReduceKind::Or)
            .Case("xor", ReduceKind::Xor)
            .Case("smax", ReduceKind::SMax)
            .Case("smin", ReduceKind::SMin)
            .Case("umax", ReduceKind::UMax)
            .Case("umin", ReduceKind::UMin)
            .Case("fadd", ReduceKind::FAdd)
            .Case("fmul", ReduceKind::FMul)
            .Case("fmax", ReduceKind::FMax)
            .Case("fmin", ReduceKind::FMin)
            .Case("fmaximum", ReduceKind::FMaximum)
            .Case("fminimum", ReduceKind::FMinimum)
            .Default(std::nullopt);
    if (!reduce)
      return unsupported("unknown intrinsic " + name, nullptr);
    out.predicate = uint8_t(*reduce);
    // fadd/fmul take the start value first; the vector is the last operand.
    out.srcType = kernel.slotTypes[out.src.back()];
    return Error::success();
  }
  case Opcode::CvtFromFp8:
  case Opcode::CvtPkFromFp8:
  case Opcode::CvtPkToFp8:
  case Opcode::CvtScalePkToFp8: {
    bool scaled = name.contains(".scalef32.");
    // The scaled conversions are gfx950's (CDNA4 ISA guide); the others
    // exist where the chip has hardware FP8 (gfx942 FNUZ, gfx950/gfx12 OCP).
    if (scaled && !(gfx == 9 && chip.fp8 == amdgpu::Fp8Flavor::Ocp))
      return unsupported(
          "intrinsic " + name + " does not exist on " + chip.name, nullptr);
    Expected<Fp8Encoding> encoding = fp8Encoding(name.contains("bf8"));
    if (!encoding)
      return encoding.takeError();
    out.predicate = uint8_t(*encoding);
    return Error::success();
  }
  case Opcode::BufferLoadToLds:
  case Opcode::GlobalLoadToLds: {
    // (rsrc, lds, size, voffset, soffset, imm offset, aux) and
    // (global, lds, size, imm offset, aux); IntrinsicsAMDGPU.td. Each lane
    // loads 1, 2 or 4 bytes (ubyte, ushort, dword), or on gfx950 12 or 16
    // (dwordx3, dwordx4).
    bool buffer = out.op == Opcode::BufferLoadToLds;
    std::optional<uint64_t> size = immediate(2),
                            offset = immediate(buffer ? 5 : 3);
    if (!size || !offset)
      return unsupported(
          "intrinsic " + name + " with a non-constant size or offset", &call);
    if (*size != 1 && *size != 2 && *size != 4 && *size != 12 && *size != 16)
      return unsupported("intrinsic " + name + " of " + Twine(*size) +
                             " bytes a lane; the sizes are 1, 2, 4, 12 "
                             "and 16",
                         &call);
    if (*size > chip.maxLoadToLdsBytes) {
      std::string limit = chip.maxLoadToLdsBytes
                              ? "loads at most " +
                                    std::to_string(chip.maxLoadToLdsBytes) +
                                    " bytes a lane into LDS"
                              : "has no loads into LDS";
      return unsupported("intrinsic " + name + " of " + Twine(*size) +
                             " bytes a lane: " + chip.name + " " + limit,
                         &call);
    }
    out.imm = int64_t(*size);
    out.aux.push_back(int64_t(int32_t(uint32_t(*offset))));
    return Error::success();
  }
  case Opcode::Dot2Bf16:
    // v_dot2_bf16_bf16 is GFX11+; v_dot2_f32_bf16 also exists on gfx950.
    if (gfx < 11 && !(name.ends_with("f32.bf16") && chip.name == "gfx950"))
      return unsupported(
          "intrinsic " + name + " does not exist on " + chip.name, nullptr);
    if (call.arg_size() == 4 && immediate(3).value_or(1) != 0)
      return unsupported("fdot2 with clamp", &call);
    return Error::success();
  default:
    return Error::success();
  }
}

Error Decoder::decodeInstruction(Instruction &inst) {
  Inst out;
  out.ir = &inst;
  if (!inst.getType()->isVoidTy()) {
    Expected<uint32_t> dst = slotFor(&inst);
    if (!dst)
      return dst.takeError();
    out.dst = *dst;
    out.type = kernel.slotTypes[*dst];
  }
  auto addOperands = [&](unsigned first = 0) -> Error {
    for (unsigned i = first; i < inst.getNumOperands(); ++i) {
      Value *v = inst.getOperand(i);
      if (isa<BasicBlock>(v) || isa<Function>(v))
        continue;
      Expected<uint32_t> slot = slotFor(v);
      if (!slot)
        return slot.takeError();
      out.src.push_back(*slot);
    }
    if (inst.getNumOperands() > 0 && !out.src.empty())
      out.srcType = kernel.slotTypes[out.src[0]];
    return Error::success();
  };

  switch (inst.getOpcode()) {
#define BINARY(IR, OP)                                                         \
  case Instruction::IR:                                                        \
    out.op = Opcode::OP;                                                       \
    break;
    BINARY(Add, Add)
    BINARY(Sub, Sub)
    BINARY(Mul, Mul)
    BINARY(UDiv, UDiv)
    BINARY(SDiv, SDiv)
    BINARY(URem, URem)
    BINARY(SRem, SRem)
    BINARY(And, And)
    BINARY(Or, Or)
    BINARY(Xor, Xor)
    BINARY(Shl, Shl)
    BINARY(LShr, LShr)
    BINARY(AShr, AShr)
    BINARY(FAdd, FAdd)
    BINARY(FSub, FSub)
    BINARY(FMul, FMul)
    BINARY(FDiv, FDiv)
    BINARY(FRem, FRem)
    BINARY(FNeg, FNeg)
    BINARY(Select, Select)
    BINARY(Freeze, Freeze)
    BINARY(Trunc, Trunc)
    BINARY(ZExt, ZExt)
    BINARY(SExt, SExt)
    BINARY(FPTrunc, FPTrunc)
    BINARY(FPExt, FPExt)
    BINARY(FPToSI, FPToSI)
    BINARY(FPToUI, FPToUI)
    BINARY(SIToFP, SIToFP)
    BINARY(UIToFP, UIToFP)
    BINARY(BitCast, BitCast)
    BINARY(PtrToInt, PtrToInt)
    BINARY(IntToPtr, IntToPtr)
    BINARY(ExtractElement, ExtractElement)
    BINARY(InsertElement, InsertElement)
    BINARY(Unreachable, Unreachable)
#undef BINARY
  case Instruction::AddrSpaceCast:
    out.op = Opcode::AddrSpaceCast;
    out.addrSpace = inst.getOperand(0)->getType()->getPointerAddressSpace();
    out.imm = inst.getType()->getPointerAddressSpace();
    break;
  case Instruction::ICmp:
    out.op = Opcode::ICmp;
    out.predicate = cast<ICmpInst>(inst).getPredicate();
    break;
  case Instruction::FCmp:
    out.op = Opcode::FCmp;
    out.predicate = cast<FCmpInst>(inst).getPredicate();
    break;
  case Instruction::ShuffleVector: {
    out.op = Opcode::ShuffleVector;
    for (int m : cast<ShuffleVectorInst>(inst).getShuffleMask())
      out.aux.push_back(m);
    if (Error e = addOperands())
      return e;
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::ExtractValue:
  case Instruction::InsertValue: {
    bool extract = inst.getOpcode() == Instruction::ExtractValue;
    out.op = extract ? Opcode::ExtractValue : Opcode::InsertValue;
    Type *aggType = inst.getOperand(0)->getType();
    ArrayRef<unsigned> indices = extract
                                     ? cast<ExtractValueInst>(inst).getIndices()
                                     : cast<InsertValueInst>(inst).getIndices();
    SmallVector<Value *, 4> gepIndices;
    Type *i32 = Type::getInt32Ty(inst.getContext());
    gepIndices.push_back(ConstantInt::get(i32, 0));
    for (unsigned idx : indices)
      gepIndices.push_back(ConstantInt::get(i32, idx));
    out.imm = layout.getIndexedOffsetInType(aggType, gepIndices);
    break;
  }
  case Instruction::Alloca: {
    auto &alloca = cast<AllocaInst>(inst);
    std::optional<TypeSize> size = alloca.getAllocationSize(layout);
    if (!size || size->isScalable())
      return unsupported("dynamically sized alloca", &inst);
    uint32_t align = alloca.getAlign().value();
    kernel.privateBytes = (kernel.privateBytes + align - 1) & ~(align - 1);
    out.op = Opcode::Alloca;
    out.imm = kernel.privateBytes;
    kernel.privateBytes += size->getFixedValue();
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::GetElementPtr: {
    auto &gep = cast<GetElementPtrInst>(inst);
    if (gep.getType()->isVectorTy())
      return unsupported("vector GEPs", &inst);
    out.op = Opcode::GEP;
    Expected<uint32_t> base = slotFor(gep.getPointerOperand());
    if (!base)
      return base.takeError();
    out.src.push_back(*base);
    int64_t constOffset = 0;
    for (gep_type_iterator it = gep_type_begin(gep), end = gep_type_end(gep);
         it != end; ++it) {
      Value *index = it.getOperand();
      if (StructType *st = it.getStructTypeOrNull()) {
        unsigned field = cast<ConstantInt>(index)->getZExtValue();
        constOffset +=
            layout.getStructLayout(st)->getElementOffset(field).getFixedValue();
        continue;
      }
      int64_t scale = it.getSequentialElementStride(layout).getFixedValue();
      if (auto *ci = dyn_cast<ConstantInt>(index)) {
        constOffset += ci->getSExtValue() * scale;
        continue;
      }
      if (index->getType()->isVectorTy())
        return unsupported("vector GEP indices", &inst);
      Expected<uint32_t> slot = slotFor(index);
      if (!slot)
        return slot.takeError();
      out.src.push_back(*slot);
      out.aux.push_back(scale);
    }
    out.imm = constOffset;
    out.addrSpace = gep.getAddressSpace();
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::Load: {
    auto &load = cast<LoadInst>(inst);
    out.op = Opcode::Load;
    // Vectors of sub-byte integers (<16 x i1>) are bit-packed in memory,
    // element i at bit i, as LLVM's data layout stores them.
    out.addrSpace = load.getPointerAddressSpace();
    break;
  }
  case Instruction::Store: {
    auto &store = cast<StoreInst>(inst);
    out.op = Opcode::Store;
    out.addrSpace = store.getPointerAddressSpace();
    if (Error e = addOperands())
      return e;
    out.type = kernel.slotTypes[out.src[0]];
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::AtomicRMW: {
    auto &rmw = cast<AtomicRMWInst>(inst);
    switch (rmw.getOperation()) {
    case AtomicRMWInst::Add:
    case AtomicRMWInst::Xchg:
    case AtomicRMWInst::Max:
    case AtomicRMWInst::Min:
    case AtomicRMWInst::UMax:
    case AtomicRMWInst::UMin:
    case AtomicRMWInst::FAdd:
      break;
    default:
      return unsupported("this atomicrmw operation", &inst);
    }
    out.op = Opcode::AtomicRMW;
    out.predicate = rmw.getOperation();
    out.addrSpace = rmw.getPointerAddressSpace();
    break;
  }
  case Instruction::PHI: {
    auto &phi = cast<PHINode>(inst);
    out.op = Opcode::Phi;
    for (unsigned i = 0; i < phi.getNumIncomingValues(); ++i) {
      Expected<uint32_t> slot = slotFor(phi.getIncomingValue(i));
      if (!slot)
        return slot.takeError();
      auto pred = blockIndex.find(phi.getIncomingBlock(i));
      if (pred == blockIndex.end())
        continue; // unreachable predecessor
      out.aux.push_back(pred->second);
      out.src.push_back(*slot);
    }
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::Br: {
    auto &br = cast<BranchInst>(inst);
    out.op = br.isConditional() ? Opcode::CondBr : Opcode::Br;
    for (unsigned i = 0; i < br.getNumSuccessors(); ++i)
      out.succ[i] = blockIndex.lookup(br.getSuccessor(i));
    if (br.isConditional()) {
      Expected<uint32_t> cond = slotFor(br.getCondition());
      if (!cond)
        return cond.takeError();
      out.src.push_back(*cond);
    }
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::Switch: {
    auto &sw = cast<SwitchInst>(inst);
    out.op = Opcode::Switch;
    Expected<uint32_t> cond = slotFor(sw.getCondition());
    if (!cond)
      return cond.takeError();
    out.src.push_back(*cond);
    out.srcType = kernel.slotTypes[*cond];
    out.succ[0] = blockIndex.lookup(sw.getDefaultDest());
    for (auto &c : sw.cases()) {
      out.aux.push_back(c.getCaseValue()->getSExtValue());
      out.aux.push_back(blockIndex.lookup(c.getCaseSuccessor()));
    }
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::Fence: {
    // Waves run one at a time over one sequentially consistent memory, so a
    // fence is an ordering point with nothing to do; its scope and ordering
    // stay in the instruction for a race checker.
    auto &fence = cast<FenceInst>(inst);
    std::optional<StringRef> scope =
        inst.getContext().getSyncScopeName(fence.getSyncScopeID());
    StringRef base = scope ? scope->take_until([](char c) { return c == '-'; })
                           : StringRef();
    std::optional<FenceScope> kind =
        StringSwitch<std::optional<FenceScope>>(base)
            .Case("", FenceScope::System)
            .Case("one", FenceScope::System) // "one-as"
            .Case("singlethread", FenceScope::SingleThread)
            .Case("wavefront", FenceScope::Wavefront)
            .Case("workgroup", FenceScope::Workgroup)
            .Case("agent", FenceScope::Agent)
            .Default(std::nullopt);
    if (!scope || !kind)
      return unsupported("fence of an unknown sync scope", &inst);
    out.op = Opcode::Fence;
    out.imm = int64_t(*kind);
    out.predicate = uint8_t(fence.getOrdering());
    kernel.insts.push_back(std::move(out));
    return Error::success();
  }
  case Instruction::Ret:
    out.op = Opcode::Ret;
    kernel.insts.push_back(std::move(out));
    return Error::success();
  case Instruction::Call:
    if (Error e = decodeCall(cast<CallInst>(inst), out))
      return e;
    kernel.insts.push_back(std::move(out));
    return Error::success();
  default:
    return unsupported("instruction", &inst);
  }
  if (Error e = addOperands())
    return e;
  kernel.insts.push_back(std::move(out));
  return Error::success();
}

Error Decoder::run(Function &fn) {
  kernel.name = fn.getName().str();
  for (Argument &arg : fn.args()) {
    Type *type = arg.getType();
    ParamInfo param;
    if (type->isPointerTy())
      param = {ParamInfo::Kind::Pointer, 64, type->getPointerAddressSpace()};
    else if (type->isIntegerTy())
      param = {ParamInfo::Kind::Int, type->getIntegerBitWidth(), 0};
    else if (type->isFloatTy() || type->isDoubleTy())
      param = {ParamInfo::Kind::Float, unsigned(type->getPrimitiveSizeInBits()),
               0};
    else
      return unsupported("kernel parameters of this type", &arg);
    kernel.params.push_back(param);
    Expected<uint32_t> slot = slotFor(&arg);
    if (!slot)
      return slot.takeError();
    kernel.paramSlots.push_back(*slot);
  }

  // Blocks in reverse post-order: the interpreter runs the lanes whose block
  // comes first, so lanes leaving a loop wait for those still in it.
  ReversePostOrderTraversal<Function *> rpo(&fn);
  for (BasicBlock *bb : rpo)
    blockIndex[bb] = blockIndex.size();
  for (BasicBlock *bb : rpo) {
    Block block;
    block.name = bb->hasName() ? bb->getName().str() : "";
    block.begin = kernel.insts.size();
    for (Instruction &inst : *bb) {
      if (isa<DbgInfoIntrinsic>(inst))
        continue;
      if (Error e = decodeInstruction(inst))
        return e;
      if (isa<PHINode>(inst))
        ++block.numPhis;
    }
    block.end = kernel.insts.size();
    kernel.blocks.push_back(block);
  }

  kernel.constantImage.assign(kernel.regBytes, 0);
  for (auto &[slot, constant] : constants) {
    const TypeDesc &type = kernel.slotTypes[slot];
    uint8_t *region = kernel.constantImage.data() + kernel.slotOffsets[slot];
    if (Error e = writeConstant(constant, type, region))
      return e;
    for (unsigned lane = 1; lane < kernel.waveSize; ++lane)
      std::memcpy(region + lane * type.size, region, type.size);
  }
  return Error::success();
}

//===----------------------------------------------------------------------===//
// Pointer provenance (memcheck)
//===----------------------------------------------------------------------===//

namespace {

/// What a value may derive from: a set of allocations, or unknown (an
/// integer built from nothing, a pointer loaded from memory). A value with
/// neither is a plain number.
struct Origin {
  bool unknown = false;
  SmallVector<uint16_t, 4> roots; ///< Sorted allocation indices.

  bool operator==(const Origin &other) const {
    return unknown == other.unknown && roots == other.roots;
  }
  bool rooted() const { return !unknown && !roots.empty(); }
  static Origin lost() { return {true, {}}; }
};

/// The most allocations one pointer is followed to; a select or phi over
/// more is treated as unknown.
constexpr size_t kMaxRoots = 8;

Origin join(const Origin &a, const Origin &b) {
  if (a.unknown || b.unknown)
    return Origin::lost();
  Origin result;
  std::set_union(a.roots.begin(), a.roots.end(), b.roots.begin(), b.roots.end(),
                 std::back_inserter(result.roots));
  if (result.roots.size() > kMaxRoots)
    return Origin::lost();
  return result;
}

/// Follows pointers from their allocations through the operations that keep
/// a pointer's provenance (LLVM LangRef, "Pointer Aliasing Rules": a GEP,
/// cast or select result is based on its pointer operand; an integer that
/// adds or masks a pure offset to a ptrtoint still names that object). A
/// fixpoint over the function, so that phis of loops settle.
class OriginAnalysis {
public:
  OriginAnalysis(Function &fn, Kernel &kernel) : fn(fn), kernel(kernel) {}

  void run() {
    for (Argument &arg : fn.args())
      if (arg.getType()->isPointerTy()) {
        Allocation a{Allocation::Kind::Argument};
        a.begin = arg.getArgNo();
        a.name = "kernel argument " + std::to_string(arg.getArgNo());
        if (arg.hasName())
          a.name += " (%" + arg.getName().str() + ")";
        argumentRoot[&arg] = add(std::move(a));
      }
    bool changed = true;
    while (changed) {
      changed = false;
      for (Instruction &inst : instructions(fn)) {
        Origin next = transfer(inst);
        auto [it, inserted] = state.try_emplace(&inst, next);
        if (!inserted && it->second == next)
          continue;
        it->second = std::move(next);
        changed = true;
      }
    }
    for (Inst &inst : kernel.insts) {
      const Instruction *ir = inst.ir;
      auto operand = [&](unsigned i) {
        return const_cast<Value *>(ir->getOperand(i));
      };
      switch (inst.op) {
      case Opcode::Load:
      case Opcode::AtomicRMW:
      case Opcode::BufferLoad:
      case Opcode::GlobalLoadToLds:
        inst.origin = intern(of(operand(0)));
        if (inst.op == Opcode::GlobalLoadToLds)
          inst.ldsOrigin = intern(of(operand(1)));
        break;
      case Opcode::Store:
        inst.origin = intern(of(operand(1)));
        break;
      case Opcode::BufferStore:
        inst.origin = intern(of(operand(1)));
        break;
      case Opcode::BufferLoadToLds:
        inst.origin = intern(of(operand(0)));
        inst.ldsOrigin = intern(of(operand(1)));
        break;
      default:
        break;
      }
    }
  }

private:
  uint16_t add(Allocation allocation) {
    kernel.allocations.push_back(std::move(allocation));
    return uint16_t(kernel.allocations.size() - 1);
  }

  uint32_t intern(const Origin &origin) {
    if (!origin.rooted())
      return kNoOrigin;
    for (auto [i, set] : llvm::enumerate(kernel.originSets))
      if (ArrayRef<uint16_t>(set) == ArrayRef<uint16_t>(origin.roots))
        return uint32_t(i);
    kernel.originSets.push_back(origin.roots);
    return uint32_t(kernel.originSets.size() - 1);
  }

  static bool holdsPointers(Type *type) {
    if (auto *vec = dyn_cast<VectorType>(type))
      type = vec->getElementType();
    return type->isPointerTy() || isa<StructType>(type) || isa<ArrayType>(type);
  }

  /// The allocation of LDS variable `global`, made on first use.
  Origin ldsRoot(const GlobalVariable *global) {
    auto offset = kernel.ldsOffsets.find(global);
    if (offset == kernel.ldsOffsets.end())
      return Origin::lost();
    auto [it, inserted] = ldsRootOf.try_emplace(global, 0);
    if (inserted) {
      Allocation a{Allocation::Kind::Lds};
      a.begin = offset->second;
      a.size = global->getParent()->getDataLayout().getTypeAllocSize(
          global->getValueType());
      a.dynamicLds = a.size == 0;
      a.name = "LDS variable @" + global->getName().str();
      it->second = add(std::move(a));
    }
    return {false, {it->second}};
  }

  Origin ofConstant(Constant *constant) {
    if (auto *global = dyn_cast<GlobalVariable>(constant))
      return ldsRoot(global);
    if (auto *expr = dyn_cast<ConstantExpr>(constant)) {
      switch (expr->getOpcode()) {
      case Instruction::GetElementPtr:
      case Instruction::AddrSpaceCast:
      case Instruction::BitCast:
      case Instruction::PtrToInt:
        return ofConstant(expr->getOperand(0));
      default:
        return Origin::lost();
      }
    }
    // Null, undef and integers: a pointer from them derives from nothing.
    return holdsPointers(constant->getType()) ? Origin::lost() : Origin{};
  }

  Origin of(Value *value) {
    if (auto *arg = dyn_cast<Argument>(value)) {
      auto it = argumentRoot.find(arg);
      if (it != argumentRoot.end())
        return {false, {it->second}};
      return Origin{};
    }
    if (auto *constant = dyn_cast<Constant>(value))
      return ofConstant(constant);
    auto it = state.find(value);
    return it == state.end() ? Origin{} : it->second;
  }

  /// An integer combining two values: a pointer plus (or masked with) a
  /// plain number keeps the pointer's origin; two pointers give none
  /// (a difference is no pointer).
  Origin combine(Value *a, Value *b, bool keepFirstOnly) {
    Origin x = of(a), y = of(b);
    if (x.unknown || y.unknown)
      return Origin::lost();
    if (x.rooted() && y.rooted())
      return Origin::lost();
    if (keepFirstOnly && y.rooted())
      return Origin::lost();
    return join(x, y);
  }

  Origin transfer(Instruction &inst) {
    switch (inst.getOpcode()) {
    case Instruction::Alloca: {
      auto [it, inserted] = allocaRoot.try_emplace(&inst, 0);
      if (inserted) {
        // The Alloca instruction's offset and size, as the decoder gave them.
        Allocation a{Allocation::Kind::Private};
        for (const Inst &decoded : kernel.insts)
          if (decoded.ir == &inst)
            a.begin = uint64_t(decoded.imm);
        a.size = cast<AllocaInst>(inst)
                     .getAllocationSize(inst.getDataLayout())
                     ->getFixedValue();
        a.name = "alloca " + (inst.hasName() ? "%" + inst.getName().str()
                                             : std::string("(unnamed)"));
        it->second = add(std::move(a));
      }
      return {false, {it->second}};
    }
    case Instruction::GetElementPtr:
      return of(cast<GetElementPtrInst>(inst).getPointerOperand());
    case Instruction::BitCast:
    case Instruction::AddrSpaceCast:
    case Instruction::PtrToInt:
    case Instruction::Trunc:
    case Instruction::ZExt:
    case Instruction::SExt:
    case Instruction::Freeze:
    case Instruction::ExtractElement:
    case Instruction::ExtractValue:
      return of(inst.getOperand(0));
    case Instruction::IntToPtr: {
      Origin origin = of(inst.getOperand(0));
      return origin.rooted() ? origin : Origin::lost();
    }
    case Instruction::Select:
      return join(of(inst.getOperand(1)), of(inst.getOperand(2)));
    case Instruction::PHI: {
      Origin result;
      for (Value *incoming : cast<PHINode>(inst).incoming_values())
        result = join(result, of(incoming));
      return result;
    }
    case Instruction::InsertElement:
    case Instruction::InsertValue:
    case Instruction::ShuffleVector:
      return join(of(inst.getOperand(0)), of(inst.getOperand(1)));
    case Instruction::Add:
    case Instruction::Or:
    case Instruction::Xor:
    case Instruction::And:
      return combine(inst.getOperand(0), inst.getOperand(1), false);
    case Instruction::Sub:
      return combine(inst.getOperand(0), inst.getOperand(1), true);
    case Instruction::ICmp:
    case Instruction::FCmp:
      return Origin{};
    case Instruction::Load:
    case Instruction::AtomicRMW:
    case Instruction::AtomicCmpXchg:
      // What memory held: a pointer stored there lost its origin here.
      return inst.getType()->isFPOrFPVectorTy() ? Origin{} : Origin::lost();
    case Instruction::Call: {
      auto *call = cast<CallInst>(&inst);
      if (Function *callee = call->getCalledFunction()) {
        StringRef name = callee->getName();
        if (name.starts_with("llvm.amdgcn.make.buffer.rsrc") ||
            name.starts_with("llvm.ptrmask") ||
            name.starts_with("llvm.amdgcn.readfirstlane") ||
            name.starts_with("llvm.amdgcn.readlane"))
          return of(call->getArgOperand(0));
      }
      break;
    }
    default:
      break;
    }
    // Anything else: a plain number from plain numbers; lost otherwise.
    if (holdsPointers(inst.getType()))
      return Origin::lost();
    for (Value *operand : inst.operands())
      if (!isa<BasicBlock>(operand) && !isa<Function>(operand)) {
        Origin o = of(operand);
        if (o.unknown || o.rooted())
          return inst.getType()->isFPOrFPVectorTy() ? Origin{} : Origin::lost();
      }
    return Origin{};
  }

  Function &fn;
  Kernel &kernel;
  DenseMap<Value *, Origin> state;
  DenseMap<const Argument *, uint16_t> argumentRoot;
  DenseMap<const GlobalVariable *, uint16_t> ldsRootOf;
  DenseMap<const Instruction *, uint16_t> allocaRoot;
};

} // namespace

Expected<std::unique_ptr<Program>>
Program::create(std::unique_ptr<LLVMContext> context,
                std::unique_ptr<Module> module, const amdgpu::ChipInfo &chip) {
  std::unique_ptr<Program> program(
      new Program(std::move(context), std::move(module), chip));
  if (Error e = program->decode())
    return std::move(e);
  return std::move(program);
}

/// Whether `kernel` may use LDS variable `global`: a use in the kernel, or
/// one in a function that is no kernel (which any kernel may call).
static bool mayUseLds(const GlobalVariable &global, const Function &kernel) {
  SmallVector<const User *> work(global.users());
  SmallPtrSet<const User *, 8> seen;
  while (!work.empty()) {
    const User *user = work.pop_back_val();
    if (!seen.insert(user).second)
      continue;
    if (auto *inst = dyn_cast<Instruction>(user)) {
      const Function *fn = inst->getFunction();
      if (fn == &kernel || fn->getCallingConv() != CallingConv::AMDGPU_KERNEL)
        return true;
      continue;
    }
    llvm::append_range(work, user->users());
  }
  return false;
}

/// Lays out the LDS `kernel` uses: static variables first, then the
/// dynamic tail (`[0 x i8]`) that takes the launch's dynamic size.
static void layOutLds(const Module &module, const Function &fn,
                      Kernel &kernel) {
  const DataLayout &layout = module.getDataLayout();
  uint32_t offset = 0;
  SmallVector<const GlobalVariable *> dynamic;
  for (const GlobalVariable &global : module.globals()) {
    if (global.getAddressSpace() != 3 || !mayUseLds(global, fn))
      continue;
    uint64_t size = layout.getTypeAllocSize(global.getValueType());
    uint32_t align = global.getAlign().valueOrOne().value();
    offset = (offset + align - 1) & ~(align - 1);
    if (size == 0) {
      dynamic.push_back(&global);
      continue;
    }
    kernel.ldsOffsets[&global] = offset;
    offset += size;
  }
  offset = (offset + 15) & ~15u;
  for (const GlobalVariable *global : dynamic)
    kernel.ldsOffsets[global] = offset;
  kernel.staticLdsBytes = offset;
}

Error Program::decode() {
  const DataLayout &layout = module->getDataLayout();
  for (Function &fn : *module) {
    if (fn.isDeclaration() || fn.getCallingConv() != CallingConv::AMDGPU_KERNEL)
      continue;
    auto kernel = std::make_unique<Kernel>();
    // gfx10+ kernels may ask for the other wave size in their features.
    kernel->waveSize = chip.waveSize;
    kernel->bufferLayout = chip.bufferLayout;
    StringRef features =
        fn.getFnAttribute("target-features").getValueAsString();
    if (features.contains("+wavefrontsize64"))
      kernel->waveSize = 64;
    else if (features.contains("+wavefrontsize32"))
      kernel->waveSize = 32;
    layOutLds(*module, fn, *kernel);
    staticLdsBytes = std::max(staticLdsBytes, kernel->staticLdsBytes);
    Decoder decoder(*this, *kernel, layout);
    if (Error e = decoder.run(fn))
      return createStringError(inconvertibleErrorCode(),
                               "kernel '" + fn.getName().str() +
                                   "': the simulator cannot run " +
                                   toString(std::move(e)));
    OriginAnalysis(fn, *kernel).run();
    kernels.push_back(std::move(kernel));
  }
  if (kernels.empty())
    return createStringError(inconvertibleErrorCode(),
                             "the module holds no amdgpu_kernel function");
  return Error::success();
}

const Kernel *Program::getKernel(StringRef name) const {
  for (const auto &kernel : kernels)
    if (kernel->name == name)
      return kernel.get();
  return nullptr;
}

std::vector<std::string> Program::getKernelNames() const {
  std::vector<std::string> names;
  for (const auto &kernel : kernels)
    names.push_back(kernel->name);
  return names;
}
