// RUN: mxc-opt %s -split-input-file -verify-diagnostics

func.func @k_not_multiple_of_32(%x: memref<?x48xbf16>, %q: memref<?x48xf8E4M3FN>, %s: memref<?x1xf8E8M0FNU>) {
  // expected-error @+1 {{values K dimension is 48, which is not a multiple of 32 (the MX block size)}}
  mx.quantize %x -> %q, %s : memref<?x48xbf16> -> memref<?x48xf8E4M3FN>, memref<?x1xf8E8M0FNU>
  return
}

// -----

func.func @scale_shape(%x: memref<?x64xbf16>, %q: memref<?x64xf8E4M3FN>, %s: memref<?x4xf8E8M0FNU>) {
  // expected-error @+1 {{values scales has shape [?, 4], expected [?, 2] (one E8M0 scale per 32 elements of K, [rows, K/32])}}
  mx.quantize %x -> %q, %s : memref<?x64xbf16> -> memref<?x64xf8E4M3FN>, memref<?x4xf8E8M0FNU>
  return
}

// -----

func.func @scale_rows(%x: memref<8x64xbf16>, %q: memref<8x64xf8E4M3FN>, %s: memref<4x2xf8E8M0FNU>) {
  // expected-error @+1 {{values scales has shape [4, 2], expected [8, 2]}}
  mx.quantize %x -> %q, %s : memref<8x64xbf16> -> memref<8x64xf8E4M3FN>, memref<4x2xf8E8M0FNU>
  return
}

// -----

func.func @quantize_shape(%x: memref<8x64xbf16>, %q: memref<4x64xf8E4M3FN>, %s: memref<4x2xf8E8M0FNU>) {
  // expected-error @+1 {{values has shape [4, 64], expected [8, 64] (same shape as input)}}
  mx.quantize %x -> %q, %s : memref<8x64xbf16> -> memref<4x64xf8E4M3FN>, memref<4x2xf8E8M0FNU>
  return
}

// -----

func.func @quantize_bad_input(%x: memref<8x64xi8>, %q: memref<8x64xf8E4M3FN>, %s: memref<8x2xf8E8M0FNU>) {
  // expected-error @+1 {{operand #0 must be 2D memref of bf16, f16 or f32 values}}
  mx.quantize %x -> %q, %s : memref<8x64xi8> -> memref<8x64xf8E4M3FN>, memref<8x2xf8E8M0FNU>
  return
}

// -----

func.func @quantize_not_mx(%x: memref<8x64xf32>, %q: memref<8x64xbf16>, %s: memref<8x2xf8E8M0FNU>) {
  // expected-error @+1 {{operand #1 must be 2D memref of MX element type values}}
  mx.quantize %x -> %q, %s : memref<8x64xf32> -> memref<8x64xbf16>, memref<8x2xf8E8M0FNU>
  return
}

// -----

func.func @scales_not_e8m0(%x: memref<8x64xf32>, %q: memref<8x64xf8E4M3FN>, %s: memref<8x2xi8>) {
  // expected-error @+1 {{operand #2 must be 2D memref of f8E8M0FNU type values}}
  mx.quantize %x -> %q, %s : memref<8x64xf32> -> memref<8x64xf8E4M3FN>, memref<8x2xi8>
  return
}

// -----

#strided = strided<[128, 1], offset: 1>
func.func @packed_layout(%x: memref<8x64xbf16>, %q: memref<8x64xf4E2M1FN, #strided>, %s: memref<8x2xf8E8M0FNU>) {
  // expected-error @+1 {{values of packed type 'f4E2M1FN' needs an identity (row-major, contiguous) layout}}
  mx.quantize %x -> %q, %s : memref<8x64xbf16> -> memref<8x64xf4E2M1FN, #strided>, memref<8x2xf8E8M0FNU>
  return
}

// -----

func.func @packed_dynamic_row(%q: memref<8x?xf6E3M2FN>, %s: memref<8x?xf8E8M0FNU>, %y: memref<8x?xbf16>) {
  // expected-error @+1 {{values of packed type 'f6E3M2FN' needs a static innermost dimension (its packed row size)}}
  mx.dequantize %q, %s -> %y : memref<8x?xf6E3M2FN>, memref<8x?xf8E8M0FNU> -> memref<8x?xbf16>
  return
}

// -----

