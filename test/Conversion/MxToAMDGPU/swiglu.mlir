// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu | FileCheck %s

// Split bf16 -> E4M3 with limit, I = 4096: a lane owns 16 outputs, reading
// their gates and ups (two 16-byte loads each, I elements apart); the clamps
// propagate NaN; exp and an IEEE division; the fp32 activation goes to the
// block quantizer (DPP pair amax, hardware FP8), one 16-byte store of codes
// and a scale byte per block.
// CHECK-LABEL: func.func @split_e4m3
// CHECK-NEXT: mx.launch_plan "swiglu" (input = %{{.*}}, output = %{{.*}}, scales = %{{.*}}) sizes [#mx.runtime_size<M = input[0], output[0], scales[0]>] variants [#mx.launch_variant<when [M in [0, 252]], launches [#mx.kernel_launch<@mx_kernels::@split_e4m3_swiglu_m252, grid [4, ceildiv(M, 1), 1], block [64, 1, 1], lds 0, args [input, output, scales, M : i32]>]>, #mx.launch_variant<when [M in [253, 2147483647]], launches [#mx.kernel_launch<@mx_kernels::@split_e4m3_swiglu, grid [4, ceildiv(M, 4), 1], block [256, 1, 1], lds 0, args [input, output, scales, M : i32]>]>]
// CHECK: gpu.func @split_e4m3_swiglu(%{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: !llvm.ptr<1>, %{{.*}}: i32)
// CHECK-COUNT-4: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK-NOT: rocdl.raw.ptr.buffer.load
// CHECK: arith.minimumf
// CHECK-NEXT: arith.maximumf
// CHECK-NEXT: arith.minimumf
// CHECK-NEXT: arith.mulf
// CHECK-NEXT: arith.negf
// CHECK-NEXT: llvm.intr.exp
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.divf
// CHECK: rocdl.update.dpp {{.*}} with 177, 15, 15, true : i32
// CHECK-COUNT-8: rocdl.cvt.pk.fp8.f32
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : i8
// CHECK-NEXT: gpu.return
func.func @split_e4m3(%h: memref<?x8192xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x128xf8E8M0FNU>) {
  mx.swiglu %h -> %q scales %s {layout = #mx.swiglu_layout<split>, limit = 7.0 : f32}
      : memref<?x8192xbf16> -> memref<?x4096xf8E4M3FN>, memref<?x128xf8E8M0FNU>
  return
}

// -----

// Interleaved bf16 -> bf16 without limit, I = 32: two lanes a row, 32 rows
// a wave; a lane reads its 32 interleaved inputs (four 16-byte loads), no
// clamp, one rounding to bf16 and two 16-byte stores.
// CHECK-LABEL: func.func @interleaved_bf16
// CHECK-NEXT: mx.launch_plan "swiglu"
// CHECK-SAME: grid [1, ceildiv(M, 128), 1], block [256, 1, 1]
// CHECK: gpu.func @interleaved_bf16_swiglu
// CHECK-COUNT-4: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK-NOT: arith.minimumf
// CHECK: llvm.intr.exp
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK-COUNT-2: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
// CHECK-NEXT: gpu.return
func.func @interleaved_bf16(%h: memref<?x64xbf16>, %y: memref<?x32xbf16>) {
  mx.swiglu %h -> %y : memref<?x64xbf16> -> memref<?x32xbf16>
  return
}

// -----

// Static M: no runtime size, M a constant argument.
// CHECK-LABEL: func.func @static_m
// CHECK-NEXT: mx.launch_plan "swiglu" (input = %{{.*}}, output = %{{.*}}) sizes [] variants [#mx.launch_variant<when [], launches [#mx.kernel_launch<@mx_kernels::@static_m_swiglu, grid [1, 1, 1], block [64, 1, 1], lds 0, args [input, output, 3 : i32]>]>]
func.func @static_m(%h: memref<3x256xf32>, %y: memref<3x128xf16>) {
  mx.swiglu %h -> %y {layout = #mx.swiglu_layout<split>} : memref<3x256xf32> -> memref<3x128xf16>
  return
}
