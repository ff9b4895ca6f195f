// What cannot be linked is one error at the op that needs it, never a raw
// ld.lld error.
// REQUIRES: rocm-device-libs
// RUN: rm -rf %t && split-file %s %t

// A kernel calling the device libraries when they are not where they are
// said to be.
// RUN: not mxc %t/block_dim.mlir --device-libs %t/nonexistent -o %t.hsaco 2>&1 | FileCheck %s --check-prefix=NOLIBS --implicit-check-not=error:
// RUN: mkdir -p %t/empty
// RUN: not mxc %t/block_dim.mlir --device-libs %t/empty -o %t.hsaco 2>&1 | FileCheck %s --check-prefix=EMPTY --implicit-check-not=error:
// NOLIBS: block_dim.mlir:4:15: error: kernel 'block_size' uses undefined symbol '__ockl_get_local_size', a ROCm device-library function, and there are no device libraries (ocml.bc, ockl.bc) in '{{.*}}nonexistent' (install rocm-device-libs or pass --device-libs DIR)
// EMPTY: block_dim.mlir:4:15: error: kernel 'block_size' uses undefined symbol '__ockl_get_local_size', a ROCm device-library function, and there are no device libraries (ocml.bc, ockl.bc) in '{{.*}}empty' (install rocm-device-libs or pass --device-libs DIR)

// Libraries that are not what they should be.
// RUN: mkdir -p %t/garbage
// RUN: echo garbage > %t/garbage/ocml.bc
// RUN: echo garbage > %t/garbage/ockl.bc
// RUN: not mxc %t/block_dim.mlir --device-libs %t/garbage -o %t.hsaco 2>&1 | FileCheck %s --check-prefix=GARBAGE --implicit-check-not=error:
// GARBAGE: block_dim.mlir:2:3: error: cannot read device library '{{.*}}garbage{{/|\\}}ocml.bc': expected top-level entity
// RUN: mkdir -p %t/wrong
// RUN: ln -s %device_libs/ocml.bc %device_libs/ockl.bc %t/wrong
// RUN: cp %device_libs/oclc_isa_version_1030.bc %t/wrong/oclc_isa_version_90a.bc
// RUN: not mxc %t/powf.mlir --target gfx90a --emit=llvm --device-libs %t/wrong 2>&1 | FileCheck %s --check-prefix=WRONG --implicit-check-not=error:
// WRONG: powf.mlir:2:3: error: device library '{{.*}}oclc_isa_version_90a.bc' does not set __oclc_ISA_version to 9010
// A file that defines another variable altogether.
// RUN: cp %device_libs/oclc_daz_opt_on.bc %t/wrong/oclc_isa_version_90a.bc
// RUN: not mxc %t/powf.mlir --target gfx90a --emit=llvm --device-libs %t/wrong 2>&1 | FileCheck %s --check-prefix=WRONG --implicit-check-not=error:

// Symbols that neither the module nor the device libraries define: an
// llvm.func, a func.func (called through the C interface the GPU lowering
// gives it), a global variable and a made-up device-library name.
// RUN: not mxc %t/undefined.mlir -o %t.hsaco 2>&1 | FileCheck %s --check-prefix=UNDEF --implicit-check-not=error: --implicit-check-not=ld.lld
// UNDEF-DAG: undefined.mlir:11:12: error: kernel 'uses_missing' uses undefined symbol 'llvm_helper', which neither the module nor the ROCm device libraries define
// UNDEF-DAG: undefined.mlir:12:12: error: kernel 'uses_missing' uses undefined symbol 'func_helper' (called through its C interface '_mlir_ciface_func_helper'), which neither the module nor the ROCm device libraries define
// UNDEF-DAG: undefined.mlir:13:13: error: kernel 'uses_missing' uses undefined symbol 'table', which neither the module nor the ROCm device libraries define
// UNDEF-DAG: undefined.mlir:15:12: error: kernel 'uses_missing' uses undefined symbol '__ocml_no_such_function_f32', which neither the module nor the ROCm device libraries define

// The same without device libraries: only the device-library name is told
// to need them.
// RUN: not mxc %t/undefined.mlir --device-libs %t/empty -o %t.hsaco 2>&1 | FileCheck %s --check-prefix=UNDEF-NOLIBS --implicit-check-not=error:
// UNDEF-NOLIBS: undefined.mlir:15:12: error: kernel 'uses_missing' uses undefined symbol '__ocml_no_such_function_f32', a ROCm device-library function, and there are no device libraries

// A kernel that calls nothing external compiles without device libraries.
// RUN: mxc %t/plain.mlir --device-libs %t/nonexistent -o %t.plain.hsaco

//--- block_dim.mlir
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @block_size(%y: memref<64xi32, 1>) kernel {
      %bdim = gpu.block_dim x
      %c0 = arith.constant 0 : index
      %b = arith.index_cast %bdim : index to i32
      memref.store %b, %y[%c0] : memref<64xi32, 1>
      gpu.return
    }
  }
}

//--- powf.mlir
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @powf(%x: memref<64xf32, 1>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %x[%c0] : memref<64xf32, 1>
      %p = math.powf %v, %v : f32
      memref.store %p, %x[%c0] : memref<64xf32, 1>
      gpu.return
    }
  }
}

//--- undefined.mlir
module attributes {gpu.container_module} {
  gpu.module @kernels {
    llvm.func @llvm_helper(f32) -> f32
    func.func private @func_helper(f32) -> f32
    llvm.mlir.global external constant @table() {addr_space = 1 : i32} : f32
    llvm.func @__ocml_no_such_function_f32(f32) -> f32
    gpu.func @uses_missing(%x: memref<64xf32, 1>) kernel {
      %c0 = arith.constant 0 : index
      %v = memref.load %x[%c0] : memref<64xf32, 1>
      %e = math.erf %v : f32
      %a = llvm.call @llvm_helper(%e) : (f32) -> f32
      %b = func.call @func_helper(%a) : (f32) -> f32
      %tp = llvm.mlir.addressof @table : !llvm.ptr<1>
      %t = llvm.load %tp : !llvm.ptr<1> -> f32
      %c = llvm.call @__ocml_no_such_function_f32(%b) : (f32) -> f32
      %d = arith.addf %c, %t : f32
      memref.store %d, %x[%c0] : memref<64xf32, 1>
      gpu.return
    }
  }
}

//--- plain.mlir
module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @plain(%y: memref<64xi32, 1>) kernel {
      %c0 = arith.constant 0 : index
      %c1 = arith.constant 1 : i32
      memref.store %c1, %y[%c0] : memref<64xi32, 1>
      gpu.return
    }
  }
}
