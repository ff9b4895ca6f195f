// The oclc control variables mxc sets when it links the ROCm device
// libraries. Expected values are the device libraries' encoding (their
// oclc_isa_version_<chip>.bc files hold major * 1000 + minor * 100 +
// stepping, the stepping a hex digit: gfx90a is 9010) and clang's defaults
// for HIP: IEEE f32 denormals, no finite-only or unsafe math, correctly
// rounded f32 sqrt, the chip's wave size, the code object version's ABI.
// At -O0 the constants stay in the IR for FileCheck to read.
// REQUIRES: rocm-device-libs

// RUN: mxc %s --target gfx950 --emit=llvm -O0 | FileCheck %s --check-prefixes=ALL,WAVE64,GFX950
// RUN: mxc %s --target gfx942 --emit=llvm -O0 | FileCheck %s --check-prefixes=ALL,WAVE64,GFX942
// RUN: mxc %s --target gfx90a --emit=llvm -O0 | FileCheck %s --check-prefixes=ALL,WAVE64,GFX90A
// RUN: mxc %s --target gfx1100 --emit=llvm -O0 | FileCheck %s --check-prefixes=ALL,WAVE32,GFX1100
// RUN: mxc %s --target gfx1200 --emit=llvm -O0 | FileCheck %s --check-prefixes=ALL,WAVE32,GFX1200
// RUN: mxc %s --target gfx1201 --emit=llvm -O0 | FileCheck %s --check-prefixes=ALL,WAVE32,GFX1201

// GFX950-DAG: @__oclc_ISA_version = internal local_unnamed_addr addrspace(4) constant i32 9500,
// GFX942-DAG: @__oclc_ISA_version = internal local_unnamed_addr addrspace(4) constant i32 9402,
// GFX90A-DAG: @__oclc_ISA_version = internal local_unnamed_addr addrspace(4) constant i32 9010,
// GFX1100-DAG: @__oclc_ISA_version = internal local_unnamed_addr addrspace(4) constant i32 11000,
// GFX1200-DAG: @__oclc_ISA_version = internal local_unnamed_addr addrspace(4) constant i32 12000,
// GFX1201-DAG: @__oclc_ISA_version = internal local_unnamed_addr addrspace(4) constant i32 12001,
// WAVE64-DAG: @__oclc_wavefrontsize64 = internal local_unnamed_addr addrspace(4) constant i8 1,
// WAVE32-DAG: @__oclc_wavefrontsize64 = internal local_unnamed_addr addrspace(4) constant i8 0,
// ALL-DAG: @__oclc_ABI_version = internal local_unnamed_addr addrspace(4) constant i32 600,
// ALL-DAG: @__oclc_daz_opt = internal local_unnamed_addr addrspace(4) constant i8 0,
// ALL-DAG: @__oclc_finite_only_opt = internal local_unnamed_addr addrspace(4) constant i8 0,
// ALL-DAG: @__oclc_unsafe_math_opt = internal local_unnamed_addr addrspace(4) constant i8 0,
// ALL-DAG: @__oclc_correctly_rounded_sqrt32 = internal local_unnamed_addr addrspace(4) constant i8 1,
// ALL-DAG: !{i32 1, !"amdhsa_code_object_version", i32 600}

// The code object is the version __oclc_ABI_version says: v6 (ELF ABI
// version 4).
// RUN: mxc %s --target gfx950 -o %t.hsaco
// RUN: llvm-readelf --file-header %t.hsaco | FileCheck %s --check-prefix=ELF
// ELF: ABI Version: 4

// What mxc defines itself where the package has no oclc_*.bc file equals
// what the package's files define: compile for gfx90a (whose files all
// ship, but for oclc_abi_version_600) with the libraries and with a
// directory holding only ocml.bc and ockl.bc.
// RUN: rm -rf %t.bare && mkdir %t.bare
// RUN: ln -s %device_libs/ocml.bc %device_libs/ockl.bc %t.bare
// RUN: mxc %s --target gfx90a --emit=llvm -O0 | grep '^@__oclc' | sort > %t.shipped
// RUN: mxc %s --target gfx90a --emit=llvm -O0 --device-libs %t.bare | grep '^@__oclc' | sort > %t.generated
// RUN: count 7 < %t.shipped
// RUN: diff %t.shipped %t.generated

module attributes {gpu.container_module} {
  gpu.module @kernels {
    // Library functions called by name; those of the math dialect read the
    // other variables.
    llvm.func @__ocml_sqrt_f32(f32) -> f32
    llvm.func @__ockl_activelane_u32() -> i32
    gpu.func @controls(%x: memref<64xf32, 1>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %x[%c0] : memref<64xf32, 1>
      // ABI version.
      %bdim = gpu.block_dim x
      // ISA version, daz, unsafe math.
      %p = math.powf %v, %v : f32
      // Finite only.
      %a = math.acosh %p : f32
      // Correctly rounded sqrt.
      %s = llvm.call @__ocml_sqrt_f32(%a) : (f32) -> f32
      // Wave size.
      %lane = llvm.call @__ockl_activelane_u32() : () -> i32
      %lf = arith.uitofp %lane : i32 to f32
      %b = arith.index_cast %bdim : index to i32
      %bf = arith.sitofp %b : i32 to f32
      %t = arith.addf %s, %lf : f32
      %u = arith.addf %t, %bf : f32
      memref.store %u, %x[%c0] : memref<64xf32, 1>
      gpu.return
    }
  }
}