func.func @dequantize_shape(%q: memref<8x64xf8E5M2>, %s: memref<8x2xf8E8M0FNU>, %y: memref<8x32xbf16>) {
  // expected-error @+1 {{output has shape [8, 32], expected [8, 64] (same shape as values)}}
  mx.dequantize %q, %s -> %y : memref<8x64xf8E5M2>, memref<8x2xf8E8M0FNU> -> memref<8x32xbf16>
  return
}

// -----

func.func @matmul_k_mismatch(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                             %b: memref<16x96xf8E4M3FN>, %sb: memref<16x3xf8E8M0FNU>, %c: memref<?x16xbf16>) {
  // expected-error @+1 {{A has K = 64 but B has K = 96; the reduction dimensions must match}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>] * memref<16x96xf8E4M3FN>[memref<16x3xf8E8M0FNU>] -> memref<?x16xbf16>
  return
}

// -----

func.func @matmul_a_k(%a: memref<?x40xf8E4M3FN>, %sa: memref<?x1xf8E8M0FNU>,
                      %b: memref<16x40xf8E4M3FN>, %sb: memref<16x1xf8E8M0FNU>, %c: memref<?x16xbf16>) {
  // expected-error @+1 {{A K dimension is 40, which is not a multiple of 32}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x40xf8E4M3FN>[memref<?x1xf8E8M0FNU>] * memref<16x40xf8E4M3FN>[memref<16x1xf8E8M0FNU>] -> memref<?x16xbf16>
  return
}

// -----

func.func @matmul_b_scales_kn(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                              %b: memref<64x16xf8E4M3FN>, %sb: memref<64x2xf8E8M0FNU>, %c: memref<?x16xbf16>) {
  // expected-error @+1 {{B scales has shape [64, 2], expected [16, 2]}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c {b_layout = #mx.b_layout<kn>}
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>] * memref<64x16xf8E4M3FN>[memref<64x2xf8E8M0FNU>] -> memref<?x16xbf16>
  return
}

// -----

func.func @matmul_packed_kn(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                            %b: memref<64x16xf4E2M1FN>, %sb: memref<16x2xf8E8M0FNU>, %c: memref<?x16xbf16>) {
  // expected-error @+1 {{B of packed type 'f4E2M1FN' is packed along K and needs b_layout nk ([N, K])}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c {b_layout = #mx.b_layout<kn>}
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>] * memref<64x16xf4E2M1FN>[memref<16x2xf8E8M0FNU>] -> memref<?x16xbf16>
  return
}

// -----

func.func @matmul_c_shape(%a: memref<8x64xf8E4M3FN>, %sa: memref<8x2xf8E8M0FNU>,
                          %b: memref<16x64xf6E2M3FN>, %sb: memref<16x2xf8E8M0FNU>, %c: memref<8x32xbf16>) {
  // expected-error @+1 {{C has shape [8, 32], expected [8, 16] ([M, N] with M from A and N from B)}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<8x64xf8E4M3FN>[memref<8x2xf8E8M0FNU>] * memref<16x64xf6E2M3FN>[memref<16x2xf8E8M0FNU>] -> memref<8x32xbf16>
  return
}

// -----

func.func @matmul_c_type(%a: memref<8x64xf8E4M3FN>, %sa: memref<8x2xf8E8M0FNU>,
                         %b: memref<16x64xf8E4M3FN>, %sb: memref<16x2xf8E8M0FNU>, %c: memref<8x16xf8E4M3FN>) {
  // expected-error @+1 {{operand #4 must be 2D memref of bf16, f16 or f32 values}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<8x64xf8E4M3FN>[memref<8x2xf8E8M0FNU>] * memref<16x64xf8E4M3FN>[memref<16x2xf8E8M0FNU>] -> memref<8x16xf8E4M3FN>
  return
}

// -----

func.func @matmul_bias(%a: memref<8x64xf8E4M3FN>, %sa: memref<8x2xf8E8M0FNU>, %b: memref<16x64xf8E4M3FN>,
                       %sb: memref<16x2xf8E8M0FNU>, %bias: memref<8xf32>, %c: memref<8x16xf32>) {
  // expected-error @+1 {{bias has shape [8], expected [16] ([N])}}
  mx.scaled_matmul %a[%sa] * %b[%sb] + %bias -> %c
      : memref<8x64xf8E4M3FN>[memref<8x2xf8E8M0FNU>] * memref<16x64xf8E4M3FN>[memref<16x2xf8E8M0FNU>] + memref<8xf32> -> memref<8x16xf32>
  return
}

