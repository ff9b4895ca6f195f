// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu | FileCheck %s

// MXFP8 x MXFP4, dynamic M, bias: a gpu.func over raw pointers and M, and
// the launch plan as data: the buffers by operand name, M as the rows of A,
// its scales and C, one variant for every M the i32 argument holds, grid y
// ceildiv(M, tile_m), grid x ceil(200 / 64) = 4, 2x2 waves of 64 lanes.
// CHECK: module attributes {gpu.container_module}
// CHECK-LABEL: func.func @linear
// CHECK-SAME: (%[[A:.+]]: memref<?x512xf8E4M3FN>, %[[SA:.+]]: memref<?x16xf8E8M0FNU>, %[[B:.+]]: memref<200x512xf4E2M1FN>, %[[SB:.+]]: memref<200x16xf8E8M0FNU>, %[[BIAS:.+]]: memref<200xf32>, %[[C:.+]]: memref<?x200xbf16>)
// CHECK-NEXT: mx.launch_plan "scaled_matmul" (a = %[[A]], a_scales = %[[SA]], b = %[[B]], b_scales = %[[SB]], bias = %[[BIAS]], c = %[[C]])
// CHECK-SAME: sizes [#mx.runtime_size<M = a[0], a_scales[0], c[0]>]
// CHECK-SAME: variants [#mx.launch_variant<when [M in [0, 2147483647]], launches [#mx.kernel_launch<@mx_kernels::@linear_scaled_matmul, grid [4, ceildiv(M, 64), 1], block [256, 1, 1], lds 0, args [a, a_scales, b, b_scales, bias, c, M : i32], config #mx.gemm_config<mfma_m = 32, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>>]>]
// CHECK-NEXT: return
// CHECK-NOT: mx.scaled_matmul
// CHECK: gpu.module @mx_kernels
// CHECK: gpu.func @linear_scaled_matmul(%{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: i32) kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: rocdl.readfirstlane
// CHECK-COUNT-6: rocdl.make.buffer.rsrc
// Prefetch: step 0's operands load before the loop, step k+1's inside it.
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK: scf.for {{.*}} iter_args
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// FP8 A operands join two 16-byte runs; FP4 B operands are one.
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5, 6, 7] : vector<4xi32>, vector<4xi32>
// CHECK: vector.bitcast {{.*}} : vector<8xi32> to vector<32xf8E4M3FN>
// CHECK: vector.bitcast {{.*}} : vector<4xi32> to vector<32xf4E2M1FN>
// Scales: a dword per row block, shifted to the lane's block.
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : i32
// CHECK: arith.shrui
// CHECK: amdgpu.scaled_mfma 32x32x64 ({{.*}}[0] * {{.*}}) * ({{.*}}[0] * {{.*}}) + {{.*}} : vector<4xf8E8M0FNU>, vector<32xf8E4M3FN>, vector<4xf8E8M0FNU>, vector<32xf4E2M1FN>, vector<16xf32>
// CHECK: amdgpu.scaled_mfma 32x32x64 ({{.*}}[2] * {{.*}}) * ({{.*}}[2] * {{.*}})
// CHECK: scf.yield
// Epilogue: bias added in f32, bf16 stores masked on N.
// CHECK: arith.addf
// CHECK: arith.truncf {{.*}} : f32 to bf16
// CHECK: arith.select
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : i16
func.func @linear(%a: memref<?x512xf8E4M3FN>, %sa: memref<?x16xf8E8M0FNU>,
                  %b: memref<200x512xf4E2M1FN>, %sb: memref<200x16xf8E8M0FNU>,
                  %bias: memref<200xf32>, %c: memref<?x200xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] + %bias -> %c
      {config = #mx.gemm_config<mfma_m = 32, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>}
      : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>]
        * memref<200x512xf4E2M1FN>[memref<200x16xf8E8M0FNU>] + memref<200xf32>
        -> memref<?x200xbf16>
  return
}

// -----

// K = 96 (K % 128 != 0): no loop, one masked tail step; scales byte by
// byte; 16x16x128 for FP6 operands of 24 bytes (16 + 8).
// CHECK-LABEL: func.func @tail
// CHECK: gpu.func @tail_scaled_matmul
// CHECK-NOT: scf.for
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<2xi32>
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3, 4, 5] : vector<4xi32>, vector<2xi32>
// CHECK: vector.bitcast {{.*}} : vector<6xi32> to vector<32xf6E2M3FN>
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : i8
// CHECK: amdgpu.scaled_mfma 16x16x128
// CHECK-SAME: vector<32xf6E2M3FN>, vector<4xf8E8M0FNU>, vector<32xf6E3M2FN>, vector<4xf32>
// CHECK-NOT: amdgpu.scaled_mfma
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : f32
func.func @tail(%a: memref<?x96xf6E2M3FN>, %sa: memref<?x3xf8E8M0FNU>,
                %b: memref<48x96xf6E3M2FN>, %sb: memref<48x3xf8E8M0FNU>,
                %c: memref<?x48xf32>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<mfma_m = 16, tile_m = 16, tile_n = 64, tile_k = 128, waves_m = 1, waves_n = 4, prefetch = 0>}
      : memref<?x96xf6E2M3FN>[memref<?x3xf8E8M0FNU>]
        * memref<48x96xf6E3M2FN>[memref<48x3xf8E8M0FNU>] -> memref<?x48xf32>
  return
}

// -----

// B as [K, N]: gathered a byte at a time down its columns.
// CHECK-LABEL: func.func @kn
// CHECK: gpu.func @kn_scaled_matmul
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : i8
// CHECK: arith.shli
// CHECK: arith.ori
// CHECK: vector.insert
// CHECK: amdgpu.scaled_mfma 32x32x64
func.func @kn(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>,
              %b: memref<128x64xf8E5M2>, %sb: memref<64x4xf8E8M0FNU>,
              %c: memref<?x64xf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {b_layout = #mx.b_layout<kn>,
       config = #mx.gemm_config<mfma_m = 32, tile_m = 32, tile_n = 64, tile_k = 128, waves_m = 1, waves_n = 2, prefetch = 0>}
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<128x64xf8E5M2>[memref<64x4xf8E8M0FNU>] -> memref<?x64xf16>
  return
}
