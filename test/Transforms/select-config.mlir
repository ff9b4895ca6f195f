// RUN: mxc-opt %s -mx-select-config -split-input-file | FileCheck %s
// RUN: mxc-opt %s -mx-select-config="config=mfma=16x16x128,tile=32x64x128,waves=1x2,prefetch=0" -split-input-file | FileCheck %s --check-prefix=FORCED
// The same config in the attribute's own syntax (its body or all of it):
// RUN: mxc-opt %s -mx-select-config="config={<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 32, tile_n = 64, tile_k = 128, waves_m = 1, waves_n = 2, prefetch = 0>}" -split-input-file | FileCheck %s --check-prefix=FORCED
// RUN: mxc-opt %s -mx-select-config="config='#mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 32, tile_n = 64, tile_k = 128, waves_m = 1, waves_n = 2, prefetch = 0>'" -split-input-file | FileCheck %s --check-prefix=FORCED

// Large MXFP8 problem: 32x32x64 tiles, several waves.
// CHECK-LABEL: func.func @large
// CHECK: mx.scaled_matmul
// CHECK-SAME: config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4,
// FORCED-LABEL: func.func @large
// FORCED: config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 32, tile_n = 64, tile_k = 128, waves_m = 1, waves_n = 2, prefetch = 0>
func.func @large(%a: memref<8192x8192xf8E4M3FN>, %sa: memref<8192x256xf8E8M0FNU>,
                 %b: memref<8192x8192xf8E4M3FN>, %sb: memref<8192x256xf8E8M0FNU>,
                 %c: memref<8192x8192xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<8192x8192xf8E4M3FN>[memref<8192x256xf8E8M0FNU>]
        * memref<8192x8192xf8E4M3FN>[memref<8192x256xf8E8M0FNU>] -> memref<8192x8192xbf16>
  return
}

// -----

// Decode (M = 16): one 16-row tile of 16x16x128 instructions.
// CHECK-LABEL: func.func @decode
// CHECK: config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16,
func.func @decode(%a: memref<16x4096xf8E4M3FN>, %sa: memref<16x128xf8E8M0FNU>,
                  %b: memref<4096x4096xf4E2M1FN>, %sb: memref<4096x128xf8E8M0FNU>,
                  %c: memref<16x4096xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<16x4096xf8E4M3FN>[memref<16x128xf8E8M0FNU>]
        * memref<4096x4096xf4E2M1FN>[memref<4096x128xf8E8M0FNU>] -> memref<16x4096xbf16>
  return
}

// -----

// A config already on the op is kept.
// CHECK-LABEL: func.func @kept
// CHECK: config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 256, waves_m = 2, waves_n = 1, prefetch = 1>
func.func @kept(%a: memref<?x256xf8E5M2>, %sa: memref<?x8xf8E8M0FNU>,
                %b: memref<64x256xf8E5M2>, %sb: memref<64x8xf8E8M0FNU>,
                %c: memref<?x64xf32>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 256, waves_m = 2, waves_n = 1, prefetch = 1>}
      : memref<?x256xf8E5M2>[memref<?x8xf8E8M0FNU>]
        * memref<64x256xf8E5M2>[memref<64x8xf8E8M0FNU>] -> memref<?x64xf32>
  return
}