// -----

func.func @swiglu_odd(%h: memref<?x63xbf16>, %y: memref<?x31xbf16>) {
  // expected-error @+1 {{input has 63 columns; expected an even count 2I (gate and up)}}
  mx.swiglu %h -> %y : memref<?x63xbf16> -> memref<?x31xbf16>
  return
}

// -----

func.func @swiglu_out_shape(%h: memref<?x64xbf16>, %y: memref<?x64xbf16>) {
  // expected-error @+1 {{output has shape [?, 64], expected [?, 32] ([M, I] for an input of [M, 2I])}}
  mx.swiglu %h -> %y : memref<?x64xbf16> -> memref<?x64xbf16>
  return
}

// -----

func.func @swiglu_quant_width(%h: memref<?x96xbf16>, %q: memref<?x48xf8E4M3FN>, %s: memref<?x1xf8E8M0FNU>) {
  // expected-error @+1 {{fused quantize width I is 48, which is not a multiple of 32}}
  mx.swiglu %h -> %q scales %s : memref<?x96xbf16> -> memref<?x48xf8E4M3FN>, memref<?x1xf8E8M0FNU>
  return
}

// -----

func.func @swiglu_quant_no_scales(%h: memref<?x128xbf16>, %q: memref<?x64xf8E4M3FN>) {
  // expected-error @+1 {{has an MX output of type 'f8E4M3FN' but no scales; a fused quantize needs `scales`}}
  mx.swiglu %h -> %q : memref<?x128xbf16> -> memref<?x64xf8E4M3FN>
  return
}

// -----

func.func @swiglu_real_with_scales(%h: memref<?x128xbf16>, %y: memref<?x64xbf16>, %s: memref<?x2xf8E8M0FNU>) {
  // expected-error @+1 {{has scales but a real output of type 'bf16'; scales come only with an MX output (fused quantize)}}
  mx.swiglu %h -> %y scales %s : memref<?x128xbf16> -> memref<?x64xbf16>, memref<?x2xf8E8M0FNU>
  return
}

// -----

func.func @swiglu_limit(%h: memref<?x128xbf16>, %y: memref<?x64xbf16>) {
  // expected-error @+1 {{limit is -1.000000e+00; expected a finite positive clamp}}
  mx.swiglu %h -> %y {limit = -1.0 : f32} : memref<?x128xbf16> -> memref<?x64xbf16>
  return
}

// -----

func.func @rmsnorm_weight(%x: memref<?x64xbf16>, %w: memref<32xbf16>, %y: memref<?x64xbf16>) {
  // expected-error @+1 {{weight has shape [32], expected [64] ([H])}}
  mx.rmsnorm %x, %w -> %y : memref<?x64xbf16>, memref<32xbf16> -> memref<?x64xbf16>
  return
}

// -----

func.func @rmsnorm_residual(%x: memref<?x64xbf16>, %w: memref<64xbf16>, %r: memref<?x32xbf16>,
                            %ro: memref<?x64xbf16>, %y: memref<?x64xbf16>) {
  // expected-error @+1 {{residual has shape [?, 32], expected [?, 64] (same shape as input)}}
  mx.rmsnorm %x, %w residual %r -> %ro -> %y
      : memref<?x64xbf16>, memref<64xbf16>, memref<?x32xbf16> -> memref<?x64xbf16> -> memref<?x64xbf16>
  return
}

// -----

func.func @rmsnorm_eps(%x: memref<?x64xbf16>, %w: memref<64xbf16>, %y: memref<?x64xbf16>) {
  // expected-error @+1 {{eps is -1.000000e-06; expected a finite non-negative value}}
  mx.rmsnorm %x, %w -> %y {eps = -1.0e-6 : f32} : memref<?x64xbf16>, memref<64xbf16> -> memref<?x64xbf16>
  return
}

// -----

