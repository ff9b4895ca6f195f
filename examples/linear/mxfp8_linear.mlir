// An MXFP8 linear layer: y[M, 1024] = x[M, 2048] * W[1024, 2048]^T + bias,
// E4M3 activations and weights with E8M0 scales per 32 K, bf16 out; M is
// the runtime batch size.
func.func @mxfp8_linear(%x: memref<?x2048xf8E4M3FN>, %xs: memref<?x64xf8E8M0FNU>,
                        %w: memref<1024x2048xf8E4M3FN>, %ws: memref<1024x64xf8E8M0FNU>,
                        %bias: memref<1024xf32>, %y: memref<?x1024xbf16>) {
  mx.scaled_matmul %x[%xs] * %w[%ws] + %bias -> %y
      : memref<?x2048xf8E4M3FN>[memref<?x64xf8E8M0FNU>]
        * memref<1024x2048xf8E4M3FN>[memref<1024x64xf8E8M0FNU>] + memref<1024xf32>
        -> memref<?x1024xbf16>
  return
}
