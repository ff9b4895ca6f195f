// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu | FileCheck %s

// One kernel per M bucket of mx.variants: the largest bucket's keeps the
// plain name, the others say the largest M they serve; the plan's variants
// say which runs for which M, each with its own grid (tile_m 16, 32, 256).
// The last ends where A and C (rows of 128 bytes) outgrow the 2^31 - 1 bytes a
// kernel addresses.
// CHECK-LABEL: func.func @buckets
// CHECK-NEXT: mx.launch_plan "scaled_matmul"
// CHECK-SAME: sizes [#mx.runtime_size<M = a[0], a_scales[0], c[0]>]
// CHECK-SAME: variants [#mx.launch_variant<when [M in [0, 16]], launches [#mx.kernel_launch<@mx_kernels::@buckets_scaled_matmul_m16, grid [4, ceildiv(M, 16), 1], block [64, 1, 1], lds 0, args [a, a_scales, b, b_scales, c, M : i32], config #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 16
// CHECK-SAME: #mx.launch_variant<when [M in [17, 256]], launches [#mx.kernel_launch<@mx_kernels::@buckets_scaled_matmul_m256, grid [2, ceildiv(M, 32), 1], block [64, 1, 1]
// CHECK-SAME: #mx.launch_variant<when [M in [257, 16777215]], launches [#mx.kernel_launch<@mx_kernels::@buckets_scaled_matmul, grid [1, ceildiv(M, 256), 1], block [256, 1, 1]
// CHECK: gpu.module @mx_kernels
// CHECK: gpu.func @buckets_scaled_matmul_m16(
// CHECK-SAME: known_block_size = array<i32: 64, 1, 1>
// CHECK-SAME: mx.config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4,
// CHECK: gpu.func @buckets_scaled_matmul_m256(
// CHECK: gpu.func @buckets_scaled_matmul(
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
func.func @buckets(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>,
                   %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>,
                   %c: memref<?x64xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {mx.variants = [
        #mx.gemm_variant<m = [0, 16] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 16, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>>,
        #mx.gemm_variant<m = [17, 256] : #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 32, tile_n = 32, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>>,
        #mx.gemm_variant<m = [257, 2147483647] : #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 256, tile_n = 64, tile_k = 128, waves_m = 4, waves_n = 1, prefetch = 0>>]}
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

// Static M: no runtime size, one unconditional variant, a constant grid
// (ceil(40 / 32) = 2) and M passed as a constant.
// CHECK-LABEL: func.func @static_m
// CHECK-NEXT: mx.launch_plan "scaled_matmul"
// CHECK-SAME: sizes [] variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@mx_kernels::@static_m_scaled_matmul, grid [2, 2, 1], block [64, 1, 1], lds 0, args [a, a_scales, b, b_scales, c, 40 : i32]
func.func @static_m(%a: memref<40x128xf8E4M3FN>, %sa: memref<40x4xf8E8M0FNU>,
                    %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>,
                    %c: memref<40x64xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 32, tile_n = 32, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>}
      : memref<40x128xf8E4M3FN>[memref<40x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<40x64xbf16>
  return
}

// -----

// M = 0 rows: nothing to compute, so no kernel and a variant of no launch.
// CHECK-LABEL: func.func @empty
// CHECK-NEXT: mx.launch_plan "scaled_matmul"
// CHECK-SAME: variants [#mx.launch_variant<when [], launches []>]
// CHECK-NOT: gpu.func
func.func @empty(%a: memref<0x128xf8E4M3FN>, %sa: memref<0x4xf8E8M0FNU>,
                 %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>,
                 %c: memref<0x64xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 32, tile_n = 32, tile_k = 128, waves_m = 1, waves_n = 1, prefetch = 1>}
      : memref<0x128xf8E4M3FN>[memref<0x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<0x64xbf16>
  return
}
