// RUN: mxc-opt %s | FileCheck %s
// RUN: mxc-opt %s | mxc-opt | FileCheck %s
// RUN: mxc-opt --mlir-print-op-generic %s | mxc-opt | FileCheck %s

// CHECK-LABEL: func @quantize
func.func @quantize(%x: memref<?x256xbf16>, %q: memref<?x256xf8E4M3FN>, %s: memref<?x8xf8E8M0FNU>,
                    %q4: memref<?x256xf4E2M1FN>) {
  // CHECK: mx.quantize %{{.*}} -> %{{.*}}, %{{.*}} : memref<?x256xbf16> -> memref<?x256xf8E4M3FN>, memref<?x8xf8E8M0FNU>
  mx.quantize %x -> %q, %s : memref<?x256xbf16> -> memref<?x256xf8E4M3FN>, memref<?x8xf8E8M0FNU>
  // CHECK: mx.quantize {{.*}} {rounding = #mx.rounding<floor>} : memref<?x256xbf16> -> memref<?x256xf4E2M1FN>
  mx.quantize %x -> %q4, %s {rounding = #mx.rounding<floor>} : memref<?x256xbf16> -> memref<?x256xf4E2M1FN>, memref<?x8xf8E8M0FNU>
  return
}

// CHECK-LABEL: func @dequantize
func.func @dequantize(%q: memref<16x96xf6E2M3FN>, %s: memref<16x3xf8E8M0FNU>, %y: memref<16x96xf32>) {
  // CHECK: mx.dequantize %{{.*}}, %{{.*}} -> %{{.*}} : memref<16x96xf6E2M3FN>, memref<16x3xf8E8M0FNU> -> memref<16x96xf32>
  mx.dequantize %q, %s -> %y : memref<16x96xf6E2M3FN>, memref<16x3xf8E8M0FNU> -> memref<16x96xf32>
  return
}

// CHECK-LABEL: func @scaled_matmul
func.func @scaled_matmul(%a: memref<?x512xf8E4M3FN>, %sa: memref<?x16xf8E8M0FNU>,
                         %b: memref<256x512xf4E2M1FN>, %sb: memref<256x16xf8E8M0FNU>,
                         %bias: memref<256xf32>, %c: memref<?x256xbf16>,
                         %bkn: memref<512x256xf8E5M2>, %cf: memref<?x256xf32>) {
  // CHECK: mx.scaled_matmul %{{.*}}[%{{.*}}] * %{{.*}}[%{{.*}}] + %{{.*}} -> %{{.*}} : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>] * memref<256x512xf4E2M1FN>[memref<256x16xf8E8M0FNU>] + memref<256xf32> -> memref<?x256xbf16>
  mx.scaled_matmul %a[%sa] * %b[%sb] + %bias -> %c
      : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>] * memref<256x512xf4E2M1FN>[memref<256x16xf8E8M0FNU>]
        + memref<256xf32> -> memref<?x256xbf16>
  // CHECK: mx.scaled_matmul {{.*}} {b_layout = #mx.b_layout<kn>} : {{.*}} * memref<512x256xf8E5M2>[memref<256x16xf8E8M0FNU>] -> memref<?x256xf32>
  mx.scaled_matmul %a[%sa] * %bkn[%sb] -> %cf {b_layout = #mx.b_layout<kn>}
      : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>] * memref<512x256xf8E5M2>[memref<256x16xf8E8M0FNU>]
        -> memref<?x256xf32>
  return
}

