//===- Program.h - Decoded kernels of the simulator -------------*- C++ -*-===//
//
// Part of mxc. LLVM IR decoded once into flat instruction arrays whose
// operands are slots of a wave's register file: every SSA value owns
// waveSize consecutive lane images of its type's register size.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_LIB_SIM_PROGRAM_H
#define MXC_LIB_SIM_PROGRAM_H

#include "mxc/Sim/MxNumerics.h"
#include "mxc/Sim/Simulator.h"
#include "mxc/Target/AMDGPU/MatrixIntrinsics.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"

namespace mxc::sim {

/// How a value's lane image is laid out: `count` elements of `eltBytes`.
struct TypeDesc {
  enum class Kind : uint8_t { Int, Half, BFloat, Float, Double, Ptr, Agg };
  Kind kind = Kind::Int;
  uint8_t bits = 0;      ///< Element bit width (integers, floats, pointers).
  uint16_t count = 1;    ///< Vector elements (1 for scalars).
  uint16_t eltBytes = 0; ///< Register bytes of one element.
  uint32_t size = 0;     ///< Register bytes of the whole value.
  bool isFloat() const {
    return kind == Kind::Half || kind == Kind::BFloat || kind == Kind::Float ||
           kind == Kind::Double;
  }
};

/// Scope of a `fence` (LLVM's AMDGPU sync scopes), kept for a race checker.
enum class FenceScope : uint8_t {
  SingleThread,
  Wavefront,
  Workgroup,
  Agent,
  System
};

/// Reductions of llvm.vector.reduce.* (Inst::predicate of VectorReduce).
enum class ReduceKind : uint8_t {
  Add,
  Mul,
  And,
  Or,
  Xor,
  SMax,
  SMin,
  UMax,
  UMin,
  FAdd,
  FMul,
  FMax,
  FMin,
  FMaximum,
  FMinimum
};

/// The MODE register bit the simulator models (s_setreg_b32): FP16_OVFL,
/// which on gfx9 clamps an overflowing FP16 (and, on gfx950, FP8/BF8)
/// conversion to the largest finite value.
constexpr uint32_t kModeFp16Ovfl = 1u << 23;

enum class Opcode : uint8_t {
  // Arithmetic and logic (integer: Add..AShr, float: FAdd..FRem).
  Add,
  Sub,
  Mul,
  UDiv,
  SDiv,
  URem,
  SRem,
  And,
  Or,
  Xor,
  Shl,
  LShr,
  AShr,
  FAdd,
  FSub,
  FMul,
  FDiv,
  FRem,
  FNeg,
  ICmp,
  FCmp,
  Select,
  Freeze,
  // Casts.
  Trunc,
  ZExt,
  SExt,
  FPTrunc,
  FPExt,
  FPToSI,
  FPToUI,
  SIToFP,
  UIToFP,
  BitCast,
  PtrToInt,
  IntToPtr,
  AddrSpaceCast,
  // Vectors and aggregates.
  ExtractElement,
  InsertElement,
  ShuffleVector,
  ExtractValue,
  InsertValue,
  // Memory.
  Alloca,
  GEP,
  Load,
  Store,
  AtomicRMW,
  // Control flow.
  Phi,
  Br,
  CondBr,
  Switch,
  Ret,
  Unreachable,
  // Intrinsics.
  WorkitemId,
  WorkgroupId,
  DispatchPtr,
  Barrier,
  Fence,
  SetReg,
  /// s_waitcnt: Inst::imm is the vector-memory count (vmcnt) waited down to.
  WaitCnt,
  Nop,
  SMax,
  SMin,
  UMax,
  UMin,
  Abs,
  FAbs,
  MinNum,
  MaxNum,
  Minimum,
  Maximum,
  Fma,
  Sqrt,
  Exp2,
  Log2,
  Exp,
  Log,
  Floor,
  Ceil,
  Trunc2,
  RoundEven,
  CopySign,
  CtPop,
  Ctlz,
  Cttz,
  Rcp,
  Rsq,
  ReadFirstLane,
  ReadLane,
  DsBpermute,
  MbcntLo,
  MbcntHi,
  Permlane32Swap,
  Permlane16Swap,
  Ballot,
  UpdateDpp,
  VectorReduce,
  Perm,
  CvtFromFp8,
  CvtPkFromFp8,
  CvtPkToFp8,
  CvtScalePkToFp8,
  Dot2Bf16,
  MakeBufferRsrc,
  BufferLoad,
  BufferStore,
  /// raw.ptr.buffer.load.lds / global.load.lds: memory straight into LDS.
  /// Inst::imm is the bytes each lane loads, aux[0] the immediate offset.
  BufferLoadToLds,
  GlobalLoadToLds,
  MatrixOp,
};

struct Inst {
  Opcode op;
  /// ICmp/FCmp predicate; rmw operation; fence ordering; ReduceKind;
  /// Fp8Encoding of conversions.
  uint8_t predicate = 0;
  uint16_t addrSpace = 0;             ///< Load/Store/GEP/casts.
  uint32_t dst = ~0u;                 ///< Result slot.
  llvm::SmallVector<uint32_t, 4> src; ///< Operand slots.
  TypeDesc type;    ///< Result type (Store: stored value's type).
  TypeDesc srcType; ///< First operand's type.
  /// GEP constant offset, alloca offset, dim, FenceScope, dpp_ctrl, setreg
  /// field mask.
  int64_t imm = 0;
  /// GEP scales, shuffle mask, offsets; DPP row_mask, bank_mask,
  /// bound_ctrl; setreg field offset.
  llvm::SmallVector<int64_t, 4> aux;
  uint32_t succ[2] = {0, 0}; ///< Branch targets (block indices).
  const amdgpu::MatrixIntrinsic *matrix = nullptr;
  const llvm::Instruction *ir = nullptr;
  /// The allocations the accessed pointer may derive from (an index into
  /// Kernel::originSets), or kNoOrigin where that is not known; `ldsOrigin`
  /// is the LDS side of a load into LDS.
  uint32_t origin = ~0u, ldsOrigin = ~0u;
};

/// No known origin: the access is checked against every allocation.
constexpr uint32_t kNoOrigin = ~0u;

/// Something a pointer can derive from (memcheck): a kernel argument's
/// buffer, an LDS variable, or an alloca of private memory.
struct Allocation {
  enum class Kind : uint8_t { Argument, Lds, Private };
  Kind kind;
  /// Argument: its number. Lds: its offset (the dynamic tail runs to the end
  /// of the launch's LDS). Private: its offset within a lane's allocas.
  uint64_t begin = 0;
  uint64_t size = 0; ///< Lds and Private.
  bool dynamicLds = false;
  std::string name; ///< For reports: "kernel argument 0 (%a)", ...
};

struct Block {
  uint32_t begin = 0, end = 0; ///< Instruction range, phis first.
  uint32_t numPhis = 0;
  std::string name;
};

struct Kernel {
  std::string name;
  std::vector<ParamInfo> params;
  std::vector<uint32_t> paramSlots;
  std::vector<Inst> insts;
  std::vector<Block> blocks; ///< In reverse post-order: entry first.
  std::vector<TypeDesc> slotTypes;
  std::vector<uint32_t> slotOffsets;  ///< Byte offset of each slot's region.
  uint32_t regBytes = 0;              ///< Register file bytes per wave.
  std::vector<uint8_t> constantImage; ///< Register file with constants set.
  uint32_t privateBytes = 0;          ///< Allocas per lane.
  unsigned waveSize = 64;
  /// How buffer resources' word 3 is read (the chip's).
  amdgpu::BufferResourceLayout bufferLayout =
      amdgpu::BufferResourceLayout::Gfx9;
  /// Offsets of the LDS variables the kernel uses, laid out for it alone
  /// (as the AMDGPU backend allocates LDS per kernel).
  llvm::DenseMap<const llvm::GlobalVariable *, uint32_t> ldsOffsets;
  uint32_t staticLdsBytes = 0; ///< Its static LDS, dynamic LDS after it.
  /// What pointers derive from, and the sets of them memory instructions
  /// name (Inst::origin).
  std::vector<Allocation> allocations;
  std::vector<llvm::SmallVector<uint16_t, 4>> originSets;
};

/// A module decoded for one chip.
class Program {
public:
  static llvm::Expected<std::unique_ptr<Program>>
  create(std::unique_ptr<llvm::LLVMContext> context,
         std::unique_ptr<llvm::Module> module, const amdgpu::ChipInfo &chip);

  const Kernel *getKernel(llvm::StringRef name) const;
  std::vector<std::string> getKernelNames() const;
  /// The most static LDS any kernel of the module uses.
  uint32_t getStaticLdsBytes() const { return staticLdsBytes; }
  const amdgpu::ChipInfo &getChip() const { return chip; }

private:
  Program(std::unique_ptr<llvm::LLVMContext> context,
          std::unique_ptr<llvm::Module> module, const amdgpu::ChipInfo &chip)
      : context(std::move(context)), module(std::move(module)), chip(chip) {}
  llvm::Error decode();

  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  const amdgpu::ChipInfo &chip;
  std::vector<std::unique_ptr<Kernel>> kernels;
  uint32_t staticLdsBytes = 0;
  friend class Decoder;
};

/// Flat addresses of LDS and private memory (what addrspacecast to a generic
/// pointer gives): an aperture in the high bits and the offset below.
constexpr uint64_t kLdsAperture = 0x1000000000000000ull;
constexpr uint64_t kPrivateAperture = 0x2000000000000000ull;
constexpr uint64_t kApertureMask = 0xF000000000000000ull;

} // namespace mxc::sim

#endif // MXC_LIB_SIM_PROGRAM_H
