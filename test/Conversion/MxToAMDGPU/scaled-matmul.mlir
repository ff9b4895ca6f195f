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
// CHECK-SAME: variants [#mx.launch_variant<when [M in [0, 4194303]], launches [#mx.kernel_launch<@mx_kernels::@linear_scaled_matmul, grid [4, ceildiv(M, 64), 1], block [256, 1, 1], lds 0, args [a, a_scales, b, b_scales, bias, c, M : i32], config #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>>]>]
// CHECK-NEXT: return
// CHECK-NOT: mx.scaled_matmul
// CHECK: gpu.module @mx_kernels
// LDS: two stages of 64 A rows of 128 bytes and 64 B rows of 64 (loaded
// straight into LDS: unpadded, swizzled), then two 4-word scale windows of
// 128 rows, words 136 dwords apart: 2 * (8192 + 4096) + 2 * 4 * 136 * 4.
// CHECK: llvm.mlir.global internal @linear_scaled_matmul_lds() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<28928 x i8>
// CHECK: gpu.func @linear_scaled_matmul(%{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: !llvm.ptr<1>, %{{.+}}: i32) kernel
// CHECK-SAME: known_block_size = array<i32: 256, 1, 1>
// CHECK: llvm.mlir.addressof @linear_scaled_matmul_lds : !llvm.ptr<3>
// CHECK: rocdl.readfirstlane
// CHECK-COUNT-6: rocdl.make.buffer.rsrc
// Step 0 goes to LDS before the loop: its scale window through registers
// (issued first), then each lane fetches the global chunk the swizzle (slot
// XOR key of the row) stores at its place, 16 bytes straight into LDS. The
// wave waits for its loads into LDS (s_waitcnt vmcnt(0): 0xF70) before the
// barrier, which does not wait for them: it waits for LDS accesses alone
// (lgkmcnt(0): 0xC07F), between single-thread fences that keep the
// compiler's memory accesses on their side.
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK: arith.xori
// CHECK: rocdl.raw.ptr.buffer.load.lds {{.*}}, %c16_i32
// CHECK: llvm.store {{.*}}alignment = 4 : i64{{.*}} : i32, !llvm.ptr<3>
// CHECK: rocdl.s.waitcnt 3952
// CHECK-NEXT: llvm.fence syncscope("singlethread") release
// CHECK-NEXT: rocdl.s.waitcnt 49279
// CHECK-NEXT: rocdl.s.barrier
// CHECK-NEXT: llvm.fence syncscope("singlethread") acquire
// The loop takes two steps an iteration (buffers 0 and 1). Each loads step
// k + 1 into the other buffer (its scale window only when one starts)...
// CHECK: scf.for {{.*}} step %c2_i32{{.*}} iter_args
// CHECK: scf.if {{.*}} -> (vector<4xi32>, vector<4xi32>)
// CHECK: rocdl.raw.ptr.buffer.load.lds
// ... computes step k from LDS: scale words, 16-byte fragment reads, B
// (FP4) as the MFMA's first operand...
// CHECK: llvm.load {{.*}}alignment = 4 : i64{{.*}} : !llvm.ptr<3> -> i32
// CHECK: arith.shrui
// CHECK: llvm.load {{.*}}alignment = 16 : i64{{.*}} : !llvm.ptr<3> -> vector<4xi32>
// CHECK: vector.bitcast {{.*}} : vector<8xi32> to vector<32xf8E4M3FN>
// CHECK: vector.bitcast {{.*}} : vector<4xi32> to vector<32xf4E2M1FN>
// CHECK: amdgpu.scaled_mfma 32x32x64 ({{.*}}[0] * {{.*}}) * ({{.*}}[0] * {{.*}}) + {{.*}} : vector<4xf8E8M0FNU>, vector<32xf4E2M1FN>, vector<4xf8E8M0FNU>, vector<32xf8E4M3FN>, vector<16xf32>
// CHECK: rocdl.sched.barrier 0
// CHECK: amdgpu.scaled_mfma 32x32x64 ({{.*}}[2] * {{.*}}) * ({{.*}}[2] * {{.*}})
// ... writes a starting scale window, and meets the barrier.
// CHECK: scf.if
// CHECK: llvm.store {{.*}}alignment = 4 : i64{{.*}} : i32, !llvm.ptr<3>
// CHECK: rocdl.s.barrier
// CHECK: rocdl.raw.ptr.buffer.load.lds
// CHECK-COUNT-2: amdgpu.scaled_mfma
// CHECK: rocdl.s.barrier
// CHECK: scf.yield
// K / tile_k = 4 steps: the loop's two, one more step, and the last one
// without loads.
// CHECK: rocdl.raw.ptr.buffer.load.lds
// CHECK-COUNT-2: amdgpu.scaled_mfma
// CHECK: rocdl.s.barrier
// CHECK-NOT: rocdl.raw.ptr.buffer.load.lds
// CHECK-COUNT-2: amdgpu.scaled_mfma
// Epilogue: four consecutive columns a lane, bias added in f32, one 8-byte
// bf16 store, masked on N.
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK: vector.shuffle {{.*}} [0, 1, 2, 3] : vector<16xf32>, vector<16xf32>
// CHECK: arith.addf {{.*}} : vector<4xf32>
// CHECK: arith.truncf {{.*}} : vector<4xf32> to vector<4xbf16>
// CHECK: arith.select
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<2xi32>
func.func @linear(%a: memref<?x512xf8E4M3FN>, %sa: memref<?x16xf8E8M0FNU>,
                  %b: memref<200x512xf4E2M1FN>, %sb: memref<200x16xf8E8M0FNU>,
                  %bias: memref<200xf32>, %c: memref<?x200xbf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] + %bias -> %c
      {config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 64, tile_n = 64, tile_k = 128, waves_m = 2, waves_n = 2, prefetch = 1>}
      : memref<?x512xf8E4M3FN>[memref<?x16xf8E8M0FNU>]
        * memref<200x512xf4E2M1FN>[memref<200x16xf8E8M0FNU>] + memref<200xf32>
        -> memref<?x200xbf16>
  return
}