func.func @rmsnorm_quant_scales(%x: memref<?x64xbf16>, %w: memref<64xbf16>, %q: memref<?x64xf8E4M3FN>, %s: memref<?x1xf8E8M0FNU>) {
  // expected-error @+1 {{output scales has shape [?, 1], expected [?, 2]}}
  mx.rmsnorm %x, %w -> %q scales %s : memref<?x64xbf16>, memref<64xbf16> -> memref<?x64xf8E4M3FN>, memref<?x1xf8E8M0FNU>
  return
}

// -----

func.func @align_top_k_zero(%ids: memref<?x0xi32>, %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{top_k is 0, expected at least 1}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 16 : i64, num_experts = 4 : i64}
      : memref<?x0xi32> -> memref<?xi32>, memref<?xi32>, memref<1xi32>
  return
}

// -----

func.func @align_dynamic_top_k(%ids: memref<?x?xi32>, %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{topk_ids needs a static top_k (dimension 1)}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 16 : i64, num_experts = 4 : i64}
      : memref<?x?xi32> -> memref<?xi32>, memref<?xi32>, memref<1xi32>
  return
}

// -----

func.func @align_block_size(%ids: memref<?x2xi32>, %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{attribute 'block_size' failed to satisfy constraint: 64-bit signless integer attribute whose value is positive}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 0 : i64, num_experts = 4 : i64}
      : memref<?x2xi32> -> memref<?xi32>, memref<?xi32>, memref<1xi32>
  return
}

// -----

func.func @align_sorted_len(%ids: memref<10x2xi32>, %sorted: memref<64xi32>, %eids: memref<8xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{sorted_token_ids holds 64 entries; expected at least 80 (T*top_k + num_experts*(block_size-1), rounded up to block_size)}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 16 : i64, num_experts = 4 : i64}
      : memref<10x2xi32> -> memref<64xi32>, memref<8xi32>, memref<1xi32>
  return
}

// -----

func.func @align_expert_ids(%ids: memref<10x2xi32>, %sorted: memref<96xi32>, %eids: memref<4xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{expert_ids holds 4 entries; expected at least 6 (one per block of sorted_token_ids)}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 16 : i64, num_experts = 4 : i64}
      : memref<10x2xi32> -> memref<96xi32>, memref<4xi32>, memref<1xi32>
  return
}

// -----

func.func @align_counter(%ids: memref<?x2xi32>, %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<2xi32>) {
  // expected-error @+1 {{num_tokens_post_padded must be memref<1xi32>, got 'memref<2xi32>'}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 16 : i64, num_experts = 4 : i64}
      : memref<?x2xi32> -> memref<?xi32>, memref<?xi32>, memref<2xi32>
  return
}

// -----

func.func @align_map(%ids: memref<?x2xi32>, %map: memref<2xi32>, %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{expert_map has 2 entries but num_experts is 4; the map covers every global expert}}
  mx.moe_align %ids expert_map %map -> %sorted, %eids, %n {block_size = 16 : i64, num_experts = 4 : i64}
      : memref<?x2xi32>, memref<2xi32> -> memref<?xi32>, memref<?xi32>, memref<1xi32>
  return
}

// -----

