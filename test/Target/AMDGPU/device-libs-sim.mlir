// ocml's rsqrt, atan and atan2, linked and inlined, run in the simulator for
// a wave64 and a wave32 chip; Inputs/device_lib_math.py checks them against
// Python's math module.
// REQUIRES: rocm-device-libs
// RUN: %python %S/Inputs/device_lib_math.py write %t.x.bin
// RUN: mxc %s --target gfx950 --bare-ptr-memrefs -o %t.gfx950.hsaco
// RUN: mxc-run --device sim:gfx950 %t.gfx950.hsaco --kernel ocml_math --block 64 --arg in:%t.x.bin --arg out:%t.gfx950.bin:768
// RUN: %python %S/Inputs/device_lib_math.py check %t.x.bin %t.gfx950.bin | FileCheck %s
// RUN: mxc %s --target gfx1100 --bare-ptr-memrefs -o %t.gfx1100.hsaco
// RUN: mxc-run --device sim:gfx1100 %t.gfx1100.hsaco --kernel ocml_math --block 64 --arg in:%t.x.bin --arg out:%t.gfx1100.bin:768
// RUN: %python %S/Inputs/device_lib_math.py check %t.x.bin %t.gfx1100.bin | FileCheck %s
// CHECK: checked 192 values, 0 wrong

module attributes {gpu.container_module} {
  gpu.module @kernels {
    gpu.func @ocml_math(%x: memref<64xf32, 1>, %y: memref<192xf32, 1>) kernel {
      %c63 = arith.constant 63 : index
      %c64 = arith.constant 64 : index
      %c128 = arith.constant 128 : index
      %i = gpu.thread_id x
      %mirror = arith.subi %c63, %i : index
      %v = memref.load %x[%i] : memref<64xf32, 1>
      %w = memref.load %x[%mirror] : memref<64xf32, 1>
      %abs = math.absf %v : f32
      %r = math.rsqrt %abs : f32
      %a = math.atan %v : f32
      %a2 = math.atan2 %v, %w : f32
      %i1 = arith.addi %i, %c64 : index
      %i2 = arith.addi %i, %c128 : index
      memref.store %r, %y[%i] : memref<192xf32, 1>
      memref.store %a, %y[%i1] : memref<192xf32, 1>
      memref.store %a2, %y[%i2] : memref<192xf32, 1>
      gpu.return
    }
  }
}
