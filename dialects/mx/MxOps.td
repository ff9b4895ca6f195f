//===- MxOps.td - mx dialect operations --------------------*- tablegen -*-===//
//
// Part of mxc.
//
//===----------------------------------------------------------------------===//

#ifndef MXC_DIALECT_MX_MXOPS_TD
#define MXC_DIALECT_MX_MXOPS_TD

include "MxDialect.td"
include "MxAttrs.td"
include "mlir/IR/OpBase.td"
include "mlir/IR/CommonTypeConstraints.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Type constraints
//===----------------------------------------------------------------------===//

def Mx_ElementType : AnyTypeOf<[F8E4M3FN, F8E5M2, F6E2M3FN, F6E3M2FN, F4E2M1FN],
                               "MX element type">;
def Mx_RealType : AnyTypeOf<[BF16, F16, F32], "bf16, f16 or f32">;
def Mx_RealOrElementType : AnyTypeOf<[BF16, F16, F32, F8E4M3FN, F8E5M2, F6E2M3FN,
                                      F6E3M2FN, F4E2M1FN],
                                     "bf16, f16, f32 or an MX element type">;

class Mx_MemRef<list<Type> elts, list<int> ranks> : MemRefRankOf<elts, ranks>;
def Mx_ValuesMemRef : Mx_MemRef<[Mx_ElementType], [2]>;
def Mx_ScalesMemRef : Mx_MemRef<[F8E8M0FNU], [2]>;
def Mx_RealMemRef : Mx_MemRef<[Mx_RealType], [2]>;
def Mx_ExpertValuesMemRef : Mx_MemRef<[Mx_ElementType], [3]>;
def Mx_ExpertScalesMemRef : Mx_MemRef<[F8E8M0FNU], [3]>;
def Mx_I32MemRef1D : Mx_MemRef<[I32], [1]>;
def Mx_I32MemRef2D : Mx_MemRef<[I32], [2]>;
def Mx_F32MemRef2D : Mx_MemRef<[F32], [2]>;

//===----------------------------------------------------------------------===//
// Base class
//===----------------------------------------------------------------------===//