// CHECK-LABEL: func @swiglu
func.func @swiglu(%h: memref<?x512xbf16>, %y: memref<?x256xbf16>,
                  %q: memref<?x256xf8E4M3FN>, %s: memref<?x8xf8E8M0FNU>) {
  // CHECK: mx.swiglu %{{.*}} -> %{{.*}} {layout = #mx.swiglu_layout<split>} : memref<?x512xbf16> -> memref<?x256xbf16>
  mx.swiglu %h -> %y {layout = #mx.swiglu_layout<split>} : memref<?x512xbf16> -> memref<?x256xbf16>
  // CHECK: mx.swiglu %{{.*}} -> %{{.*}} scales %{{.*}} {limit = 7.000000e+00 : f32} : memref<?x512xbf16> -> memref<?x256xf8E4M3FN>, memref<?x8xf8E8M0FNU>
  mx.swiglu %h -> %q scales %s {alpha = 1.702 : f32, beta = 1.0 : f32, limit = 7.0 : f32}
      : memref<?x512xbf16> -> memref<?x256xf8E4M3FN>, memref<?x8xf8E8M0FNU>
  return
}

// CHECK-LABEL: func @rmsnorm
func.func @rmsnorm(%x: memref<?x2048xbf16>, %w: memref<2048xbf16>, %r: memref<?x2048xbf16>,
                   %ro: memref<?x2048xbf16>, %y: memref<?x2048xbf16>,
                   %q: memref<?x2048xf8E4M3FN>, %s: memref<?x64xf8E8M0FNU>) {
  // CHECK: mx.rmsnorm %{{.*}}, %{{.*}} -> %{{.*}} : memref<?x2048xbf16>, memref<2048xbf16> -> memref<?x2048xbf16>
  mx.rmsnorm %x, %w -> %y : memref<?x2048xbf16>, memref<2048xbf16> -> memref<?x2048xbf16>
  // CHECK: mx.rmsnorm %{{.*}}, %{{.*}} residual %{{.*}} -> %{{.*}} -> %{{.*}} scales %{{.*}} {eps = 9.99999974E-6 : f32}
  mx.rmsnorm %x, %w residual %r -> %ro -> %q scales %s {eps = 1.0e-5 : f32}
      : memref<?x2048xbf16>, memref<2048xbf16>, memref<?x2048xbf16> -> memref<?x2048xbf16>
        -> memref<?x2048xf8E4M3FN>, memref<?x64xf8E8M0FNU>
  return
}

// CHECK-LABEL: func @moe
func.func @moe(%ids: memref<?x2xi32>, %map: memref<16xi32>, %sorted: memref<?xi32>, %eids: memref<?xi32>,
               %npad: memref<1xi32>, %x: memref<?x1024xf8E4M3FN>, %xs: memref<?x32xf8E8M0FNU>,
               %w1: memref<8x512x1024xf4E2M1FN>, %w1s: memref<8x512x32xf8E8M0FNU>,
               %h: memref<?x512xbf16>, %wts: memref<?x2xf32>, %y: memref<?x2x1024xf32>,
               %out: memref<?x1024xbf16>, %xin: memref<?x1024xbf16>,
               %w2: memref<8x1024x256xf4E2M1FN>, %w2s: memref<8x1024x8xf8E8M0FNU>) {
  // CHECK: mx.moe_align %{{.*}} expert_map %{{.*}} -> %{{.*}}, %{{.*}}, %{{.*}} {block_size = 32 : i64, num_experts = 8 : i64}
  mx.moe_align %ids expert_map %map -> %sorted, %eids, %npad {block_size = 32 : i64, num_experts = 8 : i64}
      : memref<?x2xi32>, memref<16xi32> -> memref<?xi32>, memref<?xi32>, memref<1xi32>
  // CHECK: mx.moe_matmul %{{.*}}[%{{.*}}] * %{{.*}}[%{{.*}}] rows(%{{.*}}, %{{.*}}, %{{.*}}) -> %{{.*}} {block_size = 32 : i64, gather = #mx.gather<token>, top_k = 2 : i64}
  mx.moe_matmul %x[%xs] * %w1[%w1s] rows(%sorted, %eids, %npad) -> %h
      {block_size = 32 : i64, top_k = 2 : i64, gather = #mx.gather<token>}
      : memref<?x1024xf8E4M3FN>[memref<?x32xf8E8M0FNU>] * memref<8x512x1024xf4E2M1FN>[memref<8x512x32xf8E8M0FNU>],
        memref<?xi32>, memref<?xi32>, memref<1xi32> -> memref<?x512xbf16>
  // CHECK: mx.moe_matmul {{.*}} weights %{{.*}} -> %{{.*}} {{.*}}gather = #mx.gather<pair>
  mx.moe_matmul %x[%xs] * %w1[%w1s] rows(%sorted, %eids, %npad) weights %wts -> %h
      {block_size = 32 : i64, top_k = 2 : i64, gather = #mx.gather<pair>}
      : memref<?x1024xf8E4M3FN>[memref<?x32xf8E8M0FNU>] * memref<8x512x1024xf4E2M1FN>[memref<8x512x32xf8E8M0FNU>],
        memref<?xi32>, memref<?xi32>, memref<1xi32>, memref<?x2xf32> -> memref<?x512xbf16>
  // CHECK: mx.moe_reduce %{{.*}} -> %{{.*}} : memref<?x2x1024xf32> -> memref<?x1024xbf16>
  mx.moe_reduce %y -> %out : memref<?x2x1024xf32> -> memref<?x1024xbf16>
  // CHECK: mx.moe %{{.*}}, %{{.*}}, %{{.*}}, %{{.*}}[%{{.*}}], %{{.*}}[%{{.*}}] expert_map %{{.*}} -> %{{.*}} {limit = 7.000000e+00 : f32}
  mx.moe %xin, %ids, %wts, %w1[%w1s], %w2[%w2s] expert_map %map -> %out {limit = 7.0 : f32}
      : memref<?x1024xbf16>, memref<?x2xi32>, memref<?x2xf32>,
        memref<8x512x1024xf4E2M1FN>[memref<8x512x32xf8E8M0FNU>],
        memref<8x1024x256xf4E2M1FN>[memref<8x1024x8xf8E8M0FNU>], memref<16xi32> -> memref<?x1024xbf16>
  return
}
