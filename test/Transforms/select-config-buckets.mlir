// RUN: mxc-opt %s -mx-select-config | FileCheck %s
// RUN: mxc-opt %s -mx-select-config="m-buckets=none" | FileCheck %s --check-prefix=NONE
// RUN: mxc-opt %s -mx-select-config="tune-m=16" | FileCheck %s --check-prefix=NONE
// RUN: mxc-opt %s -mx-select-config="m-buckets=64" | FileCheck %s --check-prefix=ONE
// RUN: mxc-opt %s -mx-select-config="config=mfma=32x32x64,tile=64x64x128,waves=2x2,prefetch=1" | FileCheck %s --check-prefix=FORCED
// RUN: mxc-opt %s -mx-select-config="m-buckets=1,2,3" | FileCheck %s --check-prefix=MERGE
// RUN: mxc-opt %s -mx-select-config="m-buckets=1,2,3 tune-m=4" | FileCheck %s --check-prefix=MERGEALL
// RUN: not mxc-opt %s -mx-select-config="m-buckets=256,16" 2>&1 | FileCheck %s --check-prefix=ORDER
// RUN: not mxc-opt %s -mx-select-config="m-buckets=2147483647" 2>&1 | FileCheck %s --check-prefix=BIG
// RUN: not mxc-opt %s -mx-select-config="m-buckets=16,,256" 2>&1 | FileCheck %s --check-prefix=EMPTY

// Dynamic M, decode-sized N = K = 8192: a config per M bucket (M <= 16,
// 17 to 256, above), each chosen for its bucket's largest M (tune-m for the
// last); the decode one has 16-row tiles, the last one larger tiles.
// CHECK-LABEL: func.func @dynamic
// CHECK: mx.scaled_matmul
// CHECK-NOT: config =
// CHECK-SAME: mx.variants = [#mx.gemm_variant<m = [0, 16] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16,
// CHECK-SAME: #mx.gemm_variant<m = [17, 256] : #mx.gemm_config<
// CHECK-SAME: #mx.gemm_variant<m = [257, 2147483647] : #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = {{64|128|256}},
// NONE-LABEL: func.func @dynamic
// NONE-NOT: mx.variants
// NONE: config = #mx.gemm_config<
// ONE-LABEL: func.func @dynamic
// ONE: mx.variants = [#mx.gemm_variant<m = [0, 64] : #mx.gemm_config<{{.*}}>>, #mx.gemm_variant<m = [65, 2147483647] : #mx.gemm_config<{{.*}}>>]
// FORCED-LABEL: func.func @dynamic
// FORCED-NOT: mx.variants
// FORCED: config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64
// ORDER: mx-select-config: m-buckets '256,16': bounds must ascend; 16 follows 256
// BIG: mx-select-config: m-buckets '2147483647': '2147483647' is not an M from 1 to 2147483646 (or give 'none')
// EMPTY: mx-select-config: m-buckets '16,,256': '' is not an M from 1 to 2147483646 (or give 'none')
func.func @dynamic(%a: memref<?x8192xf8E4M3FN>, %sa: memref<?x256xf8E8M0FNU>,
                   %b: memref<8192x8192xf8E4M3FN>, %sb: memref<8192x256xf8E8M0FNU>,
                   %c: memref<?x8192xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x8192xf8E4M3FN>[memref<?x256xf8E8M0FNU>]
        * memref<8192x8192xf8E4M3FN>[memref<8192x256xf8E8M0FNU>] -> memref<?x8192xbf16>
  return
}

// Static M: one config, never variants.
// CHECK-LABEL: func.func @static
// CHECK-NOT: mx.variants
// CHECK: config = #mx.gemm_config<
func.func @static(%a: memref<16x8192xf8E4M3FN>, %sa: memref<16x256xf8E8M0FNU>,
                  %b: memref<8192x8192xf8E4M3FN>, %sb: memref<8192x256xf8E8M0FNU>,
                  %c: memref<16x8192xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<16x8192xf8E4M3FN>[memref<16x256xf8E8M0FNU>]
        * memref<8192x8192xf8E4M3FN>[memref<8192x256xf8E8M0FNU>] -> memref<16x8192xbf16>
  return
}

// Small N and K: M = 1, 2 and 3 fit in one row tile alike, so their
// buckets get one config and merge; when the last bucket's tune-m (4) gets
// it too, all merge to one config.
// MERGE-LABEL: func.func @merged
// MERGE-NOT: m = [0, 1]
// MERGE: mx.variants = [#mx.gemm_variant<m = [0, 3] : #mx.gemm_config<
// MERGEALL-LABEL: func.func @merged
// MERGEALL-NOT: mx.variants
// MERGEALL: config = #mx.gemm_config<
func.func @merged(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>,
                  %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>,
                  %c: memref<?x64xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}
