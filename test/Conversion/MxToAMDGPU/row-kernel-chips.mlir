// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx1201 | FileCheck %s --check-prefixes=CHECK,W32
// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx942 | FileCheck %s --check-prefixes=CHECK,FNUZ
// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx950 | FileCheck %s --check-prefixes=CHECK,OCP

// The row kernels on chips other than gfx950 (docs/quantize.md, Chips):
// - gfx1201 runs wave32: a workgroup of four waves is 128 lanes, a row's
//   runs spread over 32 lanes (K = 4096: 256 runs, eight segments); its
//   buffer resources carry the GFX10+ word 3 (OOB_SELECT 3, bit 24:
//   0x31027000 = 822243328) and FP8 is encoded in software;
// - gfx942's hardware FP8 is FNUZ, so there is no FP8 conversion at all;
//   its resources carry the CDNA word 3 (0x27000 = 159744);
// - gfx950 converts in hardware (OCP).
// CHECK-LABEL: func.func @e4m3
// CHECK-NEXT: mx.launch_plan
// W32-SAME: grid [8, ceildiv(M, 4), 1], block [128, 1, 1]
// FNUZ-SAME: grid [4, ceildiv(M, 4), 1], block [256, 1, 1]
// OCP-SAME: grid [4, ceildiv(M, 4), 1], block [256, 1, 1]
// CHECK: gpu.func @e4m3_quantize
// W32-COUNT-3: rocdl.make.buffer.rsrc %{{.*}}, %{{.*}}, %{{.*}}, %c822243328_i32{{.*}} : <1> to <8>
// FNUZ-COUNT-3: rocdl.make.buffer.rsrc %{{.*}}, %{{.*}}, %{{.*}}, %c159744_i32{{.*}} : <1> to <8>
// OCP-COUNT-3: rocdl.make.buffer.rsrc %{{.*}}, %{{.*}}, %{{.*}}, %c159744_i32{{.*}} : <1> to <8>
// CHECK: rocdl.update.dpp {{.*}} with 177, 15, 15, true : i32
// W32-NOT: rocdl.cvt
// FNUZ-NOT: rocdl.cvt
// OCP-COUNT-8: rocdl.cvt.pk.fp8.f32
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : vector<4xi32>
// CHECK: rocdl.raw.ptr.buffer.store {{.*}} : i8
// CHECK-NEXT: gpu.return
func.func @e4m3(%x: memref<?x4096xbf16>, %q: memref<?x4096xf8E4M3FN>, %s: memref<?x128xf8E8M0FNU>) {
  mx.quantize %x -> %q, %s : memref<?x4096xbf16> -> memref<?x4096xf8E4M3FN>, memref<?x128xf8E8M0FNU>
  return
}

// -----

// E5M2 decode: in software (the exponent-31 specials selected) except on
// gfx950.
// CHECK-LABEL: func.func @e5m2
// CHECK-NEXT: mx.launch_plan
// W32-SAME: grid [1, ceildiv(M, 32), 1], block [128, 1, 1]
// FNUZ-SAME: grid [1, ceildiv(M, 64), 1], block [256, 1, 1]
// CHECK: gpu.func @e5m2_dequantize
// W32-NOT: rocdl.cvt
// W32: arith.constant 2143289344 : i32
// FNUZ-NOT: rocdl.cvt
// FNUZ: arith.constant 2143289344 : i32
// OCP: rocdl.cvt.pk.f32.bf8
// CHECK: gpu.return
func.func @e5m2(%q: memref<?x64xf8E5M2>, %s: memref<?x2xf8E8M0FNU>, %y: memref<?x64xbf16>) {
  mx.dequantize %q, %s -> %y : memref<?x64xf8E5M2>, memref<?x2xf8E8M0FNU> -> memref<?x64xbf16>
  return
}

// -----

// RMSNorm with H = 2048 (128 runs): four waves a row on gfx1201, whose sum
// is reduced by DPP within rows of 16 lanes (quad_perm 177 and 78,
// row_half_mirror 321, row_mirror 320: DPP16 controls GFX10+ has; no
// row_bcast), the wave's two rows by readlane 0 and 16, and the waves
// through LDS; on gfx942 two waves of 64, readlane 0, 16, 32 and 48.
// CHECK-LABEL: func.func @norm
// CHECK-NEXT: mx.launch_plan
// W32-SAME: block [128, 1, 1]
// FNUZ-SAME: block [128, 1, 1]
// CHECK: llvm.mlir.global internal @norm_rmsnorm_lds
// CHECK: gpu.func @norm_rmsnorm
// CHECK: rocdl.update.dpp {{.*}} with 177, 15, 15, true : f32
// CHECK-NEXT: arith.addf
// CHECK-NEXT: rocdl.update.dpp {{.*}} with 78, 15, 15, true : f32
// CHECK-NEXT: arith.addf
// CHECK-NEXT: rocdl.update.dpp {{.*}} with 321, 15, 15, true : f32
// CHECK-NEXT: arith.addf
// CHECK-NEXT: rocdl.update.dpp {{.*}} with 320, 15, 15, true : f32
// CHECK-NEXT: arith.addf
// CHECK-NEXT: arith.constant 0 : i32
// CHECK-NEXT: rocdl.readlane
// CHECK-NEXT: arith.constant 16 : i32
// CHECK-NEXT: rocdl.readlane
// W32-NEXT: arith.addf
// A wave32 chip has no loads into LDS: gpu.barrier's fences cost nothing
// there; the GFX9 chips' barrier waits for LDS accesses alone.
// W32-NOT: rocdl.readlane
// FNUZ-NEXT: arith.addf
// FNUZ-NEXT: arith.constant 32 : i32
// FNUZ-NEXT: rocdl.readlane
// FNUZ-NEXT: arith.addf
// FNUZ-NEXT: arith.constant 48 : i32
// FNUZ-NEXT: rocdl.readlane
// W32: gpu.barrier
// FNUZ: rocdl.s.barrier
// OCP: rocdl.s.barrier
// W32: gpu.barrier
// FNUZ: rocdl.s.barrier
// OCP: rocdl.s.barrier
func.func @norm(%x: memref<?x2048xbf16>, %w: memref<2048xbf16>, %y: memref<?x2048xf8E4M3FN>, %s: memref<?x64xf8E8M0FNU>) {
  mx.rmsnorm %x, %w -> %y scales %s {eps = 1.0e-06 : f32} : memref<?x2048xbf16>, memref<2048xbf16> -> memref<?x2048xf8E4M3FN>, memref<?x64xf8E8M0FNU>
  return
}
