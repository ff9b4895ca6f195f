// RUN: mxc-opt %s -mx-select-config -split-input-file -verify-diagnostics
// RUN: not mxc-opt %s -mx-select-config="config=tile=128" 2>&1 | FileCheck %s --check-prefix=BADTEXT
// RUN: not mxc-opt %s -split-input-file -mx-select-config="config=mfma=32x32x64,tile=256x256x256,waves=1x1,prefetch=1" 2>&1 | FileCheck %s --check-prefix=TOOBIG
// RUN: not mxc-opt %s -split-input-file -mx-select-config="chip=gfx942" 2>&1 | FileCheck %s --check-prefix=NOMFMA

// BADTEXT: bad config 'tile=128': 'tile' wants 3 sizes joined by 'x', got '128'
// TOOBIG: config mfma=32x32x64,tile=256x256x256,waves=1x1,prefetch=1 cannot run on gfx950: the wave tile needs 1024 accumulator registers; at most 256 exist
// NOMFMA: config mfma=32x32x64,tile=64x64x64,waves=2x1,prefetch=1 cannot run on gfx942: mfma_m = 32 names no scaled MFMA on gfx942

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

func.func @bad_config(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                      %b: memref<64x64xf8E4M3FN>, %sb: memref<64x2xf8E8M0FNU>,
                      %c: memref<?x64xbf16>) {
  // expected-error @+1 {{tile_k 64 is not a multiple of 128 (four scale blocks, one scale dword)}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<mfma_m = 32, tile_m = 64, tile_n = 64, tile_k = 64, waves_m = 2, waves_n = 1, prefetch = 1>}
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>]
        * memref<64x64xf8E4M3FN>[memref<64x2xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}
