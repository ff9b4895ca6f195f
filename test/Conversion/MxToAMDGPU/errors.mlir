// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu -verify-diagnostics
// RUN: not mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx942 2>&1 | FileCheck %s --check-prefix=GFX942

// GFX942: has no lowering for gfx942 in this build of mxc (native scaled MFMA needs gfx950)

func.func @no_config(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                     %b: memref<64x64xf8E4M3FN>, %sb: memref<64x2xf8E8M0FNU>,
                     %c: memref<?x64xbf16>) {
  // expected-error @+1 {{has no config; run mx-select-config first}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>]
        * memref<64x64xf8E4M3FN>[memref<64x2xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}

// -----

func.func @strided(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                   %b: memref<64x64xf8E4M3FN>, %sb: memref<64x2xf8E8M0FNU>,
                   %c: memref<?x64xbf16, strided<[128, 1]>>) {
  // expected-error @+1 {{C must be a contiguous row-major memref (identity layout) to be passed to a kernel; got 'memref<?x64xbf16, strided<[128, 1]>>'}}
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 1, prefetch = 1>}
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>]
        * memref<64x64xf8E4M3FN>[memref<64x2xf8E8M0FNU>] -> memref<?x64xbf16, strided<[128, 1]>>
  return
}
