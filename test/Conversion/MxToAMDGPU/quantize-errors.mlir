// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu -verify-diagnostics
// RUN: mxc-opt %s -split-input-file -convert-mx-to-amdgpu=chip=gfx1201 -verify-diagnostics

func.func @dynamic_k(%x: memref<?x?xbf16>, %q: memref<?x?xf8E4M3FN>, %s: memref<?x?xf8E8M0FNU>) {
  // expected-error @+1 {{needs a static K (extent 1 of the input) to build its kernel}}
  mx.quantize %x -> %q, %s : memref<?x?xbf16> -> memref<?x?xf8E4M3FN>, memref<?x?xf8E8M0FNU>
  return
}

// -----

func.func @strided(%x: memref<?x64xbf16, strided<[128, 1]>>, %q: memref<?x64xf8E4M3FN>, %s: memref<?x2xf8E8M0FNU>) {
  // expected-error @+1 {{input must be a contiguous row-major memref (identity layout) to be passed to a kernel; got 'memref<?x64xbf16, strided<[128, 1]>>'}}
  mx.quantize %x -> %q, %s : memref<?x64xbf16, strided<[128, 1]>> -> memref<?x64xf8E4M3FN>, memref<?x2xf8E8M0FNU>
  return
}
