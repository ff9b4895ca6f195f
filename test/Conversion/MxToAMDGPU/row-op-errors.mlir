// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu -verify-diagnostics
// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx942 -verify-diagnostics
// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx1100 -verify-diagnostics

func.func @swiglu_dynamic(%h: memref<?x?xbf16>, %y: memref<?x?xbf16>) {
  // expected-error @+1 {{needs a static 2I (extent 1 of the input) to build its kernel}}
  mx.swiglu %h -> %y : memref<?x?xbf16> -> memref<?x?xbf16>
  return
}

// -----

func.func @swiglu_width(%h: memref<?x40xbf16>, %y: memref<?x20xbf16>) {
  // expected-error @+1 {{has I = 20; its kernel needs a positive multiple of 16 (a lane's run)}}
  mx.swiglu %h -> %y : memref<?x40xbf16> -> memref<?x20xbf16>
  return
}

// -----

func.func @rmsnorm_width(%x: memref<?x40xbf16>, %w: memref<40xbf16>, %y: memref<?x40xbf16>) {
  // expected-error @+1 {{has H = 40; its kernel needs a positive multiple of 16 (a lane's run)}}
  mx.rmsnorm %x, %w -> %y : memref<?x40xbf16>, memref<40xbf16> -> memref<?x40xbf16>
  return
}

// -----

func.func @rmsnorm_long(%x: memref<?x131088xbf16>, %w: memref<131088xbf16>, %y: memref<?x131088xbf16>) {
  // expected-error @+1 {{has H = 131088; its kernel holds a row in registers, 131072 elements at most}}
  mx.rmsnorm %x, %w -> %y : memref<?x131088xbf16>, memref<131088xbf16> -> memref<?x131088xbf16>
  return
}

// -----

func.func @rmsnorm_strided(%x: memref<?x64xbf16, strided<[128, 1]>>, %w: memref<64xbf16>, %y: memref<?x64xbf16>) {
  // expected-error @+1 {{input must be a contiguous row-major memref (identity layout) to be passed to a kernel; got 'memref<?x64xbf16, strided<[128, 1]>>'}}
  mx.rmsnorm %x, %w -> %y : memref<?x64xbf16, strided<[128, 1]>>, memref<64xbf16> -> memref<?x64xbf16>
  return
}