func.func @moe_matmul_rows(%x: memref<10x64xf8E4M3FN>, %xs: memref<10x2xf8E8M0FNU>,
                           %w: memref<4x32x64xf8E4M3FN>, %ws: memref<4x32x2xf8E8M0FNU>,
                           %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>, %h: memref<10x32xbf16>) {
  // expected-error @+1 {{C has shape [10, 32], expected [20, 32] ([T*top_k, N], one row per (token, k) pair)}}
  mx.moe_matmul %x[%xs] * %w[%ws] rows(%sorted, %eids, %n) -> %h {block_size = 16 : i64, top_k = 2 : i64, gather = #mx.gather<token>}
      : memref<10x64xf8E4M3FN>[memref<10x2xf8E8M0FNU>] * memref<4x32x64xf8E4M3FN>[memref<4x32x2xf8E8M0FNU>],
        memref<?xi32>, memref<?xi32>, memref<1xi32> -> memref<10x32xbf16>
  return
}

// -----

func.func @moe_matmul_b_scales(%x: memref<?x64xf8E4M3FN>, %xs: memref<?x2xf8E8M0FNU>,
                               %w: memref<4x32x64xf4E2M1FN>, %ws: memref<4x32x4xf8E8M0FNU>,
                               %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>, %h: memref<?x32xbf16>) {
  // expected-error @+1 {{B scales has shape [4, 32, 4], expected [4, 32, 2]}}
  mx.moe_matmul %x[%xs] * %w[%ws] rows(%sorted, %eids, %n) -> %h {block_size = 16 : i64, top_k = 2 : i64, gather = #mx.gather<pair>}
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>] * memref<4x32x64xf4E2M1FN>[memref<4x32x4xf8E8M0FNU>],
        memref<?xi32>, memref<?xi32>, memref<1xi32> -> memref<?x32xbf16>
  return
}

// -----

func.func @moe_matmul_weights(%x: memref<?x64xf8E4M3FN>, %xs: memref<?x2xf8E8M0FNU>,
                              %w: memref<4x32x64xf8E4M3FN>, %ws: memref<4x32x2xf8E8M0FNU>,
                              %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>,
                              %wts: memref<?x4xf32>, %h: memref<?x32xbf16>) {
  // expected-error @+1 {{weights has shape [?, 4], expected [?, 2] ([T, top_k] router weights)}}
  mx.moe_matmul %x[%xs] * %w[%ws] rows(%sorted, %eids, %n) weights %wts -> %h {block_size = 16 : i64, top_k = 2 : i64, gather = #mx.gather<pair>}
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>] * memref<4x32x64xf8E4M3FN>[memref<4x32x2xf8E8M0FNU>],
        memref<?xi32>, memref<?xi32>, memref<1xi32>, memref<?x4xf32> -> memref<?x32xbf16>
  return
}

// -----

func.func @moe_reduce_shape(%y: memref<?x2x64xf32>, %out: memref<?x32xbf16>) {
  // expected-error @+1 {{output has shape [?, 32], expected [?, 64] ([T, H] for an input of [T, top_k, H])}}
  mx.moe_reduce %y -> %out : memref<?x2x64xf32> -> memref<?x32xbf16>
  return
}

// -----

func.func @moe_weights_shape(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x1xf32>,
                             %w1: memref<4x64x64xf8E4M3FN>, %w1s: memref<4x64x2xf8E8M0FNU>,
                             %w2: memref<4x64x32xf8E4M3FN>, %w2s: memref<4x64x1xf8E8M0FNU>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{topk_weights has shape [?, 1], expected [?, 2] ([T, top_k], like topk_ids)}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x1xf32>, memref<4x64x64xf8E4M3FN>[memref<4x64x2xf8E8M0FNU>],
        memref<4x64x32xf8E4M3FN>[memref<4x64x1xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_intermediate(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x2xf32>,
                            %w1: memref<4x96x64xf8E4M3FN>, %w1s: memref<4x96x2xf8E8M0FNU>,
                            %w2: memref<4x64x48xf8E4M3FN>, %w2s: memref<4x64x1xf8E8M0FNU>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{w2 K dimension is 48, which is not a multiple of 32}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x2xf32>, memref<4x96x64xf8E4M3FN>[memref<4x96x2xf8E8M0FNU>],
        memref<4x64x48xf8E4M3FN>[memref<4x64x1xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_w2_experts(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x2xf32>,
                          %w1: memref<4x64x64xf8E4M3FN>, %w1s: memref<4x64x2xf8E8M0FNU>,
                          %w2: memref<2x64x32xf8E4M3FN>, %w2s: memref<2x64x1xf8E8M0FNU>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{w2 has shape [2, 64, 32], expected [4, 64, 32] ([E, H, I] with E and I from w1)}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x2xf32>, memref<4x64x64xf8E4M3FN>[memref<4x64x2xf8E8M0FNU>],
        memref<2x64x32xf8E4M3FN>[memref<2x64x1xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_router_weight_on_input(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x2xf32>,
                                      %w1: memref<4x64x64xf8E4M3FN>, %w1s: memref<4x64x2xf8E8M0FNU>,
                                      %w2: memref<4x64x32xf8E4M3FN>, %w2s: memref<4x64x1xf8E8M0FNU>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{apply_router_weight_on_input needs top_k == 1, got top_k = 2}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out {apply_router_weight_on_input}
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x2xf32>, memref<4x64x64xf8E4M3FN>[memref<4x64x2xf8E8M0FNU>],
        memref<4x64x32xf8E4M3FN>[memref<4x64x1xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_w1_odd(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x2xf32>,
                      %w1: memref<4x65x64xf8E4M3FN>, %w1s: memref<4x65x2xf8E8M0FNU>,
                      %w2: memref<4x64x32xf8E4M3FN>, %w2s: memref<4x64x1xf8E8M0FNU>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{w1 has 65 rows per expert; expected an even count 2I}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x2xf32>, memref<4x65x64xf8E4M3FN>[memref<4x65x2xf8E8M0FNU>],
        memref<4x64x32xf8E4M3FN>[memref<4x64x1xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_matmul_k(%x: memref<?x64xf8E4M3FN>, %xs: memref<?x2xf8E8M0FNU>,
                        %w: memref<4x32x96xf8E4M3FN>, %ws: memref<4x32x3xf8E8M0FNU>,
                        %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>, %h: memref<?x32xbf16>) {
  // expected-error @+1 {{A has K = 64 but B has K = 96; the reduction dimensions must match}}
  mx.moe_matmul %x[%xs] * %w[%ws] rows(%sorted, %eids, %n) -> %h {block_size = 16 : i64, top_k = 2 : i64, gather = #mx.gather<pair>}
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>] * memref<4x32x96xf8E4M3FN>[memref<4x32x3xf8E8M0FNU>],
        memref<?xi32>, memref<?xi32>, memref<1xi32> -> memref<?x32xbf16>
  return
}

// -----

func.func @moe_reduce_top_k(%y: memref<?x0x64xf32>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{top_k (input dimension 1) must be at least 1}}
  mx.moe_reduce %y -> %out : memref<?x0x64xf32> -> memref<?x64xbf16>
  return
}

// -----

func.func @rmsnorm_residual_out(%x: memref<?x64xbf16>, %w: memref<64xbf16>, %r: memref<?x64xbf16>,
                                %ro: memref<?x32xbf16>, %y: memref<?x64xbf16>) {
  // expected-error @+1 {{residual_out has shape [?, 32], expected [?, 64] (same shape as input)}}
  mx.rmsnorm %x, %w residual %r -> %ro -> %y
      : memref<?x64xbf16>, memref<64xbf16>, memref<?x64xbf16> -> memref<?x32xbf16> -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_w1_hidden(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x2xf32>,
                         %w1: memref<4x64x128xf8E4M3FN>, %w1s: memref<4x64x4xf8E8M0FNU>,
                         %w2: memref<4x64x32xf8E4M3FN>, %w2s: memref<4x64x1xf8E8M0FNU>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{w1 has shape [4, 64, 128], expected [4, 64, 64] ([E, 2I, H] with H from x)}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x2xf32>, memref<4x64x128xf8E4M3FN>[memref<4x64x4xf8E8M0FNU>],
        memref<4x64x32xf8E4M3FN>[memref<4x64x1xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_expert_map(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x2xf32>,
                          %w1: memref<4x64x64xf8E4M3FN>, %w1s: memref<4x64x2xf8E8M0FNU>,
                          %w2: memref<4x64x32xf8E4M3FN>, %w2s: memref<4x64x1xf8E8M0FNU>,
                          %map: memref<2xi32>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{expert_map has 2 entries, fewer than the 4 local experts of w1}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] expert_map %map -> %out
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x2xf32>, memref<4x64x64xf8E4M3FN>[memref<4x64x2xf8E8M0FNU>],
        memref<4x64x32xf8E4M3FN>[memref<4x64x1xf8E8M0FNU>], memref<2xi32> -> memref<?x64xbf16>
  return
}

// -----

func.func @moe_limit(%x: memref<?x64xbf16>, %ids: memref<?x2xi32>, %wts: memref<?x2xf32>,
                     %w1: memref<4x64x64xf8E4M3FN>, %w1s: memref<4x64x2xf8E8M0FNU>,
                     %w2: memref<4x64x32xf8E4M3FN>, %w2s: memref<4x64x1xf8E8M0FNU>, %out: memref<?x64xbf16>) {
  // expected-error @+1 {{limit is 0.000000e+00; expected a finite positive clamp}}
  mx.moe %x, %ids, %wts, %w1[%w1s], %w2[%w2s] -> %out {limit = 0.0 : f32}
      : memref<?x64xbf16>, memref<?x2xi32>, memref<?x2xf32>, memref<4x64x64xf8E4M3FN>[memref<4x64x2xf8E8M0FNU>],
        memref<4x64x32xf8E4M3FN>[memref<4x64x1xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

// Sizes whose products pass int64 are reported, not wrapped (2^62 tokens x
// top_k 4 would wrap to 0 pairs).
func.func @moe_matmul_pairs_overflow(%x: memref<4611686018427387904x64xf8E4M3FN>, %xs: memref<4611686018427387904x2xf8E8M0FNU>,
                                     %w: memref<4x32x64xf8E4M3FN>, %ws: memref<4x32x2xf8E8M0FNU>,
                                     %sorted: memref<?xi32>, %eids: memref<?xi32>, %n: memref<1xi32>, %h: memref<0x32xbf16>) {
  // expected-error @+1 {{A has 4611686018427387904 tokens x top_k 4 (token, k) pairs, more than a 64-bit size holds}}
  mx.moe_matmul %x[%xs] * %w[%ws] rows(%sorted, %eids, %n) -> %h {block_size = 16 : i64, top_k = 4 : i64, gather = #mx.gather<token>}
      : memref<4611686018427387904x64xf8E4M3FN>[memref<4611686018427387904x2xf8E8M0FNU>] * memref<4x32x64xf8E4M3FN>[memref<4x32x2xf8E8M0FNU>],
        memref<?xi32>, memref<?xi32>, memref<1xi32> -> memref<0x32xbf16>
  return
}

// -----

func.func @align_pairs_overflow(%ids: memref<4611686018427387904x4xi32>, %sorted: memref<64xi32>, %eids: memref<?xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{sorted_token_ids would need T*top_k + num_experts*(block_size-1) = 4611686018427387904*4 + 4*15 entries, more than a 64-bit size holds}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 16 : i64, num_experts = 4 : i64}
      : memref<4611686018427387904x4xi32> -> memref<64xi32>, memref<?xi32>, memref<1xi32>
  return
}

// -----

func.func @align_padding_overflow(%ids: memref<8x2xi32>, %sorted: memref<64xi32>, %eids: memref<?xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{sorted_token_ids would need T*top_k + num_experts*(block_size-1) = 8*2 + 4*9223372036854775806 entries, more than a 64-bit size holds}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 9223372036854775807 : i64, num_experts = 4 : i64}
      : memref<8x2xi32> -> memref<64xi32>, memref<?xi32>, memref<1xi32>
  return
}

// -----

// The rounding up to block_size passes int64 although the sum does not.
func.func @align_round_up_overflow(%ids: memref<4611686018427387904x2xi32>, %sorted: memref<64xi32>, %eids: memref<?xi32>, %n: memref<1xi32>) {
  // expected-error @+1 {{sorted_token_ids would need T*top_k + num_experts*(block_size-1) = 4611686018427387904*2 + 1*0 entries, more than a 64-bit size holds}}
  mx.moe_align %ids -> %sorted, %eids, %n {block_size = 1 : i64, num_experts = 1 : i64}
      : memref<4611686018427387904x2xi32> -> memref<64xi32>, memref<?xi32>, memref<1xi32>
  return
}

// -----

func.func @scaled_matmul_n_zero(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                                %b: memref<0x64xf8E4M3FN>, %sb: memref<0x2xf8E8M0FNU>,
                                %c: memref<?x0xbf16>) {
  // expected-error @+1 {{N is 0 (B has no rows); expected at least 1}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>]
        * memref<0x64xf8E4M3FN>[memref<0x2xf8E8M0FNU>] -> memref<?x0xbf16>
  return
}

// -----

func.func @scaled_matmul_k_zero(%a: memref<?x0xf8E4M3FN>, %sa: memref<?x0xf8E8M0FNU>,
                                %b: memref<0x64xf8E4M3FN>, %sb: memref<64x0xf8E8M0FNU>,
                                %c: memref<?x64xbf16>) {
  // expected-error @+1 {{K is 0; expected a positive multiple of 32}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c {b_layout = #mx.b_layout<kn>}
      : memref<?x0xf8E4M3FN>[memref<?x0xf8E8M0FNU>]
        * memref<0x64xf8E4M3FN>[memref<64x0xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

// #mx.gemm_config: every parameter's range, with products formed without
// wrapping (2^31 x 2 waves is not 0 waves).
// expected-error @+1 {{instruction mfma_f32_32x32x16_bf16 is not a scaled MFMA (mfma_scale_f32_32x32x64_f8f6f4 or mfma_scale_f32_16x16x128_f8f6f4)}}
func.func private @not_scaled() attributes {config = #mx.gemm_config<instruction = mfma_f32_32x32x16_bf16, tile_m = 128, tile_n = 128, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>}

// -----

// expected-error @+2 {{expected ::mxc::mx::MatrixInstruction to be one of: mfma_scale_f32_32x32x64_f8f6f4, mfma_scale_f32_16x16x128_f8f6f4,}}
// expected-error @+1 {{failed to parse Mx_GemmConfigAttr parameter 'instruction' which is to be a `::mxc::mx::MatrixInstruction`}}
func.func private @unknown_instruction() attributes {config = #mx.gemm_config<instruction = mfma_64x64, tile_m = 128, tile_n = 128, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>}

// -----

// expected-error @+1 {{waves 2147483648x1 is 2147483648 waves; expected 1 to 16 (a workgroup holds at most 1024 lanes, 64 per wave)}}
func.func private @waves_huge() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 128, tile_n = 128, tile_k = 128, waves_m = 2147483648, waves_n = 1, prefetch = 1>}

// -----

// expected-error @+1 {{waves 2147483648x2 is 4294967296 waves; expected 1 to 16}}
func.func private @waves_wrap() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 128, tile_n = 128, tile_k = 128, waves_m = 2147483648, waves_n = 2, prefetch = 1>}

// -----

// expected-error @+1 {{waves 0x4 is 0 waves; expected 1 to 16}}
func.func private @waves_zero() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 128, tile_n = 128, tile_k = 128, waves_m = 0, waves_n = 4, prefetch = 1>}

// -----

// expected-error @+1 {{waves 4x8 is 32 waves; expected 1 to 16}}
func.func private @waves_many() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 128, tile_n = 128, tile_k = 128, waves_m = 4, waves_n = 8, prefetch = 1>}

// -----

// expected-error @+1 {{tile_m 96 is not a positive multiple of waves_m x 32 = 64 (each wave holds whole 32x32 matrix tiles)}}
func.func private @tile_m() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 96, tile_n = 128, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>}

// -----

// expected-error @+1 {{tile_n 0 is not a positive multiple of waves_n x 16 = 32 (each wave holds whole 16x16 matrix tiles)}}
func.func private @tile_n_zero() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 128, tile_n = 0, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>}

// -----

// 4294967264 = 2^32 - 32: a multiple of 32 whose wave tile squared passes 2^32.
// expected-error @+1 {{the wave tile needs 288230371856744464 accumulator registers; at most 256 exist}}
func.func private @wave_tile_huge() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 4294967264, tile_n = 4294967264, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>}

// -----

// 128x256 of one wave: 32768 fp32 accumulators, 512 per lane.
// expected-error @+1 {{the wave tile needs 512 accumulator registers; at most 256 exist}}
func.func private @wave_tile() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 128, tile_n = 256, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 0>}

// -----

// expected-error @+1 {{tile_k 64 is not a positive multiple of 128 (four scale blocks, one scale dword)}}
func.func private @tile_k() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 64, waves_m = 2, waves_n = 1, prefetch = 1>}

// -----

// expected-error @+1 {{tile_k 0 is not a positive multiple of 128}}
func.func private @tile_k_zero() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 0, waves_m = 2, waves_n = 1, prefetch = 1>}

// -----

// 34 instructions of K = 64.
// expected-error @+1 {{tile_k 2176 is more than 2048 (32 matrix instructions of K = 64); one step's operands alone would need more than 256 registers}}
func.func private @tile_k_deep() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 2176, waves_m = 2, waves_n = 1, prefetch = 0>}

// -----

// expected-error @+1 {{prefetch is 4; expected 0 to 3 (K steps whose loads are in flight while one computes)}}
func.func private @prefetch() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 1, prefetch = 4>}

// -----

// The bounds themselves are accepted: 16 waves, 256 accumulators per lane,
// 32 matrix instructions per step.
func.func private @largest_16() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 128, tile_n = 128, tile_k = 4096, waves_m = 1, waves_n = 1, prefetch = 0>}
func.func private @largest_32() attributes {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 512, tile_n = 512, tile_k = 2048, waves_m = 4, waves_n = 4, prefetch = 1>}
