// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu | FileCheck %s
// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx942 | FileCheck %s --check-prefix=GFX942

// gfx942 (FNUZ hardware FP8) decodes every format in software.
// GFX942-NOT: rocdl.cvt

// E4M3 -> bf16: a lane's 16 codes in one 16-byte load, the block's scale
// byte, the hardware FP8 decode, one fp32 multiply, one rounding, two
// 16-byte stores.
// CHECK-LABEL: func.func @e4m3
// CHECK-NEXT: mx.launch_plan "dequantize" (values = %{{.*}}, scales = %{{.*}}, output = %{{.*}}) sizes [#mx.runtime_size<M = values[0], scales[0], output[0]>] variants [#mx.launch_variant<when [M in [0, 252]], launches [#mx.kernel_launch<@mx_kernels::@e4m3_dequantize_m252, grid [4, ceildiv(M, 1), 1], block [64, 1, 1], lds 0, args [values, scales, output, M : i32]>]>, #mx.launch_variant<when [M in [253, 2147483647]], launches [#mx.kernel_launch<@mx_kernels::@e4m3_dequantize, grid [4, ceildiv(M, 4), 1], block [256, 1, 1], lds 0, args [values, scales, output, M : i32]>]>]
// CHECK: gpu.func @e4m3_dequantize
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<4xi32>
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : i8
// CHECK-COUNT-8: rocdl.cvt.pk.f32.fp8
// CHECK: arith.truncf {{.*}} : vector<16xf32> to vector<16xbf16>
// CHECK-COUNT-2: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
// CHECK-NEXT: gpu.return
func.func @e4m3(%q: memref<?x4096xf8E4M3FN>, %s: memref<?x128xf8E8M0FNU>, %y: memref<?x4096xbf16>) {
  mx.dequantize %q, %s -> %y : memref<?x4096xf8E4M3FN>, memref<?x128xf8E8M0FNU> -> memref<?x4096xbf16>
  return
}

// -----

// E3M2 -> f32: 12-byte loads; codes straddling two words gathered with
// v_perm_b32; four 16-byte stores.
// CHECK-LABEL: func.func @e3m2
// CHECK: gpu.func @e3m2_dequantize
// CHECK: rocdl.raw.ptr.buffer.load {{.*}} : vector<3xi32>
// CHECK: llvm.call_intrinsic "llvm.amdgcn.perm"
// CHECK-NOT: rocdl.cvt
// CHECK-COUNT-4: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
func.func @e3m2(%q: memref<?x64xf6E3M2FN>, %s: memref<?x2xf8E8M0FNU>, %y: memref<?x64xf32>) {
  mx.dequantize %q, %s -> %y : memref<?x64xf6E3M2FN>, memref<?x2xf8E8M0FNU> -> memref<?x64xf32>
  return
}
