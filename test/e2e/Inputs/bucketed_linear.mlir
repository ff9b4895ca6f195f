// A small MXFP8 x MXFP4 linear layer whose dynamic M gets one kernel for
// M <= 256 and one for larger M (test/e2e/plan-variants.test). The variants
// are given here, so the test does not depend on the config selector's
// choices (mx-select-config keeps them).
func.func @bucketed(%x: memref<?x512xf8E4M3FN>, %xs: memref<?x16xf8E8M0FNU>,
                    %w: memref<128x512xf4E2M1FN>, %ws: memref<128x16xf8E8M0FNU>,
                    %y: memref<?x128xbf16>) {
  mx.scaled_matmul %x[%xs] * %w[%ws] -> %y {mx.variants = [
      #mx.gemm_variant<m = [0, 256] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16,
          tile_n = 64, tile_k = 512, waves_m = 1, waves_n = 1, prefetch = 1>>,
      #mx.gemm_variant<m = [257, 2147483647] : #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4,
          tile_m = 64, tile_n = 128, tile_k = 512, waves_m = 2, waves_n = 2,
          prefetch = 1>>]}
      : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>]
        * memref<128x512xf4E2M1FN>[memref<128x16xf8E8M0FNU>]
        -> memref<?x128xbf16>
  return
}
