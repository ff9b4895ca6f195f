func.func @gemm(%a: memref<?x64xf8E4M3FN>, %sa: memref<?x2xf8E8M0FNU>,
                %b: memref<64x64xf8E4M3FN>, %sb: memref<64x2xf8E8M0FNU>,
                %c: memref<?x64xf32>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x64xf8E4M3FN>[memref<?x2xf8E8M0FNU>]
        * memref<64x64xf8E4M3FN>[memref<64x2xf8E8M0FNU>] -> memref<?x64xf32>
  return
}
