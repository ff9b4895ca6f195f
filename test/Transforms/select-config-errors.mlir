// RUN: mxc-opt %s -mx-select-config -split-input-file -verify-diagnostics
// RUN: not mxc-opt %s -mx-select-config="config=tile=128" 2>&1 | FileCheck %s --check-prefix=BADTEXT
// RUN: not mxc-opt %s -split-input-file -mx-select-config="config=mfma=32x32x64,tile=256x256x256,waves=1x1,prefetch=1" 2>&1 | FileCheck %s --check-prefix=TOOBIG
// RUN: not mxc-opt %s -split-input-file -mx-select-config="chip=gfx942" 2>&1 | FileCheck %s --check-prefix=NOMFMA
// Option errors are one line each, with no dump of the module:
// RUN: not mxc-opt %s -mx-select-config="config=mfma=32x32x64,tile=128x128x128,waves=2147483648x1" 2>&1 | FileCheck %s --check-prefix=WAVES --implicit-check-not=note:
// RUN: not mxc-opt %s -mx-select-config="chip=gfx9999" 2>&1 | FileCheck %s --check-prefix=CHIP --implicit-check-not=note:
// RUN: not mxc-opt %s -mx-select-config="config=tile=128x128x4294967296" 2>&1 | FileCheck %s --check-prefix=NUMBER
// RUN: not mxc-opt %s -mx-select-config="config=waves=1x1,waves=2x2" 2>&1 | FileCheck %s --check-prefix=TWICE
// RUN: not mxc-opt %s -mx-select-config="config={<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64>}" 2>&1 | FileCheck %s --check-prefix=ATTRPARSE
// RUN: not mxc-opt %s -mx-select-config="config={<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1> x}" 2>&1 | FileCheck %s --check-prefix=TRAILING
// RUN: not mxc-opt %s -mx-select-config="tune-m=0" 2>&1 | FileCheck %s --check-prefix=TUNEM
// RUN: not mxc-opt %s -mx-select-config="tune-m=2147483648" 2>&1 | FileCheck %s --check-prefix=TUNEM-BIG

// BADTEXT: bad config 'tile=128': 'tile' wants 3 sizes joined by 'x', got '128'
// TOOBIG: bad config 'mfma=32x32x64,tile=256x256x256,waves=1x1,prefetch=1': the wave tile needs 1024 accumulator registers; at most 256 exist
// NOMFMA: config mfma=32x32x64,tile=256x64x128,waves=2x2,prefetch=0 cannot run on gfx942: v_mfma_scale_f32_32x32x64_f8f6f4 does not exist on gfx942
// CHIP: error: mx-select-config: unknown chip 'gfx9999'; known: gfx950,
// WAVES: error: mx-select-config: bad config 'mfma=32x32x64,tile=128x128x128,waves=2147483648x1': waves 2147483648x1 is 2147483648 waves; expected 1 to 16
// NUMBER: bad config 'tile=128x128x4294967296': 'tile': '4294967296' is not a whole number from 0 to 4294967295
// TWICE: bad config 'waves=1x1,waves=2x2': 'waves' is given twice
// ATTRPARSE: bad config '<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64>': expected ',' (expected #mx.gemm_config<instruction = I, tile_m = M, tile_n = N, tile_k = K, waves_m = W, waves_n = W, prefetch = P>)
// TRAILING: bad config '<{{.*}}> x': unexpected 'x' after the config
// TUNEM: tune-m is 0; expected an M from 1 to 2147483647
// TUNEM-BIG: tune-m is 2147483648; expected an M from 1 to 2147483647

func.func @dynamic_n(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                     %b: memref<?x64xf8E4M3FN>, %sb: memref<?x2xf8E8M0FNU>,
                     %c: memref<?x?xbf16>) {
  // expected-error @+1 {{needs static N and K to build a kernel (M may be dynamic); got N = ?, K = 64}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>]
        * memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>] -> memref<?x?xbf16>
  return
}

// -----

func.func @c_tile_rows(%a: memref<?x32xf8E4M3FN>, %sa: memref<?x1xf8E8M0FNU>,
                       %b: memref<2097152x32xf4E2M1FN>, %sb: memref<2097152x1xf8E8M0FNU>,
                       %c: memref<?x2097152xf32>) {
  // 256 rows of 8 MiB: C's 32-bit offsets of the rows a workgroup runs past
  // M could wrap back into C.
  // expected-error @+1 {{config mfma=32x32x64,tile=256x64x128,waves=2x2,prefetch=0 cannot run on gfx950: tile_m 256 rows of C are 2147483648 bytes; the kernel's 32-bit offsets need at most 2147483647 (a smaller tile_m)}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 256, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 0>}
      : memref<?x32xf8E4M3FN>[memref<?x1xf8E8M0FNU>]
        * memref<2097152x32xf4E2M1FN>[memref<2097152x1xf8E8M0FNU>] -> memref<?x2097152xf32>
  return
}

// -----

