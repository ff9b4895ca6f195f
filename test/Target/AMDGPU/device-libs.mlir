// A kernel of upstream ops whose lowering calls the ROCm device libraries:
// gpu.block_dim and gpu.grid_dim become __ockl_get_local_size and
// __ockl_get_num_groups, math.erf/tan/powf/rsqrt become __ocml_* functions
// (math.exp becomes llvm.exp). mxc links what the kernel needs of ocml.bc and
// ockl.bc and sets the oclc control variables for each chip, so every chip of
// --list-targets gets a code object that leaves no symbol undefined.
// REQUIRES: rocm-device-libs

// Keep the RUN lines below in step with the chips mxc knows.
// RUN: mxc --list-targets | FileCheck %s --check-prefix=TARGETS
// TARGETS: gfx950
// TARGETS-NEXT: gfx942
// TARGETS-NEXT: gfx90a
// TARGETS-NEXT: gfx1100
// TARGETS-NEXT: gfx1200
// TARGETS-NEXT: gfx1201
// TARGETS-NOT: gfx

// RUN: mxc %s --target gfx950 -o %t.gfx950.hsaco
// RUN: llvm-nm --undefined-only %t.gfx950.hsaco | count 0
// RUN: llvm-readelf --notes %t.gfx950.hsaco | FileCheck %s --check-prefixes=NOTES,WAVE64
// RUN: mxc %s --target gfx942 -o %t.gfx942.hsaco
// RUN: llvm-nm --undefined-only %t.gfx942.hsaco | count 0
// RUN: llvm-readelf --notes %t.gfx942.hsaco | FileCheck %s --check-prefixes=NOTES,WAVE64
// RUN: mxc %s --target gfx90a -o %t.gfx90a.hsaco
// RUN: llvm-nm --undefined-only %t.gfx90a.hsaco | count 0
// RUN: llvm-readelf --notes %t.gfx90a.hsaco | FileCheck %s --check-prefixes=NOTES,WAVE64
// RUN: mxc %s --target gfx1100 -o %t.gfx1100.hsaco
// RUN: llvm-nm --undefined-only %t.gfx1100.hsaco | count 0
// RUN: llvm-readelf --notes %t.gfx1100.hsaco | FileCheck %s --check-prefixes=NOTES,WAVE32
// RUN: mxc %s --target gfx1200 -o %t.gfx1200.hsaco
// RUN: llvm-nm --undefined-only %t.gfx1200.hsaco | count 0
// RUN: llvm-readelf --notes %t.gfx1200.hsaco | FileCheck %s --check-prefixes=NOTES,WAVE32
// RUN: mxc %s --target gfx1201 -o %t.gfx1201.hsaco
// RUN: llvm-nm --undefined-only %t.gfx1201.hsaco | count 0
// RUN: llvm-readelf --notes %t.gfx1201.hsaco | FileCheck %s --check-prefixes=NOTES,WAVE32
// Unoptimized, the library functions stay calls that the code object defines.
// RUN: mxc %s --target gfx1100 -O0 -o %t.O0.hsaco
// RUN: llvm-nm --undefined-only %t.O0.hsaco | count 0
// RUN: llvm-nm %t.O0.hsaco | FileCheck %s --check-prefix=O0-SYMBOLS

// NOTES: .name: device_lib_calls
// WAVE64: .wavefront_size: 64
// WAVE32: .wavefront_size: 32
// O0-SYMBOLS-DAG: t __ocml_erf_f32
// O0-SYMBOLS-DAG: t __ockl_get_local_size

// The wave32 chips' kernels are compiled for wave32.
// RUN: mxc %s --target gfx1100 --emit=asm | FileCheck %s --check-prefix=ASM32
// RUN: mxc %s --target gfx1201 --emit=asm | FileCheck %s --check-prefix=ASM32
// ASM32: .amdhsa_wavefront_size32 1

// After the -O pipeline the library code is inlined: no call is left.
// RUN: mxc %s --target gfx950 --emit=llvm | FileCheck %s --check-prefix=LLVM
// LLVM: define amdgpu_kernel void @device_lib_calls
// LLVM-NOT: call {{.*}}@__oc
// LLVM-NOT: declare {{.*}}@__oc
// LLVM: !{i32 1, !"amdhsa_code_object_version", i32 600}

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @device_lib_calls(%x: memref<?xf32, 1>, %y: memref<?xf32, 1>) kernel {
      %tid = gpu.thread_id x
      %bid = gpu.block_id x
      %bdim = gpu.block_dim x
      %gdim = gpu.grid_dim x
      %base = arith.muli %bid, %bdim : index
      %i = arith.addi %base, %tid : index
      %v = memref.load %x[%i] : memref<?xf32, 1>
      %e = math.exp %v : f32
      %r = math.erf %e : f32
      %t = math.tan %r : f32
      %p = math.powf %t, %v : f32
      %q = math.rsqrt %p : f32
      %g = arith.index_cast %gdim : index to i32
      %gf = arith.sitofp %g : i32 to f32
      %s = arith.addf %q, %gf : f32
      memref.store %s, %y[%i] : memref<?xf32, 1>
      gpu.return
    }
  }
}