// -----

// K = 96 (K % 128 != 0): one partial step whose chunks past K read zero;
// FP6 rows of 72 bytes move 8 bytes at a time and are read as 8-byte
// pieces; scales byte by byte; 16x16x128; N = 48 is a multiple of 4, so f32
// results go out 16 bytes at a time.
// CHECK-LABEL: func.func @tail
// CHECK: gpu.func @tail_scaled_matmul
// CHECK: scf.for
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : i8
// CHECK: arith.cmpi ult
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<2xi32>
// CHECK: llvm.store {{.*}}alignment = 8 : i64{{.*}} : vector<2xi32>, !llvm.ptr<3>
// CHECK: llvm.store {{.*}}alignment = 1 : i64{{.*}} : i8, !llvm.ptr<3>
// CHECK: rocdl.s.barrier
// CHECK: llvm.load {{.*}}alignment = 8 : i64{{.*}} : !llvm.ptr<3> -> vector<2xi32>
// CHECK: vector.bitcast {{.*}} : vector<6xi32> to vector<32xf6E2M3FN>
// CHECK: amdgpu.scaled_mfma 16x16x128
// CHECK-SAME: vector<32xf6E3M2FN>, vector<4xf8E8M0FNU>, vector<32xf6E2M3FN>, vector<4xf32>
// CHECK-NOT: amdgpu.scaled_mfma
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xf32>
func.func @tail(%a: memref<?x96xf6E2M3FN>, %sa: memref<?x3xf8E8M0FNU>,
                %b: memref<48x96xf6E3M2FN>, %sb: memref<48x3xf8E8M0FNU>,
                %c: memref<?x48xf32>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {config = #mx.gemm_config<instruction = mfma_scale_f32_16x16x128_f8f6f4, tile_m = 16, tile_n = 64, tile_k = 128, waves_m = 1, waves_n = 4, prefetch = 0>}
      : memref<?x96xf6E2M3FN>[memref<?x3xf8E8M0FNU>]
        * memref<48x96xf6E3M2FN>[memref<48x3xf8E8M0FNU>] -> memref<?x48xf32>
  return
}

// -----

// B as [K, N]: staged a byte at a time into LDS rows of N (transposed).
// CHECK-LABEL: func.func @kn
// CHECK: gpu.func @kn_scaled_matmul
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : i8
// CHECK: llvm.store {{.*}}alignment = 1 : i64{{.*}} : i8, !llvm.ptr<3>
// CHECK: amdgpu.scaled_mfma 32x32x64
func.func @kn(%a: memref<?x128xf8E4M3FN>, %sa: memref<?x4xf8E8M0FNU>,
              %b: memref<128x64xf8E5M2>, %sb: memref<64x4xf8E8M0FNU>,
              %c: memref<?x64xf16>) {
  mx.scaled_matmul %a[%sa] * %b[%sb] -> %c
      {b_layout = #mx.b_layout<kn>,
       config = #mx.gemm_config<instruction = mfma_scale_f32_32x32x64_f8f6f4, tile_m = 32, tile_n = 64, tile_k = 128, waves_m = 1, waves_n = 2, prefetch = 0>}
      : memref<?x128xf8E4M3FN>[memref<?x4xf8E8M0FNU>]
        * memref<128x64xf8E5M2>[memref<64x4xf8E8M0FNU>] -> memref<?x64xf16>
  return
}