// The same matmul without a config: the cost model only considers configs
// whose tile_m rows of C stay under 2 GiB.
func.func @c_tile_rows_select(%a: memref<?x32xf8E4M3FN>, %sa: memref<?x1xf8E8M0FNU>,
                              %b: memref<2097152x32xf4E2M1FN>, %sb: memref<2097152x1xf8E8M0FNU>,
                              %c: memref<?x2097152xf32>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x32xf8E4M3FN>[memref<?x1xf8E8M0FNU>]
        * memref<2097152x32xf4E2M1FN>[memref<2097152x1xf8E8M0FNU>] -> memref<?x2097152xf32>
  return
}

// -----

// C rows of 256 MiB: not even 16 of them fit 32-bit offsets.
func.func @no_config_fits(%a: memref<?x32xf8E4M3FN>, %sa: memref<?x1xf8E8M0FNU>,
                          %b: memref<67108864x32xf4E2M1FN>, %sb: memref<67108864x1xf8E8M0FNU>,
                          %c: memref<?x67108864xf32>) {
  // expected-error @+1 {{has no kernel configuration on gfx950; even mfma=16x16x128,tile=16x16x128,waves=1x1,prefetch=0 cannot run: tile_m 16 rows of C are 4294967296 bytes}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x32xf8E4M3FN>[memref<?x1xf8E8M0FNU>]
        * memref<67108864x32xf4E2M1FN>[memref<67108864x1xf8E8M0FNU>] -> memref<?x67108864xf32>
  return
}

// -----

// Buffers over 2 GiB - 1 (31 bits of buffer-resource bytes) are refused at
// the op, before any stride or size wraps in the kernel's 32-bit arithmetic.
func.func @b_too_big(%a: memref<?x65536xf8E4M3FN>, %sa: memref<?x2048xf8E8M0FNU>,
                     %b: memref<65536x65536xf8E4M3FN>, %sb: memref<65536x2048xf8E8M0FNU>,
                     %c: memref<?x65536xbf16>) {
  // expected-error @+1 {{B (memref<65536x65536xf8E4M3FN>) is 4294967296 bytes; a kernel buffer addresses at most 2147483647 bytes (buffer resources count 31 bits)}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x65536xf8E4M3FN>[memref<?x2048xf8E8M0FNU>]
        * memref<65536x65536xf8E4M3FN>[memref<65536x2048xf8E8M0FNU>] -> memref<?x65536xbf16>
  return
}

// -----

// 2^31 - 128 bytes of FP4 B: the largest that fits.
func.func @b_largest(%a: memref<?x65536xf8E4M3FN>, %sa: memref<?x2048xf8E8M0FNU>,
                     %b: memref<65535x65536xf4E2M1FN>, %sb: memref<65535x2048xf8E8M0FNU>,
                     %c: memref<?x65535xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x65536xf8E4M3FN>[memref<?x2048xf8E8M0FNU>]
        * memref<65535x65536xf4E2M1FN>[memref<65535x2048xf8E8M0FNU>] -> memref<?x65535xbf16>
  return
}

// -----

// K = 2^32: with a 32-bit row stride this was a stride of 0.
func.func @a_row_too_big(%a: memref<?x4294967296xf8E4M3FN>, %sa: memref<?x134217728xf8E8M0FNU>,
                         %b: memref<1x4294967296xf4E2M1FN>, %sb: memref<1x134217728xf8E8M0FNU>,
                         %c: memref<?x1xbf16>) {
  // expected-error @+1 {{A (memref<?x4294967296xf8E4M3FN>) is 4294967296 bytes a row; a kernel buffer addresses at most 2147483647 bytes}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x4294967296xf8E4M3FN>[memref<?x134217728xf8E8M0FNU>]
        * memref<1x4294967296xf4E2M1FN>[memref<1x134217728xf8E8M0FNU>] -> memref<?x1xbf16>
  return
}

// -----

func.func @c_too_big(%a: memref<65536x32xf8E4M3FN>, %sa: memref<65536x1xf8E8M0FNU>,
                     %b: memref<65536x32xf8E4M3FN>, %sb: memref<65536x1xf8E8M0FNU>,
                     %c: memref<65536x65536xf32>) {
  // expected-error @+1 {{C (memref<65536x65536xf32>) is 17179869184 bytes; a kernel buffer addresses at most 2147483647 bytes}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<65536x32xf8E4M3FN>[memref<65536x1xf8E8M0FNU>]
        * memref<65536x32xf8E4M3FN>[memref<65536x1xf8E8M0FNU>] -> memref<65536x65536xf32>
  return
}

// -----

// A product of extents past 2^64 bits saturates rather than wrapping to a small
// size.
func.func @b_past_2_64(%a: memref<?x4611686018427387904xf8E4M3FN>, %sa: memref<?x144115188075855872xf8E8M0FNU>,
                       %b: memref<8x4611686018427387904xf8E4M3FN>, %sb: memref<8x144115188075855872xf8E8M0FNU>,
                       %c: memref<?x8xbf16>) {
  // expected-error @+1 {{A (memref<?x4611686018427387904xf8E4M3FN>) is more than 2^61 bytes a row}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x4611686018427387904xf8E4M3FN>[memref<?x144115188075855872xf8E8M0FNU>]
        * memref<8x4611686018427387904xf8E4M3FN>[memref<8x144115188075855872xf8E8M0FNU>] -> memref<?x8xbf16>
  return
}