class Mx_Op<string mnemonic, list<Trait> traits = []>
    : Op<Mx_Dialect, mnemonic, traits> {
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Quantization
//===----------------------------------------------------------------------===//

def Mx_QuantizeOp : Mx_Op<"quantize"> {
  let summary = "quantize real values to an MX format with E8M0 block scales";
  let description = [{
    Quantizes each block of 32 consecutive elements of a row of `input`
    (`[rows, K]`, bf16/f16/f32) to the element type of `values` (`[rows, K]`)
    with one E8M0 scale per block in `scales` (`[rows, K/32]`). All arithmetic
    is fp32. `rounding` chooses how the scale follows from the block's
    absolute maximum: `ceil` (default) never saturates, `floor` is the OCP
    reference rule and saturates (SPEC.md, Quantize). A block holding NaN or
    Inf gets scale 0xFF and NaN elements.

    Example:
    ```mlir
    mx.quantize %x -> %q, %s {rounding = #mx.rounding<floor>}
        : memref<?x4096xbf16> -> memref<?x4096xf8E4M3FN>, memref<?x128xf8E8M0FNU>
    ```
  }];
  let arguments = (ins
    Arg<Mx_RealMemRef, "real input [rows, K]", [MemRead]>:$input,
    Arg<Mx_ValuesMemRef, "quantized values [rows, K]", [MemWrite]>:$values,
    Arg<Mx_ScalesMemRef, "E8M0 scales [rows, K/32]", [MemWrite]>:$scales,
    DefaultValuedAttr<Mx_ScaleRoundingAttr, "::mxc::mx::ScaleRounding::ceil">:$rounding);
  let assemblyFormat = [{
    $input `->` $values `,` $scales attr-dict
    `:` type($input) `->` type($values) `,` type($scales)
  }];
}

def Mx_DequantizeOp : Mx_Op<"dequantize"> {
  let summary = "dequantize MX values and E8M0 scales to a real type";
  let description = [{
    `output[r, k] = round(float(values[r, k]) * 2^(scales[r, k/32] - 127))`,
    rounded to nearest even for bf16/f16; a scale of 0xFF gives NaN.

    Example:
    ```mlir
    mx.dequantize %q, %s -> %y
        : memref<?x256xf4E2M1FN>, memref<?x8xf8E8M0FNU> -> memref<?x256xbf16>
    ```
  }];
  let arguments = (ins
    Arg<Mx_ValuesMemRef, "MX values [rows, K]", [MemRead]>:$values,
    Arg<Mx_ScalesMemRef, "E8M0 scales [rows, K/32]", [MemRead]>:$scales,
    Arg<Mx_RealMemRef, "real output [rows, K]", [MemWrite]>:$output);
  let assemblyFormat = [{
    $values `,` $scales `->` $output attr-dict
    `:` type($values) `,` type($scales) `->` type($output)
  }];
}

//===----------------------------------------------------------------------===//
// Matmul
//===----------------------------------------------------------------------===//

def Mx_ScaledMatmulOp : Mx_Op<"scaled_matmul"> {
  let summary = "C = (A x 2^sa) * (B x 2^sb)^T (+ bias) with MX operands";
  let description = [{
    `C[m, n] = sum_k a[m,k] 2^(sa[m,k/32]-127) * b[n,k] 2^(sb[n,k/32]-127)`
    accumulated in fp32, plus an optional fp32-added `bias[n]`, cast once to
    C's element type (bf16/f16 round to nearest even, or f32).

    A is `[M, K]`; B is `[N, K]` (`b_layout = nk`, the default: weights as in
    nn.Linear) or `[K, N]` (`kn`). Scales are `[M, K/32]` and `[N, K/32]`
    whatever B's layout. K must be a multiple of 32; M may be dynamic; A and B
    may have different MX formats (MXFP8 activations x MXFP4 weights).
    `config` (set by `mx-select-config`) says how the kernel is tiled.

    Example:
    ```mlir
    mx.scaled_matmul %a[%sa] * %b[%sb] + %bias -> %c
        : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>]
          * memref<256x512xf4E2M1FN>[memref<256x16xf8E8M0FNU>] + memref<256xf32>
          -> memref<?x256xbf16>
    ```
  }];
  let arguments = (ins
    Arg<Mx_ValuesMemRef, "A [M, K]", [MemRead]>:$a,
    Arg<Mx_ScalesMemRef, "A scales [M, K/32]", [MemRead]>:$a_scales,
    Arg<Mx_ValuesMemRef, "B [N, K] or [K, N]", [MemRead]>:$b,
    Arg<Mx_ScalesMemRef, "B scales [N, K/32]", [MemRead]>:$b_scales,
    Arg<Optional<MemRefRankOf<[Mx_RealType], [1]>>, "bias [N]", [MemRead]>:$bias,
    Arg<Mx_RealMemRef, "C [M, N]", [MemWrite]>:$c,
    DefaultValuedAttr<Mx_BLayoutAttr, "::mxc::mx::BLayout::nk">:$b_layout,
    OptionalAttr<Mx_GemmConfigAttr>:$config);
  let assemblyFormat = [{
    $a `[` $a_scales `]` `*` $b `[` $b_scales `]` (`+` $bias^)? `->` $c attr-dict
    `:` type($a) `[` type($a_scales) `]` `*` type($b) `[` type($b_scales) `]`
    (`+` type($bias)^)? `->` type($c)
  }];
  let extraClassDeclaration = [{
    /// K, N of the problem read from B's shape and layout (ShapedType::kDynamic
    /// where unknown).
    int64_t getK();
    int64_t getN();
  }];
}

//===----------------------------------------------------------------------===//
// Activations and normalization
//===----------------------------------------------------------------------===//

def Mx_SwigluOp : Mx_Op<"swiglu"> {
  let summary = "SwiGLU-OAI activation, optionally fused with an MX quantize";
  let description = [{
    For input `[M, 2I]` (gate and up placed by `layout`):
    ```
    g = min(gate, limit)            // one-sided; no clamp without `limit`
    u = clamp(up, -limit, limit)
    out = g * sigmoid(alpha * g) * (u + beta)
    ```
    in fp32. With a real `output` (`[M, I]`) the result is cast once. With an
    MX `output` the fp32 activation is quantized directly (no bf16 round
    trip) into `output` and `scales` (`[M, I/32]`, required), with the
    `rounding` rule of `mx.quantize`; I must then be a multiple of 32.

    Example:
    ```mlir
    mx.swiglu %h -> %q scales %s {alpha = 1.702 : f32, beta = 1.0 : f32, limit = 7.0 : f32}
        : memref<?x5760xbf16> -> memref<?x2880xf8E4M3FN>, memref<?x90xf8E8M0FNU>
    ```
  }];
  let arguments = (ins
    Arg<Mx_RealMemRef, "input [M, 2I]", [MemRead]>:$input,
    Arg<MemRefRankOf<[Mx_RealOrElementType], [2]>, "output [M, I]", [MemWrite]>:$output,
    Arg<Optional<Mx_ScalesMemRef>, "scales [M, I/32] of a quantized output", [MemWrite]>:$scales,
    DefaultValuedAttr<Mx_SwigluLayoutAttr, "::mxc::mx::SwigluLayout::interleaved">:$layout,
    DefaultValuedAttr<F32Attr, "1.702f">:$alpha,
    DefaultValuedAttr<F32Attr, "1.0f">:$beta,
    OptionalAttr<F32Attr>:$limit,
    DefaultValuedAttr<Mx_ScaleRoundingAttr, "::mxc::mx::ScaleRounding::ceil">:$rounding);
  let assemblyFormat = [{
    $input `->` $output (`scales` $scales^)? attr-dict
    `:` type($input) `->` type($output) (`,` type($scales)^)?
  }];
}

def Mx_RmsNormOp : Mx_Op<"rmsnorm", [AttrSizedOperandSegments]> {
  let summary = "Gemma RMSNorm, optionally with fused residual add and MX quantize";
  let description = [{
    `y = x * rsqrt(mean(x^2) + eps) * (1 + w)` over each row of `input`
    (`[M, H]`), fp32 compute, one cast. With `residual`, first
    `s = f32(input) + f32(residual)`; `residual_out = cast(s)` (bit-exact)
    and the unrounded s is normalized. An MX `output` quantizes the fp32
    result into `output` and `scales` (`[M, H/32]`), H a multiple of 32.

    Example:
    ```mlir
    mx.rmsnorm %x, %w residual %r -> %r_out -> %y {eps = 1.0e-06 : f32}
        : memref<?x2048xbf16>, memref<2048xbf16>, memref<?x2048xbf16>
          -> memref<?x2048xbf16> -> memref<?x2048xbf16>
    ```
  }];
  let arguments = (ins
    Arg<Mx_RealMemRef, "input [M, H]", [MemRead]>:$input,
    Arg<MemRefRankOf<[Mx_RealType], [1]>, "weight [H]", [MemRead]>:$weight,
    Arg<Optional<Mx_RealMemRef>, "residual [M, H]", [MemRead]>:$residual,
    Arg<Optional<Mx_RealMemRef>, "input + residual [M, H]", [MemWrite]>:$residual_out,
    Arg<MemRefRankOf<[Mx_RealOrElementType], [2]>, "output [M, H]", [MemWrite]>:$output,
    Arg<Optional<Mx_ScalesMemRef>, "scales [M, H/32] of a quantized output", [MemWrite]>:$scales,
    DefaultValuedAttr<F32Attr, "1.0e-6f">:$eps,
    DefaultValuedAttr<Mx_ScaleRoundingAttr, "::mxc::mx::ScaleRounding::ceil">:$rounding);
  let assemblyFormat = [{
    $input `,` $weight (`residual` $residual^ `->` $residual_out)? `->` $output
    (`scales` $scales^)? attr-dict
    `:` type($input) `,` type($weight) (`,` type($residual)^ `->` type($residual_out))?
    `->` type($output) (`,` type($scales)^)?
  }];
}

//===----------------------------------------------------------------------===//
// Mixture of experts
//===----------------------------------------------------------------------===//

def Mx_MoeAlignOp : Mx_Op<"moe_align"> {
  let summary = "sort (token, k) pairs by expert into blocks of block_size rows";
  let description = [{
    With `numel = T * top_k` pairs `i = t * top_k + k` (`topk_ids` is
    `[T, top_k]`): counts the pairs of each of the `num_experts` local
    experts, pads each count up to a multiple of `block_size` (an expert with
    no pairs gets no block), and writes
    - `sorted_token_ids`: expert e's pair indices, ascending, at
      `[offset_e, offset_e + c_e)`, the sentinel `numel` elsewhere; its length
      must hold `numel + num_experts * (block_size - 1)` rounded up to
      `block_size`;
    - `expert_ids[b]`: the expert of block b;
    - `num_tokens_post_padded[0]`: the padded total.
    With `expert_map` (`[E_global]`, -1 = not on this device) pairs of
    unmapped experts are skipped and ids are local.

    Example:
    ```mlir
    mx.moe_align %ids -> %sorted, %eids, %npad {block_size = 32 : i64, num_experts = 8 : i64}
        : memref<?x2xi32> -> memref<?xi32>, memref<?xi32>, memref<1xi32>
    ```
  }];
  let arguments = (ins
    Arg<Mx_I32MemRef2D, "topk_ids [T, top_k]", [MemRead]>:$topk_ids,
    Arg<Optional<Mx_I32MemRef1D>, "expert_map [E_global]", [MemRead]>:$expert_map,
    Arg<Mx_I32MemRef1D, "sorted_token_ids", [MemWrite]>:$sorted_token_ids,
    Arg<Mx_I32MemRef1D, "expert_ids, one per block", [MemWrite]>:$expert_ids,
    Arg<Mx_I32MemRef1D, "num_tokens_post_padded [1]", [MemWrite]>:$num_tokens_post_padded,
    ConfinedAttr<I64Attr, [IntPositive]>:$block_size,
    ConfinedAttr<I64Attr, [IntPositive]>:$num_experts);
  let assemblyFormat = [{
    $topk_ids (`expert_map` $expert_map^)? `->` $sorted_token_ids `,` $expert_ids `,`
    $num_tokens_post_padded attr-dict
    `:` type($topk_ids) (`,` type($expert_map)^)? `->` type($sorted_token_ids) `,`
    type($expert_ids) `,` type($num_tokens_post_padded)
  }];
}

def Mx_MoeMatmulOp : Mx_Op<"moe_matmul"> {
  let summary = "grouped scaled matmul over expert-sorted row blocks";
  let description = [{
    For every block b of `block_size` entries of `sorted_token_ids` below
    `num_tokens_post_padded[0]`, with expert `e = expert_ids[b]` and pair
    index `i` (rows holding the sentinel `numel` are skipped, never written):
    `C[i, :] = (A[row(i), :] x 2^sa) * (B[e] x 2^sb)^T`, times `weights[i]`
    (flattened `[T, top_k]`, fp32) when given. `row(i)` is `i / top_k` when
    A holds one row per token (A has T rows: the first GEMM of a layer) and
    `i` when A holds one row per pair (A has T*top_k rows: the second GEMM).
    B is `[E, N, K]` with scales `[E, N, K/32]`.

    Example:
    ```mlir
    mx.moe_matmul %x[%xs] * %w1[%w1s] rows(%sorted, %eids, %npad) -> %h
        {block_size = 32 : i64, top_k = 2 : i64, gather = #mx.gather<token>}
        : memref<?x1024xf8E4M3FN>[memref<?x32xf8E8M0FNU>]
          * memref<8x512x1024xf4E2M1FN>[memref<8x512x32xf8E8M0FNU>],
          memref<?xi32>, memref<?xi32>, memref<1xi32> -> memref<?x512xbf16>
    ```
  }];
  let arguments = (ins
    Arg<Mx_ValuesMemRef, "A [T, K] or [T*top_k, K]", [MemRead]>:$a,
    Arg<Mx_ScalesMemRef, "A scales", [MemRead]>:$a_scales,
    Arg<Mx_ExpertValuesMemRef, "B [E, N, K]", [MemRead]>:$b,
    Arg<Mx_ExpertScalesMemRef, "B scales [E, N, K/32]", [MemRead]>:$b_scales,
    Arg<Mx_I32MemRef1D, "sorted_token_ids", [MemRead]>:$sorted_token_ids,
    Arg<Mx_I32MemRef1D, "expert_ids", [MemRead]>:$expert_ids,
    Arg<Mx_I32MemRef1D, "num_tokens_post_padded [1]", [MemRead]>:$num_tokens_post_padded,
    Arg<Optional<Mx_F32MemRef2D>, "router weights [T, top_k]", [MemRead]>:$weights,
    Arg<Mx_RealMemRef, "C [T*top_k, N]", [MemWrite]>:$c,
    ConfinedAttr<I64Attr, [IntPositive]>:$block_size,
    ConfinedAttr<I64Attr, [IntPositive]>:$top_k,
    Mx_GatherAttr:$gather);
  let assemblyFormat = [{
    $a `[` $a_scales `]` `*` $b `[` $b_scales `]`
    `rows` `(` $sorted_token_ids `,` $expert_ids `,` $num_tokens_post_padded `)`
    (`weights` $weights^)? `->` $c attr-dict
    `:` type($a) `[` type($a_scales) `]` `*` type($b) `[` type($b_scales) `]` `,`
    type($sorted_token_ids) `,` type($expert_ids) `,` type($num_tokens_post_padded)
    (`,` type($weights)^)? `->` type($c)
  }];
}

def Mx_MoeReduceOp : Mx_Op<"moe_reduce"> {
  let summary = "sum each token's top_k expert outputs in fp32";
  let description = [{
    `output[t, h] = cast(sum_k f32(input[t, k, h]))` for input `[T, top_k, H]`
    (the `[T*top_k, H]` result of the second grouped matmul, seen through
    `memref.expand_shape`).

    Example:
    ```mlir
    mx.moe_reduce %y -> %out : memref<?x2x1024xf32> -> memref<?x1024xbf16>
    ```
  }];
  let arguments = (ins
    Arg<MemRefRankOf<[Mx_RealType], [3]>, "input [T, top_k, H]", [MemRead]>:$input,
    Arg<Mx_RealMemRef, "output [T, H]", [MemWrite]>:$output);
  let assemblyFormat = [{
    $input `->` $output attr-dict `:` type($input) `->` type($output)
  }];
}

def Mx_MoeOp : Mx_Op<"moe"> {
  let summary = "a whole MoE layer: align, quantize, GEMM1, SwiGLU-OAI, GEMM2, reduce";
  let description = [{
    The mixture-of-experts datapath of SPEC.md: quantize `x` (`[T, H]`) to
    `act_format` -> grouped GEMM with `w1` (`[E, 2I, H]`) gathering row
    `i / top_k` -> SwiGLU-OAI (`layout`, `alpha`, `beta`, `limit`) fused
    with an `act_format` quantize -> grouped GEMM with `w2` (`[E, H, I]`),
    accumulator times `topk_weights[i]` -> fp32 sum over top_k -> `output`
    (`[T, H]`). With `apply_router_weight_on_input` (top_k == 1 only) x is
    scaled by its weight before quantizing and GEMM2 is unweighted.
    `expert_map` (`[E_global]`) maps global expert ids to the local ones.

    Example:
    ```mlir
    mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out {limit = 7.0 : f32}
        : memref<?x1024xbf16>, memref<?x2xi32>, memref<?x2xf32>,
          memref<8x512x1024xf4E2M1FN>[memref<8x512x32xf8E8M0FNU>],
          memref<8x1024x256xf4E2M1FN>[memref<8x1024x8xf8E8M0FNU>] -> memref<?x1024xbf16>
    ```
  }];
  let arguments = (ins
    Arg<Mx_RealMemRef, "hidden states [T, H]", [MemRead]>:$x,
    Arg<Mx_I32MemRef2D, "topk_ids [T, top_k]", [MemRead]>:$topk_ids,
    Arg<Mx_F32MemRef2D, "topk_weights [T, top_k]", [MemRead]>:$topk_weights,
    Arg<Mx_ExpertValuesMemRef, "W1 [E, 2I, H]", [MemRead]>:$w1,
    Arg<Mx_ExpertScalesMemRef, "W1 scales [E, 2I, H/32]", [MemRead]>:$w1_scales,
    Arg<Mx_ExpertValuesMemRef, "W2 [E, H, I]", [MemRead]>:$w2,
    Arg<Mx_ExpertScalesMemRef, "W2 scales [E, H, I/32]", [MemRead]>:$w2_scales,
    Arg<Optional<Mx_I32MemRef1D>, "expert_map [E_global]", [MemRead]>:$expert_map,
    Arg<Mx_RealMemRef, "output [T, H]", [MemWrite]>:$output,
    DefaultValuedAttr<TypeAttrOf<Mx_ElementType>, "::mlir::Float8E4M3FNType::get($_builder.getContext())">:$act_format,
    DefaultValuedAttr<Mx_SwigluLayoutAttr, "::mxc::mx::SwigluLayout::interleaved">:$layout,
    DefaultValuedAttr<F32Attr, "1.702f">:$alpha,
    DefaultValuedAttr<F32Attr, "1.0f">:$beta,
    OptionalAttr<F32Attr>:$limit,
    UnitAttr:$apply_router_weight_on_input);
  let assemblyFormat = [{
    $x `,` $topk_ids `,` $topk_weights `,` $w1 `[` $w1_scales `]` `,` $w2 `[` $w2_scales `]`
    (`expert_map` $expert_map^)? `->` $output attr-dict
    `:` type($x) `,` type($topk_ids) `,` type($topk_weights) `,`
    type($w1) `[` type($w1_scales) `]` `,` type($w2) `[` type($w2_scales) `]`
    (`,` type($expert_map)^)? `->` type($output)
  }];
}

include "MxLaunchOps.td"

#endif // MXC_DIALECT_MX_MXOPS_TD
