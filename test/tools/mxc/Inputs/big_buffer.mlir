func.func @f(%a: memref<?x65536xf8E4M3FN>, %sa: memref<?x2048xf8E8M0FNU>, %b: memref<65536x65536xf8E4M3FN>, %sb: memref<65536x2048xf8E8M0FNU>, %c: memref<?x65536xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c : memref<?x65536xf8E4M3FN>[memref<?x2048xf8E8M0FNU>] * memref<65536x65536xf8E4M3FN>[memref<65536x2048xf8E8M0FNU>] -> memref<?x65536xbf16>
  return
}
