// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu | FileCheck %s

// bf16 -> E4M3, dynamic M: a lane owns 16 elements (two 16-byte loads), a
// wave 64 runs of one row, a workgroup four rows; the pair's amax meets
// through one DPP swap (quad_perm [1,0,3,2] = 177); the hardware FP8
// conversion; one 16-byte store of codes and a byte of scale per block.
// CHECK-LABEL: func.func @e4m3
// CHECK-NEXT: mx.launch_plan "quantize" (input = %{{.*}}, values = %{{.*}}, scales = %{{.*}}) sizes [#mx.runtime_size<M = input[0], values[0], scales[0]>] variants [#mx.launch_variant<when [M in [0, 252]], launches [#mx.kernel_launch<@mx_kernels::@e4m3_quantize_m252, grid [4, ceildiv(M, 1), 1], block [64, 1, 1], lds 0, args [input, values, scales, M : i32]>]>, #mx.launch_variant<when [M in [253, 2147483647]], launches [#mx.kernel_launch<@mx_kernels::@e4m3_quantize, grid [4, ceildiv(M, 4), 1], block [256, 1, 1], lds 0, args [input, values, scales, M : i32]>]>]
// CHECK: gpu.func @e4m3_quantize(%{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: i32) kernel attributes {known_block_size = array<i32: 256, 1, 1>}
// CHECK-COUNT-2: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK-NOT: rocdl.raw.ptr.buffer.load
// CHECK: rocdl.update.dpp {{.*}} with 177, 15, 15, true : i32
// CHECK: arith.divf
// CHECK-COUNT-8: rocdl.cvt.pk.fp8.f32
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
// CHECK-NEXT: arith.constant
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : i8
// CHECK-NEXT: gpu.return
func.func @e4m3(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x128xf8E8M0FNU>) {
  mx.quantize %x -> %q, %s : memref<?x4096xbf16> -> memref<?x4096xf8E4M3FN>, memref<?x128xf8E8M0FNU>
  return
}

// -----

// f32 -> E2M1, floor mode, K = 64: four lanes a row, 16 rows a wave; four
// 16-byte loads a lane; the scale from amax's bits (ctlz for subnormals, no
// division); software codes; the odd lane's 8 bytes join the even lane's
// for one 16-byte store.
// CHECK-LABEL: func.func @e2m1
// CHECK-NEXT: mx.launch_plan "quantize"
// CHECK-SAME: grid [1, ceildiv(M, 64), 1], block [256, 1, 1]
// CHECK: gpu.func @e2m1_quantize
// CHECK-COUNT-4: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK: rocdl.update.dpp {{.*}} with 177
// CHECK: llvm.intr.ctlz
// CHECK-NOT: arith.divf
// CHECK-NOT: rocdl.cvt
// CHECK: rocdl.update.dpp {{.*}} with 177
// CHECK: rocdl.update.dpp {{.*}} with 177
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : i8
func.func @e2m1(%x: memref<?x64xf32>, %q: memref<?x64xf4E2M1FN>, %s: memref<?x2xf8E8M0FNU>) {
  mx.quantize %x -> %q, %s {rounding = #mx.rounding<floor>} : memref<?x64xf32> -> memref<?x64xf4E2M1FN>, memref<?x2xf8E8M0FNU>
  return
}

// -----

// f16 -> E3M2 with a static M: no runtime size, M a constant argument;
// 180 runs a row take three 64-lane segments (grid x); 12-byte stores.
// CHECK-LABEL: func.func @e3m2
// CHECK-NEXT: mx.launch_plan "quantize" (input = %{{.*}}, values = %{{.*}}, scales = %{{.*}}) sizes [] variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@mx_kernels::@e3m2_quantize, grid [3, 3, 1], block [64, 1, 1], lds 0, args [input, values, scales, 3 : i32]>]>]
// CHECK: gpu.func @e3m2_quantize
// CHECK: arith.extf {{.*}} : f16 to f32
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<3xi32>
func.func @e3m2(%x: memref<3x2880xf16>, %q: memref<3x2880xf6E3M2FN>, %s: memref<3x90xf8E8M0FNU>) {
  mx.quantize %x -> %q, %s : memref<3x2880xf16> -> memref<3x2880xf6E3M2FN>, memref<3x90xf8E8M0FNU>
  return
}

// -----

// M = 0: nothing to compute, no kernel and no launch.
// CHECK-LABEL: func.func @empty
// CHECK-NEXT: mx.launch_plan "quantize" {{.*}} variants [#mx.launch_variant<when [], launches []>]
// CHECK-NOT: gpu.func
func.func @empty(%x: memref<0x64xbf16>, %q: memref<0x64xf8E5M2>, %s: memref<0x2xf8E8M0FNU>) {
  mx.quantize %x -> %q, %s : memref<0x64xbf16> -> memref<0x64xf8E5M2>, memref<0x2xf8E8M0FNU>
  return
}
