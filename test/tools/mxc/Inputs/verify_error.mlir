func.func @f(%x: memref<?x48xbf16>, %q: memref<?x48xf8E4M3FN>, %s: memref<?x1xf8E8M0FNU>) {
  mx.quantize %x -> %q, %s : memref<?x48xbf16> -> memref<?x48xf8E4M3FN>, memref<?x1xf8E8M0FNU>
  return
}
