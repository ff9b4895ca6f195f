// A module that asks for code object v5 gets the device libraries' ABI 500
// paths (linked from oclc_abi_version_500.bc) and a v5 code object (ELF ABI
// version 3).
// REQUIRES: rocm-device-libs
// RUN: mxc %s --target gfx950 --emit=llvm -O0 | FileCheck %s --check-prefix=LLVM
// RUN: mxc %s --target gfx950 -o %t.hsaco
// RUN: llvm-readelf --file-header %t.hsaco | FileCheck %s --check-prefix=ELF
// LLVM: @__oclc_ABI_version = internal local_unnamed_addr addrspace(4) constant i32 500,
// LLVM: !{i32 1, !"amdhsa_code_object_version", i32 500}
// ELF: ABI Version: 3

module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.module_flags [#llvm.mlir.module_flag<error, "amdhsa_code_object_version", 500 : i32>]
    gpu.func @block_size(%y: memref<64xi32, 1>) kernel {
      %c0 = arith.constant 0 : index
      %bdim = gpu.block_dim x
      %b = arith.index_cast %bdim : index to i32
      memref.store %b, %y[%c0] : memref<64xi32, 1>
      gpu.return
    }
  }
}
