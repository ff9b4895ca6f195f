// A gpu.module written with upstream ops, amdgpu.scaled_mfma among them, taken
// by mxc all the way to an HSACO through the AMDGPU backend and ld.lld.
// RUN: mxc %s --target gfx950 -o %t.hsaco
// RUN: llvm-objdump -d --mcpu=gfx950 %t.hsaco | FileCheck %s --check-prefix=ISA
// RUN: llvm-readelf --notes %t.hsaco | FileCheck %s --check-prefix=NOTES
// RUN: llvm-readelf -S %t.hsaco | FileCheck %s --check-prefix=SECTIONS
// RUN: mxc %s --target gfx950 --no-embed-bitcode -o %t.nobc.hsaco
// RUN: llvm-readelf -S %t.nobc.hsaco | FileCheck %s --check-prefix=NOBC
// RUN: mxc %s --target gfx950 --emit=llvm | FileCheck %s --check-prefix=LLVM
// RUN: mxc %s --target gfx950 --emit=asm -O1 | FileCheck %s --check-prefix=ASM
// RUN: mxc %s --target gfx950 --emit=mlir | FileCheck %s --check-prefix=MLIR

// ISA-LABEL: <scaled_mfma_tile>:
// ISA: v_mfma_scale_f32_32x32x64_f8f6f4
// ASM-LABEL: scaled_mfma_tile:
// ASM: v_mfma_scale_f32_32x32x64_f8f6f4
// NOTES-DAG: amdhsa.target: amdgcn-amd-amdhsa--gfx950
// NOTES-DAG: .name: scaled_mfma_tile
// SECTIONS: .llvmbc
// NOBC-NOT: .llvmbc
// LLVM: target triple = "amdgcn-amd-amdhsa"
// LLVM: define amdgpu_kernel void @scaled_mfma_tile
// LLVM: call <16 x float> @llvm.amdgcn.mfma.scale.f32.32x32x64.f8f6f4.v8i32.v8i32(
// MLIR: rocdl.mfma.scale.f32.32x32x64.f8f6f4
// MLIR-NOT: amdgpu.scaled_mfma

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @scaled_mfma_tile(%a: memref<64x32xf8E4M3FN, 1>, %b: memref<64x32xf8E4M3FN, 1>,
                               %sa: memref<64xf8E8M0FNU, 1>, %sb: memref<64xf8E8M0FNU, 1>,
                               %c: memref<64x16xf32, 1>) kernel attributes {known_block_size = array<i32: 64, 1, 1>} {
      %lane = gpu.thread_id x
      %c0 = arith.constant 0 : index
      %va = vector.load %a[%lane, %c0] : memref<64x32xf8E4M3FN, 1>, vector<32xf8E4M3FN>
      %vb = vector.load %b[%lane, %c0] : memref<64x32xf8E4M3FN, 1>, vector<32xf8E4M3FN>
      %s0 = memref.load %sa[%lane] : memref<64xf8E8M0FNU, 1>
      %s1 = memref.load %sb[%lane] : memref<64xf8E8M0FNU, 1>
      %acc = arith.constant dense<0.0> : vector<16xf32>
      %d = amdgpu.scaled_mfma 32x32x64 (%s0[0] * %va) * (%s1[0] * %vb) + %acc : f8E8M0FNU, vector<32xf8E4M3FN>, f8E8M0FNU, vector<32xf8E4M3FN>, vector<16xf32>
      vector.store %d, %c[%lane, %c0] : memref<64x16xf32, 1>, vector<16xf32>
      gpu.return
    }
  }
}
