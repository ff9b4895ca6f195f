//===- MxDialect.td - The mx dialect -----------------------*- tablegen -*-===//
//
// Part of mxc. The mx dialect: OCP Microscaling (MX) work on memrefs.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXDIALECT_TD
#define MXC_DIALECT_MX_MXDIALECT_TD

include "mlir/IR/OpBase.td"

def Mx_Dialect : Dialect {
  let name = "mx";
  let cppNamespace = "::mxc::mx";
  let summary = "OCP Microscaling (MX) matmul, quantization and MoE operations";
  let description = [{
    The `mx` dialect describes MX work at the level a model author thinks of it:
    quantize a tensor to an MX format, multiply two MX operands with their E8M0
    scales, run a SwiGLU or RMSNorm with a fused quantize, route and run a
    mixture-of-experts layer. Operands are memrefs; the row count (M, or the
    token count T) may be dynamic, the other dimensions are usually static.

    **Element types** are MLIR's builtin types: `f8E4M3FN` (E4M3), `f8E5M2`
    (E5M2), `f6E2M3FN` (E2M3), `f6E3M2FN` (E3M2), `f4E2M1FN` (E2M1); scales are
    `f8E8M0FNU`, one per 32 consecutive elements along K (the reduction
    dimension), laid out `[rows, K/32]` row-major.

    **Packed storage.** A memref of an MX element type is indexed by logical
    element; its bytes are packed along the innermost (contiguous) dimension:
    - FP8: one element per byte.
    - FP4 (`f4E2M1FN`): two per byte, the even K element in the low nibble.
    - FP6 (`f6E2M3FN`, `f6E3M2FN`): four elements in three bytes, element `i`
      of the group at bits `[6i, 6i+6)` of the little-endian 24-bit word, so a
      block of 32 elements is 24 bytes (the register image of the gfx950
      scaled MFMA).
    Packed operands therefore need an identity (row-major, contiguous) layout
    with a static innermost dimension that is a multiple of 32.
  }];
  let useDefaultAttributePrinterParser = 1;
  // `mx.variants` (mx-select-config) and `mx.config` (on kernels).
  let hasOperationAttrVerify = 1;
}

#endif // MXC_DIALECT_MX_MXDIALECT_TD
