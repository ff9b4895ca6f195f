// A scaled matmul writing a buffer the function allocates: the launch plan
// passes the program's parameters only (test/tools/mxc/errors.test).
func.func @f(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>,
             %b: memref<64x128xf8E4M3FN>, %sb: memref<64x4xf8E8M0FNU>) {
  %c0 = arith.constant 0 : index
  %m = memref.dim %a, %c0 : memref<?x128xf8E4M3FN>
  %c = memref.alloc(%m) : memref<?x64xbf16>
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<64x128xf8E4M3FN>[memref<64x4xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}
