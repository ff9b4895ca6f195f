func.func @f(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>, %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>, %c: memref<?x64xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 128, tile_n = 128, tile_k = 128, waves_m = 2147483648, waves_n = 1, prefetch = 1>} : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>] * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}
