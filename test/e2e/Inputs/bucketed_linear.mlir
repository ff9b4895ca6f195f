// A small MXFP8 x MXFP4 linear layer whose dynamic M gets one kernel for
// M <= 256 and one for larger M (test/e2e/plan-variants.test).
func.func @bucketed(%x: memref<?x512xf8E4M3FN>, %xs: memref<?x16xf8E8M0FNU>,
                    %w: memref<128x512xf4E2M1FN>, %ws: memref<128x16xf8E8M0FNU>,
                    %y: memref<?x128xbf16>) {
  mx.scaled_matmul %x[%xs] * %w[%ws] -> %y
      : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>]
        * memref<128x512xf4E2M1FN>[memref<128x16xf8E8M0FNU>]
        -> memref<?x128xbf16>
  return
}
