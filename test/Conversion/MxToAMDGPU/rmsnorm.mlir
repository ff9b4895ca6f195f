// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu | FileCheck %s

// H = 4096 with residual: a row takes the workgroup's 4 waves (a run of 16
// a lane), a workgroup 8 rows; the weight's run is loaded once, then every
// row's input and residual; residual_out is stored from the fp32 sum; the
// sum of squares is reduced by DPP within rows of 16 lanes, readlane across
// them, then across the waves through LDS (a dword a wave and row: 128 bytes).
// CHECK-LABEL: func.func @residual
// CHECK-NEXT: mx.launch_plan "rmsnorm" (input = %{{.*}}, weight = %{{.*}}, residual = %{{.*}}, residual_out = %{{.*}}, output = %{{.*}}) sizes [#mx.runtime_size<M = input[0], residual[0], residual_out[0], output[0]>] variants [#mx.launch_variant<when [M in [0, 2040]], launches [#mx.kernel_launch<@mx_kernels::@residual_rmsnorm_m2040, grid [1, ceildiv(M, 1), 1], block [256, 1, 1], lds 0, args [input, weight, residual, residual_out, output, M : i32]>]>, #mx.launch_variant<when [M in [2041, 2147483647]], launches [#mx.kernel_launch<@mx_kernels::@residual_rmsnorm, grid [1, ceildiv(M, 8), 1], block [256, 1, 1], lds 0, args [input, weight, residual, residual_out, output, M : i32]>]>]
// CHECK: llvm.mlir.global internal @residual_rmsnorm_lds() {addr_space = 3 : i32, alignment = 16 : i64} : !llvm.array<128 x i8>
// CHECK: gpu.func @residual_rmsnorm
// CHECK-COUNT-34: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK-NOT: rocdl.raw.ptr.buffer.load
// CHECK: arith.addf
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
// CHECK: rocdl.update.dpp {{.*}} with 177, 15, 15, true : f32
// CHECK: rocdl.update.dpp {{.*}} with 78, 15, 15, true : f32
// CHECK: rocdl.update.dpp {{.*}} with 321, 15, 15, true : f32
// CHECK: rocdl.update.dpp {{.*}} with 320, 15, 15, true : f32
// CHECK-COUNT-4: rocdl.readlane
// CHECK: llvm.store
// CHECK: rocdl.s.barrier
// CHECK-COUNT-4: llvm.load
// CHECK: rocdl.s.barrier
// CHECK: llvm.intr.sqrt
func.func @residual(%x: memref<?x4096xbf16>, %w: memref<4096xbf16>, %r: memref<?x4096xbf16>,
                    %ro: memref<?x4096xbf16>, %y: memref<?x4096xbf16>) {
  mx.rmsnorm %x, %w residual %r -> %ro -> %y
      : memref<?x4096xbf16>, memref<4096xbf16>, memref<?x4096xbf16> -> memref<?x4096xbf16> -> memref<?x4096xbf16>
  return
}

// -----

// H = 64 fused with an E4M3 quantize: four lanes a row, 64 rows a
// workgroup, the sum reduced by DPP alone (no LDS), then the block
// quantizer.
// CHECK-LABEL: func.func @quantized
// CHECK-NEXT: mx.launch_plan "rmsnorm"
// CHECK-SAME: grid [1, ceildiv(M, 64), 1], block [256, 1, 1], lds 0, args [input, weight, output, scales, M : i32]
// CHECK-NOT: llvm.mlir.global
// CHECK: gpu.func @quantized_rmsnorm
// CHECK-NOT: rocdl.s.barrier
// CHECK: rocdl.update.dpp {{.*}} with 177, 15, 15, true : f32
// CHECK: rocdl.update.dpp {{.*}} with 78, 15, 15, true : f32
// CHECK-NOT: rocdl.readlane
// CHECK: rocdl.cvt.pk.fp8.f32
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : i8
func.func @quantized(%x: memref<?x64xbf16>, %w: memref<64xbf16>, %q: memref<?x64xf8E4M3FN>, %s: memref<?x2xf8E8M0FNU>) {
  mx.rmsnorm %x, %w -> %q scales %s : memref<?x64xbf16>, memref<64xbf16> -> memref<?x64xf8E4M3FN>, memref<?x2xf8E8M0FNU>
  return
}
