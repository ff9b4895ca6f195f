// C[M, 256] = A[M, 512] * B[256, 512]^T: MXFP8 (E4M3) activations times MXFP4
// (E2M1) weights, E8M0 scales per 32 K, f32 out; M is the runtime batch size.
// mxc_add_kernels compiles it when host-app builds (CMakeLists.txt).
func.func @gemm(%a: memref<?x512xf8E4M3FN>, %sa: memref<?x16xf8E8M0FNU>,
                %b: memref<256x512xf4E2M1FN>, %sb: memref<256x16xf8E8M0FNU>,
                %c: memref<?x256xf32>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>]
        * memref<256x512xf4E2M1FN>[memref<256x16xf8E8M0FNU>]
        -> memref<?x256xf32>
  return
}
