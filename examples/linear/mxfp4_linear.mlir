// An MXFP4-weight linear layer (the common MoE expert case): E4M3
// activations x E2M1 weights (two per byte, even K in the low nibble),
// y[M, 1000] in bf16. N = 1000 is not a multiple of any tile: the last
// column tile is masked.
func.func @mxfp4_linear(%x: memref<?x1024xf8E4M3FN>, %xs: memref<?x32xf8E8M0FNU>,
                        %w: memref<1000x1024xf4E2M1FN>, %ws: memref<1000x32xf8E8M0FNU>,
                        %y: memref<?x1000xbf16>) {
  mx.scaled_matmul %x[%xs] * %w[%ws] -> %y
      : memref<?x1024xf8E4M3FN>[memref<?x32xf8E8M0FNU>]
        * memref<1000x1024xf4E2M1FN>[memref<1000x32xf8E8M0FNU>] -> memref<?x1000xbf16>
  return
}
