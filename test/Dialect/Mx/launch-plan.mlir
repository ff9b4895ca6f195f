// RUN: mxc-opt %s | FileCheck %s
// RUN: mxc-opt %s | mxc-opt | FileCheck %s
// RUN: mxc-opt --mlir-print-op-generic %s | mxc-opt | FileCheck %s

// A plan of two variants, the first a sequence of two launches (a GEMM and a
// reduction taking a constant), the second unconditional.
module attributes {gpu.container_module} {
  // CHECK-LABEL: func @plan
  // CHECK: mx.launch_plan "scaled_matmul" (a = %{{.*}}, c = %{{.*}}) sizes [#mx.runtime_size<M = a[0], c[0]>]
  // CHECK-SAME: variants [#mx.launch_variant<when [M in [0, 16]], launches [#mx.kernel_launch<@k::@gemm, grid [8, ceildiv(M, 16), 4], block [64, 1, 1], lds 1024, args [a, c, M : i32]>, #mx.kernel_launch<@k::@reduce, grid [ceildiv(M, 1), 1, 1], block [256, 1, 1], lds 0, args [c, 4 : i64, M : i64]>]>
  // CHECK-SAME: #mx.launch_variant<when [], launches [#mx.kernel_launch<@k::@gemm, grid [8, ceildiv(M, 256), 1], block [512, 1, 1], lds 0, args [a, c, M : i32], config #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 256, tile_n = 256, tile_k = 128, waves_m = 2, waves_n = 4, prefetch = 0>>]>]
  // CHECK-SAME: : memref<?x64xf8E4M3FN>, memref<?x64xf32>
  func.func @plan(%a: memref<?x64xf8E4M3FN>, %c: memref<?x64xf32>) {
    mx.launch_plan "scaled_matmul" (a = %a, c = %c)
        sizes [#mx.runtime_size<M = a[0], c[0]>]
        variants [
          #mx.launch_variant<when [M in [0, 16]], launches [
            #mx.kernel_launch<@k::@gemm, grid [8, ceildiv(M, 16), 4], block [64, 1, 1], lds 1024, args [a, c, M : i32]>,
            #mx.kernel_launch<@k::@reduce, grid [ceildiv(M, 1), 1, 1], block [256, 1, 1], lds 0, args [c, 4 : i64, M : i64]>]>,
          #mx.launch_variant<when [], launches [
            #mx.kernel_launch<@k::@gemm, grid [8, ceildiv(M, 256), 1], block [512, 1, 1], lds 0, args [a, c, M : i32],
                              config #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 256, tile_n = 256, tile_k = 128, waves_m = 2, waves_n = 4, prefetch = 0>>]>]
        : memref<?x64xf8E4M3FN>, memref<?x64xf32>
    return
  }
  gpu.module @k {
    gpu.func @gemm(%a: !llvm.ptr<1>, %c: !llvm.ptr<1>, %m: i32) kernel { gpu.return }
    gpu.func @reduce(%c: !llvm.ptr<1>, %splits: i64, %m: i64) kernel { gpu.return }
  }
}

// CHECK-LABEL: func @variants
// CHECK: mx.variants = [#mx.gemm_variant<m = [0, 16] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 32, tile_k = 256, waves_m = 1, waves_n = 2, prefetch = 1>>, #mx.gemm_variant<m = [17, 2147483647] : #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4,
func.func @variants(%a: memref<?x256xf8E4M3FN>, %sa: memref<?x8xf8E8M0FNU>,
                    %b: memref<64x256xf8E4M3FN>, %sb: memref<64x8xf8E8M0FNU>,
                    %c: memref<?x64xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {mx.variants = [
        #mx.gemm_variant<m = [0, 16] : #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 32, tile_k = 256, waves_m = 1, waves_n = 2, prefetch = 1>>,
        #mx.gemm_variant<m = [17, 2147483647] : #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>>]}
      : memref<?x256xf8E4M3FN>[memref<?x8xf8E8M0FNU>]
        * memref<64x256xf8E4M3FN>[memref<64x8xf8E8M0FNU>] -> memref<?x64xbf16>
  return
}
